//! Finding a place without the map: an address search (the town's geocoder) and, only after a
//! button press, the resident's own position. Either one recentres the map and the list.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::geocoder::{Place, search_places};
use crate::browser;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::task::Latest;

/// The shortest address query the Base Adresse Nationale's API answers.
const MIN_QUERY_CHARS: usize = 2;

/// What the last action of the place search did.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaceStatus {
    Centred(String),
    Locating,
    Located,
    Unavailable,
    TooShort,
}

impl PlaceStatus {
    pub fn text(&self, i18n: crate::i18n::I18n) -> String {
        match self {
            PlaceStatus::Centred(place) => {
                i18n.t_with("map-place-centred", &[("place", place.clone().into())])
            }
            PlaceStatus::Locating => i18n.t("map-locating"),
            PlaceStatus::Located => i18n.t("map-located"),
            PlaceStatus::Unavailable => i18n.t("map-location-unavailable"),
            PlaceStatus::TooShort => i18n.t("error-geocoder-query"),
        }
    }
}

#[component]
pub fn PlaceSearch(
    /// Called with (lat, lon) of the chosen place.
    on_place: Callback<(f64, f64)>,
    /// Called with what happened, for the map's live region (this component has none: one
    /// region for the whole map keeps screen readers from hearing two at once).
    on_status: Callback<PlaceStatus>,
) -> impl IntoView {
    let i18n = use_i18n();
    let geocoder = use_config().api.geocoder.clone();
    let query = RwSignal::new(String::new());
    // What happened, not its words: the text is derived when shown, in the current language.
    let status = RwSignal::new(None::<PlaceStatus>);
    Effect::new(move |_| {
        if let Some(status) = status.get() {
            on_status.run(status);
        }
    });
    let search = Latest::<Result<Vec<Place>, ApiError>>::new();
    let has_geocoder = use_config().api.geocoder.is_some();
    let choose = move |place: Place| {
        on_place.run((place.lat, place.lon));
        status.set(Some(PlaceStatus::Centred(place.label)));
    };
    let locate = move |_| {
        status.set(Some(PlaceStatus::Locating));
        browser::current_position(
            move |lat, lon| {
                on_place.run((lat, lon));
                status.set(Some(PlaceStatus::Located));
            },
            move || status.set(Some(PlaceStatus::Unavailable)),
        );
    };
    let results = move || {
        search.value().map(|result| match result {
            Ok(places) if places.is_empty() => {
                view! { <p class="place-search__empty">{i18n.t("map-place-none")}</p> }.into_any()
            }
            Ok(places) => view! {
                <ul class="place-search__results" aria-label=i18n.t("map-place-results")>
                    {places
                        .into_iter()
                        .map(|place| {
                            let label = place.label.clone();
                            view! {
                                <li>
                                    <button type="button" class="button place-search__result" on:click=move |_| choose(place.clone())>
                                        {label}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any(),
            Err(error) => view! { <p class="place-search__error" role="alert">{i18n.t(error.message_key())}</p> }.into_any(),
        })
    };
    view! {
        <div class="place-search">
            {has_geocoder.then(|| view! {
                <form
                    role="search"
                    class="place-search__form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        let text = query.get_untracked().trim().to_string();
                        // The geocoder refuses a query shorter than this: say so without asking it.
                        if text.chars().count() < MIN_QUERY_CHARS {
                            status.set(Some(PlaceStatus::TooShort));
                        } else {
                            status.set(None);
                            let base = geocoder.clone().unwrap_or_default();
                            search.run(async move { search_places(&base, &text, 5).await });
                        }
                    }
                >
                    <label for="place-search-input" class="place-search__label">{i18n.tr("map-place-label")}</label>
                    <input
                        id="place-search-input"
                        type="search"
                        class="place-search__input"
                        autocomplete="street-address"
                        // The label is hidden over the map: the same words stay in sight here.
                        placeholder=i18n.tr("map-place-label")
                        prop:value=query
                        on:input=move |ev| query.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button">{i18n.tr("map-place-search")}</button>
                </form>
            })}
            <button type="button" class="button place-search__locate" on:click=locate>
                {i18n.tr("map-locate-me")}
            </button>
            {results}
            <p class="place-search__status">
                {move || status.get().map(|status| status.text(i18n))}
            </p>
        </div>
    }
}
