//! The resident API as the app uses it, through `build_router(state).oneshot(..)` on a fresh
//! demo database per test. Test names sit under `resident::` so that
//! `cargo test -p quartier-platform resident` runs them.

mod resident {
    use std::time::Duration;

    use axum::{
        Router,
        body::Body,
        http::{Method, Request, StatusCode, header},
        response::Response,
    };
    use http_body_util::BodyExt;
    use quartier_platform::{AppState, Settings, build_router};
    use serde_json::{Value, json};
    use tempfile::TempDir;
    use tower::ServiceExt;

    const CAMILLE: &str = "camille.martin@example.org";
    const LUCAS: &str = "lucas.bernard@example.org";
    const PASSWORD: &str = "quartier-demo";

    struct App {
        _dir: TempDir,
        state: AppState,
        router: Router,
    }

    /// A signed-in resident: the `Cookie` header value and the CSRF token.
    struct Signed {
        cookie: String,
        csrf: String,
    }

    fn app() -> App {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut settings = Settings::new(dir.path().join("data"), dir.path().join("dist"));
        settings.demo = true;
        let state = AppState::new(settings).expect("state");
        let router = build_router(state.clone());
        App {
            _dir: dir,
            state,
            router,
        }
    }

    impl App {
        async fn send(&self, request: Request<Body>) -> Response {
            self.router
                .clone()
                .oneshot(request)
                .await
                .expect("infallible")
        }

        async fn sign_in(&self, email: &str) -> Signed {
            let response = self.send(sign_in_request(email, PASSWORD)).await;
            assert_eq!(response.status(), StatusCode::OK);
            let set_cookie = response.headers()[header::SET_COOKIE]
                .to_str()
                .expect("ascii")
                .to_owned();
            let cookie = set_cookie.split(';').next().expect("pair").to_owned();
            let body = json_of(response).await;
            Signed {
                cookie,
                csrf: body["csrfToken"].as_str().expect("csrf").to_owned(),
            }
        }

        async fn get(&self, who: &Signed, uri: &str) -> Response {
            self.send(
                Request::get(uri)
                    .header(header::COOKIE, &who.cookie)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
        }

        /// A state-changing call with the session's CSRF token.
        async fn call(&self, who: &Signed, method: Method, uri: &str, body: Value) -> Response {
            self.send(
                Request::builder()
                    .method(method)
                    .uri(uri)
                    .header(header::COOKIE, &who.cookie)
                    .header("x-csrf-token", &who.csrf)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .expect("request"),
            )
            .await
        }

        async fn get_json(&self, who: &Signed, uri: &str) -> Value {
            let response = self.get(who, uri).await;
            assert_eq!(response.status(), StatusCode::OK, "{uri}");
            json_of(response).await
        }

        async fn access_log_total(&self, who: &Signed) -> i64 {
            self.get_json(who, "/api/v1/me/access-log").await["total"]
                .as_i64()
                .expect("total")
        }
    }

    fn sign_in_request(email: &str, password: &str) -> Request<Body> {
        Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({ "email": email, "password": password }).to_string(),
            ))
            .expect("request")
    }

    async fn json_of(response: Response) -> Value {
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        serde_json::from_slice(&bytes).expect("json body")
    }

    /// Asserts a ProblemDetails answer with this status and machine code.
    async fn assert_problem(response: Response, status: StatusCode, code: &str) {
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = json_of(response).await;
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status.as_u16());
    }

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
        assert_eq!(body["resident"]["id"], 1);
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
                assert_problem(response, StatusCode::FORBIDDEN, "csrf_failed").await;
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
        assert_problem(response, StatusCode::FORBIDDEN, "csrf_failed").await;
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
    async fn current_resident_names_the_signed_in_resident_for_other_areas() {
        let app = app();
        let lucas = app.sign_in(LUCAS).await;
        let mut headers = axum::http::HeaderMap::new();
        assert_eq!(
            quartier_platform::auth::current_resident(&app.state, &headers).await,
            None
        );
        headers.insert(header::COOKIE, lucas.cookie.parse().expect("value"));
        assert_eq!(
            quartier_platform::auth::current_resident(&app.state, &headers).await,
            Some(quartier_platform::auth::ResidentId(2))
        );
        app.state.auth.clock.advance(Duration::from_secs(31 * 60));
        assert_eq!(
            quartier_platform::auth::current_resident(&app.state, &headers).await,
            None,
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
    async fn profile_has_name_address_district_and_language() {
        let app = app();
        let camille = app.sign_in(CAMILLE).await;
        let me = app.get_json(&camille, "/api/v1/me").await;
        assert_eq!(me["id"], 1);
        assert_eq!(me["email"], CAMILLE);
        assert_eq!(me["name"]["full"], "Camille Martin");
        assert!(
            me["address"]["label"]
                .as_str()
                .expect("address")
                .contains("Belleville-sur-Loire"),
            "{me}"
        );
        assert!(!me["district"].as_str().expect("district").is_empty());
        assert_eq!(me["residentSince"], "2015-09-01");
        assert_eq!(me["preferredLanguage"], "fr");
    }

    #[tokio::test]
    async fn my_data_by_category_and_reading_it_is_logged() {
        let app = app();
        let camille = app.sign_in(CAMILLE).await;
        let before = app.access_log_total(&camille).await;
        assert!(before >= 5, "the seed has staff accesses: {before}");
        let data = app.get_json(&camille, "/api/v1/me/data").await;
        let categories = data["categories"].as_array().expect("categories");
        let ids: Vec<&str> = categories
            .iter()
            .map(|c| c["id"].as_str().expect("id"))
            .collect();
        assert_eq!(
            ids,
            [
                "identity",
                "water-meter-readings",
                "waste-badge-uses",
                "issue-reports",
                "consents"
            ]
        );
        for category in categories {
            for field in ["source", "purpose", "legalBasis"] {
                assert!(category[field].is_string(), "{field} of {category}");
            }
            assert!(
                category["retention"]["duration"]
                    .as_str()
                    .expect("iso")
                    .starts_with('P')
            );
            assert!(category["records"]["total"].is_i64());
        }
        let water = &categories[1];
        assert_eq!(water["source"], "water-utility");
        assert_eq!(water["legalBasis"], "contract");
        assert_eq!(water["records"]["total"], 365);
        assert_eq!(
            water["records"]["items"].as_array().expect("items").len(),
            30
        );
        assert!(
            categories[2]["records"]["total"]
                .as_i64()
                .expect("badge uses")
                > 40
        );

        let after = app.access_log_total(&camille).await;
        assert_eq!(after, before + 5, "one entry per category read");
        let log = app
            .get_json(&camille, "/api/v1/me/access-log?limit=1")
            .await;
        let newest = &log["items"][0];
        assert_eq!(newest["actorType"], "self");
        assert_eq!(newest["purpose"], "right-of-access");
        assert!(newest["timestamp"].as_str().expect("time").ends_with('Z'));
        // One category, paged.
        let page = app
            .get_json(
                &camille,
                "/api/v1/me/data?category=water-meter-readings&limit=400&offset=360",
            )
            .await;
        assert_eq!(
            page["categories"][0]["records"]["items"]
                .as_array()
                .expect("items")
                .len(),
            5
        );
        let unknown = app.get(&camille, "/api/v1/me/data?category=dreams").await;
        assert_problem(unknown, StatusCode::BAD_REQUEST, "unknown_category").await;
    }

    #[tokio::test]
    async fn access_log_is_paged_newest_first_with_staff_entries() {
        let app = app();
        let lucas = app.sign_in(LUCAS).await;
        let log = app
            .get_json(&lucas, "/api/v1/me/access-log?limit=100")
            .await;
        let items = log["items"].as_array().expect("items");
        assert!(
            items
                .iter()
                .any(|e| e["actorType"] == "agent" && e["service"] == "water-utility")
        );
        let ids: Vec<i64> = items
            .iter()
            .map(|e| e["id"].as_i64().expect("id"))
            .collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        let second = app
            .get_json(&lucas, "/api/v1/me/access-log?limit=2&offset=2")
            .await;
        assert_eq!(second["items"][0]["id"], items[2]["id"]);
    }

    #[tokio::test]
    async fn export_is_a_dated_json_download_and_is_logged() {
        let app = app();
        let lucas = app.sign_in(LUCAS).await;
        let before = app.access_log_total(&lucas).await;
        let response = app.get(&lucas, "/api/v1/me/export").await;
        assert_eq!(response.status(), StatusCode::OK);
        let disposition = response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"quartier-export-20")
                && disposition.ends_with(".json\""),
            "{disposition}"
        );
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with("application/json")
        );
        let export = json_of(response).await;
        assert_eq!(
            export["categories"][0]["records"]["items"][0]["email"],
            LUCAS
        );
        assert_eq!(
            export["categories"][1]["records"]["items"]
                .as_array()
                .expect("all readings")
                .len(),
            365
        );
        assert!(
            export["accessLog"]
                .as_array()
                .expect("log")
                .iter()
                .any(|e| e["purpose"] == "data-portability")
        );
        assert!(app.access_log_total(&lucas).await > before);
    }

    #[tokio::test]
    async fn erasure_requests_are_recorded_and_listed() {
        let app = app();
        let camille = app.sign_in(CAMILLE).await;
        let response = app
            .call(
                &camille,
                Method::POST,
                "/api/v1/me/erasure-requests",
                json!({ "categories": ["waste-badge-uses"], "reason": "Je déménage." }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let created = json_of(response).await;
        assert_eq!(created["status"], "received");
        assert_eq!(created["categories"], json!(["waste-badge-uses"]));
        assert_eq!(created["reason"], "Je déménage.");
        let listed = app.get_json(&camille, "/api/v1/me/erasure-requests").await;
        assert_eq!(listed["items"][0]["id"], created["id"]);
        let me = app.get_json(&camille, "/api/v1/me").await;
        assert_eq!(me["erasureRequests"][0]["id"], created["id"]);
        let all = app
            .call(
                &camille,
                Method::POST,
                "/api/v1/me/erasure-requests",
                json!({}),
            )
            .await;
        assert_eq!(all.status(), StatusCode::CREATED);
        let bad = app
            .call(
                &camille,
                Method::POST,
                "/api/v1/me/erasure-requests",
                json!({ "categories": ["nope"] }),
            )
            .await;
        assert_problem(bad, StatusCode::BAD_REQUEST, "unknown_category").await;
        let long = app
            .call(
                &camille,
                Method::POST,
                "/api/v1/me/erasure-requests",
                json!({ "reason": "x".repeat(2001) }),
            )
            .await;
        assert_problem(long, StatusCode::BAD_REQUEST, "reason_too_long").await;
    }

    #[tokio::test]
    async fn consent_purposes_are_public_and_bilingual() {
        let app = app();
        let response = app
            .send(
                Request::get("/api/v1/consent-purposes")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = json_of(response).await;
        let purposes = body["purposes"].as_array().expect("purposes");
        assert!((4..=6).contains(&purposes.len()));
        for purpose in purposes {
            for lang in ["fr", "en"] {
                assert!(!purpose["title"][lang].as_str().expect("title").is_empty());
                assert!(
                    !purpose["description"][lang]
                        .as_str()
                        .expect("desc")
                        .is_empty()
                );
            }
            assert_eq!(purpose["legalBasis"], "consent");
            assert!(purpose["controller"]["name"].is_string());
            assert!(purpose["version"].is_string());
            assert!(
                !purpose["dataCategories"]
                    .as_array()
                    .expect("cats")
                    .is_empty()
            );
            assert!(purpose["retention"]["duration"].is_string());
        }
    }

    #[tokio::test]
    async fn each_consent_change_appends_an_event_and_the_receipt_follows() {
        let app = app();
        let lucas = app.sign_in(LUCAS).await;
        let uri = "/api/v1/me/consents/energy-saving-programme";
        let first = app
            .call(&lucas, Method::PUT, uri, json!({ "granted": true }))
            .await;
        assert_eq!(first.status(), StatusCode::OK);
        let first = json_of(first).await;
        assert_eq!(first["header"]["schemaVersion"], "ISO/IEC TS 27560:2023");
        assert_eq!(first["parties"]["subject"]["id"], "2");
        assert_eq!(first["state"], "given");
        let events = first["events"].as_array().expect("events").clone();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["eventType"], "given");
        assert_eq!(events[0]["method"], "quartier-web");
        assert_eq!(events[0]["purposeVersion"], "1.0");

        let second = json_of(
            app.call(&lucas, Method::PUT, uri, json!({ "granted": false }))
                .await,
        )
        .await;
        assert_eq!(second["header"]["recordId"], first["header"]["recordId"]);
        let events2 = second["events"].as_array().expect("events");
        assert_eq!(events2.len(), 2, "appended, not overwritten");
        assert_eq!(events2[0], events[0], "the first event is unchanged");
        assert_eq!(events2[1]["eventType"], "withdrawn");
        assert_eq!(second["state"], "withdrawn");

        let consents = app.get_json(&lucas, "/api/v1/me/consents").await;
        let current = consents["current"]
            .as_array()
            .expect("current")
            .iter()
            .find(|c| c["purposeId"] == "energy-saving-programme")
            .expect("purpose")
            .clone();
        assert_eq!(current["state"], "withdrawn");
        assert_eq!(current["granted"], false);
        // The seeded history (given then withdrawn) is there too.
        let mobility = consents["records"]
            .as_array()
            .expect("records")
            .iter()
            .find(|r| r["processing"]["purposeId"] == "anonymised-mobility-studies")
            .expect("seeded record");
        let types: Vec<&str> = mobility["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["eventType"].as_str().expect("type"))
            .collect();
        assert_eq!(types, ["given", "withdrawn"]);

        // Never given, refused: "refused".
        let refused = json_of(
            app.call(
                &lucas,
                Method::PUT,
                "/api/v1/me/consents/waste-collection-sms-reminders",
                json!({ "granted": false }),
            )
            .await,
        )
        .await;
        assert_eq!(refused["events"][0]["eventType"], "refused");

        let receipt = app.get(&lucas, &format!("{uri}/receipt")).await;
        assert_eq!(receipt.status(), StatusCode::OK);
        assert!(
            receipt.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .expect("ascii")
                .starts_with("attachment;")
        );
        let receipt = json_of(receipt).await;
        for field in [
            "version",
            "jurisdiction",
            "consentTimestamp",
            "collectionMethod",
            "consentReceiptID",
            "language",
            "piiPrincipalId",
            "piiControllers",
            "policyUrl",
            "services",
            "sensitive",
            "spiCat",
        ] {
            assert!(!receipt[field].is_null(), "{field} in {receipt}");
        }
        assert_eq!(receipt["piiPrincipalId"], LUCAS);
        assert_eq!(receipt["consentReceiptID"], first["header"]["recordId"]);
        assert_eq!(receipt["consentState"], "withdrawn");
        let purpose = &receipt["services"][0]["purposes"][0];
        for field in [
            "purpose",
            "purposeCategory",
            "consentType",
            "piiCategory",
            "primaryPurpose",
            "termination",
            "thirdPartyDisclosure",
        ] {
            assert!(!purpose[field].is_null(), "{field}");
        }
        assert_eq!(purpose["thirdPartyDisclosure"], true);

        // The table itself refuses rewriting history.
        let rewrite = app
            .state
            .db
            .call(|conn| Ok(conn.execute("UPDATE consent_events SET event_type = 'given'", [])))
            .await
            .expect("call");
        assert!(rewrite.is_err());
    }

    #[tokio::test]
    async fn unknown_purposes_are_404() {
        let app = app();
        let camille = app.sign_in(CAMILLE).await;
        let put = app
            .call(
                &camille,
                Method::PUT,
                "/api/v1/me/consents/selling-your-data",
                json!({ "granted": true }),
            )
            .await;
        assert_problem(put, StatusCode::NOT_FOUND, "not_found").await;
        let receipt = app
            .get(&camille, "/api/v1/me/consents/selling-your-data/receipt")
            .await;
        assert_problem(receipt, StatusCode::NOT_FOUND, "not_found").await;
        // A known purpose without a record has no receipt.
        let none = app
            .get(
                &camille,
                "/api/v1/me/consents/anonymised-mobility-studies/receipt",
            )
            .await;
        assert_problem(none, StatusCode::NOT_FOUND, "not_found").await;
    }

    #[tokio::test]
    async fn one_resident_never_sees_or_changes_another_residents_data() {
        let app = app();
        // A report owned by each resident, written as the Open311 area would.
        app.state
            .db
            .call(|conn| {
                for (resident, text) in [(1, "camille's pothole"), (2, "lucas's streetlight")] {
                    conn.execute(
                        "INSERT INTO open311_requests (service_code, status, description, \
                         requested_at, updated_at, lat, long, resident_id) \
                         VALUES ('pothole', 'open', ?1, 1790000000, 1790000000, 47.39, 0.69, ?2)",
                        rusqlite::params![text, resident],
                    )?;
                }
                Ok(())
            })
            .await
            .expect("reports");
        let camille = app.sign_in(CAMILLE).await;
        let lucas = app.sign_in(LUCAS).await;
        let camille_consents = app.get_json(&camille, "/api/v1/me/consents").await;
        let camille_record = camille_consents["records"][0]["header"]["recordId"].clone();

        // Lucas changes "his" newsletter consent; Camille's history is untouched.
        let camille_before = camille_consents["records"].clone();
        app.call(
            &lucas,
            Method::PUT,
            "/api/v1/me/consents/town-newsletter",
            json!({ "granted": false }),
        )
        .await;
        assert_eq!(
            app.get_json(&camille, "/api/v1/me/consents").await["records"],
            camille_before
        );

        for uri in [
            "/api/v1/me",
            "/api/v1/me/data",
            "/api/v1/me/access-log",
            "/api/v1/me/export",
            "/api/v1/me/consents",
            "/api/v1/me/reports",
            "/api/v1/me/erasure-requests",
            // Ids in the URL or query never select a resident.
            "/api/v1/me?id=1",
            "/api/v1/me/data?resident_id=1",
            "/api/v1/me/reports?resident_id=1",
        ] {
            let body = app.get_json(&lucas, uri).await.to_string();
            assert!(!body.contains(CAMILLE), "{uri} leaks Camille's email");
            assert!(
                !body.contains("camille's pothole"),
                "{uri} leaks Camille's report"
            );
            assert!(!body.contains("Camille"), "{uri} leaks Camille's name");
            assert!(
                !body.contains(camille_record.as_str().expect("id")),
                "{uri} leaks Camille's consent record"
            );
        }
        // Lucas's own reports (the demo seeds some too) include the one made above.
        let reports = app.get_json(&lucas, "/api/v1/me/reports?limit=200").await;
        let items = reports["items"].as_array().expect("items");
        assert_eq!(reports["total"].as_u64(), Some(items.len() as u64));
        assert!(
            items
                .iter()
                .any(|r| r["description"] == "lucas's streetlight")
        );
        let receipt = json_of(
            app.get(
                &lucas,
                "/api/v1/me/consents/water-consumption-alerts/receipt",
            )
            .await,
        )
        .await;
        assert_eq!(receipt["piiPrincipalId"], LUCAS);
        // Lucas's reads are logged on Lucas's log, never on Camille's.
        let camille_log = app
            .get_json(&camille, "/api/v1/me/access-log?limit=200")
            .await;
        assert!(
            camille_log["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter(|e| e["actorType"] == "self")
                .all(|e| e["purpose"] == "right-of-access")
        );
        let camille_self_reads = camille_log["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["actorType"] == "self")
            .count();
        assert_eq!(camille_self_reads, 2, "only Camille's two consent reads");
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

    #[tokio::test]
    async fn openapi_documents_every_route_and_every_documented_route_exists() {
        let app = app();
        let response = app
            .send(
                Request::get("/api/v1/openapi.json")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let doc = json_of(response).await;
        let paths = doc["paths"].as_object().expect("paths");
        for path in [
            "/v1/session",
            "/v1/me",
            "/v1/me/data",
            "/v1/me/access-log",
            "/v1/me/export",
            "/v1/me/erasure-requests",
            "/v1/consent-purposes",
            "/v1/me/consents",
            "/v1/me/consents/{purpose_id}",
            "/v1/me/reports",
            "/v1/openapi.json",
        ] {
            assert!(paths.contains_key(path), "{path} missing");
        }
        let camille = app.sign_in(CAMILLE).await;
        for (path, item) in paths {
            for method in item.as_object().expect("item").keys() {
                let uri = format!("/api{}", path.replace("{purpose_id}", "town-newsletter"));
                let method: Method = method.to_uppercase().parse().expect("method");
                if method == Method::DELETE {
                    continue; // would sign Camille out; covered by its own test
                }
                let response = app
                    .call(&camille, method.clone(), &uri, json!({ "granted": true }))
                    .await;
                assert!(
                    response.status() != StatusCode::NOT_FOUND
                        && response.status() != StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {uri}: {}",
                    response.status()
                );
            }
        }
    }

    #[tokio::test]
    async fn malformed_input_gets_a_4xx_problem_never_a_5xx() {
        let app = app();
        let camille = app.sign_in(CAMILLE).await;
        let send_raw = |body: Vec<u8>, content_type: &'static str| {
            Request::put("/api/v1/me/consents/town-newsletter")
                .header(header::COOKIE, &camille.cookie)
                .header("x-csrf-token", &camille.csrf)
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .expect("request")
        };
        let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
            (
                b"{not json".to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_json",
            ),
            (
                br#"{"granted":"yes"}"#.to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_body",
            ),
            (
                br#"{"granted":true,"resident_id":1}"#.to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_body",
            ),
            (
                b"[]".to_vec(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_body",
            ),
            (
                vec![0xff, 0xfe, 0x00],
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_json",
            ),
            (
                br#"{"granted":true}"#.to_vec(),
                "text/plain",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                vec![b' '; 64 * 1024],
                "application/json",
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
        ];
        for (body, content_type, status, code) in cases {
            assert_problem(app.send(send_raw(body, content_type)).await, status, code).await;
        }
        let sign_in = Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"email": 5}"#))
            .expect("request");
        assert_problem(
            app.send(sign_in).await,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        )
        .await;
        let huge = Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(vec![b'x'; 2 * 1024 * 1024]))
            .expect("request");
        assert_problem(
            app.send(huge).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        )
        .await;
        for uri in [
            "/api/v1/me/access-log?limit=abc",
            "/api/v1/me/data?offset=-1",
            "/api/v1/me/reports?limit=99999999999999",
        ] {
            let response = app.get(&camille, uri).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                "application/problem+json"
            );
        }
        assert_problem(
            app.get(&camille, "/api/v1/me/nothing-here").await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let wrong_method = Request::patch("/api/v1/me")
            .header(header::COOKIE, &camille.cookie)
            .body(Body::empty())
            .expect("request");
        assert_problem(
            app.send(wrong_method).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
}
