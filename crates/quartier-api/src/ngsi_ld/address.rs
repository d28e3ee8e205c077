//! Smart Data Models' `address`: a schema.org `PostalAddress` object as a Property value.

use serde::Deserialize;
use serde_json::Value;

use super::Entity;

/// The parts of a postal address a resident reads.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    /// "12 rue des Lilas".
    #[serde(default)]
    pub street_address: Option<String>,
    /// "37000".
    #[serde(default)]
    pub postal_code: Option<String>,
    /// The town: "Belleville".
    #[serde(default)]
    pub address_locality: Option<String>,
}

impl PostalAddress {
    /// Reads an address value; a plain text is taken as the street address.
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::String(text) => Some(PostalAddress {
                street_address: Some(text.clone()),
                ..PostalAddress::default()
            }),
            Value::Object(_) => serde_json::from_value(value.clone()).ok(),
            _ => None,
        }
        .filter(|a: &PostalAddress| !a.one_line().is_empty())
    }

    /// "12 rue des Lilas 37000 Belleville".
    pub fn one_line(&self) -> String {
        [
            &self.street_address,
            &self.postal_code,
            &self.address_locality,
        ]
        .into_iter()
        .flatten()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
    }
}

impl PostalAddress {
    /// Where in the town: the street address alone when there is one ("12 rue des Lilas"),
    /// for lists inside one town; otherwise the whole line.
    pub fn street_line(&self) -> String {
        match self.street_address.as_deref().map(str::trim) {
            Some(street) if !street.is_empty() => street.to_string(),
            _ => self.one_line(),
        }
    }
}

impl Entity {
    /// The entity's postal address (`address`), if it has a readable one.
    pub fn postal_address(&self) -> Option<PostalAddress> {
        PostalAddress::from_value(&self.property("address")?.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_read_as_one_line() {
        let address = PostalAddress::from_value(&json!({
            "type": "PostalAddress", "streetAddress": "12 rue des Lilas",
            "postalCode": "37000", "addressLocality": "Belleville"
        }))
        .unwrap();
        assert_eq!(address.one_line(), "12 rue des Lilas 37000 Belleville");
        assert_eq!(
            PostalAddress::from_value(&json!("Place de la Mairie"))
                .unwrap()
                .one_line(),
            "Place de la Mairie"
        );
        assert_eq!(address.street_line(), "12 rue des Lilas");
        let no_street = PostalAddress::from_value(&json!({"postalCode": "37000",
            "addressLocality": "Belleville"}))
        .unwrap();
        assert_eq!(no_street.street_line(), "37000 Belleville");
        assert_eq!(PostalAddress::from_value(&json!({})), None);
        assert_eq!(PostalAddress::from_value(&json!(3)), None);
    }
}
