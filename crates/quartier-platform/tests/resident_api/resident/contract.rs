//! The OpenAPI document matches the routes; malformed input gets a 4xx ProblemDetails.

use super::support::*;

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
        "/v1/schemas/export.json",
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

/// Every answer of the platform reads with the contract crate's types, as the app reads it,
/// and the enums come out as known values (not `Other`), so server and app agree on the words.
#[tokio::test]
async fn every_answer_reads_with_the_contract_types() {
    use quartier_api::resident as api;

    fn read<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> T {
        serde_json::from_value(value.clone()).unwrap_or_else(|error| {
            panic!("{what} does not read as the contract: {error}\n{value}")
        })
    }

    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    let session: api::SessionInfo =
        read(app.get_json(&camille, "/api/v1/session").await, "session");
    assert_eq!(session.csrf(), Some(camille.csrf.as_str()));
    let anonymous = app
        .send(
            Request::get("/api/v1/session")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    let anonymous: api::SessionInfo = read(json_of(anonymous).await, "anonymous session");
    assert!(!anonymous.authenticated);

    app.call(
        &camille,
        Method::POST,
        "/api/v1/me/erasure-requests",
        json!({ "categories": ["waste-badge-uses"] }),
    )
    .await;
    let profile: api::Profile = read(app.get_json(&camille, "/api/v1/me").await, "profile");
    assert_eq!(profile.name.full, "Camille Martin");
    assert_eq!(profile.erasure_requests.len(), 1);
    assert_eq!(
        profile.erasure_requests[0].status,
        api::ErasureStatus::Received
    );

    let data: api::MyData = read(app.get_json(&camille, "/api/v1/me/data").await, "my data");
    assert_eq!(data.categories.len(), 5);
    for category in &data.categories {
        assert!(
            !matches!(category.legal_basis, api::LegalBasis::Other(_)),
            "{:?}",
            category.legal_basis
        );
    }
    let log: api::AccessLogPage = read(
        app.get_json(&camille, "/api/v1/me/access-log").await,
        "access log",
    );
    assert!(
        log.page
            .items
            .iter()
            .all(|e| !matches!(e.actor_type, api::ActorType::Other(_)))
    );
    assert!(log.services.iter().any(|s| s == "quartier-resident-api"));
    let _: api::Export = read(app.get_json(&camille, "/api/v1/me/export").await, "export");
    let _: api::ErasureRequests = read(
        app.get_json(&camille, "/api/v1/me/erasure-requests").await,
        "erasure requests",
    );
    let purposes: api::ConsentPurposes = read(
        app.get_json(&camille, "/api/v1/consent-purposes").await,
        "purposes",
    );
    assert_eq!(purposes.purposes.len(), 5);
    let consents: api::MyConsents = read(
        app.get_json(&camille, "/api/v1/me/consents").await,
        "consents",
    );
    let newsletter = consents.record("town-newsletter").expect("seeded record");
    assert!(!newsletter.is_granted(), "given then withdrawn");
    for record in &consents.records {
        for event in &record.events {
            assert!(!matches!(event.event_type, api::ConsentEventType::Other(_)));
        }
    }
    let changed = app
        .call(
            &camille,
            Method::PUT,
            "/api/v1/me/consents/town-newsletter",
            json!({ "granted": true }),
        )
        .await;
    let record: api::ConsentRecord = read(json_of(changed).await, "consent record");
    assert!(record.is_granted());
    let receipt: api::ConsentReceipt = read(
        app.get_json(&camille, "/api/v1/me/consents/town-newsletter/receipt")
            .await,
        "receipt",
    );
    assert_eq!(receipt.version, api::KANTARA_VERSION);
    let reports: api::ReportsPage = read(
        app.get_json(&camille, "/api/v1/me/reports").await,
        "reports",
    );
    assert_eq!(reports.total, reports.items.len() as u64);
    let problem = app.get(&camille, "/api/v1/me/data?category=dreams").await;
    let problem: api::ApiProblem = read(json_of(problem).await, "problem");
    assert_eq!(problem.code, "unknown_category");
}
