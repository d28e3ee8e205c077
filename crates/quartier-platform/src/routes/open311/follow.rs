//! `POST requests/{id}/follow.{json,xml}` (extension): "+1, tell me when it's fixed". A resident
//! who finds their problem already reported follows that report instead of making a duplicate;
//! every request shows how many follow it (`followers`).
//!
//! The same rules as `POST requests`: an `api_key` (in the form or the query string), and the
//! session's `X-CSRF-Token` when the cookie names a session. The follower is the signed-in
//! resident, else the device, known by the opaque `follower` token it chose and keeps (a form
//! field): following twice counts once. No `Idempotency-Key` is needed, since a retry changes
//! nothing. Follows are rate-limited per client like reports (their own count: the signed-in
//! resident, else the address), which bounds how fast invented device tokens can inflate a
//! count. The answer is the request, as `GET requests/{id}` gives it.

use axum::{
    extract::{Path, Request, State},
    http::StatusCode,
    response::Response,
};

use super::{
    Admitted, Format, Node, Reporter, admit_write, base_url, errors, idempotency_client, parse_id,
    store, too_many,
};
use crate::{error::AppError, state::AppState};

/// Longest `follower` token: a UUID or 256 random bits in any text encoding fit.
const MAX_TOKEN: usize = 255;

pub async fn follow(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    let (name, format) = Format::split(&file)?;
    if name != "follow" {
        return Err(AppError::not_found(format!("no resource {file}")));
    }
    let unknown = || AppError::not_found("service_request_id: unknown");
    let id = parse_id(&id).ok_or_else(unknown)?;
    let Admitted {
        owner,
        client,
        received,
        api_key,
        headers,
    } = match admit_write(&state, request).await? {
        Ok(admitted) => admitted,
        Err(refused) => return Ok(refused),
    };
    let base = base_url(&headers);
    let follower = match follower_of(owner, &api_key, received.form.get("follower")) {
        Ok(follower) => follower,
        Err(problem) => return Ok(errors(StatusCode::BAD_REQUEST, vec![problem])),
    };
    // Its own count, apart from the reports': following never uses up a resident's reports.
    let follower_client = match owner {
        Some(resident) => Reporter::Resident(resident),
        None => Reporter::Client(client),
    };
    if let Err(wait) = state.open311.follow_limiter.check(&follower_client) {
        return Ok(too_many(wait));
    }
    let now = state.auth.clock.now();
    let followed = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            if store::find(&tx, id)?.is_none() {
                return Ok(None);
            }
            store::follow(&tx, id, &follower, now)?;
            let request = store::find(&tx, id)?;
            tx.commit()?;
            Ok(request)
        })
        .await?
        .ok_or_else(unknown)?;
    let list = Node::List {
        item: "request",
        items: vec![followed.to_node(&base)],
    };
    Ok(list.respond(format, "service_requests", StatusCode::OK))
}

/// Who follows: `resident:<id>`, else `device:<hash>` of the client (the api_key's hash) and the
/// device's token, so that neither the token nor the key is stored and two apps' tokens never
/// meet.
fn follower_of(owner: Option<i64>, api_key: &str, token: Option<&str>) -> Result<String, String> {
    if let Some(resident) = owner {
        return Ok(format!("resident:{resident}"));
    }
    let token = token.ok_or_else(|| {
        "follower: required without a signed-in session (an opaque token the device keeps)"
            .to_owned()
    })?;
    if token.len() > MAX_TOKEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "follower: invalid (1 to {MAX_TOKEN} visible ASCII characters)"
        ));
    }
    let client = idempotency_client(None, api_key);
    Ok(format!(
        "device:{}",
        super::hex_sha256(&[client.as_bytes(), token.as_bytes()])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resident_is_themselves_and_a_device_is_a_hash_of_key_and_token() {
        assert_eq!(
            follower_of(Some(7), "k", Some("t")),
            Ok("resident:7".into())
        );
        let device = follower_of(None, "k", Some("token-1")).expect("device");
        assert!(device.starts_with("device:") && !device.contains("token-1"));
        assert_eq!(device.len(), "device:".len() + 64);
        assert_eq!(follower_of(None, "k", Some("token-1")), Ok(device.clone()));
        assert_ne!(
            follower_of(None, "other-key", Some("token-1")),
            Ok(device.clone())
        );
        assert_ne!(follower_of(None, "k", Some("token-2")), Ok(device));
        assert!(follower_of(None, "k", None).is_err());
        assert!(follower_of(None, "k", Some("a b")).is_err());
        assert!(follower_of(None, "k", Some(&"x".repeat(256))).is_err());
    }
}
