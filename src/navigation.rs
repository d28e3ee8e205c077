//! In-app navigation: the current address as a signal, links that change it without a page
//! load, and the back/forward buttons.
//!
//! Why not `leptos_router`: its typed route tree cost about 120 KB of wasm (a third of the
//! first-load budget of `/map`, measured with and without it) for features this app does not
//! use (nested routes, route data, transitions). Quartier's routes are flat and spelled in
//! [`Route`]; what remains to do is small and lives here.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::route::Route;

/// Where the resident is: the path and the query string (with its `?`, or empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub query: String,
}

/// The query parameter that chooses the language; it survives every address the app writes.
pub const LANG_PARAM: &str = "lang";

impl Location {
    /// The address the browser shows now. The one reader of the query string: everything
    /// else asks this (or the navigation's copy of it).
    pub fn current() -> Self {
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return Self::default();
        };
        Self {
            path: location.pathname().unwrap_or_else(|_| "/".into()),
            query: location.search().unwrap_or_default(),
        }
    }

    /// One parameter of the query string, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        web_sys::UrlSearchParams::new_with_str(&self.query)
            .ok()?
            .get(name)
    }
}

/// `href` with the `lang` of `query` added when it has none (a page's own query string, such
/// as the map's, keeps everything else as written).
pub fn keep_lang(href: &str, lang: Option<&str>) -> String {
    let Some(lang) = lang.filter(|l| !l.is_empty()) else {
        return href.to_string();
    };
    let (before_hash, hash) = match href.split_once('#') {
        Some((before, hash)) => (before, Some(hash)),
        None => (href, None),
    };
    let (path, query) = before_hash.split_once('?').unwrap_or((before_hash, ""));
    let has_lang = query
        .split('&')
        .any(|pair| pair.split('=').next() == Some(LANG_PARAM));
    if has_lang {
        return href.to_string();
    }
    let mut out = String::from(path);
    out.push('?');
    if !query.is_empty() {
        out.push_str(query);
        out.push('&');
    }
    out.push_str(LANG_PARAM);
    out.push('=');
    out.push_str(&lang.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', ""));
    if let Some(hash) = hash {
        out.push('#');
        out.push_str(hash);
    }
    out
}

/// Sets (or replaces) `lang` in the address shown, if the address chooses a language, so that
/// a reload keeps the one just picked from the menu.
pub fn update_lang_in_address(lang: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let here = Location::current();
    if here.query_param(LANG_PARAM).is_none() {
        return;
    }
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&here.query) else {
        return;
    };
    params.set(LANG_PARAM, lang);
    let query: String = params.to_string().into();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{}?{query}", here.path)),
        );
    }
}

/// The app's navigation state, provided once by the shell.
#[derive(Clone, Copy)]
pub struct Navigation {
    location: RwSignal<Location>,
    route: Memo<Option<Route>>,
}

impl Navigation {
    /// The page shown: changes only when the path does, so a page is not rebuilt when it
    /// rewrites its own query string.
    pub fn route(&self) -> Memo<Option<Route>> {
        self.route
    }

    /// Whether the current path is `path` (for `aria-current`).
    pub fn is_current(&self, path: &str) -> bool {
        self.location.with(|l| l.path == path)
    }

    /// The current address, read without subscribing (pages read their query once).
    pub fn location_untracked(&self) -> Location {
        self.location.get_untracked()
    }

    /// The `lang` the address chooses, if any (reactive).
    pub fn lang_param(&self) -> Option<String> {
        self.location.with(|l| l.query_param(LANG_PARAM))
    }

    /// Rewrites the query string of the page shown without a navigation (the map's state),
    /// keeping the address's `lang`.
    pub fn replace_query(&self, query: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let here = Location::current();
        let href = keep_lang(
            &format!("{}?{query}", here.path),
            here.query_param(LANG_PARAM).as_deref(),
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
        }
        self.location.set(Location::current());
    }

    /// Goes to an in-app address (path, optional query and fragment) as a link would; the
    /// address's `lang` goes along.
    /// Goes to `href` in place of the current page (Back then skips it): for a page that only
    /// sends the resident elsewhere, such as a personal page to sign-in.
    pub fn redirect(&self, href: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let href = &keep_lang(href, Location::current().query_param(LANG_PARAM).as_deref());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
        self.location.set(Location::current());
    }

    pub fn navigate(&self, href: &str) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let href = &keep_lang(href, Location::current().query_param(LANG_PARAM).as_deref());
        if let Ok(history) = window.history() {
            // A link to the page shown adds no step to the back button.
            let same = window
                .location()
                .href()
                .ok()
                .and_then(|here| {
                    web_sys::Url::new_with_base(href, &here)
                        .ok()
                        .zip(Some(here))
                })
                .is_some_and(|(to, here)| to.href() == here);
            let _ = if same {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            };
        }
        window.scroll_to_with_x_and_y(0.0, 0.0);
        self.location.set(Location::current());
    }
}

/// Starts following the address bar: in-app link clicks and back/forward. Call once.
pub fn provide_navigation() -> Navigation {
    let location = RwSignal::new(Location::current());
    let route = Memo::new(move |_| location.with(|l| Route::from_path(&l.path)));
    let navigation = Navigation { location, route };
    provide_context(navigation);

    // Back and forward: the browser already changed the address.
    let popstate = window_event_listener(ev::popstate, move |_| {
        location.set(Location::current());
    });
    let click = window_event_listener(ev::click, move |event| {
        if let Some(href) = in_app_link_target(&event) {
            event.prevent_default();
            navigation.navigate(&href);
        }
    });
    on_cleanup(move || {
        popstate.remove();
        click.remove();
    });
    navigation
}

/// The navigation handle; [`provide_navigation`] must have run (the shell does it first).
pub fn use_navigation() -> Navigation {
    use_context::<Navigation>().unwrap_or_else(|| {
        leptos::logging::error!("use_navigation() called outside the shell");
        // A detached handle still reads the address: better than a panic.
        let location = RwSignal::new(Location::current());
        Navigation {
            location,
            route: Memo::new(move |_| location.with(|l| Route::from_path(&l.path))),
        }
    })
}

/// The address a click should open inside the app, or `None` when the browser should handle
/// it: modified or non-primary clicks, links to other windows, downloads, other origins, a
/// fragment of the same page, and paths that are not the app's (an API export, say).
fn in_app_link_target(event: &web_sys::MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let anchor = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??;
    if anchor.has_attribute("download")
        || anchor
            .get_attribute("target")
            .is_some_and(|t| !t.is_empty() && t != "_self")
    {
        return None;
    }
    let window = web_sys::window()?;
    let here = window.location();
    let url =
        web_sys::Url::new_with_base(&anchor.get_attribute("href")?, &here.href().ok()?).ok()?;
    if url.origin() != here.origin().ok()? {
        return None;
    }
    let path = url.pathname();
    if !url.hash().is_empty()
        && path == here.pathname().ok()?
        && url.search() == here.search().ok()?
    {
        return None;
    }
    Route::from_path(&path)?;
    Some(format!("{path}{}{}", url.search(), url.hash()))
}

/// A link to a page of the app, marked `aria-current="page"` while that page is shown.
#[component]
pub fn Link(
    /// The address, as `Route::path` spells it (with a query string if needed).
    href: String,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let navigation = use_navigation();
    let path = href
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    let current = move || navigation.is_current(&path).then_some("page");
    // Written with the address's `lang`, so that a link opened in a new tab keeps it too.
    let href = move || keep_lang(&href, navigation.lang_param().as_deref());
    view! {
        <a href=href class=class aria-current=current>
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_the_chosen_language() {
        assert_eq!(keep_lang("/map", Some("en")), "/map?lang=en");
        assert_eq!(
            keep_lang("/map?layers=Streetlight&z=14", Some("en")),
            "/map?layers=Streetlight&z=14&lang=en"
        );
        assert_eq!(keep_lang("/report?lang=fr", Some("en")), "/report?lang=fr");
        assert_eq!(keep_lang("/a#top", Some("en")), "/a?lang=en#top");
        assert_eq!(keep_lang("/map", None), "/map");
        // Nothing but a language code gets into the address.
        assert_eq!(keep_lang("/map", Some("en&x=<1>")), "/map?lang=enx1");
    }
}
