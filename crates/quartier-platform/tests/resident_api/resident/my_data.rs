//! Profile, personal data by category, the access log, export and erasure requests.

use super::support::*;

#[tokio::test]
async fn profile_has_name_address_district_and_language() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    let me = app.get_json(&camille, "/api/v1/me").await;
    assert_eq!(
        me["id"], "1",
        "ids are opaque text, as the contract has them"
    );
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
        .map(|e| {
            e["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .expect("an id (opaque text, here digits)")
        })
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
