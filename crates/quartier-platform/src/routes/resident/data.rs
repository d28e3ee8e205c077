//! `GET /v1/me/data`: the resident's personal data, category by category, each with the service
//! that holds it, why, on which legal basis, for how long, and its records (newest first, paged
//! per category with the total). `?category=` narrows to one category.

use axum::{
    Json,
    extract::{Query, State},
};
use quartier_api::{
    Timestamp,
    resident::{self as api, codes},
};
use rusqlite::{Connection, params};
use serde::Deserialize;
use serde_json::Value;

use super::{access_log, catalogue, consents, me, reports};
use crate::{auth::Session, error::AppError, state::AppState};

#[derive(Debug, Deserialize)]
pub struct DataQuery {
    category: Option<String>,
    #[serde(default)]
    offset: u32,
    limit: Option<u32>,
}

/// Records per category when the query does not say.
const DEFAULT_LIMIT: u32 = 30;
/// A year of daily readings fits in one page.
const MAX_LIMIT: u32 = 366;

#[utoipa::path(get, path = "/v1/me/data", operation_id = "getMyData", tag = "me",
    security(("sessionCookie" = [])),
    params(
        ("category" = Option<String>, Query, description = "One category only"),
        ("offset" = Option<u32>, Query), ("limit" = Option<u32>, Query),
    ),
    responses((status = 200, body = api::MyData)))]
pub async fn my_data(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<DataQuery>,
) -> Result<Json<api::MyData>, AppError> {
    let wanted: Vec<&'static str> = match query.category.as_deref() {
        None => catalogue::CATEGORIES.iter().map(|c| c.id).collect(),
        Some(id) => vec![
            catalogue::category(id)
                .ok_or_else(|| {
                    AppError::bad_request(codes::UNKNOWN_CATEGORY, format!("no category {id}"))
                })?
                .id,
        ],
    };
    let resident = session.resident_id.0;
    let now = state.auth.clock.now();
    let window = Window {
        offset: query.offset,
        limit: Some(query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)),
    };
    let consents = std::sync::Arc::clone(&state.consents);
    let categories = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let categories = wanted
                .iter()
                .map(|id| category_json(&tx, resident, id, window, &consents))
                .collect::<Result<Vec<_>, _>>()?;
            access_log::append_self(&tx, resident, now, access_log::SELF_ACCESS, &wanted)?;
            tx.commit()?;
            Ok(categories)
        })
        .await?;
    Ok(Json(api::MyData { categories }))
}

/// Which records of a category to read; `limit: None` reads them all (export).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub offset: u32,
    pub limit: Option<u32>,
}

impl Window {
    pub const ALL: Self = Self {
        offset: 0,
        limit: None,
    };

    /// SQLite reads `LIMIT -1` as no limit.
    fn sql_limit(&self) -> i64 {
        self.limit.map_or(-1, i64::from)
    }
}

/// One category: its declaration and `records: {total, offset, limit, items}`; `consents` is
/// what the town asks consent for (for the consents category).
pub fn category_json(
    conn: &Connection,
    resident: i64,
    id: &str,
    window: Window,
    consents: &catalogue::Consents,
) -> Result<api::DataCategory, AppError> {
    let declared = catalogue::category(id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("undeclared category {id}")))?;
    let (total, items) = records(conn, resident, id, window, consents)?;
    Ok(api::DataCategory {
        id: declared.id.to_owned(),
        source: declared.source.to_owned(),
        purpose: declared.purpose.to_owned(),
        legal_basis: api::LegalBasis::from_text(declared.legal_basis),
        retention: api::Retention {
            duration: declared.retention.to_owned(),
            code: declared.retention_code.to_owned(),
        },
        records: api::Page {
            total: u64::try_from(total).unwrap_or(0),
            offset: u64::from(window.offset),
            limit: window.limit.map(u64::from),
            items,
        },
    })
}

fn records(
    conn: &Connection,
    resident: i64,
    id: &str,
    window: Window,
    consents: &catalogue::Consents,
) -> Result<(i64, Vec<Value>), AppError> {
    let (limit, offset) = (window.sql_limit(), window.offset);
    match id {
        catalogue::IDENTITY => Ok((
            1,
            vec![
                serde_json::to_value(me::read_profile(conn, resident)?)
                    .map_err(|error| AppError::Internal(anyhow::Error::new(error)))?,
            ],
        )),
        catalogue::WATER => {
            let total = count(conn, "water_readings", resident)?;
            let mut select = conn.prepare(
                "SELECT day, meter_id, index_litres, consumption_litres FROM water_readings \
                 WHERE resident_id = ?1 ORDER BY day DESC LIMIT ?2 OFFSET ?3",
            )?;
            let items = select
                .query_map(params![resident, limit, offset], |r| {
                    Ok(api::WaterReading {
                        date: r.get(0)?,
                        meter_id: r.get(1)?,
                        index_litres: r.get(2)?,
                        consumption_litres: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((total, to_values(&items)?))
        }
        catalogue::WASTE => {
            let total = count(conn, "waste_badge_uses", resident)?;
            let mut select = conn.prepare(
                "SELECT used_at, container_id, waste_stream, weight_kg FROM waste_badge_uses \
                 WHERE resident_id = ?1 ORDER BY used_at DESC, id DESC LIMIT ?2 OFFSET ?3",
            )?;
            let items = select
                .query_map(params![resident, limit, offset], |r| {
                    Ok(api::WasteBadgeUse {
                        timestamp: Timestamp::from_unix_millis(
                            r.get::<_, i64>(0)?.saturating_mul(1000),
                        ),
                        container_id: r.get(1)?,
                        waste_stream: r.get(2)?,
                        weight_kg: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((total, to_values(&items)?))
        }
        catalogue::REPORTS => {
            let (total, items) = reports::read(conn, resident, limit, offset)?;
            Ok((total, to_values(&items)?))
        }
        catalogue::CONSENTS => {
            let records = consents::read_records(conn, resident, consents)?;
            let total = i64::try_from(records.len()).unwrap_or(i64::MAX);
            let items = to_values(&records)?
                .into_iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .collect();
            Ok((total, items))
        }
        other => Err(AppError::Internal(anyhow::anyhow!(
            "no reader for category {other}"
        ))),
    }
}

/// Records as the JSON values of a category's page.
fn to_values<T: serde::Serialize>(records: &[T]) -> Result<Vec<Value>, AppError> {
    records
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(|error| AppError::Internal(anyhow::Error::new(error)))
}

/// Rows of `table` that belong to `resident`. `table` is one of this module's constants.
fn count(conn: &Connection, table: &str, resident: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        &format!("SELECT count(*) FROM {table} WHERE resident_id = ?1"),
        [resident],
        |r| r.get(0),
    )
}
