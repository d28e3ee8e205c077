//! The access log's filters (period, service, kind of reader), their totals, their errors, the
//! list of services, and the app's own reads shown as such.

use quartier_api::{
    Timestamp,
    resident::{AccessLogEntry, AccessLogPage, AccessLogQuery},
};

use super::support::*;

const DAY_MILLIS: i64 = 86_400_000;

async fn page(app: &App, who: &Signed, query: &str) -> AccessLogPage {
    let value = app
        .get_json(who, &format!("/api/v1/me/access-log?limit=200&{query}"))
        .await;
    serde_json::from_value(value).expect("an access-log page")
}

fn ids(entries: &[AccessLogEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.id.as_str()).collect()
}

/// `YYYY-MM-DD` of the UTC day `days` before `at`.
fn date_before(at: &Timestamp, days: i64) -> String {
    Timestamp::from_unix_millis(at.unix_millis() - days * DAY_MILLIS).as_str()[..10].to_owned()
}

fn query(from: &str, to: &str, service: &str, actor_type: &str) -> AccessLogQuery {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    AccessLogQuery {
        from: some(from),
        to: some(to),
        service: some(service),
        actor_type: some(actor_type),
    }
}

/// The query string of `q`, as the app builds it from the contract.
fn query_string(q: &AccessLogQuery) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(q.pairs())
        .finish()
}

#[tokio::test]
async fn filters_narrow_the_log_and_total_counts_what_passes() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    // A read of her own data through the app, so that every kind of reader is in the log.
    app.get_json(&camille, "/api/v1/me/consents").await;
    let all = page(&app, &camille, "").await;
    assert_eq!(
        all.page.total,
        all.page.items.len() as u64,
        "the whole log fits in a page"
    );
    let newest = all.page.items[0].timestamp.clone();
    let middle = all.page.items[all.page.items.len() / 2].timestamp.clone();
    let cases = [
        query(&date_before(&newest, 90), "", "", ""),
        query("", &date_before(&newest, 180), "", ""),
        query(
            &date_before(&newest, 200),
            &date_before(&newest, 100),
            "",
            "",
        ),
        query("", middle.as_str(), "", ""),
        query("", "", "water-utility", ""),
        query("", "", "waste-service", ""),
        query("", "", "town-hall-resident-services", ""),
        query("", "", "", "agent"),
        query("", "", "", "service"),
        query("", "", "", "self"),
        query(&date_before(&newest, 120), "", "water-utility", "service"),
    ];
    for q in cases {
        let filter = q.filter().expect("a valid filter");
        let expected: Vec<&AccessLogEntry> = all
            .page
            .items
            .iter()
            .filter(|e| filter.matches(e))
            .collect();
        let got = page(&app, &camille, &query_string(&q)).await;
        assert!(
            !expected.is_empty() && expected.len() < all.page.items.len(),
            "{q:?} narrows the log: {} of {}",
            expected.len(),
            all.page.items.len()
        );
        assert_eq!(got.page.total, expected.len() as u64, "{q:?}");
        assert_eq!(
            ids(&got.page.items),
            expected.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            "{q:?}"
        );
        assert_eq!(got.services, all.services, "services ignore the filters");
    }
    // A date-time `to` includes that instant; a date `to` its whole day.
    let up_to_middle = page(&app, &camille, &format!("to={}", middle.as_str())).await;
    assert_eq!(up_to_middle.page.items[0].timestamp, middle);
    let that_day = &middle.as_str()[..10];
    let one_day = page(&app, &camille, &format!("from={that_day}&to={that_day}")).await;
    assert!(one_day.page.items.iter().any(|e| e.timestamp == middle));
    assert!(
        one_day
            .page
            .items
            .iter()
            .all(|e| e.timestamp.as_str().starts_with(that_day))
    );
    // Paging walks the filtered entries, with the filtered total.
    let water = page(&app, &camille, "service=water-utility").await;
    let second = app
        .get_json(
            &camille,
            "/api/v1/me/access-log?service=water-utility&limit=3&offset=3",
        )
        .await;
    let second: AccessLogPage = serde_json::from_value(second).expect("page");
    assert_eq!(second.page.total, water.page.total);
    assert_eq!(ids(&second.page.items), ids(&water.page.items[3..6]));
    assert_eq!(second.next_offset(), Some(6));
    // Nothing matches an unknown service; that is an empty page, not an error.
    let none = page(&app, &camille, "service=no-such-service").await;
    assert_eq!((none.page.total, none.page.items.len()), (0, 0));
}

#[tokio::test]
async fn services_list_every_service_of_the_log_and_the_apps_reads_show_as_such() {
    let app = app();
    let lucas = app.sign_in(LUCAS).await;
    let seeded = page(&app, &lucas, "").await;
    let mut distinct: Vec<String> = seeded
        .page
        .items
        .iter()
        .map(|e| e.service.clone())
        .collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(seeded.services, distinct, "sorted, each once");
    assert!(seeded.services.len() >= 5, "{:?}", seeded.services);
    assert!(
        !seeded.services.iter().any(|s| s == "quartier-resident-api"),
        "the seed logs no read by the resident"
    );

    app.get_json(&lucas, "/api/v1/me/data?category=water-meter-readings")
        .await;
    let own = page(&app, &lucas, "actorType=self").await;
    assert_eq!(own.page.total, 1);
    let read = &own.page.items[0];
    assert_eq!(
        (
            read.agent.as_str(),
            read.service.as_str(),
            read.purpose.as_str()
        ),
        ("self", "quartier-resident-api", "right-of-access")
    );
    assert_eq!(read.category, "water-meter-readings");
    let now = page(&app, &lucas, "service=water-utility").await;
    assert!(now.services.iter().any(|s| s == "quartier-resident-api"));
    assert_eq!(now.services.len(), seeded.services.len() + 1);
}

#[tokio::test]
async fn bad_filters_are_a_400_naming_the_parameter() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    for (query, parameter) in [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("to=2026-11-01T25:00:00Z", "to"),
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("actorType=robot", "actorType"),
    ] {
        let response = app
            .get(&camille, &format!("/api/v1/me/access-log?{query}"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let problem = json_of(response).await;
        assert_eq!(problem["code"], codes::INVALID_FILTER, "{query}");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(
            detail.starts_with(&format!("{parameter}: ")),
            "{query}: {detail}"
        );
    }
    // Blank parameters (an emptied form field) are no filter.
    let blank = page(&app, &camille, "from=&to=&service=&actorType=").await;
    assert_eq!(blank, page(&app, &camille, "").await);
}

#[tokio::test]
async fn one_residents_filters_never_show_anothers_entries() {
    let app = app();
    let camille = app.sign_in(CAMILLE).await;
    let lucas = app.sign_in(LUCAS).await;
    app.get_json(&camille, "/api/v1/me/data").await;
    let hers = page(&app, &camille, "").await;
    let her_ids: Vec<&str> = ids(&hers.page.items);
    let his = page(&app, &lucas, "").await;
    let newest = his.page.items[0].timestamp.clone();
    for q in [
        "",
        "service=water-utility",
        "service=quartier-resident-api",
        "actorType=self",
        "actorType=service",
        &format!("from={}", date_before(&newest, 365)),
        "service=water-utility&actorType=service",
    ] {
        let got = page(&app, &lucas, q).await;
        assert!(
            got.page
                .items
                .iter()
                .all(|e| !her_ids.contains(&e.id.as_str())),
            "{q}: one of Camille's entries"
        );
        assert!(
            got.page
                .items
                .iter()
                .all(|e| e.agent != "consumption-alerts"),
            "{q}: Camille's alerts job"
        );
        assert!(got.page.total <= his.page.total);
        assert_eq!(got.services, his.services, "{q}: Lucas's services only");
    }
    assert_eq!(page(&app, &lucas, "actorType=self").await.page.total, 0);
}
