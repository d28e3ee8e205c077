//! `/sign-in`: email and password against the platform (backend-for-frontend: the answer is a
//! cookie the page never sees). Errors are summarised, linked to their fields, and translated.

use leptos::prelude::*;

use quartier_api::resident::{SessionInfo, SignInRequest};
use quartier_api::validation::validate_sign_in;
use quartier_api::{FieldError as WireFieldError, FieldErrorCode};

use crate::api::resident::{SignInError, sign_in};
use crate::components::error_summary::{ErrorSummary, FormError};
use crate::components::page_heading::PageHeading;
use crate::components::text_field::TextField;
use crate::i18n::use_i18n;
use crate::navigation::use_navigation;
use crate::session::{SessionState, use_session};
use crate::task::Latest;

/// Where to go after signing in: only a path of this site (never `//other.site`).
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_string())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let demo = crate::config::use_config().town.demo;
    let navigation = use_navigation();
    let next = safe_next(navigation.location_untracked().query_param("next"));
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Errors are kept as Fluent keys: their words are derived when shown, so a language
    // switch translates them (and touches nothing the resident typed).
    let email_error = RwSignal::new(None::<&'static str>);
    let password_error = RwSignal::new(None::<&'static str>);
    let form_error = RwSignal::new(None::<&'static str>);

    let submit = Latest::<Result<SessionInfo, SignInError>>::new();
    // Runs once per answer: it subscribes to the answer only.
    Effect::new(move |_| {
        if let Some(result) = submit.value() {
            match result {
                Ok(info) => {
                    password.set(String::new());
                    session.set(info);
                    navigation.navigate(&next);
                }
                Err(error) => {
                    form_error.set(Some(error.message_key()));
                    if error == SignInError::WrongCredentials {
                        password.set(String::new());
                    }
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = SignInRequest {
            email: email.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        // The contract's validation, the same the platform applies; codes become messages here.
        let problems = validate_sign_in(&request);
        let message_for = |field: &str| {
            problems
                .iter()
                .find(|p| p.field == field)
                .map(field_message_key)
        };
        email_error.set(message_for("email"));
        password_error.set(message_for("password"));
        form_error.set(None);
        if problems.is_empty() {
            let base = session.base();
            submit.run(async move { sign_in(&base, &request).await });
        }
    };
    let errors = Signal::derive(move || {
        let mut errors = Vec::new();
        let fields = [
            ("sign-in-email", email_error),
            ("sign-in-password", password_error),
            ("", form_error),
        ];
        for (field_id, key) in fields {
            if let Some(key) = key.get() {
                errors.push(FormError {
                    field_id: field_id.into(),
                    message: i18n.t(key),
                });
            }
        }
        errors
    });

    view! {
        <div class="sign-in">
            <PageHeading title=i18n.tr("page-sign-in-title")/>
            {move || match session.state.get() {
                SessionState::SignedIn { name, .. } => view! {
                    <p>{move || i18n.t_with("sign-in-already", &[("name", name.clone().into())])}</p>
                    <p>
                        <button type="button" class="button" on:click=move |_| session.sign_out()>
                            {i18n.tr("sign-out")}
                        </button>
                    </p>
                }
                .into_any(),
                _ => view! {
                    <ErrorSummary title=i18n.tr("form-errors-title") errors=errors/>
                    <form class="sign-in__form" novalidate on:submit=on_submit>
                        <TextField
                            id="sign-in-email"
                            label=i18n.tr("sign-in-email")
                            value=email
                            input_type="email"
                            autocomplete="username"
                            required=true
                            error=Signal::derive(move || email_error.get().map(|key| i18n.t(key)))
                        />
                        <TextField
                            id="sign-in-password"
                            label=i18n.tr("sign-in-password")
                            value=password
                            input_type="password"
                            autocomplete="current-password"
                            required=true
                            error=Signal::derive(move || password_error.get().map(|key| i18n.t(key)))
                        />
                        <button type="submit" class="button button--primary" disabled=move || submit.pending()>
                            {i18n.tr("sign-in-submit")}
                        </button>
                    </form>
                    {demo.then(|| view! { <p class="sign-in__help">{i18n.tr("sign-in-help")}</p> })}
                }
                .into_any(),
            }}
        </div>
    }
}

/// The message of a sign-in field error.
fn field_message_key(error: &WireFieldError) -> &'static str {
    match (error.field.as_str(), &error.code) {
        ("email", FieldErrorCode::Required) => "sign-in-email-missing",
        ("email", _) => "sign-in-email-invalid",
        _ => "sign-in-password-missing",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/my-data".into())), "/my-data");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
