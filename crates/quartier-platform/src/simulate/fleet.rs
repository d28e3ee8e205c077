//! The devices the simulator plays, as it last reported them, and what each tick changes.
//!
//! Built from the entities read through the API (simplified, `options=keyValues`), then moved
//! on by [`Fleet::tick`], which returns the NGSI-LD fragments to write. No I/O here: the
//! caller reads, writes and keeps the clock, so a test can run a whole day in a loop.

use rand::Rng;
use serde_json::{Value, json};

use super::model::{self, Pollutants};
use crate::auth::clock::rfc3339;
use crate::demo::assets::air_quality_index;

/// What is read of each simulated type: the attributes its behaviour needs (`attrs=`).
pub const READS: &[(&str, &str)] = &[
    ("Streetlight", "status,powerState"),
    ("WasteContainer", "fillingLevel,areaServed"),
    ("ParkingSpot", "status,areaServed"),
    (
        "OffStreetParking",
        "status,totalSpotNumber,availableSpotNumber",
    ),
    (
        "EVChargingStation",
        "status,capacity,availableCapacity,areaServed",
    ),
    (
        "BikeHireDockingStation",
        "status,totalSlotNumber,availableBikeNumber,outOfServiceSlotNumber,areaServed",
    ),
    ("AirQualityObserved", "o3"),
];

/// How often each kind of sensor reports, on average (seconds). Bin and parking sensors save
/// their batteries; docking stations and car-park counters are on the mains.
const BIN_REPORT_SECS: f64 = 900.0;
const SPOT_REPORT_SECS: f64 = 600.0;
const CAR_PARK_REPORT_SECS: f64 = 120.0;
const CHARGER_REPORT_SECS: f64 = 180.0;
const STATION_REPORT_SECS: f64 = 60.0;
const AIR_REPORT_SECS: f64 = 300.0;

/// The longest tick counted for events: after a pause (a suspended laptop) the town does not
/// send an hour of reports at once.
const MAX_TICK_SECS: f64 = 60.0;

/// One entity's change: its type, and the fragment to write (`id`, `type`, attributes; the
/// caller adds the `@context`).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub entity_type: &'static str,
    pub fragment: Value,
}

/// What happened since the counts were last taken, for the log's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Events {
    pub lamps_failed: usize,
    pub lamps_repaired: usize,
    pub bins_emptied: usize,
    pub changes: usize,
}

#[derive(Debug)]
struct Lamp {
    id: String,
    ok: bool,
    /// Restored on repair.
    power: String,
}

#[derive(Debug)]
struct Repair {
    lamp: usize,
    due: f64,
}

#[derive(Debug)]
struct Bin {
    id: String,
    level: f64,
    /// How much faster than the town's average this bin fills (a school, a market).
    pace: f64,
    /// Local hour the lorry reaches it on its district's round.
    slot: f64,
}

#[derive(Debug)]
struct Spot {
    id: String,
    occupied: bool,
    busy: bool,
}

#[derive(Debug)]
struct CarPark {
    id: String,
    total: u32,
    available: u32,
}

#[derive(Debug)]
struct Charger {
    id: String,
    capacity: u32,
    available: u32,
    busy: bool,
}

#[derive(Debug)]
struct Station {
    id: String,
    /// Docks that work: the total less those out of service.
    docks: u32,
    broken: u32,
    bikes: u32,
    busy: bool,
}

#[derive(Debug)]
struct AirStation {
    id: String,
    /// Ozone is not traffic's: kept as read, it still weighs in the index.
    o3: f64,
}

/// Every simulated device.
#[derive(Debug, Default)]
pub struct Fleet {
    lamps: Vec<Lamp>,
    repairs: Vec<Repair>,
    bins: Vec<Bin>,
    spots: Vec<Spot>,
    car_parks: Vec<CarPark>,
    chargers: Vec<Charger>,
    stations: Vec<Station>,
    air: Vec<AirStation>,
    last: f64,
    events: Events,
}

fn text<'a>(entity: &'a Value, name: &str) -> &'a str {
    entity.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn number(entity: &Value, name: &str) -> Option<f64> {
    entity.get(name).and_then(Value::as_f64)
}

fn count(entity: &Value, name: &str) -> Option<u32> {
    entity
        .get(name)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

fn id_of(entity: &Value) -> Option<String> {
    entity.get("id").and_then(Value::as_str).map(str::to_owned)
}

fn property(value: impl Into<Value>, observed: &str) -> Value {
    json!({"type": "Property", "value": value.into(), "observedAt": observed})
}

fn measure(value: f64, observed: &str) -> Value {
    json!({"type": "Property", "value": value, "unitCode": "GQ", "observedAt": observed})
}

fn fragment(id: &str, entity_type: &str, attributes: Value) -> Value {
    let mut fragment = json!({"id": id, "type": entity_type});
    if let (Value::Object(fragment), Value::Object(attributes)) = (&mut fragment, attributes) {
        fragment.extend(attributes);
    }
    fragment
}

impl Fleet {
    /// The devices of `entities` (simplified, as `GET entities?options=keyValues&attrs=` of
    /// [`READS`] answers them) at `now` (Unix seconds). Devices out of service, closed or of a
    /// status the simulator does not play are left alone; entities missing what a behaviour
    /// needs are skipped.
    pub fn new(entities: &[Value], now: f64, rng: &mut impl Rng) -> Self {
        let mut fleet = Self {
            last: now,
            ..Self::default()
        };
        let mut bins = Vec::new();
        for entity in entities {
            let Some(id) = id_of(entity) else { continue };
            let busy = model::is_busy(text(entity, "areaServed"));
            match text(entity, "type") {
                "Streetlight" => fleet.lamps.push(Lamp {
                    id,
                    ok: text(entity, "status") == "ok",
                    // A repaired lamp is left lit, as the crew checks it.
                    power: match text(entity, "powerState") {
                        "" | "off" => "on".to_owned(),
                        power => power.to_owned(),
                    },
                }),
                "WasteContainer" => {
                    if let Some(level) = number(entity, "fillingLevel") {
                        let district = text(entity, "areaServed").to_owned();
                        bins.push((district, id, level));
                    }
                }
                "ParkingSpot" => {
                    let status = text(entity, "status");
                    if matches!(status, "free" | "occupied") {
                        fleet.spots.push(Spot {
                            id,
                            occupied: status == "occupied",
                            busy,
                        });
                    }
                }
                "OffStreetParking" => {
                    if let (Some(total), Some(available)) = (
                        count(entity, "totalSpotNumber"),
                        count(entity, "availableSpotNumber"),
                    ) && text(entity, "status") != "closed"
                        && total > 0
                    {
                        fleet.car_parks.push(CarPark {
                            id,
                            total,
                            available: available.min(total),
                        });
                    }
                }
                "EVChargingStation" => {
                    if let (Some(capacity), Some(available)) = (
                        count(entity, "capacity"),
                        count(entity, "availableCapacity"),
                    ) && text(entity, "status") != "outOfService"
                    {
                        fleet.chargers.push(Charger {
                            id,
                            capacity,
                            available: available.min(capacity),
                            busy,
                        });
                    }
                }
                "BikeHireDockingStation" => {
                    if let (Some(total), Some(bikes)) = (
                        count(entity, "totalSlotNumber"),
                        count(entity, "availableBikeNumber"),
                    ) && text(entity, "status") != "outOfService"
                    {
                        let broken = count(entity, "outOfServiceSlotNumber")
                            .unwrap_or(0)
                            .min(total);
                        let docks = total - broken;
                        fleet.stations.push(Station {
                            id,
                            docks,
                            broken,
                            bikes: bikes.min(docks),
                            busy,
                        });
                    }
                }
                "AirQualityObserved" => fleet.air.push(AirStation {
                    id,
                    o3: number(entity, "o3").unwrap_or(60.0),
                }),
                _ => {}
            }
        }
        fleet.bins = rounds(bins, rng);
        fleet
    }

    /// How many devices are simulated.
    pub fn len(&self) -> usize {
        self.lamps.len()
            + self.bins.len()
            + self.spots.len()
            + self.car_parks.len()
            + self.chargers.len()
            + self.stations.len()
            + self.air.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What happened since the last call.
    pub fn take_events(&mut self) -> Events {
        std::mem::take(&mut self.events)
    }

    /// Moves the town on to `now` (Unix seconds) and returns what the sensors report.
    pub fn tick(&mut self, now: f64, rng: &mut impl Rng) -> Vec<Change> {
        let from = self.last;
        let elapsed = (now - from).max(0.0);
        self.last = now;
        let dt = elapsed.min(MAX_TICK_SECS);
        let hour = model::local_hour(now);
        let observed = rfc3339(now.floor() as i64);
        let mut changes = Vec::new();
        self.lights(now, dt, rng, &observed, &mut changes);
        self.waste(from, now, elapsed, dt, rng, &observed, &mut changes);
        self.parking(hour, dt, rng, &observed, &mut changes);
        self.charging(hour, dt, rng, &observed, &mut changes);
        self.bikes(hour, dt, rng, &observed, &mut changes);
        self.air_quality(hour, dt, rng, &observed, &mut changes);
        self.events.changes += changes.len();
        changes
    }

    fn lights(
        &mut self,
        now: f64,
        dt: f64,
        rng: &mut impl Rng,
        observed: &str,
        out: &mut Vec<Change>,
    ) {
        let lamp = |lamp: &Lamp, status: &str, power: &str| {
            let illuminance = match power {
                "on" => 1.0,
                "low" => 0.5,
                _ => 0.0,
            };
            let mut attributes = json!({
                "status": property(status, observed),
                "powerState": property(power, observed),
                "illuminanceLevel": property(illuminance, observed),
            });
            if status == "ok" {
                // The crew replaced the lamp.
                attributes["dateLastLampChange"] = json!({"type": "Property", "value": observed});
            }
            Change {
                entity_type: "Streetlight",
                fragment: fragment(&lamp.id, "Streetlight", attributes),
            }
        };
        let expected = self.lamps.len() as f64 * model::LAMP_FAILURES_PER_HOUR * dt / 3600.0;
        for _ in 0..model::events_in(expected, rng) {
            let index = rng.random_range(0..self.lamps.len());
            // Only working lamps fail; those the seed has broken wait for a longer job.
            if !self.lamps[index].ok {
                continue;
            }
            self.lamps[index].ok = false;
            out.push(lamp(&self.lamps[index], "defectiveLamp", "off"));
            self.repairs.push(Repair {
                lamp: index,
                due: now + model::repair_delay_secs(rng),
            });
            self.events.lamps_failed += 1;
        }
        let (due, waiting): (Vec<Repair>, Vec<Repair>) =
            self.repairs.drain(..).partition(|r| r.due <= now);
        self.repairs = waiting;
        for repair in due {
            let repaired = &mut self.lamps[repair.lamp];
            repaired.ok = true;
            out.push(lamp(repaired, "ok", &repaired.power));
            self.events.lamps_repaired += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn waste(
        &mut self,
        from: f64,
        now: f64,
        elapsed: f64,
        dt: f64,
        rng: &mut impl Rng,
        observed: &str,
        out: &mut Vec<Change>,
    ) {
        if self.bins.is_empty() {
            return;
        }
        let rate = model::fill_rate_per_hour(model::local_hour(now));
        let level = |bin: &Bin, rng: &mut _| json!({"fillingLevel": property(model::share_reading(bin.level, 0.01, rng), observed)});
        for bin in &mut self.bins {
            bin.level = (bin.level + rate * bin.pace * elapsed / 3600.0).min(1.0);
            if model::passed(from, now, bin.slot) && bin.level >= model::EMPTY_FROM {
                bin.level = rng.random_range(0.0..0.03);
                let mut attributes = level(bin, rng);
                attributes["dateLastEmptying"] = json!({"type": "Property", "value": observed});
                // Tomorrow's round.
                attributes["nextActuationDeadline"] = json!({
                    "type": "Property",
                    "value": rfc3339((now + 86_400.0).floor() as i64),
                });
                out.push(Change {
                    entity_type: "WasteContainer",
                    fragment: fragment(&bin.id, "WasteContainer", attributes),
                });
                self.events.bins_emptied += 1;
            }
        }
        let expected = self.bins.len() as f64 * dt / BIN_REPORT_SECS;
        for _ in 0..model::events_in(expected, rng) {
            let bin = &self.bins[rng.random_range(0..self.bins.len())];
            out.push(Change {
                entity_type: "WasteContainer",
                fragment: fragment(&bin.id, "WasteContainer", level(bin, rng)),
            });
        }
    }

    fn parking(
        &mut self,
        hour: f64,
        dt: f64,
        rng: &mut impl Rng,
        observed: &str,
        out: &mut Vec<Change>,
    ) {
        if !self.spots.is_empty() {
            let expected = self.spots.len() as f64 * dt / SPOT_REPORT_SECS;
            for _ in 0..model::events_in(expected, rng) {
                let index = rng.random_range(0..self.spots.len());
                let spot = &mut self.spots[index];
                let occupied = rng.random_bool(model::parking_occupancy(hour, spot.busy));
                // A space's sensor reports when a car comes or goes.
                if occupied != spot.occupied {
                    spot.occupied = occupied;
                    let status = if occupied { "occupied" } else { "free" };
                    out.push(Change {
                        entity_type: "ParkingSpot",
                        fragment: fragment(
                            &spot.id,
                            "ParkingSpot",
                            json!({"status": property(status, observed)}),
                        ),
                    });
                }
            }
        }
        if !self.car_parks.is_empty() {
            let expected = self.car_parks.len() as f64 * dt / CAR_PARK_REPORT_SECS;
            for _ in 0..model::events_in(expected, rng) {
                let index = rng.random_range(0..self.car_parks.len());
                let park = &mut self.car_parks[index];
                let total = f64::from(park.total);
                let target = total * (1.0 - model::parking_occupancy(hour, true));
                let available = f64::from(park.available);
                let noise = rng.random_range(-0.02..=0.02) * total;
                let next = (available + (target - available) * 0.3 + noise).round();
                park.available = next.clamp(0.0, total) as u32;
                let share = f64::from(park.available) / total;
                let status = match park.available {
                    0 => "full",
                    _ if share < 0.1 => "almostFull",
                    _ => "spacesAvailable",
                };
                out.push(Change {
                    entity_type: "OffStreetParking",
                    fragment: fragment(
                        &park.id,
                        "OffStreetParking",
                        json!({
                            "availableSpotNumber": property(park.available, observed),
                            "occupancy": property(model::round2(1.0 - share), observed),
                            "status": property(status, observed),
                        }),
                    ),
                });
            }
        }
    }

    fn charging(
        &mut self,
        hour: f64,
        dt: f64,
        rng: &mut impl Rng,
        observed: &str,
        out: &mut Vec<Change>,
    ) {
        if self.chargers.is_empty() {
            return;
        }
        let expected = self.chargers.len() as f64 * dt / CHARGER_REPORT_SECS;
        for _ in 0..model::events_in(expected, rng) {
            let index = rng.random_range(0..self.chargers.len());
            let charger = &mut self.chargers[index];
            let capacity = f64::from(charger.capacity);
            let target = capacity * (1.0 - model::charging_occupancy(hour, charger.busy));
            let available = model::step_towards(charger.available, target, charger.capacity, rng);
            if available == charger.available {
                continue;
            }
            charger.available = available;
            let status = match available {
                0 => "full",
                a if a == charger.capacity => "empty",
                _ => "working",
            };
            out.push(Change {
                entity_type: "EVChargingStation",
                fragment: fragment(
                    &charger.id,
                    "EVChargingStation",
                    json!({
                        "availableCapacity": property(available, observed),
                        "status": property(status, observed),
                    }),
                ),
            });
        }
    }

    fn bikes(
        &mut self,
        hour: f64,
        dt: f64,
        rng: &mut impl Rng,
        observed: &str,
        out: &mut Vec<Change>,
    ) {
        if self.stations.is_empty() {
            return;
        }
        let expected = self.stations.len() as f64 * dt / STATION_REPORT_SECS;
        for _ in 0..model::events_in(expected, rng) {
            let index = rng.random_range(0..self.stations.len());
            let station = &mut self.stations[index];
            let target = f64::from(station.docks) * model::bike_share(hour, station.busy);
            station.bikes = model::step_towards(station.bikes, target, station.docks, rng);
            let free = station.docks - station.bikes;
            let status = match (station.bikes, free) {
                (_, 0) => "full",
                (0, _) => "empty",
                _ => "working",
            };
            out.push(Change {
                entity_type: "BikeHireDockingStation",
                fragment: fragment(
                    &station.id,
                    "BikeHireDockingStation",
                    json!({
                        "availableBikeNumber": property(station.bikes, observed),
                        "freeSlotNumber": property(free, observed),
                        "outOfServiceSlotNumber": property(station.broken, observed),
                        "status": property(status, observed),
                    }),
                ),
            });
        }
    }

    fn air_quality(
        &mut self,
        hour: f64,
        dt: f64,
        rng: &mut impl Rng,
        observed: &str,
        out: &mut Vec<Change>,
    ) {
        if self.air.is_empty() {
            return;
        }
        let expected = self.air.len() as f64 * dt / AIR_REPORT_SECS;
        for _ in 0..model::events_in(expected, rng) {
            let station = &self.air[rng.random_range(0..self.air.len())];
            let Pollutants { no2, pm10, pm25 } = model::air(model::traffic(hour), rng);
            let (index, level) = air_quality_index(no2, pm10, pm25, station.o3);
            out.push(Change {
                entity_type: "AirQualityObserved",
                fragment: fragment(
                    &station.id,
                    "AirQualityObserved",
                    json!({
                        "dateObserved": {"type": "Property", "value": observed},
                        "no2": measure(no2, observed),
                        "pm10": measure(pm10, observed),
                        "pm25": measure(pm25, observed),
                        "airQualityIndex": property(index, observed),
                        "airQualityLevel": property(level, observed),
                    }),
                ),
            });
        }
    }
}

/// The bins with their place on the collection rounds: districts in name order, one round an
/// hour ([`model::collection_hour`]), each district's bins spread over its hour in id order.
fn rounds(mut bins: Vec<(String, String, f64)>, rng: &mut impl Rng) -> Vec<Bin> {
    bins.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut out = Vec::with_capacity(bins.len());
    for (district, group) in bins.chunk_by(|a, b| a.0 == b.0).enumerate() {
        let size = group.len() as f64;
        for (k, (_, id, level)) in group.iter().enumerate() {
            out.push(Bin {
                id: id.clone(),
                level: level.clamp(0.0, 1.0),
                pace: rng.random_range(0.5..1.5),
                slot: model::collection_hour(district) + k as f64 / size,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// 2026-11-28 00:00 in Paris (23:00 UTC the day before).
    const MIDNIGHT: f64 = 1_795_820_400.0;

    fn town() -> Vec<Value> {
        let mut entities = Vec::new();
        for n in 0..300 {
            let status = if n == 0 { "brokenLantern" } else { "ok" };
            entities.push(json!({"id": format!("urn:ngsi-ld:Streetlight:{n}"),
                "type": "Streetlight", "status": status, "powerState": "on"}));
        }
        for n in 0..60_u32 {
            let district = if n.is_multiple_of(2) {
                "Centre-Ville"
            } else {
                "Beaulieu"
            };
            entities.push(json!({"id": format!("urn:ngsi-ld:WasteContainer:{n}"),
                "type": "WasteContainer", "fillingLevel": 0.5, "areaServed": district}));
        }
        for n in 0..40 {
            let status = if n == 0 { "closed" } else { "free" };
            entities.push(json!({"id": format!("urn:ngsi-ld:ParkingSpot:{n}"),
                "type": "ParkingSpot", "status": status, "areaServed": "La Gare"}));
        }
        entities.push(
            json!({"id": "urn:ngsi-ld:OffStreetParking:1", "type": "OffStreetParking",
            "status": "spacesAvailable", "totalSpotNumber": 200, "availableSpotNumber": 150}),
        );
        entities.push(
            json!({"id": "urn:ngsi-ld:OffStreetParking:2", "type": "OffStreetParking",
            "status": "closed", "totalSpotNumber": 100, "availableSpotNumber": 0}),
        );
        entities.push(
            json!({"id": "urn:ngsi-ld:EVChargingStation:1", "type": "EVChargingStation",
            "status": "working", "capacity": 4, "availableCapacity": 2, "areaServed": "Beaulieu"}),
        );
        for (n, district) in ["Centre-Ville", "Beaulieu"].into_iter().enumerate() {
            entities.push(
                json!({"id": format!("urn:ngsi-ld:BikeHireDockingStation:{n}"),
                "type": "BikeHireDockingStation", "status": "working", "totalSlotNumber": 20,
                "availableBikeNumber": 10, "outOfServiceSlotNumber": 2, "areaServed": district}),
            );
        }
        entities.push(
            json!({"id": "urn:ngsi-ld:AirQualityObserved:1", "type": "AirQualityObserved",
            "o3": 50.0}),
        );
        entities
    }

    /// A day from local midnight in `step`-second ticks: each tick's time and changes.
    fn day(seed: u64, step: f64) -> (Fleet, Vec<(f64, Vec<Change>)>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut fleet = Fleet::new(&town(), MIDNIGHT, &mut rng);
        let mut ticks = Vec::new();
        let mut now = MIDNIGHT;
        while now < MIDNIGHT + 86_400.0 {
            now += step;
            ticks.push((now, fleet.tick(now, &mut rng)));
        }
        (fleet, ticks)
    }

    fn value<'a>(change: &'a Change, name: &str) -> &'a Value {
        &change.fragment[name]["value"]
    }

    #[test]
    fn devices_out_of_play_are_left_alone() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let fleet = Fleet::new(&town(), MIDNIGHT, &mut rng);
        // The closed spot and car park are not played; the broken lamp is, but never fails.
        assert_eq!(fleet.spots.len(), 39);
        assert_eq!(fleet.car_parks.len(), 1);
        assert_eq!(fleet.len(), 300 + 60 + 39 + 1 + 1 + 2 + 1);
        let (_, ticks) = day(1, 10.0);
        let touched = |id: &str| {
            ticks
                .iter()
                .flat_map(|(_, changes)| changes)
                .any(|c| c.fragment["id"] == id)
        };
        assert!(!touched("urn:ngsi-ld:Streetlight:0"));
        assert!(!touched("urn:ngsi-ld:ParkingSpot:0"));
        assert!(!touched("urn:ngsi-ld:OffStreetParking:2"));
    }

    #[test]
    fn lamps_fail_now_and_then_and_are_repaired_within_half_an_hour() {
        let (fleet, ticks) = day(2, 10.0);
        let mut broken: HashMap<String, f64> = HashMap::new();
        let mut repaired = 0;
        for (now, changes) in &ticks {
            for change in changes.iter().filter(|c| c.entity_type == "Streetlight") {
                let id = change.fragment["id"].as_str().unwrap().to_owned();
                match value(change, "status").as_str().unwrap() {
                    "defectiveLamp" => {
                        assert_eq!(value(change, "powerState"), "off");
                        assert!(broken.insert(id, *now).is_none(), "failed twice");
                    }
                    "ok" => {
                        let since = broken.remove(&id).expect("repaired after failing");
                        assert!(now - since <= 1800.0 + 10.0, "{}", now - since);
                        assert_eq!(value(change, "illuminanceLevel"), 1.0);
                        repaired += 1;
                    }
                    other => panic!("{other}"),
                }
            }
        }
        // 299 lamps × 0.005 an hour × 24 h: about 36.
        assert!((15..70).contains(&repaired), "{repaired}");
        assert!(broken.len() <= fleet.repairs.len());
    }

    #[test]
    fn bins_fill_by_day_and_are_emptied_on_their_districts_round() {
        let (_, ticks) = day(3, 10.0);
        let mut emptied: HashMap<String, f64> = HashMap::new();
        let mut afternoon = Vec::new();
        for (now, changes) in &ticks {
            for change in changes.iter().filter(|c| c.entity_type == "WasteContainer") {
                let level = value(change, "fillingLevel").as_f64().unwrap();
                assert!((0.0..=1.0).contains(&level), "{level}");
                assert_eq!(
                    change.fragment["fillingLevel"]["observedAt"],
                    rfc3339(*now as i64)
                );
                if change.fragment.get("dateLastEmptying").is_some() {
                    assert!(level < 0.05, "{level}");
                    let id = change.fragment["id"].as_str().unwrap().to_owned();
                    assert!(emptied.insert(id, *now).is_none(), "emptied twice a day");
                } else if model::local_hour(*now) > 16.0 {
                    afternoon.push(level);
                }
            }
        }
        // Every bin was half full: each is emptied on its round, Beaulieu's (first in name
        // order) from 6:00, Centre-Ville's from 7:00.
        assert_eq!(emptied.len(), 60);
        for (id, at) in &emptied {
            let n: usize = id.rsplit(':').next().unwrap().parse().unwrap();
            let hour = model::local_hour(*at);
            let round = if n.is_multiple_of(2) { 7.0 } else { 6.0 };
            assert!((round..round + 1.0).contains(&hour), "{id} {hour}");
        }
        // Emptied in the morning, refilled by the evening.
        let mean = afternoon.iter().sum::<f64>() / afternoon.len() as f64;
        assert!((0.08..0.4).contains(&mean), "{mean}");
    }

    #[test]
    fn parking_and_bikes_follow_the_commutes() {
        let (_, ticks) = day(4, 10.0);
        let mut bikes: HashMap<(&str, bool), Vec<f64>> = HashMap::new();
        // Every spot starts free; the count of taken ones at 4:00 and at noon.
        let mut taken: HashMap<String, bool> = HashMap::new();
        let mut taken_at = Vec::new();
        for (now, changes) in &ticks {
            let hour = model::local_hour(*now);
            let office = (10.0..16.0).contains(&hour);
            let night = hour < 5.0;
            for change in changes {
                match change.entity_type {
                    "BikeHireDockingStation" if office || night => {
                        let n = value(change, "availableBikeNumber").as_u64().unwrap();
                        let free = value(change, "freeSlotNumber").as_u64().unwrap();
                        assert_eq!(n + free, 18);
                        let id = change.fragment["id"].as_str().unwrap();
                        bikes.entry((id, office)).or_default().push(n as f64);
                    }
                    "ParkingSpot" => {
                        let id = change.fragment["id"].as_str().unwrap().to_owned();
                        taken.insert(id, value(change, "status") == "occupied");
                    }
                    "OffStreetParking" => {
                        let available = value(change, "availableSpotNumber").as_u64().unwrap();
                        assert!(available <= 200);
                    }
                    _ => {}
                }
            }
            if [4.0, 12.0].contains(&hour) {
                taken_at.push(taken.values().filter(|t| **t).count());
            }
        }
        let mean = |key| {
            let v: &Vec<f64> = &bikes[&key];
            v.iter().sum::<f64>() / v.len() as f64
        };
        let centre = "urn:ngsi-ld:BikeHireDockingStation:0";
        let home = "urn:ngsi-ld:BikeHireDockingStation:1";
        assert!(mean((centre, true)) > mean((centre, false)) + 3.0);
        assert!(mean((home, true)) + 3.0 < mean((home, false)));
        // La Gare's 39 spaces are mostly free at night and taken by noon.
        assert!(taken_at[0] < 15 && taken_at[1] > 30, "{taken_at:?}");
    }

    #[test]
    fn air_is_reported_with_its_index_and_the_same_seed_gives_the_same_day() {
        let (_, ticks) = day(5, 10.0);
        let air: Vec<&Change> = ticks
            .iter()
            .flat_map(|(_, changes)| changes)
            .filter(|c| c.entity_type == "AirQualityObserved")
            .collect();
        // One station, every 5 minutes on average.
        assert!((200..400).contains(&air.len()), "{}", air.len());
        for change in &air {
            let no2 = value(change, "no2").as_f64().unwrap();
            assert_eq!(change.fragment["no2"]["unitCode"], "GQ");
            let (index, _) = air_quality_index(
                no2,
                value(change, "pm10").as_f64().unwrap(),
                value(change, "pm25").as_f64().unwrap(),
                50.0,
            );
            assert_eq!(value(change, "airQualityIndex").as_f64().unwrap(), index);
        }
        let again = day(5, 10.0).1;
        assert_eq!(ticks, again);
    }
}
