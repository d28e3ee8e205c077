//! Sign-in, the session cookie, CSRF, expiry, sign-out and the sign-in rate limit.

use super::support::*;

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_gives_the_csrf_token() {
    let app = app();
    let response = app.send(sign_in_request(CAMILLE, PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("quartier_session="), "{cookie}");
    let value = cookie
        .split(';')
        .next()
        .expect("pair")
        .split('=')
        .nth(1)
        .expect("value");
    assert_eq!(value.len(), 43, "256 bits in base64url");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let body = json_of(response).await;
    assert_eq!(body["authenticated"], true);
    assert_eq!(body["resident"]["email"], CAMILLE);
    assert_eq!(
        body["resident"]["id"], "1",
        "ids are opaque text, as the contract has them"
    );
    assert!(body["csrfToken"].as_str().expect("csrf").len() >= 43);
    // The session id is stored hashed, never as sent.
    let stored: Vec<String> = app
        .state
        .db
        .call(|conn| {
            let mut s = conn.prepare("SELECT id_hash FROM sessions")?;
            Ok(s.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
        .expect("sessions");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], value);
    assert_eq!(stored[0].len(), 64);
}

#[tokio::test]
async fn behind_tls_the_cookie_is_secure_with_the_host_prefix() {
    let app = app();
    let mut request = sign_in_request(LUCAS, PASSWORD);
    request
        .headers_mut()
        .insert("x-forwarded-proto", "https".parse().expect("value"));
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii");
    assert!(cookie.starts_with("__Host-quartier_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test]
async fn the_secure_cookies_setting_forces_secure_cookies_and_ignores_plain_ones() {
    let app = app_with(|settings| settings.secure_cookies = true);
    let response = app.send(sign_in_request(CAMILLE, PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("__Host-quartier_session="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let signed = Signed {
        cookie: pair.clone(),
        csrf: String::new(),
    };
    assert_eq!(
        app.get(&signed, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    // The same value under the plain name (as a sibling subdomain could plant it) is no session.
    let planted = Signed {
        cookie: pair.replace("__Host-quartier_session", "quartier_session"),
        csrf: String::new(),
    };
    assert_problem(
        app.get(&planted, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = app();
    let wrong = app.send(sign_in_request(CAMILLE, "quartier-dem0")).await;
    assert!(!wrong.headers().contains_key(header::SET_COOKIE));
    assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = app
        .send(sign_in_request("nobody@example.org", PASSWORD))
        .await;
    assert!(!unknown.headers().contains_key(header::SET_COOKIE));
    assert_problem(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn sign_in_needs_json_and_a_same_origin() {
    let app = app();
    let form = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=camille.martin%40example.org&password=quartier-demo",
        ))
        .expect("request");
    assert_problem(
        app.send(form).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let mut cross = sign_in_request(CAMILLE, PASSWORD);
    cross.headers_mut().insert(
        header::ORIGIN,
        "https://evil.example".parse().expect("value"),
    );
    cross
        .headers_mut()
        .insert(header::HOST, "127.0.0.1:8080".parse().expect("value"));
    assert_problem(
        app.send(cross).await,
        StatusCode::FORBIDDEN,
        "origin_mismatch",
    )
    .await;
    let mut same = sign_in_request(CAMILLE, PASSWORD);
    same.headers_mut().insert(
        header::ORIGIN,
        "http://127.0.0.1:8080".parse().expect("value"),
    );
    same.headers_mut()
        .insert(header::HOST, "127.0.0.1:8080".parse().expect("value"));
    assert_eq!(app.send(same).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn get_session_with_and_without_a_cookie() {
    let app = app();
    let anonymous = app
        .send(
            Request::get("/api/v1/session")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(json_of(anonymous).await, json!({ "authenticated": false }));
    let camille = app.sign_in(CAMILLE).await;
    let body = app.get_json(&camille, "/api/v1/session").await;
    assert_eq!(body["authenticated"], true);
    assert_eq!(body["resident"]["name"], "Camille Martin");
    assert_eq!(body["csrfToken"], camille.csrf.as_str());
    assert_eq!(body["csrfHeader"], "X-CSRF-Token");
    // A made-up cookie is no session.
    let forged = Signed {
        cookie: format!("quartier_session={}", "A".repeat(43)),
        csrf: String::new(),
    };
    assert_eq!(
        app.get_json(&forged, "/api/v1/session").await["authenticated"],
        false
    );
}

#[tokio::test]
async fn personal_routes_need_a_session() {
    let app = app();
    for uri in [
        "/api/v1/me",
        "/api/v1/me/data",
        "/api/v1/me/access-log",
        "/api/v1/me/export",
        "/api/v1/me/erasure-requests",
        "/api/v1/me/consents",
        "/api/v1/me/consents/town-newsletter/receipt",
        "/api/v1/me/reports",
    ] {
        let response = app
            .send(Request::get(uri).body(Body::empty()).expect("request"))
            .await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let put = Request::put("/api/v1/me/consents/town-newsletter")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"granted":true}"#))
        .expect("request");
    assert_problem(
        app.send(put).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn state_changes_without_the_right_csrf_token_are_403() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    let calls = [
        (
            Method::PUT,
            "/api/v1/me/consents/town-newsletter",
            json!({ "granted": true }),
        ),
        (Method::POST, "/api/v1/me/erasure-requests", json!({})),
        (Method::DELETE, "/api/v1/session", json!({})),
    ];
    for token in [None, Some("wrong"), Some("")] {
        for (method, uri, body) in &calls {
            let mut request = Request::builder()
                .method(method.clone())
                .uri(*uri)
                .header(header::COOKIE, &camille.cookie)
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(token) = token {
                request = request.header("x-csrf-token", token);
            }
            let response = app
                .send(request.body(Body::from(body.to_string())).expect("request"))
                .await;
            assert_problem(response, StatusCode::FORBIDDEN, codes::CSRF_MISMATCH).await;
        }
    }
    // Another session's token does not work either.
    let lucas = app.sign_in(LUCAS).await;
    let mixed = Signed {
        cookie: camille.cookie.clone(),
        csrf: lucas.csrf.clone(),
    };
    let response = app
        .call(
            &mixed,
            Method::PUT,
            "/api/v1/me/consents/town-newsletter",
            json!({ "granted": true }),
        )
        .await;
    assert_problem(response, StatusCode::FORBIDDEN, codes::CSRF_MISMATCH).await;
    // Nothing was changed by the refused calls: Camille's newsletter record has its seeded
    // two events only.
    let consents = app.get_json(&camille, "/api/v1/me/consents").await;
    let record = consents["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["processing"]["purposeId"] == "town-newsletter")
        .expect("record");
    assert_eq!(record["events"].as_array().expect("events").len(), 2);
    // With the token, the same calls work.
    let ok = app
        .call(
            &camille,
            Method::PUT,
            "/api/v1/me/consents/town-newsletter",
            json!({ "granted": true }),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_idle_session_expires_with_session_expired() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    app.state.auth.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        app.get(&camille, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    // Used at 29 minutes: the idle timeout slid; 29 more minutes are still fine.
    app.state.auth.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        app.get(&camille, "/api/v1/me").await.status(),
        StatusCode::OK
    );
    app.state.auth.clock.advance(Duration::from_secs(31 * 60));
    assert_problem(
        app.get(&camille, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "session_expired",
    )
    .await;
    // The expired session is gone: GET session says so once, and clears the cookie.
    let session = app.get(&camille, "/api/v1/session").await;
    assert_eq!(session.status(), StatusCode::OK);
    assert_eq!(json_of(session).await["authenticated"], false);
}

#[tokio::test]
async fn an_active_session_still_ends_after_twelve_hours() {
    let app = app();
    let lucas = app.sign_in(LUCAS).await;
    for _ in 0..(11 * 3) {
        app.state.auth.clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(
            app.get(&lucas, "/api/v1/session").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        app.get_json(&lucas, "/api/v1/session").await["authenticated"],
        true
    );
    app.state.auth.clock.advance(Duration::from_secs(61 * 60));
    let expired = app.get(&lucas, "/api/v1/session").await;
    assert!(
        expired.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains("Max-Age=0")
    );
    let body = json_of(expired).await;
    assert_eq!(
        body,
        json!({ "authenticated": false, "reason": "session_expired" })
    );
}

#[tokio::test]
async fn signing_in_again_replaces_the_old_session() {
    let app = app();
    let first = app.sign_in(CAMILLE).await;
    let mut again = sign_in_request(CAMILLE, PASSWORD);
    again
        .headers_mut()
        .insert(header::COOKIE, first.cookie.parse().expect("value"));
    let response = app.send(again).await;
    assert_eq!(response.status(), StatusCode::OK);
    let new_cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii");
    assert!(
        !new_cookie.starts_with(&first.cookie),
        "a fresh id at each sign-in"
    );
    assert_problem(
        app.get(&first, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn resident_for_write_names_the_signed_in_resident_only_with_the_csrf_token() {
    use quartier_platform::auth::{ResidentId, WriteRefusal, resident_for_write};
    let app = app();
    let lucas = app.sign_in(LUCAS).await;
    let mut headers = axum::http::HeaderMap::new();
    let ask = |headers: axum::http::HeaderMap| {
        let state = app.state.clone();
        async move { resident_for_write(&state, &headers).await.expect("lookup") }
    };
    assert_eq!(ask(headers.clone()).await, Ok(None), "no cookie: anonymous");
    headers.insert(header::COOKIE, lucas.cookie.parse().expect("value"));
    assert_eq!(
        ask(headers.clone()).await,
        Err(WriteRefusal::CsrfMismatch),
        "a session without its token"
    );
    headers.insert("x-csrf-token", lucas.csrf.parse().expect("value"));
    assert_eq!(ask(headers.clone()).await, Ok(Some(ResidentId(2))));
    app.state.auth.clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(
        ask(headers).await,
        Ok(None),
        "an expired session names nobody"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_and_clears_the_cookie() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    let response = app
        .call(&camille, Method::DELETE, "/api/v1/session", json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii");
    assert!(cleared.starts_with("quartier_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_problem(
        app.get(&camille, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = app();
    for _ in 0..5 {
        let response = app.send(sign_in_request(CAMILLE, "guess")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // The right password is refused too while the limit holds.
    let limited = app.send(sign_in_request(CAMILLE, PASSWORD)).await;
    let retry_after: u64 = limited.headers()[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after));
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Another account is not locked by Camille's failures.
    assert_eq!(
        app.send(sign_in_request(LUCAS, PASSWORD)).await.status(),
        StatusCode::OK
    );
    // A minute later, Camille can sign in again.
    app.state.auth.clock.advance(Duration::from_secs(61));
    assert_eq!(
        app.send(sign_in_request(CAMILLE, PASSWORD)).await.status(),
        StatusCode::OK
    );
}

/// The per-client count of sign-in attempts knows clients as every limit does: the addresses
/// of one IPv6 /64 are one client, the next /64 another.
#[tokio::test]
async fn sign_in_attempts_of_one_ipv6_64_are_counted_together() {
    use quartier_platform::auth::rate_limit::PER_IP;
    let app = app();
    let from = |peer: &str, email: &str| {
        let mut request = sign_in_request(email, "guess");
        let peer: std::net::SocketAddr = peer.parse().expect("socket address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    };
    for i in 0..PER_IP {
        let peer = format!("[2001:db8:5:6::{:x}]:4000", i + 1);
        let response = app.send(from(&peer, &format!("u{i}@example.org"))).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let same_64 = app
        .send(from("[2001:db8:5:6:abcd::1]:4000", "new@example.org"))
        .await;
    assert_problem(
        same_64,
        StatusCode::TOO_MANY_REQUESTS,
        codes::TOO_MANY_ATTEMPTS,
    )
    .await;
    let next_64 = app
        .send(from("[2001:db8:5:7::1]:4000", "new@example.org"))
        .await;
    assert_eq!(next_64.status(), StatusCode::UNAUTHORIZED);
}

/// A burst of parallel guesses for one account: every attempt is counted before its password is
/// checked, so no more than the per-email limit reach Argon2 and the rest are refused with 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_run_at_most_the_limit_of_argon2_checks() {
    use quartier_platform::auth::rate_limit::PER_EMAIL;
    let app = app_with(|settings| settings.max_password_checks = 8);
    let router = app.router.clone();
    let attempts: Vec<_> = (0..50)
        .map(|i| {
            let router = router.clone();
            tokio::spawn(async move {
                let request = sign_in_request(CAMILLE, &format!("guess-{i}"));
                router.oneshot(request).await.expect("infallible")
            })
        })
        .collect();
    let (mut refused, mut limited) = (0, 0);
    for attempt in attempts {
        let response = attempt.await.expect("task");
        match response.status() {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(response.headers().contains_key(header::RETRY_AFTER));
                assert_problem(
                    response,
                    StatusCode::TOO_MANY_REQUESTS,
                    codes::TOO_MANY_ATTEMPTS,
                )
                .await;
                limited += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let checks = app.state.auth.passwords.ran();
    assert!(checks <= PER_EMAIL as u64, "{checks} Argon2 checks");
    assert_eq!(refused, checks, "each check was one 401");
    assert_eq!(limited, 50 - checks, "the rest were 429");
    assert!(refused >= 1);
}

/// When every Argon2 slot stays busy the sign-in is answered 503 with `Retry-After` in the
/// resident API's ProblemDetails, and the attempt it could not check is not held against anyone.
#[tokio::test]
async fn sign_in_is_503_when_every_password_check_slot_is_busy() {
    let app = app_with(|settings| {
        settings.max_password_checks = 1;
        settings.busy_wait = Duration::ZERO;
    });
    let slot = app.state.auth.passwords.try_hold().expect("a free slot");
    for _ in 0..(quartier_platform::auth::rate_limit::PER_EMAIL + 1) {
        let busy = app.send(sign_in_request(CAMILLE, PASSWORD)).await;
        assert_eq!(busy.headers()[header::RETRY_AFTER], "1");
        assert_problem(busy, StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE).await;
    }
    assert_eq!(app.state.auth.passwords.ran(), 0);
    drop(slot);
    assert_eq!(
        app.send(sign_in_request(CAMILLE, PASSWORD)).await.status(),
        StatusCode::OK,
        "the unchecked attempts were given back"
    );
    assert_eq!(app.state.auth.passwords.ran(), 1);
}
