//! `PATCH /api/v1/staff/requests/{id}`: staff accounts move reports along with a bearer token,
//! Open311 then shows it; residents' sessions can never use it.

use std::time::Duration;

use quartier_api::{
    Timestamp,
    open311::{RequestStatus, ServiceRequest, json::parse_service_request},
    staff::{RequestUpdate, SCOPE_OPEN311_UPDATE, UpdateStatus},
};
use quartier_platform::staff::{DEMO_STAFF_TOKEN, StaffAccount};

use super::support::*;

const VIEWER_TOKEN: &str = "viewer-token-0123456789abcdef0123456789";
const AGENT_TOKEN: &str = "agent-token-0123456789abcdef0123456789ab";

pub fn staff_patch(id: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::patch(format!("/api/v1/staff/requests/{id}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_owned())).expect("request")
}

async fn open311_request(platform: &Platform, id: &str) -> ServiceRequest {
    let reply = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    parse_service_request(&reply.text()).expect("the contract reads it")
}

#[tokio::test]
async fn staff_set_status_notes_and_expected_date_and_open311_shows_them() {
    let platform = platform();
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;
    let before = open311_request(&platform, &id).await;
    platform
        .state
        .auth
        .clock
        .advance(Duration::from_secs(3 * 3600));
    let now = platform.state.auth.clock.now();

    let update = RequestUpdate {
        status: Some(UpdateStatus::Open),
        status_notes: Some("Intervention planifiée jeudi.".to_owned()),
        expected_datetime: Some(Timestamp::parse("2026-12-03T09:00:00+01:00").expect("date")),
    };
    let body = serde_json::to_string(&update).expect("json");
    let reply = platform
        .send(staff_patch(&id, Some(DEMO_STAFF_TOKEN), &body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.content_type(), "application/json");
    let answered: ServiceRequest = serde_json::from_slice(&reply.body).expect("a ServiceRequest");
    assert_eq!(answered.service_request_id, id);
    assert_eq!(
        answered.status_notes.as_deref(),
        Some("Intervention planifiée jeudi.")
    );
    let expected = answered.expected_datetime.clone().expect("expected date");
    assert_eq!(
        expected.unix_millis(),
        1_796_284_800_000,
        "2026-12-03T08:00:00Z"
    );
    let updated = answered.updated_datetime.clone().expect("updated");
    assert!(
        (updated.unix_millis() / 1000 - now).abs() <= 2,
        "the platform's clock stamps it"
    );
    assert!(updated.unix_millis() > before.updated_datetime.expect("before").unix_millis());

    let shown = open311_request(&platform, &id).await;
    assert_eq!(
        shown, answered,
        "Open311 GET shows what the staff API answered"
    );

    // Closing keeps the expected date and replaces the notes.
    platform.state.auth.clock.advance(Duration::from_secs(600));
    let closed = platform
        .send(staff_patch(
            &id,
            Some(DEMO_STAFF_TOKEN),
            r#"{"status":"closed","status_notes":"Lampe remplacée."}"#,
        ))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.text());
    let shown = open311_request(&platform, &id).await;
    assert_eq!(shown.status, RequestStatus::Closed);
    assert_eq!(shown.status_notes.as_deref(), Some("Lampe remplacée."));
    assert_eq!(shown.expected_datetime, Some(expected));
    assert!(shown.updated_datetime.expect("updated").unix_millis() > updated.unix_millis());
    let closed_list = platform
        .get(&format!(
            "/open311/v2/requests.json?status=closed&service_request_id={id}"
        ))
        .await;
    assert_eq!(closed_list.json()[0]["status"], "closed");

    // Blank notes remove them.
    let cleared = platform
        .send(staff_patch(
            &id,
            Some(DEMO_STAFF_TOKEN),
            r#"{"status_notes":""}"#,
        ))
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(open311_request(&platform, &id).await.status_notes, None);
}

#[tokio::test]
async fn only_a_staff_token_with_the_scope_may_update() {
    let platform = platform_with(|settings| {
        settings.staff_accounts = vec![
            StaffAccount::new("viewer", VIEWER_TOKEN, &[]),
            StaffAccount::new("agent", AGENT_TOKEN, &[SCOPE_OPEN311_UPDATE]),
        ];
    });
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;
    let close = r#"{"status":"closed"}"#;

    let anonymous = platform.send(staff_patch(&id, None, close)).await;
    assert_eq!(anonymous.problem(StatusCode::UNAUTHORIZED), "invalid_token");
    assert!(
        anonymous.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .expect("ascii")
            .starts_with("Bearer")
    );
    let wrong = platform
        .send(staff_patch(&id, Some("not-a-staff-token"), close))
        .await;
    assert_eq!(wrong.problem(StatusCode::UNAUTHORIZED), "invalid_token");

    // A resident's session, CSRF token included, is no staff credential.
    let (cookie, csrf) = sign_in(&platform, "camille.martin@example.org").await;
    let mut resident = staff_patch(&id, None, close);
    resident
        .headers_mut()
        .insert(header::COOKIE, cookie.parse().expect("cookie"));
    resident
        .headers_mut()
        .insert("x-csrf-token", csrf.parse().expect("csrf"));
    let resident = platform.send(resident).await;
    assert_eq!(resident.problem(StatusCode::UNAUTHORIZED), "invalid_token");

    let viewer = platform
        .send(staff_patch(&id, Some(VIEWER_TOKEN), close))
        .await;
    assert_eq!(viewer.problem(StatusCode::FORBIDDEN), "insufficient_scope");
    assert_eq!(
        open311_request(&platform, &id).await.status,
        RequestStatus::Open,
        "nothing refused changed the request"
    );

    let agent = platform
        .send(staff_patch(&id, Some(AGENT_TOKEN), close))
        .await;
    assert_eq!(agent.status, StatusCode::OK, "{}", agent.text());
    assert_eq!(
        open311_request(&platform, &id).await.status,
        RequestStatus::Closed
    );
}

#[tokio::test]
async fn the_demo_staff_token_works_in_demo_mode_only() {
    let production = platform_with(|settings| settings.demo = false);
    let refused = production
        .send(staff_patch(
            "1",
            Some(DEMO_STAFF_TOKEN),
            r#"{"status":"closed"}"#,
        ))
        .await;
    assert_eq!(refused.problem(StatusCode::UNAUTHORIZED), "invalid_token");
}

#[tokio::test]
async fn bad_updates_get_problem_details() {
    let platform = platform();
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;
    let token = Some(DEMO_STAFF_TOKEN);
    for (target, body, status, code) in [
        (id.as_str(), "{}", StatusCode::BAD_REQUEST, "empty_update"),
        (
            id.as_str(),
            r#"{"status":null}"#,
            StatusCode::BAD_REQUEST,
            "empty_update",
        ),
        (
            id.as_str(),
            r#"{"status":"pending"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            id.as_str(),
            r#"{"status":"open","resident_id":2}"#,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            id.as_str(),
            r#"{"expected_datetime":"soon"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            id.as_str(),
            r#"{"expected_datetime":"2026-12-03T09:00"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_field",
        ),
        (
            id.as_str(),
            "{not json",
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            "999999",
            r#"{"status":"closed"}"#,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "abc",
            r#"{"status":"closed"}"#,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let reply = platform.send(staff_patch(target, token, body)).await;
        assert_eq!(reply.problem(status), code, "{body}");
    }
    let long_notes = json!({ "status_notes": "x".repeat(4001) }).to_string();
    let reply = platform.send(staff_patch(&id, token, &long_notes)).await;
    assert_eq!(reply.problem(StatusCode::BAD_REQUEST), "invalid_field");
    assert_eq!(reply.json()["detail"], "status_notes: too_long");
    assert_eq!(open311_request(&platform, &id).await.status_notes, None);
}
