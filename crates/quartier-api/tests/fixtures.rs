//! Every fixture file is read by the right parser and checked on what was read; the few that
//! are invalid per their spec are rejected with a clear error; no file goes unchecked.
//!
//! Shared fixtures: `$QUARTIER_FIXTURES`, else `<workspace>/../shared/fixtures` (never copied
//! into the repository). The crate's own hand-written fixtures (`tests/data/`) always run.

mod fixtures {
    pub mod etsi;
    pub mod harness;
    pub mod open311;
    pub mod own;
    pub mod smart_data_models;
}

use fixtures::harness::Run;
use fixtures::{etsi, open311, own, smart_data_models};
use std::path::PathBuf;

#[test]
fn every_shared_fixture_is_read_or_rejected_clearly() {
    let (dir, explicit) = match std::env::var_os("QUARTIER_FIXTURES") {
        Some(dir) => (PathBuf::from(dir), true),
        None => (
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/fixtures"
            )),
            false,
        ),
    };
    if !dir.is_dir() {
        assert!(
            !explicit,
            "QUARTIER_FIXTURES={} is not a directory",
            dir.display()
        );
        println!(
            "shared fixtures absent ({} not found): only the crate's own hand-written fixtures (tests/data) ran",
            dir.display()
        );
        return;
    }
    let mut run = Run::new("shared fixtures", &dir);
    for rel in run.files() {
        if rel == "SOURCES.md" {
            run.check(&rel, sources_document);
        } else if smart_data_models::is_invalid(&rel) {
            if let Some(check) = smart_data_models::check_for(&rel) {
                run.check_rejected(&rel, check);
            }
        } else if let Some(check) = open311::check_for(&rel)
            .or_else(|| etsi::check_for(&rel))
            .or_else(|| smart_data_models::check_for(&rel))
        {
            run.check(&rel, check);
        }
    }
    run.finish();
}

/// SOURCES.md is documentation, not a payload: it must describe every folder.
fn sources_document(body: &str) {
    assert!(
        body.starts_with("# Fixture sources"),
        "not the sources document"
    );
    for folder in [
        "open311/codeforamerica-open311-gem/",
        "open311/open311status/",
        "open311/spec/",
        "ngsi-ld/etsi-test-suite/",
        "smart-data-models/",
    ] {
        assert!(
            body.contains(folder),
            "SOURCES.md does not describe {folder}"
        );
    }
}

#[test]
fn the_crates_own_fixtures_are_read_or_rejected_clearly() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
    let mut run = Run::new("own fixtures (tests/data)", &dir);
    for rel in run.files() {
        match own::check_for(&rel) {
            Some((check, true)) => run.check_rejected(&rel, check),
            Some((check, false)) => run.check(&rel, check),
            None => {}
        }
    }
    run.finish();
}
