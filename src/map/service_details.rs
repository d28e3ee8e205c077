//! The side panel of one service: name, state, last observation, owner, and a way to report a
//! problem with it. A Leptos component, never a Leaflet HTML popup: API text is only ever text.
//! The entity is read by the contract crate, whatever representation the broker sends.

use leptos::prelude::*;
use quartier_api::ngsi_ld::Entity;

use crate::api::ngsi_ld::fetch_entity;
use crate::browser;
use crate::components::async_section::AsyncSection;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::services_list::short_reference;
use crate::map::state::{MapContext, Picked};
use crate::map::state_words::{StateWords, state_words};
use crate::navigation::Link;
use crate::route::Route;
use crate::task::Retryable;

/// Attributes that date the entity when its state carries no `observedAt`, in order of
/// preference.
const OBSERVED: &[&str] = &["dateObserved", "dateModified"];
/// Attributes that tell who provides the data.
const OWNER: &[&str] = &["dataProvider", "owner", "source"];
/// A car park's number of places (Smart Data Models' OffStreetParking).
const TOTAL_PLACES: &str = "totalSpotNumber";

#[component]
pub fn ServiceDetails(ctx: MapContext, picked: Picked) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let Some(layer) = ctx.ready_untracked(&picked.entity_type) else {
        return ().into_any();
    };
    let Some(index) = layer.position_of(&picked.id) else {
        return ().into_any();
    };
    let feature = layer.features[index].clone();
    // The state follows the layer, which the live stream changes in place.
    let state_key = {
        let (entity_type, id, first) = (
            picked.entity_type.clone(),
            picked.id.clone(),
            layer.states[index].label_key(),
        );
        Memo::new(move |_| {
            ctx.ready(&entity_type)
                .and_then(|l| l.position_of(&id).map(|i| l.states[i].label_key()))
                .unwrap_or(first)
        })
    };
    let status_attribute = config
        .layer(&picked.entity_type)
        .and_then(|l| l.status_attribute.clone());
    let base = config.api.ngsi_ld.clone();
    let observed = feature.observed;
    let id = feature.id.clone();
    let details = Retryable::new(move || {
        let (base, id) = (base.clone(), id.clone());
        async move { fetch_entity(&base, &id).await }
    });

    // A change of state reads the entity again, for its other facts (observation, reading).
    Effect::new(move |previous: Option<&'static str>| {
        let now = state_key.get();
        if previous.is_some_and(|p| p != now) {
            details.retry();
        }
        now
    });
    let followed = {
        let id = picked.id.clone();
        move || ctx.followed.with(|f| f.as_deref() == Some(id.as_str()))
    };
    let follow = {
        let (id, followed) = (picked.id.clone(), followed.clone());
        move |_| {
            let next = (!followed()).then(|| id.clone());
            ctx.followed.set(next);
        }
    };

    // Focus moves to the panel's heading once it is in the document (after this render).
    Effect::new(move |_| browser::focus_by_id_soon("service-details-title"));

    let title = {
        let name = feature.name.clone();
        let reference = short_reference(&feature.id);
        let entity_type = picked.entity_type.clone();
        move || {
            let layer = config.layer_label(&entity_type, i18n.lang());
            match &name {
                Some(name) => i18n.t_with(
                    "details-title-named",
                    &[("layer", layer.into()), ("name", name.clone().into())],
                ),
                None => i18n.t_with(
                    "details-title-reference",
                    &[
                        ("layer", layer.into()),
                        ("reference", reference.clone().into()),
                    ],
                ),
            }
        }
    };
    let report_href = format!(
        "{}?category={}&lat={:.6}&lon={:.6}&asset={}",
        Route::Report.path(),
        picked.entity_type,
        feature.lat,
        feature.lon,
        js_sys::encode_uri_component(&feature.id)
    );
    let close = move || ctx.picked.set(None);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            close();
        }
    };

    view! {
        <aside class="service-details" aria-labelledby="service-details-title" on:keydown=on_keydown>
            <h2 id="service-details-title" class="service-details__title" tabindex="-1">
                {title}
            </h2>
            <dl class="service-details__facts">
                <dt>{i18n.tr("details-state")}</dt>
                <dd>{move || i18n.t(state_key.get())}</dd>
            </dl>
            <AsyncSection state=details.signal() on_retry=details.retry_callback() let:entity>
                <FactList facts=Facts::of(&entity, status_attribute.as_deref(), observed)/>
            </AsyncSection>
            <p class="service-details__actions">
                <Link href=report_href class="button button--primary">
                    {i18n.tr("details-report-here")}
                </Link>
                // A toggle: its state is said by `aria-pressed`, its name stays the same.
                <button type="button" class="button" aria-pressed=move || followed().to_string() on:click=follow>
                    {i18n.tr("details-follow")}
                </button>
                <button type="button" class="button" on:click=move |_| close()>
                    {i18n.tr("details-close")}
                </button>
            </p>
        </aside>
    }
    .into_any()
}

/// What the full entity adds to what the map knows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// The state value in words, when the broker sent one.
    pub reading: Option<StateWords>,
    /// When the state was observed (ms since 1970).
    pub observed: Option<i64>,
    pub owner: Option<String>,
    pub address: Option<String>,
}

impl Facts {
    /// The facts of an entity; `observed` is the map's own reading (the status's
    /// `observedAt`), which wins over the entity's dates.
    pub fn of(entity: &Entity, status_attribute: Option<&str>, observed: Option<i64>) -> Facts {
        Facts {
            reading: status_attribute
                .and_then(|a| entity.status(a))
                .map(|value| state_words(entity.type_name(), &value, entity.number(TOTAL_PLACES))),
            observed: observed
                .or_else(|| {
                    status_attribute
                        .and_then(|a| entity.attribute(a))
                        .and_then(|a| a.observed_at())
                        .map(|t| t.unix_millis())
                })
                .or_else(|| {
                    OBSERVED
                        .iter()
                        .find_map(|name| entity.timestamp(name))
                        .map(|t| t.unix_millis())
                }),
            owner: OWNER.iter().find_map(|name| entity.text(name)),
            address: entity.postal_address().map(|a| a.one_line()),
        }
    }
}

#[component]
fn FactList(facts: Facts) -> impl IntoView {
    let i18n = use_i18n();
    let Facts {
        reading,
        observed,
        owner,
        address,
    } = facts;
    view! {
        <dl class="service-details__facts">
            {reading.map(|words| view! {
                <dt>{i18n.tr("details-reading")}</dt>
                <dd>{move || words.text(i18n)}</dd>
            })}
            {observed.map(|ms| view! {
                <dt>{i18n.tr("details-observed")}</dt>
                <dd>{move || browser::local_date_time(ms, i18n.lang().code())}</dd>
            })}
            {owner.map(|who| view! { <dt>{i18n.tr("details-owner")}</dt> <dd>{who}</dd> })}
            {address.map(|a| view! { <dt>{i18n.tr("details-address")}</dt> <dd>{a}</dd> })}
        </dl>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quartier_api::ngsi_ld::parse_entity;

    #[test]
    fn a_typed_date_time_dates_the_details() {
        // As Orion-LD and Scorpio send it (normalized, typed literal), and as the core
        // context's `type` alias spells it (concise).
        let normalized = r#"{"id": "urn:ngsi-ld:AirQualityObserved:1", "type": "AirQualityObserved",
            "dateObserved": {"type": "Property", "value": {"@type": "DateTime", "@value": "2026-11-28T17:44:14Z"}}}"#;
        let concise = r#"{"id": "urn:ngsi-ld:AirQualityObserved:1", "type": "AirQualityObserved",
            "dateObserved": {"value": {"type": "DateTime", "@value": "2026-11-28T17:44:14Z"}}}"#;
        for body in [normalized, concise] {
            let entity = parse_entity(body, None).unwrap();
            let facts = Facts::of(&entity, None, None);
            assert_eq!(facts.observed, Some(1_795_887_854_000), "{body}");
        }
    }

    #[test]
    fn a_car_park_reads_free_places_of_its_total() {
        let body = r#"{"id": "urn:ngsi-ld:OffStreetParking:1", "type": "OffStreetParking",
            "availableSpotNumber": {"type": "Property", "value": 12},
            "totalSpotNumber": {"type": "Property", "value": 40}}"#;
        let entity = parse_entity(body, None).unwrap();
        let facts = Facts::of(&entity, Some("availableSpotNumber"), None);
        assert_eq!(
            facts.reading,
            Some(StateWords::FreePlaces {
                free: 12,
                total: Some(40)
            })
        );
    }

    #[test]
    fn the_maps_own_observation_wins_and_owner_and_address_are_read() {
        let body = r#"{"id": "urn:ngsi-ld:Streetlight:1", "type": "Streetlight",
            "status": {"type": "Property", "value": "defectiveLamp", "observedAt": "2026-11-28T14:58:53Z"},
            "dataProvider": "Régie de l'éclairage",
            "address": {"type": "Property", "value": {"type": "PostalAddress",
                "streetAddress": "12 rue des Lilas", "postalCode": "37000", "addressLocality": "Belleville"}}}"#;
        let entity = parse_entity(body, None).unwrap();
        let facts = Facts::of(&entity, Some("status"), None);
        assert_eq!(
            facts.reading,
            Some(StateWords::Known("status-defective-lamp"))
        );
        assert_eq!(facts.observed, Some(1_795_877_933_000));
        assert_eq!(facts.owner.as_deref(), Some("Régie de l'éclairage"));
        assert_eq!(
            facts.address.as_deref(),
            Some("12 rue des Lilas 37000 Belleville")
        );
        assert_eq!(
            Facts::of(&entity, Some("status"), Some(5)).observed,
            Some(5)
        );
    }
}
