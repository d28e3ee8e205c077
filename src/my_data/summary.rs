//! "In short": what the town holds, one sentence per category, each a link to its section.

use leptos::prelude::*;
use quartier_api::resident::{DataCategory, Profile, WasteBadgeUse, WaterReading};

use super::words::data_category_title;
use crate::browser;
use crate::i18n::{I18n, use_i18n};

/// The sentence that sums up a category, from its first page of records (newest first).
pub fn category_sentence(i18n: I18n, category: &DataCategory) -> String {
    let lang = i18n.lang().code();
    let count = category.records.total;
    let first = category.records.items.first();
    match category.id.as_str() {
        "identity" => {
            let name = first
                .and_then(|p| serde_json::from_value::<Profile>(p.clone()).ok())
                .map(|p| p.name.full)
                .unwrap_or_default();
            i18n.t_with("summary-identity", &[("name", name.into())])
        }
        "water-meter-readings" => {
            let latest = first
                .and_then(|r| serde_json::from_value::<WaterReading>(r.clone()).ok())
                .map(|r| browser::local_day(&r.date, lang))
                .unwrap_or_default();
            i18n.t_with(
                "summary-water",
                &[("count", count.into()), ("latest", latest.into())],
            )
        }
        "waste-badge-uses" => {
            let latest = first
                .and_then(|u| serde_json::from_value::<WasteBadgeUse>(u.clone()).ok())
                .map(|u| browser::local_date_time(u.timestamp.unix_millis(), lang))
                .unwrap_or_default();
            i18n.t_with(
                "summary-waste",
                &[("count", count.into()), ("latest", latest.into())],
            )
        }
        "issue-reports" => i18n.t_with("summary-reports", &[("count", count.into())]),
        "consents" => i18n.t_with("summary-consents", &[("count", count.into())]),
        other => i18n.t_with(
            "summary-other",
            &[
                ("category", data_category_title(i18n, other).into()),
                ("count", count.into()),
            ],
        ),
    }
}

#[component]
pub fn Summary(categories: Vec<DataCategory>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="my-data__summary" aria-labelledby="my-data-summary-title">
            <h2 id="my-data-summary-title">{i18n.tr("my-data-summary-title")}</h2>
            <ul>
                {categories.into_iter().map(|category| {
                    let href = format!("#category-{}", category.id);
                    let id = category.id.clone();
                    view! {
                        <li>
                            <a href=href>{move || data_category_title(i18n, &id)}</a>
                            " — "
                            {move || category_sentence(i18n, &category)}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
