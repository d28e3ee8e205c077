//! What `GET /ngsi-ld/v1/attributes` and `GET /types/{type}` answer (ETSI GS CIM 009 v1.9,
//! 5.2.24–5.2.28): the attribute names in use, one attribute's use, one entity type's.

use serde::{Deserialize, Serialize};

/// `GET attributes`: the names of every attribute in use (5.2.24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeList {
    /// A URI naming this list.
    pub id: String,
    /// `AttributeList`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The attribute names.
    pub attribute_list: Vec<String>,
}

impl AttributeList {
    /// The list of `names`.
    pub fn new(names: Vec<String>) -> Self {
        Self {
            id: format!("urn:ngsi-ld:AttributeList:{}", names.join("-")),
            kind: "AttributeList".into(),
            attribute_list: names,
        }
    }
}

/// `GET attributes/{attr}` (and `GET attributes?details=true`, one per attribute): how one
/// attribute is used (5.2.25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeInfo {
    /// The attribute's name (its IRI, or the short name of a known vocabulary).
    pub id: String,
    /// `Attribute`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The attribute's name.
    pub attribute_name: String,
    /// How many entities have it (absent from a type's `attributeDetails`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_count: Option<usize>,
    /// `Property`, `Relationship`, `GeoProperty`… (absent from `GET attributes?details=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_types: Option<Vec<String>>,
    /// The entity types that have it (absent from a type's `attributeDetails`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_names: Option<Vec<String>>,
}

/// `GET types`: the names of every entity type in use (5.2.23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityTypeList {
    /// A URI naming this list.
    pub id: String,
    /// `EntityTypeList`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The type names.
    pub type_list: Vec<String>,
}

impl EntityTypeList {
    /// The list of `names`.
    pub fn new(names: Vec<String>) -> Self {
        Self {
            id: format!("urn:ngsi-ld:EntityTypeList:{}", names.join("-")),
            kind: "EntityTypeList".into(),
            type_list: names,
        }
    }
}

/// `GET types?details=true`: one entity type and its attribute names (5.2.24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityType {
    /// The type's IRI.
    pub id: String,
    /// `EntityType`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The type's name.
    pub type_name: String,
    /// The names of its attributes.
    pub attribute_names: Vec<String>,
}

/// `GET types/{type}`: one entity type (5.2.27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityTypeInfo {
    /// The type's name.
    pub id: String,
    /// `EntityTypeInfo`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The type's name.
    pub type_name: String,
    /// How many entities are of this type.
    pub entity_count: usize,
    /// Its attributes.
    pub attribute_details: Vec<AttributeInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_the_spec_s_member_names() {
        let info = EntityTypeInfo {
            id: "Streetlight".into(),
            kind: "EntityTypeInfo".into(),
            type_name: "Streetlight".into(),
            entity_count: 2,
            attribute_details: vec![AttributeInfo {
                id: "status".into(),
                kind: "Attribute".into(),
                attribute_name: "status".into(),
                attribute_count: None,
                attribute_types: Some(vec!["Property".into()]),
                type_names: None,
            }],
        };
        assert_eq!(
            serde_json::to_value(&info).unwrap(),
            json!({"id": "Streetlight", "type": "EntityTypeInfo", "typeName": "Streetlight",
                   "entityCount": 2, "attributeDetails": [{"id": "status", "type": "Attribute",
                   "attributeName": "status", "attributeTypes": ["Property"]}]})
        );
        let list = AttributeList::new(vec!["a".into(), "b".into()]);
        assert_eq!(
            serde_json::to_value(&list).unwrap()["attributeList"],
            json!(["a", "b"])
        );
    }
}
