//! From what an expression means to its TIMEX3 value, given the reference day and the tense of
//! its sentence.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::lexicon::{HolidayRule, Unit};
use crate::value::iso_week;

/// The tense of the sentence around an expression, as far as its cues tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tense {
    Past,
    Future,
    Unknown,
}

/// A calendar point or period, as the text gives it (a year may be missing: then the
/// reference and the tense give it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DateSem {
    /// A day: "June 19, 2024", "Sept. 30".
    Ymd { y: Option<i32>, m: u32, d: u32 },
    /// A month: "June 2024", "September".
    Ym { y: Option<i32>, m: u32 },
    /// A month of a year relative to the reference's: "Januar dieses Jahres" (n 0, m 1).
    MonthOfRelYear { n: i32, m: u32 },
    /// A day of the month, the month unsaid: "el martes 3" (the nearest 3rd).
    DayOfMonth { d: u32 },
    /// A year.
    Year(i32),
    /// A decade, as its first three digits (199 for the 1990s).
    Decade(i32),
    /// A century, as its first two digits (19 for the 20th century).
    Century(i32),
    /// A quarter of a year (`q` 0: which one, the context says).
    Quarter { y: Option<i32>, q: u32 },
    /// A half of a year.
    Half { y: Option<i32>, h: u32 },
    /// A quarter (or half, with `half`) of a year relative to the reference's: "the third
    /// quarter of last year" (n -1, part 3).
    PartOfRelYear { n: i32, part: u32, half: bool },
    /// A season of a year.
    Season { y: Option<i32>, s: &'static str },
    /// A weekday: `shift` -1 for "last Friday", 1 for "next Friday", 0 for "this Friday",
    /// `None` for a bare "Friday" (the tense decides).
    Weekday { wd: u32, shift: Option<i32> },
    /// A day relative to the reference day (yesterday: -1).
    RelDay(i32),
    /// "the weekend": the last one in a past-tense sentence, the next in a future-tense one,
    /// else the nearer.
    TheWeekend,
    /// A period relative to the reference's: "last year" (Year, -1), "this week" (Week, 0),
    /// "two years ago" (Year, -2).
    Rel { unit: Unit, n: i32 },
    /// A month relative to the reference's: "last May" (-1), "next September" (1), "this
    /// June" (0).
    RelMonth { m: u32, shift: i32 },
    /// A season relative to the reference's.
    RelSeason { s: &'static str, shift: i32 },
    /// A holiday: its rule and, when written, its year or a shift ("last Christmas").
    Holiday {
        y: Option<i32>,
        rule: HolidayRule,
        shift: Option<i32>,
    },
}

/// A time of day added to a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeSem {
    /// Hours and minutes.
    Clock(u32, u32),
    /// A part of the day (`MO`, `AF`, `EV`, `NI`, `DT`).
    Pod(&'static str),
}

/// The reference day (and, when known, time of day) relative expressions resolve against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefPoint {
    pub(crate) day: NaiveDate,
    pub(crate) time: Option<(u32, u32)>,
}

/// A resolved value and whether it needed the reference.
pub(crate) struct Resolved {
    pub(crate) value: String,
    pub(crate) anchored: bool,
}

fn fixed(value: String) -> Resolved {
    Resolved {
        value,
        anchored: false,
    }
}

fn anchored(value: String) -> Resolved {
    Resolved {
        value,
        anchored: true,
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn year_str(y: i32) -> String {
    format!("{:04}", y.clamp(0, 9999))
}

/// The year of a month (and day) written without one: the reference's year, moved back when
/// a past-tense sentence names a later month, forward when a future-tense one names an
/// earlier month.
fn year_for(
    r: &RefPoint,
    tense: Tense,
    span: impl Fn(i32) -> Option<(NaiveDate, NaiveDate)>,
) -> i32 {
    // A month, day or quarter written without its year: the occurrence within two months of
    // the reference if there is one (news is about then), else the last one before it in a
    // past-tense sentence, the next one in a future-tense sentence, the nearest otherwise.
    let y = r.day.year();
    let options: Vec<(i32, NaiveDate, NaiveDate, i64)> = [y - 1, y, y + 1]
        .into_iter()
        .filter_map(|c| {
            let (a, b) = span(c)?;
            let dist = if r.day < a {
                (a - r.day).num_days()
            } else if r.day > b {
                (r.day - b).num_days()
            } else {
                0
            };
            Some((c, a, b, dist))
        })
        .collect();
    let Some(nearest) = options.iter().min_by_key(|o| o.3) else {
        return y;
    };
    if nearest.3 <= 62 {
        return nearest.0;
    }
    let pick = match tense {
        Tense::Past => options.iter().filter(|o| o.1 <= r.day).max_by_key(|o| o.1),
        Tense::Future => options.iter().filter(|o| o.2 >= r.day).min_by_key(|o| o.1),
        Tense::Unknown => None,
    };
    pick.unwrap_or(nearest).0
}

fn month_span(y: i32, m: u32) -> Option<(NaiveDate, NaiveDate)> {
    let a = NaiveDate::from_ymd_opt(y, m, 1)?;
    let b = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    }
    .pred_opt()?;
    Some((a, b))
}

fn shift(d: NaiveDate, unit: Unit, n: i32) -> Option<NaiveDate> {
    let months = |k: i32| -> Option<NaiveDate> {
        if k >= 0 {
            d.checked_add_months(Months::new(k as u32))
        } else {
            d.checked_sub_months(Months::new(k.unsigned_abs()))
        }
    };
    let days = |k: i64| -> Option<NaiveDate> {
        if k >= 0 {
            d.checked_add_days(Days::new(k as u64))
        } else {
            d.checked_sub_days(Days::new(k.unsigned_abs()))
        }
    };
    match unit {
        Unit::Year => months(n.checked_mul(12)?),
        Unit::HalfYear => months(n.checked_mul(6)?),
        Unit::Quarter | Unit::Period => months(n.checked_mul(3)?),
        Unit::Month => months(n),
        Unit::Week | Unit::Weekend => days(i64::from(n) * 7),
        Unit::Day => days(i64::from(n)),
        Unit::Decade => months(n.checked_mul(120)?),
        Unit::Century => months(n.checked_mul(1200)?),
        Unit::Hour | Unit::Minute | Unit::Second => Some(d),
    }
}

/// The value of a period relative to the reference day, at the unit's granularity.
fn rel_value(r: &RefPoint, unit: Unit, n: i32) -> Option<String> {
    if unit.is_time() {
        // "two hours ago": the time when the reference has one, else the day.
        let Some((h, m)) = r.time else {
            return Some(ymd(r.day));
        };
        let secs = match unit {
            Unit::Hour => 3600,
            Unit::Minute => 60,
            _ => 1,
        };
        let t = r.day.and_hms_opt(h, m, 0)? + chrono::TimeDelta::try_seconds(i64::from(n) * secs)?;
        return Some(t.format("%Y-%m-%dT%H:%M").to_string());
    }
    let d = shift(r.day, unit, n)?;
    Some(match unit {
        Unit::Year => year_str(d.year()),
        Unit::HalfYear => format!(
            "{}-H{}",
            year_str(d.year()),
            if d.month() <= 6 { 1 } else { 2 }
        ),
        Unit::Quarter | Unit::Period => {
            format!("{}-Q{}", year_str(d.year()), (d.month() - 1) / 3 + 1)
        }
        Unit::Month => format!("{}-{:02}", year_str(d.year()), d.month()),
        Unit::Week => iso_week(d),
        Unit::Weekend => format!("{}-WE", iso_week(d)),
        Unit::Day => ymd(d),
        Unit::Decade => format!("{:03}", d.year().clamp(0, 9999) / 10),
        Unit::Century => format!("{:02}", d.year().clamp(0, 9999) / 100),
        Unit::Hour | Unit::Minute | Unit::Second => ymd(d),
    })
}

/// The value a relative period has with no reference: its granularity, digits unknown.
fn rel_unknown(unit: Unit) -> &'static str {
    match unit {
        Unit::Year => "XXXX",
        Unit::HalfYear => "XXXX-HX",
        Unit::Quarter | Unit::Period => "XXXX-QX",
        Unit::Month => "XXXX-XX",
        Unit::Week => "XXXX-WXX",
        Unit::Weekend => "XXXX-WXX-WE",
        Unit::Decade => "XXX",
        Unit::Century => "XX",
        Unit::Day | Unit::Hour | Unit::Minute | Unit::Second => "XXXX-XX-XX",
    }
}

fn easter(y: i32) -> Option<NaiveDate> {
    // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32)
}

fn holiday_in(y: i32, rule: HolidayRule) -> Option<NaiveDate> {
    match rule {
        HolidayRule::Fixed(m, d) => NaiveDate::from_ymd_opt(y, m, d),
        HolidayRule::Easter(k) => {
            let e = easter(y)?;
            if k >= 0 {
                e.checked_add_days(Days::new(k as u64))
            } else {
                e.checked_sub_days(Days::new(k.unsigned_abs().into()))
            }
        }
        HolidayRule::Nth { month, weekday, n } => {
            let wd = chrono::Weekday::try_from((weekday - 1) as u8).ok()?;
            if n > 0 {
                NaiveDate::from_weekday_of_month_opt(y, month, wd, n as u8)
            } else {
                (1..=5u8)
                    .rev()
                    .find_map(|k| NaiveDate::from_weekday_of_month_opt(y, month, wd, k))
            }
        }
    }
}

/// Resolves a date against the reference (when there is one) and the tense.
pub(crate) fn resolve_date(sem: DateSem, r: Option<&RefPoint>, tense: Tense) -> Option<Resolved> {
    use DateSem::*;
    Some(match sem {
        Ymd { y: Some(y), m, d } => fixed(ymd(NaiveDate::from_ymd_opt(y, m, d)?)),
        Ymd { y: None, m, d } => match r {
            Some(r) => {
                // February 29 is looked for in any year, then kept with the digits written.
                let y = year_for(r, tense, |y| {
                    let day = NaiveDate::from_ymd_opt(y, m, d)
                        .or_else(|| NaiveDate::from_ymd_opt(y, m, 28))?;
                    Some((day, day))
                });
                // February 29 in a year without one: keep the digits the text gave.
                match NaiveDate::from_ymd_opt(y, m, d) {
                    Some(day) => anchored(ymd(day)),
                    None => anchored(format!("{}-{m:02}-{d:02}", year_str(y))).filter_valid()?,
                }
            }
            None => fixed(format!("XXXX-{m:02}-{d:02}")),
        },
        Ym { y: Some(y), m } => fixed(format!("{}-{m:02}", year_str(y))),
        Ym { y: None, m } => match r {
            Some(r) => anchored(format!(
                "{}-{m:02}",
                year_str(year_for(r, tense, |y| month_span(y, m)))
            )),
            None => fixed(format!("XXXX-{m:02}")),
        },
        MonthOfRelYear { n, m } => match r {
            Some(r) => anchored(format!("{}-{m:02}", year_str(r.day.year() + n))),
            None => fixed(format!("XXXX-{m:02}")),
        },
        DayOfMonth { d } => match r {
            Some(r) => {
                // The nearest day numbered d: this month's, last month's or next month's.
                let first = NaiveDate::from_ymd_opt(r.day.year(), r.day.month(), 1)?;
                let months = [
                    first.checked_sub_months(Months::new(1)),
                    Some(first),
                    first.checked_add_months(Months::new(1)),
                ];
                let day = months
                    .into_iter()
                    .flatten()
                    .filter_map(|m| NaiveDate::from_ymd_opt(m.year(), m.month(), d))
                    .min_by_key(|c| (*c - r.day).num_days().abs())?;
                anchored(ymd(day))
            }
            None => fixed(format!("XXXX-XX-{d:02}")),
        },
        Year(y) => fixed(year_str(y)),
        Decade(d) => fixed(format!("{:03}", d.clamp(0, 999))),
        Century(c) => fixed(format!("{:02}", c.clamp(0, 99))),
        // q 0: a quarter of that year the context must name ("the 1988 period").
        Quarter { y: Some(y), q: 0 } => fixed(format!("{}-QX", year_str(y))),
        Quarter { y: Some(y), q } => fixed(format!("{}-Q{q}", year_str(y))),
        Quarter { y: None, q: 0 } => fixed("XXXX-QX".into()),
        Quarter { y: None, q } => match r {
            Some(r) => {
                let y = year_for(r, tense, |y| {
                    Some((month_span(y, 3 * q - 2)?.0, month_span(y, 3 * q)?.1))
                });
                anchored(format!("{}-Q{q}", year_str(y)))
            }
            None => fixed(format!("XXXX-Q{q}")),
        },
        Half { y: Some(y), h } => fixed(format!("{}-H{h}", year_str(y))),
        Half { y: None, h } => match r {
            Some(r) => anchored(format!("{}-H{h}", year_str(r.day.year()))),
            None => fixed(format!("XXXX-H{h}")),
        },
        PartOfRelYear { n, part, half } => {
            let tag = if half { 'H' } else { 'Q' };
            match r {
                Some(r) => anchored(format!("{}-{tag}{part}", year_str(r.day.year() + n))),
                None => fixed(format!("XXXX-{tag}{part}")),
            }
        }
        Season { y: Some(y), s } => fixed(format!("{}-{s}", year_str(y))),
        Season { y: None, s } => match r {
            Some(r) => {
                let y = r.day.year();
                let now = season_of(r.day.month());
                let order = |s: &str| ["WI", "SP", "SU", "FA"].iter().position(|x| *x == s);
                let y = match tense {
                    Tense::Past if order(s) > order(now) => y - 1,
                    Tense::Future if order(s) < order(now) => y + 1,
                    _ => y,
                };
                anchored(format!("{}-{s}", year_str(y)))
            }
            None => fixed(format!("XXXX-{s}")),
        },
        Weekday { wd, shift } => match r {
            Some(r) => anchored(ymd(weekday_day(r.day, wd, shift, tense)?)),
            None => fixed("XXXX-XX-XX".into()),
        },
        TheWeekend => match r {
            Some(r) => {
                let wd = r.day.weekday().number_from_monday();
                let n = match tense {
                    _ if wd >= 6 => 0,
                    Tense::Past => -1,
                    Tense::Future => 0,
                    Tense::Unknown => {
                        if wd <= 3 {
                            -1
                        } else {
                            0
                        }
                    }
                };
                anchored(rel_value(r, Unit::Weekend, n)?)
            }
            None => fixed("XXXX-WXX-WE".into()),
        },
        RelDay(n) => match r {
            Some(r) => anchored(ymd(shift_days(r.day, n)?)),
            None => fixed("XXXX-XX-XX".into()),
        },
        Rel { unit, n } => match r {
            Some(r) => anchored(rel_value(r, unit, n)?),
            None => fixed(rel_unknown(unit).into()),
        },
        RelMonth { m, shift } => match r {
            Some(r) => {
                let y = r.day.year();
                let rm = r.day.month();
                let y = match shift {
                    s if s < 0 => {
                        if m < rm {
                            y
                        } else {
                            y - 1
                        }
                    }
                    s if s > 0 => {
                        if m > rm {
                            y
                        } else {
                            y + 1
                        }
                    }
                    _ => y,
                };
                anchored(format!("{}-{m:02}", year_str(y)))
            }
            None => fixed(format!("XXXX-{m:02}")),
        },
        RelSeason { s, shift } => match r {
            Some(r) => {
                let order = |s: &str| ["WI", "SP", "SU", "FA"].iter().position(|x| *x == s);
                let now = season_of(r.day.month());
                let y = r.day.year();
                let y = match shift {
                    k if k < 0 => {
                        if order(s) < order(now) {
                            y
                        } else {
                            y - 1
                        }
                    }
                    k if k > 0 => {
                        if order(s) > order(now) {
                            y
                        } else {
                            y + 1
                        }
                    }
                    _ => y,
                };
                anchored(format!("{}-{s}", year_str(y)))
            }
            None => fixed(format!("XXXX-{s}")),
        },
        Holiday {
            y: Some(y), rule, ..
        } => fixed(ymd(holiday_in(y, rule)?)),
        Holiday {
            y: None,
            rule,
            shift,
        } => match r {
            Some(r) => {
                let y = r.day.year();
                let this = holiday_in(y, rule)?;
                let day = match (shift, tense) {
                    (Some(s), _) if s < 0 => {
                        if this < r.day {
                            this
                        } else {
                            holiday_in(y - 1, rule)?
                        }
                    }
                    (Some(s), _) if s > 0 => {
                        if this > r.day {
                            this
                        } else {
                            holiday_in(y + 1, rule)?
                        }
                    }
                    _ => {
                        let y = year_for(r, tense, |y| holiday_in(y, rule).map(|d| (d, d)));
                        holiday_in(y, rule)?
                    }
                };
                anchored(ymd(day))
            }
            None => match rule {
                HolidayRule::Fixed(m, d) => fixed(format!("XXXX-{m:02}-{d:02}")),
                _ => fixed("XXXX-XX-XX".into()),
            },
        },
    })
}

impl Resolved {
    fn filter_valid(self) -> Option<Resolved> {
        crate::value::Value::parse(&self.value).ok().map(|_| self)
    }
}

fn season_of(month: u32) -> &'static str {
    match month {
        3..=5 => "SP",
        6..=8 => "SU",
        9..=11 => "FA",
        _ => "WI",
    }
}

fn shift_days(d: NaiveDate, n: i32) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(u64::from(n.unsigned_abs())))
    }
}

/// The day a weekday names, seen from the reference day.
fn weekday_day(r: NaiveDate, wd: u32, shift: Option<i32>, tense: Tense) -> Option<NaiveDate> {
    let today = r.weekday().number_from_monday() as i32;
    let wd = wd as i32;
    let back = (today - wd).rem_euclid(7); // days back to the last such weekday (0: today)
    let ahead = (wd - today).rem_euclid(7); // days ahead to the next (0: today)
    let offset = match shift {
        Some(s) if s < 0 => -(if back == 0 { 7 } else { back }),
        Some(s) if s > 0 => {
            if ahead == 0 {
                7
            } else {
                ahead
            }
        }
        // "this Friday": the one of this week (ISO weeks start on Monday).
        Some(_) => wd - today,
        None => match tense {
            Tense::Past => -back,
            Tense::Future => ahead,
            // No cue: the nearer one, the past on a tie (news reports mostly what happened).
            Tense::Unknown => {
                if ahead < back {
                    ahead
                } else {
                    -back
                }
            }
        },
    };
    shift_days(r, offset)
}

/// Adds a time of day to a resolved day value (`2024-06-19` → `2024-06-19T09:30`); values that
/// are not a day (`XXXX-XX-XX` is) get nothing.
pub(crate) fn with_time(value: &str, t: TimeSem) -> Option<String> {
    let is_day = value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
    if !is_day {
        return None;
    }
    Some(match t {
        TimeSem::Clock(h, m) => format!("{value}T{h:02}:{m:02}"),
        TimeSem::Pod(p) => format!("{value}T{p}"),
    })
}

/// A duration's TIMEX3 value: `n` units (`None`: an unknown number, `X`).
pub(crate) fn duration_value(n: Option<f64>, unit: Unit, mult: u32) -> String {
    let (n, unit) = match n {
        Some(n) => {
            let n = n * f64::from(mult.max(1));
            // Fractions are written in the next smaller unit when there is one.
            if n.fract() != 0.0 {
                match unit {
                    Unit::Year => (Some(n * 12.0), Unit::Month),
                    Unit::Month => (Some(n * 30.0), Unit::Day),
                    Unit::Week => (Some(n * 7.0), Unit::Day),
                    Unit::Day => (Some(n * 24.0), Unit::Hour),
                    Unit::Hour => (Some(n * 60.0), Unit::Minute),
                    Unit::Decade => (Some(n * 10.0), Unit::Year),
                    Unit::Century => (Some(n * 100.0), Unit::Year),
                    u => (Some(n), u),
                }
            } else {
                (Some(n), unit)
            }
        }
        None => (None, unit),
    };
    let amount = match n {
        Some(n) if n.fract() == 0.0 => format!("{}", n as u64),
        Some(n) => {
            let s = format!("{n:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        None => "X".into(),
    };
    let (code, time) = match unit {
        Unit::Year => ("Y", false),
        Unit::HalfYear => return format!("P{}M", scale(&amount, 6)),
        Unit::Quarter => ("Q", false),
        Unit::Period => ("X", false),
        Unit::Month => ("M", false),
        Unit::Week => ("W", false),
        Unit::Weekend => return format!("P{}D", scale(&amount, 2)),
        Unit::Day => ("D", false),
        Unit::Decade => ("DE", false),
        Unit::Century => ("CE", false),
        Unit::Hour => ("H", true),
        Unit::Minute => ("M", true),
        Unit::Second => ("S", true),
    };
    if code == "X" {
        // A "period" of unknown length.
        return "PXX".into();
    }
    if time {
        format!("PT{amount}{code}")
    } else {
        format!("P{amount}{code}")
    }
}

fn scale(amount: &str, k: u64) -> String {
    match amount.parse::<u64>() {
        Ok(n) => (n * k).to_string(),
        Err(_) => "X".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> RefPoint {
        RefPoint {
            day: NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap(),
            time: None,
        }
    }

    fn v(sem: DateSem, at: &str, tense: Tense) -> String {
        resolve_date(sem, Some(&r(at)), tense).unwrap().value
    }

    #[test]
    fn weekdays_follow_the_tense() {
        // 2024-06-19 is a Wednesday.
        let fri = DateSem::Weekday { wd: 5, shift: None };
        assert_eq!(v(fri, "2024-06-19", Tense::Past), "2024-06-14");
        assert_eq!(v(fri, "2024-06-19", Tense::Future), "2024-06-21");
        let wed = DateSem::Weekday { wd: 3, shift: None };
        assert_eq!(v(wed, "2024-06-19", Tense::Past), "2024-06-19");
        let last_wed = DateSem::Weekday {
            wd: 3,
            shift: Some(-1),
        };
        assert_eq!(v(last_wed, "2024-06-19", Tense::Unknown), "2024-06-12");
        let next_mon = DateSem::Weekday {
            wd: 1,
            shift: Some(1),
        };
        assert_eq!(v(next_mon, "2024-06-19", Tense::Unknown), "2024-06-24");
    }

    #[test]
    fn months_without_a_year() {
        let sep = DateSem::Ym { y: None, m: 9 };
        assert_eq!(v(sep, "2024-06-19", Tense::Past), "2023-09");
        assert_eq!(v(sep, "2024-06-19", Tense::Future), "2024-09");
        assert_eq!(v(sep, "2024-06-19", Tense::Unknown), "2024-09");
        // Within two months of the reference, the nearest whatever the tense.
        let nov21 = DateSem::Ymd {
            y: None,
            m: 11,
            d: 21,
        };
        assert_eq!(v(nov21, "1989-11-02", Tense::Past), "1989-11-21");
        let jan = DateSem::Ym { y: None, m: 1 };
        assert_eq!(v(jan, "1989-12-20", Tense::Past), "1990-01");
        let last_may = DateSem::RelMonth { m: 5, shift: -1 };
        assert_eq!(v(last_may, "2024-06-19", Tense::Unknown), "2024-05");
        let last_july = DateSem::RelMonth { m: 7, shift: -1 };
        assert_eq!(v(last_july, "2024-06-19", Tense::Unknown), "2023-07");
    }

    #[test]
    fn relative_periods() {
        let rel = |unit, n| v(DateSem::Rel { unit, n }, "2024-06-19", Tense::Unknown);
        assert_eq!(rel(Unit::Year, -1), "2023");
        assert_eq!(rel(Unit::Month, -1), "2024-05");
        assert_eq!(rel(Unit::Week, 1), "2024-W26");
        assert_eq!(rel(Unit::Quarter, -1), "2024-Q1");
        assert_eq!(rel(Unit::Decade, -2), "200");
        assert_eq!(rel(Unit::Weekend, 0), "2024-W25-WE");
        assert_eq!(rel(Unit::Day, -3), "2024-06-16");
    }

    #[test]
    fn holidays() {
        let easter = DateSem::Holiday {
            y: Some(2024),
            rule: HolidayRule::Easter(0),
            shift: None,
        };
        assert_eq!(v(easter, "2024-06-19", Tense::Unknown), "2024-03-31");
        let thanks = DateSem::Holiday {
            y: Some(2024),
            rule: HolidayRule::Nth {
                month: 11,
                weekday: 4,
                n: 4,
            },
            shift: None,
        };
        assert_eq!(v(thanks, "2024-06-19", Tense::Unknown), "2024-11-28");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_value(Some(24.0), Unit::Year, 1), "P24Y");
        assert_eq!(duration_value(Some(1.5), Unit::Year, 1), "P18M");
        assert_eq!(duration_value(None, Unit::Week, 1), "PXW");
        assert_eq!(duration_value(Some(2.0), Unit::Hour, 1), "PT2H");
        assert_eq!(duration_value(Some(1.0), Unit::Week, 2), "P2W");
        assert_eq!(duration_value(Some(2.0), Unit::Decade, 1), "P2DE");
    }
}
