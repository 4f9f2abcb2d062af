//! Visible date lines ("Published: June 19, 2024", "19.06.2024 10:32", "2024-06-19"), read
//! into RFC 3339 with the precision the line gives: a full date (`2024-06-19`), or a date-time
//! with offset when the line names the zone (`2024-06-19T10:32:00Z`).

use std::sync::LazyLock;

use regex::Regex;

/// The month a word names, in the date stage's vocabularies (en, de, es, fr, nl, and the
/// month names of pt and it): one place for dates.
fn month_of(name: &str) -> Option<u32> {
    newsmill_time::Tagger::shared().ok()?.month_of_name(name)
}

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:first\s+)?(?:published|updated|posted|last updated|date|dated|modified|veröffentlicht|aktualisiert|stand|publicado|actualizado|publié|mis à jour|pubblicato)(?:\s+(?:on|am|el|le|il|em))?\s*[:：]?\s*)?(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+|(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag),?\s+)?(.*)$")
        .expect("valid regex")
});

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    // ASCII digits only: the zone is sliced by byte below.
    Regex::new(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(?:\.[0-9]+)?\s*(Z|[+-][0-9]{2}:?[0-9]{2})?)?$").expect("valid regex")
});

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s+(?:um\s+)?\d{1,2}[:.]\d{2}(?:\s*uhr)?)?$",
    )
    .expect("valid regex")
});

static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\p{L}{3,10}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:\s*(?:,|at|-|–|\|)?\s*(\d{1,2})[:.](\d{2})\s*(am|pm|a\.m\.|p\.m\.)?\s*(utc|gmt|z)?)?$")
        .expect("valid regex")
});

static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{1,2})\.?\s+(?:de\s+)?(\p{L}{3,10}\.?)\s+(?:de\s+)?(\d{4})(?:\s*(?:,|at|um|à|-|–|\|)?\s*(\d{1,2})[:.h](\d{2})\s*(?:uhr)?\s*(utc|gmt|z)?)?$")
        .expect("valid regex")
});

/// Words a time stamp line is made of besides numbers and month names: labels, weekdays,
/// clock and zone words ("Last Updated: Thursday, March 18, 2021 | 10:56 AM CT").
const STAMP_WORDS: &[&str] = &[
    "posted",
    "published",
    "updated",
    "last",
    "edited",
    "modified",
    "article",
    "launched",
    "story",
    "on",
    "at",
    "online",
    "date",
    "dated",
    "first",
    "am",
    "pm",
    "a",
    "p",
    "m",
    "h",
    "gmt",
    "utc",
    "z",
    "et",
    "ct",
    "mt",
    "pt",
    "nt",
    "est",
    "edt",
    "cst",
    "cdt",
    "mst",
    "mdt",
    "pst",
    "pdt",
    "ist",
    "bst",
    "cet",
    "cest",
    "mez",
    "mesz",
    "aest",
    "aedt",
    "sast",
    "us",
    "eastern",
    "central",
    "pacific",
    "time",
    "uhr",
    "um",
    "stand",
    "veröffentlicht",
    "aktualisiert",
    "veröffentlichung",
    "datum",
    "erschienen",
    "publié",
    "le",
    "publicado",
    "actualizado",
    "el",
    "de",
    "pubblicato",
    "il",
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
];

/// Whether a short line is only a time stamp: a date with labels, weekday, clock time and
/// zone ("Tue, 16 Mar 2021 09:12:00 GMT", "3/9/2021, 6:30 p.m. EST", "Posted at 7:05 a.m.,
/// Tuesday, March 9, 2021"). Looser than [`parse_date_line`]: it finds such lines to drop
/// them from the body, it does not read them.
pub(crate) fn is_stamp_line(line: &str) -> bool {
    let line = line.trim();
    // "Harbour Wire - March 2, 2021 7:33 AM ET", "Coast Sport - Sat, 20 Mar 2021": a
    // source of a few words beside the stamp.
    for sep in [" - ", " | ", " – "] {
        if let Some((a, b)) = line.split_once(sep) {
            let short = |t: &str| {
                let t = t.trim();
                (1..=4).contains(&t.split_whitespace().count()) && !t.ends_with(['.', '!', '?'])
            };
            if (short(a) && stamp(b)) || (stamp(a) && short(b)) {
                return true;
            }
        }
    }
    stamp(line)
}

fn stamp(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || line.len() > 100 {
        return false;
    }
    let (mut year, mut month, mut numbers) = (false, false, 0);
    for w in line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower = w.to_lowercase();
        let digits = w.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let suffix = &lower[digits..];
            if !["", "st", "nd", "rd", "th", "am", "pm", "h"].contains(&suffix) {
                return false;
            }
            numbers += 1;
            let n: u32 = w[..digits].parse().unwrap_or(0);
            year |= digits == 4 && (1990..=2099).contains(&n);
        } else if month_of(&lower).is_some() {
            month = true;
        } else if !STAMP_WORDS.contains(&lower.as_str()) {
            return false;
        }
    }
    // A full date: a year with a month name or two more numbers ("3/9/2021", "19.03.21").
    (year && (month || numbers >= 3))
        || (month && numbers >= 2)
        || numbers >= 3 && line.contains(['/', '.', '-'])
}

/// Reads a line that is only a date (with an optional label, weekday and time) into RFC 3339.
pub(crate) fn parse_date_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.len() > 80 {
        return None;
    }
    let rest = LABEL.captures(line)?.get(1)?.as_str().trim();
    parse_date(rest)
}

/// Parses one date expression (ISO 8601, `19.06.2024`, `June 19, 2024`, `19 June 2024`).
pub(crate) fn parse_date(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('.');
    if let Some(c) = ISO.captures(s) {
        let (y, m, d) = (num(&c, 1)?, num(&c, 2)?, num(&c, 3)?);
        let date = ymd(y, m, d)?;
        return match (c.get(4), c.get(7)) {
            (Some(_), Some(zone)) => {
                let (h, mi) = (num(&c, 4)?, num(&c, 5)?);
                let sec = c.get(6).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
                (h < 24 && mi < 60 && sec < 61)
                    .then(|| format!("{date}T{h:02}:{mi:02}:{sec:02}{}", zone_of(zone.as_str())))
            }
            _ => Some(date),
        };
    }
    if let Some(c) = NUMERIC.captures(s) {
        return ymd(num(&c, 3)?, num(&c, 2)?, num(&c, 1)?);
    }
    let (y, m, d, time) = if let Some(c) = MONTH_FIRST.captures(s) {
        (
            num(&c, 3)?,
            month_of(c.get(1)?.as_str())?,
            num(&c, 2)?,
            time_of(&c, 4, 5, Some(6), 7),
        )
    } else if let Some(c) = DAY_FIRST.captures(s) {
        (
            num(&c, 3)?,
            month_of(c.get(2)?.as_str())?,
            num(&c, 1)?,
            time_of(&c, 4, 5, None, 6),
        )
    } else {
        return None;
    };
    let date = ymd(y, m, d)?;
    Some(match time {
        Some((h, mi)) => format!("{date}T{h:02}:{mi:02}:00Z"),
        None => date,
    })
}

/// A time of day, only when the line names UTC (otherwise the zone is unknown and the date
/// alone is the known precision).
fn time_of(
    c: &regex::Captures<'_>,
    h: usize,
    mi: usize,
    ampm: Option<usize>,
    zone: usize,
) -> Option<(u32, u32)> {
    c.get(zone)?;
    let mut hour: u32 = c.get(h)?.as_str().parse().ok()?;
    let minute: u32 = c.get(mi)?.as_str().parse().ok()?;
    if let Some(p) = ampm.and_then(|i| c.get(i)) {
        let pm = p.as_str().to_lowercase().starts_with('p');
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    (hour < 24 && minute < 60).then_some((hour, minute))
}

fn zone_of(z: &str) -> String {
    if z == "Z" {
        return "Z".into();
    }
    let digits: String = z.chars().filter(char::is_ascii_digit).collect();
    match (z.get(..1), digits.get(..2), digits.get(2..)) {
        (Some(sign), Some(h), Some(m)) => format!("{sign}{h}:{m}"),
        _ => "Z".into(),
    }
}

fn num(c: &regex::Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

fn ymd(y: u32, m: u32, d: u32) -> Option<String> {
    if !(1800..=2200).contains(&y) {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
    Some(date.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_lines() {
        for yes in [
            "Tue, 16 Mar 2021 09:12:00 GMT",
            "3/9/2021, 6:30 p.m. EST",
            "Posted at 7:05 a.m., Tuesday, March 9, 2021",
            "Last Updated: Thursday, March 18, 2021 | 10:56 AM CT",
            "20 March, 2021",
            "Harbour Wire - March 2, 2021 7:33 AM ET",
            "19.03.21 08:41",
            "Veröffentlichung: 2. Februar 2022",
            "Publicado el 3 de marzo de 2021",
        ] {
            assert!(is_stamp_line(yes), "{yes}");
        }
        for no in [
            "The council met on January 8, 2008 to vote.",
            "More Ferries, Fewer Delays In 2020",
            "VENTURA, Calif., Jan. 15, 2008 -- The city said on Tuesday it would reopen",
            "Top 10 stories of 2007",
            "",
        ] {
            assert!(!is_stamp_line(no), "{no}");
        }
    }

    fn check(line: &str, expect: Option<&str>) {
        assert_eq!(parse_date_line(line).as_deref(), expect, "{line:?}");
    }

    #[test]
    fn date_lines() {
        check("June 19, 2024", Some("2024-06-19"));
        check("Published: November 28, 2005", Some("2005-11-28"));
        check("Wednesday, June 19, 2024 10:32 AM", Some("2024-06-19"));
        check(
            "Updated June 19, 2024 at 10:32 pm UTC",
            Some("2024-06-19T22:32:00Z"),
        );
        check("19 June 2024", Some("2024-06-19"));
        check("19. März 2024", Some("2024-03-19"));
        check("19 de junio de 2024", Some("2024-06-19"));
        check("19.06.2024, 10:32 Uhr", Some("2024-06-19"));
        check(
            "2024-06-19T10:32:00+02:00",
            Some("2024-06-19T10:32:00+02:00"),
        );
        check("2024-02-30", None);
        check("Mayor June 19, 2024 said", None);
        // Every month of the five languages (issue 18: the old tables knew 33 of 60).
        check("3. Oktober 2023", Some("2023-10-03"));
        check("15 août 2023", Some("2023-08-15"));
        check("1 de septiembre de 2023", Some("2023-09-01"));
        check("24 décembre 2023", Some("2023-12-24"));
        check("12 oktober 2023", Some("2023-10-12"));
        check("7 diciembre 2023", Some("2023-12-07"));
        check("Sept. 30, 1989", Some("1989-09-30"));
        check("The council met on June 19, 2024.", None);
    }
}
