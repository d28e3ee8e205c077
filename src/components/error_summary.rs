//! The list of a form's errors, shown after a failed submit: it takes focus (`role="alert"`)
//! and links each error to its field (RGAA 11.10).

use leptos::html::Div;
use leptos::prelude::*;

/// One error: the field's id (empty for a form-wide error) and its message.
#[derive(Clone, Debug, PartialEq)]
pub struct FormError {
    pub field_id: String,
    pub message: String,
}

#[component]
pub fn ErrorSummary(
    /// The summary's heading.
    #[prop(into)]
    title: Signal<String>,
    /// The errors; nothing is shown when empty.
    #[prop(into)]
    errors: Signal<Vec<FormError>>,
) -> impl IntoView {
    let summary = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if !errors.with(Vec::is_empty)
            && let Some(element) = summary.get()
        {
            let _ = element.focus();
        }
    });
    view! {
        <Show when=move || !errors.with(Vec::is_empty)>
            <div node_ref=summary class="error-summary" role="alert" tabindex="-1">
                <h2 class="error-summary__title">{move || title.get()}</h2>
                <ul class="error-summary__list">
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|error| {
                                if error.field_id.is_empty() {
                                    view! { <li>{error.message}</li> }.into_any()
                                } else {
                                    view! {
                                        <li>
                                            <a href=format!("#{}", error.field_id)>{error.message}</a>
                                        </li>
                                    }
                                    .into_any()
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
