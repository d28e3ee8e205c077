//! The export's published JSON Schema: served as a cacheable draft 2020-12 document, linked
//! from every export, and a real export validates against it (and a broken one does not).

use super::support::*;

const SCHEMA_PATH: &str = "/api/v1/schemas/export.json";

async fn served_schema(app: &App) -> Value {
    let response = app
        .send(
            Request::get(SCHEMA_PATH)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/schema+json"
    );
    json_of(response).await
}

/// A validator for the schema as a resident's tool would build it: 2020-12, formats checked.
fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[tokio::test]
async fn the_schema_is_a_cacheable_draft_2020_12_document() {
    let app = app();
    let response = app
        .send(
            Request::get(SCHEMA_PATH)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cache = response.headers()[header::CACHE_CONTROL]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cache.starts_with("public, max-age="), "{cache}");
    let etag = response.headers()[header::ETAG].clone();
    let schema = json_of(response).await;
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(schema["$id"].as_str().is_some_and(|id| id.contains(':')));
    jsonschema::draft202012::meta::validate(&schema)
        .unwrap_or_else(|error| panic!("not a valid 2020-12 schema: {error}"));
    // Derived from the OpenAPI document's Export component, references made local.
    let openapi = json_of(
        app.send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .expect("request"),
        )
        .await,
    )
    .await;
    let export = &openapi["components"]["schemas"]["Export"];
    assert_eq!(
        schema["required"], export["required"],
        "the Export component's"
    );
    let text = schema.to_string();
    assert!(!text.contains("#/components/"), "no OpenAPI reference left");
    for name in [
        "AccessLogEntry",
        "DataCategory",
        "ErasureRequest",
        "Controller",
    ] {
        assert!(schema["$defs"][name].is_object(), "$defs/{name}");
    }
    // Cacheable: the same ETag answers 304 without a body.
    let again = app
        .send(
            Request::get(SCHEMA_PATH)
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_real_export_validates_and_holds_the_consent_history() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    for granted in [false, true] {
        let response = app
            .call(
                &camille,
                Method::PUT,
                "/api/v1/me/consents/water-consumption-alerts",
                json!({ "granted": granted }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    app.call(
        &camille,
        Method::POST,
        "/api/v1/me/erasure-requests",
        json!({ "categories": ["waste-badge-uses"], "reason": "Je déménage." }),
    )
    .await;
    let response = app.get(&camille, "/api/v1/me/export").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::LINK],
        r#"</api/v1/schemas/export.json>; rel="describedby""#
    );
    let export = json_of(response).await;
    let validator = validator(&served_schema(&app).await);
    assert_eq!(errors(&validator, &export), Vec::<String>::new());

    // Everything is there: the profile, every category, the consent records with their whole
    // history (the withdraw and give above last), the reports, the log, the erasure request.
    let category = |id: &str| {
        export["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no category {id}"))
            .clone()
    };
    assert_eq!(
        category("identity")["records"]["items"][0]["email"],
        CAMILLE
    );
    let consents = category("consents")["records"]["items"].clone();
    let alerts = consents
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["processing"]["purposeId"] == "water-consumption-alerts")
        .expect("the alerts record");
    let events: Vec<&str> = alerts["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["eventType"].as_str().expect("eventType"))
        .collect();
    assert_eq!(
        events,
        ["given", "withdrawn", "given"],
        "seeded, then the two above"
    );
    let reports = category("issue-reports")["records"].clone();
    assert_eq!(
        reports["total"],
        reports["items"].as_array().expect("items").len()
    );
    assert!(
        reports["total"].as_u64().expect("total") > 0,
        "Camille has reports"
    );
    let log = export["accessLog"].as_array().expect("log");
    let all = app
        .get_json(&camille, "/api/v1/me/access-log?limit=200")
        .await;
    assert_eq!(
        log.len() as u64,
        all["total"].as_u64().expect("total"),
        "the whole log"
    );
    assert!(log.iter().any(|e| e["purpose"] == "data-portability"));
    assert_eq!(export["erasureRequests"][0]["reason"], "Je déménage.");

    // The schema has teeth: a missing member or a wrong type fails.
    let broken = |change: &dyn Fn(&mut Value)| {
        let mut copy = export.clone();
        change(&mut copy);
        copy
    };
    for (what, instance) in [
        (
            "no accessLog",
            broken(&|e| {
                e.as_object_mut().expect("object").remove("accessLog");
            }),
        ),
        (
            "accessLog as text",
            broken(&|e| e["accessLog"] = json!("all")),
        ),
        (
            "exportedAt a number",
            broken(&|e| e["exportedAt"] = json!(42)),
        ),
        (
            "exportedAt not a date-time",
            broken(&|e| e["exportedAt"] = json!("last Tuesday")),
        ),
        (
            "an entry without its reader",
            broken(&|e| {
                e["accessLog"][0]
                    .as_object_mut()
                    .expect("entry")
                    .remove("actorType");
            }),
        ),
        (
            "a total below zero",
            broken(&|e| e["categories"][1]["records"]["total"] = json!(-1)),
        ),
    ] {
        assert!(
            !errors(&validator, &instance).is_empty(),
            "{what} passes the schema"
        );
    }
}
