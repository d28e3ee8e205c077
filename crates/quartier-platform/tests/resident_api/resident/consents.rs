//! Consent purposes, ISO/IEC TS 27560 records (append-only events) and Kantara receipts.

use super::support::*;

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
    // A receipt has its own id, the withdrawal's; the record id names the whole history.
    assert_ne!(receipt["consentReceiptID"], first["header"]["recordId"]);
    assert_eq!(receipt["consentReceiptID"], events2[1]["receiptId"]);
    assert_eq!(receipt["recordId"], first["header"]["recordId"]);
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
async fn a_consent_for_an_older_purpose_version_is_to_be_renewed() {
    let app = app();
    let lucas = app.sign_in(LUCAS).await;
    let uri = "/api/v1/me/consents/energy-saving-programme";
    let given = app
        .call(
            &lucas,
            Method::PUT,
            uri,
            json!({ "granted": true, "language": "en" }),
        )
        .await;
    assert_eq!(given.status(), StatusCode::OK);
    let record = json_of(given).await;
    let event = &record["events"][0];
    assert_eq!(event["purposeVersion"], "1.0");
    assert_eq!(
        event["notice"],
        json!({"id": "notice:energy-saving-programme", "version": "1.0", "language": "en"})
    );
    let receipt_id = event["receiptId"].as_str().expect("receipt id").to_owned();
    assert_ne!(
        receipt_id,
        record["header"]["recordId"].as_str().expect("record id")
    );

    let current = |consents: &Value| {
        consents["current"]
            .as_array()
            .expect("current")
            .iter()
            .find(|c| c["purposeId"] == "energy-saving-programme")
            .expect("purpose")
            .clone()
    };
    let now = current(&app.get_json(&lucas, "/api/v1/me/consents").await);
    assert_eq!(now["granted"], true);
    assert_eq!(now["renewalNeeded"], false);
    assert_eq!(now["consentedVersion"], "1.0");

    // The town rewrites the purpose: version 2.0.
    let bumped = app.restarted_with(|settings| {
        for purpose in &mut settings.consent_purposes {
            if purpose.id == "energy-saving-programme" {
                purpose.version = "2.0";
            }
        }
    });
    let after = current(&bumped.get_json(&lucas, "/api/v1/me/consents").await);
    assert_eq!(after["state"], "given", "the last event is still a consent");
    assert_eq!(after["granted"], false, "but not to the current text");
    assert_eq!(after["renewalNeeded"], true);
    assert_eq!(after["consentedVersion"], "1.0");
    assert_eq!(after["purposeVersion"], "2.0");

    // The receipt attests what was consented to, not the catalogue's current version.
    let receipt = bumped.get_json(&lucas, &format!("{uri}/receipt")).await;
    assert_eq!(receipt["consentReceiptID"], receipt_id.as_str());
    assert_eq!(receipt["recordId"], record["header"]["recordId"]);
    assert_eq!(receipt["purposeVersion"], "1.0");
    assert_eq!(receipt["notice"]["version"], "1.0");
    assert_eq!(receipt["notice"]["language"], "en");
    let parsed: quartier_api::resident::ConsentReceipt =
        serde_json::from_value(receipt).expect("a contract receipt");
    assert_eq!(parsed.consent_state.as_deref(), Some("given"));

    // Giving it again answers version 2.0, with a new receipt.
    let renewed = json_of(
        bumped
            .call(&lucas, Method::PUT, uri, json!({ "granted": true }))
            .await,
    )
    .await;
    let last = renewed["events"]
        .as_array()
        .expect("events")
        .last()
        .expect("event")
        .clone();
    assert_eq!(last["purposeVersion"], "2.0");
    assert_eq!(
        last["notice"]["language"], "fr",
        "Lucas's preferred language"
    );
    assert_ne!(last["receiptId"], receipt_id.as_str());
    let after = current(&bumped.get_json(&lucas, "/api/v1/me/consents").await);
    assert_eq!(after["granted"], true);
    assert_eq!(after["renewalNeeded"], false);
}

#[tokio::test]
async fn a_consent_change_in_a_language_the_notice_lacks_is_refused() {
    let app = app();
    let lucas = app.sign_in(LUCAS).await;
    let response = app
        .call(
            &lucas,
            Method::PUT,
            "/api/v1/me/consents/town-newsletter",
            json!({ "granted": true, "language": "de" }),
        )
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST, codes::INVALID_BODY).await;
}
