//! The demo town's seeded reports have moved along, as the app's `/reports/{id}` shows them.

use quartier_api::open311::{RequestStatus, json::parse_service_requests};

use super::support::*;

#[tokio::test]
async fn seeded_reports_are_closed_with_notes_or_planned_with_a_date() {
    let platform = platform();
    let reply = platform
        .get("/open311/v2/requests.json?start_date=2000-01-01&page_size=1000")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let all = parse_service_requests(&reply.text()).expect("the contract reads it");
    let millis = |at: &Option<quartier_api::Timestamp>| at.as_ref().expect("a date").unix_millis();

    let closed: Vec<_> = all
        .iter()
        .filter(|r| r.status == RequestStatus::Closed)
        .collect();
    assert!(closed.len() >= 20, "{} closed", closed.len());
    for request in &closed {
        assert!(
            request.status_notes.is_some(),
            "{}",
            request.service_request_id
        );
        assert!(millis(&request.updated_datetime) > millis(&request.requested_datetime));
    }

    let (planned, untouched): (Vec<_>, Vec<_>) = all
        .iter()
        .filter(|r| r.status == RequestStatus::Open)
        .partition(|r| r.status_notes.is_some());
    assert!(planned.len() >= 10, "{} planned", planned.len());
    for request in &planned {
        let updated = millis(&request.updated_datetime);
        assert!(updated > millis(&request.requested_datetime));
        assert!(
            millis(&request.expected_datetime) > updated,
            "{}: the plan comes after the answer",
            request.service_request_id
        );
    }
    assert!(!untouched.is_empty());
    for request in &untouched {
        assert_eq!(request.expected_datetime, None);
        assert_eq!(request.updated_datetime, request.requested_datetime);
    }
}
