//! A small RFC 3339 timestamp: validated, kept as text, comparable through Unix milliseconds.
//!
//! No date crate: the app is size-budgeted and only needs to check, sort and show dates.
//! Real servers send `2010-04-14T06:37:38-08:00`, `2016-07-08T08:02:21.753Z` and also
//! `2018-09-21T12:00:00` (no offset) or a space instead of `T`; all are accepted. What is
//! written back is the text as received (trimmed), or a canonical UTC form for new values.
//!
//! NGSI-LD brokers also send dates as JSON-LD typed literals, `{"@type":"DateTime","@value":…}`
//! or, the core context aliasing `type` to `@type`, `{"type":"DateTime","@value":…}`:
//! [`Timestamp::from_value`] reads all three shapes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A date-time read from an API, validated, kept as its original text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: String,
    /// Milliseconds since 1970-01-01T00:00:00Z (local time taken as UTC when no offset).
    unix_millis: i64,
    /// Offset from UTC in minutes, when the text carries one.
    offset_minutes: Option<i32>,
}

/// Why a text is not an acceptable timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{text}\" is not an RFC 3339 date-time: {reason}")]
pub struct TimestampError {
    text: String,
    reason: &'static str,
}

impl Timestamp {
    /// Parses `YYYY-MM-DD[(T| )hh:mm[:ss[.fff]]][Z|±hh:mm|±hhmm|±hh]` (surrounding space trimmed).
    pub fn parse(input: &str) -> Result<Self, TimestampError> {
        let text = input.trim();
        let fail = |reason| TimestampError {
            text: text.to_owned(),
            reason,
        };
        let b = text.as_bytes();
        let year = digits(b, 0, 4).ok_or_else(|| fail("expected a 4-digit year"))?;
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return Err(fail("expected YYYY-MM-DD"));
        }
        let month = digits(b, 5, 2).ok_or_else(|| fail("expected a 2-digit month"))?;
        let day = digits(b, 8, 2).ok_or_else(|| fail("expected a 2-digit day"))?;
        if !(1..=12).contains(&month) {
            return Err(fail("month out of range"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(fail("day out of range"));
        }
        let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
        let mut offset_minutes = None;
        if b.len() > 10 {
            if !matches!(b[10], b'T' | b't' | b' ') {
                return Err(fail("expected 'T' between date and time"));
            }
            hour = digits(b, 11, 2).ok_or_else(|| fail("expected a 2-digit hour"))?;
            if b.get(13) != Some(&b':') {
                return Err(fail("expected hh:mm"));
            }
            minute = digits(b, 14, 2).ok_or_else(|| fail("expected 2-digit minutes"))?;
            let mut pos = 16;
            if b.get(pos) == Some(&b':') {
                second = digits(b, 17, 2).ok_or_else(|| fail("expected 2-digit seconds"))?;
                pos = 19;
                if b.get(pos) == Some(&b'.') || b.get(pos) == Some(&b',') {
                    pos += 1;
                    let start = pos;
                    while pos < b.len() && b[pos].is_ascii_digit() {
                        pos += 1;
                    }
                    if pos == start {
                        return Err(fail("expected digits after the decimal point"));
                    }
                    let frac = &text[start..pos.min(start + 3)];
                    let scale = [100, 10, 1];
                    for (i, c) in frac.bytes().enumerate() {
                        millis += i64::from(c - b'0') * scale[i];
                    }
                }
            }
            if hour > 23 || minute > 59 || second > 60 {
                return Err(fail("time out of range"));
            }
            match b.get(pos) {
                None => {}
                Some(b'Z' | b'z') => {
                    offset_minutes = Some(0);
                    pos += 1;
                }
                Some(&sign @ (b'+' | b'-')) => {
                    let oh = digits(b, pos + 1, 2).ok_or_else(|| fail("bad UTC offset"))?;
                    pos += 3;
                    if b.get(pos) == Some(&b':') {
                        pos += 1;
                    }
                    let om = if pos < b.len() {
                        let m = digits(b, pos, 2).ok_or_else(|| fail("bad UTC offset"))?;
                        pos += 2;
                        m
                    } else {
                        0
                    };
                    if oh > 23 || om > 59 {
                        return Err(fail("UTC offset out of range"));
                    }
                    let total = i32::try_from(oh * 60 + om).unwrap_or(0);
                    offset_minutes = Some(if sign == b'-' { -total } else { total });
                }
                Some(_) => return Err(fail("unexpected text after the time")),
            }
            if pos != b.len() {
                return Err(fail("unexpected text after the UTC offset"));
            }
        }
        let days = days_from_civil(year, month, day);
        let local_seconds = days * 86_400 + hour * 3_600 + minute * 60 + second.min(59);
        let utc_seconds = local_seconds - i64::from(offset_minutes.unwrap_or(0)) * 60;
        Ok(Timestamp {
            text: text.to_owned(),
            unix_millis: utc_seconds * 1_000 + millis,
            offset_minutes,
        })
    }

    /// Reads a date from a JSON value: a text, or a typed literal `{"@type": T, "@value": text}`
    /// (`type` accepted for `@type`, as the NGSI-LD core context aliases it). `T` is not
    /// checked: `DateTime`, `Date` or an expanded XSD IRI all carry the same text, and the
    /// text itself is what must parse.
    pub fn from_value(value: &Value) -> Result<Self, TimestampError> {
        let inner = typed_literal(value).map_or(value, |(v, _)| v);
        match inner {
            Value::String(text) => Timestamp::parse(text),
            other => Err(TimestampError {
                text: other.to_string(),
                reason: "expected a date-time text or a {\"@type\": \"DateTime\", \"@value\": …} literal",
            }),
        }
    }

    /// A canonical UTC timestamp (`YYYY-MM-DDThh:mm:ssZ`, or `.mmmZ` when there are
    /// milliseconds) for a moment given in Unix milliseconds: what servers write.
    pub fn from_unix_millis(unix_millis: i64) -> Self {
        let secs = unix_millis.div_euclid(1_000);
        let ms = unix_millis.rem_euclid(1_000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let text = if ms == 0 {
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
                rem / 3_600,
                rem % 3_600 / 60,
                rem % 60
            )
        } else {
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
                rem / 3_600,
                rem % 3_600 / 60,
                rem % 60
            )
        };
        Timestamp {
            text,
            unix_millis,
            offset_minutes: Some(0),
        }
    }

    /// The text as received (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Milliseconds since the Unix epoch; a text without offset is read as UTC.
    pub fn unix_millis(&self) -> i64 {
        self.unix_millis
    }

    /// The UTC offset in minutes, or `None` when the text has none (local time of the server).
    pub fn offset_minutes(&self) -> Option<i32> {
        self.offset_minutes
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A period asked for by a filter: from a start (inclusive) to an end (exclusive), in Unix
/// milliseconds, either side open. Built from the `from` and `to` texts a resident gives, each
/// a date (`2026-11-01`) or a date-time (`2026-11-01T08:30:00Z`). Dates are UTC days: a date
/// `from` starts at its midnight UTC, a date `to` includes that whole UTC day. A date-time
/// `to` includes that instant. A date-time without an offset is read as UTC, as
/// [`Timestamp::parse`] reads it.
///
/// The app and the platform read filters with this one parser, so a period the app shows is
/// the period the platform counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    /// First instant inside the period.
    pub start_millis: Option<i64>,
    /// First instant after the period.
    pub end_millis: Option<i64>,
}

/// Why `from`/`to` do not make a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// `from` is not a date or a date-time.
    #[error("from: {0}")]
    From(TimestampError),
    /// `to` is not a date or a date-time.
    #[error("to: {0}")]
    To(TimestampError),
    /// `from` is after `to`.
    #[error("from is after to")]
    Reversed,
}

/// Length of `YYYY-MM-DD`: a filter this long is a date, a longer one a date-time.
const DATE_LEN: usize = 10;
const DAY_MILLIS: i64 = 86_400_000;

impl Period {
    /// Reads `from` and `to` (absent or blank: that side is open).
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, PeriodError> {
        let start = non_blank(from)
            .map(Timestamp::parse)
            .transpose()
            .map_err(PeriodError::From)?
            .map(|t| t.unix_millis());
        let end = non_blank(to)
            .map(Timestamp::parse)
            .transpose()
            .map_err(PeriodError::To)?
            .map(|t| {
                t.unix_millis()
                    + if t.as_str().len() == DATE_LEN {
                        DAY_MILLIS
                    } else {
                        1
                    }
            });
        match (start, end) {
            (Some(start), Some(end)) if start >= end => Err(PeriodError::Reversed),
            _ => Ok(Period {
                start_millis: start,
                end_millis: end,
            }),
        }
    }

    /// Whether the instant (Unix milliseconds) falls inside.
    pub fn contains(&self, unix_millis: i64) -> bool {
        self.start_millis.is_none_or(|start| unix_millis >= start)
            && self.end_millis.is_none_or(|end| unix_millis < end)
    }

    /// The same period for times kept in whole Unix seconds: `(start, end)`, start inclusive,
    /// end exclusive, so that a second `s` is inside exactly when `s * 1000` is.
    pub fn unix_seconds(&self) -> (Option<i64>, Option<i64>) {
        let ceil = |millis: i64| (millis + 999).div_euclid(1_000);
        (self.start_millis.map(ceil), self.end_millis.map(ceil))
    }
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// `{"@value": v, "@type"|"type": t}` → `(v, t)`: a JSON-LD value object, with its type when it
/// has one. Shared with the attribute reader so both see the same literals.
pub(crate) fn typed_literal(value: &Value) -> Option<(&Value, Option<&str>)> {
    let obj = value.as_object()?;
    let inner = obj.get("@value")?;
    let datatype = obj
        .get("@type")
        .or_else(|| obj.get("type"))
        .and_then(Value::as_str);
    Some((inner, datatype))
}

/// Reads `len` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let slice = b.get(at..at + len)?;
    slice.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_applied() {
        let a = Timestamp::parse("2010-04-14T06:37:38-08:00").unwrap();
        let b = Timestamp::parse("2010-04-14T14:37:38Z").unwrap();
        assert_eq!(a.unix_millis(), b.unix_millis());
        assert_eq!(a.offset_minutes(), Some(-480));
        assert_eq!(a.as_str(), "2010-04-14T06:37:38-08:00");
        let c = Timestamp::parse("2021-01-11T15:51:02+05:30").unwrap();
        assert_eq!(c.offset_minutes(), Some(330));
        assert_eq!(
            c.unix_millis(),
            Timestamp::parse("2021-01-11T10:21:02Z")
                .unwrap()
                .unix_millis()
        );
    }

    #[test]
    fn fractions_and_missing_offsets() {
        let t = Timestamp::parse("2016-07-08T08:02:21.753Z").unwrap();
        assert_eq!(t.unix_millis() % 1000, 753);
        let naive = Timestamp::parse(" 2018-09-21T12:00:00 ").unwrap();
        assert_eq!(naive.offset_minutes(), None);
        assert_eq!(naive.as_str(), "2018-09-21T12:00:00");
        assert!(Timestamp::parse("2014-07-12 10:58:43").is_ok());
        assert!(Timestamp::parse("2014-07-12").is_ok());
        assert!(Timestamp::parse("2014-07-12T10:58").is_ok());
        assert!(Timestamp::parse("2014-07-12T10:58:43+0200").is_ok());
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "yesterday",
            "2014-13-01",
            "2014-02-30",
            "2014-07-12T25:00:00Z",
            "2014-07-12T10:58:43Zjunk",
            "2014-07-12T10:58:43.Z",
            "2016-03-15T11:00:00/2016-03-15T12:00:00",
        ] {
            let err = Timestamp::parse(bad).unwrap_err();
            assert!(err.to_string().contains("not an RFC 3339"), "{bad}");
        }
    }

    #[test]
    fn canonical_utc_round_trip() {
        let t = Timestamp::from_unix_millis(1_271_252_258_000);
        assert_eq!(t.as_str(), "2010-04-14T13:37:38Z");
        assert_eq!(
            Timestamp::parse(t.as_str()).unwrap().unix_millis(),
            t.unix_millis()
        );
        let ms = Timestamp::from_unix_millis(-1);
        assert_eq!(ms.as_str(), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            Timestamp::parse("2000-02-29T00:00:00Z")
                .unwrap()
                .unix_millis(),
            951_782_400_000
        );
    }

    /// CIM 009 writes dates as typed literals (`"@type": "DateTime"`); the core context
    /// aliases `type` to `@type`, so brokers send either spelling.
    #[test]
    fn dates_from_text_and_both_typed_literal_spellings() {
        use serde_json::json;
        let expected = Timestamp::parse("2018-08-07T12:00:00Z").unwrap();
        for value in [
            json!("2018-08-07T12:00:00Z"),
            json!({"@type": "DateTime", "@value": "2018-08-07T12:00:00Z"}),
            json!({"type": "DateTime", "@value": "2018-08-07T12:00:00Z"}),
        ] {
            assert_eq!(Timestamp::from_value(&value).unwrap(), expected, "{value}");
        }
        let date =
            Timestamp::from_value(&json!({"@type": "Date", "@value": "2018-08-07"})).unwrap();
        assert_eq!(date.as_str(), "2018-08-07");
        for bad in [
            json!(42),
            json!({"@type": "DateTime", "@value": "noon"}),
            json!({"type": "DateTime"}),
            json!(null),
        ] {
            assert!(Timestamp::from_value(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods_from_dates_and_date_times() {
        let day = |d: &str| Timestamp::parse(d).unwrap().unix_millis();
        let november = Period::parse(Some("2026-11-01"), Some("2026-11-30")).unwrap();
        assert_eq!(november.start_millis, Some(day("2026-11-01")));
        assert_eq!(
            november.end_millis,
            Some(day("2026-12-01")),
            "to includes its whole day"
        );
        assert!(november.contains(day("2026-11-30T23:59:59.999Z")));
        assert!(!november.contains(day("2026-12-01T00:00:00Z")));
        assert!(!november.contains(day("2026-10-31T23:59:59Z")));
        let one_day = Period::parse(Some("2026-11-05"), Some("2026-11-05")).unwrap();
        assert!(one_day.contains(day("2026-11-05T12:00:00Z")));
        let instant = Period::parse(None, Some("2026-11-05T10:00:00+01:00")).unwrap();
        assert_eq!(instant.start_millis, None);
        assert!(
            instant.contains(day("2026-11-05T09:00:00Z")),
            "the instant itself"
        );
        assert!(!instant.contains(day("2026-11-05T09:00:01Z")));
        assert_eq!(
            Period::parse(Some(" "), Some("")).unwrap(),
            Period::default(),
            "blank means open"
        );
        assert!(Period::default().contains(i64::MIN));
    }

    #[test]
    fn period_errors_name_the_side() {
        let from = Period::parse(Some("2026-13-01"), None).unwrap_err();
        assert!(matches!(from, PeriodError::From(_)));
        assert!(from.to_string().starts_with("from: "), "{from}");
        let to = Period::parse(None, Some("yesterday")).unwrap_err();
        assert!(to.to_string().starts_with("to: "), "{to}");
        assert_eq!(
            Period::parse(Some("2026-11-02"), Some("2026-11-01")),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::parse(Some("2026-11-01T10:00:00Z"), Some("2026-11-01T09:59:59Z")),
            Err(PeriodError::Reversed)
        );
    }

    #[test]
    fn periods_in_whole_seconds() {
        let p = Period::parse(
            Some("2026-11-01T10:00:00.500Z"),
            Some("2026-11-01T10:00:05Z"),
        )
        .unwrap();
        let (start, end) = p.unix_seconds();
        let at = |t: &str| Timestamp::parse(t).unwrap().unix_millis() / 1000;
        assert_eq!(
            start,
            Some(at("2026-11-01T10:00:01Z")),
            "10:00:00 is before .500"
        );
        assert_eq!(end, Some(at("2026-11-01T10:00:06Z")), "10:00:05 is inside");
        for s in [at("2026-11-01T10:00:00Z"), at("2026-11-01T10:00:06Z")] {
            assert!(!p.contains(s * 1000));
        }
    }

    #[test]
    fn serde_is_a_string() {
        let t: Timestamp = serde_json::from_str("\"2010-04-14T06:37:38-08:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2010-04-14T06:37:38-08:00\""
        );
        assert!(serde_json::from_str::<Timestamp>("\"nope\"").is_err());
    }
}
