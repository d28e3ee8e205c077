//! One resident never reads or changes another resident's data, whatever the URL says.

use super::support::*;

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
