//! The Open311 tables of migration 0003: requests, uploaded photos, idempotency keys (and
//! those that came later: the photos of a request in order, followers). Synchronous functions
//! on a connection, called inside `Db::call`.

use quartier_api::open311::AttributeAnswer;
use rusqlite::{
    Connection, OptionalExtension, Row, params,
    types::{Type, Value as SqlValue},
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::{catalogue, format::Node, nearby::Near, submit::NewRequest, time};
use crate::error::AppError;

/// One request as the GET routes show it (contact fields are never shown).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRequest {
    pub id: i64,
    pub service_code: String,
    pub status: String,
    pub status_notes: Option<String>,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_at: i64,
    pub updated_at: i64,
    pub expected_at: Option<i64>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    pub media_id: Option<i64>,
    /// The uploaded photos (`open311_request_media`), in order; the first is `media_id`.
    pub media_ids: Vec<i64>,
    pub asset_id: Option<String>,
    /// Rows of `open311_followers` (extension `followers`).
    pub followers: i64,
    /// The answers to the service's attributes, as stored: code → text or list of texts.
    pub attributes: Map<String, Value>,
}

const COLUMNS: &str = "id, service_code, status, status_notes, description, agency_responsible, \
    service_notice, requested_at, updated_at, expected_at, address, address_id, zipcode, lat, \
    long, media_url, media_id, asset_id, \
    (SELECT COUNT(*) FROM open311_followers f WHERE f.request_id = open311_requests.id), \
    (SELECT json_group_array(m.media_id ORDER BY m.position) FROM open311_request_media m \
     WHERE m.request_id = open311_requests.id), \
    attributes";

impl StoredRequest {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            service_code: row.get(1)?,
            status: row.get(2)?,
            status_notes: row.get(3)?,
            description: row.get(4)?,
            agency_responsible: row.get(5)?,
            service_notice: row.get(6)?,
            requested_at: row.get(7)?,
            updated_at: row.get(8)?,
            expected_at: row.get(9)?,
            address: row.get(10)?,
            address_id: row.get(11)?,
            zipcode: row.get(12)?,
            lat: row.get(13)?,
            long: row.get(14)?,
            media_url: row.get(15)?,
            media_id: row.get(16)?,
            asset_id: row.get(17)?,
            followers: row.get(18)?,
            media_ids: json_column(row, 19)?,
            attributes: json_column(row, 20)?,
        })
    }

    /// The spec's request element; `base` is the API root (`http://host/open311/v2`) that an
    /// uploaded photo's URL starts with. `media_urls`, `asset_id`, `followers` and `attributes`
    /// are this platform's extensions.
    pub fn to_node(&self, base: &str) -> Node {
        let service_name = catalogue::find(&self.service_code)
            .map_or(self.service_code.as_str(), |service| service.name);
        // Every photo; without an upload, the URL the client gave (if any) is the only one.
        let media_urls: Vec<String> = if self.media_ids.is_empty() {
            self.media_url.iter().cloned().collect()
        } else {
            self.media_ids
                .iter()
                .map(|id| format!("{base}/media/{id}"))
                .collect()
        };
        Node::Record(vec![
            ("service_request_id", Node::text(self.id.to_string())),
            ("status", Node::text(self.status.clone())),
            ("status_notes", Node::opt_text(self.status_notes.clone())),
            ("service_name", Node::text(service_name)),
            ("service_code", Node::text(self.service_code.clone())),
            ("description", Node::opt_text(self.description.clone())),
            (
                "agency_responsible",
                Node::opt_text(self.agency_responsible.clone()),
            ),
            (
                "service_notice",
                Node::opt_text(self.service_notice.clone()),
            ),
            (
                "requested_datetime",
                Node::text(time::format(self.requested_at)),
            ),
            (
                "updated_datetime",
                Node::text(time::format(self.updated_at)),
            ),
            (
                "expected_datetime",
                Node::opt_text(self.expected_at.map(time::format)),
            ),
            ("address", Node::opt_text(self.address.clone())),
            ("address_id", Node::opt_text(self.address_id.clone())),
            ("zipcode", Node::opt_text(self.zipcode.clone())),
            ("lat", Node::opt_float(self.lat)),
            ("long", Node::opt_float(self.long)),
            ("media_url", Node::opt_text(media_urls.first().cloned())),
            (
                "media_urls",
                Node::List {
                    item: "media_url",
                    items: media_urls.into_iter().map(Node::Text).collect(),
                },
            ),
            ("asset_id", Node::opt_text(self.asset_id.clone())),
            ("followers", Node::Int(self.followers)),
            ("attributes", answers_node(&self.attributes)),
        ])
    }
}

/// The `attributes` extension: code → text, or → list of texts for a multivaluelist, the shape
/// the contract's `ServiceRequest::attributes` reads.
fn answers_node(attributes: &Map<String, Value>) -> Node {
    let entries = answers(attributes)
        .into_iter()
        .map(|(code, answer)| {
            let node = match answer {
                AttributeAnswer::Single(text) => Node::Text(text),
                AttributeAnswer::Multiple(values) => Node::List {
                    item: "value",
                    items: values.into_iter().map(Node::Text).collect(),
                },
            };
            (code, node)
        })
        .collect();
    Node::Map {
        item: "attribute",
        entries,
    }
}

/// The stored answers (code → text or list of texts) as the contract types them, blank ones
/// left out.
pub fn answers(attributes: &Map<String, Value>) -> BTreeMap<String, AttributeAnswer> {
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.trim().to_owned()).filter(|text| !text.is_empty()),
        // Stored answers are text; a number or boolean would be read as its JSON text.
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    };
    attributes
        .iter()
        .filter_map(|(code, value)| {
            let answer = match value {
                Value::Array(values) => {
                    let values: Vec<String> = values.iter().filter_map(text).collect();
                    (!values.is_empty()).then_some(AttributeAnswer::Multiple(values))
                }
                value => text(value).map(AttributeAnswer::Single),
            }?;
            Some((code.clone(), answer))
        })
        .collect()
}

/// A JSON text column read into `T` (a malformed one is a conversion error, not a default).
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &Row<'_>,
    index: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
    })
}

/// What the platform adds to a validated request when storing it.
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub requested_at: i64,
    pub zipcode: Option<String>,
    pub media_id: Option<i64>,
    pub resident_id: Option<i64>,
}

pub fn insert(
    conn: &Connection,
    request: &NewRequest,
    placement: &Placement,
) -> Result<i64, AppError> {
    let service = request.service;
    let attributes = serde_json::Value::Object(request.attributes.clone()).to_string();
    conn.execute(
        "INSERT INTO open311_requests (service_code, status, description, agency_responsible, \
         service_notice, requested_at, updated_at, address, address_id, zipcode, lat, long, \
         media_url, media_id, asset_id, attributes, email, device_id, account_id, first_name, \
         last_name, phone, resident_id) \
         VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
         ?16, ?17, ?18, ?19, ?20, ?21)",
        params![
            service.code,
            request.description,
            service.agency,
            service.notice,
            placement.requested_at,
            request.address,
            request.address_id,
            placement.zipcode,
            request.lat_long.map(|(lat, _)| lat),
            request.lat_long.map(|(_, long)| long),
            request.media_url,
            placement.media_id,
            request.asset_id,
            attributes,
            request.email,
            request.device_id,
            request.account_id,
            request.first_name,
            request.last_name,
            request.phone,
            placement.resident_id,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Gives an existing request to a resident (e.g. a report made just before signing in).
pub fn link_resident(
    conn: &Connection,
    request_id: i64,
    resident_id: i64,
) -> Result<bool, AppError> {
    let changed = conn.execute(
        "UPDATE open311_requests SET resident_id = ?2 WHERE id = ?1",
        params![request_id, resident_id],
    )?;
    Ok(changed == 1)
}

pub fn find(conn: &Connection, id: i64) -> Result<Option<StoredRequest>, AppError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM open311_requests WHERE id = ?1"),
            [id],
            StoredRequest::from_row,
        )
        .optional()?)
}

/// What a staff member changes on a request (`None`: left as it is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusChange {
    pub status: Option<&'static str>,
    /// `Some(None)` removes the notes.
    pub status_notes: Option<Option<String>>,
    pub expected_at: Option<i64>,
}

/// Applies `change` and stamps `updated_at` with `now`; the request as it now is, or `None` for
/// an unknown id.
pub fn update_status(
    conn: &mut Connection,
    id: i64,
    change: &StatusChange,
    now: i64,
) -> Result<Option<StoredRequest>, AppError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE open311_requests SET status = COALESCE(?2, status), \
         status_notes = CASE WHEN ?3 THEN ?4 ELSE status_notes END, \
         expected_at = COALESCE(?5, expected_at), updated_at = ?6 WHERE id = ?1",
        params![
            id,
            change.status,
            change.status_notes.is_some(),
            change.status_notes.clone().flatten(),
            change.expected_at,
            now,
        ],
    )?;
    let updated = if changed == 1 { find(&tx, id)? } else { None };
    tx.commit()?;
    Ok(updated)
}

/// Adds `follower` to the request's followers; false when it already followed (it counts once).
pub fn follow(
    conn: &Connection,
    request_id: i64,
    follower: &str,
    now: i64,
) -> Result<bool, AppError> {
    let added = conn.execute(
        "INSERT OR IGNORE INTO open311_followers (request_id, follower, created_at) \
         VALUES (?1, ?2, ?3)",
        params![request_id, follower, now],
    )?;
    Ok(added == 1)
}

/// The filters of `GET requests`, already validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// When set, every other filter is ignored (as the spec says).
    pub ids: Option<Vec<i64>>,
    pub service_codes: Vec<String>,
    pub statuses: Vec<String>,
    /// Inclusive bounds on `requested_at`.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// The nearby-search extension: only requests within the circle, nearest first.
    pub near: Option<Near>,
    pub limit: i64,
    pub offset: i64,
}

/// One page of matching requests, newest first (nearest first for a nearby search), and the
/// number of matches in all.
pub fn list(conn: &Connection, query: &Query) -> Result<(Vec<StoredRequest>, i64), AppError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut values: Vec<SqlValue> = Vec::new();
    let mut any_of = |column: &str, items: Vec<SqlValue>| {
        let marks = vec!["?"; items.len()].join(", ");
        values.extend(items);
        format!("{column} IN ({marks})")
    };
    if let Some(ids) = &query.ids {
        clauses.push(any_of(
            "id",
            ids.iter().map(|id| SqlValue::from(*id)).collect(),
        ));
    } else {
        if !query.service_codes.is_empty() {
            let codes = query.service_codes.iter().cloned().map(SqlValue::from);
            clauses.push(any_of("service_code", codes.collect()));
        }
        if !query.statuses.is_empty() {
            let statuses = query.statuses.iter().cloned().map(SqlValue::from);
            clauses.push(any_of("status", statuses.collect()));
        }
        if let Some(start) = query.start {
            clauses.push("requested_at >= ?".into());
            values.push(start.into());
        }
        if let Some(end) = query.end {
            clauses.push("requested_at <= ?".into());
            values.push(end.into());
        }
        if let Some(near) = &query.near {
            let (south, north, west, east) = near.bounds();
            clauses.push("lat BETWEEN ? AND ? AND long BETWEEN ? AND ?".into());
            values.extend([south, north, west, east].map(SqlValue::from));
        }
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    if let (Some(near), None) = (&query.near, &query.ids) {
        // The box holds few rows; the exact distance, the order and the page are computed here.
        let mut statement =
            conn.prepare(&format!("SELECT {COLUMNS} FROM open311_requests {filter}"))?;
        let rows = statement
            .query_map(
                rusqlite::params_from_iter(values.iter()),
                StoredRequest::from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let nearest = near.nearest_first(rows);
        let total = i64::try_from(nearest.len()).unwrap_or(i64::MAX);
        let page = nearest
            .into_iter()
            .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(query.limit).unwrap_or(0))
            .collect();
        return Ok((page, total));
    }
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM open311_requests {filter}"),
        rusqlite::params_from_iter(values.iter()),
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM open311_requests {filter} \
         ORDER BY requested_at DESC, id DESC LIMIT ? OFFSET ?"
    ))?;
    values.push(query.limit.into());
    values.push(query.offset.into());
    let rows = statement
        .query_map(
            rusqlite::params_from_iter(values.iter()),
            StoredRequest::from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total))
}

pub fn insert_media(
    conn: &Connection,
    content_type: &str,
    bytes: &[u8],
    now: i64,
) -> Result<i64, AppError> {
    conn.execute(
        "INSERT INTO open311_media (content_type, bytes, created_at) VALUES (?1, ?2, ?3)",
        params![content_type, bytes, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Links the uploaded photos to their request, in the order given.
pub fn insert_request_media(
    conn: &Connection,
    request_id: i64,
    media_ids: &[i64],
) -> Result<(), AppError> {
    let mut insert = conn.prepare(
        "INSERT INTO open311_request_media (request_id, position, media_id) VALUES (?1, ?2, ?3)",
    )?;
    for (position, media_id) in (0_i64..).zip(media_ids) {
        insert.execute(params![request_id, position, media_id])?;
    }
    Ok(())
}

pub fn media(conn: &Connection, id: i64) -> Result<Option<(String, Vec<u8>)>, AppError> {
    Ok(conn
        .query_row(
            "SELECT content_type, bytes FROM open311_media WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

/// How long an `Idempotency-Key` is remembered: a day covers any client's retries.
pub const IDEMPOTENCY_TTL_SECONDS: i64 = 24 * 60 * 60;

/// A response remembered for an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// An `Idempotency-Key` as one client sent it, with the hash of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key: `resident:…`, `api_key:<sha-256>` or `ip:…`. Keys of two clients never meet.
    pub client: String,
    pub key: String,
    /// Hex SHA-256 of the request (form fields in order, and the photos), prefixed with
    /// `N-photos:` for several photos (see `request_hash` in `routes/open311.rs`).
    pub request_hash: String,
}

/// What a live key already stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recall {
    /// The same request: its first response, to send again.
    Replay(Remembered),
    /// The key came with another request: refused (422), never replayed.
    Mismatch,
}

/// The unexpired entry of this client's key, if any.
pub fn recall(
    conn: &Connection,
    key: &IdempotencyKey,
    now: i64,
) -> Result<Option<Recall>, AppError> {
    let found = conn
        .query_row(
            "SELECT request_hash, status, content_type, body FROM open311_idempotency \
             WHERE client = ?1 AND key = ?2 AND created_at > ?3",
            params![key.client, key.key, now - IDEMPOTENCY_TTL_SECONDS],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    Remembered {
                        status: row.get(1)?,
                        content_type: row.get(2)?,
                        body: row.get(3)?,
                    },
                ))
            },
        )
        .optional()?;
    Ok(found.map(|(hash, remembered)| {
        if hash == key.request_hash {
            Recall::Replay(remembered)
        } else {
            Recall::Mismatch
        }
    }))
}

/// Remembers `response` under the key, sweeping expired keys first (this one's included, so an
/// expired key can be used again).
pub fn remember(
    conn: &Connection,
    key: &IdempotencyKey,
    response: &Remembered,
    request_id: i64,
    now: i64,
) -> Result<(), AppError> {
    conn.execute(
        "DELETE FROM open311_idempotency WHERE created_at <= ?1",
        [now - IDEMPOTENCY_TTL_SECONDS],
    )?;
    conn.execute(
        "INSERT INTO open311_idempotency \
         (client, key, request_hash, status, content_type, body, request_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            key.client,
            key.key,
            key.request_hash,
            response.status,
            response.content_type,
            response.body,
            request_id,
            now
        ],
    )?;
    Ok(())
}
