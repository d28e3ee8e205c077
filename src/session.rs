//! The resident's session, app-wide: who is signed in (asked once at start, then updated by
//! signing in and out). The browser never sees a token, only this summary and the CSRF token.

use leptos::prelude::*;

use quartier_api::resident::SessionInfo;

use crate::api::resident::{fetch_session, sign_out};
use crate::config::use_config;

#[derive(Clone, Debug, PartialEq)]
pub enum SessionState {
    /// Not known yet (the first request is in flight or failed).
    Unknown,
    SignedOut,
    SignedIn {
        name: String,
        email: String,
        csrf_token: String,
    },
}

impl From<SessionInfo> for SessionState {
    fn from(info: SessionInfo) -> Self {
        match (info.authenticated, info.resident, info.csrf_token) {
            (true, Some(resident), Some(csrf_token)) => SessionState::SignedIn {
                name: resident.name,
                email: resident.email,
                csrf_token,
            },
            _ => SessionState::SignedOut,
        }
    }
}

#[derive(Clone, Copy)]
pub struct Session {
    pub state: RwSignal<SessionState>,
    /// The resident API's base URL (captured once: event handlers run outside the component
    /// tree where contexts are found).
    base: StoredValue<String>,
}

impl Session {
    pub fn base(&self) -> String {
        self.base.get_value()
    }

    pub fn set(&self, info: SessionInfo) {
        self.state.set(info.into());
    }

    /// Signs out on the platform, then forgets the session here whatever the answer (a failed
    /// sign-out must not leave a shared kiosk looking signed in).
    pub fn sign_out(&self) {
        let state = self.state;
        let base = self.base.get_value();
        if let SessionState::SignedIn { csrf_token, .. } = state.get_untracked() {
            leptos::task::spawn_local(async move {
                if let Err(error) = sign_out(&base, &csrf_token).await {
                    leptos::logging::warn!("sign-out: {error}");
                }
                state.set(SessionState::SignedOut);
            });
        }
    }
}

/// Provides the session and asks the platform who is signed in.
pub fn provide_session() -> Session {
    let base = use_config().api.resident.clone();
    let session = Session {
        state: RwSignal::new(SessionState::Unknown),
        base: StoredValue::new(base.clone()),
    };
    leptos::task::spawn_local(async move {
        match fetch_session(&base).await {
            Ok(info) => session.set(info),
            // Unknown stays: the pages that need a session ask again and show the error.
            Err(error) => leptos::logging::warn!("session: {error}"),
        }
    });
    provide_context(session);
    session
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session {
        state: RwSignal::new(SessionState::Unknown),
        base: StoredValue::new(use_config().api.resident.clone()),
    })
}
