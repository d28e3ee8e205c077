//! The demo residents of DESIGN.md, Camille Martin (id 1) and Lucas Bernard (id 2), with a year
//! of daily water-meter readings, waste-badge uses, consent histories and access-log entries.
//!
//! Deterministic (ChaCha8 from a fixed seed; dates count back from the seeding day) and
//! idempotent (nothing happens if resident 1 exists). Fast: one transaction of about 1 500 rows,
//! and the password hash is computed once per process (`password::demo_hash`), which is what
//! keeps a fresh demo database per test affordable in debug builds.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use crate::{
    auth::{clock::iso_date_of_day, password},
    demo::Town,
    error::AppError,
    routes::resident::{catalogue, consents},
};

const SEED: u64 = 0x5245_5349_4445_4e54;
const DAY: i64 = 86_400;

struct Demo {
    id: i64,
    email: &'static str,
    given: &'static str,
    family: &'static str,
    phone: &'static str,
    since: &'static str,
    language: &'static str,
    /// Average litres a day (household size).
    litres_per_day: f64,
    meter: &'static str,
    /// (purpose id, days ago, granted), in order.
    consents: &'static [(&'static str, i64, bool)],
}

const RESIDENTS: &[Demo] = &[
    Demo {
        id: 1,
        email: "camille.martin@example.org",
        given: "Camille",
        family: "Martin",
        phone: "+33 6 00 00 00 01",
        since: "2015-09-01",
        language: "fr",
        litres_per_day: 290.0,
        meter: "BSL-WM-104233",
        consents: &[
            ("water-consumption-alerts", 300, true),
            ("waste-collection-sms-reminders", 250, false),
            ("town-newsletter", 200, true),
            ("energy-saving-programme", 100, true),
            ("town-newsletter", 40, false),
        ],
    },
    Demo {
        id: 2,
        email: "lucas.bernard@example.org",
        given: "Lucas",
        family: "Bernard",
        phone: "+33 6 00 00 00 02",
        since: "2021-03-15",
        language: "fr",
        litres_per_day: 130.0,
        meter: "BSL-WM-208871",
        consents: &[
            ("water-consumption-alerts", 180, false),
            ("town-newsletter", 90, true),
            ("anonymised-mobility-studies", 60, true),
            ("anonymised-mobility-studies", 10, false),
        ],
    },
];

/// (actor type, agent, role, service, purpose, category, days ago) read by town staff and jobs.
const ACCESSES: &[(&str, &str, &str, &str, &str, &str, i64)] = &[
    (
        "agent",
        "agent-0412",
        "billing-officer",
        "water-utility",
        "water-billing",
        catalogue::WATER,
        170,
    ),
    (
        "service",
        "leak-detection-job",
        "automated-analysis",
        "water-utility",
        "water-consumption-alerts",
        catalogue::WATER,
        120,
    ),
    (
        "agent",
        "agent-0127",
        "meter-technician",
        "water-utility",
        "meter-maintenance",
        catalogue::WATER,
        95,
    ),
    (
        "agent",
        "agent-0733",
        "billing-officer",
        "waste-service",
        "incentive-waste-charge",
        catalogue::WASTE,
        80,
    ),
    (
        "agent",
        "agent-0210",
        "street-maintenance-officer",
        "open311-issue-reports",
        "public-space-maintenance",
        catalogue::REPORTS,
        45,
    ),
    (
        "agent",
        "agent-0412",
        "billing-officer",
        "water-utility",
        "water-billing",
        catalogue::WATER,
        30,
    ),
    (
        "agent",
        "agent-0058",
        "resident-services-clerk",
        "town-hall-resident-services",
        "resident-account",
        catalogue::IDENTITY,
        21,
    ),
    (
        "service",
        "leak-detection-job",
        "automated-analysis",
        "water-utility",
        "water-consumption-alerts",
        catalogue::WATER,
        7,
    ),
    (
        "agent",
        "agent-0733",
        "billing-officer",
        "waste-service",
        "incentive-waste-charge",
        catalogue::WASTE,
        3,
    ),
];

/// Seeds the demo residents unless they exist. `now` is Unix seconds.
pub fn seed(conn: &mut Connection, now: i64) -> Result<(), AppError> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM residents WHERE id = 1)",
        [],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(());
    }
    let hash = password::demo_hash()?;
    let town = Town::demo();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let today = now.div_euclid(DAY);
    let tx = conn.transaction()?;
    for demo in RESIDENTS {
        let address = town.random_address(&mut rng);
        tx.execute(
            "INSERT INTO residents (id, email, password_hash, given_name, family_name, phone, \
             address, district, lat, lon, resident_since, preferred_language) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                demo.id,
                demo.email,
                hash,
                demo.given,
                demo.family,
                demo.phone,
                address.label,
                address.district,
                address.lat,
                address.lon,
                demo.since,
                demo.language
            ],
        )?;
        water_readings(&tx, demo, today, &mut rng)?;
        badge_uses(&tx, demo.id, today, &mut rng)?;
        for (purpose_id, days_ago, granted) in demo.consents {
            if let Some(purpose) = catalogue::purpose(purpose_id) {
                let at = (today - days_ago) * DAY + rng.random_range(8 * 3600..21 * 3600);
                consents::record_event(&tx, demo.id, purpose, *granted, at, demo.language)?;
            }
        }
        for (actor, agent, role, service, purpose, category, days_ago) in ACCESSES {
            let at = (today - days_ago) * DAY + rng.random_range(8 * 3600..18 * 3600);
            tx.execute(
                "INSERT INTO access_log (resident_id, at, actor_type, agent, role, service, \
                 purpose, category) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![demo.id, at, actor, agent, role, service, purpose, category],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// 365 daily readings up to yesterday: more in summer (garden) and at weekends, with noise.
fn water_readings(
    conn: &Connection,
    demo: &Demo,
    today: i64,
    rng: &mut ChaCha8Rng,
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO water_readings (resident_id, day, meter_id, index_litres, \
         consumption_litres) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut index: i64 = 412_000 + rng.random_range(0..50_000);
    for day in (today - 365)..today {
        // Day 0 is a Thursday; the summer peak falls near day-of-year 200.
        let weekend = matches!((day + 3).rem_euclid(7), 5 | 6);
        let season = 1.0 + 0.25 * (((day.rem_euclid(365) - 200) as f64) / 58.0).cos().max(0.0);
        let litres = demo.litres_per_day
            * season
            * if weekend { 1.2 } else { 1.0 }
            * rng.random_range(0.8..1.2);
        let litres = litres.round() as i64;
        index += litres;
        insert.execute(params![
            demo.id,
            iso_date_of_day(day),
            demo.meter,
            index,
            litres
        ])?;
    }
    Ok(())
}

/// Residual waste about weekly, recyclables twice a month, glass monthly, over a year.
fn badge_uses(
    conn: &Connection,
    resident: i64,
    today: i64,
    rng: &mut ChaCha8Rng,
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO waste_badge_uses (resident_id, used_at, container_id, waste_stream, \
         weight_kg) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let near = rng.random_range(1..2400);
    for (stream, every, kg) in [
        ("residual", 7, 6.0),
        ("recyclable", 14, 3.0),
        ("glass", 30, 4.0),
    ] {
        let mut day = today - 365 + rng.random_range(0..every);
        while day < today {
            let at = day * DAY + rng.random_range(7 * 3600..21 * 3600);
            let container = format!(
                "urn:ngsi-ld:WasteContainer:BSL-{:06}",
                near + rng.random_range(0..3)
            );
            let weight: f64 = kg * rng.random_range(0.5..1.5);
            insert.execute(params![
                resident,
                at,
                container,
                stream,
                (weight * 10.0).round() / 10.0
            ])?;
            day += every + rng.random_range(-1..=2);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    const NOW: i64 = 1_795_000_000;

    fn fingerprint(db: &Db) -> Vec<String> {
        db.call_blocking(|conn| {
            let mut rows = Vec::new();
            for sql in [
                "SELECT id || email || address || district || lat || lon FROM residents ORDER BY id",
                "SELECT resident_id || day || index_litres FROM water_readings ORDER BY 1",
                "SELECT resident_id || used_at || container_id || waste_stream FROM waste_badge_uses ORDER BY id",
                "SELECT event_type || at FROM consent_events ORDER BY id",
                "SELECT resident_id || at || agent || category FROM access_log ORDER BY id",
            ] {
                let mut select = conn.prepare(sql)?;
                let found = select
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                rows.push(found.join("\n"));
            }
            Ok(rows)
        })
        .expect("fingerprint")
    }

    #[test]
    fn seeding_is_deterministic_and_idempotent() {
        let (a, b) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let first = Db::open(a.path()).expect("open");
        let second = Db::open(b.path()).expect("open");
        for db in [&first, &second] {
            db.call_blocking(|conn| seed(conn, NOW)).expect("seed");
        }
        let seeded = fingerprint(&first);
        assert_eq!(seeded, fingerprint(&second), "same seed, same data");
        first
            .call_blocking(|conn| seed(conn, NOW + 86_400))
            .expect("reseed");
        assert_eq!(seeded, fingerprint(&first), "a second seed changes nothing");
        let readings = seeded[1].lines().count();
        assert_eq!(readings, 2 * 365);
        assert!(seeded[0].contains("Belleville-sur-Loire"), "{}", seeded[0]);
    }
}
