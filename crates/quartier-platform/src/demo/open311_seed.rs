//! The demo town's existing Open311 reports: a few hundred requests over the last six months,
//! moved along as a town would: closed ones with notes saying how they ended, about half of the
//! open ones answered (notes and an expected date after the answer), the rest untouched
//! (`updated_datetime` = `requested_datetime`), with French status notes, at real addresses of the town, some about an
//! NGSI-LD asset, a few owned by the demo residents (ids 1 and 2 of `residents_seed`).
//!
//! Deterministic (ChaCha8 from a fixed seed; dates count back from the seeding day, so the
//! default 90-day window of `GET requests` always shows recent ones) and idempotent (a `meta`
//! row records that it ran).

use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::{
    demo::{POSTCODE, Town},
    error::AppError,
    routes::open311::catalogue::{Datatype, SERVICES, Service},
};

const SEED: u64 = 0x4f50_454e_3331_3121;
/// How many reports the demo town has.
pub const COUNT: usize = 300;
const DAY: i64 = 86_400;
/// Reports go back this many days.
const SPAN_DAYS: i64 = 180;
const SEEDED_KEY: &str = "open311_seeded";
/// Ids of the NGSI-LD demo (`urn:ngsi-ld:Streetlight:BSL-000001` …) that exist at every
/// `--scale`: the town has about 12 000 streetlights and 2 500 waste containers.
const STREETLIGHTS: u32 = 10_000;
const WASTE_CONTAINERS: u32 = 2_000;

const CLOSED_NOTES: &[&str] = &[
    "Intervention réalisée.",
    "Réparation effectuée par les services techniques.",
    "Signalement traité, merci de votre aide.",
    "Doublon d'un signalement déjà traité.",
    "Constat sur place : aucun problème trouvé.",
];
const OPEN_NOTES: &[&str] = &[
    "Signalement transmis au service concerné.",
    "Intervention planifiée.",
    "En attente de matériel.",
];

/// What residents write, by service group.
fn descriptions(service: &Service) -> &'static [&'static str] {
    match service.group {
        "Éclairage public" => &[
            "La rue est plongée dans le noir depuis plusieurs soirs.",
            "Le lampadaire devant chez moi ne fonctionne plus.",
            "Lumière qui clignote toute la nuit, très gênant.",
        ],
        "Déchets" => &[
            "Le conteneur déborde, les sacs sont posés à côté.",
            "Des encombrants ont été déposés sur le trottoir.",
            "Odeurs fortes autour du point de collecte.",
        ],
        "Voirie" => &[
            "Trou profond sur la chaussée, dangereux pour les vélos.",
            "Panneau tordu à l'angle de la rue.",
            "Marquage du passage piéton effacé.",
        ],
        "Eau et assainissement" => &[
            "De l'eau coule sur la chaussée depuis ce matin.",
            "La grille est bouchée, la rue est inondée quand il pleut.",
        ],
        "Propreté" => &[
            "Tags sur le mur de l'école.",
            "Trottoir couvert de déchets après le marché.",
        ],
        _ => &[
            "Branche cassée qui pend au-dessus du chemin.",
            "Un jeu de l'aire de jeux est cassé.",
        ],
    }
}

/// Inserts the demo reports unless they are already there.
pub fn seed(conn: &mut Connection, now: i64) -> Result<(), AppError> {
    let done: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [SEEDED_KEY],
            |row| row.get(0),
        )
        .optional()?;
    if done.is_some() {
        return Ok(());
    }
    let town = Town::demo();
    let today = now - now.rem_euclid(DAY);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut extra = ChaCha8Rng::seed_from_u64(SEED ^ 1);
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO open311_requests (service_code, status, status_notes, description, \
             agency_responsible, service_notice, requested_at, updated_at, expected_at, address, \
             zipcode, lat, long, asset_id, attributes, resident_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        for index in 0..COUNT {
            let service = SERVICES
                .choose(&mut rng)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no Open311 service")))?;
            let address = town.random_address(&mut rng);
            let age_days = rng.random_range(0..SPAN_DAYS);
            // Never in the future, whatever the hour of seeding.
            let requested_at =
                (today - age_days * DAY + rng.random_range(7 * 3600..20 * 3600)).min(now - 600);
            // Older reports are more likely to be dealt with.
            let closed = rng.random_bool((age_days as f64 / 30.0).min(0.9));
            let updated_at = (requested_at + rng.random_range(DAY / 2..12 * DAY)).min(now);
            let (status, notes) = if closed {
                ("closed", CLOSED_NOTES.choose(&mut rng).copied())
            } else if rng.random_bool(0.5) {
                ("open", OPEN_NOTES.choose(&mut rng).copied())
            } else {
                ("open", None)
            };
            let updated_at = if notes.is_some() {
                updated_at
            } else {
                requested_at
            };
            // Drawn for every report, so that every later value stays what it was.
            let planned_in = rng.random_range(2..8) * DAY;
            // The town gives a date when it has planned the work: the open reports it has
            // answered. A closed report's notes say how it ended; an unanswered one has no plan.
            let expected_at =
                (status == "open" && notes.is_some()).then_some(updated_at + planned_in);
            let description = descriptions(service).choose(&mut rng).copied();
            let asset_id = asset_of(service, &mut rng, &mut extra);
            let attributes = answers(service, &mut rng).to_string();
            let resident_id: Option<i64> = match index {
                i if i % 37 == 5 => Some(1),
                i if i % 43 == 11 => Some(2),
                _ => None,
            };
            insert.execute(params![
                service.code,
                status,
                notes,
                description,
                service.agency,
                service.notice,
                requested_at,
                updated_at,
                expected_at,
                address.label,
                POSTCODE,
                address.lat,
                address.lon,
                asset_id,
                attributes,
                resident_id,
            ])?;
        }
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![SEEDED_KEY, COUNT.to_string()],
    )?;
    tx.commit()?;
    Ok(())
}

/// The asset a resident picked on the map, for most lighting and full-container reports.
/// Containers draw from their own generator (`extra`) so that adding them left every other
/// seeded value as it was.
fn asset_of(service: &Service, rng: &mut ChaCha8Rng, extra: &mut ChaCha8Rng) -> Option<String> {
    let (kind, count, rng) = match service.code {
        "lampadaire-eteint" | "lampadaire-clignote" => ("Streetlight", STREETLIGHTS, rng),
        "conteneur-plein" => ("WasteContainer", WASTE_CONTAINERS, extra),
        _ => return None,
    };
    rng.random_bool(0.6)
        .then(|| format!("urn:ngsi-ld:{kind}:BSL-{:06}", rng.random_range(1..=count)))
}

/// Answers to the required questions of a service, as a resident would give them.
fn answers(service: &Service, rng: &mut ChaCha8Rng) -> Value {
    let mut map = Map::new();
    for attribute in service
        .attributes
        .iter()
        .filter(|a| a.variable && a.required)
    {
        let Some((key, _)) = attribute.values.choose(rng) else {
            continue;
        };
        let value = match attribute.datatype {
            Datatype::MultiValueList => Value::Array(vec![Value::from(*key)]),
            _ => Value::from(*key),
        };
        map.insert(attribute.code.to_owned(), value);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// service_code, status, lat, long, resident_id, asset_id.
    type Row = (String, String, f64, f64, Option<i64>, Option<String>);

    fn database() -> (tempfile::TempDir, crate::db::Db) {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = crate::db::Db::open(dir.path()).expect("open");
        (dir, db)
    }

    #[tokio::test]
    async fn seeds_once_deterministically_inside_the_town() {
        let (_dir, db) = database();
        let (_dir2, db2) = database();
        let now = 1_795_000_000;
        let summary = |db: crate::db::Db| async move {
            db.call(move |conn| {
                seed(conn, now)?;
                seed(conn, now)?;
                let rows: Vec<Row> = conn
                    .prepare(
                        "SELECT service_code, status, lat, long, resident_id, asset_id \
                         FROM open311_requests ORDER BY id",
                    )?
                    .query_map([], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    })?
                    .collect::<Result<_, _>>()?;
                Ok(rows)
            })
            .await
            .expect("seed")
        };
        let rows = summary(db).await;
        assert_eq!(rows.len(), COUNT, "seeding twice adds nothing");
        assert_eq!(rows, summary(db2).await, "same seed, same reports");
        let town = Town::demo();
        assert!(rows.iter().all(|r| town.contains(r.3, r.2)));
        assert!(rows.iter().any(|r| r.1 == "open") && rows.iter().any(|r| r.1 == "closed"));
        assert!(rows.iter().filter(|r| r.4 == Some(1)).count() >= 3);
        assert!(rows.iter().filter(|r| r.4 == Some(2)).count() >= 3);
        for prefix in [
            "urn:ngsi-ld:Streetlight:BSL-",
            "urn:ngsi-ld:WasteContainer:BSL-",
        ] {
            let linked = |r: &Row| r.5.as_deref().is_some_and(|id| id.starts_with(prefix));
            assert!(rows.iter().any(linked), "{prefix}");
        }
    }
}
