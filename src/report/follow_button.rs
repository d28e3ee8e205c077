//! "Follow this report: tell me when it is fixed": one press adds this resident (signed in) or
//! this device (a random id kept on it) to the report's followers, which the platform counts
//! once each. The answer is the report itself, so its count of followers is shown fresh.

use leptos::prelude::*;
use quartier_api::open311::ServiceRequest;

use crate::api::open311::follow;
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::session::use_session;

use super::outbox::{csrf, device_id};

#[component]
pub fn FollowButton(
    /// The report's id.
    id: String,
    /// Called with the report as the platform tells it after the follow.
    #[prop(optional)]
    on_followed: Option<Callback<ServiceRequest>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let session = use_session();
    let followed = RwSignal::new(false);
    let failed = RwSignal::new(None::<&'static str>);
    let pending = RwSignal::new(false);
    let base = config.api.open311.clone();
    let api_key = config.api.open311_api_key.clone();
    let press = move |_| {
        let (base, id) = (base.clone(), id.clone());
        let mut pairs = vec![("follower".to_string(), device_id())];
        if let Some(key) = api_key.clone() {
            pairs.push(("api_key".into(), key));
        }
        let token = csrf(session);
        pending.set(true);
        leptos::task::spawn_local(async move {
            match follow(&base, &id, &pairs, token.as_deref()).await {
                Ok(report) => {
                    failed.try_set(None);
                    followed.try_set(true);
                    if let Some(on_followed) = on_followed {
                        on_followed.run(report);
                    }
                }
                Err(error) => {
                    failed.try_set(Some(error.message_key()));
                }
            }
            pending.try_set(false);
        });
    };
    view! {
        <div class="follow-button">
            <Show
                when=move || followed.get()
                fallback=move || {
                    let press = press.clone();
                    view! {
                        <button type="button" class="button" disabled=move || pending.get() on:click=press>
                            {i18n.tr("report-follow")}
                        </button>
                    }
                }
            >
                <p role="status" class="follow-button__done">{i18n.tr("report-followed")}</p>
            </Show>
            <p role="alert" class="follow-button__error">{move || failed.get().map(|key| i18n.t(key))}</p>
        </div>
    }
}
