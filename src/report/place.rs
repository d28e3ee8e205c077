//! Where the problem is, four ways: an address (with suggestions), "Use my location" (only
//! when pressed), the map (tap a spot or move the map under its centre pin: drag, or the arrow
//! keys once the map has focus), or the asset the resident came from. Whatever was used, the
//! form says in words where the report will be placed.

use leptos::prelude::*;

use crate::browser;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::leaflet_map::{GoTo, LeafletMap, MapSetup, Viewport};

use super::address_combobox::AddressCombobox;
use super::draft::{Draft, PlacePick, PlaceSource};

/// Zoom of the map once a place is known: close enough to put the pin on the right pavement.
const PLACE_ZOOM: u8 = 18;

#[component]
pub fn PlaceStep(
    draft: RwSignal<Draft>,
    /// The message of the location's error, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let start = draft.with_untracked(|d| d.place.clone());
    let setup = MapSetup {
        start: match &start {
            Some(p) => GoTo {
                lat: p.lat,
                lon: p.lon,
                zoom: PLACE_ZOOM,
            },
            None => GoTo {
                lat: config.map.center.lat,
                lon: config.map.center.lon,
                zoom: config.map.zoom.max(15),
            },
        },
        min_zoom: config.map.min_zoom,
        max_zoom: config.map.max_zoom,
        tiles_max_zoom: config.map.tiles.max_zoom,
        tile_url: config.map.tiles.url.clone(),
        attribution: config.map.tiles.attribution.clone(),
    };
    let go_to = RwSignal::new(None::<GoTo>);
    // Whether the resident has touched the map (pointer, wheel or keys) since the app last
    // moved it: only then is a new view the pin moving. A map that settles by itself (its box
    // resized as a step is shown or hidden) must not move the report.
    let touched = StoredValue::new(false);
    let set_place = move |lat: f64, lon: f64, address: Option<String>, source: PlaceSource| {
        draft.update(|d| {
            d.place = Some(PlacePick {
                lat,
                lon,
                address,
                source,
            })
        });
        touched.set_value(false);
        go_to.set(Some(GoTo {
            lat,
            lon,
            zoom: PLACE_ZOOM,
        }));
    };
    let on_view = Callback::new(move |view: Viewport| {
        if !touched.get_value() {
            return;
        }
        draft.update(|d| {
            d.place = Some(PlacePick {
                lat: view.center_lat,
                lon: view.center_lon,
                address: None,
                source: PlaceSource::Map,
            })
        });
    });
    // A place set elsewhere (a photo's position) moves the map there.
    Effect::new(move |previous: Option<Option<PlacePick>>| {
        let place = draft.with(|d| d.place.clone());
        if let Some(p) = &place
            && p.source == PlaceSource::Photo
            && previous.flatten().as_ref() != Some(p)
        {
            touched.set_value(false);
            go_to.set(Some(GoTo {
                lat: p.lat,
                lon: p.lon,
                zoom: PLACE_ZOOM,
            }));
        }
        place
    });
    let locating = RwSignal::new(None::<&'static str>);
    let locate = move |_| {
        locating.set(Some("map-locating"));
        browser::current_position(
            move |lat, lon| {
                locating.set(None);
                set_place(lat, lon, None, PlaceSource::MyLocation);
            },
            move || locating.set(Some("map-location-unavailable")),
        );
    };
    let map_failed = RwSignal::new(false);
    let summary = move || {
        draft.with(|d| match &d.place {
            None if !d.typed_address.trim().is_empty() => i18n.t_with(
                "report-place-typed",
                &[("address", d.typed_address.trim().to_string().into())],
            ),
            None => i18n.t("report-place-none"),
            Some(PlacePick {
                address: Some(address),
                ..
            }) => i18n.t_with(
                "report-place-address",
                &[("address", address.clone().into())],
            ),
            Some(p) => {
                let key = match p.source {
                    PlaceSource::MyLocation => "report-place-my-location",
                    PlaceSource::Asset => "report-place-asset",
                    PlaceSource::Photo => "report-place-photo",
                    _ => "report-place-map",
                };
                i18n.t_with(
                    key,
                    &[
                        ("lat", format!("{:.5}", p.lat).into()),
                        ("lon", format!("{:.5}", p.lon).into()),
                    ],
                )
            }
        })
    };
    let initial = start
        .and_then(|p| p.address)
        .unwrap_or_else(|| draft.with_untracked(|d| d.typed_address.clone()));
    view! {
        <div class="report-place">
            {config.api.geocoder.is_some().then(|| view! {
                <AddressCombobox
                    initial=initial
                    error=error
                    on_type=Callback::new(move |typed: String| {
                        draft.update(|d| {
                            d.typed_address = typed;
                            // A place from an earlier suggestion no longer matches the words.
                            if d.place.as_ref().is_some_and(|p| p.source == PlaceSource::Address) {
                                d.place = None;
                            }
                        })
                    })
                    on_choose=Callback::new(move |place: crate::api::geocoder::Place| {
                        set_place(place.lat, place.lon, Some(place.label), PlaceSource::Address)
                    })
                />
            })}
            <p>
                <button type="button" class="button" on:click=locate>{i18n.tr("map-locate-me")}</button>
                <span class="report-place__locating" role="status">
                    {move || locating.get().map(|key| i18n.t(key))}
                </span>
            </p>
            <p id="report-map-help" class="text-field__hint">{i18n.tr("report-map-help")}</p>
            <div
                class="report-place__map"
                aria-describedby="report-map-help"
                on:pointerdown=move |_| touched.set_value(true)
                on:wheel=move |_| touched.set_value(true)
                on:keydown=move |_| touched.set_value(true)
            >
                {move || if map_failed.get() {
                    view! { <p class="async-section__error">{i18n.t("report-map-unavailable")}</p> }.into_any()
                } else {
                    let setup = setup.clone();
                    view! {
                        <LeafletMap
                            setup=setup
                            items=Signal::derive(Vec::new)
                            highlight=Signal::derive(|| None)
                            go_to=go_to
                            on_view=on_view
                            on_pick=Callback::new(move |(lat, lon): (f64, f64)| {
                                set_place(lat, lon, None, PlaceSource::Map)
                            })
                            on_failure=Callback::new(move |_message: String| map_failed.set(true))
                        />
                        <div class="report-place__pin" aria-hidden="true"></div>
                    }.into_any()
                }}
            </div>
            <p class="report-place__summary" role="status" aria-live="polite">{summary}</p>
        </div>
    }
}

/// Moves the draft to a photo's position (offered when a photo carries one).
pub fn use_photo_place(draft: RwSignal<Draft>, lat: f64, lon: f64) {
    draft.update(|d| {
        d.place = Some(PlacePick {
            lat,
            lon,
            address: None,
            source: PlaceSource::Photo,
        })
    });
}
