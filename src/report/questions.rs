//! A category's extra questions (its Open311 service definition), one field per attribute and
//! datatype: `string` a line, `number` a number, `datetime` a local date and time (sent in
//! RFC 3339), `text` a text area, `singlevaluelist` radio buttons, `multivaluelist` check
//! boxes; `variable=false` attributes are information, not questions. The questions are the
//! town's words: shown as text, never as HTML.

use leptos::prelude::*;
use quartier_api::open311::{Datatype, ServiceAttribute, ServiceDefinition};

use super::draft::Draft;

/// The element id of an attribute's field (the error summary links to it).
pub fn attribute_field_id(code: &str) -> String {
    let safe: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("report-attr-{safe}")
}

#[component]
pub fn Questions(
    definition: ServiceDefinition,
    draft: RwSignal<Draft>,
    /// The message of each field in error, by attribute code.
    #[prop(into)]
    error_for: Callback<String, Option<String>>,
) -> impl IntoView {
    definition
        .ordered_attributes()
        .into_iter()
        .cloned()
        .map(|attribute| view! { <Question attribute=attribute draft=draft error_for=error_for/> })
        .collect_view()
}

#[component]
fn Question(
    attribute: ServiceAttribute,
    draft: RwSignal<Draft>,
    error_for: Callback<String, Option<String>>,
) -> impl IntoView {
    let question = attribute
        .description
        .clone()
        .unwrap_or_else(|| attribute.code.clone());
    if !attribute.variable {
        return view! { <p class="report-form__information">{question}</p> }.into_any();
    }
    let id = attribute_field_id(&attribute.code);
    let code = attribute.code.clone();
    let error = {
        let code = code.clone();
        move || error_for.run(code.clone())
    };
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let hint = attribute.datatype_description.clone();
    let described_by = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        let error = error.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let value = {
        let code = code.clone();
        move || {
            draft.with(|d| {
                d.answers
                    .get(&code)
                    .and_then(|v| v.first().cloned())
                    .unwrap_or_default()
            })
        }
    };
    let set_one = {
        let code = code.clone();
        move |text: String| {
            draft.update(|d| {
                d.answers.insert(code.clone(), vec![text]);
            })
        }
    };
    let required = attribute.required;
    // The marker is hidden from the accessible name: the field's `required` says it.
    let label = move || {
        view! {
            {question.clone()}
            {required.then(|| view! { <span class="required-marker" aria-hidden="true">" *"</span> })}
        }
    };
    let error_view = {
        let error = error.clone();
        let error_id = error_id.clone();
        move || error().map(|m| view! { <p id=error_id.clone() class="text-field__error">{m}</p> })
    };
    let hint_view = hint.map(|h| view! { <p id=hint_id.clone() class="text-field__hint">{h}</p> });
    let invalid = {
        let error = error.clone();
        move || error().is_some().then_some("true")
    };
    match attribute.datatype {
        Datatype::SingleValueList | Datatype::MultiValueList => {
            let multiple = attribute.datatype == Datatype::MultiValueList;
            let options = attribute
                .values
                .iter()
                .enumerate()
                .map(|(i, choice)| {
                    let key = choice.key.clone();
                    let checked = {
                        let (code, key) = (code.clone(), key.clone());
                        move || {
                            draft.with(|d| d.answers.get(&code).is_some_and(|v| v.contains(&key)))
                        }
                    };
                    let toggle = {
                        let (code, key) = (code.clone(), key.clone());
                        move |ev: leptos::ev::Event| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| {
                                let values = d.answers.entry(code.clone()).or_default();
                                if !multiple {
                                    values.clear();
                                }
                                values.retain(|v| v != &key);
                                if on {
                                    values.push(key.clone());
                                }
                            });
                        }
                    };
                    // The first choice carries the id the error summary links to.
                    let option_id = if i == 0 {
                        id.clone()
                    } else {
                        format!("{id}-{i}")
                    };
                    view! {
                        <div class="choice">
                            <input
                                id=option_id.clone()
                                type=if multiple { "checkbox" } else { "radio" }
                                name=id.clone()
                                value=key
                                prop:checked=checked
                                on:change=toggle
                            />
                            <label for=option_id>{choice.name.clone()}</label>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset
                    class="report-form__question"
                    aria-describedby=described_by
                    aria-invalid=invalid
                >
                    <legend>{label}</legend>
                    {hint_view}
                    {error_view}
                    {options}
                </fieldset>
            }
            .into_any()
        }
        Datatype::Text => view! {
            <div class="text-field report-form__question">
                <label for=id.clone() class="text-field__label">{label}</label>
                {hint_view}
                {error_view}
                <textarea
                    id=id
                    class="text-field__input"
                    rows="3"
                    required=required
                    aria-invalid=invalid
                    aria-describedby=described_by
                    prop:value=value
                    on:input=move |ev| set_one(event_target_value(&ev))
                ></textarea>
            </div>
        }
        .into_any(),
        datatype => {
            let (input_type, inputmode) = match datatype {
                Datatype::Number => ("text", Some("decimal")),
                Datatype::Datetime => ("datetime-local", None),
                _ => ("text", None),
            };
            let is_datetime = datatype == Datatype::Datetime;
            let set_typed = set_one.clone();
            // A `datetime-local` field holds local time without offset: shown as such, sent
            // as the RFC 3339 instant it means.
            let shown = move || {
                let v = value();
                if is_datetime { to_local_input(&v) } else { v }
            };
            view! {
                <div class="text-field report-form__question">
                    <label for=id.clone() class="text-field__label">{label}</label>
                    {hint_view}
                    {error_view}
                    <input
                        id=id
                        class="text-field__input"
                        type=input_type
                        inputmode=inputmode
                        required=required
                        aria-invalid=invalid
                        aria-describedby=described_by
                        prop:value=shown
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            set_one(if is_datetime { from_local_input(&text) } else { text })
                        }
                        on:input=move |ev| {
                            if !is_datetime {
                                set_typed(event_target_value(&ev))
                            }
                        }
                    />
                </div>
            }
            .into_any()
        }
    }
}

/// `2026-12-01T14:05` (the resident's time zone) → `2026-12-01T13:05:00.000Z`.
fn from_local_input(local: &str) -> String {
    if local.trim().is_empty() {
        return String::new();
    }
    let date = js_sys::Date::new(&local.into());
    if date.get_time().is_nan() {
        return local.to_string();
    }
    date.to_iso_string().into()
}

/// The reverse of [`from_local_input`], for a restored draft.
fn to_local_input(instant: &str) -> String {
    if instant.trim().is_empty() {
        return String::new();
    }
    let date = js_sys::Date::new(&instant.into());
    if date.get_time().is_nan() {
        return String::new();
    }
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}
