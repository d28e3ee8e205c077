//! The "Category" field: the town's Open311 categories in a list grouped as the town groups
//! them, with a search by word over names, keywords, groups and descriptions (accents and case
//! ignored). The chosen category's description is shown under it, as the town wrote it.

use leptos::prelude::*;
use quartier_api::open311::Service as Category;

use crate::i18n::use_i18n;

use super::draft::Draft;

/// The list's id (the error summary links to it).
pub const CATEGORY_ID: &str = "report-category";

/// The categories, grouped as the town groups them, with a search by word (name, keywords,
/// group, description; accents and case ignored).
#[component]
pub fn CategoryPicker(
    services: Vec<Category>,
    draft: RwSignal<Draft>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let services = StoredValue::new(services);
    let matching = move || {
        let words: Vec<String> = fold(&query.get())
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let chosen = draft.with(|d| d.service_code.clone());
        services.with_value(|all| {
            all.iter()
                .filter(|s| {
                    s.service_code == chosen || {
                        let text = fold(&format!(
                            "{} {} {} {}",
                            s.service_name,
                            s.keywords.join(" "),
                            s.group.clone().unwrap_or_default(),
                            s.description.clone().unwrap_or_default()
                        ));
                        words.iter().all(|w| text.contains(w.as_str()))
                    }
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let groups = move || {
        let mut groups: Vec<(String, Vec<Category>)> = Vec::new();
        for service in matching() {
            let group = service.group.clone().unwrap_or_default();
            match groups.iter_mut().find(|(g, _)| *g == group) {
                Some((_, list)) => list.push(service),
                None => groups.push((group, vec![service])),
            }
        }
        groups
    };
    let count = move || matching().len();
    let has_error = move || error.get().is_some();
    view! {
        <div class="text-field">
            <label for="report-category-search" class="text-field__label">{i18n.tr("report-category-search")}</label>
            <input
                id="report-category-search"
                class="text-field__input"
                type="search"
                autocomplete="off"
                aria-describedby="report-category-count"
                prop:value=query
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <p id="report-category-count" class="text-field__hint" role="status">
                {move || i18n.t_with("report-category-count", &[("count", (count() as i64).into())])}
            </p>
        </div>
        <div class="text-field" class:text-field--invalid=has_error>
            <label for=CATEGORY_ID class="text-field__label">
                {i18n.tr("report-category")}
                <span class="required-marker" aria-hidden="true">" *"</span>
            </label>
            {move || error.get().map(|m| view! { <p id="report-category-error" class="text-field__error">{m}</p> })}
            <select
                id=CATEGORY_ID
                class="text-field__input"
                required=true
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=move || has_error().then_some("report-category-error")
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    draft.update(|d| d.service_code = code);
                }
                prop:value=move || draft.with(|d| d.service_code.clone())
            >
                <option value="">{i18n.tr("report-category-choose")}</option>
                {move || groups().into_iter().map(|(group, list)| {
                    let options = list.into_iter().map(|s| {
                        let selected = {
                            let code = s.service_code.clone();
                            move || draft.with(|d| d.service_code == code)
                        };
                        view! { <option value=s.service_code.clone() selected=selected>{s.service_name.clone()}</option> }
                    }).collect_view();
                    view! { <optgroup label=group>{options}</optgroup> }
                }).collect_view()}
            </select>
            {move || {
                let code = draft.with(|d| d.service_code.clone());
                services.with_value(|all| all.iter().find(|s| s.service_code == code).and_then(|s| s.description.clone()))
                    .map(|d| view! { <p class="text-field__hint">{d}</p> })
            }}
        </div>
    }
}

/// Lower case without accents, for matching what the resident typed.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            'œ' => 'o',
            other => other,
        })
        .collect()
}
