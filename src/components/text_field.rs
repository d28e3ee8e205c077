//! A labelled input with its error linked by `aria-describedby` and `aria-invalid`
//! (RGAA 11.1, 11.10).

use leptos::prelude::*;

#[component]
pub fn TextField(
    /// The input's id (also the target of the error summary's links).
    #[prop(into)]
    id: String,
    /// The visible label, which is also the accessible name.
    #[prop(into)]
    label: Signal<String>,
    /// The value, two-way.
    value: RwSignal<String>,
    /// `text`, `email`, `password`…
    #[prop(optional, into)]
    input_type: Option<&'static str>,
    /// The `autocomplete` token (RGAA 11.13).
    #[prop(optional, into)]
    autocomplete: Option<&'static str>,
    /// The field's error message, if any.
    #[prop(optional, into)]
    error: MaybeProp<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let has_error = move || error.get().is_some();
    let described_by = {
        let error_id = error_id.clone();
        move || has_error().then(|| error_id.clone())
    };
    view! {
        <div class="text-field" class:text-field--invalid=has_error>
            <label for=id.clone() class="text-field__label">{move || label.get()}</label>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! { <p id=error_id.clone() class="text-field__error">{message}</p> }
                    })
            }}
            <input
                id=id
                class="text-field__input"
                type=input_type.unwrap_or("text")
                autocomplete=autocomplete
                required=required
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described_by
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
