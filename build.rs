//! Build-time translation check: the build fails when a Fluent file does not parse, when a key is
//! missing from one locale, when the code asks for a key that no locale defines, or when a key is
//! defined but used nowhere. Translations cannot drift silently.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const LOCALES: &str = "src/i18n/locales";

fn main() {
    println!("cargo:rerun-if-changed={LOCALES}");
    println!("cargo:rerun-if-changed=src");

    let mut problems = Vec::new();
    let locales = locale_keys(&mut problems);
    let sources = rust_sources(Path::new("src"));
    let code: String = sources
        .iter()
        .filter_map(|path| fs::read_to_string(path).ok())
        .collect::<Vec<_>>()
        .join("\n");

    let all_keys: BTreeSet<&String> = locales.iter().flat_map(|(_, keys)| keys).collect();
    for (lang, keys) in &locales {
        for key in all_keys.iter().filter(|key| !keys.contains(**key)) {
            problems.push(format!("key `{key}` is missing from locale `{lang}`"));
        }
    }
    for key in requested_keys(&code) {
        if !all_keys.contains(&key) {
            problems.push(format!(
                "the code asks for `{key}`, which no locale defines"
            ));
        }
    }
    for key in &all_keys {
        if !code.contains(&format!("\"{key}\"")) {
            problems.push(format!("key `{key}` is defined but never used in src/"));
        }
    }
    if !problems.is_empty() {
        for problem in &problems {
            println!("cargo:warning=translations: {problem}");
        }
        // A build script has no other way to fail the build.
        #[allow(clippy::panic)]
        {
            panic!(
                "{} translation problem(s), see the warnings above",
                problems.len()
            );
        }
    }
}

/// `(locale, message ids)` for each folder under `LOCALES`.
fn locale_keys(problems: &mut Vec<String>) -> Vec<(String, BTreeSet<String>)> {
    let mut locales = Vec::new();
    let Ok(entries) = fs::read_dir(LOCALES) else {
        problems.push(format!("cannot read {LOCALES}"));
        return locales;
    };
    let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let lang = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut keys = BTreeSet::new();
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        for file in files {
            let text = fs::read_to_string(&file).unwrap_or_default();
            match fluent_syntax::parser::parse(text.as_str()) {
                Ok(resource) => collect_ids(&resource, &mut keys),
                Err((resource, errors)) => {
                    collect_ids(&resource, &mut keys);
                    for error in errors {
                        problems.push(format!("{}: {error:?}", file.display()));
                    }
                }
            }
        }
        locales.push((lang, keys));
    }
    locales
}

fn collect_ids(resource: &fluent_syntax::ast::Resource<&str>, keys: &mut BTreeSet<String>) {
    for entry in &resource.body {
        if let fluent_syntax::ast::Entry::Message(message) = entry {
            keys.insert(message.id.name.to_string());
        }
    }
}

fn rust_sources(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rust_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found
}

/// Literal keys passed to `.t("…")` and `.t_with("…", …)`.
fn requested_keys(code: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for pattern in [".t(\"", ".tr(\"", ".t_with(\""] {
        for (start, _) in code.match_indices(pattern) {
            let rest = &code[start + pattern.len()..];
            if let Some(end) = rest.find('"') {
                keys.insert(rest[..end].to_string());
            }
        }
    }
    keys
}
