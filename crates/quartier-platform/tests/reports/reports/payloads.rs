//! HTML from the API is data: a service name (`--demo-html-payloads`) and a staff note holding
//! markup come back verbatim in JSON and escaped in XML, for the app to show as text.

use quartier_api::open311::{json, xml};
use quartier_platform::{routes::open311::catalogue::HTML_PAYLOAD, staff::DEMO_STAFF_TOKEN};

use super::{staff::staff_patch, support::*};

const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;";
const NOTE: &str = "<img src=x onerror=alert(1)>";

fn with_payloads() -> Platform {
    platform_with(|settings| settings.demo_html_payloads = true)
}

#[tokio::test]
async fn the_html_payload_service_is_served_verbatim_and_escaped_in_xml() {
    let platform = with_payloads();
    let services = json::parse_services(&platform.get("/open311/v2/services.json").await.text())
        .expect("the contract reads it");
    let payload = services
        .iter()
        .find(|service| service.service_code == "demo-html-payload")
        .expect("listed");
    assert_eq!(payload.service_name, HTML_PAYLOAD);
    assert_eq!(payload.description.as_deref(), Some(HTML_PAYLOAD));

    let services_xml = platform.get("/open311/v2/services.xml").await.text();
    assert!(services_xml.contains(&format!("<service_name>{ESCAPED}</service_name>")));
    assert!(!services_xml.contains("<script>"), "never as markup");
    let from_xml = xml::parse_services(&services_xml).expect("well-formed XML");
    assert!(from_xml.iter().any(|s| s.service_name == HTML_PAYLOAD));

    let definition = platform
        .get("/open311/v2/services/demo-html-payload.json")
        .await;
    assert_eq!(definition.status, StatusCode::OK);

    let (lat, long) = centre();
    let id = create(&platform, &report_at("demo-html-payload", lat, long)).await;
    let request = json::parse_service_request(
        &platform
            .get(&format!("/open311/v2/requests/{id}.json"))
            .await
            .text(),
    )
    .expect("request");
    assert_eq!(request.service_name.as_deref(), Some(HTML_PAYLOAD));
    let request_xml = platform
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await
        .text();
    assert!(request_xml.contains(ESCAPED) && !request_xml.contains("<script>"));
}

#[tokio::test]
async fn without_the_flag_the_payload_service_does_not_exist() {
    for platform in [
        platform(),
        // A test aid of the demo only: a real town never offers it.
        platform_with(|settings| {
            settings.demo = false;
            settings.demo_html_payloads = true;
        }),
    ] {
        let services = platform.get("/open311/v2/services.json").await.text();
        assert!(!services.contains("demo-html-payload"), "{services}");
        let definition = platform
            .get("/open311/v2/services/demo-html-payload.json")
            .await;
        assert_eq!(
            definition.errors(StatusCode::NOT_FOUND),
            ["service_code: unknown"]
        );
    }
    let platform = platform();
    let (lat, long) = centre();
    let fields = report_at("demo-html-payload", lat, long);
    let refused = platform
        .send(form_request(
            "/open311/v2/requests.json",
            &pairs(&fields),
            &[],
        ))
        .await;
    assert_eq!(
        refused.errors(StatusCode::BAD_REQUEST),
        ["service_code: not_an_option"]
    );
}

#[tokio::test]
async fn a_staff_note_with_markup_is_stored_and_returned_verbatim() {
    let platform = platform();
    let (lat, long) = centre();
    let id = create(&platform, &report_at("lampadaire-eteint", lat, long)).await;
    let body = serde_json::json!({ "status_notes": NOTE }).to_string();
    let patched = platform
        .send(staff_patch(&id, Some(DEMO_STAFF_TOKEN), &body))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text());
    assert_eq!(patched.json()["status_notes"], NOTE);

    let from_json = platform
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await;
    assert_eq!(
        from_json.json()[0]["status_notes"],
        NOTE,
        "verbatim in JSON"
    );
    let from_xml = platform
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await
        .text();
    assert!(
        from_xml.contains("<status_notes>&lt;img src=x onerror=alert(1)&gt;</status_notes>"),
        "{from_xml}"
    );
    assert!(!from_xml.contains("<img"), "never as markup");
    let parsed = xml::parse_service_request(&from_xml).expect("well-formed XML");
    assert_eq!(parsed.status_notes.as_deref(), Some(NOTE));
}
