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

    /// Whether a path belongs to the chrome-less iframe widgets.
    pub fn is_embed_path(path: &str) -> bool {
        path == "/embed" || path.starts_with("/embed/")
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
    fn embed_paths_are_recognised() {
        assert!(Route::is_embed_path("/embed/map"));
        assert!(Route::is_embed_path("/embed/report"));
        assert!(!Route::is_embed_path("/embedded"));
        assert!(!Route::is_embed_path("/map"));
    }
}
