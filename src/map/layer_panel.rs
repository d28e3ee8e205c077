//! The layer panel: one checkbox per layer, named by the layer's label; under each shown layer,
//! its loading progress or error, a legend of states with counts, and where the data comes from.

use leptos::prelude::*;

use crate::browser;
use crate::components::async_section::FailedNotice;
use crate::config::{LayerConfig, use_config};
use crate::i18n::use_i18n;
use crate::map::layers::StateClass;
use crate::map::live::LiveStatus;
use crate::map::state::{LayerLoad, MapContext, Progress};

#[component]
pub fn LayerPanel(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let layers = use_config().layers.clone();
    view! {
        <fieldset class="layer-panel">
            <legend class="layer-panel__legend visually-hidden">{i18n.tr("map-layers")}</legend>
            <ul class="layer-panel__list">
                {layers
                    .into_iter()
                    .map(|layer| view! { <LayerEntry ctx=ctx layer=layer/> })
                    .collect_view()}
            </ul>
            <LiveState ctx=ctx/>
            <p class="layer-panel__how">{i18n.tr("map-legend-clusters")}</p>
        </fieldset>
    }
}

#[component]
fn LayerEntry(ctx: MapContext, layer: LayerConfig) -> impl IntoView {
    let i18n = use_i18n();
    let entity_type = layer.entity_type.clone();
    let input_id = format!("layer-{}", layer.entity_type);
    let status_id = format!("layer-status-{}", layer.entity_type);
    let checked = {
        let entity_type = entity_type.clone();
        move || ctx.selected.with(|s| s.contains(&entity_type))
    };
    let toggle = {
        let entity_type = entity_type.clone();
        let order: Vec<String> = use_config()
            .layers
            .iter()
            .map(|l| l.entity_type.clone())
            .collect();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            ctx.selected.update(|selected| {
                selected.retain(|t| t != &entity_type);
                if on {
                    selected.push(entity_type.clone());
                    selected.sort_by_key(|t| order.iter().position(|o| o == t));
                }
            });
        }
    };
    let label = layer.label.clone();
    let provider = layer.provider.clone();
    let licence = layer.licence.clone();
    let load = ctx.load_of(entity_type.clone());
    let large_counts = {
        let entity_type = entity_type.clone();
        Memo::new(move |_| ctx.large.with(|large| large.get(&entity_type).copied()))
    };
    let progress = ctx.progress_of(entity_type.clone());
    let status = {
        let shown = checked.clone();
        move || {
            if !shown() {
                return None;
            }
            Some(match load.get() {
                None | Some(LayerLoad::Loading) => {
                    view! { <LayerProgress progress=progress/> }.into_any()
                }
                Some(LayerLoad::Failed(error)) => view! {
                    <div class="layer-panel__error">
                        <FailedNotice
                            error=error
                            on_retry=Callback::new(move |_| ctx.retry.update(|n| *n += 1))
                        />
                    </div>
                }
                .into_any(),
                Some(LayerLoad::ByArea { total }) => {
                    let by_state = large_counts.get().and_then(|c| c.by_state);
                    view! {
                        {by_state.map(legend)}
                        <p class="layer-panel__status">
                            {move || i18n.t_with("map-layer-by-area", &[("total", total.into())])}
                        </p>
                    }
                    .into_any()
                }
                Some(LayerLoad::Ready {
                    data,
                    loaded_at,
                    area,
                }) => {
                    // A large layer's legend counts the whole layer, not the area loaded.
                    let by_state =
                        large_counts
                            .get()
                            .and_then(|c| c.by_state)
                            .unwrap_or_else(|| {
                                let mut counts = [0; 4];
                                for state in StateClass::ALL {
                                    counts[state as usize] = data.count(state) as u32;
                                }
                                counts
                            });
                    let provider = provider.clone();
                    let licence = licence.clone();
                    let newest = data.newest_observation;
                    let provenance = move || {
                        let lang = i18n.lang();
                        let mut lines = Vec::new();
                        if let Some(p) = &provider {
                            lines.push(i18n.t_with(
                                "map-layer-source",
                                &[("provider", p.get(lang).to_string().into())],
                            ));
                        }
                        if let Some(l) = &licence {
                            lines.push(
                                i18n.t_with("map-layer-licence", &[("licence", l.clone().into())]),
                            );
                        }
                        if let Some(ms) = newest {
                            let when = browser::local_date_time(ms, lang.code());
                            lines.push(i18n.t_with("map-layer-observed", &[("time", when.into())]));
                        }
                        lines.push(updated_words(i18n, loaded_at, ctx.clock.get()));
                        if area.is_some() {
                            lines.push(i18n.t("map-layer-area-only"));
                        }
                        lines
                            .into_iter()
                            .map(|line| view! { <span class="layer-panel__provenance-line">{line}</span> })
                            .collect_view()
                    };
                    view! {
                        {legend(by_state)}
                        <p class="layer-panel__provenance">{provenance}</p>
                    }
                    .into_any()
                }
            })
        }
    };
    view! {
        <li class="layer-panel__item">
            <input
                type="checkbox"
                id=input_id.clone()
                class="layer-panel__checkbox"
                prop:checked=checked
                on:change=toggle
                aria-describedby=status_id.clone()
            />
            <label for=input_id class="layer-panel__label">
                <span class="layer-panel__swatch" style:background-color=layer.color.clone() aria-hidden="true"></span>
                {move || label.get(i18n.lang()).to_string()}
            </label>
            // Not a live region: the map's announcer says when a layer is ready or failed.
            <div id=status_id class="layer-panel__details">{status}</div>
        </li>
    }
}

/// The states of a layer with their counts (indexed by `StateClass as usize`), worst first;
/// the dot's colour is never alone: each row names its state.
fn legend(by_state: [u32; 4]) -> impl IntoView {
    let i18n = use_i18n();
    let rows = StateClass::ALL
        .into_iter()
        .map(|state| (state, by_state[state as usize]))
        .filter(|(_, count)| *count > 0)
        .map(|(state, count)| {
            view! {
                <li class="legend__row">
                    <span class=format!("legend__dot legend__dot--{}", state.css()) aria-hidden="true"></span>
                    {move || i18n.t_with(
                        "map-legend-row",
                        &[("state", i18n.t(state.label_key()).into()), ("count", count.into())],
                    )}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="legend">{rows}</ul> }
}

/// How fresh a layer is: "Updated 12 s ago", in minutes after one, its time after an hour.
fn updated_words(i18n: crate::i18n::I18n, at: f64, now: f64) -> String {
    let seconds = ((now - at) / 1000.0).max(0.0).floor() as u64;
    if seconds < 60 {
        i18n.t_with("map-layer-updated-seconds", &[("seconds", seconds.into())])
    } else if seconds < 3600 {
        i18n.t_with(
            "map-layer-updated-minutes",
            &[("minutes", (seconds / 60).into())],
        )
    } else {
        let time = browser::local_time(at, i18n.lang().code());
        i18n.t_with("map-layer-loaded-at", &[("time", time.into())])
    }
}

/// Whether the map follows changes live. Only the state is a live region: the countdown to
/// the next attempt beside it changes each second and is read only when asked.
#[component]
fn LiveState(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let state = move || match ctx.live.get() {
        LiveStatus::Live => i18n.t("map-live-on"),
        LiveStatus::Connecting => i18n.t("map-live-connecting"),
        LiveStatus::Interrupted { .. } => i18n.t("map-live-interrupted"),
    };
    let countdown = move || match ctx.live.get() {
        LiveStatus::Interrupted { retry_at } => {
            let seconds = ((retry_at - ctx.clock.get()) / 1000.0).ceil().max(0.0) as u64;
            Some(i18n.t_with("map-live-retry-in", &[("seconds", seconds.into())]))
        }
        _ => None,
    };
    view! {
        <p class="layer-panel__live" class:layer-panel__live--down=move || matches!(ctx.live.get(), LiveStatus::Interrupted { .. })>
            <span role="status">{state}</span>
            " "
            <span>{countdown}</span>
        </p>
    }
}

/// A whole layer's loading: a progress bar and "Loading: 300 of 12 000".
#[component]
fn LayerProgress(progress: Memo<Progress>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let Progress { loaded, total } = progress.get();
        match total {
            Some(total) => i18n.t_with(
                "map-layer-loading-progress",
                &[("loaded", loaded.into()), ("total", total.into())],
            ),
            None => i18n.t("map-layer-loading"),
        }
    };
    view! {
        <p class="layer-panel__status">
            <progress
                class="layer-panel__progress"
                max=move || progress.get().total.unwrap_or(0).max(1)
                value=move || progress.get().loaded
                aria-label=text
            ></progress>
            " "
            {text}
        </p>
    }
}
