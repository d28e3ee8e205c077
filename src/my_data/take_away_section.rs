//! "Take it away": the export (everything, one JSON file, with the JSON Schema it follows) and
//! the erasure request (GDPR art. 17), with what the town will erase and what the law makes it
//! keep, category by category, and the status of every request made.

use leptos::prelude::*;
use quartier_api::resident::{
    DataCategory, ErasureRequest, ErasureRequests, MAX_REASON_CHARS, NewErasureRequest,
};

use super::words::{
    data_category_title, data_category_words, erasure_outcome_words, erasure_status_words,
    retention_words,
};
use crate::api::ApiError;
use crate::api::resident::{
    export_schema_url, export_url, fetch_erasure_requests, request_erasure,
};
use crate::browser;
use crate::components::async_section::AsyncSection;
use crate::components::signed_in_only::sign_in_again_on_401;
use crate::i18n::use_i18n;
use crate::session::{SessionState, use_session};
use crate::task::Latest;

#[component]
pub fn TakeAwaySection(categories: Vec<DataCategory>) -> impl IntoView {
    let i18n = use_i18n();
    let base = use_session().base();
    view! {
        <section class="my-data__take-away" aria-labelledby="my-data-take-away-title">
            <h2 id="my-data-take-away-title">{i18n.tr("take-away-title")}</h2>
            <h3>{i18n.tr("export-title")}</h3>
            <p>{i18n.tr("export-text")}</p>
            <p class="my-data__actions">
                <a class="button button--primary" href=export_url(&base) download="">
                    {i18n.tr("export-button")}
                </a>
                " "
                <a href=export_schema_url(&base) type="application/schema+json">
                    {i18n.tr("export-schema")}
                </a>
            </p>
            <Erasure categories=categories/>
        </section>
    }
}

#[component]
fn Erasure(categories: Vec<DataCategory>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let base = session.base();
    let requests = Latest::<Result<ErasureRequests, ApiError>>::new();
    sign_in_again_on_401(requests);
    let load = move || {
        let base = base.clone();
        requests.run(async move { fetch_erasure_requests(&base).await });
    };
    load();
    let load = StoredValue::new(load);
    let state = Signal::derive_local(move || requests.value());
    let everything = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<String>::new());
    let reason = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let problem = RwSignal::new(None::<&'static str>);
    let sent = RwSignal::new(None::<ErasureRequest>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let SessionState::SignedIn { csrf_token, .. } = session.state.get_untracked() else {
            session.state.set(SessionState::SignedOut);
            return;
        };
        let categories = if everything.get_untracked() {
            Vec::new()
        } else {
            chosen.get_untracked()
        };
        if !everything.get_untracked() && categories.is_empty() {
            problem.set(Some("erasure-choose"));
            browser::focus_by_id_soon("erasure-error");
            return;
        }
        let text = reason.get_untracked().trim().to_string();
        let request = NewErasureRequest {
            categories,
            reason: (!text.is_empty()).then_some(text),
        };
        let base = session.base();
        problem.set(None);
        sending.set(true);
        leptos::task::spawn_local(async move {
            match request_erasure(&base, &request, &csrf_token).await {
                Ok(made) => {
                    sent.try_set(Some(made));
                    reason.try_set(String::new());
                    load.with_value(|load| load());
                }
                Err(error) if error.http_status() == Some(401) => {
                    session.state.set(SessionState::SignedOut);
                }
                Err(error) => {
                    problem.try_set(Some(error.message_key()));
                    browser::focus_by_id_soon("erasure-error");
                }
            }
            sending.try_set(false);
        });
    };
    let outcomes = categories.clone();
    let choices = categories;
    let reason_left = move || {
        let left = MAX_REASON_CHARS.saturating_sub(reason.with(|r| r.chars().count()));
        i18n.t_with("erasure-reason-left", &[("count", left.into())])
    };
    view! {
        <h3 id="erasure-title">{i18n.tr("erasure-title")}</h3>
        <p>{i18n.tr("erasure-text")}</p>
        <table class="data-table">
            <caption>{i18n.tr("erasure-outcomes-caption")}</caption>
            <thead>
                <tr>
                    <th scope="col">{i18n.tr("erasure-outcomes-category")}</th>
                    <th scope="col">{i18n.tr("erasure-outcomes-what")}</th>
                </tr>
            </thead>
            <tbody>
                {outcomes.into_iter().map(|c| view! {
                    <tr>
                        <th scope="row">{move || data_category_title(i18n, &c.id)}</th>
                        <td>{move || erasure_outcome_words(i18n, &c.legal_basis, &retention_words(i18n, &c.retention.code, &c.retention.duration))}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <form class="erasure-form" aria-labelledby="erasure-title" on:submit=send novalidate>
            <fieldset>
                <legend>{i18n.tr("erasure-what")}</legend>
                <div class="choice">
                    <input id="erasure-all" type="radio" name="erasure-scope" prop:checked=move || everything.get() on:change=move |_| everything.set(true)/>
                    <label for="erasure-all">{i18n.tr("erasure-all")}</label>
                </div>
                <div class="choice">
                    <input id="erasure-some" type="radio" name="erasure-scope" prop:checked=move || !everything.get() on:change=move |_| everything.set(false)/>
                    <label for="erasure-some">{i18n.tr("erasure-some")}</label>
                </div>
                <Show when=move || !everything.get()>
                    <ul class="erasure-form__categories">
                        {choices.iter().map(|c| {
                            let (id, code) = (format!("erasure-{}", c.id), c.id.clone());
                            let toggled = code.clone();
                            let checked = code.clone();
                            view! {
                                <li class="choice">
                                    <input
                                        id=id.clone()
                                        type="checkbox"
                                        prop:checked=move || chosen.with(|all| all.contains(&checked))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|all| {
                                                all.retain(|x| *x != toggled);
                                                if on { all.push(toggled.clone()); }
                                            });
                                        }
                                    />
                                    <label for=id>{move || data_category_title(i18n, &code)}</label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </Show>
            </fieldset>
            <div class="text-field">
                <label class="text-field__label" for="erasure-reason">{i18n.tr("erasure-reason")}</label>
                <textarea
                    id="erasure-reason"
                    class="text-field__input"
                    rows="3"
                    maxlength=MAX_REASON_CHARS.to_string()
                    aria-describedby="erasure-reason-left"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
                <p id="erasure-reason-left" class="text-field__hint">{reason_left}</p>
            </div>
            <p id="erasure-error" class="form-error" role="alert" tabindex="-1">
                {move || problem.get().map(|key| i18n.t(key))}
            </p>
            <button type="submit" class="button button--primary" disabled=move || sending.get()>
                {i18n.tr("erasure-send")}
            </button>
        </form>
        <p role="status" class="erasure-form__sent">
            {move || sent.get().map(|made| {
                let what = if made.categories.is_empty() {
                    i18n.t("erasure-everything")
                } else {
                    made.categories.iter().map(|c| data_category_words(i18n, c)).collect::<Vec<_>>().join(", ")
                };
                i18n.t_with("erasure-sent", &[("what", what.into())])
            })}
        </p>
        <h3>{i18n.tr("erasure-requests-title")}</h3>
        <AsyncSection state=state on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
            {if found.items.is_empty() {
                view! { <p>{i18n.tr("erasure-requests-none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="erasure-requests">
                        <For each=move || found.items.clone() key=|r: &ErasureRequest| r.id.clone() let:request>
                            <RequestItem request=request/>
                        </For>
                    </ul>
                }.into_any()
            }}
        </AsyncSection>
    }
}

#[component]
fn RequestItem(request: ErasureRequest) -> impl IntoView {
    let i18n = use_i18n();
    let at = request.created_at.unix_millis();
    view! {
        <li class="erasure-requests__item">
            {move || {
                let what = if request.categories.is_empty() {
                    i18n.t("erasure-everything")
                } else {
                    request.categories.iter().map(|c| data_category_words(i18n, c)).collect::<Vec<_>>().join(", ")
                };
                i18n.t_with("erasure-request", &[
                    ("time", browser::local_date_time(at, i18n.lang().code()).into()),
                    ("what", what.into()),
                    ("status", erasure_status_words(i18n, &request.status).into()),
                ])
            }}
        </li>
    }
}
