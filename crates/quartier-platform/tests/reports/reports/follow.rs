//! `POST requests/{id}/follow.json`: "+1, tell me when it's fixed", counted once per follower.

use quartier_api::open311::json::parse_service_request;

use super::support::*;

fn follow_uri(id: &str) -> String {
    format!("/open311/v2/requests/{id}/follow.json")
}

async fn followers(platform: &Platform, id: &str) -> Option<u32> {
    let reply = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    parse_service_request(&reply.text())
        .expect("the contract reads it")
        .followers
}

#[tokio::test]
async fn following_counts_each_device_and_resident_once() {
    let platform = platform();
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;
    assert_eq!(
        followers(&platform, &id).await,
        Some(0),
        "the reporter is not counted"
    );

    let device = |token: &'static str| {
        form_request(
            &follow_uri(&id),
            &[("api_key", DEMO_API_KEY), ("follower", token)],
            &[],
        )
    };
    let first = platform.send(device("device-a")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let answered = parse_service_request(&first.text()).expect("the request, as GET gives it");
    assert_eq!(answered.service_request_id, id);
    assert_eq!(answered.followers, Some(1));
    let again = platform.send(device("device-a")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        followers(&platform, &id).await,
        Some(1),
        "twice counts once"
    );
    platform.send(device("device-b")).await;
    assert_eq!(followers(&platform, &id).await, Some(2));

    // A signed-in resident follows as themselves, whatever device token comes along.
    let (cookie, csrf) = sign_in(&platform, "camille.martin@example.org").await;
    for token in ["device-c", "device-d"] {
        let reply = platform
            .send(form_request(
                &follow_uri(&id),
                &[("api_key", DEMO_API_KEY), ("follower", token)],
                &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    assert_eq!(followers(&platform, &id).await, Some(3));

    // The count shows in lists and in XML too.
    let list = platform
        .get(&format!(
            "/open311/v2/requests.json?service_request_id={id}"
        ))
        .await;
    assert_eq!(list.json()[0]["followers"], 3);
    let xml = platform
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await;
    assert!(
        xml.text().contains("<followers>3</followers>"),
        "{}",
        xml.text()
    );
    let parsed = quartier_api::open311::xml::parse_service_request(&xml.text()).expect("xml");
    assert_eq!(parsed.followers, Some(3));
    // And in the resident's own list (Camille follows it, she did not make it).
    let mine = platform
        .send(
            Request::get("/api/v1/me/reports?limit=200")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["followers"].is_u64()),
        "{}",
        mine.text()
    );
}

#[tokio::test]
async fn following_has_the_rules_of_a_report() {
    let platform = platform();
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;

    let unknown = platform
        .send(form_request(
            &follow_uri("999999"),
            &[("api_key", DEMO_API_KEY), ("follower", "device-a")],
            &[],
        ))
        .await;
    assert_eq!(
        unknown.errors(StatusCode::NOT_FOUND),
        ["service_request_id: unknown"]
    );
    let not_an_id = platform
        .send(form_request(
            &follow_uri("abc"),
            &[("api_key", DEMO_API_KEY), ("follower", "device-a")],
            &[],
        ))
        .await;
    assert_eq!(not_an_id.status, StatusCode::NOT_FOUND);
    let unknown_xml = platform
        .send(form_request(
            "/open311/v2/requests/999999/follow.xml",
            &[("api_key", DEMO_API_KEY), ("follower", "device-a")],
            &[],
        ))
        .await;
    assert_eq!(unknown_xml.status, StatusCode::NOT_FOUND);
    assert!(
        unknown_xml
            .text()
            .contains("<errors><error><code>404</code>")
    );

    for fields in [
        vec![("follower", "device-a")],
        vec![("api_key", "wrong"), ("follower", "device-a")],
    ] {
        let refused = platform
            .send(form_request(&follow_uri(&id), &fields, &[]))
            .await;
        assert_eq!(
            refused.errors(StatusCode::FORBIDDEN),
            ["api_key: invalid or missing"]
        );
    }
    let in_query = platform
        .send(form_request(
            &format!("{}?api_key=wrong", follow_uri(&id)),
            &[("follower", "device-a")],
            &[],
        ))
        .await;
    assert_eq!(in_query.status, StatusCode::FORBIDDEN);

    let no_follower = platform
        .send(form_request(
            &follow_uri(&id),
            &[("api_key", DEMO_API_KEY)],
            &[],
        ))
        .await;
    assert_eq!(
        no_follower.errors(StatusCode::BAD_REQUEST),
        ["follower: required without a signed-in session (an opaque token the device keeps)"]
    );

    // A session cookie without its CSRF token is refused, as for a report.
    let (cookie, _) = sign_in(&platform, "camille.martin@example.org").await;
    let forged = platform
        .send(form_request(
            &follow_uri(&id),
            &[("api_key", DEMO_API_KEY)],
            &[("cookie", &cookie)],
        ))
        .await;
    assert_eq!(
        forged.errors(StatusCode::FORBIDDEN),
        ["X-CSRF-Token: csrf_mismatch"]
    );
    assert_eq!(
        followers(&platform, &id).await,
        Some(0),
        "nothing refused counted"
    );
}

#[tokio::test]
async fn follows_are_rate_limited_per_client() {
    let platform = platform();
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;
    platform
        .state
        .open311
        .follow_limiter
        .set(quartier_platform::rate::Rate::new(
            quartier_platform::rate::nonzero(2),
            quartier_platform::rate::Per::Minute,
        ));
    let follow = |token: &'static str| {
        form_request(
            &follow_uri(&id),
            &[("api_key", DEMO_API_KEY), ("follower", token)],
            &[],
        )
    };
    for token in ["device-a", "device-b"] {
        assert_eq!(platform.send(follow(token)).await.status, StatusCode::OK);
    }
    let third = platform.send(follow("device-c")).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.text()
    );
    assert!(third.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(
        followers(&platform, &id).await,
        Some(2),
        "invented tokens are bounded"
    );
}
