//! The "Address" field: a combobox with suggestions from the town's geocoder, after the ARIA
//! 1.2 "combobox with listbox popup" pattern. Focus stays in the text box; Down and Up move
//! through the suggestions (`aria-activedescendant`), Enter takes the one shown as active,
//! Escape closes the list; a click or tap takes one too. The number of suggestions is said in
//! a polite status, so a screen-reader user knows the list opened.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::geocoder::{Place, search_places};
use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::task::Latest;

/// The input's id (the error summary links to it).
pub const ADDRESS_ID: &str = "report-address";
const LISTBOX_ID: &str = "report-address-suggestions";
/// The geocoder answers from this many characters on.
const MIN_CHARS: usize = 3;
/// Pause after the last key before asking (one request per word, not per letter).
const TYPING_PAUSE_MS: u64 = 250;

#[component]
pub fn AddressCombobox(
    /// Called with the place taken.
    on_choose: Callback<Place>,
    /// Called with what is typed (kept as the address if no suggestion is taken).
    on_type: Callback<String>,
    /// The field's error message, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// What the field shows at first (the address of a restored draft).
    #[prop(into)]
    initial: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let geocoder = use_config().api.geocoder.clone().unwrap_or_default();
    let text = RwSignal::new(initial);
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let search = Latest::<Result<Vec<Place>, ApiError>>::new();
    let typed = StoredValue::new(0u32);
    let places = move || search.value().and_then(Result::ok).unwrap_or_default();
    let ask = move |query: String| {
        let generation = typed.get_value() + 1;
        typed.set_value(generation);
        if query.trim().chars().count() < MIN_CHARS {
            open.set(false);
            return;
        }
        let base = geocoder.clone();
        set_timeout(
            move || {
                if typed.try_get_value() == Some(generation) {
                    open.set(true);
                    active.set(None);
                    search.run(async move { search_places(&base, query.trim(), 6).await });
                }
            },
            std::time::Duration::from_millis(TYPING_PAUSE_MS),
        );
    };
    let choose = move |place: Place| {
        text.set(place.label.clone());
        open.set(false);
        active.set(None);
        on_choose.run(place);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = places().len();
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                if let (true, Some(i)) = (open.get_untracked(), active.get_untracked())
                    && let Some(place) = places().get(i).cloned()
                {
                    ev.prevent_default();
                    choose(place);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };
    let option_id = |i: usize| format!("{LISTBOX_ID}-{i}");
    let expanded = move || (open.get() && !places().is_empty()).to_string();
    let status = move || {
        if !open.get() {
            return String::new();
        }
        match search.value() {
            None => String::new(),
            Some(Ok(found)) if found.is_empty() => i18n.t("report-address-none"),
            Some(Ok(found)) => i18n.t_with(
                "report-address-count",
                &[("count", (found.len() as i64).into())],
            ),
            Some(Err(error)) => i18n.t(error.message_key()),
        }
    };
    let has_error = move || error.get().is_some();
    view! {
        <div class="combobox text-field" class:text-field--invalid=has_error>
            <label for=ADDRESS_ID class="text-field__label">{i18n.tr("report-address")}</label>
            <p id="report-address-hint" class="text-field__hint">{i18n.tr("report-address-hint")}</p>
            {move || error.get().map(|m| view! { <p id="report-address-error" class="text-field__error">{m}</p> })}
            <input
                id=ADDRESS_ID
                class="text-field__input"
                type="text"
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-controls=LISTBOX_ID
                aria-expanded=expanded
                aria-activedescendant=move || active.get().map(option_id)
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=move || {
                    if has_error() { "report-address-hint report-address-error" } else { "report-address-hint" }
                }
                prop:value=text
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    text.set(value.clone());
                    on_type.run(value.clone());
                    ask(value);
                }
                on:keydown=on_key
                on:blur=move |_| {
                    // After a click on a suggestion (which comes after blur), not before.
                    set_timeout(move || { open.try_set(false); }, std::time::Duration::from_millis(200));
                }
            />
            <ul
                id=LISTBOX_ID
                role="listbox"
                class="combobox__list"
                aria-label=i18n.tr("report-address-suggestions")
                hidden=move || !open.get() || places().is_empty()
            >
                <For
                    each=move || places().into_iter().enumerate()
                    key=|(i, place)| (*i, place.label.clone())
                    let:((i, place))
                >
                    <li
                        id=option_id(i)
                        role="option"
                        class="combobox__option"
                        aria-selected=move || (active.get() == Some(i)).to_string()
                        on:mousedown=move |ev| ev.prevent_default()
                        on:click={
                            let place = place.clone();
                            move |_| choose(place.clone())
                        }
                    >
                        {place.label.clone()}
                    </li>
                </For>
            </ul>
            <p class="visually-hidden" role="status">{status}</p>
        </div>
    }
}
