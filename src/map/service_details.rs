//! The side panel of one service: name, state, last observation, owner, and a way to report a
//! problem with it. A Leptos component, never a Leaflet HTML popup: API text is only ever text.

use leptos::prelude::*;
use quartier_api::datetime::Timestamp;
use serde_json::{Map, Value};

use crate::api::ngsi_ld::fetch_entity;
use crate::browser;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::layers::status_value_key;
use crate::map::services_list::short_reference;
use crate::map::state::{MapContext, Picked};
use crate::navigation::Link;
use crate::route::Route;
use crate::task;

/// Attributes that date the entity when its state carries no `observedAt`, in order of
/// preference.
const OBSERVED: &[&str] = &["dateObserved", "dateModified"];
/// Attributes that tell who provides the data.
const OWNER: &[&str] = &["dataProvider", "owner", "source"];

#[component]
pub fn ServiceDetails(ctx: MapContext, picked: Picked) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let Some(layer) = ctx.ready(&picked.entity_type) else {
        return ().into_any();
    };
    let Some(feature) = layer.features.get(picked.index).cloned() else {
        return ().into_any();
    };
    let layer_config = config
        .layers
        .iter()
        .find(|l| l.entity_type == picked.entity_type)
        .cloned();
    let status_attribute = layer_config
        .as_ref()
        .and_then(|l| l.status_attribute.clone());
    let state_key = layer.states[picked.index].label_key();
    let base = config.api.ngsi_ld.clone();
    let observed = feature.observed;
    let id = feature.id.clone();
    let details = task::load(async move { fetch_entity(&base, &id).await });

    // Focus moves to the panel's heading once it is in the document (after this render).
    Effect::new(move |_| crate::browser::focus_by_id_soon("service-details-title"));

    let title = {
        let label = layer_config.clone();
        let name = feature.name.clone();
        let reference = short_reference(&feature.id);
        move || {
            let layer = label
                .as_ref()
                .map(|l| l.label.get(i18n.lang()).to_string())
                .unwrap_or_default();
            match &name {
                Some(name) => format!("{layer} – {name}"),
                None => format!("{layer} {reference}"),
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
                <dd>
                    {i18n.tr(state_key)}
                    {move || {
                        details.get().and_then(|r| r.ok()).and_then(|entity| {
                            let attribute = status_attribute.clone()?;
                            let value = entity.get(&attribute)?;
                            Some(format!(" ({})", describe_value(i18n, value)))
                        })
                    }}
                </dd>
                {move || {
                    details.get().map(|result| match result {
                        Ok(entity) => facts(i18n, &entity, observed).into_any(),
                        Err(error) => view! {
                            <dt>{i18n.t("details-more")}</dt>
                            <dd role="alert">{i18n.t(error.message_key())}</dd>
                        }
                        .into_any(),
                    })
                }}
            </dl>
            <p class="service-details__actions">
                <Link href=report_href class="button button--primary">
                    {i18n.tr("details-report-here")}
                </Link>
                <button type="button" class="button" on:click=move |_| close()>
                    {i18n.tr("details-close")}
                </button>
            </p>
        </aside>
    }
    .into_any()
}

/// What the full entity adds: when its state was observed (the map's own reading first, as a
/// local date and time), who provides it, where it is.
fn facts(
    i18n: crate::i18n::I18n,
    entity: &Map<String, Value>,
    observed: Option<i64>,
) -> impl IntoView {
    let first = |names: &[&str]| names.iter().find_map(|n| entity.get(*n)).map(text_of);
    let observed = observed
        .or_else(|| {
            OBSERVED
                .iter()
                .filter_map(|name| entity.get(*name)?.as_str())
                .find_map(|text| Timestamp::parse(text).ok())
                .map(|t| t.unix_millis())
        })
        .map(|ms| browser::local_date_time(ms, i18n.lang().code()));
    let owner = first(OWNER);
    let address = entity.get("address").map(address_text);
    view! {
        {observed.map(|when| view! { <dt>{i18n.t("details-observed")}</dt> <dd>{when}</dd> })}
        {owner.map(|who| view! { <dt>{i18n.t("details-owner")}</dt> <dd>{who}</dd> })}
        {address.map(|a| view! { <dt>{i18n.t("details-address")}</dt> <dd>{a}</dd> })}
    }
}

/// A status value in words when the app knows it, else as the broker sent it.
fn describe_value(i18n: crate::i18n::I18n, value: &Value) -> String {
    match value {
        Value::String(text) => status_value_key(text)
            .map(|key| i18n.t(key))
            .unwrap_or_else(|| text.clone()),
        other => text_of(other),
    }
}

/// Any JSON value as plain text.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .get("value")
            .or_else(|| map.get("name"))
            .map(text_of)
            .unwrap_or_default(),
        Value::Null => String::new(),
    }
}

/// Smart Data Models addresses are schema.org PostalAddress objects.
fn address_text(value: &Value) -> String {
    match value {
        Value::Object(map) => ["streetAddress", "postalCode", "addressLocality"]
            .iter()
            .filter_map(|k| map.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        other => text_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_and_addresses_read_as_text() {
        assert_eq!(text_of(&json!({"type": "Property", "value": 3})), "3");
        assert_eq!(text_of(&json!(["a", "b"])), "a, b");
        assert_eq!(
            address_text(
                &json!({"streetAddress": "12 rue des Lilas", "postalCode": "37000", "addressLocality": "Belleville"})
            ),
            "12 rue des Lilas 37000 Belleville"
        );
    }
}
