//! Every path of the app is spelled here, once. Paths are in English (they are part of the
//! interface that towns link to and tests rely on); the UI text is translated.

/// A place in the app that a link can point to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Map,
    Report,
    ReportDetail(String),
    MyReports,
    SignIn,
    MyData,
    Consents,
    EmbedMap,
    EmbedReport,
    Accessibility,
    LegalNotice,
}

impl Route {
    /// The path of this route, ready for an `href`.
    pub fn path(&self) -> String {
        match self {
            Route::Home => "/".into(),
            Route::Map => "/map".into(),
            Route::Report => "/report".into(),
            Route::ReportDetail(id) => format!("/reports/{}", encode_segment(id)),
            Route::MyReports => "/my-reports".into(),
            Route::SignIn => "/sign-in".into(),
            Route::MyData => "/my-data".into(),
            Route::Consents => "/consents".into(),
            Route::EmbedMap => "/embed/map".into(),
            Route::EmbedReport => "/embed/report".into(),
            Route::Accessibility => "/accessibility".into(),
            Route::LegalNotice => "/legal-notice".into(),
        }
    }

    /// The route at a path (as `location.pathname` gives it), or `None` for a page the app
    /// does not have. A trailing slash is tolerated: towns type links by hand.
    pub fn from_path(path: &str) -> Option<Route> {
        let path = match path.strip_suffix('/') {
            Some(stripped) if !stripped.is_empty() => stripped,
            _ => path,
        };
        Some(match path {
            "/" => Route::Home,
            "/map" => Route::Map,
            "/report" => Route::Report,
            "/my-reports" => Route::MyReports,
            "/sign-in" => Route::SignIn,
            "/my-data" => Route::MyData,
            "/consents" => Route::Consents,
            "/embed/map" => Route::EmbedMap,
            "/embed/report" => Route::EmbedReport,
            "/accessibility" => Route::Accessibility,
            "/legal-notice" => Route::LegalNotice,
            _ => {
                let id = path.strip_prefix("/reports/")?;
                if id.is_empty() || id.contains('/') {
                    return None;
                }
                Route::ReportDetail(decode_segment(id)?)
            }
        })
    }

    /// Whether this is one of the chrome-less iframe widgets.
    pub fn is_embed(&self) -> bool {
        matches!(self, Route::EmbedMap | Route::EmbedReport)
    }
}

/// Percent-encodes a path segment (ids come from the API: Open311 ids may hold any character).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Reverses [`encode_segment`]; `None` for a malformed escape or bytes that are not UTF-8.
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_the_design_document() {
        assert_eq!(Route::Home.path(), "/");
        assert_eq!(Route::Map.path(), "/map");
        assert_eq!(Route::Report.path(), "/report");
        assert_eq!(Route::ReportDetail("42".into()).path(), "/reports/42");
        assert_eq!(Route::MyReports.path(), "/my-reports");
        assert_eq!(Route::SignIn.path(), "/sign-in");
        assert_eq!(Route::MyData.path(), "/my-data");
        assert_eq!(Route::Consents.path(), "/consents");
        assert_eq!(Route::EmbedMap.path(), "/embed/map");
        assert_eq!(Route::EmbedReport.path(), "/embed/report");
    }

    #[test]
    fn report_ids_are_encoded_as_one_segment() {
        assert_eq!(
            Route::ReportDetail("14-01100669".into()).path(),
            "/reports/14-01100669"
        );
        assert_eq!(
            Route::ReportDetail("a/b c".into()).path(),
            "/reports/a%2Fb%20c"
        );
    }

    #[test]
    fn every_route_is_found_at_its_own_path() {
        let all = [
            Route::Home,
            Route::Map,
            Route::Report,
            Route::ReportDetail("14-01100669".into()),
            Route::ReportDetail("a/b c é".into()),
            Route::MyReports,
            Route::SignIn,
            Route::MyData,
            Route::Consents,
            Route::EmbedMap,
            Route::EmbedReport,
            Route::Accessibility,
            Route::LegalNotice,
        ];
        for route in all {
            assert_eq!(Route::from_path(&route.path()), Some(route));
        }
    }

    #[test]
    fn unknown_paths_are_not_routes() {
        assert_eq!(Route::from_path("/map/"), Some(Route::Map));
        assert_eq!(Route::from_path("/maps"), None);
        assert_eq!(Route::from_path("/reports/"), None);
        assert_eq!(Route::from_path("/reports/1/2"), None);
        assert_eq!(Route::from_path("/reports/%ZZ"), None);
        assert_eq!(Route::from_path("/api/v1/me/export"), None);
        assert_eq!(Route::from_path("/embed"), None);
    }

    #[test]
    fn only_the_widgets_are_embeds() {
        assert!(Route::EmbedMap.is_embed());
        assert!(Route::EmbedReport.is_embed());
        assert!(!Route::Map.is_embed());
        assert_eq!(Route::from_path("/embedded"), None);
    }
}
