//! What comes back from `POST requests.json` and from `GET tokens/{token}.json`.

use crate::error::ParseError;
use crate::json_read::Fields;
use serde::Serialize;
use serde_json::Value;

/// The answer to posting a request: an id (realtime services) or a token (batch services).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedRequest {
    /// The new request's id, when the server assigned one at once.
    pub service_request_id: Option<String>,
    /// A token to exchange later for the id (`tokens/{token}`), for batch services.
    pub token: Option<String>,
    /// Information for the resident (trimmed; `None` when empty).
    pub service_notice: Option<String>,
    /// The resident's account at the town, when the server has one (`<account_id/>` → `None`).
    pub account_id: Option<String>,
}

/// How to follow a posted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestRef<'a> {
    /// Follow `requests/{id}`.
    Id(&'a str),
    /// Ask `tokens/{token}` for the id first.
    Token(&'a str),
}

impl CreatedRequest {
    /// Reads one created-request item; at least one of `service_request_id` and `token`
    /// must be present.
    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        let created = CreatedRequest {
            service_request_id: f.text("service_request_id")?,
            token: f.text("token")?,
            service_notice: f.text("service_notice")?,
            account_id: f.text("account_id")?,
        };
        if created.service_request_id.is_none() && created.token.is_none() {
            return Err(ParseError::missing(
                document,
                f.at("service_request_id (or token)"),
            ));
        }
        Ok(created)
    }

    /// The id if there is one, else the token.
    pub fn reference(&self) -> Option<RequestRef<'_>> {
        match (&self.service_request_id, &self.token) {
            (Some(id), _) => Some(RequestRef::Id(id)),
            (None, Some(token)) => Some(RequestRef::Token(token)),
            (None, None) => None,
        }
    }
}

/// The answer of `GET tokens/{token}`: the id behind a token, once assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenLookup {
    /// The request's id; `None` while the server has not assigned one yet.
    pub service_request_id: Option<String>,
    /// The token that was asked about.
    pub token: String,
}

impl TokenLookup {
    pub(crate) fn from_value(
        document: &'static str,
        path: &str,
        value: &Value,
    ) -> Result<Self, ParseError> {
        let f = Fields::new(document, path, value)?;
        Ok(TokenLookup {
            service_request_id: f.text("service_request_id")?,
            token: f.required_text("token")?,
        })
    }
}

super::deserialize_via_value!(CreatedRequest, "Open311 POST service request response");
super::deserialize_via_value!(TokenLookup, "Open311 request id from token");

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_or_token() {
        let by_id = CreatedRequest::from_value(
            "doc",
            "",
            &json!({"service_request_id": 293944, "service_notice": "  Notice \n", "account_id": null}),
        )
        .unwrap();
        assert_eq!(by_id.reference(), Some(RequestRef::Id("293944")));
        assert_eq!(by_id.service_notice.as_deref(), Some("Notice"));
        assert_eq!(by_id.account_id, None);
        let by_token =
            CreatedRequest::from_value("doc", "", &json!({"token": "abc-1", "account_id": 12}))
                .unwrap();
        assert_eq!(by_token.reference(), Some(RequestRef::Token("abc-1")));
        assert_eq!(by_token.account_id.as_deref(), Some("12"));
        let neither = CreatedRequest::from_value("doc", "x", &json!({"service_notice": "n"}));
        assert_eq!(
            neither.unwrap_err().field(),
            Some("x.service_request_id (or token)")
        );
    }

    #[test]
    fn token_lookup_numbers_become_text() {
        let t = TokenLookup::from_value(
            "doc",
            "",
            &json!({"service_request_id": 638344, "token": 12345}),
        )
        .unwrap();
        assert_eq!(t.service_request_id.as_deref(), Some("638344"));
        assert_eq!(t.token, "12345");
        let pending = TokenLookup::from_value("doc", "", &json!({"token": "9"})).unwrap();
        assert_eq!(pending.service_request_id, None);
        assert_eq!(
            serde_json::to_value(&pending).unwrap(),
            json!({"service_request_id": null, "token": "9"})
        );
    }
}
