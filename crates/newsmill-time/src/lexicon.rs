//! The vocabularies: `data/*.txt`, read into phrase tables (format: `data/README.md`).

use rustc_hash::FxHashMap;

use crate::token::{Gap, Tokens, tokenize};
use crate::{Error, Lang, Result};

/// A category of vocabulary entry (see `data/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Cat {
    Month,
    Weekday,
    Number,
    Ordinal,
    OrdSuffix,
    Unit,
    Pod,
    Season,
    Day,
    Ref,
    Rel,
    Ago,
    In,
    Approx,
    Edge,
    Every,
    SetWord,
    Per,
    AfterPer,
    YearCue,
    Article,
    DayTime,
    AmPm,
    Zone,
    Clock,
    At,
    On,
    Of,
    And,
    AndHalf,
    Half,
    Fiscal,
    Decade,
    Century,
    Holiday,
    Vague,
    Age,
    Past,
    Future,
    PastSuffix,
    FutureSuffix,
    Period,
    CountWord,
    Clause,
    Name,
    GameClock,
    Possessive,
}

impl Cat {
    fn parse(s: &str) -> Option<Cat> {
        Some(match s {
            "month" => Cat::Month,
            "weekday" => Cat::Weekday,
            "number" => Cat::Number,
            "ordinal" => Cat::Ordinal,
            "ordsuffix" => Cat::OrdSuffix,
            "unit" => Cat::Unit,
            "pod" => Cat::Pod,
            "season" => Cat::Season,
            "day" => Cat::Day,
            "ref" => Cat::Ref,
            "rel" => Cat::Rel,
            "ago" => Cat::Ago,
            "in" => Cat::In,
            "approx" => Cat::Approx,
            "edge" => Cat::Edge,
            "every" => Cat::Every,
            "setword" => Cat::SetWord,
            "per" => Cat::Per,
            "after_per" => Cat::AfterPer,
            "yearcue" => Cat::YearCue,
            "article" => Cat::Article,
            "daytime" => Cat::DayTime,
            "ampm" => Cat::AmPm,
            "zone" => Cat::Zone,
            "clock" => Cat::Clock,
            "at" => Cat::At,
            "on" => Cat::On,
            "of" => Cat::Of,
            "and" => Cat::And,
            "andhalf" => Cat::AndHalf,
            "half" => Cat::Half,
            "fiscal" => Cat::Fiscal,
            "decade" => Cat::Decade,
            "century" => Cat::Century,
            "holiday" => Cat::Holiday,
            "vague" => Cat::Vague,
            "age" => Cat::Age,
            "past" => Cat::Past,
            "future" => Cat::Future,
            "pastsuffix" => Cat::PastSuffix,
            "futuresuffix" => Cat::FutureSuffix,
            "period" => Cat::Period,
            "countword" => Cat::CountWord,
            "clause" => Cat::Clause,
            "name" => Cat::Name,
            "gameclock" => Cat::GameClock,
            "possessive" => Cat::Possessive,
            _ => return None,
        })
    }
}

/// A unit of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Unit {
    Year,
    HalfYear,
    Quarter,
    Month,
    Week,
    Weekend,
    Day,
    Hour,
    Minute,
    Second,
    Decade,
    Century,
    /// "period": a reporting period, whose length the context gives (a quarter in earnings news).
    Period,
}

impl Unit {
    fn parse(s: &str) -> Option<(Unit, u32)> {
        let (n, code) = match s.find(|c: char| !c.is_ascii_digit()) {
            Some(0) => (1, s),
            Some(k) => (s[..k].parse().ok()?, &s[k..]),
            None => return None,
        };
        let u = match code {
            "Y" => Unit::Year,
            "HY" => Unit::HalfYear,
            "Q" => Unit::Quarter,
            "M" => Unit::Month,
            "W" => Unit::Week,
            "WE" => Unit::Weekend,
            "D" => Unit::Day,
            "H" => Unit::Hour,
            "MIN" => Unit::Minute,
            "S" => Unit::Second,
            "DE" => Unit::Decade,
            "CE" => Unit::Century,
            "PERIOD" => Unit::Period,
            _ => return None,
        };
        Some((u, n))
    }

    /// Whether the unit is part of a day (a TIMEX3 duration writes it after `T`).
    pub(crate) fn is_time(self) -> bool {
        matches!(self, Unit::Hour | Unit::Minute | Unit::Second)
    }
}

/// A part of a period (TimeML's mod START, MID, END).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    Start,
    Mid,
    End,
}

/// A holiday's place in the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HolidayRule {
    /// A fixed month and day.
    Fixed(u32, u32),
    /// Days from Easter Sunday.
    Easter(i32),
    /// The Nth (or, with -1, the last) weekday W of month M.
    Nth { month: u32, weekday: u32, n: i32 },
}

/// The value of an entry, by category.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val {
    None,
    Int(i32),
    Unit(Unit, u32),
    Code(&'static str),
    Day(i32, Option<&'static str>),
    Edge(EdgeKind),
    Holiday(HolidayRule),
    Time(u32, u32),
    /// A period named by the context: its unit and offset from the reference's (`None`: the
    /// previous one in a past-tense sentence, else the current one).
    Period(Unit, Option<i32>),
}

/// Flags of an entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    /// Only when written with a capital letter.
    pub(crate) cap: bool,
    /// An abbreviation: needs a period, a number beside it, or a year after it.
    pub(crate) abbr: bool,
    /// Alone, only after a cue word.
    pub(crate) cue: bool,
    /// Before the word it modifies.
    pub(crate) pre: bool,
    /// After the word it modifies.
    pub(crate) post: bool,
    /// A plural.
    pub(crate) pl: bool,
    /// A number word that multiplies what precedes it.
    pub(crate) mul: bool,
    /// A determiner that counts as a number before a unit only.
    pub(crate) det: bool,
    /// Only when written in lowercase (German "morgen", tomorrow, beside "Morgen", morning).
    pub(crate) low: bool,
    /// A weak cue: makes a number a year only when no lowercase word follows it ("and 2000",
    /// but not "and 1500 people").
    pub(crate) weak: bool,
}

/// One entry: a phrase of one or more tokens, its category, value and flags.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) cat: Cat,
    pub(crate) val: Val,
    pub(crate) flags: Flags,
    /// The phrase's tokens after the first, each with whether it follows a space.
    rest: Vec<(Box<str>, bool)>,
    /// The phrase as written.
    pub(crate) phrase: Box<str>,
}

impl Entry {
    /// Tokens of the phrase.
    pub(crate) fn len(&self) -> usize {
        self.rest.len() + 1
    }
}

/// A language's vocabulary: entries indexed by their first token.
#[derive(Debug)]
pub(crate) struct Lexicon {
    pub(crate) lang: Lang,
    entries: Vec<Entry>,
    by_first: FxHashMap<Box<str>, Vec<u32>>,
    pub(crate) sources: Vec<String>,
    /// Endings that mark the past tense (and the shortest word they apply to, and whether the
    /// cue is weak).
    pub(crate) past_suffixes: Vec<(String, usize, bool)>,
    /// Endings that mark the future tense.
    pub(crate) future_suffixes: Vec<(String, usize, bool)>,
    /// One-word numbers 1-9, tens 20-90 and connectors, to read compounds ("vierundzwanzig").
    compound_units: Vec<(Box<str>, i32)>,
    compound_tens: Vec<(Box<str>, i32)>,
    connectors: Vec<Box<str>>,
}

/// A vocabulary entry found in a text: tokens `[start, start + len)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) len: u32,
    pub(crate) entry: u32,
}

impl Lexicon {
    /// Reads a vocabulary file.
    pub(crate) fn parse(lang: Lang, data: &str) -> Result<Lexicon> {
        let mut lex = Lexicon {
            lang,
            entries: Vec::new(),
            by_first: FxHashMap::default(),
            sources: Vec::new(),
            past_suffixes: Vec::new(),
            future_suffixes: Vec::new(),
            compound_units: Vec::new(),
            compound_tens: Vec::new(),
            connectors: Vec::new(),
        };
        for (n, line) in data.lines().enumerate() {
            let line = line.trim();
            let err = |message: String| Error::Vocabulary {
                lang: lang.code(),
                line: n + 1,
                message,
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(src) = line.strip_prefix("@source") {
                let src = src.trim();
                if src.is_empty() {
                    return Err(err("empty @source".into()));
                }
                lex.sources.push(src.to_string());
                continue;
            }
            if lex.sources.is_empty() {
                return Err(err("entry before the first @source line".into()));
            }
            let mut cols = line.split('|').map(str::trim);
            let cat_s = cols.next().unwrap_or("");
            let cat =
                Cat::parse(cat_s).ok_or_else(|| err(format!("unknown category {cat_s:?}")))?;
            let phrase = cols.next().unwrap_or("");
            if phrase.is_empty() {
                return Err(err("empty phrase".into()));
            }
            let val_s = cols.next().unwrap_or("");
            let flags = parse_flags(cols.next().unwrap_or("")).map_err(err)?;
            let val = parse_val(cat, val_s).ok_or_else(|| err(format!("bad value {val_s:?}")))?;
            match cat {
                Cat::PastSuffix | Cat::FutureSuffix => {
                    let min = match val {
                        Val::Int(k) => k.max(1) as usize,
                        _ => 1,
                    };
                    let list = if cat == Cat::PastSuffix {
                        &mut lex.past_suffixes
                    } else {
                        &mut lex.future_suffixes
                    };
                    list.push((phrase.to_lowercase(), min, flags.weak));
                    continue;
                }
                _ => {}
            }
            let toks = tokenize(phrase);
            if toks.len() == 0 {
                return Err(err(format!("phrase {phrase:?} has no tokens")));
            }
            let rest = (1..toks.len())
                .map(|i| (toks.lower(i).into(), toks.gap(i) != Gap::None))
                .collect();
            let id = lex.entries.len() as u32;
            lex.entries.push(Entry {
                cat,
                val,
                flags,
                rest,
                phrase: phrase.into(),
            });
            lex.by_first
                .entry(toks.lower(0).into())
                .or_default()
                .push(id);
        }
        for e in &lex.entries {
            if !e.rest.is_empty() {
                continue;
            }
            let word: Box<str> = e.phrase.to_lowercase().into();
            match (e.cat, e.val) {
                (Cat::Number, Val::Int(v @ 1..=9)) => lex.compound_units.push((word, v)),
                (Cat::Number, Val::Int(v)) if (20..=90).contains(&v) && v % 10 == 0 => {
                    lex.compound_tens.push((word, v))
                }
                (Cat::And, _) if word.chars().all(char::is_alphabetic) => lex.connectors.push(word),
                _ => {}
            }
        }
        // Longest phrases first, so the first entry that matches is the longest.
        for ids in lex.by_first.values_mut() {
            ids.sort_by_key(|&id| std::cmp::Reverse(lex.entries[id as usize].len()));
        }
        Ok(lex)
    }

    pub(crate) fn entry(&self, id: u32) -> &Entry {
        &self.entries[id as usize]
    }

    /// Every entry.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries whose phrase starts at token `i`, longest first.
    pub(crate) fn hits_at(&self, toks: &Tokens, i: usize, out: &mut Vec<Hit>) {
        let Some(ids) = self.by_first.get(toks.lower(i)) else {
            return;
        };
        'entries: for &id in ids {
            let e = &self.entries[id as usize];
            for (k, (word, spaced)) in e.rest.iter().enumerate() {
                let j = i + 1 + k;
                if j >= toks.len() || toks.lower(j) != &**word {
                    continue 'entries;
                }
                let gap = toks.gap(j);
                if gap == Gap::Break || (gap == Gap::Space) != *spaced {
                    continue 'entries;
                }
            }
            out.push(Hit {
                len: e.len() as u32,
                entry: id,
            });
        }
    }

    /// Whether `word` (lowercase) is one of the entries of category `cat`, as one token.
    pub(crate) fn has_word(&self, word: &str, cat: Cat) -> bool {
        self.by_first.get(word).is_some_and(|ids| {
            ids.iter().any(|&id| {
                let e = &self.entries[id as usize];
                e.cat == cat && e.rest.is_empty()
            })
        })
    }

    /// The value of a one-token entry of category `cat`.
    pub(crate) fn word_val(&self, word: &str, cat: Cat) -> Option<Val> {
        self.by_first.get(word).and_then(|ids| {
            ids.iter().find_map(|&id| {
                let e = &self.entries[id as usize];
                (e.cat == cat && e.rest.is_empty()).then_some(e.val)
            })
        })
    }

    /// A number written as one word of a unit, a connector and a tens word ("vierundzwanzig",
    /// "vierentwintig"), as German and Dutch write 21-99.
    pub(crate) fn compound_number(&self, word: &str) -> Option<i32> {
        for (tens, tv) in &self.compound_tens {
            let Some(prefix) = word.strip_suffix(&**tens) else {
                continue;
            };
            for c in &self.connectors {
                let Some(unit) = prefix.strip_suffix(&**c) else {
                    continue;
                };
                if let Some((_, uv)) = self.compound_units.iter().find(|(u, _)| **u == *unit) {
                    return Some(tv + uv);
                }
            }
        }
        None
    }

    /// Whether a word token is a past-tense form by its ending: `Some(weak)`.
    pub(crate) fn past_by_suffix(&self, word: &str) -> Option<bool> {
        self.past_suffixes
            .iter()
            .find(|(s, min, _)| word.chars().count() >= *min && word.ends_with(s.as_str()))
            .map(|x| x.2)
    }

    /// Whether a word token is a future-tense form by its ending: `Some(weak)`.
    pub(crate) fn future_by_suffix(&self, word: &str) -> Option<bool> {
        self.future_suffixes
            .iter()
            .find(|(s, min, _)| word.chars().count() >= *min && word.ends_with(s.as_str()))
            .map(|x| x.2)
    }
}

fn parse_flags(s: &str) -> std::result::Result<Flags, String> {
    let mut f = Flags::default();
    for w in s.split_whitespace() {
        match w {
            "cap" => f.cap = true,
            "abbr" => f.abbr = true,
            "cue" => f.cue = true,
            "pre" => f.pre = true,
            "post" => f.post = true,
            "pl" => f.pl = true,
            "mul" => f.mul = true,
            "det" => f.det = true,
            "low" => f.low = true,
            "weak" => f.weak = true,
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    Ok(f)
}

/// Interns the few code strings values use, so entries stay `Copy`.
fn code(s: &str) -> Option<&'static str> {
    const CODES: &[&str] = &[
        "PRESENT_REF",
        "PAST_REF",
        "FUTURE_REF",
        "MO",
        "AF",
        "EV",
        "NI",
        "DT",
        "SP",
        "SU",
        "FA",
        "WI",
        "AM",
        "PM",
        "P1D",
        "P1W",
        "P2W",
        "P1M",
        "P1Q",
        "P1Y",
        "PT1H",
        "XXXX-XX-XXTNI",
        "XXXX-XX-XXTMO",
        "XXXX-XX-XXTEV",
        "XXXX-XX-XXTAF",
    ];
    CODES.iter().copied().find(|c| *c == s)
}

fn parse_val(cat: Cat, s: &str) -> Option<Val> {
    let int = || s.parse::<i32>().ok().map(Val::Int);
    match cat {
        Cat::Month => int().filter(|v| matches!(v, Val::Int(1..=12))),
        Cat::Weekday => int().filter(|v| matches!(v, Val::Int(1..=7))),
        Cat::Number | Cat::Ordinal | Cat::Rel | Cat::Ago | Cat::In => int(),
        Cat::Decade => int().filter(|v| matches!(v, Val::Int(0..=9))),
        Cat::PastSuffix | Cat::FutureSuffix => {
            if s.is_empty() {
                Some(Val::Int(1))
            } else {
                int()
            }
        }
        Cat::Unit => Unit::parse(s).map(|(u, n)| Val::Unit(u, n)),
        Cat::Pod => matches!(s, "MO" | "AF" | "EV" | "NI" | "DT")
            .then(|| code(s).map(Val::Code))
            .flatten(),
        Cat::Season => matches!(s, "SP" | "SU" | "FA" | "WI")
            .then(|| code(s).map(Val::Code))
            .flatten(),
        Cat::Ref => matches!(s, "PRESENT_REF" | "PAST_REF" | "FUTURE_REF")
            .then(|| code(s).map(Val::Code))
            .flatten(),
        Cat::AmPm => matches!(s, "AM" | "PM")
            .then(|| code(s).map(Val::Code))
            .flatten(),
        Cat::SetWord => code(s).map(Val::Code),
        Cat::Day => {
            let mut parts = s.split_whitespace();
            let n: i32 = parts.next()?.parse().ok()?;
            let pod = match parts.next() {
                Some(p) => Some(code(p).filter(|c| matches!(*c, "MO" | "AF" | "EV" | "NI"))?),
                None => None,
            };
            Some(Val::Day(n, pod))
        }
        Cat::Edge => Some(Val::Edge(match s {
            "START" => EdgeKind::Start,
            "MID" => EdgeKind::Mid,
            "END" => EdgeKind::End,
            _ => return None,
        })),
        Cat::Period => {
            let (u, n) = s.split_once(' ')?;
            let (unit, 1) = Unit::parse(u)? else {
                return None;
            };
            let n = match n {
                "T" => None,
                n => Some(n.parse().ok()?),
            };
            Some(Val::Period(unit, n))
        }
        Cat::DayTime => {
            let (h, m) = s.split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60).then_some(Val::Time(h, m))
        }
        Cat::Holiday => {
            let (kind, rest) = s.split_once(':')?;
            Some(Val::Holiday(match kind {
                "fixed" => {
                    let (m, d) = rest.split_once('-')?;
                    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
                    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                        return None;
                    }
                    HolidayRule::Fixed(m, d)
                }
                "easter" => HolidayRule::Easter(rest.parse().ok()?),
                "nth" => {
                    let mut p = rest.split(':');
                    let month: u32 = p.next()?.parse().ok()?;
                    let weekday: u32 = p.next()?.parse().ok()?;
                    let n: i32 = p.next()?.parse().ok()?;
                    if !(1..=12).contains(&month) || !(1..=7).contains(&weekday) || n == 0 {
                        return None;
                    }
                    HolidayRule::Nth { month, weekday, n }
                }
                _ => return None,
            }))
        }
        _ => s.is_empty().then_some(Val::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_reads() {
        // Every entry follows an @source line: the loader refuses one that does not.
        for lang in Lang::ALL {
            let lex = Lexicon::parse(lang, lang.data()).unwrap_or_else(|e| panic!("{e}"));
            assert!(lex.entries().len() > 200, "{}", lang.code());
            assert!(!lex.sources.is_empty());
        }
    }

    #[test]
    fn refuses_malformed_lines() {
        for bad in [
            "month | June | 6",
            "@source x\nmonth | June | 13",
            "@source x\nmonthly | June | 6",
            "@source x\nmonth | June | 6 | shiny",
            "@source x\nmonth |  | 6",
        ] {
            let data = bad.replace("\\n", "\n");
            assert!(Lexicon::parse(Lang::En, &data).is_err(), "{bad}");
        }
    }

    #[test]
    fn compound_numbers() {
        let de = Lexicon::parse(Lang::De, Lang::De.data()).unwrap();
        assert_eq!(de.compound_number("vierundzwanzig"), Some(24));
        assert_eq!(de.compound_number("einundzwanzig"), Some(21));
        let nl = Lexicon::parse(Lang::Nl, Lang::Nl.data()).unwrap();
        assert_eq!(nl.compound_number("vierentwintig"), Some(24));
        assert_eq!(nl.compound_number("tweeëntwintig"), Some(22));
    }
}
