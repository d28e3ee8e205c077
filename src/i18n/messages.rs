//! Formats the app's Fluent messages, compiled at build time by `build.rs` into static tables.
//!
//! The translations are written in Fluent (`locales/*/main.ftl`) and checked by the build. At run
//! time only the subset of Fluent they use is needed: text, variables, and select expressions on
//! a variable (plural categories, exact numbers or names), resolved as `fluent-bundle` resolves
//! them (a test compares every message with it). The build refuses anything else (terms,
//! message references, functions, attributes) rather than format it wrongly.

use std::fmt::Write as _;

use super::Lang;

/// A piece of a message.
#[derive(Debug)]
pub enum Part {
    Text(&'static str),
    /// `{ $name }`
    Var(&'static str),
    /// `{ $var -> [key] … *[other] … }`; `default` is the index of the `*` variant.
    Select {
        var: &'static str,
        variants: &'static [(Key, &'static [Part])],
        default: usize,
    },
}

/// The key of a variant: a name (a plural category such as `one`, or a word) or a number.
#[derive(Debug)]
pub enum Key {
    Name(&'static str),
    // Built by the generated tables once a message has a variant such as `[0]`.
    #[allow(dead_code)]
    Number(f64),
}

/// One locale's messages, sorted by id.
type Messages = &'static [(&'static str, &'static [Part])];

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// A value given to a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_string())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64);

impl From<f64> for Arg {
    fn from(n: f64) -> Self {
        Arg::Number(n)
    }
}

/// The message `key` in `lang` with `args`, or `None` if that locale has no such message.
pub fn format(lang: Lang, key: &str, args: &[(&str, Arg)]) -> Option<String> {
    let parts = lookup(lang, key)?;
    let mut out = String::new();
    write_parts(&mut out, lang, parts, args);
    Some(out)
}

fn lookup(lang: Lang, key: &str) -> Option<&'static [Part]> {
    let (_, messages) = LOCALES.iter().find(|(code, _)| *code == lang.code())?;
    let index = messages.binary_search_by(|(id, _)| (*id).cmp(key)).ok()?;
    Some(messages[index].1)
}

fn write_parts(out: &mut String, lang: Lang, parts: &[Part], args: &[(&str, Arg)]) {
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Var(name) => match arg(args, name) {
                Some(Arg::Text(text)) => out.push_str(text),
                Some(Arg::Number(n)) => write_number(out, *n),
                // What fluent-bundle writes for a missing variable.
                None => {
                    let _ = write!(out, "{{${name}}}");
                }
            },
            Part::Select {
                var,
                variants,
                default,
            } => {
                let chosen = arg(args, var)
                    .and_then(|value| variants.iter().find(|(key, _)| matches(lang, key, value)))
                    .or_else(|| variants.get(*default));
                if let Some((_, parts)) = chosen {
                    write_parts(out, lang, parts, args);
                }
            }
        }
    }
}

fn arg<'a>(args: &'a [(&str, Arg)], name: &str) -> Option<&'a Arg> {
    args.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Fluent's rule: a name matches a text equal to it or a number of that plural category; a
/// number matches an equal number.
fn matches(lang: Lang, key: &Key, value: &Arg) -> bool {
    match (key, value) {
        (Key::Name(name), Arg::Text(text)) => name == text,
        (Key::Name(name), Arg::Number(n)) => *name == plural_category(lang, *n),
        (Key::Number(k), Arg::Number(n)) => k == n,
        (Key::Number(_), Arg::Text(_)) => false,
    }
}

/// CLDR cardinal plural rules of the languages the app speaks.
pub fn plural_category(lang: Lang, n: f64) -> &'static str {
    let n = n.abs();
    let i = n.trunc();
    let has_fraction = n.fract() != 0.0;
    match lang {
        // one: i = 0,1 · many: e = 0 and i != 0 and i % 1000000 = 0 and v = 0
        Lang::Fr if i == 0.0 || i == 1.0 => "one",
        Lang::Fr if !has_fraction && i != 0.0 && i % 1_000_000.0 == 0.0 => "many",
        // one: i = 1 and v = 0
        Lang::En if i == 1.0 && !has_fraction => "one",
        _ => "other",
    }
}

/// Numbers as fluent-bundle shows them by default: no grouping, no trailing `.0`.
fn write_number(out: &mut String, n: f64) {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        let _ = write!(out, "{}", n as i64);
    } else {
        let _ = write!(out, "{n}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_categories_follow_cldr() {
        let fr = |n| plural_category(Lang::Fr, n);
        let en = |n| plural_category(Lang::En, n);
        assert_eq!(
            [fr(0.0), fr(1.0), fr(1.5), fr(2.0)],
            ["one", "one", "one", "other"]
        );
        assert_eq!([fr(1_000_000.0), fr(2_000_000.0)], ["many", "many"]);
        assert_eq!(
            [en(0.0), en(1.0), en(1.5), en(2.0)],
            ["other", "one", "other", "other"]
        );
    }

    #[test]
    fn every_locale_table_is_sorted_for_binary_search() {
        assert_eq!(LOCALES.len(), Lang::ALL.len());
        for (code, messages) in LOCALES {
            assert!(
                messages.windows(2).all(|w| w[0].0 < w[1].0),
                "{code} is not sorted"
            );
        }
    }

    #[test]
    fn numbers_and_missing_variables_show_as_fluent_shows_them() {
        let mut out = String::new();
        write_number(&mut out, 12_000.0);
        write_number(&mut out, -3.0);
        write_number(&mut out, 2.5);
        assert_eq!(out, "12000-32.5");
        assert_eq!(
            format(Lang::En, "home-title", &[]).as_deref(),
            Some("Welcome to {$town}")
        );
    }

    #[test]
    fn an_exact_number_wins_over_its_plural_category_in_declaration_order() {
        static PARTS: &[Part] = &[Part::Select {
            var: "n",
            variants: &[
                (Key::Number(0.0), &[Part::Text("none")]),
                (Key::Name("one"), &[Part::Text("one")]),
                (Key::Name("other"), &[Part::Var("n"), Part::Text(" items")]),
            ],
            default: 2,
        }];
        let run = |lang, arg: Arg| {
            let mut out = String::new();
            write_parts(&mut out, lang, PARTS, &[("n", arg)]);
            out
        };
        assert_eq!(run(Lang::Fr, Arg::Number(0.0)), "none");
        assert_eq!(run(Lang::Fr, Arg::Number(1.0)), "one");
        assert_eq!(run(Lang::En, Arg::Number(0.0)), "none");
        assert_eq!(run(Lang::En, Arg::Number(7.0)), "7 items");
        // A text selector matches names only; anything else takes the default.
        assert_eq!(run(Lang::En, Arg::Text("one".into())), "one");
        assert_eq!(run(Lang::En, Arg::Text("zero".into())), "zero items");
    }

    /// Every message of every locale, with text, numbers around each plural boundary and
    /// missing arguments, formats exactly as fluent-bundle formats the same `.ftl`.
    #[test]
    fn every_message_formats_as_fluent_bundle_does() {
        use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};

        for lang in Lang::ALL {
            let source = match lang {
                Lang::Fr => include_str!("locales/fr/main.ftl"),
                Lang::En => include_str!("locales/en/main.ftl"),
            };
            let mut bundle = FluentBundle::new(vec![lang.code().parse().unwrap()]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(FluentResource::try_new(source.to_string()).unwrap())
                .unwrap();
            let (_, messages) = LOCALES.iter().find(|(c, _)| *c == lang.code()).unwrap();
            for (key, parts) in messages.iter() {
                let mut names = Vec::new();
                variables(parts, &mut names);
                let samples: Vec<Vec<(&str, Arg)>> = [0.0, 1.0, 2.0, 1.5, 21.0, 1e6]
                    .into_iter()
                    .map(|n| {
                        names
                            .iter()
                            .enumerate()
                            .map(|(i, name)| {
                                let value = if i % 2 == 0 {
                                    Arg::Number(n)
                                } else {
                                    Arg::Text(format!("«{name}»"))
                                };
                                (*name, value)
                            })
                            .collect()
                    })
                    .chain([Vec::new()])
                    .collect();
                for args in samples {
                    let mut fluent_args = FluentArgs::new();
                    for (name, value) in &args {
                        match value {
                            Arg::Text(text) => fluent_args.set(*name, text.clone()),
                            Arg::Number(n) => fluent_args.set(*name, *n),
                        }
                    }
                    let pattern = bundle.get_message(key).unwrap().value().unwrap();
                    let mut errors = Vec::new();
                    let expected = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
                    assert_eq!(
                        format(lang, key, &args).unwrap(),
                        expected,
                        "{key} in {} with {args:?}",
                        lang.code()
                    );
                }
            }
        }
    }

    fn variables(parts: &[Part], names: &mut Vec<&'static str>) {
        for part in parts {
            match part {
                Part::Text(_) => {}
                Part::Var(name) => {
                    if !names.contains(name) {
                        names.push(name);
                    }
                }
                Part::Select { var, variants, .. } => {
                    if !names.contains(var) {
                        names.insert(0, var);
                    }
                    for (_, parts) in variants.iter() {
                        variables(parts, names);
                    }
                }
            }
        }
    }
}
