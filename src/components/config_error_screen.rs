//! What the resident sees when the town's configuration cannot be used: what happened, a way
//! forward (try again), and the details a webmaster needs.

use leptos::prelude::*;

use crate::browser;
use crate::config::{CONFIG_PATH, ConfigError, ProblemCode};
use crate::i18n::use_i18n;

fn problem_key(code: ProblemCode) -> &'static str {
    match code {
        ProblemCode::Empty => "config-problem-empty",
        ProblemCode::OutOfRange => "config-problem-out-of-range",
        ProblemCode::NotAColour => "config-problem-not-a-colour",
        ProblemCode::UnknownLanguage => "config-problem-unknown-language",
        ProblemCode::NotOffered => "config-problem-not-offered",
        ProblemCode::Duplicate => "config-problem-duplicate",
        ProblemCode::MissingPlaceholder => "config-problem-missing-placeholder",
        ProblemCode::Unsupported => "config-problem-unsupported",
    }
}

#[component]
pub fn ConfigErrorScreen(error: ConfigError) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| browser::set_document_title(&i18n.t("config-error-title")));
    // What a webmaster needs, in the resident's language too (the causes the browser or the
    // JSON parser give stay as they are: they are what a search engine knows).
    let technical = {
        let error = error.clone();
        move || match &error {
            ConfigError::Unreachable(cause) => i18n.t_with(
                "config-detail-unreachable",
                &[
                    ("path", CONFIG_PATH.into()),
                    ("cause", cause.clone().into()),
                ],
            ),
            ConfigError::Status(status) => i18n.t_with(
                "config-detail-status",
                &[("path", CONFIG_PATH.into()), ("status", (*status).into())],
            ),
            ConfigError::Syntax(cause) => i18n.t_with(
                "config-detail-syntax",
                &[
                    ("path", CONFIG_PATH.into()),
                    ("cause", cause.clone().into()),
                ],
            ),
            ConfigError::Invalid(problems) => i18n.t_with(
                "config-detail-invalid",
                &[
                    ("path", CONFIG_PATH.into()),
                    ("count", problems.len().into()),
                ],
            ),
        }
    };
    let summary = {
        let error = error.clone();
        move || match &error {
            ConfigError::Unreachable(_) => i18n.t("config-error-unreachable"),
            ConfigError::Status(status) => {
                i18n.t_with("config-error-status", &[("status", (*status).into())])
            }
            ConfigError::Syntax(_) => i18n.t("config-error-syntax"),
            ConfigError::Invalid(_) => i18n.t("config-error-invalid"),
        }
    };
    let problems = match error {
        ConfigError::Invalid(problems) => Some(view! {
            <ul class="config-error__problems">
                {problems
                    .into_iter()
                    .map(|problem| {
                        let key = problem_key(problem.code);
                        let field = problem.field;
                        view! {
                            <li>
                                {move || i18n.t_with(key, &[("field", field.clone().into())])}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }),
        _ => None,
    };
    view! {
        <main id="main" class="config-error">
            <div class="config-error__box" role="alert">
                <h1 class="page-heading">{i18n.tr("config-error-title")}</h1>
                <p>{summary}</p>
                {problems}
            </div>
            <p>{i18n.tr("config-error-webmaster")}</p>
            <p>
                <button type="button" class="button button--primary" on:click=|_| browser::reload()>
                    {i18n.tr("config-error-retry")}
                </button>
            </p>
            <details class="config-error__details">
                <summary>{i18n.tr("config-error-details")}</summary>
                <pre>{technical}</pre>
            </details>
        </main>
    }
}
