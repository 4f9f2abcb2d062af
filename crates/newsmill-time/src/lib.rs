//! newsmill's date stage: temporal expressions found in text, typed as in TimeML (`DATE`,
//! `TIME`, `DURATION`, `SET`) and normalised to TIMEX3 values, in English, German, Spanish,
//! French and Dutch.
//!
//! Relative expressions ("Wednesday morning", "last year", "two decades ago") are resolved
//! against a reference day: the article's publication date, or one the caller gives
//! ([`Reference`]); with none they keep unknown digits as `X` (`XXXX-XX-XXTMO`). A bare weekday
//! or month follows the tense of its sentence ("Friday" in a past-tense sentence is the last
//! Friday). The words each language uses live in vocabulary files (`data/*.txt`, each entry with
//! its source) compiled into the crate; the rules that combine them are in one grammar shared by
//! all languages.
//!
//! The crate does no I/O and is deterministic: the same text, language and reference give the
//! same expressions. It does not detect the language (the record says it), and it does not
//! relate expressions to events (TimeML's TLINKs).
//!
//! ```
//! use newsmill_time::{Lang, Options, Reference, Tagger};
//! use newsmill_core::{DateAnchor, TimexType};
//!
//! let tagger = Tagger::embedded().unwrap();
//! let text = "On Wednesday morning, Putin arrived for the first time in 24 years.";
//! let options = Options {
//!     lang: Some(Lang::En),
//!     reference: Some(Reference::parse("2024-06-19", DateAnchor::Reference).unwrap()),
//!     ..Options::default()
//! };
//! let found = tagger.tag(text, &options);
//! assert_eq!(&text[found[0].start..found[0].end], "Wednesday morning");
//! assert_eq!(found[0].value, "2024-06-19TMO");
//! assert_eq!(found[0].anchor, DateAnchor::Reference);
//! assert_eq!(found[1].kind, TimexType::Duration);
//! assert_eq!(found[1].value, "P24Y");
//! ```

mod event;
mod grammar;
mod lexicon;
mod resolve;
mod token;
pub mod value;

use chrono::{NaiveDate, Timelike};
pub use event::{EventSource, EventTime, event_time};
pub use grammar::DateOrder;
use grammar::{Parser, Sem};
use lexicon::Lexicon;
pub use newsmill_core::{DateAnchor, TimexType};
use resolve::{RefPoint, Tense, resolve_date, with_time};
use token::tokenize;
pub use value::{Value, ValueError};

/// Errors of the date stage.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A vocabulary file is malformed (a bug in the crate's data, caught by its tests).
    #[error("vocabulary {lang}, line {line}: {message}")]
    Vocabulary {
        /// The language of the file.
        lang: &'static str,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A reference time that is neither RFC 3339 nor `YYYY-MM-DD`.
    #[error("reference time {0:?}: expected YYYY-MM-DD or RFC 3339 (2024-06-19T09:30:00Z)")]
    Reference(String),
}

/// Result with the date stage's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The languages with a vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// German.
    De,
    /// Spanish.
    Es,
    /// French.
    Fr,
    /// Dutch.
    Nl,
}

impl Lang {
    /// Every language with a vocabulary.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::De, Lang::Es, Lang::Fr, Lang::Nl];

    /// The language of an ISO 639-1 code (`en`, `de-AT`), if it has a vocabulary.
    pub fn from_code(code: &str) -> Option<Lang> {
        let base = code.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == base)
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::Nl => "nl",
        }
    }

    fn data(self) -> &'static str {
        match self {
            Lang::En => include_str!("../data/en.txt"),
            Lang::De => include_str!("../data/de.txt"),
            Lang::Es => include_str!("../data/es.txt"),
            Lang::Fr => include_str!("../data/fr.txt"),
            Lang::Nl => include_str!("../data/nl.txt"),
        }
    }
}

/// The day (and maybe time) relative expressions are resolved against, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The day, in the zone the time was written in (the publisher's day).
    pub day: NaiveDate,
    /// The time of day (hours, minutes), when known.
    pub time: Option<(u32, u32)>,
    /// What it is: the article's `published` time or a caller's reference time.
    pub anchor: DateAnchor,
}

impl Reference {
    /// Reads `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, or RFC 3339. The day is the one written (a
    /// time with an offset is not moved to UTC: "today" is the writer's day).
    pub fn parse(s: &str, anchor: DateAnchor) -> Result<Reference> {
        let t = s.trim();
        let bad = || Error::Reference(s.to_string());
        let day = NaiveDate::parse_from_str(t.get(..10).ok_or_else(bad)?, "%Y-%m-%d")
            .map_err(|_| bad())?;
        let rest = &t[10..];
        if rest.is_empty() {
            return Ok(Reference {
                day,
                time: None,
                anchor,
            });
        }
        let rest = rest.strip_prefix(['T', 't', ' ']).ok_or_else(bad)?;
        let hm = rest.get(..5).ok_or_else(bad)?;
        let time = chrono::NaiveTime::parse_from_str(hm, "%H:%M").map_err(|_| bad())?;
        // Seconds, fractions and a zone may follow; they do not change the day written.
        let tail = &rest[5..];
        if !tail
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '+' | '-' | 'Z' | 'z'))
        {
            return Err(bad());
        }
        Ok(Reference {
            day,
            time: Some((time.hour(), time.minute())),
            anchor,
        })
    }
}

/// How to tag one text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The language whose vocabulary to use; `None` (or a language without one) finds only
    /// what needs no words: numeric dates, years, clock times.
    pub lang: Option<Lang>,
    /// What relative expressions resolve against; `None` leaves them with `X` digits.
    pub reference: Option<Reference>,
    /// The order of day and month in numeric dates whose parts are all 12 or less.
    pub order: DateOrder,
}

/// A temporal expression found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timex {
    /// Start, in bytes of the text.
    pub start: usize,
    /// End (exclusive), in bytes.
    pub end: usize,
    /// The TimeML type.
    pub kind: TimexType,
    /// The TIMEX3 value (always one [`Value::parse`] accepts).
    pub value: String,
    /// What the value was resolved against: the reference's anchor when it was needed, else
    /// [`DateAnchor::None`].
    pub anchor: DateAnchor,
}

/// The vocabularies, read once; tags any number of texts.
#[derive(Debug)]
pub struct Tagger {
    langs: Vec<Lexicon>,
    any: Lexicon,
}

static SHARED: std::sync::LazyLock<Result<Tagger>> = std::sync::LazyLock::new(Tagger::embedded);

impl Tagger {
    /// The vocabularies compiled into the crate, read once per process and shared.
    pub fn shared() -> Result<&'static Tagger> {
        SHARED.as_ref().map_err(Clone::clone)
    }

    /// Reads the vocabularies compiled into the crate.
    pub fn embedded() -> Result<Tagger> {
        let langs = Lang::ALL
            .into_iter()
            .map(|l| Lexicon::parse(l, l.data()))
            .collect::<Result<Vec<_>>>()?;
        let any = Lexicon::parse(Lang::En, include_str!("../data/any.txt"))?;
        Ok(Tagger { langs, any })
    }

    pub(crate) fn lexicon(&self, lang: Option<Lang>) -> &Lexicon {
        match lang {
            Some(l) => self.langs.iter().find(|x| x.lang == l).unwrap_or(&self.any),
            None => &self.any,
        }
    }

    /// The month a word names in any vocabulary ("Oktober", "août", "sept.", "Jänner"), ignoring
    /// case and a final period.
    pub fn month_of_name(&self, word: &str) -> Option<u32> {
        let lower = word.trim_end_matches('.').to_lowercase();
        self.langs
            .iter()
            .chain(std::iter::once(&self.any))
            .find_map(|lex| match lex.word_val(&lower, lexicon::Cat::Month) {
                Some(lexicon::Val::Int(m)) => Some(m as u32),
                _ => None,
            })
    }

    /// The sources a language's vocabulary names (its `@source` lines).
    pub fn sources(&self, lang: Lang) -> &[String] {
        &self.lexicon(Some(lang)).sources
    }

    /// Finds, types and normalises the temporal expressions of `text`, in text order, never
    /// overlapping.
    pub fn tag(&self, text: &str, options: &Options) -> Vec<Timex> {
        let lex = self.lexicon(options.lang);
        let toks = tokenize(text);
        let parser = Parser::new(&toks, lex, options.order);
        let reference = options.reference.map(|r| RefPoint {
            day: r.day,
            time: r.time,
        });
        let ref_anchor = options.reference.map_or(DateAnchor::None, |r| r.anchor);
        let mut out = Vec::new();
        // The quarter an earnings report is about: the last quarter named outright.
        let mut focus: Option<(i32, u32)> = None;
        for c in parser.scan() {
            let mut start_tok = c.start;
            let mut kind = c.kind;
            let sem = c.sem.clone();
            let (mut value, anchored) = match c.sem {
                Sem::Value(v) => (v, false),
                Sem::Date(d, t) => {
                    let tense = if needs_tense(&d) {
                        parser.tense(c.start, c.end)
                    } else {
                        Tense::Unknown
                    };
                    let Some(r) = resolve_date(d, reference.as_ref(), tense) else {
                        continue;
                    };
                    match t {
                        None => (r.value, r.anchored),
                        Some(t) => match with_time(&r.value, t) {
                            Some(v) => (v, r.anchored),
                            None => continue,
                        },
                    }
                }
                Sem::Ahead {
                    unit,
                    n,
                    dur,
                    needs_future,
                    dur_start,
                } => {
                    if !needs_future || parser.tense(c.start, c.end) == Tense::Future {
                        let d = resolve::DateSem::Rel { unit, n };
                        match resolve_date(d, reference.as_ref(), Tense::Unknown) {
                            Some(r) => (r.value, r.anchored),
                            None => continue,
                        }
                    } else {
                        start_tok = dur_start;
                        kind = TimexType::Duration;
                        (dur, false)
                    }
                }
            };
            if let Sem::Date(d, None) = sem {
                use resolve::DateSem::*;
                match d {
                    Quarter { q: 0, .. } => {
                        if let (Some((_, fq)), Some(y)) = (focus, value.strip_suffix("-QX")) {
                            value = format!("{y}-Q{fq}");
                        }
                    }
                    Quarter { .. } | PartOfRelYear { half: false, .. } => {
                        focus = quarter_of(&value).or(focus);
                    }
                    // In a report of quarterly figures, "a year ago", "last year" and "the
                    // year-earlier period" are the same quarter a year before, and "the
                    // quarter", "the latest period" the quarter reported.
                    Rel {
                        unit: lexicon::Unit::Year,
                        n: -1,
                    } if anchored && parser.states_figures(c.start, c.end) => {
                        if let Some((y, q)) = focus {
                            value = format!("{:04}-Q{q}", y - 1);
                        }
                    }
                    Rel {
                        unit: lexicon::Unit::Quarter | lexicon::Unit::Period,
                        n: -1 | 0,
                    } if anchored => {
                        if let Some((y, q)) = focus {
                            value = format!("{y:04}-Q{q}");
                        }
                    }
                    _ => {}
                }
            }
            if Value::parse(&value).is_err() {
                // Every rule makes valid values (a property test checks it); a value that is
                // not one is dropped rather than stored.
                continue;
            }
            let (start, end) = parser.span(start_tok, c.end);
            out.push(Timex {
                start,
                end,
                kind,
                value,
                anchor: if anchored {
                    ref_anchor
                } else {
                    DateAnchor::None
                },
            });
        }
        out
    }
}

/// The year and quarter of a value `YYYY-Qn`.
fn quarter_of(value: &str) -> Option<(i32, u32)> {
    let (y, q) = value.split_once("-Q")?;
    Some((y.parse().ok()?, q.parse().ok()?))
}

/// Whether resolving a date depends on the tense of its sentence.
fn needs_tense(d: &resolve::DateSem) -> bool {
    use resolve::DateSem::*;
    matches!(
        d,
        Ymd { y: None, .. }
            | Ym { y: None, .. }
            | Quarter { y: None, .. }
            | Season { y: None, .. }
            | Weekday { shift: None, .. }
            | Holiday { y: None, .. }
            | TheWeekend
    )
}
