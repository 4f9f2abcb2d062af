//! TIMEX3 values: a parser and validator, and the calendar interval a value covers.
//!
//! The grammar is TimeML 1.2.1's `value` attribute (ISO 8601 with TimeML's extensions):
//!
//! ```text
//! value    = ref | duration | point
//! ref      = "PRESENT_REF" | "PAST_REF" | "FUTURE_REF"
//! duration = "P" (amount ("Y" | "Q" | "M" | "W" | "D" | "DE" | "CE" | "ML"))*
//!                ["T" (amount ("H" | "M" | "S"))+]           (at least one part)
//! amount   = digits ["." digits] | "X"
//! point    = century | decade | year ["-" part] ["T" time]
//! century  = 2 of [0-9X]        "19": the 1900s
//! decade   = 3 of [0-9X]        "199": the 1990s
//! year     = 4 of [0-9X]
//! part     = month ["-" day] | "W" week ["-" (weekday | "WE")] | "Q" [1-4X] | "H" [12X]
//!          | "SP" | "SU" | "FA" | "WI"
//! time     = (hh [":" mm [":" ss]] | "MO" | "AF" | "EV" | "NI" | "DT") [zone]   after a day only
//! zone     = "Z" | ("+" | "-") hh [":"] mm
//! ```
//!
//! Digits must make sense where they are all known: a month 01-12, a real day of that month, a
//! week 01-53, an hour 00-24.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

/// Why a string is not a TIMEX3 value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a TIMEX3 value: {reason}")]
pub struct ValueError {
    /// The string refused.
    pub value: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A parsed TIMEX3 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `PRESENT_REF`, `PAST_REF` or `FUTURE_REF`.
    Ref(RefKind),
    /// A length of time: `P3D`, `PT2H`, `P1Y6M`, `PXY`.
    Duration(Duration),
    /// A point or period of the calendar: `2024-06-19`, `199`, `2024-W25-WE`, `XXXX-09`.
    Point(Point),
}

/// The three vague references of TIMEX3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// Now.
    Present,
    /// Some time in the past.
    Past,
    /// Some time in the future.
    Future,
}

/// A duration's parts, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    /// Parts before `T`: amount and unit (`Y`, `Q`, `M`, `W`, `D`, `DE`, `CE`, `ML`).
    pub date: Vec<(String, &'static str)>,
    /// Parts after `T`: amount and unit (`H`, `M`, `S`).
    pub time: Vec<(String, &'static str)>,
}

/// A point or period of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// Two (a century), three (a decade) or four (a year) characters, digits or `X`.
    pub year: String,
    /// What follows the year.
    pub part: Part,
    /// The time of day, after a day only.
    pub time: Option<Time>,
}

/// What follows the year of a [`Point`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Nothing: the whole year (decade, century).
    None,
    /// A month (`06`, `XX`) and maybe a day.
    Month(String, Option<String>),
    /// An ISO week (`25`, `XX`) and maybe a weekday (`1`-`7`, `X`) or `WE`.
    Week(String, Option<String>),
    /// A quarter: `1`-`4` or `X`.
    Quarter(char),
    /// A half-year: `1`, `2` or `X`.
    Half(char),
    /// A season: `SP`, `SU`, `FA`, `WI`.
    Season(&'static str),
}

/// A time of day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Time {
    /// `09:30`, `09`, `09:30:15`, or a part of the day (`MO`, `AF`, `EV`, `NI`, `DT`).
    pub clock: String,
    /// A zone as written (`Z`, `+02:00`), when given.
    pub zone: Option<String>,
}

impl Value {
    /// Parses and validates a TIMEX3 value.
    pub fn parse(s: &str) -> Result<Value, ValueError> {
        let fail = |reason| ValueError {
            value: s.to_string(),
            reason,
        };
        match s {
            "PRESENT_REF" => return Ok(Value::Ref(RefKind::Present)),
            "PAST_REF" => return Ok(Value::Ref(RefKind::Past)),
            "FUTURE_REF" => return Ok(Value::Ref(RefKind::Future)),
            "" => return Err(fail("empty")),
            _ => {}
        }
        if let Some(rest) = s.strip_prefix('P') {
            return parse_duration(rest).map(Value::Duration).map_err(fail);
        }
        parse_point(s).map(Value::Point).map_err(fail)
    }

    /// The days a point covers, first and last, when its year is known (`2024-06` gives June
    /// 1-30, `199` the 1990s, `2024-W25` that week); `None` for durations, references and values
    /// with unknown digits in the year.
    pub fn interval(&self) -> Option<(NaiveDate, NaiveDate)> {
        let Value::Point(p) = self else { return None };
        if !p.year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i32 = p.year.parse().ok()?;
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let year_span = |y: i32| Some((ymd(y, 1, 1)?, ymd(y, 12, 31)?));
        match p.year.len() {
            2 => return Some((ymd(n * 100, 1, 1)?, ymd(n * 100 + 99, 12, 31)?)),
            3 => return Some((ymd(n * 10, 1, 1)?, ymd(n * 10 + 9, 12, 31)?)),
            _ => {}
        }
        let y = n;
        let known = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        match &p.part {
            Part::None => year_span(y),
            Part::Month(m, d) => {
                if !known(m) {
                    return year_span(y);
                }
                let m: u32 = m.parse().ok()?;
                match d {
                    Some(d) if known(d) => {
                        let day = ymd(y, m, d.parse().ok()?)?;
                        Some((day, day))
                    }
                    _ => Some((ymd(y, m, 1)?, last_of_month(y, m)?)),
                }
            }
            Part::Week(w, d) => {
                if !known(w) {
                    return year_span(y);
                }
                let w: u32 = w.parse().ok()?;
                let monday = NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)?;
                match d.as_deref() {
                    Some("WE") => {
                        Some((monday + chrono::Days::new(5), monday + chrono::Days::new(6)))
                    }
                    Some(d) if known(d) => {
                        let day = monday + chrono::Days::new(d.parse::<u64>().ok()? - 1);
                        Some((day, day))
                    }
                    _ => Some((monday, monday + chrono::Days::new(6))),
                }
            }
            Part::Quarter(q) => match q.to_digit(10) {
                Some(q) => Some((ymd(y, 3 * q - 2, 1)?, last_of_month(y, 3 * q)?)),
                None => year_span(y),
            },
            Part::Half(h) => match h.to_digit(10) {
                Some(1) => Some((ymd(y, 1, 1)?, ymd(y, 6, 30)?)),
                Some(_) => Some((ymd(y, 7, 1)?, ymd(y, 12, 31)?)),
                None => year_span(y),
            },
            // Meteorological seasons of the northern hemisphere; winter is the one that starts
            // in December of the year named.
            Part::Season(s) => match *s {
                "SP" => Some((ymd(y, 3, 1)?, ymd(y, 5, 31)?)),
                "SU" => Some((ymd(y, 6, 1)?, ymd(y, 8, 31)?)),
                "FA" => Some((ymd(y, 9, 1)?, ymd(y, 11, 30)?)),
                _ => Some((ymd(y, 12, 1)?, last_of_month(y + 1, 2)?)),
            },
        }
    }
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

fn parse_amount(s: &str) -> Result<(String, &str), &'static str> {
    if let Some(rest) = s.strip_prefix('X') {
        return Ok(("X".into(), rest));
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("a duration part needs an amount");
    }
    let mut end = digits;
    if s[end..].starts_with('.') {
        let frac = s[end + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if frac == 0 {
            return Err("a decimal point needs digits after it");
        }
        end += 1 + frac;
    }
    Ok((s[..end].to_string(), &s[end..]))
}

fn parse_duration(s: &str) -> Result<Duration, &'static str> {
    let mut d = Duration {
        date: Vec::new(),
        time: Vec::new(),
    };
    let (date, time) = match s.split_once('T') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut rest = date;
    while !rest.is_empty() {
        let (amount, r) = parse_amount(rest)?;
        let (unit, r) = ["DE", "CE", "ML", "Y", "Q", "M", "W", "D"]
            .iter()
            .find_map(|u| r.strip_prefix(u).map(|r| (*u, r)))
            .ok_or("unknown duration unit")?;
        d.date.push((amount, unit));
        rest = r;
    }
    if let Some(time) = time {
        let mut rest = time;
        if rest.is_empty() {
            return Err("T with no time part");
        }
        while !rest.is_empty() {
            let (amount, r) = parse_amount(rest)?;
            let (unit, r) = ["H", "M", "S"]
                .iter()
                .find_map(|u| r.strip_prefix(u).map(|r| (*u, r)))
                .ok_or("unknown duration time unit")?;
            d.time.push((amount, unit));
            rest = r;
        }
    }
    if d.date.is_empty() && d.time.is_empty() {
        return Err("a duration needs a part");
    }
    Ok(d)
}

fn digits_or_x(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'X')
}

fn all_x(s: &str) -> bool {
    s.bytes().all(|b| b == b'X')
}

fn parse_point(s: &str) -> Result<Point, &'static str> {
    let (date, time) = match s.split_once('T') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let (year, part) = match date.split_once('-') {
        Some((y, p)) => (y, Some(p)),
        None => (date, None),
    };
    if !digits_or_x(year) || !(2..=4).contains(&year.len()) {
        return Err("the year must be 2, 3 or 4 digits (or X)");
    }
    if year.len() < 4 && (part.is_some() || time.is_some()) {
        return Err("a decade or century takes no month, week or time");
    }
    let two = |s: &str, lo: u32, hi: u32| -> Result<String, &'static str> {
        if s.len() != 2 || !digits_or_x(s) {
            return Err("expected two digits");
        }
        if s == "XX" {
            return Ok(s.into());
        }
        if s.contains('X') {
            return Err("a two-digit field is all digits or XX");
        }
        let n: u32 = s.parse().map_err(|_| "expected two digits")?;
        if n < lo || n > hi {
            return Err("a field is out of range");
        }
        Ok(s.into())
    };
    let part = match part {
        None => Part::None,
        Some(p) => match p.as_bytes().first() {
            Some(b'W') if p.len() > 1 && p.as_bytes()[1] != b'I' => {
                let (w, d) = match p[1..].split_once('-') {
                    Some((w, d)) => (w, Some(d)),
                    None => (&p[1..], None),
                };
                let w = two(w, 1, 53)?;
                let d = match d {
                    None => None,
                    Some("WE") => Some("WE".to_string()),
                    Some(d)
                        if d.len() == 1
                            && (d == "X"
                                || ('1'..='7').contains(&d.chars().next().unwrap_or('0'))) =>
                    {
                        Some(d.to_string())
                    }
                    Some(_) => return Err("a weekday is 1-7, X or WE"),
                };
                Part::Week(w, d)
            }
            Some(b'Q') => match p.as_bytes() {
                [b'Q', q @ (b'1'..=b'4' | b'X')] => Part::Quarter(*q as char),
                _ => return Err("a quarter is Q1-Q4 or QX"),
            },
            Some(b'H') => match p.as_bytes() {
                [b'H', h @ (b'1' | b'2' | b'X')] => Part::Half(*h as char),
                _ => return Err("a half is H1, H2 or HX"),
            },
            _ => match p {
                "SP" => Part::Season("SP"),
                "SU" => Part::Season("SU"),
                "FA" => Part::Season("FA"),
                "WI" => Part::Season("WI"),
                _ => {
                    let (m, d) = match p.split_once('-') {
                        Some((m, d)) => (m, Some(d)),
                        None => (p, None),
                    };
                    let m = two(m, 1, 12)?;
                    let d = d.map(|d| two(d, 1, 31)).transpose()?;
                    if let Some(d) = &d
                        && !all_x(year)
                        && !year.contains('X')
                        && !all_x(&m)
                        && !all_x(d)
                    {
                        let ok = NaiveDate::from_ymd_opt(
                            year.parse().map_err(|_| "bad year")?,
                            m.parse().map_err(|_| "bad month")?,
                            d.parse().map_err(|_| "bad day")?,
                        );
                        if ok.is_none() {
                            return Err("no such day");
                        }
                    }
                    Part::Month(m, d)
                }
            },
        },
    };
    let time = match time {
        None => None,
        Some(t) => {
            let is_day = matches!(&part, Part::Month(_, Some(_)))
                || matches!(&part, Part::Week(_, Some(d)) if d != "WE");
            if !is_day {
                return Err("a time of day needs a day");
            }
            Some(parse_time(t)?)
        }
    };
    Ok(Point {
        year: year.to_string(),
        part,
        time,
    })
}

fn parse_time(t: &str) -> Result<Time, &'static str> {
    for pod in ["MO", "AF", "EV", "NI", "DT"] {
        if let Some(rest) = t.strip_prefix(pod) {
            return Ok(Time {
                clock: pod.into(),
                zone: parse_zone(rest)?,
            });
        }
    }
    let b = t.as_bytes();
    let two_digits = |i: usize| -> Option<u32> {
        let s = t.get(i..i + 2)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let h = two_digits(0).ok_or("an hour is two digits")?;
    let mut end = 2;
    let mut m = 0;
    if b.get(2) == Some(&b':') {
        m = two_digits(3).ok_or("minutes are two digits")?;
        end = 5;
        if b.get(5) == Some(&b':') {
            let s = two_digits(6).ok_or("seconds are two digits")?;
            if s > 60 {
                return Err("seconds out of range");
            }
            end = 8;
            if b.get(8) == Some(&b'.') {
                let frac = t[9..].bytes().take_while(u8::is_ascii_digit).count();
                if frac == 0 {
                    return Err("a decimal point needs digits after it");
                }
                end = 9 + frac;
            }
        }
    }
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err("a time of day is out of range");
    }
    Ok(Time {
        clock: t[..end].to_string(),
        zone: parse_zone(&t[end..])?,
    })
}

fn parse_zone(z: &str) -> Result<Option<String>, &'static str> {
    if z.is_empty() {
        return Ok(None);
    }
    if z == "Z" {
        return Ok(Some(z.into()));
    }
    let b = z.as_bytes();
    let ok = matches!(b.first(), Some(b'+' | b'-'))
        && match b.len() {
            3 => b[1..].iter().all(u8::is_ascii_digit),
            5 => b[1..].iter().all(u8::is_ascii_digit),
            6 => b[3] == b':' && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit()),
            _ => false,
        };
    if ok {
        Ok(Some(z.into()))
    } else {
        Err("bad time zone")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Ref(RefKind::Present) => f.write_str("PRESENT_REF"),
            Value::Ref(RefKind::Past) => f.write_str("PAST_REF"),
            Value::Ref(RefKind::Future) => f.write_str("FUTURE_REF"),
            Value::Duration(d) => {
                f.write_str("P")?;
                for (a, u) in &d.date {
                    write!(f, "{a}{u}")?;
                }
                if !d.time.is_empty() {
                    f.write_str("T")?;
                    for (a, u) in &d.time {
                        write!(f, "{a}{u}")?;
                    }
                }
                Ok(())
            }
            Value::Point(p) => {
                f.write_str(&p.year)?;
                match &p.part {
                    Part::None => {}
                    Part::Month(m, d) => {
                        write!(f, "-{m}")?;
                        if let Some(d) = d {
                            write!(f, "-{d}")?;
                        }
                    }
                    Part::Week(w, d) => {
                        write!(f, "-W{w}")?;
                        if let Some(d) = d {
                            write!(f, "-{d}")?;
                        }
                    }
                    Part::Quarter(q) => write!(f, "-Q{q}")?,
                    Part::Half(h) => write!(f, "-H{h}")?,
                    Part::Season(s) => write!(f, "-{s}")?,
                }
                if let Some(t) = &p.time {
                    write!(f, "T{}", t.clock)?;
                    if let Some(z) = &t.zone {
                        f.write_str(z)?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// The day of a date value (`YYYY-MM-DD...`), when it names one.
pub(crate) fn day_of(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

/// The ISO week of a day, as TIMEX3 writes it (`2024-W25`).
pub(crate) fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_timex3_values() {
        for v in [
            "2024-06-19",
            "2024-W25",
            "2024-W25-3",
            "2024-W25-WE",
            "2024-Q2",
            "2024-H1",
            "2024-06",
            "2024",
            "199X",
            "199",
            "19",
            "XXXX",
            "XXXX-09",
            "XXXX-XX-XX",
            "XXXX-WXX-1",
            "XXXX-WXX-1TNI",
            "XXXX-SU",
            "P3D",
            "PT2H",
            "P1Y6M",
            "PXY",
            "P1.5Y",
            "P2DE",
            "P1Q",
            "PT30M",
            "PRESENT_REF",
            "PAST_REF",
            "FUTURE_REF",
            "2024-06-19T09:30",
            "2024-06-19T09:30:15",
            "2024-06-19T24:00",
            "2024-06-19TMO",
            "2024-06-19T09:30Z",
            "2024-06-19T09:30+02:00",
            "1998-02-11T22",
            "2024-02-29",
        ] {
            let parsed = Value::parse(v).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.to_string(), v, "round trip");
        }
    }

    #[test]
    fn refuses_what_is_not_timex3() {
        for v in [
            "",
            "2024-13",
            "2023-02-29",
            "2024-06-31",
            "2024-W54",
            "2024-Q5",
            "2024-06-19T25:00",
            "2024-06T10:00",
            "199-06",
            "P",
            "PT",
            "P3",
            "P3Z",
            "yesterday",
            "2024-6-19",
            "2024-06-19T09:30+2",
            "12345",
            "1",
        ] {
            assert!(Value::parse(v).is_err(), "{v:?} should be refused");
        }
    }

    #[test]
    fn intervals() {
        let iv = |v: &str| {
            Value::parse(v)
                .unwrap()
                .interval()
                .map(|(a, b)| (a.to_string(), b.to_string()))
        };
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(iv("2024-06"), pair("2024-06-01", "2024-06-30"));
        assert_eq!(iv("2024-02-29TMO"), pair("2024-02-29", "2024-02-29"));
        assert_eq!(iv("199"), pair("1990-01-01", "1999-12-31"));
        assert_eq!(iv("2024-W25"), pair("2024-06-17", "2024-06-23"));
        assert_eq!(iv("2024-W25-WE"), pair("2024-06-22", "2024-06-23"));
        assert_eq!(iv("2024-Q2"), pair("2024-04-01", "2024-06-30"));
        assert_eq!(iv("2023-WI"), pair("2023-12-01", "2024-02-29"));
        assert_eq!(iv("XXXX-06"), None);
        assert_eq!(iv("P3D"), None);
    }
}
