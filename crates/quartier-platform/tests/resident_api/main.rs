//! The resident API as the app uses it, through `build_router(state).oneshot(..)` on a fresh
//! demo database per test. Everything sits under `resident::` so that
//! `cargo test -p quartier-platform resident` runs it.

mod resident {
    mod access_log;
    mod consents;
    mod contract;
    mod export_schema;
    mod isolation;
    mod my_data;
    mod session;
    mod support;
}
