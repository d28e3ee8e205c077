//! The demo residents of DESIGN.md, Camille Martin (id 1) and Lucas Bernard (id 2), with a year
//! of daily water-meter readings, waste-badge uses, consent histories and an access log: who at
//! the town (water utility, waste service, town hall, street maintenance) or which automated job
//! read their data, when and why, following each resident's consents. The residents' own reads
//! are not seeded: the platform logs them as they happen.
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
    /// Who read the resident's data, besides the resident.
    reads: &'static [Habit],
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
        reads: CAMILLE_READS,
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
        reads: LUCAS_READS,
    },
];

/// Who reads a resident's data besides the resident: a town agent (by pseudonym and role) or an
/// automated job, through a service, for a purpose, in a category.
#[derive(Debug, Clone, Copy)]
struct Reader {
    actor: &'static str,
    agent: &'static str,
    role: &'static str,
    service: &'static str,
    purpose: &'static str,
    category: &'static str,
}

impl Reader {
    const fn agent(
        agent: &'static str,
        role: &'static str,
        service: &'static str,
        purpose: &'static str,
        category: &'static str,
    ) -> Self {
        Reader {
            actor: "agent",
            agent,
            role,
            service,
            purpose,
            category,
        }
    }

    const fn job(
        agent: &'static str,
        service: &'static str,
        purpose: &'static str,
        category: &'static str,
    ) -> Self {
        Reader {
            actor: "service",
            agent,
            role: "automated-processing",
            service,
            purpose,
            category,
        }
    }
}

const WATER_BILLING: Reader = Reader::agent(
    "agent-0412",
    "billing-clerk",
    "water-utility",
    "water-billing",
    catalogue::WATER,
);
const METER_MAINTENANCE: Reader = Reader::agent(
    "agent-0127",
    "meter-technician",
    "water-utility",
    "meter-maintenance",
    catalogue::WATER,
);
const LEAK_DETECTION: Reader = Reader::job(
    "leak-detection",
    "water-utility",
    "leak-detection",
    catalogue::WATER,
);
const CONSUMPTION_ALERTS: Reader = Reader::job(
    "consumption-alerts",
    "water-utility",
    "water-consumption-alerts",
    catalogue::WATER,
);
const ENERGY_PROGRAMME: Reader = Reader::job(
    "energy-agency-transfer",
    "water-utility",
    "energy-saving-programme",
    catalogue::WATER,
);
const WASTE_BILLING: Reader = Reader::agent(
    "agent-0733",
    "billing-officer",
    "waste-service",
    "incentive-waste-charge",
    catalogue::WASTE,
);
const BADGE_REPLACEMENT: Reader = Reader::agent(
    "agent-0861",
    "customer-service-agent",
    "waste-service",
    "badge-replacement",
    catalogue::WASTE,
);
const ROUND_PLANNING: Reader = Reader::job(
    "collection-round-planning",
    "waste-service",
    "collection-round-planning",
    catalogue::WASTE,
);
const ACCOUNT_SUPPORT: Reader = Reader::agent(
    "agent-0058",
    "resident-services-clerk",
    "town-hall-resident-services",
    "resident-account",
    catalogue::IDENTITY,
);
const PROOF_OF_RESIDENCE: Reader = Reader::agent(
    "agent-0096",
    "civil-status-officer",
    "town-hall-resident-services",
    "proof-of-residence",
    catalogue::IDENTITY,
);
const NEWSLETTER: Reader = Reader::job(
    "newsletter-mailing",
    "town-communication",
    "town-newsletter",
    catalogue::IDENTITY,
);
const STREET_MAINTENANCE: Reader = Reader::agent(
    "agent-0210",
    "street-maintenance-officer",
    "open311-issue-reports",
    "public-space-maintenance",
    catalogue::REPORTS,
);

/// A reader's habit: every `every` days (give or take two) from `since` to `until` days ago,
/// or once, `since` days ago, when `every` is 0.
#[derive(Debug, Clone, Copy)]
struct Habit {
    reader: Reader,
    every: i64,
    since: i64,
    until: i64,
}

const fn every(reader: Reader, every: i64, since: i64, until: i64) -> Habit {
    Habit {
        reader,
        every,
        since,
        until,
    }
}

const fn once(reader: Reader, days_ago: i64) -> Habit {
    every(reader, 0, days_ago, days_ago)
}

/// Who read Camille's data over the last year: quarterly water bills, the nightly leak check
/// (monthly here) and the consumption alerts she agreed to 300 days ago, the energy agency's
/// transfers since she joined its programme, the newsletter until she withdrew (40 days ago),
/// waste charges, and the agents who handled her reports and her town-hall errands.
const CAMILLE_READS: &[Habit] = &[
    every(WATER_BILLING, 91, 362, 1),
    every(LEAK_DETECTION, 30, 364, 1),
    every(CONSUMPTION_ALERTS, 28, 299, 1),
    once(METER_MAINTENANCE, 210),
    every(ENERGY_PROGRAMME, 30, 99, 1),
    every(WASTE_BILLING, 182, 350, 1),
    every(ROUND_PLANNING, 91, 330, 1),
    once(PROOF_OF_RESIDENCE, 150),
    once(ACCOUNT_SUPPORT, 21),
    every(NEWSLETTER, 30, 199, 41),
    every(STREET_MAINTENANCE, 60, 300, 3),
];

/// Lucas's: no consumption alerts (he refused them), a replaced waste badge, the newsletter
/// since he subscribed 90 days ago.
const LUCAS_READS: &[Habit] = &[
    every(WATER_BILLING, 91, 360, 1),
    every(LEAK_DETECTION, 30, 362, 1),
    once(METER_MAINTENANCE, 95),
    every(WASTE_BILLING, 182, 340, 1),
    once(BADGE_REPLACEMENT, 130),
    every(ROUND_PLANNING, 91, 320, 1),
    once(ACCOUNT_SUPPORT, 275),
    once(PROOF_OF_RESIDENCE, 200),
    once(ACCOUNT_SUPPORT, 60),
    every(NEWSLETTER, 30, 89, 1),
    every(STREET_MAINTENANCE, 75, 280, 3),
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
        access_log(&tx, demo, today, &mut rng)?;
    }
    tx.commit()?;
    Ok(())
}

/// The reads of `demo.reads` over the last year, in time order (the log's ids follow time, as
/// the platform's own appends do). Agents read on weekdays in office hours, jobs at night.
fn access_log(
    conn: &Connection,
    demo: &Demo,
    today: i64,
    rng: &mut ChaCha8Rng,
) -> rusqlite::Result<()> {
    let mut reads: Vec<(i64, &Reader)> = Vec::new();
    for habit in demo.reads {
        let mut days_ago = habit.since;
        loop {
            let day = office_day(today - days_ago, &habit.reader);
            let at = day * DAY
                + if habit.reader.actor == "agent" {
                    rng.random_range(8 * 3600 + 1800..17 * 3600 + 1800)
                } else {
                    rng.random_range(3600..5 * 3600)
                };
            reads.push((at, &habit.reader));
            if habit.every == 0 {
                break;
            }
            days_ago -= habit.every + rng.random_range(-2..=2);
            if days_ago < habit.until {
                break;
            }
        }
    }
    reads.sort_by_key(|(at, _)| *at);
    let mut insert = conn.prepare_cached(
        "INSERT INTO access_log (resident_id, at, actor_type, agent, role, service, purpose, \
         category) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (at, r) in reads {
        insert.execute(params![
            demo.id, at, r.actor, r.agent, r.role, r.service, r.purpose, r.category
        ])?;
    }
    Ok(())
}

/// `day`, or for an agent the nearest weekday before it (Saturday → Friday, Sunday → Friday):
/// jobs run every night, people work in the week. Day 0 (1970-01-01) is a Thursday.
fn office_day(day: i64, reader: &Reader) -> i64 {
    match (reader.actor, (day + 3).rem_euclid(7)) {
        ("agent", 5) => day - 1,
        ("agent", 6) => day - 2,
        _ => day,
    }
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
    use std::collections::BTreeSet;

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

    /// Each resident's log covers the year, through several services, agents and jobs, with
    /// a history of its own, in time order, and nothing in the future.
    #[test]
    fn each_resident_has_a_year_of_reads_by_staff_and_jobs() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::open(dir.path()).expect("open");
        db.call_blocking(|conn| seed(conn, NOW)).expect("seed");
        let logs = db
            .call_blocking(|conn| {
                let mut select = conn.prepare(
                    "SELECT resident_id, at, actor_type, service, purpose FROM access_log \
                     ORDER BY id",
                )?;
                let rows = select
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .expect("log");
        let mut histories = Vec::new();
        for resident in [1, 2] {
            let log: Vec<_> = logs.iter().filter(|e| e.0 == resident).collect();
            assert!((30..=80).contains(&log.len()), "{resident}: {}", log.len());
            assert!(log.windows(2).all(|w| w[0].1 <= w[1].1), "ids follow time");
            let (first, last) = (log[0].1, log[log.len() - 1].1);
            assert!(
                NOW - first > 330 * DAY && last < NOW,
                "{resident}: {first}..{last}"
            );
            let services: BTreeSet<&str> = log.iter().map(|e| e.3.as_str()).collect();
            for service in [
                "water-utility",
                "waste-service",
                "town-hall-resident-services",
                "open311-issue-reports",
                "town-communication",
            ] {
                assert!(services.contains(service), "{resident}: {service}");
            }
            for actor in ["agent", "service"] {
                assert!(log.iter().any(|e| e.2 == actor), "{resident}: {actor}");
            }
            assert!(log.iter().any(|e| e.4 == "leak-detection"));
            let purposes: BTreeSet<&str> = log.iter().map(|e| e.4.as_str()).collect();
            histories.push(purposes);
        }
        assert!(
            histories[0].contains("water-consumption-alerts"),
            "Camille agreed"
        );
        assert!(
            !histories[1].contains("water-consumption-alerts"),
            "Lucas refused"
        );
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
