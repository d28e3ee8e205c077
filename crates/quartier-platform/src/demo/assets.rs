//! The demo town's connected services as NGSI-LD entities (FIWARE Smart Data Models): street
//! lights along every street, waste containers, bus stops on the main roads, parking, EV
//! charging, bike hire, air- and water-quality stations.
//!
//! Everything is derived from the town's seed, the scale and a "now" instant: observation times
//! are `now` minus deterministic offsets, so the data looks live yet a test can pin it. Each
//! entity says who provides it (`dataProvider`, `owner`, `source`) so the app can show it.

use std::{
    collections::HashMap,
    f64::consts::TAU,
    sync::{Arc, Mutex, OnceLock, PoisonError},
};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::town::{Address, POSTCODE, TOWN_NAME, Town};
use crate::error::AppError;

/// Entity types and their count at scale 1, in generation order.
pub const BASE_COUNTS: [(&str, usize); 9] = [
    ("Streetlight", 12_000),
    ("WasteContainer", 2_500),
    ("GtfsStop", 120),
    ("ParkingSpot", 1_200),
    ("OffStreetParking", 12),
    ("EVChargingStation", 40),
    ("BikeHireDockingStation", 30),
    ("AirQualityObserved", 6),
    ("WaterQualityObserved", 5),
];

/// Where the data says it comes from; an invalid host on purpose (RFC 2606): it is demo data.
pub const SOURCE: &str = "https://demo.quartier.invalid/belleville-sur-loire";

/// The `meta` key recording which demo data set the database holds.
const META_KEY: &str = "demo_entities";

/// One generated entity, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: String,
    pub kind: &'static str,
    pub lon: f64,
    pub lat: f64,
    /// Normalized NGSI-LD, without `@context` (the API adds it).
    pub data: Value,
}

/// How many entities of `kind` the town has at `scale`.
pub fn count(kind: &str, scale: u32) -> usize {
    BASE_COUNTS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(0, |(_, n)| n * scale.max(1) as usize)
}

/// Stores the demo entities unless the database already holds this exact set (same seed and
/// scale), in one transaction. Returns how many were inserted (0 when already there).
pub fn seed(conn: &mut Connection, town: &Town, scale: u32, now: i64) -> Result<usize, AppError> {
    let wanted = format!("seed={};scale={}", town.seed(), scale.max(1));
    let present: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [META_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    if present.as_deref() == Some(wanted.as_str()) {
        return Ok(0);
    }
    let rows = serialized(town, scale, now);
    let modified_at = iso8601(now);
    let tx = conn.transaction()?;
    // A different scale or seed replaces the whole demo set; nothing else uses the BSL- prefix.
    tx.execute(
        "DELETE FROM entities WHERE id GLOB 'urn:ngsi-ld:*:BSL-*'",
        [],
    )?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO entities (id, type, lon, lat, data, created_at, modified_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        )?;
        for row in rows.iter() {
            insert.execute(params![
                row.id,
                row.kind,
                row.lon,
                row.lat,
                row.data,
                modified_at
            ])?;
        }
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![META_KEY, wanted],
    )?;
    tx.commit()?;
    Ok(rows.len())
}

/// An entity as stored: its JSON already serialized.
struct Row {
    id: String,
    kind: &'static str,
    lon: f64,
    lat: f64,
    data: String,
}

/// The generated rows for `(seed, scale)`, built once per process: generating and serializing is
/// most of the seeding time, and tests start many demo platforms. Later calls reuse the first
/// call's `now`, which is the same instant to within a test run.
fn serialized(town: &Town, scale: u32, now: i64) -> Arc<Vec<Row>> {
    type Cache = Mutex<HashMap<(u64, u32), Arc<Vec<Row>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let key = (town.seed(), scale.max(1));
    if let Some(rows) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Arc::clone(rows);
    }
    let rows: Arc<Vec<Row>> = Arc::new(
        generate(town, scale, now)
            .into_iter()
            .map(|e| Row {
                data: e.data.to_string(),
                id: e.id,
                kind: e.kind,
                lon: e.lon,
                lat: e.lat,
            })
            .collect(),
    );
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, Arc::clone(&rows));
    rows
}

/// Every demo entity of the town at `scale`, observation times relative to `now` (Unix seconds).
pub fn generate(town: &Town, scale: u32, now: i64) -> Vec<Entity> {
    let scale = scale.max(1);
    let mut out =
        Vec::with_capacity(BASE_COUNTS.iter().map(|(_, n)| n).sum::<usize>() * scale as usize);
    for (kind, _) in BASE_COUNTS {
        let mut g = Generator {
            town,
            now,
            rng: ChaCha8Rng::seed_from_u64(town.seed() ^ fnv1a(kind)),
            kind,
            next: 1,
            out: &mut out,
        };
        let n = count(kind, scale);
        match kind {
            "Streetlight" => g.streetlights(n),
            "WasteContainer" => g.waste_containers(n),
            "GtfsStop" => g.bus_stops(n),
            "ParkingSpot" => g.parking_spots(n),
            "OffStreetParking" => g.car_parks(n),
            "EVChargingStation" => g.ev_chargers(n),
            "BikeHireDockingStation" => g.bike_stations(n),
            "AirQualityObserved" => g.air_quality(n),
            _ => g.water_quality(n),
        }
    }
    out
}

/// A stable per-type seed offset (`DefaultHasher` may change between Rust versions).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Generator<'a> {
    town: &'a Town,
    now: i64,
    rng: ChaCha8Rng,
    kind: &'static str,
    next: usize,
    out: &'a mut Vec<Entity>,
}

impl Generator<'_> {
    /// `now` minus up to `max_secs`, as an ISO 8601 instant.
    fn ago(&mut self, min_secs: i64, max_secs: i64) -> String {
        iso8601(self.now - self.rng.random_range(min_secs..=max_secs))
    }

    fn pick<T: Copy>(&mut self, weighted: &[(T, f64)]) -> T {
        let total: f64 = weighted.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.random_range(0.0..total);
        for &(value, weight) in weighted {
            if roll < weight {
                return value;
            }
            roll -= weight;
        }
        weighted[weighted.len() - 1].0
    }

    /// Adds an entity at `address` with `attrs` and the attributes every demo entity has.
    fn push(&mut self, address: &Address, provider: &Provider, attrs: Value) {
        let id = format!("urn:ngsi-ld:{}:BSL-{:06}", self.kind, self.next);
        self.next += 1;
        let (lon, lat) = (round7(address.lon), round7(address.lat));
        let mut data = Map::new();
        data.insert("id".into(), id.clone().into());
        data.insert("type".into(), self.kind.into());
        if let Value::Object(attrs) = attrs {
            data.extend(attrs);
        }
        data.insert(
            "location".into(),
            json!({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [lon, lat]}}),
        );
        data.insert(
            "address".into(),
            prop(json!({
                "streetAddress": format!("{} {}", address.number, address.street),
                "addressLocality": TOWN_NAME,
                "postalCode": POSTCODE,
                "addressCountry": "FR",
            })),
        );
        data.insert("areaServed".into(), prop(address.district.clone()));
        data.insert("dataProvider".into(), prop(provider.name));
        data.insert(
            "owner".into(),
            prop(json!([format!(
                "urn:ngsi-ld:Organization:BSL-{}",
                provider.id
            )])),
        );
        data.insert("source".into(), prop(SOURCE));
        self.out.push(Entity {
            id,
            kind: self.kind,
            lon,
            lat,
            data: Value::Object(data),
        });
    }

    /// A random address moved `offset_m` to the side of its street (kerb, pavement).
    fn beside_street(&mut self, offset_m: f64) -> Address {
        let address = self.town.random_address(&mut self.rng);
        offset(address, &mut self.rng, offset_m)
    }

    /// Evenly spaced along every street, alternating sides: how a town lights its streets.
    fn streetlights(&mut self, n: usize) {
        let provider = Provider::LIGHTING;
        let spacing = self.town.network_length_m() / n.max(1) as f64;
        let mut made = 0;
        let mut carry = spacing / 2.0;
        for index in 0..self.town.streets().len() {
            let length = self.town.street_length_m(index);
            let main = self.town.streets()[index].main;
            let mut along = carry;
            while along < length && made < n {
                let left = made % 2 == 0;
                let Some(address) = self.town.address_on(index, along, left) else {
                    break;
                };
                let address = side_offset(self.town, index, along, left, address, 7.0);
                let status = self.pick(&[
                    ("ok", 96.0),
                    ("defectiveLamp", 2.2),
                    ("brokenLantern", 1.0),
                    ("columnIssue", 0.8),
                ]);
                let power = if status == "ok" {
                    self.pick(&[("on", 80.0), ("low", 15.0), ("off", 5.0)])
                } else {
                    "off"
                };
                let illuminance = match power {
                    "on" => 1.0,
                    "low" => 0.5,
                    _ => 0.0,
                };
                let observed = self.ago(60, 3 * 3600);
                let lamp_change = self.ago(30 * 86_400, 1_500 * 86_400);
                let height = if main {
                    self.pick(&[(10, 1.0), (12, 1.0)])
                } else {
                    self.pick(&[(6, 2.0), (8, 1.0)])
                };
                self.push(
                    &address,
                    &provider,
                    json!({
                        "status": prop_at(status, &observed),
                        "powerState": prop_at(power, &observed),
                        "illuminanceLevel": prop_at(illuminance, &observed),
                        "lanternHeight": prop_unit(height, "MTR"),
                        "dateLastLampChange": prop(lamp_change),
                        "refStreetlightGroup": rel(format!("urn:ngsi-ld:StreetlightGroup:BSL-G{index:04}")),
                    }),
                );
                made += 1;
                along += spacing;
            }
            carry = (along - length).max(0.0);
        }
        // Rounding can leave a few short of n: top up at random points.
        while made < n {
            let address = self.beside_street(7.0);
            let observed = self.ago(60, 3 * 3600);
            self.push(
                &address,
                &provider,
                json!({
                    "status": prop_at("ok", &observed),
                    "powerState": prop_at("on", &observed),
                    "illuminanceLevel": prop_at(1.0, &observed),
                    "lanternHeight": prop_unit(6, "MTR"),
                }),
            );
            made += 1;
        }
    }

    fn waste_containers(&mut self, n: usize) {
        let provider = Provider::WASTE;
        for _ in 0..n {
            let address = self.beside_street(5.0);
            // Mostly half-full, a tail of full ones waiting for the lorry.
            let level = (self.rng.random::<f64>().powf(1.3) * 100.0).round() / 100.0;
            let status = self.pick(&[
                ("ok", 95.0),
                ("lidOpen", 2.5),
                ("dropped", 1.0),
                ("moved", 1.0),
                ("burning", 0.5),
            ]);
            let kind = self.pick(&[
                ("inorganic", 40.0),
                ("organic", 15.0),
                ("paper", 20.0),
                ("plastic", 10.0),
                ("glass", 15.0),
            ]);
            let category = self.pick(&[("ground", 85.0), ("underground", 15.0)]);
            let observed = self.ago(60, 2 * 3600);
            let emptied = self.ago(3600, 7 * 86_400);
            // Fuller containers are due sooner.
            let due_in = ((1.0 - level) * 5.0 * 86_400.0) as i64 + 3600;
            self.push(
                &address,
                &provider,
                json!({
                    "fillingLevel": prop_at(level, &observed),
                    "status": prop_at(status, &observed),
                    "storedWasteKind": prop(json!([kind])),
                    "category": prop(json!([category])),
                    "dateLastEmptying": prop(emptied),
                    "nextActuationDeadline": prop(iso8601(self.now + due_in)),
                }),
            );
        }
    }

    /// Evenly spaced along the main roads, named after the nearest side street.
    fn bus_stops(&mut self, n: usize) {
        let provider = Provider::BUS;
        let mains: Vec<usize> = (0..self.town.streets().len())
            .filter(|&i| self.town.streets()[i].main)
            .collect();
        let total: f64 = mains.iter().map(|&i| self.town.street_length_m(i)).sum();
        let spacing = total / n.max(1) as f64;
        let mut made = 0;
        let mut carry = spacing / 2.0;
        for &index in &mains {
            let length = self.town.street_length_m(index);
            let mut along = carry;
            while along < length && made < n {
                let left = made % 2 == 0;
                let Some(address) = self.town.address_on(index, along, left) else {
                    break;
                };
                let address = side_offset(self.town, index, along, left, address, 6.0);
                let name = stop_name(self.town, &address);
                let accessible = self.pick(&[("1", 70.0), ("2", 20.0), ("0", 10.0)]);
                self.push(
                    &address,
                    &provider,
                    json!({
                        "name": prop(name),
                        "code": prop(format!("BSL{:04}", self.next)),
                        "wheelChairAccessible": prop(accessible),
                        "operatedBy": rel("urn:ngsi-ld:GtfsAgency:BSL-bus"),
                    }),
                );
                made += 1;
                along += spacing;
            }
            carry = (along - length).max(0.0);
        }
        while made < n {
            let address = self.beside_street(6.0);
            let name = stop_name(self.town, &address);
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(name),
                    "code": prop(format!("BSL{:04}", self.next)),
                    "wheelChairAccessible": prop("0"),
                    "operatedBy": rel("urn:ngsi-ld:GtfsAgency:BSL-bus"),
                }),
            );
            made += 1;
        }
    }

    /// On-street spaces, mostly in the busy districts.
    fn parking_spots(&mut self, n: usize) {
        let provider = Provider::PARKING;
        for _ in 0..n {
            let mut address = self.beside_street(4.0);
            for _ in 0..4 {
                if matches!(
                    address.district.as_str(),
                    "Centre-Ville" | "La Gare" | "Les Rives"
                ) {
                    break;
                }
                address = self.beside_street(4.0);
            }
            let status = self.pick(&[
                ("free", 42.0),
                ("occupied", 48.0),
                ("closed", 3.0),
                ("unknown", 7.0),
            ]);
            let disabled = self.rng.random_bool(0.05);
            let category = if disabled {
                json!(["onStreet", "forDisabled"])
            } else {
                json!(["onStreet"])
            };
            let observed = self.ago(30, 3600);
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(format!("P-{:05}", self.next)),
                    "status": prop_at(status, &observed),
                    "category": prop(category),
                }),
            );
        }
    }

    fn car_parks(&mut self, n: usize) {
        let provider = Provider::CAR_PARKS;
        for _ in 0..n {
            let address = self.beside_street(25.0);
            let total: u32 = self.rng.random_range(8..60) * 10;
            let closed = self.rng.random_bool(0.08);
            let available = if closed {
                0
            } else {
                self.rng.random_range(0..=total / 2) * self.rng.random_range(0..=2)
            }
            .min(total);
            let status = if closed {
                "closed"
            } else if available == 0 {
                "full"
            } else if f64::from(available) < 0.1 * f64::from(total) {
                "almostFull"
            } else {
                "spacesAvailable"
            };
            let observed = self.ago(30, 900);
            let name = format!("Parking {}", short_name(&address.street));
            let underground = self.rng.random_bool(0.5);
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(name),
                    "totalSpotNumber": prop(total),
                    "availableSpotNumber": prop_at(available, &observed),
                    "occupancy": prop_at(round2(1.0 - f64::from(available) / f64::from(total)), &observed),
                    "status": prop_at(status, &observed),
                    "category": prop(json!(["public", "feeCharged", if underground { "underground" } else { "openSpace" }])),
                    "allowedVehicleType": prop(json!(["car", "motorcycle"])),
                }),
            );
        }
    }

    fn ev_chargers(&mut self, n: usize) {
        let provider = Provider::ENERGY;
        for _ in 0..n {
            let address = self.beside_street(5.0);
            let capacity: u32 = self.pick(&[(2, 6.0), (4, 3.0), (6, 1.0)]);
            let out_of_service = self.rng.random_bool(0.07);
            let available = if out_of_service {
                0
            } else {
                self.rng.random_range(0..=capacity)
            };
            let status = if out_of_service {
                "outOfService"
            } else if available == 0 {
                "full"
            } else if available == capacity {
                "empty"
            } else {
                "working"
            };
            let sockets = self.pick(&[
                (&["Type2"][..], 5.0),
                (&["Type2", "Combo2"][..], 3.0),
                (&["Type2", "Combo2", "CHAdeMO"][..], 2.0),
            ]);
            let observed = self.ago(30, 1800);
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(format!("Borne {}", short_name(&address.street))),
                    "status": prop_at(status, &observed),
                    "capacity": prop(capacity),
                    "availableCapacity": prop_at(available, &observed),
                    "socketType": prop(sockets),
                    "allowedVehicleType": prop(json!(["car", "bicycle", "motorcycle"])),
                    "operator": prop(provider.name),
                }),
            );
        }
    }

    fn bike_stations(&mut self, n: usize) {
        let provider = Provider::BIKES;
        for _ in 0..n {
            let address = self.beside_street(5.0);
            let total: u32 = self.rng.random_range(10..=30);
            let broken = self.rng.random_range(0..=2).min(total);
            let out_of_service = self.rng.random_bool(0.05);
            let bikes = if out_of_service {
                0
            } else {
                self.rng.random_range(0..=total - broken)
            };
            let free = total - broken - bikes;
            let status = if out_of_service {
                "outOfService"
            } else if free == 0 {
                "full"
            } else if bikes == 0 {
                "empty"
            } else {
                "working"
            };
            let observed = self.ago(30, 900);
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(format!("Station {}", short_name(&address.street))),
                    "status": prop_at(status, &observed),
                    "totalSlotNumber": prop(total),
                    "availableBikeNumber": prop_at(bikes, &observed),
                    "freeSlotNumber": prop_at(free, &observed),
                    "outOfServiceSlotNumber": prop_at(broken, &observed),
                }),
            );
        }
    }

    /// One station per district first (at the district's heart), then anywhere.
    fn air_quality(&mut self, n: usize) {
        let provider = Provider::AIR;
        for k in 0..n {
            let address = match self.town.districts().get(k) {
                Some(district) => {
                    let (lon, lat) = district.center;
                    self.town.nearest_address(lon, lat)
                }
                None => self.town.random_address(&mut self.rng),
            };
            let address = offset(address, &mut self.rng, 8.0);
            let observed = self.ago(300, 3600);
            let no2: f64 = round1(self.rng.random_range(8.0..70.0));
            let pm10: f64 = round1(self.rng.random_range(8.0..45.0));
            let pm25: f64 = round1(pm10 * self.rng.random_range(0.45..0.7));
            let o3: f64 = round1(self.rng.random_range(30.0..120.0));
            let (index, level) = air_quality_index(no2, pm10, pm25, o3);
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(format!("Station {}", address.district)),
                    "dateObserved": prop(observed.clone()),
                    "no2": prop_measure(no2, "GQ", &observed),
                    "pm10": prop_measure(pm10, "GQ", &observed),
                    "pm25": prop_measure(pm25, "GQ", &observed),
                    "o3": prop_measure(o3, "GQ", &observed),
                    "airQualityIndex": prop_at(index, &observed),
                    "airQualityLevel": prop_at(level, &observed),
                    "typeOfLocation": prop("outdoor"),
                    "reliability": prop(0.9),
                }),
            );
        }
    }

    /// Sondes in the river, spread along its course through town.
    fn water_quality(&mut self, n: usize) {
        let provider = Provider::WATER;
        let bbox = self.town.bbox();
        let inside: Vec<(f64, f64)> = self
            .town
            .river()
            .points
            .iter()
            .copied()
            .filter(|&(lon, lat)| bbox.contains(lon, lat))
            .collect();
        for k in 0..n {
            let Some(&(lon, lat)) = inside.get((k * 2 + 1) * inside.len() / (2 * n.max(1))) else {
                break;
            };
            let near = self.town.nearest_address(lon, lat);
            let address = Address { lon, lat, ..near };
            let observed = self.ago(600, 3 * 3600);
            let ph: f64 = round2(self.rng.random_range(7.1..8.3));
            let temperature: f64 = round1(self.rng.random_range(9.0..19.0));
            let conductivity: f64 = round3(self.rng.random_range(0.025..0.055));
            let turbidity: f64 = round1(self.rng.random_range(2.0..25.0));
            let oxygen: f64 = round1(self.rng.random_range(7.0..11.5));
            self.push(
                &address,
                &provider,
                json!({
                    "name": prop(format!("Loire — {}", address.district)),
                    "dateObserved": prop(observed.clone()),
                    "pH": prop_at(ph, &observed),
                    "temperature": prop_measure(temperature, "CEL", &observed),
                    "conductivity": prop_measure(conductivity, "D10", &observed),
                    "turbidity": prop_measure(turbidity, "NTU", &observed),
                    "O2": prop_measure(oxygen, "M1", &observed),
                }),
            );
        }
    }
}

/// `airQualityIndex` and `airQualityLevel` of readings in µg/m³: sub-indices against the EU
/// daily limit values, the worst one wins. The demo's stations and the simulator (which
/// re-measures them) share it, so the two always agree.
pub fn air_quality_index(no2: f64, pm10: f64, pm25: f64, o3: f64) -> (f64, &'static str) {
    let index = [no2 / 200.0, pm10 / 50.0, pm25 / 25.0, o3 / 120.0]
        .into_iter()
        .fold(0.0, f64::max)
        * 100.0;
    let index = index.round();
    let level = match index {
        i if i < 50.0 => "good",
        i if i < 100.0 => "moderate",
        i if i < 150.0 => "unhealthyForSensitiveGroups",
        _ => "unhealthy",
    };
    (index, level)
}

/// Who runs a kind of asset (fictional bodies of the demo town).
struct Provider {
    id: &'static str,
    name: &'static str,
}

impl Provider {
    const LIGHTING: Self = Self {
        id: "eclairage",
        name: "Ville de Belleville-sur-Loire — Éclairage public (démo)",
    };
    const WASTE: Self = Self {
        id: "dechets",
        name: "Belleville Agglomération — Collecte des déchets (démo)",
    };
    const BUS: Self = Self {
        id: "bus",
        name: "Bus de Belleville (démo)",
    };
    const PARKING: Self = Self {
        id: "stationnement",
        name: "Ville de Belleville-sur-Loire — Stationnement (démo)",
    };
    const CAR_PARKS: Self = Self {
        id: "parkings",
        name: "Belleville Parkings (démo)",
    };
    const ENERGY: Self = Self {
        id: "energies",
        name: "Belleville Énergies (démo)",
    };
    const BIKES: Self = Self {
        id: "velo",
        name: "Vélo'Belleville (démo)",
    };
    const AIR: Self = Self {
        id: "air",
        name: "Observatoire de l'air de Belleville (démo)",
    };
    const WATER: Self = Self {
        id: "eau",
        name: "Syndicat des eaux de la Loire (démo)",
    };
}

fn prop(value: impl Into<Value>) -> Value {
    json!({"type": "Property", "value": value.into()})
}

fn prop_at(value: impl Into<Value>, observed_at: &str) -> Value {
    json!({"type": "Property", "value": value.into(), "observedAt": observed_at})
}

fn prop_unit(value: impl Into<Value>, unit: &str) -> Value {
    json!({"type": "Property", "value": value.into(), "unitCode": unit})
}

fn prop_measure(value: impl Into<Value>, unit: &str, observed_at: &str) -> Value {
    json!({"type": "Property", "value": value.into(), "unitCode": unit, "observedAt": observed_at})
}

fn rel(object: impl Into<Value>) -> Value {
    json!({"type": "Relationship", "object": object.into()})
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// 7 decimals of a degree is about 1 cm: more is noise in the JSON.
fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

const M_PER_DEG_LAT: f64 = 111_132.954;

fn m_per_deg_lon(lat: f64) -> f64 {
    111_319.49 * lat.to_radians().cos()
}

/// `address` moved `metres` in a random direction (for point assets whose side is unknown).
fn offset(address: Address, rng: &mut ChaCha8Rng, metres: f64) -> Address {
    let angle = rng.random_range(0.0..TAU);
    Address {
        lon: address.lon + metres * angle.cos() / m_per_deg_lon(address.lat),
        lat: address.lat + metres * angle.sin() / M_PER_DEG_LAT,
        ..address
    }
}

/// `address` (on the centreline of street `index` at `along`) moved `metres` to its side.
fn side_offset(
    town: &Town,
    index: usize,
    along: f64,
    left: bool,
    address: Address,
    metres: f64,
) -> Address {
    let ahead = town.address_on(index, along + 1.0, left);
    let behind = town.address_on(index, (along - 1.0).max(0.0), left);
    let (Some(ahead), Some(behind)) = (ahead, behind) else {
        return address;
    };
    let dx = (ahead.lon - behind.lon) * m_per_deg_lon(address.lat);
    let dy = (ahead.lat - behind.lat) * M_PER_DEG_LAT;
    let len = dx.hypot(dy);
    if len == 0.0 {
        return address;
    }
    // Left of the direction of travel is (-dy, dx).
    let sign = if left { 1.0 } else { -1.0 };
    Address {
        lon: address.lon + sign * -dy / len * metres / m_per_deg_lon(address.lat),
        lat: address.lat + sign * dx / len * metres / M_PER_DEG_LAT,
        ..address
    }
}

/// "Rue des Lilas" → "Lilas", "Avenue Jean Jaurès" → "Jean Jaurès": how stops and stations are
/// named.
fn short_name(street: &str) -> String {
    let rest = street.split_once(' ').map_or(street, |(_, rest)| rest);
    for article in ["de la ", "de l'", "des ", "du ", "de "] {
        if let Some(stripped) = rest.strip_prefix(article) {
            return stripped.to_owned();
        }
    }
    rest.to_owned()
}

/// A bus stop takes the name of the closest side street (not the main road it is on).
fn stop_name(town: &Town, address: &Address) -> String {
    let cross = town
        .streets()
        .iter()
        .filter(|s| !s.main)
        .flat_map(|s| s.points.iter().map(move |p| (s, p)))
        .min_by(|a, b| {
            let da = (a.1.0 - address.lon).powi(2) + (a.1.1 - address.lat).powi(2);
            let db = (b.1.0 - address.lon).powi(2) + (b.1.1 - address.lat).powi(2);
            da.total_cmp(&db)
        });
    match cross {
        Some((street, _)) => short_name(&street.name),
        None => short_name(&address.street),
    }
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ` (UTC), the platform's one calendar.
pub fn iso8601(unix: i64) -> String {
    crate::auth::clock::rfc3339(unix)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    /// 2026-11-28T12:00:00Z.
    const NOW: i64 = 1_795_867_200;

    fn by_type(entities: &[Entity]) -> HashMap<&'static str, usize> {
        let mut counts = HashMap::new();
        for e in entities {
            *counts.entry(e.kind).or_default() += 1;
        }
        counts
    }

    #[test]
    fn iso8601_formats_utc_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(NOW), "2026-11-28T12:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn counts_per_type_follow_the_scale() {
        let town = Town::demo();
        for scale in [1, 2] {
            let entities = generate(town, scale, NOW);
            let counts = by_type(&entities);
            for (kind, base) in BASE_COUNTS {
                assert_eq!(
                    counts.get(kind),
                    Some(&(base * scale as usize)),
                    "{kind} x{scale}"
                );
            }
            let ids: HashSet<&str> = entities.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(ids.len(), entities.len(), "ids are unique");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let town = Town::demo();
        let a = generate(town, 1, NOW);
        let b = generate(town, 1, NOW);
        assert!(a == b);
    }

    #[test]
    fn entities_are_normalized_ngsi_ld_inside_the_town() {
        let town = Town::demo();
        let bbox = town.bbox();
        for entity in generate(town, 1, NOW) {
            let data = entity.data.as_object().expect("object");
            assert_eq!(data["id"], entity.id.as_str());
            assert_eq!(data["type"], entity.kind);
            assert!(
                entity
                    .id
                    .starts_with(&format!("urn:ngsi-ld:{}:BSL-", entity.kind))
            );
            assert!(bbox.contains(entity.lon, entity.lat), "{}", entity.id);
            let coordinates = &data["location"]["value"]["coordinates"];
            assert_eq!(coordinates[0], entity.lon);
            assert_eq!(coordinates[1], entity.lat);
            for (name, attr) in data {
                if name == "id" || name == "type" {
                    continue;
                }
                let kind = attr["type"].as_str().expect("attribute type");
                assert!(
                    matches!(kind, "Property" | "Relationship" | "GeoProperty"),
                    "{}: {name}",
                    entity.id
                );
                if let Some(observed) = attr.get("observedAt") {
                    let observed = observed.as_str().expect("string");
                    assert!(
                        observed <= "2026-11-28T12:00:00Z" && observed > "2026-11-27",
                        "{observed}"
                    );
                }
            }
            assert!(
                data["dataProvider"]["value"]
                    .as_str()
                    .expect("provider")
                    .contains("démo")
            );
            assert_eq!(data["source"]["value"], SOURCE);
        }
    }

    #[test]
    fn enums_and_ranges_follow_the_smart_data_models() {
        let entities = generate(Town::demo(), 1, NOW);
        let value = |e: &Entity, attr: &str| e.data[attr]["value"].clone();
        let lights: Vec<&Entity> = entities
            .iter()
            .filter(|e| e.kind == "Streetlight")
            .collect();
        let defective = lights.iter().filter(|e| value(e, "status") != "ok").count();
        assert!(
            (120..900).contains(&defective),
            "{defective} defective lights"
        );
        for light in &lights {
            let status = value(light, "status");
            assert!(
                ["ok", "defectiveLamp", "columnIssue", "brokenLantern"]
                    .contains(&status.as_str().expect("s")),
                "{status}"
            );
            assert!(
                ["on", "off", "low"].contains(&value(light, "powerState").as_str().expect("p"))
            );
        }
        let bins: Vec<&Entity> = entities
            .iter()
            .filter(|e| e.kind == "WasteContainer")
            .collect();
        let full = bins
            .iter()
            .filter(|e| value(e, "fillingLevel").as_f64().expect("level") > 0.8)
            .count();
        assert!((100..1000).contains(&full), "{full} full bins");
        for bin in &bins {
            let level = value(bin, "fillingLevel").as_f64().expect("level");
            assert!((0.0..=1.0).contains(&level));
        }
        for spot in entities.iter().filter(|e| e.kind == "ParkingSpot") {
            assert!(
                ["free", "occupied", "closed", "unknown"]
                    .contains(&value(spot, "status").as_str().expect("s"))
            );
        }
        for station in entities
            .iter()
            .filter(|e| e.kind == "BikeHireDockingStation")
        {
            let total = value(station, "totalSlotNumber").as_u64().expect("n");
            let bikes = value(station, "availableBikeNumber").as_u64().expect("n");
            let free = value(station, "freeSlotNumber").as_u64().expect("n");
            assert!(bikes + free <= total);
        }
        for air in entities.iter().filter(|e| e.kind == "AirQualityObserved") {
            assert_eq!(air.data["no2"]["unitCode"], "GQ");
            assert!(air.data["airQualityIndex"]["value"].is_number());
        }
    }

    #[test]
    fn bus_stops_are_on_main_roads() {
        let town = Town::demo();
        let entities = generate(town, 1, NOW);
        for stop in entities.iter().filter(|e| e.kind == "GtfsStop") {
            let nearest = town
                .streets()
                .iter()
                .filter(|s| s.main)
                .flat_map(|s| s.points.windows(2))
                .map(|pair| segment_distance_m((stop.lon, stop.lat), pair[0], pair[1]))
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest < 10.0,
                "{} is {nearest} m from a main road",
                stop.id
            );
        }
    }

    fn segment_distance_m(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
        let k = m_per_deg_lon(p.1);
        let (px, py) = ((p.0 - a.0) * k, (p.1 - a.1) * M_PER_DEG_LAT);
        let (bx, by) = ((b.0 - a.0) * k, (b.1 - a.1) * M_PER_DEG_LAT);
        let len2 = bx * bx + by * by;
        let t = if len2 > 0.0 {
            ((px * bx + py * by) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (px - bx * t).hypot(py - by * t)
    }

    #[test]
    fn seeding_is_idempotent_and_fast() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = crate::db::Db::open(dir.path()).expect("open");
        let town = Town::demo();
        let (first, second, rows, rtree) = db
            .call_blocking(|conn| {
                let start = std::time::Instant::now();
                let first = seed(conn, town, 1, NOW)?;
                eprintln!("seeded {first} entities in {:?}", start.elapsed());
                let second = seed(conn, town, 1, NOW)?;
                let rows: i64 =
                    conn.query_row("SELECT count(*) FROM entities", [], |r| r.get(0))?;
                let rtree: i64 =
                    conn.query_row("SELECT count(*) FROM entities_rtree", [], |r| r.get(0))?;
                Ok((first, second, rows, rtree))
            })
            .expect("seed");
        let expected: usize = BASE_COUNTS.iter().map(|(_, n)| n).sum();
        assert_eq!(first, expected);
        assert_eq!(second, 0, "the second start inserts nothing");
        assert_eq!(rows, expected as i64);
        assert_eq!(rtree, rows, "every entity is in the R*Tree");
        // Another scale replaces the set.
        let third = db
            .call_blocking(|conn| seed(conn, town, 2, NOW))
            .expect("reseed");
        assert_eq!(third, 2 * expected);
    }
}
