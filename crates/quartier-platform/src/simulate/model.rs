//! How the demo town's sensors behave, as plain functions of the local hour and a random
//! source: no clock, no I/O, so every curve and decision is tested on its own.
//!
//! The curves are made up to look right on a map, not fitted to data: two commuting peaks
//! (8:00, 18:00), quiet nights, bins that fill in about three days, lamps that fail far more
//! often than real ones so that a visitor sees one within minutes.

use rand::Rng;

/// Paris is UTC+1 in winter and UTC+2 in summer. The platform has no time-zone database (jiff
/// without `tzdb`), and a fixed +1 h puts day and night where a demo needs them.
pub const PARIS_OFFSET_SECS: f64 = 3600.0;

const DAY_SECS: f64 = 86_400.0;

/// Districts where people work and shop: they fill with cars and bikes by day and empty in the
/// evening; the others (where people live) do the reverse. The demo town's busy districts, as
/// its parking generator has them.
pub const BUSY_DISTRICTS: [&str; 3] = ["Centre-Ville", "La Gare", "Les Rives"];

/// Whether the district named by `areaServed` is a busy one.
pub fn is_busy(district: &str) -> bool {
    BUSY_DISTRICTS.contains(&district)
}

/// The local hour of day, `0.0..24.0`, of an instant in Unix seconds.
pub fn local_hour(unix: f64) -> f64 {
    (unix + PARIS_OFFSET_SECS).rem_euclid(DAY_SECS) / 3600.0
}

/// 0 before `from`, 1 after `to`, smooth in between.
fn smoothstep(from: f64, to: f64, x: f64) -> f64 {
    let t = ((x - from) / (to - from)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A bell `width` hours wide around `peak`, across midnight too.
fn bump(hour: f64, peak: f64, width: f64) -> f64 {
    let d = (hour - peak).abs();
    let d = d.min(24.0 - d);
    (-(d / width).powi(2)).exp()
}

/// 1 while the town is up (7:30 to 20:00), 0 at night, smooth at dawn and dusk.
pub fn daytime(hour: f64) -> f64 {
    smoothstep(5.5, 7.5, hour) * (1.0 - smoothstep(20.0, 22.5, hour))
}

/// 1 during office hours (9:00 to 17:00), ramping over the commutes.
fn working(hour: f64) -> f64 {
    smoothstep(7.0, 9.0, hour) * (1.0 - smoothstep(17.0, 19.0, hour))
}

/// Road traffic, about 0.1 at night to 1 at the rush hours (8:00, 18:00).
pub fn traffic(hour: f64) -> f64 {
    (0.08 + 0.35 * daytime(hour) + 0.6 * bump(hour, 8.0, 1.2) + 0.55 * bump(hour, 18.0, 1.5))
        .min(1.0)
}

/// How fast a bin fills, as a share of its volume per hour: households and shops throw away by
/// day, little at night; a bin fills in two to three days.
pub fn fill_rate_per_hour(hour: f64) -> f64 {
    0.002 + 0.022 * daytime(hour)
}

/// The share of car spaces taken: busy districts and the public car parks fill with the
/// morning commute and empty after the evening one; where people live, cars are home at night.
pub fn parking_occupancy(hour: f64, busy: bool) -> f64 {
    if busy {
        0.2 + 0.65 * working(hour) + 0.1 * daytime(hour)
    } else {
        0.85 - 0.35 * working(hour)
    }
}

/// The share of a station's docks holding a bike: bikes ride to the busy districts in the
/// morning and home in the evening.
pub fn bike_share(hour: f64, busy: bool) -> f64 {
    let towards_busy = 0.3 + 0.45 * working(hour);
    if busy {
        towards_busy
    } else {
        1.0 - towards_busy
    }
}

/// The share of a charging station's points in use: at work by day, at home by night.
pub fn charging_occupancy(hour: f64, busy: bool) -> f64 {
    0.75 * parking_occupancy(hour, busy)
}

/// NO₂ and PM10 (µg/m³) next to a road with this much `traffic`, with the scatter of a real
/// sensor; PM2.5 is some 60 % of PM10 in town.
pub fn air(traffic: f64, rng: &mut impl Rng) -> Pollutants {
    let no2 = 12.0 + 55.0 * traffic + rng.random_range(-4.0..4.0);
    let pm10 = 10.0 + 22.0 * traffic + rng.random_range(-3.0..3.0);
    let pm25 = pm10 * rng.random_range(0.5..0.7);
    Pollutants {
        no2: round1(no2.max(1.0)),
        pm10: round1(pm10.max(1.0)),
        pm25: round1(pm25.max(0.5)),
    }
}

/// What an air station measures that follows the traffic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pollutants {
    pub no2: f64,
    pub pm10: f64,
    pub pm25: f64,
}

/// How many of something happen this tick when `expected` are due on average: the whole part,
/// plus one more with the fraction's probability. Small fleets still report now and then, and
/// the mean is exact whatever the tick.
pub fn events_in(expected: f64, rng: &mut impl Rng) -> usize {
    // NaN too: no event.
    if expected.is_nan() || expected <= 0.0 {
        return 0;
    }
    let whole = expected.floor();
    let extra = rng.random_bool((expected - whole).clamp(0.0, 1.0));
    whole as usize + usize::from(extra)
}

/// Lamp failures per working lamp per hour: one lamp a minute in a town of 12 000, some
/// hundred times the real rate, so that a demo visitor sees the map change.
pub const LAMP_FAILURES_PER_HOUR: f64 = 60.0 / 12_000.0;

/// How long the lighting crew takes to repair a lamp the simulator broke: 5 to 30 minutes.
pub fn repair_delay_secs(rng: &mut impl Rng) -> f64 {
    rng.random_range(300.0..=1800.0)
}

/// The hour a district's collection round starts: one district an hour from 6:00, in the
/// order their names sort (the lorry's round takes the hour).
pub fn collection_hour(district_index: usize) -> f64 {
    (6.0 + district_index as f64) % 24.0
}

/// The lorry empties a bin on its round only from this level up: that is what fill sensors
/// are for.
pub const EMPTY_FROM: f64 = 0.25;

/// Whether the local time of day `slot_hour` came in `(from, to]` (Unix seconds): exact
/// across midnight and for ticks of any length under a day.
pub fn passed(from: f64, to: f64, slot_hour: f64) -> bool {
    let day = |unix: f64| ((unix + PARIS_OFFSET_SECS - slot_hour * 3600.0) / DAY_SECS).floor();
    day(to) > day(from)
}

/// A count moved towards `target` by one or two, or kept, as people take and leave things one
/// at a time: never past `max`.
pub fn step_towards(current: u32, target: f64, max: u32, rng: &mut impl Rng) -> u32 {
    let gap = target - f64::from(current);
    // Mostly towards the target, sometimes against it: a real station is never smooth.
    let towards = rng.random_bool((0.5 + gap.abs() / 4.0).min(0.9));
    let size = rng.random_range(1..=2);
    let up = (gap > 0.0) == towards;
    let next = if up {
        current.saturating_add(size)
    } else {
        current.saturating_sub(size)
    };
    next.min(max)
}

/// A reading of `value` with a sensor's scatter of ±`spread`, kept in `0..=1`, to 2 decimals.
pub fn share_reading(value: f64, spread: f64, rng: &mut impl Rng) -> f64 {
    round2((value + rng.random_range(-spread..=spread)).clamp(0.0, 1.0))
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(7)
    }

    #[test]
    fn the_local_hour_is_utc_plus_one() {
        // 2026-11-28T12:00:00Z is 13:00 in Paris in winter.
        assert!((local_hour(1_795_867_200.0) - 13.0).abs() < 1e-9);
        assert!((local_hour(23.5 * 3600.0) - 0.5).abs() < 1e-9);
        assert!((local_hour(-1800.0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn traffic_peaks_at_the_commutes_and_sleeps_at_night() {
        assert!(traffic(3.0) < 0.15);
        assert!(traffic(8.0) > 0.9);
        assert!(traffic(18.0) > 0.85);
        assert!(traffic(13.0) > traffic(3.0) && traffic(13.0) < traffic(8.0));
        for tenth in 0..240 {
            let t = traffic(f64::from(tenth) / 10.0);
            assert!((0.0..=1.0).contains(&t), "{t}");
        }
    }

    #[test]
    fn bins_fill_faster_by_day_and_in_a_few_days() {
        assert!(fill_rate_per_hour(12.0) > 5.0 * fill_rate_per_hour(3.0));
        let per_day: f64 = (0..240)
            .map(|tenth| fill_rate_per_hour(f64::from(tenth) / 10.0) / 10.0)
            .sum();
        assert!((0.3..0.5).contains(&per_day), "{per_day}");
    }

    #[test]
    fn cars_and_bikes_commute() {
        assert!(parking_occupancy(11.0, true) > 0.8);
        assert!(parking_occupancy(3.0, true) < 0.3);
        assert!(parking_occupancy(3.0, false) > parking_occupancy(11.0, false));
        assert!(bike_share(11.0, true) > bike_share(5.0, true));
        assert!(bike_share(11.0, false) < bike_share(5.0, false));
        for hour in 0..24 {
            let hour = f64::from(hour);
            for busy in [true, false] {
                for share in [
                    parking_occupancy(hour, busy),
                    bike_share(hour, busy),
                    charging_occupancy(hour, busy),
                ] {
                    assert!((0.0..=1.0).contains(&share), "{hour} {busy} {share}");
                }
            }
        }
    }

    #[test]
    fn air_follows_traffic() {
        let mut rng = rng();
        let mean = |traffic: f64, rng: &mut ChaCha8Rng| {
            (0..200).map(|_| air(traffic, rng).no2).sum::<f64>() / 200.0
        };
        assert!(mean(1.0, &mut rng) > mean(0.1, &mut rng) + 30.0);
        let reading = air(0.5, &mut rng);
        assert!(reading.pm25 < reading.pm10);
    }

    #[test]
    fn events_keep_their_mean_whatever_the_tick() {
        let mut rng = rng();
        assert_eq!(events_in(0.0, &mut rng), 0);
        assert_eq!(events_in(f64::NAN, &mut rng), 0);
        assert!((3..=4).contains(&events_in(3.5, &mut rng)));
        let total: usize = (0..10_000).map(|_| events_in(0.05, &mut rng)).sum();
        assert!((400..600).contains(&total), "{total}");
    }

    #[test]
    fn lamps_are_repaired_within_half_an_hour() {
        let mut rng = rng();
        for _ in 0..100 {
            let delay = repair_delay_secs(&mut rng);
            assert!((300.0..=1800.0).contains(&delay));
        }
    }

    #[test]
    fn a_slot_is_passed_once_a_day_across_midnight() {
        // 06:00 Paris is 05:00 UTC.
        let five_utc = 5.0 * 3600.0;
        assert!(passed(five_utc - 1.0, five_utc, 6.0));
        assert!(!passed(five_utc, five_utc + 1.0, 6.0));
        assert!(!passed(five_utc - 10.0, five_utc - 1.0, 6.0));
        // 00:30 Paris, from a tick just before midnight.
        let midnight_paris = 23.0 * 3600.0;
        assert!(passed(midnight_paris - 60.0, midnight_paris + 1800.0, 0.5));
        let ticks = (0..86_400 / 2).filter(|k| {
            let t = f64::from(*k) * 2.0;
            passed(t, t + 2.0, collection_hour(3) + 0.25)
        });
        assert_eq!(ticks.count(), 1);
    }

    #[test]
    fn counts_walk_towards_their_target_and_stay_in_bounds() {
        let mut rng = rng();
        let mut bikes = 0;
        for _ in 0..200 {
            bikes = step_towards(bikes, 15.0, 20, &mut rng);
            assert!(bikes <= 20);
        }
        assert!((10..=20).contains(&bikes), "{bikes}");
        for _ in 0..200 {
            bikes = step_towards(bikes, 2.0, 20, &mut rng);
        }
        assert!(bikes <= 6, "{bikes}");
        assert_eq!(share_reading(1.0, 0.0, &mut rng), 1.0);
        assert!((0.0..=1.0).contains(&share_reading(0.99, 0.05, &mut rng)));
    }
}
