//! Thin, failure-tolerant wrappers over the browser APIs the app needs outside of Leptos.
//! Each one quietly does nothing when the API is missing (private mode storage, old kiosks):
//! none of these is worth a crash.

use wasm_bindgen::JsCast;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Reads a remembered value; `None` when storage is unavailable (private mode, kiosk lock-down).
pub fn local_storage_get(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

pub fn local_storage_set(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        // A full or disabled storage only means the choice is not remembered.
        let _ = storage.set_item(key, value);
    }
}

pub fn set_document_lang(code: &str) {
    if let Some(root) = document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", code);
    }
}

pub fn set_document_title(title: &str) {
    if let Some(document) = document() {
        document.set_title(title);
    }
}

/// Sets a CSS custom property on `<html>` through the CSSOM (allowed by a strict CSP, unlike
/// inline `style` attributes).
pub fn set_root_css_property(name: &str, value: &str) {
    let Some(root) = document().and_then(|d| d.document_element()) else {
        return;
    };
    if let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() {
        let _ = root.style().set_property(name, value);
    }
}

/// Moves keyboard focus to an element (used for page headings after navigation).
pub fn focus(element: &web_sys::HtmlElement) {
    let _ = element.focus();
}

/// A moment (ms since 1970) as a short local date and time in the resident's language, e.g.
/// "28/11/2026 17:44" or "11/28/26, 5:44 PM" (the browser's `Intl`, no locale data in the wasm).
pub fn local_date_time(unix_millis: i64, lang: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_millis as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"short".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang, &options).into()
}

/// A number in the resident's language with exactly `fraction_digits` decimals ("12,3" in
/// French, "12.3" in English), by the browser's `Intl`: a column of figures lines up.
pub fn local_number(value: f64, lang: &str, fraction_digits: u8) -> String {
    let options = js_sys::Object::new();
    let digits = wasm_bindgen::JsValue::from_f64(f64::from(fraction_digits));
    let _ = js_sys::Reflect::set(&options, &"minimumFractionDigits".into(), &digits);
    let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &digits);
    let locales = js_sys::Array::of1(&lang.into());
    let format = js_sys::Intl::NumberFormat::new(&locales, &options).format();
    format
        .call1(&wasm_bindgen::JsValue::NULL, &value.into())
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| value.to_string())
}

/// A calendar month in the resident's language: `long` gives "juillet 2026", else the short
/// month alone ("juil.").
pub fn month_name(year: i32, month: u8, lang: &str, long: bool) -> String {
    // Mid-month at noon UTC: the same month in every time zone.
    let date = js_sys::Date::new_with_year_month_day_hr_min_sec(
        year as u32,
        i32::from(month) - 1,
        15,
        12,
        0,
        0,
    );
    let options = js_sys::Object::new();
    let width = if long { "long" } else { "short" };
    let _ = js_sys::Reflect::set(&options, &"month".into(), &width.into());
    if long {
        let _ = js_sys::Reflect::set(&options, &"year".into(), &"numeric".into());
    }
    date.to_locale_date_string(lang, &options).into()
}

/// A day (`YYYY-MM-DD`) as a short local date in the resident's language ("14/07/2026").
pub fn local_day(day: &str, lang: &str) -> String {
    let date = js_sys::Date::new(&format!("{day}T12:00:00").into());
    if date.get_time().is_nan() {
        return day.to_string();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    date.to_locale_date_string(lang, &options).into()
}

/// A moment (ms since 1970) as a short local time, e.g. "17:44" or "5:44 PM".
pub fn local_time(unix_millis: f64, lang: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_millis));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_time_string_with_options(lang, &options)
        .into()
}

/// Reloads the page (the way forward when the configuration could not be loaded).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Asks the browser for the resident's position, once, after they pressed a button (never on
/// load). Exactly one of the callbacks is called.
pub fn current_position(
    on_found: impl FnOnce(f64, f64) + 'static,
    on_error: impl FnOnce() + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;

    // Both callbacks share one error path: whichever runs first takes it.
    let on_error: SharedOnce = Rc::new(RefCell::new(Some(Box::new(on_error))));
    let fail = {
        let on_error = Rc::clone(&on_error);
        move || {
            if let Some(callback) = on_error.borrow_mut().take() {
                callback();
            }
        }
    };
    let Some(geolocation) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
        fail();
        return;
    };
    let found = Closure::once_into_js(move |position: web_sys::Position| {
        let coords = position.coords();
        on_found(coords.latitude(), coords.longitude());
    });
    let failed = {
        let fail = fail.clone();
        Closure::once_into_js(move |_: JsValueAny| fail())
    };
    if geolocation
        .get_current_position_with_error_callback(
            found.unchecked_ref(),
            Some(failed.unchecked_ref()),
        )
        .is_err()
    {
        fail();
    }
}

type JsValueAny = wasm_bindgen::JsValue;
type SharedOnce = std::rc::Rc<std::cell::RefCell<Option<Box<dyn FnOnce()>>>>;

/// Focuses the element with this id on the next frame, when a view just rendered is in the
/// document (used for panels that open on demand).
pub fn focus_by_id_soon(id: &'static str) {
    leptos::prelude::request_animation_frame(move || {
        if let Some(element) = document()
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// Like [`focus_by_id_soon`], unless the focus moved meanwhile (an error summary shown in
/// between keeps it): a later convenience must not take the focus from what asked for it.
pub fn focus_by_id_soon_unless_moved(id: &'static str) {
    let before = document().and_then(|d| d.active_element());
    leptos::prelude::request_animation_frame(move || {
        let Some(document) = document() else { return };
        if document.active_element() != before {
            return;
        }
        if let Some(element) = document
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// The window's inner size in CSS pixels (0 × 0 when unknown).
pub fn window_size() -> (f64, f64) {
    let Some(window) = web_sys::window() else {
        return (0.0, 0.0);
    };
    let size = |v: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
        v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0)
    };
    (size(window.inner_width()), size(window.inner_height()))
}
