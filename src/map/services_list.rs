//! "Show as list": the services visible on the map as a list sorted by distance from the map's
//! centre — a full alternative to the map for keyboard and screen-reader users.

use leptos::prelude::*;

use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::cluster::distance_m;
use crate::map::state::{MapContext, Picked};

/// At most this many rows: more is not a list anyone reads; the message says how many remain.
const MAX_ROWS: usize = 100;

/// One row of the list.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    picked: Picked,
    label: String,
    reference: String,
    state_key: &'static str,
    state_css: &'static str,
    distance_m: f64,
}

#[component]
pub fn ServicesList(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let rows = Memo::new(move |_| {
        let Some(view) = ctx.viewport.get() else {
            return (Vec::new(), 0);
        };
        let lang = i18n.lang();
        let centre = (view.center_lat, view.center_lon);
        let mut rows = Vec::new();
        for entity_type in ctx.selected.get() {
            let Some(layer) = ctx.ready(&entity_type) else {
                continue;
            };
            let label = config
                .layers
                .iter()
                .find(|l| l.entity_type == entity_type)
                .map(|l| l.label.get(lang).to_string())
                .unwrap_or_else(|| entity_type.clone());
            for (index, feature) in layer.features.iter().enumerate() {
                let inside = feature.lon >= view.west
                    && feature.lon <= view.east
                    && feature.lat >= view.south
                    && feature.lat <= view.north;
                if !inside {
                    continue;
                }
                let state = layer.states[index];
                rows.push(Row {
                    picked: Picked {
                        entity_type: entity_type.clone(),
                        index,
                    },
                    label: label.clone(),
                    reference: feature
                        .name
                        .clone()
                        .unwrap_or_else(|| short_reference(&feature.id)),
                    state_key: state.label_key(),
                    state_css: state.css(),
                    distance_m: distance_m(centre, (feature.lat, feature.lon)),
                });
            }
        }
        rows.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
        let total = rows.len();
        rows.truncate(MAX_ROWS);
        (rows, total)
    });
    view! {
        <section class="services-list" aria-labelledby="services-list-title">
            <h2 id="services-list-title">{i18n.tr("map-list-title")}</h2>
            <p class="services-list__summary">
                {move || {
                    let (rows, total) = rows.get();
                    if total == 0 {
                        i18n.t("map-list-empty")
                    } else if total > rows.len() {
                        i18n.t_with(
                            "map-list-truncated",
                            &[("shown", rows.len().into()), ("total", total.into())],
                        )
                    } else {
                        i18n.t_with("map-list-count", &[("total", total.into())])
                    }
                }}
            </p>
            <ol class="services-list__items">
                <For
                    each=move || rows.get().0
                    key=|row| (row.picked.entity_type.clone(), row.picked.index)
                    let:row
                >
                    <ServiceRow ctx=ctx row=row/>
                </For>
            </ol>
        </section>
    }
}

#[component]
fn ServiceRow(ctx: MapContext, row: Row) -> impl IntoView {
    let i18n = use_i18n();
    let Row {
        picked,
        label,
        reference,
        state_key,
        state_css,
        distance_m,
    } = row;
    let details_label = {
        let label = label.clone();
        let reference = reference.clone();
        move || {
            i18n.t_with(
                "map-list-details",
                &[
                    ("layer", label.clone().into()),
                    ("reference", reference.clone().into()),
                ],
            )
        }
    };
    view! {
        <li class="services-list__item">
            <span class="services-list__name">{label} " " {reference}</span>
            <span class=format!("state-badge state-badge--{state_css}")>{i18n.tr(state_key)}</span>
            <span class="services-list__distance">
                {move || i18n.t_with("map-list-distance", &[("metres", (distance_m.round() as u64).into())])}
            </span>
            <button
                type="button"
                class="button services-list__details"
                on:click=move |_| ctx.picked.set(Some(picked.clone()))
            >
                {details_label}
            </button>
        </li>
    }
}

/// The readable end of an NGSI-LD URN (`urn:ngsi-ld:Streetlight:BSL-000123` → `BSL-000123`).
pub fn short_reference(id: &str) -> String {
    id.rsplit(':').next().unwrap_or(id).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_the_end_of_the_urn() {
        assert_eq!(
            short_reference("urn:ngsi-ld:Streetlight:BSL-000123"),
            "BSL-000123"
        );
        assert_eq!(short_reference("plain"), "plain");
    }
}
