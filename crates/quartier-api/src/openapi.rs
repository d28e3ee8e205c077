//! OpenAPI schemas (utoipa) of the types whose serde is written by hand: what the derives
//! cannot read from serde attributes. Compiled with the `openapi` feature only.

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        RefOr,
        schema::{ObjectBuilder, Schema, SchemaFormat, SchemaType, Type},
    },
};

use crate::{
    Timestamp,
    open311::{AttributeAnswer, RequestStatus},
};

/// A string, one of `known` when the list is given (other values are read, and kept, too).
pub(crate) fn text(known: &[&str], format: Option<SchemaFormat>) -> RefOr<Schema> {
    let mut schema = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .format(format);
    if !known.is_empty() {
        schema = schema.examples(known.iter().copied());
        schema = schema.description(Some(format!(
            "One of {}; other values are passed through.",
            known.join(", ")
        )));
    }
    schema.into()
}

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        text(
            &[],
            Some(SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::DateTime,
            )),
        )
    }
}

impl ToSchema for Timestamp {}

impl PartialSchema for RequestStatus {
    fn schema() -> RefOr<Schema> {
        text(&["open", "closed"], None)
    }
}

impl ToSchema for RequestStatus {}

/// An answer to a category's question: one text, or a list of texts (a multi-value list).
impl PartialSchema for AttributeAnswer {
    fn schema() -> RefOr<Schema> {
        let one = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::String));
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(one())
            .item(utoipa::openapi::schema::ArrayBuilder::new().items(one()))
            .into()
    }
}

impl ToSchema for AttributeAnswer {}

/// The position of an Open311 request, as its two fields (`lat`, `long`; `null` without one).
#[derive(ToSchema)]
#[allow(dead_code)]
pub(crate) struct LatLong {
    lat: Option<f64>,
    long: Option<f64>,
}
