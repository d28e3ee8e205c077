//! The access log: who read a resident's data, when, why. The platform appends to it itself
//! whenever this API reads personal data (the resident reading their own is logged as `self`),
//! and `GET /v1/me/access-log` shows it, newest first.

use axum::{
    Json,
    extract::{Query, State},
};
use quartier_api::{Timestamp, resident as api};
use rusqlite::{Connection, params};

use super::Page;
use crate::{auth::Session, error::AppError, state::AppState};

/// The purpose logged when residents read their own data (GDPR art. 15, right of access).
pub const SELF_ACCESS: &str = "right-of-access";

/// Logs that the resident read `categories` of their own data through this API.
pub fn append_self(
    conn: &Connection,
    resident: i64,
    at: i64,
    purpose: &str,
    categories: &[&str],
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO access_log (resident_id, at, actor_type, agent, role, service, purpose, \
         category) VALUES (?1, ?2, 'self', 'self', 'resident', 'quartier-resident-api', ?3, ?4)",
    )?;
    for category in categories {
        insert.execute(params![resident, at, purpose, category])?;
    }
    Ok(())
}

/// One row of [`SELECT_ENTRIES`] as the contract's entry.
pub fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<api::AccessLogEntry> {
    Ok(api::AccessLogEntry {
        id: row.get::<_, i64>(0)?.to_string(),
        timestamp: Timestamp::from_unix_millis(row.get::<_, i64>(1)?.saturating_mul(1000)),
        actor_type: api::ActorType::from_text(&row.get::<_, String>(2)?),
        agent: row.get(3)?,
        role: row.get(4)?,
        service: row.get(5)?,
        purpose: row.get(6)?,
        category: row.get(7)?,
    })
}

pub const SELECT_ENTRIES: &str = "SELECT id, at, actor_type, agent, role, service, purpose, \
     category FROM access_log WHERE resident_id = ?1 ORDER BY id DESC";

/// `GET /v1/me/access-log?offset=&limit=` (default 50, at most 200), newest first.
#[utoipa::path(get, path = "/v1/me/access-log", operation_id = "getAccessLog", tag = "me",
    security(("sessionCookie" = [])),
    params(("offset" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = api::Page<api::AccessLogEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(page): Query<Page>,
) -> Result<Json<api::AccessLogPage>, AppError> {
    let resident = session.resident_id.0;
    let limit = page.limit(50, 200);
    let offset = page.offset;
    let (total, items) = state
        .db
        .call(move |conn| {
            let total: i64 = conn.query_row(
                "SELECT count(*) FROM access_log WHERE resident_id = ?1",
                [resident],
                |r| r.get(0),
            )?;
            let mut select = conn.prepare(&format!("{SELECT_ENTRIES} LIMIT ?2 OFFSET ?3"))?;
            let items = select
                .query_map(params![resident, limit, offset], entry)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((total, items))
        })
        .await?;
    Ok(Json(api::Page {
        total: u64::try_from(total).unwrap_or(0),
        offset: u64::from(offset),
        limit: Some(u64::from(limit)),
        items,
    }))
}
