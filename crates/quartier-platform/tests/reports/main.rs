//! Issue 11's platform side, as the app's `/report` pages use it, through
//! `build_router(state).oneshot(..)` on a fresh demo platform per test: the nearby search,
//! following a report, the staff API, the demo's moved reports, the fault mode, HTML payloads
//! and photos. Everything sits under `reports::` so that `cargo test -p quartier-platform
//! --test reports` runs it alone.

mod reports {
    mod demo_moves;
    mod faults;
    mod follow;
    mod nearby;
    mod payloads;
    mod photos;
    mod staff;
    // Shared by every file here; each uses a part of it.
    #[allow(dead_code)]
    mod support;
}
