//! Build-time translations. The build fails when a Fluent file does not parse, when a key is
//! missing from one locale, when the code asks for a key that no locale defines, when a key is
//! defined but used nowhere, or when a message uses Fluent syntax that `src/i18n/messages.rs`
//! does not format. Translations cannot drift silently.
//!
//! The messages are then compiled to static Rust data (`$OUT_DIR/messages.rs`), formatted at
//! run time by `src/i18n/messages.rs`: the app ships no Fluent parser or CLDR tables (73 KB of
//! wasm, measured), only its own messages.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use fluent_syntax::ast;

const LOCALES: &str = "src/i18n/locales";

fn main() {
    println!("cargo:rerun-if-changed={LOCALES}");
    println!("cargo:rerun-if-changed=src");

    let mut problems = Vec::new();
    let compiled = compile_locales(&mut problems);
    let locales: Vec<(String, BTreeSet<String>)> = compiled
        .iter()
        .map(|(lang, messages)| (lang.clone(), messages.keys().cloned().collect()))
        .collect();
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
    if problems.is_empty() {
        let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("messages.rs");
        if let Err(error) = fs::write(&out, generated_source(&compiled)) {
            problems.push(format!("cannot write {}: {error}", out.display()));
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

/// Each folder under `LOCALES`, with its messages compiled to Rust expressions (of the
/// `Part` type of `src/i18n/messages.rs`), by message id.
fn compile_locales(problems: &mut Vec<String>) -> Vec<(String, BTreeMap<String, String>)> {
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
        let mut messages = BTreeMap::new();
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
            let resource = match fluent_syntax::parser::parse(text.as_str()) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    for error in errors {
                        problems.push(format!("{}: {error:?}", file.display()));
                    }
                    resource
                }
            };
            for entry in &resource.body {
                compile_entry(entry, &file, &mut messages, problems);
            }
        }
        locales.push((lang, messages));
    }
    locales
}

fn compile_entry(
    entry: &ast::Entry<&str>,
    file: &Path,
    messages: &mut BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    let unsupported = |what: &str| format!("{}: {what} is not supported here", file.display());
    match entry {
        ast::Entry::Message(message) => {
            let id = message.id.name;
            if !message.attributes.is_empty() {
                problems.push(unsupported(&format!("`{id}`: an attribute")));
            }
            let Some(pattern) = &message.value else {
                problems.push(unsupported(&format!("`{id}`: a message without a value")));
                return;
            };
            match compile_pattern(pattern) {
                Ok(parts) => {
                    if messages.insert(id.to_string(), parts).is_some() {
                        problems.push(format!("{}: `{id}` is defined twice", file.display()));
                    }
                }
                Err(what) => problems.push(unsupported(&format!("`{id}`: {what}"))),
            }
        }
        ast::Entry::Term(term) => {
            problems.push(unsupported(&format!("the term `-{}`", term.id.name)));
        }
        ast::Entry::Comment(_) | ast::Entry::GroupComment(_) | ast::Entry::ResourceComment(_) => {}
        // Syntax errors are reported by the parser already.
        ast::Entry::Junk { .. } => {}
    }
}

/// A pattern as a Rust slice expression of `Part`s.
fn compile_pattern(pattern: &ast::Pattern<&str>) -> Result<String, String> {
    let mut parts = Vec::new();
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => {
                parts.push(format!("Part::Text({value:?})"))
            }
            ast::PatternElement::Placeable { expression } => {
                parts.push(compile_expression(expression)?)
            }
        }
    }
    Ok(format!("&[{}]", parts.join(", ")))
}

fn compile_expression(expression: &ast::Expression<&str>) -> Result<String, String> {
    match expression {
        ast::Expression::Inline(inline) => compile_inline(inline),
        ast::Expression::Select { selector, variants } => {
            let ast::InlineExpression::VariableReference { id } = selector else {
                return Err("a selector other than a variable".into());
            };
            let mut compiled = Vec::new();
            let mut default = None;
            for (index, variant) in variants.iter().enumerate() {
                let key = match &variant.key {
                    ast::VariantKey::Identifier { name } => format!("Key::Name({name:?})"),
                    ast::VariantKey::NumberLiteral { value } => {
                        let number: f64 = value
                            .parse()
                            .map_err(|_| format!("the variant key {value}"))?;
                        format!("Key::Number({number:?})")
                    }
                };
                if variant.default {
                    default = Some(index);
                }
                compiled.push(format!("({key}, {})", compile_pattern(&variant.value)?));
            }
            let default = default.ok_or("a select expression without a default variant")?;
            Ok(format!(
                "Part::Select {{ var: {:?}, variants: &[{}], default: {default} }}",
                id.name,
                compiled.join(", ")
            ))
        }
    }
}

fn compile_inline(inline: &ast::InlineExpression<&str>) -> Result<String, String> {
    match inline {
        ast::InlineExpression::VariableReference { id } => Ok(format!("Part::Var({:?})", id.name)),
        ast::InlineExpression::StringLiteral { value } => {
            Ok(format!("Part::Text({:?})", unescape(value)?))
        }
        ast::InlineExpression::NumberLiteral { value } => Ok(format!("Part::Text({value:?})")),
        ast::InlineExpression::Placeable { expression } => compile_expression(expression),
        ast::InlineExpression::MessageReference { .. } => Err("a message reference".into()),
        ast::InlineExpression::TermReference { .. } => Err("a term reference".into()),
        ast::InlineExpression::FunctionReference { .. } => Err("a function".into()),
    }
}

/// Fluent string literal escapes: `\\`, `\"`, `\uXXXX`, `\UXXXXXX`.
fn unescape(literal: &str) -> Result<String, String> {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(c @ ('\\' | '"')) => out.push(c),
            Some(kind @ ('u' | 'U')) => {
                let digits: String = chars
                    .by_ref()
                    .take(if kind == 'u' { 4 } else { 6 })
                    .collect();
                let c = u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("the escape \\{kind}{digits}"))?;
                out.push(c);
            }
            other => return Err(format!("the escape \\{}", other.unwrap_or(' '))),
        }
    }
    Ok(out)
}

/// `$OUT_DIR/messages.rs`: one sorted table per locale, and the list of locales.
fn generated_source(locales: &[(String, BTreeMap<String, String>)]) -> String {
    let mut out = String::from("// Generated by build.rs from src/i18n/locales: do not edit.\n");
    let mut table = Vec::new();
    for (lang, messages) in locales {
        let name = format!("MESSAGES_{}", lang.to_ascii_uppercase().replace('-', "_"));
        let _ = writeln!(out, "static {name}: Messages = &[");
        for (id, parts) in messages {
            let _ = writeln!(out, "    ({id:?}, {parts}),");
        }
        out.push_str("];\n");
        table.push(format!("({lang:?}, {name})"));
    }
    let _ = writeln!(
        out,
        "static LOCALES: &[(&str, Messages)] = &[{}];",
        table.join(", ")
    );
    out
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
