//! The water meter's last twelve months as a resident can read them three ways: one sentence
//! ("312 m³ over 12 months, highest in July"), a bar chart drawn here as SVG (no chart
//! library: a dozen rectangles need none) with a title and a description, and the same
//! numbers as a table. The SVG scales with its box (`viewBox`), so it stays whole at 200 % zoom;
//! the table is the alternative that screen readers and magnifiers read best.

use leptos::prelude::*;

use super::water_usage::{MonthUsage, WaterUsage, axis_step};
use crate::browser;
use crate::i18n::{I18n, use_i18n};

/// The chart's drawing box, in SVG units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 32.0;
const BOTTOM: f64 = 40.0;

/// "312 m³ over 12 months, highest in July 2026 (41 m³)."
pub fn summary(i18n: I18n, usage: &WaterUsage) -> String {
    let lang = i18n.lang().code();
    let Some(highest) = usage.highest() else {
        return i18n.t("water-summary-none");
    };
    i18n.t_with(
        "water-summary",
        &[
            (
                "total",
                browser::local_number(usage.total_litres() as f64 / 1000.0, lang, 0).into(),
            ),
            ("months", usage.months.len().into()),
            (
                "month",
                browser::month_name(highest.year, highest.month, lang, true).into(),
            ),
            (
                "highest",
                browser::local_number(highest.cubic_metres(), lang, 1).into(),
            ),
        ],
    )
}

#[component]
pub fn WaterChart(usage: WaterUsage) -> impl IntoView {
    let i18n = use_i18n();
    let usage = StoredValue::new(usage);
    let summary_text = move || usage.with_value(|u| summary(i18n, u));
    view! {
        <figure class="water-chart" aria-labelledby="water-chart-caption">
            <figcaption id="water-chart-caption" class="water-chart__caption">
                <strong>{i18n.tr("water-chart-title")}</strong>
                " "
                <span class="water-chart__summary">{summary_text}</span>
            </figcaption>
            <Bars usage=usage/>
            <table class="data-table water-chart__table">
                <caption>{i18n.tr("water-table-caption")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{i18n.tr("water-table-month")}</th>
                        <th scope="col">{i18n.tr("water-table-used")}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || usage.with_value(|u| u.months.clone()).into_iter().map(|m| view! { <MonthRow month=m/> }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

#[component]
fn MonthRow(month: MonthUsage) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    view! {
        <tr data-month=month.id()>
            <th scope="row">
                {move || browser::month_name(month.year, month.month, lang(), true)}
                {move || month.is_partial().then(|| format!(" {}", i18n.t_with("water-table-partial", &[("days", month.days_read.into())])))}
            </th>
            <td class="data-table__number">{move || browser::local_number(month.cubic_metres(), lang(), 1)}</td>
        </tr>
    }
}

/// The bars, with round gridlines in m³. Colour is never the only cue: the highest month is
/// also named in the summary and the description.
#[component]
fn Bars(usage: StoredValue<WaterUsage>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    let (months, highest) = usage.with_value(|u| (u.months.clone(), u.highest().copied()));
    let max = months
        .iter()
        .map(MonthUsage::cubic_metres)
        .fold(0.0, f64::max);
    let step = axis_step(max);
    let top_value = (max / step).ceil().max(1.0) * step;
    let axis_digits = if step >= 1.0 { 0 } else { 1 };
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y = move |value: f64| TOP + plot_height * (1.0 - value / top_value);
    let slot = (WIDTH - LEFT - RIGHT) / months.len().max(1) as f64;
    let ticks: Vec<f64> = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|v| *v <= top_value + step / 2.0)
        .collect();
    let grid = ticks
        .into_iter()
        .map(|value| {
            view! {
                <line class="water-chart__grid" x1=num(LEFT) x2=num(WIDTH - RIGHT) y1=num(y(value)) y2=num(y(value))/>
                <text class="water-chart__axis" x=num(LEFT - 6.0) y=num(y(value) + 5.0) text-anchor="end">
                    {move || browser::local_number(value, lang(), axis_digits)}
                </text>
            }
        })
        .collect_view();
    let bars = months
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let x = LEFT + slot * i as f64;
            let top = y(m.cubic_metres());
            let is_highest = highest.is_some_and(|h| h == m);
            view! {
                <rect
                    class="water-chart__bar"
                    class:water-chart__bar--highest=is_highest
                    x=num(x + slot * 0.15)
                    y=num(top)
                    width=num(slot * 0.7)
                    height=num((TOP + plot_height - top).max(0.0))
                />
                <text class="water-chart__axis" x=num(x + slot / 2.0) y=num(HEIGHT - BOTTOM + 22.0) text-anchor="middle">
                    {move || browser::month_name(m.year, m.month, lang(), false)}
                </text>
            }
        })
        .collect_view();
    view! {
        <svg
            class="water-chart__svg"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-labelledby="water-chart-svg-title water-chart-svg-desc"
            focusable="false"
        >
            <title id="water-chart-svg-title">{i18n.tr("water-chart-title")}</title>
            <desc id="water-chart-svg-desc">{move || usage.with_value(|u| summary(i18n, u))}</desc>
            <text class="water-chart__unit" x=num(LEFT - 6.0) y=num(TOP - 14.0) text-anchor="end">"m³"</text>
            {grid}
            {bars}
        </svg>
    }
}

fn num(value: f64) -> String {
    format!("{value:.1}")
}
