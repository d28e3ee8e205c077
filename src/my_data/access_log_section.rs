//! "Who accessed my data": every read of the resident's data (when, who, through which service,
//! why, what), newest first, filtered by period and by service, a page at a time. The reads
//! that this app makes for the resident are in it too, shown as the resident's own.

use leptos::prelude::*;
use quartier_api::resident::{AccessLogEntry, AccessLogPage, AccessLogQuery};

use super::words::{data_category_words, purpose_words, reader_words, service_words};
use crate::api::ApiError;
use crate::api::resident::fetch_access_log;
use crate::browser;
use crate::components::async_section::AsyncSection;
use crate::components::pager::Pager;
use crate::components::signed_in_only::sign_in_again_on_401;
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::task::Latest;

/// Entries shown per page.
const PAGE_SIZE: u32 = 20;

#[component]
pub fn AccessLogSection() -> impl IntoView {
    let i18n = use_i18n();
    let base = use_session().base();
    let applied = RwSignal::new(AccessLogQuery::default());
    let offset = RwSignal::new(0u64);
    let log = Latest::<Result<AccessLogPage, ApiError>>::new();
    sign_in_again_on_401(log);
    let load = move || {
        let (base, filter, at) = (
            base.clone(),
            applied.get_untracked(),
            offset.get_untracked(),
        );
        log.clear();
        log.run(async move { fetch_access_log(&base, &filter, at, PAGE_SIZE).await });
    };
    load();
    let load = StoredValue::new(load);
    // The services offered by the filter: those of the whole log, kept while a page loads.
    let services = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(page)) = log.value() {
            services.set(page.services.clone());
        }
    });
    let (from, to, service, reader) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let problem = RwSignal::new(None::<&'static str>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filter = AccessLogQuery {
            from: Some(from.get_untracked()).filter(|d| !d.is_empty()),
            to: Some(to.get_untracked()).filter(|d| !d.is_empty()),
            service: Some(service.get_untracked()).filter(|s| !s.is_empty()),
            actor_type: Some(reader.get_untracked()).filter(|r| !r.is_empty()),
        };
        // The contract's own check, the one the platform makes: a period that cannot be.
        if filter.filter().is_err() {
            problem.set(Some("access-log-bad-period"));
            return;
        }
        problem.set(None);
        applied.set(filter);
        offset.set(0);
        load.with_value(|load| load());
    };
    let go = move |to: u64| {
        offset.set(to);
        load.with_value(|load| load());
    };
    let state = Signal::derive_local(move || log.value());
    let total = move || log.value().and_then(Result::ok).map(|p| p.page.total);
    view! {
        <section class="access-log" aria-labelledby="access-log-title">
            <h2 id="access-log-title">{i18n.tr("access-log-title")}</h2>
            <p>{i18n.tr("access-log-text")}</p>
            <form class="access-log__filters" on:submit=apply novalidate>
                <div class="text-field">
                    <label class="text-field__label" for="access-log-from">{i18n.tr("access-log-from")}</label>
                    <input id="access-log-from" class="text-field__input" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="text-field">
                    <label class="text-field__label" for="access-log-to">{i18n.tr("access-log-to")}</label>
                    <input id="access-log-to" class="text-field__input" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <div class="text-field">
                    <label class="text-field__label" for="access-log-service">{i18n.tr("access-log-service")}</label>
                    <select id="access-log-service" class="text-field__input" on:change=move |ev| service.set(event_target_value(&ev))>
                        <option value="" selected=move || service.with(String::is_empty)>{i18n.tr("access-log-all-services")}</option>
                        <For each=move || services.get() key=|code: &String| code.clone() let:code>
                            {
                                let value = code.clone();
                                let is_chosen = code.clone();
                                view! {
                                    <option value=value selected=move || service.with(|s| *s == is_chosen)>
                                        {move || service_words(i18n, &code)}
                                    </option>
                                }
                            }
                        </For>
                    </select>
                </div>
                <div class="text-field">
                    <label class="text-field__label" for="access-log-reader">{i18n.tr("access-log-reader")}</label>
                    <select id="access-log-reader" class="text-field__input" on:change=move |ev| reader.set(event_target_value(&ev))>
                        {[
                            ("", "access-log-all-readers"),
                            ("agent", "access-log-readers-agents"),
                            ("service", "access-log-readers-services"),
                            ("self", "access-log-readers-self"),
                        ].into_iter().map(|(value, key)| view! {
                            <option value=value selected=move || reader.with(|r| r.as_str() == value)>{i18n.tr(key)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">{i18n.tr("access-log-apply")}</button>
            </form>
            <p class="form-error" role="alert">{move || problem.get().map(|key| i18n.t(key))}</p>
            <p class="access-log__count" role="status">
                {move || total().map(|n| i18n.t_with("access-log-count", &[("count", n.into())]))}
            </p>
            <AsyncSection state=state on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
                {if found.page.items.is_empty() {
                    view! { <p>{i18n.tr("access-log-none")}</p> }.into_any()
                } else {
                    view! { <Entries entries=found.page.items/> }.into_any()
                }}
            </AsyncSection>
            <Pager
                offset=offset.into()
                total=Signal::derive(total)
                page_size=PAGE_SIZE
                label="access-log-pages"
                go=Callback::new(go)
            />
        </section>
    }
}

#[component]
fn Entries(entries: Vec<AccessLogEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || i18n.lang().code();
    view! {
        <div class="data-table__scroll" tabindex="0" role="group" aria-labelledby="access-log-title">
            <table class="data-table access-log__table">
                <caption class="visually-hidden">{i18n.tr("access-log-title")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{i18n.tr("access-log-when")}</th>
                        <th scope="col">{i18n.tr("access-log-who")}</th>
                        <th scope="col">{i18n.tr("access-log-through")}</th>
                        <th scope="col">{i18n.tr("access-log-why")}</th>
                        <th scope="col">{i18n.tr("access-log-what")}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || entries.clone() key=|e: &AccessLogEntry| e.id.clone() let:entry>
                        {
                            let at = entry.timestamp.unix_millis();
                            let e = StoredValue::new(entry);
                            view! {
                                <tr data-entry=e.with_value(|e| e.id.clone()) class:access-log__self=e.with_value(|e| e.agent == "self")>
                                    <th scope="row">{move || browser::local_date_time(at, lang())}</th>
                                    <td>{move || e.with_value(|e| reader_words(i18n, &e.actor_type, &e.role, &e.agent))}</td>
                                    <td>{move || e.with_value(|e| service_words(i18n, &e.service))}</td>
                                    <td>{move || e.with_value(|e| purpose_words(i18n, &e.purpose))}</td>
                                    <td>{move || e.with_value(|e| data_category_words(i18n, &e.category))}</td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
    }
}
