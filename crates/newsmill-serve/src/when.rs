//! Dates and times for people ("19 June 2024", "19 June 2024, 10:00 UTC+01:00"); the pages keep
//! the RFC 3339 value in each `<time datetime>` for machines.

use chrono::{DateTime, NaiveDate};

/// A calendar day (`2024-06-19`, or the first ten characters of an RFC 3339 time) as "19 June
/// 2024"; anything else as given.
pub(crate) fn day_label(value: &str) -> String {
    match value
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        Some(d) => d.format("%-d %B %Y").to_string(),
        None => value.to_string(),
    }
}

/// A chart period (`2024-06-19`, `2024-06`, `2024`) as "19 June 2024", "June 2024", "2024".
pub(crate) fn period_label(value: &str) -> String {
    if value.len() == 7
        && let Ok(d) = NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
    {
        return d.format("%B %Y").to_string();
    }
    day_label(value)
}

/// An RFC 3339 time as "19 June 2024, 10:00 UTC+01:00" (in its own offset, "UTC" when that is
/// zero); a bare date as [`day_label`]; anything else as given.
pub(crate) fn time_label(value: &str) -> String {
    match DateTime::parse_from_rfc3339(value) {
        Ok(t) => {
            let secs = t.offset().local_minus_utc();
            let zone = if secs == 0 {
                "UTC".to_string()
            } else {
                let sign = if secs < 0 { '-' } else { '+' };
                let m = secs.unsigned_abs() / 60;
                format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
            };
            format!("{} {zone}", t.format("%-d %B %Y, %H:%M"))
        }
        Err(_) if value.len() == 10 => day_label(value),
        Err(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(day_label("2024-06-19"), "19 June 2024");
        assert_eq!(day_label("2024-06-19T23:30:00+02:00"), "19 June 2024");
        assert_eq!(day_label("2024-13-01"), "2024-13-01");
        assert_eq!(
            time_label("2018-12-22T00:00:00+01:00"),
            "22 December 2018, 00:00 UTC+01:00"
        );
        assert_eq!(
            time_label("2024-06-19T10:05:00Z"),
            "19 June 2024, 10:05 UTC"
        );
        assert_eq!(
            time_label("2024-06-19T10:05:00-04:30"),
            "19 June 2024, 10:05 UTC-04:30"
        );
        assert_eq!(time_label("2024-06-19"), "19 June 2024");
        assert_eq!(time_label("soon"), "soon");
        assert_eq!(period_label("2024-06"), "June 2024");
        assert_eq!(period_label("2024-06-03"), "3 June 2024");
        assert_eq!(period_label("2024"), "2024");
    }
}
