//! The water meter's readings summed by month, for the chart, its table and its one-sentence
//! summary (pure, so that the numbers the resident reads are tested natively).

use quartier_api::resident::WaterReading;

/// How many months the chart shows.
pub const MONTHS: usize = 12;

/// The litres used in one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthUsage {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    pub litres: i64,
    /// Days with a reading (fewer than the month's days: the month is partly read).
    pub days_read: u32,
}

impl MonthUsage {
    /// `2026-07`, the month's stable id (list keys, table rows).
    pub fn id(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn cubic_metres(&self) -> f64 {
        self.litres as f64 / 1000.0
    }

    pub fn is_partial(&self) -> bool {
        self.days_read < days_in_month(self.year, self.month)
    }
}

/// The last [`MONTHS`] months of readings, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaterUsage {
    pub months: Vec<MonthUsage>,
}

impl WaterUsage {
    pub fn total_litres(&self) -> i64 {
        self.months.iter().map(|m| m.litres).sum()
    }

    /// The month that used the most (the latest of equals).
    pub fn highest(&self) -> Option<&MonthUsage> {
        self.months
            .iter()
            .filter(|m| m.days_read > 0)
            .max_by_key(|m| (m.litres, m.year, m.month))
    }
}

/// Sums `readings` (in any order) by month over the [`MONTHS`] months that end with the latest
/// fully read month, or with the latest month when none is complete: a month only begun (today's
/// first days) would otherwise look like a sudden drop. Months without a reading are kept, at 0.
pub fn monthly(readings: &[WaterReading]) -> WaterUsage {
    let mut sums: std::collections::BTreeMap<(i32, u8), (i64, u32)> = Default::default();
    for reading in readings {
        if let Some(key) = reading.year_month() {
            let sum = sums.entry(key).or_default();
            sum.0 += reading.consumption_litres;
            sum.1 += 1;
        }
    }
    let complete = |&(&(year, month), &(_, days)): &(&(i32, u8), &(i64, u32))| {
        days >= days_in_month(year, month)
    };
    let Some(&(mut year, mut month)) = sums
        .iter()
        .rev()
        .find(complete)
        .or_else(|| sums.iter().next_back())
        .map(|(key, _)| key)
    else {
        return WaterUsage::default();
    };
    let mut months = Vec::with_capacity(MONTHS);
    for _ in 0..MONTHS {
        let (litres, days_read) = sums.get(&(year, month)).copied().unwrap_or_default();
        months.push(MonthUsage {
            year,
            month,
            litres,
            days_read,
        });
        (year, month) = if month == 1 {
            (year - 1, 12)
        } else {
            (year, month - 1)
        };
    }
    months.reverse();
    // Months before the first reading are not part of the story.
    let first_read = months.iter().position(|m| m.days_read > 0).unwrap_or(0);
    months.drain(..first_read);
    WaterUsage { months }
}

pub fn days_in_month(year: i32, month: u8) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Round steps for a chart's axis up to `max`: 1, 2 or 5 times a power of ten, about 4 of them.
pub fn axis_step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let rough = max / 4.0;
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(date: &str, litres: i64) -> WaterReading {
        WaterReading {
            date: date.into(),
            meter_id: "WM-1".into(),
            index_litres: 0,
            consumption_litres: litres,
        }
    }

    /// Every day from `(year, month, 1)` for `days` days, `litres` each.
    fn days_from(year: i32, month: u8, days: u32, litres: i64) -> Vec<WaterReading> {
        let (mut y, mut m, mut d) = (year, month, 1);
        (0..days)
            .map(|_| {
                let r = reading(&format!("{y:04}-{m:02}-{d:02}"), litres);
                d += 1;
                if d > days_in_month(y, m) {
                    d = 1;
                    (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                }
                r
            })
            .collect()
    }

    #[test]
    fn sums_twelve_full_months_and_leaves_a_month_just_begun_out() {
        // 2025-12-01 to 2026-12-02: Dec 2026 has two days only.
        let mut all = days_from(2025, 12, 367, 300);
        all.reverse();
        let usage = monthly(&all);
        assert_eq!(usage.months.len(), 12);
        assert_eq!(usage.months[0].id(), "2025-12");
        assert_eq!(usage.months[11].id(), "2026-11");
        assert_eq!(usage.months[1].litres, 31 * 300);
        assert_eq!(usage.months[2].litres, 28 * 300, "February 2026");
        assert_eq!(usage.total_litres(), 365 * 300);
        assert!(usage.months.iter().all(|m| !m.is_partial()));
        // The highest: the latest of the 31-day months.
        assert_eq!(
            usage.highest().map(MonthUsage::id).as_deref(),
            Some("2026-10")
        );
    }

    #[test]
    fn a_short_history_starts_at_its_first_reading_and_gaps_count_zero() {
        let mut all = days_from(2026, 9, 30, 500);
        all.extend(days_from(2026, 11, 30, 100));
        let usage = monthly(&all);
        let ids: Vec<String> = usage.months.iter().map(MonthUsage::id).collect();
        assert_eq!(ids, ["2026-09", "2026-10", "2026-11"]);
        assert_eq!(usage.months[1].litres, 0);
        assert_eq!(usage.months[1].days_read, 0);
        assert_eq!(usage.highest().map(|m| m.month), Some(9));
        assert_eq!(monthly(&[]), WaterUsage::default());
        // Only a partial month: it is shown, marked partial.
        let few = monthly(&days_from(2026, 12, 2, 250));
        assert_eq!(few.months.len(), 1);
        assert!(few.months[0].is_partial());
        assert_eq!(few.months[0].cubic_metres(), 0.5);
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(axis_step(12.0), 5.0);
        assert_eq!(axis_step(41.0), 20.0);
        assert_eq!(axis_step(7.5), 2.0);
        assert_eq!(axis_step(0.0), 1.0);
        assert_eq!(axis_step(100.0), 50.0);
    }
}
