//! "Show as list": the services visible on the map as a list sorted by distance from the map's
//! centre — a full alternative to the map for keyboard and screen-reader users.
//!
//! Rows are keyed by entity id. A row that stays when the map moves or the language changes
//! keeps its DOM node, so everything it shows that can change (distance, labels) is derived
//! when rendered, never copied into the row.

use leptos::prelude::*;
use quartier_api::geo::LonLat;

use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::layers::StateClass;
use crate::map::state::{MapContext, Picked};
use crate::map::state_words::{StateWords, state_words};

/// At most this many rows: more is not a list anyone reads; the message says how many remain.
const MAX_ROWS: usize = 100;

/// One row of the list: what never changes for an entity while its layer is loaded.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    picked: Picked,
    position: LonLat,
    name: Option<String>,
    state: StateClass,
    reading: Option<StateWords>,
}

/// The services inside the view, nearest to its centre first, at most `max`; and how many
/// there are in all.
fn rows_in_view(ctx: MapContext, max: usize) -> (Vec<Row>, usize) {
    let Some(view) = ctx.viewport.get() else {
        return (Vec::new(), 0);
    };
    let centre = LonLat {
        lon: view.center_lon,
        lat: view.center_lat,
    };
    let mut rows = Vec::new();
    for entity_type in ctx.selected.get() {
        let Some(layer) = ctx.ready(&entity_type) else {
            continue;
        };
        for (feature, state) in layer.features.iter().zip(&layer.states) {
            let inside = feature.lon >= view.west
                && feature.lon <= view.east
                && feature.lat >= view.south
                && feature.lat <= view.north;
            if inside {
                let position = LonLat {
                    lon: feature.lon,
                    lat: feature.lat,
                };
                rows.push((
                    centre.distance_m(&position),
                    Row {
                        picked: Picked {
                            entity_type: entity_type.clone(),
                            id: feature.id.clone(),
                        },
                        position,
                        name: feature.name.clone(),
                        state: *state,
                        reading: feature
                            .status
                            .as_ref()
                            .map(|value| state_words(&entity_type, value, None)),
                    },
                ));
            }
        }
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = rows.len();
    rows.truncate(max);
    (rows.into_iter().map(|(_, row)| row).collect(), total)
}

#[component]
pub fn ServicesList(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let rows = Memo::new(move |_| rows_in_view(ctx, MAX_ROWS));
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
                <For each=move || rows.get().0 key=|row| row.picked.id.clone() let:row>
                    <ServiceRow ctx=ctx row=row/>
                </For>
            </ol>
        </section>
    }
}

#[component]
fn ServiceRow(ctx: MapContext, row: Row) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let Row {
        picked,
        position,
        name,
        state,
        reading,
    } = row;
    let reference = name.unwrap_or_else(|| short_reference(&picked.id));
    let id = picked.id.clone();
    let label = {
        let entity_type = picked.entity_type.clone();
        move || config.layer_label(&entity_type, i18n.lang())
    };
    let details_label = {
        let label = label.clone();
        let reference = reference.clone();
        move || {
            i18n.t_with(
                "map-list-details",
                &[
                    ("layer", label().into()),
                    ("reference", reference.clone().into()),
                ],
            )
        }
    };
    let distance = move || {
        let metres = ctx.viewport.with(|view| {
            view.map(|v| {
                LonLat {
                    lon: v.center_lon,
                    lat: v.center_lat,
                }
                .distance_m(&position)
            })
        })?;
        Some(i18n.t_with(
            "map-list-distance",
            &[("metres", (metres.round() as u64).into())],
        ))
    };
    view! {
        <li class="services-list__item" data-id=id>
            <span class="services-list__name">{label} " " {reference}</span>
            <span class=format!("state-badge state-badge--{}", state.css())>{i18n.tr(state.label_key())}</span>
            {reading.map(|words| view! {
                <span class="services-list__reading">{move || words.text(i18n)}</span>
            })}
            <span class="services-list__distance">{distance}</span>
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
