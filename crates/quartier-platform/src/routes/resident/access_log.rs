//! The access log: who read a resident's data, when, why. The platform appends to it itself
//! whenever this API reads personal data (the resident reading their own through the app is
//! logged as actor `self`, service [`SELF_SERVICE`]), and `GET /v1/me/access-log` shows it,
//! newest first, narrowed by the contract's filters ([`api::AccessLogQuery`]) and counted in
//! SQL, so a page and its `total` come from the same `WHERE`.

use axum::{
    Json,
    extract::{Query, State},
};
use quartier_api::{
    Timestamp,
    resident::{self as api, codes},
};
use rusqlite::{Connection, params, params_from_iter, types::Value};

use super::Page;
use crate::{auth::Session, error::AppError, state::AppState};

/// The purpose logged when residents read their own data (GDPR art. 15, right of access).
pub const SELF_ACCESS: &str = "right-of-access";

/// The service logged when residents read their own data: this API, which the app calls.
pub const SELF_SERVICE: &str = "quartier-resident-api";

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
         category) VALUES (?1, ?2, 'self', 'self', 'resident', ?3, ?4, ?5)",
    )?;
    for category in categories {
        insert.execute(params![resident, at, SELF_SERVICE, purpose, category])?;
    }
    Ok(())
}

/// `GET /v1/me/access-log?from=&to=&service=&actorType=&offset=&limit=` (default 50, at most
/// 200), newest first; `total` counts the entries that pass the filters, `services` lists the
/// services of the whole log.
#[utoipa::path(get, path = "/v1/me/access-log", operation_id = "getAccessLog", tag = "me",
    security(("sessionCookie" = [])),
    params(api::AccessLogQuery, ("offset" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses(
        (status = 200, body = api::AccessLogPage),
        (status = 400, description = "`invalid_filter`: a date that does not parse, `from` \
            after `to`, or an unknown `actorType`; `detail` names the parameter."),
    ))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(page): Query<Page>,
    Query(query): Query<api::AccessLogQuery>,
) -> Result<Json<api::AccessLogPage>, AppError> {
    let filter = query
        .filter()
        .map_err(|error| AppError::bad_request(codes::INVALID_FILTER, error.to_string()))?;
    let resident = session.resident_id.0;
    let limit = page.limit(50, 200);
    let offset = page.offset;
    let (total, items, services) = state
        .db
        .call(move |conn| {
            let wanted = Wanted::new(resident, &filter);
            let total = wanted.count(conn)?;
            let items = wanted.read(conn, i64::from(limit), offset)?;
            Ok((total, items, services(conn, resident)?))
        })
        .await?;
    Ok(Json(api::AccessLogPage {
        page: api::Page {
            total: u64::try_from(total).unwrap_or(0),
            offset: u64::from(offset),
            limit: Some(u64::from(limit)),
            items,
        },
        services,
    }))
}

/// The resident's whole log, newest first (the export).
pub fn read_all(conn: &Connection, resident: i64) -> rusqlite::Result<Vec<api::AccessLogEntry>> {
    Wanted::new(resident, &api::AccessLogFilter::default()).read(conn, -1, 0)
}

/// The distinct services of the resident's whole log, sorted (from the service index alone).
fn services(conn: &Connection, resident: i64) -> rusqlite::Result<Vec<String>> {
    let mut select = conn.prepare_cached(
        "SELECT DISTINCT service FROM access_log WHERE resident_id = ?1 ORDER BY service",
    )?;
    select
        .query_map([resident], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()
}

/// A resident's entries that pass a filter: a `WHERE` holding only the filters given, so that
/// SQLite picks the index that fits (by time, or by service and time), and its parameters.
struct Wanted {
    sql: String,
    params: Vec<Value>,
}

impl Wanted {
    fn new(resident: i64, filter: &api::AccessLogFilter) -> Self {
        let mut wanted = Self {
            sql: "resident_id = ?".to_owned(),
            params: vec![Value::Integer(resident)],
        };
        let (start, end) = filter.period.unix_seconds();
        wanted.and("at >= ?", start.map(Value::Integer));
        wanted.and("at < ?", end.map(Value::Integer));
        wanted.and("service = ?", filter.service.clone().map(Value::Text));
        wanted.and(
            "actor_type = ?",
            filter
                .actor_type
                .as_ref()
                .map(|a| Value::Text(a.as_str().to_owned())),
        );
        wanted
    }

    fn and(&mut self, condition: &str, value: Option<Value>) {
        if let Some(value) = value {
            self.sql.push_str(" AND ");
            self.sql.push_str(condition);
            self.params.push(value);
        }
    }

    fn count(&self, conn: &Connection) -> rusqlite::Result<i64> {
        let sql = format!("SELECT count(*) FROM access_log WHERE {}", self.sql);
        conn.query_row(&sql, params_from_iter(&self.params), |r| r.get(0))
    }

    /// A page of the entries, newest first; `limit` -1 reads them all.
    fn read(
        &self,
        conn: &Connection,
        limit: i64,
        offset: u32,
    ) -> rusqlite::Result<Vec<api::AccessLogEntry>> {
        let mut select = conn.prepare(&self.select_sql())?;
        let params = self
            .params
            .iter()
            .cloned()
            .chain([Value::Integer(limit), Value::Integer(i64::from(offset))]);
        select
            .query_map(params_from_iter(params), entry)?
            .collect::<rusqlite::Result<Vec<_>>>()
    }

    fn select_sql(&self) -> String {
        format!(
            "SELECT id, at, actor_type, agent, role, service, purpose, category FROM access_log \
             WHERE {} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
            self.sql
        )
    }
}

/// One row of [`Wanted::read`] as the contract's entry.
fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<api::AccessLogEntry> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(from: &str, to: &str, service: &str, actor_type: &str) -> api::AccessLogFilter {
        let some = |s: &str| Some(s.to_owned());
        api::AccessLogQuery {
            from: some(from),
            to: some(to),
            service: some(service),
            actor_type: some(actor_type),
        }
        .filter()
        .expect("a valid filter")
    }

    /// How SQLite runs a statement, one line per step.
    fn plan(conn: &Connection, sql: &str, params: &[Value]) -> String {
        let mut explain = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        explain
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<Vec<_>>>()
            .expect("rows")
            .join("\n")
    }

    /// Every filter reads through an index of the resident's entries, never the whole table,
    /// and the page comes out in index order (no sort of the filtered rows).
    #[test]
    fn filters_are_answered_from_an_index() {
        let dir = tempfile::tempdir().expect("dir");
        let db = crate::db::Db::open(dir.path()).expect("open");
        db.call_blocking(|conn| {
            for f in [
                api::AccessLogFilter::default(),
                filter("2026-01-01", "2026-03-31", "", ""),
                filter("", "", "water-utility", ""),
                filter("2026-01-01", "", "waste-service", "agent"),
                filter("", "", "", "self"),
            ] {
                let wanted = Wanted::new(1, &f);
                let mut params = wanted.params.clone();
                params.extend([Value::Integer(50), Value::Integer(0)]);
                let page = plan(conn, &wanted.select_sql(), &params);
                assert!(
                    page.contains("USING INDEX access_log_by_resident_"),
                    "{f:?}: {page}"
                );
                assert!(!page.contains("TEMP B-TREE"), "{f:?}: {page}");
                let count = format!("SELECT count(*) FROM access_log WHERE {}", wanted.sql);
                let count = plan(conn, &count, &wanted.params);
                assert!(
                    count.contains("INDEX access_log_by_resident_"),
                    "{f:?}: {count}"
                );
            }
            let services = plan(
                conn,
                "SELECT DISTINCT service FROM access_log WHERE resident_id = ?1 ORDER BY service",
                &[Value::Integer(1)],
            );
            assert!(
                services.contains("COVERING INDEX access_log_by_resident_service"),
                "{services}"
            );
            Ok(())
        })
        .expect("plans");
    }
}
