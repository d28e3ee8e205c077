//! Translations with Fluent. French is the default; every message exists in every language (the
//! build script refuses a key missing in one locale, or used in the code but defined nowhere).
//!
//! The language is chosen, in order, by `?lang=` in the address, the resident's remembered
//! choice, the town's default language. The choice is remembered in `localStorage`.

mod messages;

use leptos::prelude::*;

use crate::browser;
use crate::navigation::{LANG_PARAM, Location, update_lang_in_address};
pub use messages::Arg;

/// Where the resident's language choice is remembered.
const STORAGE_KEY: &str = "quartier.lang";

/// A language the app speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// BCP 47 code, as used in `lang` attributes, URLs and `config.json`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Accepts `fr`, `en`, and regional variants such as `en-GB`.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's own name for itself (shown in the language menu, never translated).
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }
}

/// Formats one message in one language; a missing message shows its key (and logs), never panics.
fn format(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    messages::format(lang, key, args).unwrap_or_else(|| {
        leptos::logging::error!("missing translation {key} in {}", lang.code());
        key.to_string()
    })
}

/// The app-wide translation handle: `Copy`, cheap to pass into closures.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// The current language (reactive).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// Translates `key` in the current language (reactive: re-runs when the language changes).
    pub fn t(&self, key: &str) -> String {
        format(self.lang.get(), key, &[])
    }

    /// A reactive translation to put in a view or an attribute. One concrete type for every
    /// message keeps the wasm small (a closure per message would each be compiled apart).
    pub fn tr(&self, key: &'static str) -> Signal<String> {
        let i18n = *self;
        Signal::derive(move || i18n.t(key))
    }

    /// Translates `key` with Fluent arguments, e.g. `t_with("x", &[("count", 3.into())])`.
    pub fn t_with(&self, key: &str, args: &[(&str, Arg)]) -> String {
        format(self.lang.get(), key, args)
    }

    /// Once the town's configuration is known: keeps the current language if the town offers it
    /// and it was asked for (address or memory), else takes the town's default.
    pub fn adopt_town_languages(&self, offered: &[Lang], default: Lang) {
        self.lang.set(starting_lang(offered, default));
    }

    /// Switches language, remembers the choice, and updates `<html lang>` and the address's
    /// `lang` (if it has one: a reload must not switch back).
    pub fn set_lang(&self, lang: Lang) {
        browser::local_storage_set(STORAGE_KEY, lang.code());
        update_lang_in_address(lang.code());
        self.lang.set(lang);
    }
}

/// Creates the translation context. `offered` and `default` come from the town's config when it
/// has loaded (before that, and when it fails, every language the app speaks is allowed).
pub fn provide_i18n(offered: &[Lang], default: Lang) -> I18n {
    let i18n = I18n {
        lang: RwSignal::new(starting_lang(offered, default)),
    };
    Effect::new(move |_| browser::set_document_lang(i18n.lang.get().code()));
    provide_context(i18n);
    i18n
}

/// The translation handle; `provide_i18n` must have run (it does, first thing, in `<App/>`).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| {
        leptos::logging::error!("use_i18n() called outside <App/>");
        // A detached handle still translates (in French): better than a panic.
        I18n {
            lang: RwSignal::new(Lang::Fr),
        }
    })
}

/// The language to start in; a language chosen by a link is remembered as the menu's
/// choice is (the next visit, without `?lang=`, keeps it).
fn starting_lang(offered: &[Lang], default: Lang) -> Lang {
    let from_query = Location::current().query_param(LANG_PARAM);
    let lang = initial_lang(
        from_query.as_deref(),
        browser::local_storage_get(STORAGE_KEY).as_deref(),
        offered,
        default,
    );
    if from_query.as_deref().and_then(Lang::from_code) == Some(lang) {
        browser::local_storage_set(STORAGE_KEY, lang.code());
    }
    lang
}

/// Chooses the starting language: the address wins over memory, memory over the town default,
/// and only languages the town offers are taken.
pub fn initial_lang(
    from_query: Option<&str>,
    remembered: Option<&str>,
    offered: &[Lang],
    default: Lang,
) -> Lang {
    [from_query, remembered]
        .into_iter()
        .flatten()
        .filter_map(Lang::from_code)
        .find(|lang| offered.contains(lang))
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip_and_accept_regions() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_code("FR_fr"), Some(Lang::Fr));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn the_address_wins_then_memory_then_the_town_default() {
        let both = [Lang::Fr, Lang::En];
        assert_eq!(
            initial_lang(Some("en"), Some("fr"), &both, Lang::Fr),
            Lang::En
        );
        assert_eq!(initial_lang(None, Some("en"), &both, Lang::Fr), Lang::En);
        assert_eq!(initial_lang(None, None, &both, Lang::Fr), Lang::Fr);
        assert_eq!(initial_lang(Some("xx"), None, &both, Lang::En), Lang::En);
        // A language the town does not offer is never chosen.
        assert_eq!(
            initial_lang(Some("en"), None, &[Lang::Fr], Lang::Fr),
            Lang::Fr
        );
    }

    #[test]
    fn messages_format_without_isolation_marks() {
        assert_eq!(format(Lang::En, "nav-map", &[]), "Map");
        assert_eq!(format(Lang::Fr, "nav-map", &[]), "Carte");
        let args = [("page", "Map".into()), ("town", "Belleville".into())];
        let title = format(Lang::En, "document-title", &args);
        assert_eq!(title, "Map – Belleville – Quartier");
        assert!(!title.contains('\u{2068}'));
    }

    #[test]
    fn plurals_and_escapes_come_out_right() {
        assert_eq!(
            format(Lang::Fr, "map-list-count", &[("total", 1u32.into())]),
            "Un service dans cette zone."
        );
        assert_eq!(
            format(Lang::En, "map-list-count", &[("total", 0u32.into())]),
            format(Lang::En, "map-list-count", &[("total", 2u32.into())]).replace('2', "0")
        );
        let placeholder = format(
            Lang::En,
            "config-problem-missing-placeholder",
            &[("field", "map.tiles.url".into())],
        );
        assert!(placeholder.ends_with("{z}, {x} and {y}"), "{placeholder}");
    }

    #[test]
    fn a_missing_key_shows_itself_instead_of_failing() {
        assert_eq!(format(Lang::Fr, "no-such-key", &[]), "no-such-key");
    }
}
