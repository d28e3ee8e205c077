//! "Show as list": the services visible on the map as a list sorted by distance from the map's
//! centre — a full alternative to the map for keyboard and screen-reader users.
//!
//! Rows are keyed by entity id. A row that stays when the map moves or the language changes
//! keeps its DOM node, so everything it shows that can change (distance, labels) is derived
//! when rendered, never copied into the row.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use quartier_api::geo::LonLat;

use crate::api::ngsi_ld::fetch_addresses;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::area_counts::counted_by_area;
use crate::map::layer_loading::LIST_RADIUS_M;
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

/// The addresses found so far, by entity id (`None`: asked, the service has none).
type Addresses = RwSignal<HashMap<String, Option<String>>>;

/// Asks the addresses of the rows shown that were never asked, one query per layer. A failure
/// costs nothing but the address: the row keeps its reference.
fn fetch_missing_addresses(rows: Memo<(Vec<Row>, usize)>, addresses: Addresses) {
    let base = use_config().api.ngsi_ld.clone();
    Effect::new(move |_| {
        let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
        rows.with(|(rows, _)| {
            addresses.with_untracked(|known| {
                for row in rows.iter().filter(|r| !known.contains_key(&r.picked.id)) {
                    let entity_type = &row.picked.entity_type;
                    match wanted.iter_mut().find(|(t, _)| t == entity_type) {
                        Some((_, ids)) => ids.push(row.picked.id.clone()),
                        None => wanted.push((entity_type.clone(), vec![row.picked.id.clone()])),
                    }
                }
            })
        });
        for (entity_type, ids) in wanted {
            // Marked as asked right away, so a moving map does not ask twice.
            addresses.update(|known| {
                for id in &ids {
                    known.insert(id.clone(), None);
                }
            });
            let base = base.clone();
            spawn_local(async move {
                if let Ok(found) = fetch_addresses(&base, &entity_type, &ids).await {
                    addresses.try_update(|known| {
                        for (id, line) in found {
                            known.insert(id, Some(line));
                        }
                    });
                }
            });
        }
    });
}

#[component]
pub fn ServicesList(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let rows = Memo::new(move |_| rows_in_view(ctx, MAX_ROWS));
    let addresses: Addresses = RwSignal::new(HashMap::new());
    fetch_missing_addresses(rows, addresses);
    // One group per layer that has rows here, in the panel's order.
    let groups = Memo::new(move |_| {
        rows.with(|(rows, _)| {
            ctx.selected
                .get()
                .into_iter()
                .filter(|t| rows.iter().any(|r| &r.picked.entity_type == t))
                .collect::<Vec<_>>()
        })
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
            {move || {
                // A large layer seen from afar lists only what is near the centre: say so.
                let view = ctx.viewport.get()?;
                let counted: Vec<String> = ctx
                    .selected
                    .get()
                    .into_iter()
                    .filter(|t| counted_by_area(ctx, t, &view))
                    .collect();
                let config = use_config();
                (!counted.is_empty()).then(|| {
                    counted
                        .into_iter()
                        .map(|t| {
                            let layer = config.layer_label(&t, i18n.lang());
                            view! {
                                <p class="services-list__near-centre">
                                    {i18n.t_with(
                                        "map-list-near-centre",
                                        &[("layer", layer.into()), ("metres", (LIST_RADIUS_M as u32).into())],
                                    )}
                                </p>
                            }
                        })
                        .collect_view()
                })
            }}
            <For each=move || groups.get() key=|entity_type| entity_type.clone() let:entity_type>
                <LayerGroup ctx=ctx entity_type=entity_type rows=rows addresses=addresses/>
            </For>
        </section>
    }
}

/// The rows of one layer (nearest first), under the layer's name.
#[component]
fn LayerGroup(
    ctx: MapContext,
    entity_type: String,
    rows: Memo<(Vec<Row>, usize)>,
    addresses: Addresses,
) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let heading_id = format!("services-list-{entity_type}");
    let labelled_by = heading_id.clone();
    let label = {
        let entity_type = entity_type.clone();
        move || config.layer_label(&entity_type, i18n.lang())
    };
    let members = move || {
        rows.with(|(rows, _)| {
            rows.iter()
                .filter(|r| r.picked.entity_type == entity_type)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="services-list__group" aria-labelledby=labelled_by>
            <h3 id=heading_id class="services-list__group-title">{label}</h3>
            <ol class="services-list__items">
                <For each=members key=|row| row.picked.id.clone() let:row>
                    <ServiceRow ctx=ctx row=row addresses=addresses/>
                </For>
            </ol>
        </section>
    }
}

#[component]
fn ServiceRow(ctx: MapContext, row: Row, addresses: Addresses) -> impl IntoView {
    let i18n = use_i18n();
    let Row {
        picked,
        position,
        name,
        state,
        reading,
    } = row;
    let reference = short_reference(&picked.id);
    let id = picked.id.clone();
    // What it is called or where it is; the reference when neither is known (yet).
    let title = {
        let id = id.clone();
        let reference = reference.clone();
        move || {
            name.clone()
                .or_else(|| addresses.with(|known| known.get(&id).cloned().flatten()))
                .unwrap_or_else(|| reference.clone())
        }
    };
    let shows_reference = {
        let title = title.clone();
        let reference = reference.clone();
        move || title() != reference
    };
    let details_label = {
        let title = title.clone();
        let reference = reference.clone();
        move || {
            let title = title();
            let name = if title == reference {
                title
            } else {
                format!("{title}, {reference}")
            };
            i18n.t_with("map-list-details", &[("name", name.into())])
        }
    };
    let badge = i18n.tr(state.label_key());
    // A reading that only repeats the badge ("working" beside "Working") is left out.
    let reading = reading.filter(StateWords::adds_to_badge);
    let reading = move || reading.as_ref().map(|words| words.text(i18n));
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
            <span class="services-list__name">
                {title}
                <Show when=shows_reference>
                    // Read as "name, reference"; shown on a line of its own.
                    <span class="visually-hidden">", "</span>
                    <span class="services-list__reference">{reference.clone()}</span>
                </Show>
            </span>
            <span class=format!("state-badge state-badge--{}", state.css())>{badge}</span>
            {move || reading().map(|words| view! {
                <span class="services-list__reading">{words}</span>
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
