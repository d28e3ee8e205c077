//! `/consents`: every purpose the town asks consent for, with what a resident needs to decide
//! (what for, who, which data, shared with whom, how long), a switch named by the purpose's
//! title that gives or withdraws it in one action (withdrawing as easily as giving, GDPR art.
//! 7(3)), "to be renewed" when the purpose's text changed since the consent, the history of
//! every event, and the record's receipt (ISO/IEC TS 27560, Kantara v1.1 names) as JSON.
//! The platform's answer to each change is the record itself: the history grows without a reload.

use leptos::prelude::*;
use quartier_api::resident::{
    ConsentChange, ConsentEventType, ConsentPurpose, ConsentReceipt, ConsentRecord, ConsentState,
    ConsentStatus, MyConsents,
};

use crate::api::ApiError;
use crate::api::resident::{
    change_consent, fetch_my_consents, fetch_purposes, fetch_receipt, receipt_url,
};
use crate::browser;
use crate::components::async_section::AsyncSection;
use crate::components::page_heading::PageHeading;
use crate::components::signed_in_only::{SignedInOnly, sign_in_again_on_401};
use crate::i18n::use_i18n;
use crate::my_data::words::{data_category_words, retention_words};
use crate::session::{SessionState, use_session};
use crate::task::Latest;

#[derive(Clone, Debug, PartialEq)]
struct Consents {
    purposes: Vec<ConsentPurpose>,
    mine: MyConsents,
}

#[component]
pub fn ConsentsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="consents-page">
            <PageHeading title=i18n.tr("page-consents-title")/>
            <p class="consents-page__intro">{i18n.tr("consents-intro")}</p>
            <SignedInOnly>
                <ConsentsList/>
            </SignedInOnly>
        </div>
    }
}

#[component]
fn ConsentsList() -> impl IntoView {
    let session = use_session();
    let base = session.base();
    let loaded = Latest::<Result<Consents, ApiError>>::new();
    let load = move || {
        let base = base.clone();
        loaded.run(async move {
            let (purposes, mine) = futures::join!(fetch_purposes(&base), fetch_my_consents(&base));
            Ok(Consents {
                purposes: purposes?.purposes,
                mine: mine?,
            })
        });
    };
    load();
    let load = StoredValue::new(load);
    sign_in_again_on_401(loaded);
    let state = Signal::derive_local(move || loaded.value());
    let announcement = RwSignal::new(None::<(String, bool)>);
    view! {
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || announcement.get().map(|(title, given)| {
                let key = if given { "consents-now-given" } else { "consents-now-withdrawn" };
                use_i18n().t_with(key, &[("purpose", title.into())])
            })}
        </p>
        <AsyncSection state=state on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
            <ul class="consents-list">
                <For
                    each=move || found.purposes.clone()
                    key=|purpose: &ConsentPurpose| purpose.id.clone()
                    let:purpose
                >
                    <PurposeItem
                        status=found.mine.current.iter().find(|s| s.purpose_id == purpose.id).cloned()
                        record=found.mine.records.iter().find(|r| r.processing.purpose_id == purpose.id).cloned()
                        purpose=purpose
                        announcement=announcement
                    />
                </For>
            </ul>
        </AsyncSection>
    }
}

#[component]
fn PurposeItem(
    purpose: ConsentPurpose,
    status: Option<ConsentStatus>,
    record: Option<ConsentRecord>,
    announcement: RwSignal<Option<(String, bool)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let lang = move || i18n.lang().code();
    let title = {
        let purpose = purpose.clone();
        move || {
            purpose
                .title
                .get(lang())
                .or_else(|| purpose.title.get("fr"))
                .unwrap_or(&purpose.id)
                .to_string()
        }
    };
    let description = {
        let purpose = purpose.clone();
        move || {
            purpose
                .description
                .get(lang())
                .unwrap_or_default()
                .to_string()
        }
    };
    // What the platform last said: the record (history) and whether it is given now.
    let record = RwSignal::new(record);
    let renewal = RwSignal::new(status.as_ref().is_some_and(|s| s.renewal_needed));
    let state = RwSignal::new(status.map_or(ConsentState::None, |s| s.state));
    let granted = move || state.get() == ConsentState::Given && !renewal.get();
    let pending = RwSignal::new(false);
    let failed = RwSignal::new(None::<&'static str>);
    let id = purpose.id.clone();
    let switch_id = format!("consent-{}", id);
    let details_id = format!("consent-{}-details", id);
    let change = {
        let (id, title) = (id.clone(), title.clone());
        move |give: bool| {
            let SessionState::SignedIn { csrf_token, .. } = session.state.get_untracked() else {
                session.state.set(SessionState::SignedOut);
                return;
            };
            let (base, id, title) = (session.base(), id.clone(), title());
            let change = ConsentChange {
                granted: give,
                language: Some(i18n.lang().code().to_string()),
            };
            pending.set(true);
            failed.set(None);
            leptos::task::spawn_local(async move {
                match change_consent(&base, &id, &change, &csrf_token).await {
                    Ok(fresh) => {
                        state.try_set(fresh.state.clone());
                        renewal.try_set(false);
                        record.try_set(Some(fresh));
                        announcement.try_set(Some((title, give)));
                    }
                    Err(error) if error.http_status() == Some(401) => {
                        session.state.set(SessionState::SignedOut);
                    }
                    Err(error) => {
                        failed.try_set(Some(error.message_key()));
                    }
                }
                pending.try_set(false);
            });
        }
    };
    let change = StoredValue::new(change);
    let state_text = move || {
        let when = record.with(|r| {
            r.as_ref()
                .and_then(|r| r.latest_event().map(|e| e.timestamp.unix_millis()))
                .map(|at| browser::local_date_time(at, lang()))
        });
        let key = match state.get() {
            ConsentState::Given => "consents-state-given",
            ConsentState::Withdrawn => "consents-state-withdrawn",
            ConsentState::Refused => "consents-state-refused",
            _ => "consents-state-none",
        };
        i18n.t_with(key, &[("time", when.unwrap_or_default().into())])
    };
    let controller = purpose.controller.clone();
    let data = purpose.data_categories.clone();
    let retention = purpose.retention.clone();
    let third_party = purpose.third_party.clone();
    let version = purpose.version.clone();
    let receipt = receipt_url(&session.base(), &id);
    let show_receipt = RwSignal::new(false);
    view! {
        <li class="consent" class:consent--renewal=move || renewal.get()>
            <h2 class="consent__title">{title.clone()}</h2>
            <p>{description}</p>
            <div class="consent__switch">
                <input
                    id=switch_id.clone()
                    type="checkbox"
                    role="switch"
                    aria-describedby=details_id.clone()
                    prop:checked=granted
                    disabled=move || pending.get()
                    on:change=move |ev| {
                        let give = event_target_checked(&ev);
                        change.with_value(|change| change(give));
                    }
                />
                <label for=switch_id>{title.clone()}</label>
            </div>
            <p id=details_id class="consent__state">{state_text}</p>
            <Show when=move || renewal.get()>
                <p class="consent__renewal">
                    {i18n.t_with("consents-renewal", &[("version", version.clone().into())])}
                </p>
                <button type="button" class="button button--primary" on:click=move |_| change.with_value(|change| change(true))>
                    {i18n.tr("consents-renew")}
                </button>
            </Show>
            <p role="alert" class="consent__error">{move || failed.get().map(|key| i18n.t(key))}</p>
            <dl class="consent__facts">
                <dt>{i18n.tr("consents-controller")}</dt>
                <dd>
                    {controller.name.clone()}
                    {controller.contact.clone().map(|c| view! { " — " <a href=format!("mailto:{c}")>{c.clone()}</a> })}
                </dd>
                <dt>{i18n.tr("consents-data")}</dt>
                <dd>{move || data.iter().map(|code| data_category_words(i18n, code)).collect::<Vec<_>>().join(", ")}</dd>
                <dt>{i18n.tr("consents-recipients")}</dt>
                <dd>{move || third_party.clone().map_or_else(|| i18n.t("consents-recipients-town"), |t| i18n.t_with("consents-recipients-also", &[("recipient", t.into())]))}</dd>
                <dt>{i18n.tr("consents-retention")}</dt>
                <dd>{move || retention.as_ref().map(|r| retention_words(i18n, &r.code, &r.duration)).unwrap_or_default()}</dd>
                <dt>{i18n.tr("consents-legal-basis")}</dt>
                <dd>{i18n.tr("consents-legal-basis-consent")}</dd>
            </dl>
            <Show when=move || record.with(Option::is_some)>
                <details class="consent__history">
                    <summary>
                        {move || i18n.t_with("consents-history", &[("count", (record.with(|r| r.as_ref().map_or(0, |r| r.events.len())) as i64).into())])}
                    </summary>
                    <ol class="consent__events">
                        {move || {
                            let mut events = record.get().map(|r| r.events).unwrap_or_default();
                            // Newest first. The record lists them as they happened; two changes
                            // within one second share a timestamp, so the record's order breaks
                            // ties (a stable sort of the reversed list).
                            events.reverse();
                            events.sort_by_key(|e| std::cmp::Reverse(e.timestamp.unix_millis()));
                            events.into_iter().map(|event| {
                                let key = match event.event_type {
                                    ConsentEventType::Given => "consents-event-given",
                                    ConsentEventType::Withdrawn => "consents-event-withdrawn",
                                    _ => "consents-event-refused",
                                };
                                let when = browser::local_date_time(event.timestamp.unix_millis(), lang());
                                let text = i18n.t_with(key, &[
                                    ("time", when.into()),
                                    ("version", event.purpose_version.clone().unwrap_or_default().into()),
                                ]);
                                view! { <li class="consent__event">{text}</li> }
                            }).collect_view()
                        }}
                    </ol>
                    <p class="consent__receipt-actions">
                        <a href=receipt.clone() download=format!("consent-receipt-{}.json", id) class="button">
                            {i18n.tr("consents-receipt")}
                        </a>
                        <button
                            type="button"
                            class="button"
                            aria-expanded=move || show_receipt.get().to_string()
                            on:click=move |_| show_receipt.update(|shown| *shown = !*shown)
                        >
                            {i18n.tr("consents-receipt-show")}
                        </button>
                    </p>
                    {
                        let id = id.clone();
                        move || show_receipt.get().then(|| view! { <ReceiptView purpose_id=id.clone()/> })
                    }
                </details>
            </Show>
        </li>
    }
}

/// The receipt of the latest answer, as a readable list: each field under its Kantara v1.1
/// name, so the page and the JSON file can be compared line by line.
#[component]
fn ReceiptView(purpose_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let base = use_session().base();
    let receipt = Latest::<Result<ConsentReceipt, ApiError>>::new();
    sign_in_again_on_401(receipt);
    let load = move || {
        let (base, id) = (base.clone(), purpose_id.clone());
        receipt.run(async move { fetch_receipt(&base, &id).await });
    };
    load();
    let load = StoredValue::new(load);
    let state = Signal::derive_local(move || receipt.value());
    view! {
        <AsyncSection state=state on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
            {
                let when = browser::local_date_time(found.consent_timestamp.saturating_mul(1000), i18n.lang().code());
                let controllers = found.pii_controllers.iter().map(|c| c.pii_controller.clone()).collect::<Vec<_>>().join(", ");
                let purposes = found
                    .services
                    .iter()
                    .flat_map(|s| s.purposes.iter().map(|p| p.purpose.clone()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let rows = [
                    ("consents-receipt-id", "consentReceiptID", found.consent_receipt_id.clone()),
                    ("consents-receipt-state", "consentState", match found.consent_state.as_deref() {
                        Some("given") => i18n.t("consents-receipt-given"),
                        Some("withdrawn") => i18n.t("consents-receipt-withdrawn"),
                        Some("refused") => i18n.t("consents-receipt-refused"),
                        other => other.unwrap_or_default().to_string(),
                    }),
                    ("consents-receipt-time", "consentTimestamp", when),
                    ("consents-receipt-purpose", "purpose", purposes),
                    ("consents-receipt-version", "purposeVersion", found.purpose_version.clone().unwrap_or_default()),
                    ("consents-receipt-controller", "piiController", controllers),
                    ("consents-receipt-principal", "piiPrincipalId", found.pii_principal_id.clone()),
                    ("consents-receipt-method", "collectionMethod", found.collection_method.clone()),
                    ("consents-receipt-policy", "policyUrl", found.policy_url.clone()),
                    ("consents-receipt-jurisdiction", "jurisdiction", found.jurisdiction.clone()),
                    ("consents-receipt-format", "version", found.version.clone()),
                ];
                view! {
                    <dl class="consent__receipt">
                        {rows.into_iter().map(|(key, name, value)| view! {
                            <dt>{i18n.tr(key)} " " <code>{name}</code></dt>
                            <dd>{value}</dd>
                        }).collect_view()}
                    </dl>
                }
            }
        </AsyncSection>
    }
}
