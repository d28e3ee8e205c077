//! The `ngsi_ld_subscriptions` table (migration 0011): one row per subscription, its JSON as
//! the writer gave it (validated, without read-only members) and the sending's counters.

use quartier_api::ngsi_ld::subscription::{NotificationStatus, Subscription};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Record, Stats};
use crate::error::AppError;

const COLUMNS: &str = "id, owner, data, times_sent, last_notification, last_success, \
                       last_failure, notification_status";

/// A row as read: the subscription still JSON (a `query_map` closure cannot give our error).
struct Raw {
    id: String,
    owner: String,
    data: String,
    stats: Stats,
}

fn record(row: &Row<'_>) -> rusqlite::Result<Raw> {
    let status: Option<String> = row.get(7)?;
    Ok(Raw {
        id: row.get(0)?,
        owner: row.get(1)?,
        data: row.get(2)?,
        stats: Stats {
            times_sent: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
            last_notification: row.get(4)?,
            last_success: row.get(5)?,
            last_failure: row.get(6)?,
            status: match status.as_deref() {
                Some("ok") => Some(NotificationStatus::Ok),
                Some("failed") => Some(NotificationStatus::Failed),
                _ => None,
            },
        },
    })
}

fn with_data(raw: Raw) -> Result<Record, AppError> {
    let subscription = serde_json::from_str(&raw.data).map_err(|e| {
        AppError::Internal(anyhow::Error::new(e).context("a stored subscription does not read"))
    })?;
    Ok(Record {
        id: raw.id,
        owner: raw.owner,
        subscription,
        stats: raw.stats,
    })
}

fn to_json(subscription: &Subscription) -> Result<String, AppError> {
    serde_json::to_string(subscription)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("subscription to JSON")))
}

/// Every subscription (at start, for the notifier).
pub fn all(conn: &Connection) -> Result<Vec<Record>, AppError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM ngsi_ld_subscriptions ORDER BY id"
    ))?;
    let rows = statement
        .query_map([], record)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(with_data).collect()
}

/// `false` when the id is taken (by anyone: ids are global).
pub fn insert(
    conn: &Connection,
    id: &str,
    owner: &str,
    subscription: &Subscription,
    now: &str,
) -> Result<bool, AppError> {
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO ngsi_ld_subscriptions (id, owner, data, created_at) \
         VALUES (?1, ?2, ?3, ?4)",
        params![id, owner, to_json(subscription)?, now],
    )?;
    Ok(inserted == 1)
}

/// The subscription `id` if `owner`'s.
pub fn get(conn: &Connection, id: &str, owner: &str) -> Result<Option<Record>, AppError> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM ngsi_ld_subscriptions WHERE id = ?1 AND owner = ?2"
    ))?
    .query_row(params![id, owner], record)
    .optional()?
    .map(with_data)
    .transpose()
}

/// A page of `owner`'s subscriptions in id order, and their number.
pub fn page(
    conn: &Connection,
    owner: &str,
    limit: usize,
    offset: usize,
) -> Result<(Vec<Record>, usize), AppError> {
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM ngsi_ld_subscriptions WHERE owner = ?1",
        [owner],
        |r| r.get(0),
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM ngsi_ld_subscriptions WHERE owner = ?1 ORDER BY id \
         LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = statement
        .query_map(
            params![
                owner,
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            record,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let records = rows
        .into_iter()
        .map(with_data)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((records, usize::try_from(total).unwrap_or(0)))
}

/// Replaces the subscription (its counters stay); `false` when it is not `owner`'s.
pub fn replace(
    conn: &Connection,
    id: &str,
    owner: &str,
    subscription: &Subscription,
) -> Result<bool, AppError> {
    let changed = conn.execute(
        "UPDATE ngsi_ld_subscriptions SET data = ?3 WHERE id = ?1 AND owner = ?2",
        params![id, owner, to_json(subscription)?],
    )?;
    Ok(changed == 1)
}

/// `false` when it is not `owner`'s.
pub fn delete(conn: &Connection, id: &str, owner: &str) -> Result<bool, AppError> {
    let deleted = conn.execute(
        "DELETE FROM ngsi_ld_subscriptions WHERE id = ?1 AND owner = ?2",
        params![id, owner],
    )?;
    Ok(deleted == 1)
}

/// One attempt's outcome: counted, and its time kept as the last success or failure.
pub fn record_attempt(
    conn: &Connection,
    id: &str,
    at: &str,
    delivered: bool,
) -> Result<(), AppError> {
    conn.execute(
        "UPDATE ngsi_ld_subscriptions SET times_sent = times_sent + 1, last_notification = ?2, \
         last_success = CASE WHEN ?3 THEN ?2 ELSE last_success END, \
         last_failure = CASE WHEN ?3 THEN last_failure ELSE ?2 END, \
         notification_status = CASE WHEN ?3 THEN 'ok' ELSE 'failed' END \
         WHERE id = ?1",
        params![id, at, delivered],
    )?;
    Ok(())
}
