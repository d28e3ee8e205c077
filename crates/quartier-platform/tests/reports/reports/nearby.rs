//! `GET requests.json?lat=&long=&radius=`: the nearby-search extension, nearest first.

use quartier_api::{LonLat, open311::json::parse_service_requests};

use super::support::*;

/// `(lat, long)` this many metres north of `(lat, long)`.
fn north_of((lat, long): (f64, f64), metres: f64) -> (f64, f64) {
    (
        lat + (metres / quartier_api::geo::EARTH_RADIUS_M).to_degrees(),
        long,
    )
}

#[tokio::test]
async fn nearby_search_keeps_the_circle_nearest_first_with_the_other_filters() {
    let platform = platform();
    let origin = centre();
    let mut ids = Vec::new();
    for metres in [40.0, 10.0, 120.0, 25.0] {
        let (lat, long) = north_of(origin, metres);
        ids.push(create(&platform, &report_at("lampadaire-eteint", lat, long)).await);
    }
    let (at_40, at_10, at_120, at_25) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    let (lat, long) = north_of(origin, 15.0);
    let other_service = create(&platform, &report_at("aire-de-jeux", lat, long)).await;
    platform
        .state
        .db
        .call({
            let closed = at_25.clone();
            move |conn| {
                conn.execute(
                    "UPDATE open311_requests SET status = 'closed' WHERE id = ?1",
                    [closed.parse::<i64>().expect("id")],
                )?;
                Ok(())
            }
        })
        .await
        .expect("close");

    let (lat, long) = origin;
    let search =
        |extra: &str| format!("/open311/v2/requests.json?lat={lat}&long={long}&radius=60{extra}");
    let reply = platform
        .get(&search("&service_code=lampadaire-eteint&status=open"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let found = parse_service_requests(&reply.text()).expect("the contract reads it");
    let centre = LonLat::new(long, lat).expect("centre");
    let distances: Vec<f64> = found
        .iter()
        .map(|r| centre.distance_m(&r.position.expect("a position")))
        .collect();
    assert!(distances.iter().all(|d| *d <= 60.0), "{distances:?}");
    assert!(
        distances.windows(2).all(|pair| pair[0] <= pair[1]),
        "nearest first: {distances:?}"
    );
    assert!(found.iter().all(|r| {
        r.service_code.as_deref() == Some("lampadaire-eteint") && r.status.as_str() == "open"
    }));
    let listed: Vec<&str> = found
        .iter()
        .map(|r| r.service_request_id.as_str())
        .filter(|id| ids.iter().any(|mine| mine == id) || *id == other_service)
        .collect();
    assert_eq!(
        listed,
        [at_10.as_str(), at_40.as_str()],
        "120 m, closed and other service out"
    );
    assert_eq!(
        reply.headers["x-total-count"].to_str().expect("count"),
        found.len().to_string()
    );

    // Without the status filter the closed one is back, between 10 and 40 m.
    let all = parse_service_requests(&platform.get(&search("")).await.text()).expect("list");
    let mine: Vec<&str> = all
        .iter()
        .map(|r| r.service_request_id.as_str())
        .filter(|id| ids.iter().any(|m| m == id) || *id == other_service)
        .collect();
    assert_eq!(
        mine,
        [
            at_10.as_str(),
            other_service.as_str(),
            at_25.as_str(),
            at_40.as_str()
        ]
    );
    assert!(!mine.contains(&at_120.as_str()));

    // Pages follow the same order.
    let first =
        parse_service_requests(&platform.get(&search("&page_size=1")).await.text()).expect("page");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].service_request_id, all[0].service_request_id);
    let second = parse_service_requests(&platform.get(&search("&page_size=1&page=2")).await.text())
        .expect("page");
    assert_eq!(second[0].service_request_id, all[1].service_request_id);

    // A wider circle reaches the 120 m one; XML gives the same order.
    let wide = platform
        .get(&format!(
            "/open311/v2/requests.xml?lat={lat}&long={long}&radius=130&service_code=lampadaire-eteint"
        ))
        .await;
    let wide = quartier_api::open311::xml::parse_service_requests(&wide.text()).expect("xml");
    let order: Vec<&str> = wide
        .iter()
        .map(|r| r.service_request_id.as_str())
        .filter(|id| ids.iter().any(|m| m == id))
        .collect();
    assert_eq!(order, [at_10, at_25, at_40, at_120].map(String::as_str));
}

#[tokio::test]
async fn nearby_search_refuses_bad_values_in_open311_format() {
    let platform = platform();
    for (query, expected) in [
        (
            "lat=47.39&long=0.68&radius=501",
            vec!["radius: not a distance in metres above 0 and at most 500"],
        ),
        (
            "lat=47.39&long=0.68&radius=-1",
            vec!["radius: not a distance in metres above 0 and at most 500"],
        ),
        (
            "lat=north&radius=50",
            vec![
                "lat: not a latitude (needed with long and radius)",
                "long: not a longitude (needed with lat and radius)",
            ],
        ),
        (
            "lat=95&long=0.68",
            vec!["lat: not a latitude (needed with long and radius)"],
        ),
        (
            "radius=50",
            vec![
                "lat: not a latitude (needed with long and radius)",
                "long: not a longitude (needed with lat and radius)",
            ],
        ),
        (
            "lat=47.39&long=0.68&radius=50&status=pending",
            vec!["status: not open or closed"],
        ),
    ] {
        let reply = platform
            .get(&format!("/open311/v2/requests.json?{query}"))
            .await;
        assert_eq!(reply.errors(StatusCode::BAD_REQUEST), expected, "{query}");
    }
    let xml = platform
        .get("/open311/v2/requests.xml?lat=47.39&long=0.68&radius=0")
        .await;
    assert_eq!(xml.status, StatusCode::BAD_REQUEST);
    let errors = quartier_api::open311::xml::parse_errors(&xml.text()).expect("XML errors");
    assert_eq!(errors[0].http_status(), Some(400));
}
