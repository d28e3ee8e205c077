//! The report form of `/report` and `/embed/report`: category (and its questions), place,
//! description and photos, contact, then "Send report". On a phone one step at a time; on a
//! wide screen every step at once. It is saved on the device as the resident types, written to
//! the outbox before it is sent, and checked with the contract's rules; after a refused
//! attempt every step is shown, so each link of the error summary reaches its field.

use leptos::prelude::*;
use quartier_api::geo::{BoundingBox, LonLat};
use quartier_api::open311::{Service as Category, ServiceDefinition};
use quartier_api::validation::{FieldError, FieldErrorCode};
use send_wrapper::SendWrapper;

use crate::api::ApiError;
use crate::api::open311::{PostOutcome, fetch_definition, fetch_services};
use crate::components::async_section::AsyncSection;
use crate::components::error_summary::{ErrorSummary, FormError};
use crate::config::{Config, use_config};
use crate::i18n::{I18n, use_i18n};
use crate::navigation::use_navigation;
use crate::session::{SessionState, use_session};
use crate::task::Latest;

use super::address_combobox::ADDRESS_ID;
use super::category_picker::{CATEGORY_ID, CategoryPicker};
use super::confirmation::{Confirmation, Sent};
use super::draft::{AssetRef, Draft, PlacePick, PlaceSource, is_location};
use super::nearby::NearbyKnown;
use super::outbox::{Queued, csrf, random_id, use_outbox};
use super::photos::{PHOTO_INPUT_ID, PhotoItem, Photos};
use super::place::PlaceStep;
use super::questions::{Questions, attribute_field_id};
use super::storage::{self, Record};

/// The draft's key in the device's storage.
const DRAFT_KEY: &str = "draft";
/// Quiet time after the last change before the draft is written.
const SAVE_PAUSE_MS: u64 = 300;
const DESCRIPTION_ID: &str = "report-description";
/// The steps, in order (their headings' Fluent keys).
const STEPS: [&str; 4] = [
    "report-step-category",
    "report-step-place",
    "report-step-description",
    "report-step-contact",
];

/// The element that shows a wire field, and the step it is in.
fn field_place(field: &str) -> (String, usize) {
    if let Some(code) = field
        .strip_prefix("attribute[")
        .and_then(|rest| rest.split(']').next())
    {
        return (attribute_field_id(code), 0);
    }
    if is_location(field) {
        return (ADDRESS_ID.to_string(), 1);
    }
    match field {
        "service_code" | "asset_id" => (CATEGORY_ID.into(), 0),
        "description" => (DESCRIPTION_ID.into(), 2),
        "media" | "media_url" => (PHOTO_INPUT_ID.into(), 2),
        "first_name" => ("report-first-name".into(), 3),
        "last_name" => ("report-last-name".into(), 3),
        "phone" => ("report-phone".into(), 3),
        _ => ("report-email".into(), 3),
    }
}

/// The sentence for one problem, with the field's own name.
fn field_message(i18n: I18n, error: &FieldError, definition: Option<&ServiceDefinition>) -> String {
    let field = error.field.as_str();
    let label = if let Some(code) = field
        .strip_prefix("attribute[")
        .and_then(|rest| rest.split(']').next())
    {
        definition
            .and_then(|d| d.attribute(code))
            .and_then(|a| a.description.clone())
            .unwrap_or_else(|| code.to_string())
    } else {
        let key = match field {
            "service_code" | "asset_id" => "report-category",
            "description" => "report-description",
            "media" | "media_url" => "report-photo",
            "first_name" => "report-first-name",
            "last_name" => "report-last-name",
            "phone" => "report-phone",
            "email" => "report-email",
            _ => "report-place",
        };
        i18n.t(key)
    };
    if error.code == FieldErrorCode::TooMany {
        return i18n.t("report-photo-too-many");
    }
    let key = match error.code {
        FieldErrorCode::Required => "field-error-required",
        FieldErrorCode::TooLong => "field-error-too-long",
        FieldErrorCode::InvalidEmail => "field-error-email",
        FieldErrorCode::NotANumber => "field-error-number",
        FieldErrorCode::OutsideTown => "field-error-outside-town",
        FieldErrorCode::NotAnOption => "field-error-option",
        FieldErrorCode::InvalidDatetime => "field-error-datetime",
        _ => "field-error-invalid",
    };
    i18n.t_with(key, &[("field", label.into())])
}

/// The town's extent (the whole world when the town gave none: the platform still checks).
fn town_bounds(config: &Config) -> BoundingBox {
    config
        .town
        .bounds
        .and_then(|b| BoundingBox::new(b.west, b.south, b.east, b.north).ok())
        .or_else(|| BoundingBox::new(-180.0, -90.0, 180.0, 90.0).ok())
        .unwrap_or(BoundingBox {
            west: -180.0,
            south: -90.0,
            east: 180.0,
            north: 90.0,
        })
}

/// A draft started from the address: the map's "Report a problem here" gives the asset's
/// type (`category`), its place and its id; `service_code` names a category directly.
fn prefill(config: &Config, param: impl Fn(&str) -> Option<String>) -> Option<Draft> {
    let category = param("category");
    let service_code = param("service_code")
        .or_else(|| {
            category.as_ref().and_then(|c| {
                config
                    .layer(c)
                    .and_then(|l| l.report_services.first().cloned())
            })
        })
        .unwrap_or_default();
    let number = |name: &str| param(name).and_then(|v| v.parse::<f64>().ok());
    let place = match (number("lat"), number("lon")) {
        (Some(lat), Some(lon)) if LonLat::new(lon, lat).is_ok() => Some(PlacePick {
            lat,
            lon,
            address: None,
            source: PlaceSource::Asset,
        }),
        _ => None,
    };
    let asset = param("asset")
        .filter(|id| id.starts_with("urn:ngsi-ld:"))
        .map(|id| AssetRef {
            entity_type: category.clone().unwrap_or_default(),
            id,
        });
    let draft = Draft {
        service_code,
        place,
        asset,
        ..Draft::default()
    };
    (!draft.is_blank()).then_some(draft)
}

#[component]
pub fn ReportForm() -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let session = use_session();
    let outbox = use_outbox();
    let location = use_navigation().location_untracked();
    let prefilled = prefill(&config, |name| location.query_param(name));
    let from_address = prefilled.is_some();
    let draft = RwSignal::new(prefilled.unwrap_or_default());
    let photos = RwSignal::new_local(Vec::<PhotoItem>::new());
    let step = RwSignal::new(0usize);
    let show_all = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<&'static str>);
    let sent = RwSignal::new(None::<Sent>);
    let sending = RwSignal::new(false);
    let progress = RwSignal::new(None::<(f64, f64)>);
    let restored = RwSignal::new(false);
    // Nothing is written before the stored draft is read: a blank form must not replace it.
    let loaded = RwSignal::new(false);

    leptos::task::spawn_local(async move {
        if !from_address
            && let Ok(Some(record)) = storage::get(DRAFT_KEY).await
            && let Ok(stored) = serde_json::from_str::<Draft>(&record.json)
            && (!stored.is_blank() || !record.photos.is_empty())
        {
            draft.try_set(stored);
            photos.try_set(record.photos.into_iter().map(PhotoItem::new).collect());
            restored.try_set(true);
        }
        loaded.try_set(true);
    });
    let save_generation = StoredValue::new(0u32);
    Effect::new(move |_| {
        let current = draft.get();
        let blobs: Vec<web_sys::Blob> = photos.with(|p| p.iter().map(|p| p.blob()).collect());
        if !loaded.get() || sent.get().is_some() {
            return;
        }
        let generation = save_generation.get_value() + 1;
        save_generation.set_value(generation);
        let blobs = SendWrapper::new(blobs);
        set_timeout(
            move || {
                if save_generation.try_get_value() != Some(generation) {
                    return;
                }
                let record = Record {
                    json: serde_json::to_string(&current).unwrap_or_default(),
                    photos: blobs.take(),
                };
                leptos::task::spawn_local(async move {
                    if let Err(error) = storage::put(DRAFT_KEY, &record).await {
                        leptos::logging::warn!("draft: {error}");
                    }
                });
            },
            std::time::Duration::from_millis(SAVE_PAUSE_MS),
        );
    });

    let services = Latest::<Result<Vec<Category>, ApiError>>::new();
    let open311 = config.api.open311.clone();
    let load_services = {
        let open311 = open311.clone();
        move || {
            let base = open311.clone();
            services.run(async move { fetch_services(&base).await });
        }
    };
    load_services();
    let definition = Latest::<Result<ServiceDefinition, ApiError>>::new();
    let service_code = Memo::new(move |_| draft.with(|d| d.service_code.clone()));
    let metadata = move |code: &str| {
        services
            .value()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|s| s.service_code == code))
            .is_some_and(|s| s.metadata)
    };
    let load_definition = {
        let open311 = open311.clone();
        move || {
            let code = service_code.get();
            if code.is_empty() || !metadata(&code) {
                definition.clear();
                return;
            }
            let base = open311.clone();
            definition.run(async move { fetch_definition(&base, &code).await });
        }
    };
    let load_definition = StoredValue::new(load_definition);
    Effect::new(move |_| load_definition.with_value(|load| load()));
    let current_definition = move || definition.value().and_then(Result::ok);

    let message_for = move |field: &str| {
        errors.with(|all| {
            all.iter()
                .find(|e| e.field == field || (is_location(field) && is_location(&e.field)))
                .map(|e| field_message(i18n, e, current_definition().as_ref()))
        })
    };
    let summary = Signal::derive(move || {
        let definition = current_definition();
        let mut list: Vec<FormError> = errors.with(|all| {
            let mut seen = Vec::new();
            all.iter()
                .filter_map(|e| {
                    let (field_id, _) = field_place(&e.field);
                    (!seen.contains(&field_id)).then(|| {
                        seen.push(field_id.clone());
                        FormError {
                            field_id,
                            message: field_message(i18n, e, definition.as_ref()),
                        }
                    })
                })
                .collect()
        });
        if let Some(key) = form_error.get() {
            list.push(FormError {
                field_id: String::new(),
                message: i18n.t(key),
            });
        }
        list
    });

    let bounds = town_bounds(&config);
    let submit = move || {
        let definition = current_definition();
        let current = draft.get_untracked();
        let problems = current.problems(definition.as_ref(), &bounds);
        // A category with questions must have its questions loaded to be checked.
        if metadata(&current.service_code) && definition.is_none() && problems.is_empty() {
            form_error.set(Some("report-questions-missing"));
            return;
        }
        form_error.set(None);
        if !problems.is_empty() {
            show_all.set(true);
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        let service_name = services
            .value()
            .and_then(Result::ok)
            .and_then(|all| {
                all.into_iter()
                    .find(|s| s.service_code == current.service_code)
            })
            .map(|s| s.service_name)
            .unwrap_or_else(|| current.service_code.clone());
        let queued = Queued {
            key: random_id(),
            pairs: current.to_request(definition.as_ref()).to_form_pairs(),
            service_name,
            queued_at: js_sys::Date::now(),
            refused: None,
        };
        let blobs: Vec<web_sys::Blob> =
            photos.with_untracked(|p| p.iter().map(|p| p.blob()).collect());
        let token = csrf(session);
        sending.set(true);
        progress.set(None);
        leptos::task::spawn_local(async move {
            // In the outbox first: whatever happens next, the report is on the device.
            if let Err(error) = outbox.keep(&queued, &blobs).await {
                leptos::logging::warn!("outbox: {error}");
            }
            let outcome = outbox
                .send(&queued, Some(blobs), token.clone(), move |done, total| {
                    progress.try_set(Some((done, total)));
                })
                .await;
            sending.try_set(false);
            match outcome {
                Some(PostOutcome::Created(created)) => {
                    finish(draft, photos);
                    sent.try_set(Some(Sent::Created {
                        id: created.service_request_id,
                        notice: created.service_notice,
                    }));
                    crate::browser::focus_by_id_soon("report-sent-title");
                }
                None | Some(PostOutcome::Retry(_)) => {
                    finish(draft, photos);
                    sent.try_set(Some(Sent::Queued));
                    crate::browser::focus_by_id_soon("report-queued-title");
                    outbox.plan_retry(token);
                }
                Some(PostOutcome::Invalid(fields)) => {
                    outbox.forget(&queued.key).await;
                    show_all.try_set(true);
                    errors.try_set(fields);
                }
                Some(PostOutcome::Refused(error)) => {
                    outbox.forget(&queued.key).await;
                    form_error.try_set(Some(error.message_key()));
                }
            }
        });
    };

    let signed_in = move || matches!(session.state.get(), SessionState::SignedIn { .. });
    let wanted = Signal::derive(move || {
        draft.with(|d| {
            let place = d.place.as_ref()?;
            (!d.service_code.is_empty()).then(|| {
                (
                    d.service_code.clone(),
                    LonLat {
                        lon: place.lon,
                        lat: place.lat,
                    },
                )
            })
        })
    });
    let step_class = move |index: usize| {
        move || {
            if show_all.get() || step.get() == index {
                "report-step report-step--current"
            } else {
                "report-step"
            }
        }
    };
    let go_step = move |index: usize| {
        step.set(index);
        crate::browser::focus_by_id_soon_unless_moved(STEP_HEADING_IDS[index]);
    };
    let step_nav = move |index: usize| {
        view! {
            <div class="report-step__nav">
                {(index > 0).then(|| view! {
                    <button type="button" class="button" on:click=move |_| go_step(index - 1)>
                        {i18n.tr("report-back")}
                    </button>
                })}
                {(index + 1 < STEPS.len()).then(|| view! {
                    <button type="button" class="button button--primary" on:click=move |_| go_step(index + 1)>
                        {i18n.tr("report-next")}
                    </button>
                })}
            </div>
        }
    };
    let step_heading = move |index: usize| {
        view! {
            <h2 id=STEP_HEADING_IDS[index] class="report-step__title" tabindex="-1">
                <span class="report-step__count">
                    {move || i18n.t_with("report-step-of", &[("n", ((index + 1) as i64).into()), ("total", (STEPS.len() as i64).into())])}
                </span>
                " "
                {i18n.tr(STEPS[index])}
            </h2>
        }
    };

    let category_step = move || {
        let services_state = Signal::derive_local(move || services.value());
        let load_services = load_services.clone();
        view! {
            <AsyncSection
                state=services_state
                on_retry=Callback::new(move |_| load_services())
                let:all
            >
                <CategoryPicker services=all draft=draft error=Signal::derive(move || message_for("service_code"))/>
            </AsyncSection>
            {move || draft.with(|d| d.asset.clone()).map(|asset| {
                let layer = use_config().layer_label(&asset.entity_type, i18n.lang());
                view! {
                    <p class="report-form__asset">
                        {i18n.t_with("report-about-asset", &[("layer", layer.into()), ("id", crate::map::services_list::short_reference(&asset.id).into())])}
                    </p>
                }
            })}
            {move || {
                let code = service_code.get();
                (!code.is_empty() && metadata(&code)).then(|| {
                    let state = Signal::derive_local(move || definition.value());
                    view! {
                        <AsyncSection
                            state=state
                            on_retry=Callback::new(move |_| load_definition.with_value(|load| load()))
                            let:found
                        >
                            <Questions
                                definition=found
                                draft=draft
                                error_for=Callback::new(move |code: String| message_for(&format!("attribute[{code}]")))
                            />
                        </AsyncSection>
                    }
                })
            }}
        }
    };

    let contact_field = move |id: &'static str,
                              key: &'static str,
                              kind: &'static str,
                              autocomplete: &'static str,
                              get: fn(&Draft) -> String,
                              set: fn(&mut Draft, String),
                              field: &'static str| {
        let error = move || message_for(field);
        view! {
            <div class="text-field" class:text-field--invalid=move || error().is_some()>
                <label for=id class="text-field__label">{i18n.tr(key)}</label>
                {move || error().map(|m| view! { <p id=format!("{id}-error") class="text-field__error">{m}</p> })}
                <input
                    id=id
                    class="text-field__input"
                    type=kind
                    autocomplete=autocomplete
                    aria-invalid=move || error().is_some().then_some("true")
                    aria-describedby=move || {
                        if error().is_some() { format!("report-contact-private {id}-error") } else { "report-contact-private".to_string() }
                    }
                    prop:value=move || draft.with(get)
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                />
            </div>
        }
    };

    let form = move || {
        view! {
            <ErrorSummary title=i18n.tr("form-errors-title") errors=summary/>
            {move || restored.get().then(|| view! {
                <div class="report-form__restored" role="status">
                    <p>{i18n.t("report-draft-restored")}</p>
                    <button type="button" class="button" on:click=move |_| {
                        finish(draft, photos);
                        restored.set(false);
                        errors.set(Vec::new());
                        step.set(0);
                    }>{i18n.t("report-start-over")}</button>
                </div>
            })}
            <p class="report-form__public">{i18n.tr("report-public-note")}</p>
            <p class="report-form__required-note">{i18n.tr("report-required-note")}</p>
            <form class="report-form" class:report-form--all=show_all novalidate on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                <section class=step_class(0) aria-labelledby=STEP_HEADING_IDS[0]>
                    {step_heading(0)}
                    {category_step()}
                    {step_nav(0)}
                </section>
                <section class=step_class(1) aria-labelledby=STEP_HEADING_IDS[1]>
                    {step_heading(1)}
                    <PlaceStep draft=draft error=Signal::derive(move || message_for("location"))/>
                    <NearbyKnown wanted=wanted/>
                    {step_nav(1)}
                </section>
                <section class=step_class(2) aria-labelledby=STEP_HEADING_IDS[2]>
                    {step_heading(2)}
                    <div class="text-field" class:text-field--invalid=move || message_for("description").is_some()>
                        <label for=DESCRIPTION_ID class="text-field__label">
                            {i18n.tr("report-description")}
                            <span class="required-marker" aria-hidden="true">" *"</span>
                        </label>
                        <p id="report-description-hint" class="text-field__hint">{i18n.tr("report-description-hint")}</p>
                        {move || message_for("description").map(|m| view! { <p id="report-description-error" class="text-field__error">{m}</p> })}
                        <textarea
                            id=DESCRIPTION_ID
                            class="text-field__input"
                            rows="5"
                            required=true
                            maxlength=quartier_api::validation::DESCRIPTION_MAX_CHARS.to_string()
                            aria-invalid=move || message_for("description").is_some().then_some("true")
                            aria-describedby=move || {
                                if message_for("description").is_some() { "report-description-hint report-description-error" } else { "report-description-hint" }
                            }
                            prop:value=move || draft.with(|d| d.description.clone())
                            on:input=move |ev| draft.update(|d| d.description = event_target_value(&ev))
                        ></textarea>
                    </div>
                    <Photos photos=photos draft=draft error=Signal::derive(move || message_for("media"))/>
                    {step_nav(2)}
                </section>
                <section class=step_class(3) aria-labelledby=STEP_HEADING_IDS[3]>
                    {step_heading(3)}
                    <p id="report-contact-private" class="report-form__private">{i18n.tr("report-contact-private")}</p>
                    {move || signed_in().then(|| view! { <p class="report-form__signed-in">{i18n.t("report-signed-in-note")}</p> })}
                    {contact_field("report-first-name", "report-first-name", "text", "given-name", |d| d.contact.first_name.clone(), |d, v| d.contact.first_name = v, "first_name")}
                    {contact_field("report-last-name", "report-last-name", "text", "family-name", |d| d.contact.last_name.clone(), |d, v| d.contact.last_name = v, "last_name")}
                    {contact_field("report-email", "report-email", "email", "email", |d| d.contact.email.clone(), |d, v| d.contact.email = v, "email")}
                    {contact_field("report-phone", "report-phone", "tel", "tel", |d| d.contact.phone.clone(), |d, v| d.contact.phone = v, "phone")}
                    {step_nav(3)}
                    <p class="report-form__send">
                        <button type="submit" class="button button--primary" disabled=move || sending.get()>
                            {i18n.tr("report-send")}
                        </button>
                    </p>
                    <p class="report-form__progress" role="status">
                        {move || sending.get().then(|| match progress.get() {
                            Some((done, total)) if total > 0.0 => i18n.t_with(
                                "report-sending-progress",
                                &[("percent", ((done / total * 100.0).round() as i64).into())],
                            ),
                            _ => i18n.t("report-sending"),
                        })}
                    </p>
                </section>
            </form>
        }
    };

    move || match sent.get() {
        None => form().into_any(),
        Some(outcome) => view! {
            <Confirmation outcome=outcome on_again=Callback::new(move |_| {
                sent.set(None);
                show_all.set(false);
                step.set(0);
            })/>
        }
        .into_any(),
    }
}

const STEP_HEADING_IDS: [&str; 4] = [
    "report-step-1",
    "report-step-2",
    "report-step-3",
    "report-step-4",
];

/// Empties the form and forgets the stored draft (the outbox holds the report now).
fn finish(draft: RwSignal<Draft>, photos: RwSignal<Vec<PhotoItem>, LocalStorage>) {
    draft.try_set(Draft::default());
    photos.try_set(Vec::new());
    leptos::task::spawn_local(async move {
        if let Err(error) = storage::delete(DRAFT_KEY).await {
            leptos::logging::warn!("draft: {error}");
        }
    });
}
