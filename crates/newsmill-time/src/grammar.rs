//! The grammar: rules over tokens and vocabulary entries that find temporal expressions and say
//! what they mean.
//!
//! Every rule is a function that tries to read an expression starting at a token and returns
//! where it ends and what it means ([`Cand`]). At each token the longest reading wins (ties go
//! to the rule listed first in [`Parser::best_at`]); the scan then continues after it, so
//! expressions never overlap. Words come from the language's vocabulary ([`Lexicon`]), so the
//! same rules read "last Friday", "el viernes pasado" and "vendredi dernier".

use std::cell::Cell;

use newsmill_core::TimexType;

use crate::lexicon::{Cat, EdgeKind, Entry, Flags, Hit, Lexicon, Unit, Val};
use crate::resolve::{DateSem, Tense, TimeSem, duration_value};
use crate::token::{Gap, Kind, Tokens};

/// The order of day and month in numeric dates (`06/19/2024` or `19/06/2024`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Day first (most of the world).
    #[default]
    DayMonth,
    /// Month first (the United States).
    MonthDay,
}

/// What an expression means, before the reference resolves it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Sem {
    /// A finished value that needs no reference (a duration, a set, `PRESENT_REF`).
    Value(String),
    /// A date, maybe with a time of day.
    Date(DateSem, Option<TimeSem>),
    /// "in three days": a point that far ahead when the sentence is in the future tense, else
    /// the duration (`dur`).
    Ahead {
        unit: Unit,
        n: i32,
        dur: String,
        needs_future: bool,
        /// Where the duration reading starts (after "in").
        dur_start: usize,
    },
}

/// One reading of an expression starting at a token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cand {
    /// Token where it starts.
    pub(crate) start: usize,
    /// Token after its end.
    pub(crate) end: usize,
    pub(crate) kind: TimexType,
    pub(crate) sem: Sem,
    /// Whether an "about"/"more than" before it joins the expression.
    approxable: bool,
}

fn cand(start: usize, end: usize, kind: TimexType, sem: Sem) -> Option<Cand> {
    Some(Cand {
        start,
        end,
        kind,
        sem,
        approxable: false,
    })
}

fn date(start: usize, end: usize, d: DateSem) -> Option<Cand> {
    cand(start, end, TimexType::Date, Sem::Date(d, None))
}

// Every category has its bit.
const _: () = assert!((Cat::Possessive as u32) < 64);

/// The bit of a category in a token's category set.
fn cat_bit(cat: Cat) -> u64 {
    1u64 << (cat as u32 & 63)
}

/// A number as read: its value, and whether it was written in digits.
#[derive(Debug, Clone, Copy)]
struct Num {
    end: usize,
    value: f64,
}

/// The parser of one text in one language.
pub(crate) struct Parser<'a> {
    toks: &'a Tokens,
    lex: &'a Lexicon,
    order: DateOrder,
    /// Vocabulary hits by token: `hits[offs[i]..offs[i + 1]]`, longest first.
    offs: Vec<u32>,
    hits: Vec<Hit>,
    /// The categories of the hits at each token, as a bit set (a quick "no" for `find`).
    cats: Vec<u64>,
    /// The token the rules are reading from: it may follow a blank line, later ones not.
    origin: Cell<usize>,
    /// For each token, the first token at or after it that can anchor an expression (see
    /// [`Parser::anchors`]), or the number of tokens.
    next_anchor: Vec<u32>,
}

/// How far after its first token an expression's first anchor may lie: "the end of the" are
/// four connecting words before "year". Expressions start with at most a few connecting words
/// (articles, prepositions, modifiers) before a word of time or a number; the tests and the
/// dev corpora need four, eight leaves room.
const ANCHOR_WINDOW: usize = 8;

/// Categories of words that never make an expression without a word of time or a number near
/// them: articles, prepositions and connectives, modifiers, tense and clause cues, and the
/// names that stop a reading.
const CONNECTORS: &[Cat] = &[
    Cat::Article,
    Cat::Of,
    Cat::On,
    Cat::At,
    Cat::In,
    Cat::And,
    Cat::Approx,
    Cat::Rel,
    Cat::Edge,
    Cat::Every,
    Cat::Per,
    Cat::AfterPer,
    Cat::Possessive,
    Cat::Past,
    Cat::Future,
    Cat::PastSuffix,
    Cat::FutureSuffix,
    Cat::Clause,
    Cat::Name,
    Cat::GameClock,
    Cat::YearCue,
    Cat::Age,
    Cat::CountWord,
    Cat::AndHalf,
    Cat::Ago,
];

impl<'a> Parser<'a> {
    pub(crate) fn new(toks: &'a Tokens, lex: &'a Lexicon, order: DateOrder) -> Parser<'a> {
        let mut offs = Vec::with_capacity(toks.len() + 1);
        let mut hits = Vec::new();
        let mut cats = Vec::with_capacity(toks.len());
        for i in 0..toks.len() {
            let first = hits.len();
            offs.push(first as u32);
            if toks.toks[i].kind != Kind::Num {
                lex.hits_at(toks, i, &mut hits);
            }
            cats.push(
                hits[first..]
                    .iter()
                    .fold(0u64, |m, h| m | cat_bit(lex.entry(h.entry).cat)),
            );
        }
        offs.push(hits.len() as u32);
        let mut p = Parser {
            toks,
            lex,
            order,
            offs,
            hits,
            cats,
            origin: Cell::new(0),
            next_anchor: Vec::new(),
        };
        p.next_anchor = p.anchors();
        p
    }

    /// [`Parser::next_anchor`]: a token anchors an expression when it is a number, a word of
    /// a vocabulary category other than [`CONNECTORS`] (an article standing for "one", "a",
    /// only counts with a unit after it, which anchors), or a word in no vocabulary that may
    /// start one ([`Parser::starts_without_vocabulary`], here by a cheaper test that lets more
    /// through: "q", a word of Roman digits, any long German or Dutch word).
    fn anchors(&self) -> Vec<u32> {
        let connectors = CONNECTORS.iter().fold(0u64, |m, &c| m | cat_bit(c));
        let compounds = matches!(self.lex.lang.code(), "de" | "nl");
        let n = self.toks.len();
        let mut next = vec![n as u32; n + 1];
        for i in (0..n).rev() {
            let t = &self.toks.toks[i];
            let anchor = match t.kind {
                Kind::Num => true,
                _ if self.cats[i] & !connectors != 0 => self.hits(i).iter().any(|h| {
                    let e = self.lex.entry(h.entry);
                    cat_bit(e.cat) & connectors == 0 && !(e.cat == Cat::Number && e.flags.det)
                }),
                Kind::Word if self.hits(i).is_empty() => {
                    let w = self.lower(i);
                    w == "q"
                        || w.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
                        || (compounds && w.len() >= 7)
                }
                _ => false,
            };
            next[i] = if anchor { i as u32 } else { next[i + 1] };
        }
        next
    }

    /// Finds every expression, left to right, longest first.
    pub(crate) fn scan(&self) -> Vec<Cand> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.toks.len() {
            // "Super Tuesday", "Daily Mail": names, not times.
            if let Some((end, _)) = self.find(i, Cat::Name) {
                i = end;
                continue;
            }
            match self.best_at(i) {
                Some(c) if c.end > i => {
                    i = c.end;
                    out.push(c);
                }
                _ => i += 1,
            }
        }
        out
    }

    /// The longest reading starting at token `i`.
    fn best_at(&self, i: usize) -> Option<Cand> {
        if self.toks.toks[i].kind == Kind::Punct && !self.toks.is_punct(i, "'") {
            return None;
        }
        // Most words are in no vocabulary: only a few shapes start an expression without one.
        if self.toks.toks[i].kind == Kind::Word
            && self.hits(i).is_empty()
            && !self.starts_without_vocabulary(i)
        {
            return None;
        }
        let rules: [fn(&Self, usize) -> Option<Cand>; 22] = [
            Self::r_datetime,
            Self::r_numeric,
            Self::r_month_day,
            Self::r_day_month,
            Self::r_month_year,
            Self::r_quarter,
            Self::r_edge,
            Self::r_ago,
            Self::r_set,
            Self::r_rel_unit,
            Self::r_weekday,
            Self::r_relday,
            Self::r_holiday,
            Self::r_season,
            Self::r_century,
            Self::r_decade,
            Self::r_year,
            Self::r_month,
            Self::r_duration,
            Self::r_ref,
            Self::r_approx,
            Self::r_period,
        ];
        // No number or word of time within reach: no rule can read anything here. Debug builds
        // (tests, fuzzing) run the rules anyway and check that they find nothing.
        let far = self
            .next_anchor
            .get(i)
            .is_none_or(|&a| a as usize >= i + ANCHOR_WINDOW);
        if far && !cfg!(debug_assertions) {
            return None;
        }
        self.origin.set(i);
        let mut best: Option<Cand> = None;
        for rule in rules {
            if let Some(c) = rule(self, i)
                && best.as_ref().is_none_or(|b| c.end > b.end)
            {
                best = Some(c);
            }
        }
        if far && let Some(c) = &best {
            let words: Vec<&str> = (c.start..c.end).map(|k| self.lower(k)).collect();
            debug_assert!(
                false,
                "an expression with no anchor in its first {ANCHOR_WINDOW} tokens: {}",
                words.join(" ")
            );
            return None;
        }
        best
    }

    // ---- Access to tokens and vocabulary -------------------------------------------------

    /// Whether a word in no vocabulary may still start an expression: "Q3", a Roman numeral
    /// ("XXe siècle"), a German or Dutch compound ("Mittwochabend", "vierundzwanzig").
    fn starts_without_vocabulary(&self, i: usize) -> bool {
        let w = self.lower(i);
        if w == "q" || self.roman(i).is_some() {
            return true;
        }
        matches!(self.lex.lang.code(), "de" | "nl")
            && w.len() >= 7
            && (self.lex.compound_number(w).is_some() || self.compound_pod(i).is_some())
    }

    fn hits(&self, i: usize) -> &[Hit] {
        match (self.offs.get(i), self.offs.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.hits[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The longest entry of `cat` starting at `i` whose case flags fit the text.
    fn find(&self, i: usize, cat: Cat) -> Option<(usize, &'a Entry)> {
        if self.cats.get(i).is_none_or(|m| m & cat_bit(cat) == 0) {
            return None;
        }
        let lex: &'a Lexicon = self.lex;
        for h in self.hits(i) {
            let e = lex.entry(h.entry);
            if e.cat != cat {
                continue;
            }
            let tok = &self.toks.toks[i];
            if e.flags.cap && !tok.cap {
                continue;
            }
            if e.flags.low && tok.cap {
                continue;
            }
            return Some((i + h.len as usize, e));
        }
        None
    }

    fn has(&self, i: usize, cat: Cat) -> bool {
        self.find(i, cat).is_some()
    }

    fn int(&self, i: usize, cat: Cat) -> Option<(usize, i32, Flags)> {
        let (end, e) = self.find(i, cat)?;
        match e.val {
            Val::Int(v) => Some((end, v, e.flags)),
            _ => None,
        }
    }

    /// `i` when token `i` exists and nothing (not even a blank line) separates it from the one
    /// before.
    fn adjacent(&self, i: usize) -> bool {
        i < self.toks.len() && self.toks.gap(i) == Gap::None
    }

    /// Whether token `i` can be part of the expression being read: it exists, and no blank
    /// line comes before it unless it is where the reading starts.
    fn near(&self, i: usize) -> bool {
        i < self.toks.len() && (self.toks.gap(i) != Gap::Break || i == self.origin.get())
    }

    fn punct_at(&self, i: usize, c: &str) -> bool {
        self.near(i) && self.toks.is_punct(i, c)
    }

    /// Whether tokens `a..b` are all capitalised words after a capitalised word (quotes aside):
    /// a title ("CBS This Morning", "ABC's This Week").
    fn title(&self, a: usize, b: usize) -> bool {
        if !(a..b).all(|k| self.is_word(k) && self.toks.toks[k].cap) || a == 0 {
            return false;
        }
        let mut p = a - 1;
        while p > 0
            && matches!(self.lower(p), "\"" | "'" | "`" | "(")
            && self.toks.gap(p + 1) != Gap::Break
        {
            p -= 1;
        }
        let t = &self.toks.toks[p];
        t.kind == Kind::Word && t.cap && self.toks.gap(a) != Gap::Break && p + 1 < a
            || self.in_name(a)
    }

    /// Whether a capitalised word at `i` continues a name mid-sentence ("USA Today", "Super
    /// Tuesday", "New York Daily News", "NBC News' Today").
    fn in_name(&self, i: usize) -> bool {
        if !self.toks.toks.get(i).is_some_and(|t| t.cap) || self.sentence_start(i) || i == 0 {
            return false;
        }
        let mut p = i - 1;
        if self.punct_at(p, "'") && p > 0 {
            p -= 1;
        }
        let t = &self.toks.toks[p];
        t.kind == Kind::Word && t.cap && self.toks.gap(i) != Gap::Break && self.hits(p).is_empty()
    }

    /// Whether token `i` starts a sentence (or a block, or follows an opening quote or colon).
    fn sentence_start(&self, i: usize) -> bool {
        if i == 0 || self.toks.gap(i) == Gap::Break {
            return true;
        }
        let mut p = i - 1;
        // Skip opening quotes and brackets.
        while matches!(self.lower(p), "\"" | "'" | "(" | "`") {
            if p == 0 || self.toks.gap(p) == Gap::Break {
                return true;
            }
            p -= 1;
        }
        matches!(self.lower(p), "." | "!" | "?" | ":" | ";" | "-")
    }

    fn lower(&self, i: usize) -> &str {
        if i < self.toks.len() {
            self.toks.lower(i)
        } else {
            ""
        }
    }

    fn is_word(&self, i: usize) -> bool {
        self.toks.toks.get(i).is_some_and(|t| t.kind == Kind::Word)
    }

    /// Skips an article at `i` (returns the next token), or stays.
    fn skip_article(&self, i: usize) -> usize {
        match self.find(i, Cat::Article) {
            Some((e, _)) if self.near(e) => e,
            _ => i,
        }
    }

    /// Skips a connector of category `cat` (and a comma that stands alone).
    fn skip(&self, i: usize, cat: Cat) -> usize {
        match self.find(i, cat) {
            Some((e, _)) if self.near(e) => e,
            _ => i,
        }
    }

    // ---- Numbers ---------------------------------------------------------------------------

    /// A number in digits or words at `i`. `det` allows the determiners that stand for one
    /// ("a year", "a couple of days").
    fn number(&self, i: usize, det: bool) -> Option<Num> {
        if !self.near(i) {
            return None;
        }
        if let Some(n) = self.toks.num(i) {
            if self.toks.digits(i) > 6 {
                return None;
            }
            let mut end = i + 1;
            let mut value = f64::from(n);
            // "1,000" and "2.5" / "2,5".
            if (self.punct_at(end, ",") || self.punct_at(end, "."))
                && self.adjacent(end)
                && self.adjacent(end + 1)
                && let Some(m) = self.toks.num(end + 1)
            {
                let digits = self.toks.digits(end + 1);
                if self.punct_at(end, ",") && digits == 3 && self.lex.lang.code() == "en" {
                    value = value * 1000.0 + f64::from(m);
                    end += 2;
                } else if digits <= 2 && !self.adjacent(end + 2) {
                    value += f64::from(m) / 10f64.powi(digits as i32);
                    end += 2;
                }
            }
            // "100M", "4x": letters right after a number make it something else, unless they
            // are a unit ("24h", "10am" are read by the rules that want them).
            if self.adjacent(end) && self.is_word(end) {
                let unitish = self.has(end, Cat::Unit)
                    || self.has(end, Cat::AmPm)
                    || self.has(end, Cat::Clock)
                    || self.has(end, Cat::OrdSuffix);
                if !unitish {
                    return None;
                }
            }
            // "$24", "€5": money.
            if i > 0 && self.adjacent(i) && matches!(self.lower(i - 1), "$" | "€" | "£" | "¥" | "#")
            {
                return None;
            }
            return Some(Num { end, value });
        }
        if let Some(n) = self.number_words(i) {
            return Some(n);
        }
        if let Some((end, e)) = self.find(i, Cat::Number)
            && e.flags.det
            && let Val::Int(v) = e.val
        {
            // "a hundred", "a dozen".
            if let Some((e2, e2e)) = self.find(end, Cat::Number)
                && e2e.flags.mul
                && let Val::Int(m) = e2e.val
            {
                return Some(Num {
                    end: e2,
                    value: f64::from(v * m),
                });
            }
            if det {
                return Some(Num {
                    end,
                    value: f64::from(v),
                });
            }
        }
        None
    }

    /// A number written in words ("twenty-four", "one hundred and ten", "vingt et un",
    /// "vierundzwanzig").
    fn number_words(&self, i: usize) -> Option<Num> {
        let mut total: i64 = 0;
        let mut cur: i64 = 0;
        let mut j = i;
        let mut any = false;
        loop {
            let Some((end, e)) = self.find(j, Cat::Number) else {
                if !any
                    && self.is_word(j)
                    && let Some(v) = self.lex.compound_number(self.lower(j))
                {
                    return Some(Num {
                        end: j + 1,
                        value: f64::from(v),
                    });
                }
                break;
            };
            if e.flags.det {
                break;
            }
            let Val::Int(v) = e.val else { break };
            let v = i64::from(v);
            if e.flags.mul {
                if !any && v >= 100 && self.lex.lang.code() == "en" {
                    // "hundred" alone is not a number; "a hundred" is read by the caller.
                    break;
                }
                cur = cur.max(1) * v;
                if v >= 1000 {
                    total += cur;
                    cur = 0;
                }
            } else {
                let joins = !any
                    || (cur >= 20 && cur % 10 == 0 && cur % 100 != 0 && v < 10)
                    || (cur >= 60 && cur % 20 == 0 && cur % 100 != 0 && v < 20)
                    || (cur >= 100 && cur % 100 == 0 && v < 100)
                    || (cur == 0 && total > 0 && v < 1000);
                if !joins {
                    break;
                }
                cur += v;
            }
            any = true;
            j = end;
            // "twenty-four", "one hundred and ten", "vingt et un": a connector, then a number.
            let k = if self.punct_at(j, "-") && self.adjacent(j) {
                Some(j + 1)
            } else {
                self.find(j, Cat::And).map(|(k, _)| k)
            };
            if let Some(k) = k
                && self.find(k, Cat::Number).is_some_and(|(_, e)| !e.flags.det)
            {
                j = k;
            }
        }
        any.then(|| Num {
            end: j,
            value: (total + cur) as f64,
        })
    }

    /// A day of the month: `19`, `19th`, `19.` (German), `1er` (French), or an ordinal word.
    fn day(&self, i: usize) -> Option<(usize, u32)> {
        if !self.near(i) {
            return None;
        }
        if let Some(n) = self.toks.num(i) {
            if self.toks.digits(i) > 2 || !(1..=31).contains(&n) {
                return None;
            }
            let mut end = i + 1;
            if self.adjacent(end)
                && let Some((e, _)) = self.find(end, Cat::OrdSuffix)
            {
                end = e;
            }
            // "19:30", "19.5", "19-20" ranges are not days here.
            if self.adjacent(end)
                && (self.punct_at(end, ":") || self.punct_at(end, ".") || self.punct_at(end, ","))
                && self.adjacent(end + 1)
                && self.toks.num(end + 1).is_some()
            {
                return None;
            }
            if self.adjacent(end) && self.is_word(end) {
                return None;
            }
            return Some((end, n));
        }
        let (end, v, _) = self.int(i, Cat::Ordinal)?;
        (1..=31).contains(&v).then_some((end, v as u32))
    }

    /// A four-digit year (1000-2199) that is not part of a bigger number, money or a measure.
    fn year(&self, i: usize) -> Option<(usize, i32)> {
        if !self.near(i) || self.toks.digits(i) != 4 {
            return None;
        }
        let y = self.toks.num(i)? as i32;
        if !(1000..=2199).contains(&y) {
            return None;
        }
        let end = i + 1;
        if self.adjacent(end) {
            let next = self.lower(end);
            if self.is_word(end) || matches!(next, "%" | "°" | "$" | "€" | "£" | "/" | "+") {
                return None;
            }
            if matches!(next, "," | "." | ":" | "-")
                && self.adjacent(end + 1)
                && self.toks.num(end + 1).is_some()
            {
                return None;
            }
        }
        if i > 0 && self.adjacent(i) {
            let prev = self.lower(i - 1);
            if matches!(prev, "$" | "€" | "£" | "¥" | "#" | "+" | "/" | ":")
                || (matches!(prev, "," | "." | "-")
                    && i >= 2
                    && self.adjacent(i - 1)
                    && self.toks.num(i - 2).is_some())
                || self.is_word(i - 1)
            {
                return None;
            }
        }
        Some((end, y))
    }

    /// A year at `i`, also as `'98` (two digits after an apostrophe).
    fn year_or_short(&self, i: usize) -> Option<(usize, i32)> {
        if let Some(y) = self.year(i) {
            return Some(y);
        }
        if self.punct_at(i, "'") && self.adjacent(i + 1) && self.toks.digits(i + 1) == 2 {
            let n = self.toks.num(i + 1)? as i32;
            if self.adjacent(i + 2) && self.is_word(i + 2) {
                return None;
            }
            return Some((i + 2, if n < 50 { 2000 + n } else { 1900 + n }));
        }
        None
    }

    /// A month name at `i`; an abbreviation needs its period, a number beside it, or a year.
    fn month(&self, i: usize) -> Option<(usize, u32, Flags)> {
        if !self.near(i) {
            return None;
        }
        let (mut end, m, flags) = self.int(i, Cat::Month)?;
        if flags.abbr {
            // "Sept. 30", "30 Sept", but not "sin mar." (the sea) or "Jan" (a name).
            if self.punct_at(end, ".") && self.adjacent(end) {
                end += 1;
            }
            let num_after = self.near(end) && self.toks.num(end).is_some();
            let num_before =
                i > 0 && self.toks.gap(i) != Gap::Break && self.toks.num(i - 1).is_some()
                    || i > 1 && self.punct_at(i - 1, ".") && self.toks.num(i - 2).is_some();
            if !(num_after || num_before) {
                return None;
            }
        }
        Some((end, m as u32, flags))
    }

    /// A unit of time at `i`: the unit, its multiple ("fortnight": 2 weeks), plural or not.
    fn unit(&self, i: usize) -> Option<(usize, Unit, u32, bool)> {
        if !self.near(i) {
            return None;
        }
        let (end, e) = self.find(i, Cat::Unit)?;
        match e.val {
            Val::Unit(u, n) => Some((end, u, n, e.flags.pl)),
            _ => None,
        }
    }

    fn weekday(&self, i: usize) -> Option<(usize, u32, bool)> {
        if !self.near(i) {
            return None;
        }
        let (mut end, wd, flags) = self.int(i, Cat::Weekday)?;
        if flags.abbr {
            if self.punct_at(end, ".") && self.adjacent(end) {
                end += 1;
            } else if !(self.punct_at(end, ",") && self.month(end + 1).is_some()) {
                return None;
            }
        }
        Some((end, wd as u32, flags.pl))
    }

    fn code(&self, i: usize, cat: Cat) -> Option<(usize, &'static str)> {
        if !self.near(i) {
            return None;
        }
        let (end, e) = self.find(i, cat)?;
        match e.val {
            Val::Code(c) => Some((end, c)),
            _ => None,
        }
    }

    /// A word that splits into a weekday or a day word and a part of the day, as German and
    /// Dutch write them ("Mittwochabend", "gisteravond").
    fn compound_pod(&self, i: usize) -> Option<(DateSem, &'static str)> {
        if !self.is_word(i) || !matches!(self.lex.lang.code(), "de" | "nl") {
            return None;
        }
        let w = self.lower(i);
        if w.len() < 7 {
            return None;
        }
        for e in self.lex.entries() {
            if e.cat != Cat::Pod || e.len() != 1 {
                continue;
            }
            let pod_word = e.phrase.to_lowercase();
            let Some(prefix) = w.strip_suffix(pod_word.as_str()) else {
                continue;
            };
            let Val::Code(pod) = e.val else { continue };
            if let Some(Val::Int(wd)) = self.lex.word_val(prefix, Cat::Weekday) {
                return Some((
                    DateSem::Weekday {
                        wd: wd as u32,
                        shift: None,
                    },
                    pod,
                ));
            }
            if let Some(Val::Day(n, None)) = self.lex.word_val(prefix, Cat::Day) {
                return Some((DateSem::RelDay(n), pod));
            }
            if let Some(Val::Int(0)) = self.lex.word_val(prefix, Cat::Rel) {
                return Some((DateSem::RelDay(0), pod));
            }
        }
        None
    }

    // ---- Tense -----------------------------------------------------------------------------

    /// The tense of the sentence around tokens `start..end`: the nearest cue on either side
    /// (an auxiliary, a past form, "will"), within the sentence.
    pub(crate) fn tense(&self, start: usize, end: usize) -> Tense {
        // A cue and whether it is weak ("scheduled", which "had been" before it overrides).
        let cue = |k: usize| -> Option<(Tense, bool)> {
            let t = &self.toks.toks[k];
            if t.kind != Kind::Word && self.lower(k) != "'" {
                return None;
            }
            for (cat, tense) in [(Cat::Future, Tense::Future), (Cat::Past, Tense::Past)] {
                if let Some((_, e)) = self.find(k, cat) {
                    return Some((tense, e.flags.weak));
                }
            }
            if t.cap || t.kind != Kind::Word {
                return None;
            }
            let w = self.lower(k);
            if let Some(weak) = self.lex.future_by_suffix(w) {
                return Some((Tense::Future, weak));
            }
            if let Some(weak) = self.lex.past_by_suffix(w) {
                return Some((Tense::Past, weak));
            }
            None
        };
        let ends_sentence = |k: usize| self.ends_sentence(k);
        // The nearest cue on one side: (distance, tense); a weak cue gives way to a strong one
        // up to four tokens further.
        let side = |ks: &mut dyn Iterator<Item = usize>| -> Option<(usize, Tense)> {
            let mut weak: Option<(usize, Tense)> = None;
            for (d, k) in ks.enumerate() {
                if ends_sentence(k) {
                    break;
                }
                if let Some(w) = weak
                    && d > w.0 + 4
                {
                    return Some(w);
                }
                match cue(k) {
                    Some((t, false)) => return Some((weak.map_or(d, |w| w.0), t)),
                    // A weak cue (a participle, "scheduled") only speaks for a nearby date.
                    Some((t, true)) if weak.is_none() && d <= 3 => weak = Some((d, t)),
                    _ => {}
                }
            }
            weak
        };
        let first = (0..start)
            .rev()
            .take_while(|&k| self.toks.gap(k + 1) != Gap::Break)
            .collect::<Vec<_>>();
        // On the left, a clause opened by "and" or "that" has its own verb: "signed in June and
        // expires in March", "announced that it plans to deploy by autumn".
        let clause_start = first
            .iter()
            .position(|&k| self.has(k, Cat::Clause))
            .unwrap_or(first.len());
        let left = side(&mut first.into_iter().take(clause_start));
        let mut after = (end..self.toks.len()).take_while(|&k| self.toks.gap(k) != Gap::Break);
        let right = side(&mut after);
        match (left, right) {
            (Some((dl, tl)), Some((dr, tr))) => {
                if dl <= dr {
                    tl
                } else {
                    tr
                }
            }
            (Some((_, t)), None) | (None, Some((_, t))) => t,
            (None, None) => Tense::Unknown,
        }
    }

    /// Whether token `k` ends a sentence: a full stop, question or exclamation mark, or
    /// semicolon, followed by a capitalised word or a quote (not by a number: "Sept. 30").
    fn ends_sentence(&self, k: usize) -> bool {
        if self.lower(k) == ";" || self.lower(k) == ":" && self.toks.gap(k + 1) != Gap::None {
            return true;
        }
        matches!(self.lower(k), "." | "!" | "?")
            && self.toks.gap(k + 1) != Gap::None
            && self
                .toks
                .toks
                .get(k + 1)
                .is_none_or(|n| n.cap || n.kind == Kind::Punct)
    }

    /// The tokens of the sentence around `start..end`.
    pub(crate) fn sentence(&self, start: usize, end: usize) -> (usize, usize) {
        let mut a = start;
        while a > 0 && self.toks.gap(a) != Gap::Break && !self.ends_sentence(a - 1) {
            a -= 1;
        }
        let mut b = end;
        while b < self.toks.len() && self.toks.gap(b) != Gap::Break {
            b += 1;
            if self.ends_sentence(b - 1) {
                break;
            }
        }
        (a, b)
    }

    /// Whether the sentence around `start..end` states money or a percentage ("$10 million",
    /// "12%", "cents"): a report of figures.
    pub(crate) fn states_figures(&self, start: usize, end: usize) -> bool {
        let (a, b) = self.sentence(start, end);
        (a..b).any(|k| {
            matches!(self.lower(k), "$" | "€" | "£" | "%" | "#")
                || self.lex.has_word(self.lower(k), Cat::AfterPer)
        })
    }

    /// The byte span of tokens `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.toks.toks[start].start, self.toks.toks[end - 1].end)
    }

    // ---- Rules -----------------------------------------------------------------------------

    /// Numeric dates: `2024-06-19` (with `T09:30`), `19.06.2024`, `06/19/2024` (the order by
    /// locale unless a part is over 12), `19/6/24`.
    fn r_numeric(&self, i: usize) -> Option<Cand> {
        let a = self.toks.num(i)?;
        let da = self.toks.digits(i);
        // Not inside a longer run of numbers and separators (versions, IP addresses, scores).
        if i >= 2
            && self.adjacent(i)
            && matches!(self.lower(i - 1), "." | "/" | "-" | ":")
            && self.toks.num(i - 2).is_some()
        {
            return None;
        }
        let sep = self.lower(i + 1);
        if !matches!(sep, "-" | "/" | ".") || !self.adjacent(i + 1) || !self.adjacent(i + 2) {
            return None;
        }
        let b = self.toks.num(i + 2)?;
        let db = self.toks.digits(i + 2);
        if self.lower(i + 3) != sep || !self.adjacent(i + 3) || !self.adjacent(i + 4) {
            return None;
        }
        let c = self.toks.num(i + 4)?;
        let dc = self.toks.digits(i + 4);
        let mut end = i + 5;
        if self.adjacent(end)
            && matches!(self.lower(end), "." | "/" | "-")
            && self.toks.num(end + 1).is_some()
            && self.adjacent(end + 1)
        {
            return None;
        }
        let (y, m, d) = if da == 4 && db <= 2 && dc <= 2 {
            (a as i32, b, c)
        } else if da <= 2 && db <= 2 && (dc == 4 || dc == 2) {
            let y = if dc == 2 {
                let c = c as i32;
                if c < 50 { 2000 + c } else { 1900 + c }
            } else {
                c as i32
            };
            let day_first = match (a > 12, b > 12) {
                (true, false) => true,
                (false, true) => false,
                _ => sep == "." || self.order == DateOrder::DayMonth,
            };
            if day_first { (y, b, a) } else { (y, a, b) }
        } else {
            return None;
        };
        chrono::NaiveDate::from_ymd_opt(y, m, d)?;
        if !(1000..=2199).contains(&y) {
            return None;
        }
        let day = DateSem::Ymd { y: Some(y), m, d };
        // ISO date-time: `2024-06-19T09:30` or `2024-06-19 09:30`.
        if da == 4 && sep == "-" {
            let t = if self.adjacent(end) && self.lower(end) == "t" {
                Some(end + 1)
            } else if self.near(end) {
                Some(end)
            } else {
                None
            };
            if let Some(t) = t
                && (t == end + 1 || !self.adjacent(t))
                && let Some(h) = self.toks.num(t)
                && self.toks.digits(t) == 2
                && self.punct_at(t + 1, ":")
                && self.adjacent(t + 1)
                && self.adjacent(t + 2)
                && let Some(mi) = self.toks.num(t + 2)
                && h < 24
                && mi < 60
            {
                end = t + 3;
                if self.punct_at(end, ":") && self.adjacent(end) && self.toks.num(end + 1).is_some()
                {
                    end += 2;
                }
                return cand(
                    i,
                    end,
                    TimexType::Time,
                    Sem::Date(day, Some(TimeSem::Clock(h, mi))),
                );
            }
        }
        date(i, end, day)
    }

    /// "June 19", "June 19, 2024", "Sept. 30th", "Wednesday, June 19".
    fn r_month_day(&self, i: usize) -> Option<Cand> {
        let i = match self.find(i, Cat::Article) {
            Some((e, _)) if self.weekday(e).is_some() => e,
            _ => i,
        };
        let mut j = i;
        if let Some((e, _, false)) = self.weekday(i) {
            j = if self.punct_at(e, ",") { e + 1 } else { e };
        }
        let (e, m, _) = self.month(j)?;
        let (e, d) = self.day(e)?;
        // "May 2" but not "March 2,000" or "June 19-year-old".
        let mut end = e;
        let mut y = None;
        let k = if self.punct_at(end, ",") {
            end + 1
        } else {
            end
        };
        if let Some((e2, yy)) = self.year(k) {
            y = Some(yy);
            end = e2;
        }
        chrono::NaiveDate::from_ymd_opt(y.unwrap_or(2000), m, d)?;
        date(i, end, DateSem::Ymd { y, m, d })
    }

    /// "19 June 2024", "19. Juni", "19 de junio de 2024", "le 1er juin", "the 19th of June".
    fn r_day_month(&self, i: usize) -> Option<Cand> {
        let i = match self.find(i, Cat::Article) {
            Some((e, _)) if self.weekday(e).is_some() => e,
            _ => i,
        };
        let mut j = i;
        let mut weekday = false;
        if let Some((e, _, false)) = self.weekday(i) {
            j = if self.punct_at(e, ",") { e + 1 } else { e };
            weekday = true;
        }
        let j = self.skip_article(j);
        let (e, d) = self.day(j)?;
        let k = self.skip(e, Cat::Of);
        let Some((e, m, _)) = self.month(k) else {
            // "el martes 3", "am Dienstag, dem 3.": a weekday and the day of this month.
            if weekday
                && self.toks.num(j).is_some()
                && !self.has(e, Cat::Unit)
                && !self.punct_at(e, ":")
            {
                return date(i, e, DateSem::DayOfMonth { d });
            }
            return None;
        };
        let mut end = e;
        let mut y = None;
        let k = self.skip(end, Cat::Of);
        if let Some((e2, yy)) = self.year(k) {
            y = Some(yy);
            end = e2;
        }
        chrono::NaiveDate::from_ymd_opt(y.unwrap_or(2000), m, d)?;
        // An article alone before a bare day and month ("the 19 June") stays out.
        let start = if j > i && self.toks.num(j).is_some() && i == j - 1 {
            j
        } else {
            i
        };
        date(start, end, DateSem::Ymd { y, m, d })
    }

    /// "June 2024", "junio de 2024", "June '98", "Januar dieses Jahres", "marzo del año
    /// pasado", "June of last year".
    fn r_month_year(&self, i: usize) -> Option<Cand> {
        let (e, m, _) = self.month(i)?;
        let k = self.skip(e, Cat::Of);
        if let Some((end, y)) = self.year_or_short(k).or_else(|| self.year_words(k)) {
            return date(i, end, DateSem::Ym { y: Some(y), m });
        }
        // "del año pasado": "del" is "de" and the article together.
        let c = self.r_rel_unit(k).or_else(|| self.r_rel_unit(e))?;
        match c.sem {
            Sem::Date(
                DateSem::Rel {
                    unit: Unit::Year,
                    n,
                },
                None,
            ) => date(i, c.end, DateSem::MonthOfRelYear { n, m }),
            _ => None,
        }
    }

    /// A month alone: "in September". Ambiguous names ("May", "March") need a cue before them.
    fn r_month(&self, i: usize) -> Option<Cand> {
        let (end, m, flags) = self.month(i)?;
        if flags.cue && !self.cue_before(i) {
            return None;
        }
        // "Lady June", "Queen May": a name.
        if !self.cue_before(i) && self.in_name(i) {
            return None;
        }
        // A month followed by a capitalised word reads as a name ("August Strindberg").
        if self.near(end)
            && self.is_word(end)
            && self.toks.toks[end].cap
            && !self.toks.toks[end].all_caps
            && self.toks.gap(end) == Gap::Space
            && !self.cue_before(i)
        {
            return None;
        }
        date(i, end, DateSem::Ym { y: None, m })
    }

    /// Whether the token before `i` is a preposition or modifier that makes a month name or a
    /// bare number a date ("in May", "since 1961", "early March").
    fn cue_before(&self, i: usize) -> bool {
        if i == 0 || self.toks.gap(i) == Gap::Break {
            return false;
        }
        let p = i - 1;
        let t = &self.toks.toks[p];
        if t.kind == Kind::Word && t.cap && self.lower(p) != "the" && !t.all_caps {
            // A capitalised word before: a cue only at a sentence start ("In May").
            let sentence_start = p == 0
                || self.toks.gap(p) == Gap::Break
                || matches!(self.lower(p - 1), "." | "!" | "?" | ":" | "\"");
            if !sentence_start {
                return false;
            }
        }
        self.lex.has_word(self.lower(p), Cat::YearCue)
            || self.lex.has_word(self.lower(p), Cat::Rel)
            || self.lex.has_word(self.lower(p), Cat::Edge)
            || self.lex.has_word(self.lower(p), Cat::Of)
            || self.lex.has_word(self.lower(p), Cat::On)
            || self.lex.has_word(self.lower(p), Cat::Article)
            || self.month(p).is_some()
    }

    /// A bare year: "1961", "in 2000", "fiscal 1989", "FY1990", "the year 2000".
    fn r_year(&self, i: usize) -> Option<Cand> {
        let mut j = i;
        if let Some((e, _)) = self.find(i, Cat::Fiscal) {
            j = e;
            if let Some((e2, y)) = self.year(j).or_else(|| {
                // "FY90", "FY1990" written together.
                (self.adjacent(j) && self.toks.digits(j) == 2).then(|| {
                    let n = self.toks.num(j).unwrap_or(0) as i32;
                    (j + 1, if n < 50 { 2000 + n } else { 1900 + n })
                })
            }) {
                return date(i, e2, DateSem::Year(y));
            }
            return None;
        }
        // "the year 2000".
        let k = self.skip_article(i);
        if let Some((e, Unit::Year, 1, false)) = self.unit(k)
            && let Some((e2, y)) = self.year(e)
        {
            return date(i, e2, DateSem::Year(y));
        }
        if let Some((end, y)) = self.year(j) {
            if self.year_context_ok(j, end) {
                return date(i, end, DateSem::Year(y));
            }
            return None;
        }
        // "the year two thousand".
        if let Some((e, Unit::Year, 1, false)) = self.unit(k)
            && let Some(n) = self.number_words(e)
            && (1000.0..=2199.0).contains(&n.value)
        {
            return date(i, n.end, DateSem::Year(n.value as i32));
        }
        let (end, y) = self.year_words(i)?;
        date(i, end, DateSem::Year(y))
    }

    /// A year in words: "nineteen ninety-six" (two groups of two digits).
    fn year_words(&self, i: usize) -> Option<(usize, i32)> {
        let a = self.number_words(i)?;
        if !(10.0..=20.0).contains(&a.value) || !self.near(a.end) {
            return None;
        }
        let b = self.number_words(a.end)?;
        if !(10.0..=99.0).contains(&b.value) {
            return None;
        }
        Some((b.end, a.value as i32 * 100 + b.value as i32))
    }

    /// Whether a bare four-digit number at `i..end` reads as a year: not a count ("2000
    /// troops", "about 1500 people") unless a preposition says it is a year.
    fn year_context_ok(&self, i: usize, end: usize) -> bool {
        let cue = self.cue_before(i);
        let strong_cue = cue
            && i > 0
            && self
                .find(i - 1, Cat::YearCue)
                .is_some_and(|(e, entry)| e == i && !entry.flags.weak);
        let next_lower_word = self.near(end)
            && self.is_word(end)
            && !self.toks.toks[end].cap
            && !self.lex.has_word(self.lower(end), Cat::YearCue)
            && !self.lex.has_word(self.lower(end), Cat::And);
        if i > 0 && self.near(i) {
            let prev = self.lower(i - 1);
            if self.lex.has_word(prev, Cat::Approx) && next_lower_word {
                return false;
            }
            // "No. 2000", "number 1961", "page 1200".
            if matches!(
                prev,
                "no" | "nr" | "number" | "nummer" | "número" | "numéro" | "page"
            ) {
                return false;
            }
        }
        // "1000 Euro", "bis 1000 Menschen": a count.
        if self.near(end) && self.has(end, Cat::CountWord) {
            return false;
        }
        // "mehr als 1000", "more than 2000": an amount.
        let approx_before = (1..=3).any(|back| {
            i >= back
                && self
                    .find(i - back, Cat::Approx)
                    .is_some_and(|(e, x)| e == i && !x.flags.post)
        });
        if approx_before && !strong_cue {
            return false;
        }
        if next_lower_word {
            // A plural noun after a number is what it counts ("1500 people", "2000 troops"); a
            // singular one is what the year qualifies ("the 1987 crash", "its 1990 invasion").
            let w = self.lower(end);
            let plural = w.ends_with('s')
                && !w.ends_with("ss")
                && !w.ends_with("us")
                && !w.ends_with("is")
                && w.chars().count() > 3;
            return !plural && (!self.has(end, Cat::CountWord) || strong_cue);
        }
        // German nouns are capitalised: "2000 Soldaten" counts, "1961 Vertrag" would not be
        // written so; only a cue makes the number a year there.
        if self.lex.lang.code() == "de"
            && self.near(end)
            && self.is_word(end)
            && self.toks.toks[end].cap
            && !strong_cue
        {
            return false;
        }
        true
    }

    /// Decades: "1990s", "the '90s", "the nineties", "mid-1980s", "90er Jahre", "los años
    /// noventa", "les années 90", "jaren negentig".
    fn r_decade(&self, i: usize) -> Option<Cand> {
        let j = self.skip_article(i);
        // 1990s, 1990's.
        if self.toks.digits(j) == 4 {
            let y = self.toks.num(j)? as i32;
            if y % 10 == 0 && (1000..=2190).contains(&y) {
                let mut e = j + 1;
                if self.punct_at(e, "'") && self.adjacent(e) {
                    e += 1;
                }
                if self.adjacent(e) && matches!(self.lower(e), "s" | "er" | "erjahre") {
                    let mut end = e + 1;
                    if let Some((e2, Unit::Year, _, true)) = self.unit(end) {
                        end = e2;
                    }
                    return date(i, end, DateSem::Decade(y / 10));
                }
            }
            return None;
        }
        // '90s, 90er (Jahre).
        let (k, short) = if self.punct_at(j, "'") && self.adjacent(j + 1) {
            (j + 1, true)
        } else {
            (j, false)
        };
        if self.toks.digits(k) == 2 {
            // "in his 20s", "her early 30s": an age.
            let mut p = i;
            while p > 0 && self.has(p - 1, Cat::Edge) {
                p -= 1;
            }
            if p > 0 && self.has(p - 1, Cat::Possessive) {
                return None;
            }
            let n = self.toks.num(k)? as i32;
            if n % 10 == 0 && self.adjacent(k + 1) && matches!(self.lower(k + 1), "s" | "er") {
                let century = if n < 30 && short { 200 } else { 190 };
                let mut end = k + 2;
                if let Some((e2, Unit::Year, _, true)) = self.unit(end) {
                    end = e2;
                }
                return date(i, end, DateSem::Decade(century + n / 10));
            }
            return None;
        }
        // the nineties, neunziger Jahre.
        if let Some((e, d, _)) = self.int(j, Cat::Decade) {
            let mut end = e;
            if let Some((e2, Unit::Year, _, true)) = self.unit(end) {
                end = e2;
            }
            return date(i, end, DateSem::Decade(190 + d));
        }
        // los años 90, les années 1990, de jaren negentig ("im Jahre 2020" is a year).
        if j > i
            && let Some((e, Unit::Year, _, true)) = self.unit(j)
        {
            let e = if self.punct_at(e, "'") { e + 1 } else { e };
            if let Some(n) = self.toks.num(e) {
                let n = n as i32;
                if self.adjacent(e + 1) && self.is_word(e + 1) {
                    return None;
                }
                return match self.toks.digits(e) {
                    2 if n % 10 == 0 => date(i, e + 1, DateSem::Decade(190 + n / 10)),
                    4 if n % 10 == 0 => date(i, e + 1, DateSem::Decade(n / 10)),
                    _ => None,
                };
            }
            if let Some((e2, d, _)) = self.int(e, Cat::Decade) {
                return date(i, e2, DateSem::Decade(190 + d));
            }
            if let Some(n) = self.number_words(e)
                && n.value >= 20.0
                && n.value < 100.0
                && n.value as i32 % 10 == 0
            {
                return date(i, n.end, DateSem::Decade(190 + n.value as i32 / 10));
            }
        }
        None
    }

    /// Centuries: "the 20th century", "the twentieth century", "das 20. Jahrhundert", "siglo
    /// XX", "le XXe siècle".
    fn r_century(&self, i: usize) -> Option<Cand> {
        let j = self.skip_article(i);
        let ordinal = |k: usize| -> Option<(usize, i32)> {
            if let Some(n) = self.toks.num(k) {
                let mut e = k + 1;
                if self.adjacent(e)
                    && let Some((e2, _)) = self.find(e, Cat::OrdSuffix)
                {
                    e = e2;
                } else {
                    return None;
                }
                return Some((e, n as i32));
            }
            if let Some((e, v, _)) = self.int(k, Cat::Ordinal) {
                return Some((e, v));
            }
            let (e, v) = self.roman(k)?;
            let e = match self.find(e, Cat::OrdSuffix) {
                Some((e2, _)) if self.adjacent(e) => e2,
                _ => e,
            };
            Some((e, v))
        };
        if let Some((e, n)) = ordinal(j)
            && let Some((end, _)) = self.find(e, Cat::Century)
            && (1..=30).contains(&n)
        {
            return date(i, end, DateSem::Century(n - 1));
        }
        // siglo XX, siglo 21.
        let (e, _) = self.find(j, Cat::Century)?;
        let (end, n) = self.roman(e).or_else(|| {
            let n = self.toks.num(e)?;
            (self.toks.digits(e) <= 2).then_some((e + 1, n as i32))
        })?;
        (1..=30)
            .contains(&n)
            .then(|| date(i, end, DateSem::Century(n - 1)))?
    }

    /// A Roman numeral written in capitals (XX, XXI), for centuries.
    fn roman(&self, i: usize) -> Option<(usize, i32)> {
        let t = self.toks.toks.get(i)?;
        if t.kind != Kind::Word || !self.near(i) {
            return None;
        }
        let w = self.lower(i);
        let upper = t.all_caps || (w.len() == 1 && t.cap);
        if !upper || !w.chars().all(|c| matches!(c, 'i' | 'v' | 'x')) {
            return None;
        }
        let val = |c| match c {
            'i' => 1,
            'v' => 5,
            _ => 10,
        };
        let chars: Vec<i32> = w.chars().map(val).collect();
        let mut total = 0;
        for (k, &v) in chars.iter().enumerate() {
            if chars.get(k + 1).is_some_and(|&n| n > v) {
                total -= v;
            } else {
                total += v;
            }
        }
        Some((i + 1, total))
    }

    /// Weekdays: "Friday", "last Friday", "el lunes pasado", "lundi dernier", "vergangenen
    /// Freitag"; plural ("on Mondays") is a set.
    fn r_weekday(&self, i: usize) -> Option<Cand> {
        if let Some((sem, pod)) = self.compound_pod(i) {
            return cand(
                i,
                i + 1,
                TimexType::Time,
                Sem::Date(sem, Some(TimeSem::Pod(pod))),
            );
        }
        let j = self.skip_article(i);
        let (j, shift) = match self.int(j, Cat::Rel) {
            Some((e, v, f)) if f.pre && self.near(e) => (e, Some(v)),
            _ => (j, None),
        };
        let (mut end, wd, plural) = self.weekday(j)?;
        if plural {
            if shift.is_some() {
                return None;
            }
            return cand(j, end, TimexType::Set, Sem::Value(format!("XXXX-WXX-{wd}")));
        }
        let mut shift = shift;
        if shift.is_none()
            && let Some((e, v, f)) = self.int(end, Cat::Rel)
            && f.post
            && self.near(end)
        {
            shift = Some(v);
            end = e;
        }
        // An article only comes along with a modifier ("el lunes pasado", "the next Monday").
        let start = if shift.is_none() { j } else { i };
        date(start, end, DateSem::Weekday { wd, shift })
    }

    /// "today", "yesterday", "tomorrow", "tonight", "last night", "gestern", "hier".
    fn r_relday(&self, i: usize) -> Option<Cand> {
        if !self.near(i) {
            return None;
        }
        let (end, e) = self.find(i, Cat::Day)?;
        let Val::Day(n, pod) = e.val else { return None };
        // "USA Today", "NBC News' Today": a name.
        if self.in_name(i) {
            return None;
        }
        // "la mañana", "de morgen": with an article, the word is the part of the day.
        if i > 0
            && self.has(i, Cat::Pod)
            && self.find(i - 1, Cat::Article).is_some_and(|(e, _)| e == i)
        {
            return None;
        }
        match pod {
            Some(p) => cand(
                i,
                end,
                TimexType::Time,
                Sem::Date(DateSem::RelDay(n), Some(TimeSem::Pod(p))),
            ),
            None => date(i, end, DateSem::RelDay(n)),
        }
    }

    /// A day-level date (for joining with a clock time or a part of the day).
    fn day_date(&self, i: usize) -> Option<Cand> {
        let mut best: Option<Cand> = None;
        for c in [
            self.r_weekday(i),
            self.r_relday(i),
            self.r_month_day(i),
            self.r_day_month(i),
            self.r_numeric(i),
            self.r_holiday(i),
        ]
        .into_iter()
        .flatten()
        {
            let day_level = matches!(
                c.sem,
                Sem::Date(
                    DateSem::Weekday { .. }
                        | DateSem::RelDay(_)
                        | DateSem::Ymd { .. }
                        | DateSem::Holiday { .. },
                    None
                )
            );
            if day_level && best.as_ref().is_none_or(|b| c.end > b.end) {
                best = Some(c);
            }
        }
        best
    }

    /// A clock time: "10 p.m.", "10:30", "22.30 Uhr", "10h30", "noon", with a zone.
    fn clock(&self, i: usize) -> Option<(usize, u32, u32)> {
        if !self.near(i) {
            return None;
        }
        if let Some((end, e)) = self.find(i, Cat::DayTime) {
            let Val::Time(h, m) = e.val else { return None };
            return Some((self.zone(end), h, m));
        }
        let h = self.toks.num(i)?;
        if self.toks.digits(i) > 2 || h > 24 {
            return None;
        }
        if i > 0
            && self.adjacent(i)
            && matches!(self.lower(i - 1), ":" | "." | "$" | "/" | "-" | "+")
        {
            return None;
        }
        let mut end = i + 1;
        let mut m = 0;
        let mut sure = false;
        let sep = self.lower(end);
        if self.adjacent(end)
            && matches!(sep, ":" | "." | "h")
            && self.adjacent(end + 1)
            && self.toks.digits(end + 1) == 2
        {
            m = self.toks.num(end + 1)?;
            if m > 59 {
                return None;
            }
            sure = sep != ".";
            end += 2;
        }
        if let Some((e, e2)) = self.find(end, Cat::AmPm)
            && self.near(end)
        {
            if h > 12 || h == 0 {
                return None;
            }
            let pm = matches!(e2.val, Val::Code("PM"));
            let h = match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
            return Some((self.zone(e), h, m));
        }
        if let Some((e, _)) = self.find(end, Cat::Clock)
            && self.near(end)
        {
            // "10 Uhr 30", "10 heures 30".
            let mut e = e;
            if m == 0
                && self.toks.digits(e) == 2
                && self.near(e)
                && let Some(mm) = self.toks.num(e)
                && mm < 60
                && !self.has(e + 1, Cat::Unit)
            {
                m = mm;
                e += 1;
            }
            return Some((self.zone(e), h, m));
        }
        // "a las 7", "om 8": a preposition that only goes with clock times.
        let at_before = (1..=3).any(|back| {
            i >= back
                && self
                    .find(i - back, Cat::At)
                    .is_some_and(|(e, x)| e == i && x.flags.pre)
        });
        if at_before && !self.has(end, Cat::Unit) && !(self.adjacent(end) && end < self.toks.len())
        {
            return Some((self.zone(end), h, m));
        }
        if sure {
            // "10:30" but not "3:2" scores: two digits of minutes were required above.
            if self.adjacent(end)
                && (self.punct_at(end, ":") || self.punct_at(end, "."))
                && self.toks.num(end + 1).is_some()
            {
                // "10:30:15"
                if self.toks.digits(end + 1) == 2 && self.adjacent(end + 1) {
                    end += 2;
                } else {
                    return None;
                }
            }
            return Some((self.zone(end), h, m));
        }
        None
    }

    /// Whether a clock time ending at `end` is a game clock ("4:46 left in the quarter").
    fn game_clock(&self, end: usize) -> bool {
        self.near(end) && self.has(end, Cat::GameClock)
    }

    fn zone(&self, i: usize) -> usize {
        match self.find(i, Cat::Zone) {
            Some((e, _)) if self.near(i) && self.toks.toks[i].gap != Gap::Break => {
                // Zone abbreviations are capitals ("EST"), not the word "est".
                if self.is_word(i) && !self.toks.toks[i].all_caps && self.lower(i).len() <= 4 {
                    i
                } else {
                    e
                }
            }
            _ => i,
        }
    }

    /// Dates with a time of day: "10 p.m. Wednesday", "noon Thursday", "Wednesday morning",
    /// "yesterday at 9:30", "June 19 at 10:00", "gestern Abend", "ayer por la tarde".
    fn r_datetime(&self, i: usize) -> Option<Cand> {
        // A clock time first, maybe a date after it.
        if let Some((e, h, m)) = self.clock(i) {
            if self.game_clock(e) {
                return None;
            }
            let k = self.skip(e, Cat::On);
            if let Some(d) = self.day_date(k)
                && let Sem::Date(ds, None) = d.sem
            {
                return cand(
                    i,
                    d.end,
                    TimexType::Time,
                    Sem::Date(ds, Some(TimeSem::Clock(h, m))),
                );
            }
            // "5 p.m. EST, Nov. 6"
            return cand(
                i,
                e,
                TimexType::Time,
                Sem::Date(DateSem::RelDay(0), Some(TimeSem::Clock(h, m))),
            );
        }
        // A part of the day first ("mid-afternoon yesterday").
        if let Some((e, pod)) = self.code(i, Cat::Pod)
            && let Some(d) = self.day_date(e)
            && let Sem::Date(ds @ (DateSem::RelDay(_) | DateSem::Weekday { .. }), None) = d.sem
        {
            return cand(
                i,
                d.end,
                TimexType::Time,
                Sem::Date(ds, Some(TimeSem::Pod(pod))),
            );
        }
        // A date first, then a clock time or a part of the day.
        let d = self.day_date(i)?;
        let Sem::Date(ds, None) = d.sem else {
            return None;
        };
        let k = self.skip(d.end, Cat::At);
        for k in [k, d.end] {
            if let Some((e, h, m)) = self.clock(k) {
                return cand(
                    d.start,
                    e,
                    TimexType::Time,
                    Sem::Date(ds, Some(TimeSem::Clock(h, m))),
                );
            }
            if let Some((e, pod)) = self.code(k, Cat::Pod) {
                return cand(
                    d.start,
                    e,
                    TimexType::Time,
                    Sem::Date(ds, Some(TimeSem::Pod(pod))),
                );
            }
        }
        None
    }

    /// "last year", "this week", "next month", "the past year", "el año pasado", "l'année
    /// dernière", "letzte Woche", "last May", "this summer", "this morning", "year-earlier".
    fn r_rel_unit(&self, i: usize) -> Option<Cand> {
        let j = self.skip_article(i);
        // Modifier first.
        if let Some((e, n, f)) = self.int(j, Cat::Rel)
            && f.pre
            && self.near(e)
        {
            if let Some((end, unit, mult, plural)) = self.unit(e) {
                // "This Week" (a programme): a title in capitals mid-sentence.
                if self.toks.toks[j].cap
                    && self.toks.toks[e].cap
                    && (!self.sentence_start(j) || self.title(j, end))
                {
                    return None;
                }
                if plural {
                    // "recent years", "the coming weeks": a stretch of unknown length.
                    return cand(
                        i,
                        end,
                        TimexType::Duration,
                        Sem::Value(duration_value(None, unit, 1)),
                    );
                }
                if mult != 1 || unit == Unit::HalfYear {
                    return None;
                }
                // "the past decade", "over the next decade": a stretch of time from now.
                if n != 0 && matches!(unit, Unit::Decade | Unit::Century) {
                    return cand(
                        i,
                        end,
                        TimexType::Duration,
                        Sem::Value(duration_value(Some(1.0), unit, 1)),
                    );
                }
                return self.rel_of_unit(i, end, unit, n);
            }
            if let Some((end, m, _)) = self.month(e) {
                return date(i, end, DateSem::RelMonth { m, shift: n });
            }
            if let Some((end, s)) = self.code(e, Cat::Season) {
                return date(i, end, DateSem::RelSeason { s, shift: n });
            }
            if let Some((end, pod)) = self.code(e, Cat::Pod)
                && n == 0
                && !self.title(j, end)
            {
                return cand(
                    i,
                    end,
                    TimexType::Time,
                    Sem::Date(DateSem::RelDay(0), Some(TimeSem::Pod(pod))),
                );
            }
            return None;
        }
        // Unit or name first, modifier after: "el año pasado", "mars dernier".
        if let Some((e, unit, 1, false)) = self.unit(j)
            && let Some((end, n, f)) = self.int(e, Cat::Rel)
            && f.post
            && self.near(e)
        {
            return self.rel_of_unit(i, end, unit, n);
        }
        if let Some((e, m, _)) = self.month(j)
            && let Some((end, n, f)) = self.int(e, Cat::Rel)
            && f.post
            && self.near(e)
        {
            return date(i, end, DateSem::RelMonth { m, shift: n });
        }
        if let Some((e, s)) = self.code(j, Cat::Season)
            && let Some((end, n, f)) = self.int(e, Cat::Rel)
            && f.post
            && self.near(e)
        {
            return date(i, end, DateSem::RelSeason { s, shift: n });
        }
        // "year-earlier", "year-ago" (an earnings-report adjective).
        if let Some((e, unit, 1, false)) = self.unit(j)
            && self.punct_at(e, "-")
            && self.adjacent(e)
            && self.adjacent(e + 1)
            && let Some((end, n, f)) = self.int(e + 1, Cat::Ago)
            && f.post
        {
            return self.rel_of_unit(i, end, unit, n.signum());
        }
        // "the weekend".
        if j > i
            && let Some((end, Unit::Weekend, 1, false)) = self.unit(j)
        {
            return date(i, end, DateSem::TheWeekend);
        }
        None
    }

    fn rel_of_unit(&self, i: usize, end: usize, unit: Unit, n: i32) -> Option<Cand> {
        match unit {
            Unit::Hour | Unit::Minute | Unit::Second => None,
            _ => date(i, end, DateSem::Rel { unit, n }),
        }
    }

    /// "two years ago", "a year earlier", "three days later", "vor zwei Jahren", "hace tres
    /// años", "il y a deux ans", "drie jaar geleden", "in three days".
    fn r_ago(&self, i: usize) -> Option<Cand> {
        // Prefix form: vor / hace / il y a / in / dans.
        if let Some((e, sign, f)) = self.int(i, Cat::Ago).filter(|(_, _, f)| f.pre) {
            let _ = f;
            let k = self.skip(e, Cat::Approx);
            let (end, unit, n) = self.count_unit(k)?;
            return self.ago_cand(i, end, unit, n, sign);
        }
        if let Some((e, _, f)) = self.int(i, Cat::In) {
            // Not across "the last" ("in den letzten 14 Tagen" is a stretch, not a point).
            let k = e;
            let (end, unit, n) = self.count_unit(k)?;
            let n = n?;
            if unit.is_time() || n.fract() != 0.0 {
                return None;
            }
            let dur = duration_value(Some(n), unit, 1);
            return cand(
                i,
                end,
                TimexType::Date,
                Sem::Ahead {
                    unit,
                    n: n as i32,
                    dur,
                    needs_future: f.cue,
                    dur_start: k,
                },
            );
        }
        // Postfix form: ago / earlier / later / geleden; "a year-earlier".
        let (e, unit, n) = self.count_unit(i)?;
        let e = if self.punct_at(e, "-") && self.adjacent(e) && self.adjacent(e + 1) {
            e + 1
        } else {
            e
        };
        let (end, sign, f) = self.int(e, Cat::Ago)?;
        if !f.post || !self.near(e) {
            return None;
        }
        let mut c = self.ago_cand(i, end, unit, n, sign)?;
        c.approxable = true;
        Some(c)
    }

    /// A count and a unit: "two years", "a year", "several weeks" (`None`: a vague count).
    fn count_unit(&self, i: usize) -> Option<(usize, Unit, Option<f64>)> {
        if let Some(n) = self.number(i, true) {
            let k = self.skip_post_approx(n.end);
            if let Some((e, unit, mult, plural)) = self.unit(k)
                && self.is_count(i, n, unit, plural, e)
                && self.count_agrees(i, n, k, plural)
            {
                return Some((e, unit, Some(n.value * f64::from(mult))));
            }
            return None;
        }
        let (e, _) = self.find(i, Cat::Vague)?;
        let (end, unit, _, plural) = self.unit(e)?;
        plural.then_some((end, unit, None))
    }

    /// Whether a count agrees with its unit: "a" and "one" go with a singular ("a years-long
    /// drought" is no count).
    fn count_agrees(&self, start: usize, n: Num, unit_at: usize, plural: bool) -> bool {
        let det = self
            .find(start, Cat::Number)
            .is_some_and(|(e, x)| x.flags.det && e == n.end);
        if det && plural && n.value == 1.0 {
            return false;
        }
        // "a second" is mostly "another" ("a second goal"); as a time it comes after "for",
        // "within" or before "later".
        if det && n.value == 1.0 && self.has(unit_at, Cat::Ordinal) {
            let before = |cat: Cat| {
                start > 0
                    && self
                        .find(start - 1, cat)
                        .is_some_and(|(e, x)| e == start && !(cat == Cat::YearCue && x.flags.weak))
            };
            let prep = before(Cat::YearCue) || before(Cat::Approx);
            let ago = self
                .unit(unit_at)
                .is_some_and(|(e, ..)| self.find(e, Cat::Ago).is_some());
            return prep || ago;
        }
        true
    }

    /// Skips words between a number and its unit ("20 more years").
    fn skip_post_approx(&self, i: usize) -> usize {
        match self.find(i, Cat::Approx) {
            Some((e, entry)) if entry.flags.post && self.near(e) => e,
            _ => i,
        }
    }

    /// Whether a number and the unit after it count time: not a half-year ("a half" is a
    /// fraction), not a fraction ("three-quarters of"), not a year before a singular noun
    /// ("the 1988 quarter").
    fn is_count(&self, start: usize, n: Num, unit: Unit, plural: bool, end: usize) -> bool {
        if unit == Unit::HalfYear || unit == Unit::Period {
            return false;
        }
        // "three-quarters of", "a quarter million": fractions.
        if unit == Unit::Quarter
            && (self.punct_at(n.end, "-")
                || self.lex.has_word(self.lower(end), Cat::Of)
                || self.number(end, false).is_some()
                || self.has(end, Cat::AfterPer))
        {
            return false;
        }
        // "a second shot", "un segundo gol": an ordinal before a noun.
        let unit_tok = end.saturating_sub(1);
        let function_word = |k: usize| {
            [
                Cat::Of,
                Cat::Ago,
                Cat::And,
                Cat::YearCue,
                Cat::Clause,
                Cat::Per,
                Cat::At,
            ]
            .iter()
            .any(|&c| self.has(k, c))
        };
        if self.has(unit_tok, Cat::Ordinal)
            && self.near(end)
            && self.is_word(end)
            && !self.toks.toks[end].cap
            && !function_word(end)
        {
            return false;
        }
        if !plural && self.toks.digits(start) == 4 && n.value >= 1000.0 {
            return false;
        }
        true
    }

    fn ago_cand(
        &self,
        i: usize,
        end: usize,
        unit: Unit,
        n: Option<f64>,
        sign: i32,
    ) -> Option<Cand> {
        if sign == 0 {
            // "three days later", "two weeks after": counted from another event, a duration.
            let mut c = self.duration_cand(i, end, n, unit)?;
            c.approxable = true;
            return Some(c);
        }
        let Some(n) = n else {
            let r = if sign < 0 { "PAST_REF" } else { "FUTURE_REF" };
            return cand(i, end, TimexType::Date, Sem::Value(r.into()));
        };
        let n = n.round() as i32;
        if unit.is_time() {
            return cand(
                i,
                end,
                TimexType::Time,
                Sem::Date(
                    DateSem::Rel {
                        unit,
                        n: n * sign.signum(),
                    },
                    None,
                ),
            );
        }
        date(
            i,
            end,
            DateSem::Rel {
                unit,
                n: n * sign.signum(),
            },
        )
    }

    /// Durations: "24 years", "three days", "a two-year", "the first nine months", "several
    /// weeks", "half a year", "a year and a half", "zwei Jahre", "tres años".
    fn r_duration(&self, i: usize) -> Option<Cand> {
        if !self.near(i) {
            return None;
        }
        let j = self.skip_article(i);
        let mut value: Option<f64>;
        let mut e;
        // "half a year".
        if let Some((h, _)) = self.find(j, Cat::Half)
            && let Some((e2, unit, mult, _)) = self.unit(h)
        {
            return self.duration_cand(i, e2, Some(0.5 * f64::from(mult)), unit);
        }
        if let Some(n) = self.number(j, true) {
            value = Some(n.value);
            e = n.end;
            // "one and a half years"
            if let Some((e2, _)) = self.find(e, Cat::AndHalf) {
                value = Some(n.value + 0.5);
                e = e2;
            }
            // "two-year", "24-hour".
            let k = if self.punct_at(e, "-") && self.adjacent(e) && self.adjacent(e + 1) {
                e + 1
            } else {
                e
            };
            let k = self.skip_post_approx(k);
            let (mut end, unit, mult, plural) = self.unit(k)?;
            if !self.is_count(j, n, unit, plural, end) || !self.count_agrees(j, n, k, plural) {
                return None;
            }
            // "Islam will one day be...": some day.
            if unit == Unit::Day
                && !plural
                && n.value == 1.0
                && self.is_word(j)
                && j > 0
                && self.has(j - 1, Cat::Future)
            {
                return cand(j, end, TimexType::Date, Sem::Value("FUTURE_REF".into()));
            }
            if let Some((e2, _)) = self.find(end, Cat::AndHalf) {
                value = value.map(|v| v + 0.5);
                end = e2;
            }
            // Ages: "24-year-old", "24 years old", "aged 24".
            if self.is_age(j, end) {
                return None;
            }
            let v = value.map(|v| v * f64::from(mult));
            let mut c = self.duration_cand(i, end, v, unit)?;
            c.approxable = true;
            return Some(c);
        }
        // A plural unit alone after a preposition: "for years", "within weeks", "months of".
        if let Some((end, unit, 1, true)) = self.unit(i)
            && unit != Unit::Period
            && unit != Unit::HalfYear
            && i > 0
            && self.toks.gap(i) != Gap::Break
            && !(self.punct_at(i - 1, "-") && self.adjacent(i))
        {
            let p = self.lower(i - 1);
            let prep = self
                .find(i - 1, Cat::YearCue)
                .is_some_and(|(e, x)| e == i && !x.flags.weak)
                || self.find(i - 1, Cat::Approx).is_some_and(|(e, _)| e == i);
            if prep && !self.lex.has_word(p, Cat::Article) {
                return self.duration_cand(i, end, None, unit);
            }
        }
        // Vague: "several years", "the past few weeks", "recent months".
        let (ve, _) = self.find(i, Cat::Vague)?;
        let (end, unit, _, plural) = self.unit(ve)?;
        if !plural || unit == Unit::Period {
            return None;
        }
        let mut c = self.duration_cand(i, end, None, unit)?;
        c.approxable = true;
        Some(c)
    }

    fn duration_cand(&self, i: usize, end: usize, n: Option<f64>, unit: Unit) -> Option<Cand> {
        if matches!(unit, Unit::Period) {
            return None;
        }
        if n.is_some_and(|n| !(0.0..=100_000.0).contains(&n) || n == 0.0) {
            return None;
        }
        cand(
            i,
            end,
            TimexType::Duration,
            Sem::Value(duration_value(n, unit, 1)),
        )
    }

    /// Whether the count and unit at `start..end` state an age.
    fn is_age(&self, start: usize, end: usize) -> bool {
        let k = if self.punct_at(end, "-") {
            end + 1
        } else {
            end
        };
        if let Some((_, e)) = self.find(k, Cat::Age)
            && e.flags.post
            && self.near(k)
        {
            return true;
        }
        if start > 0
            && let Some((e_end, e)) = self.find(start - 1, Cat::Age)
            && e.flags.pre
            && !e.flags.weak
            && e_end == start
        {
            return true;
        }
        // "un hombre de 24 años": a weak marker ("de") counts only after a plain word, not
        // after "más de" or "después de".
        if start >= 2
            && let Some((e_end, e)) = self.find(start - 1, Cat::Age)
            && e.flags.pre
            && e.flags.weak
            && e_end == start
        {
            let p = start - 2;
            let plain = self.is_word(p) && self.hits(p).is_empty() || self.punct_at(p, ",");
            if plain {
                return true;
            }
        }
        // Multi-token markers before ("âgé de", "im Alter von").
        for back in 2..=3 {
            if start >= back
                && let Some((e_end, e)) = self.find(start - back, Cat::Age)
                && e.flags.pre
                && !e.flags.weak
                && e_end == start
            {
                return true;
            }
        }
        false
    }

    /// Sets: "every Monday", "each year", "every two weeks", "daily", "twice a week", "$5 million
    /// a year", "jeden Montag", "cada año", "chaque semaine".
    fn r_set(&self, i: usize) -> Option<Cand> {
        if !self.near(i) {
            return None;
        }
        if let Some((end, v)) = self.code(i, Cat::SetWord) {
            if self.in_name(i) {
                return None;
            }
            // "a quarterly dividend", "daily volume": an adjective, not a time.
            let adjective = self.near(end)
                && self.is_word(end)
                && !self.toks.toks[end].cap
                && !self.has(end, Cat::And)
                && !self.has(end, Cat::Of)
                && !self.has(end, Cat::YearCue)
                && !self.has(end, Cat::At);
            if adjective {
                return None;
            }
            return cand(i, end, TimexType::Set, Sem::Value(v.to_string()));
        }
        if let Some((e, _)) = self.find(i, Cat::Every) {
            if !self.near(e) {
                return None;
            }
            if let Some((end, wd, _)) = self.weekday(e) {
                let mut end = end;
                let mut v = format!("XXXX-WXX-{wd}");
                if let Some((e2, pod)) = self.code(end, Cat::Pod) {
                    v.push_str(&format!("T{pod}"));
                    end = e2;
                }
                return cand(i, end, TimexType::Set, Sem::Value(v));
            }
            if let Some((end, m, _)) = self.month(e) {
                return cand(i, end, TimexType::Set, Sem::Value(format!("XXXX-{m:02}")));
            }
            if let Some((end, pod)) = self.code(e, Cat::Pod) {
                return cand(
                    i,
                    end,
                    TimexType::Set,
                    Sem::Value(format!("XXXX-XX-XXT{pod}")),
                );
            }
            if let Some((end, s)) = self.code(e, Cat::Season) {
                return cand(i, end, TimexType::Set, Sem::Value(format!("XXXX-{s}")));
            }
            if let Some((end, unit, mult, _)) = self.unit(e) {
                return cand(
                    i,
                    end,
                    TimexType::Set,
                    Sem::Value(duration_value(Some(f64::from(mult)), unit, 1)),
                );
            }
            if let Some(n) = self.number(e, false)
                && let Some((end, unit, mult, _)) = self.unit(n.end)
            {
                return cand(
                    i,
                    end,
                    TimexType::Set,
                    Sem::Value(duration_value(Some(n.value * f64::from(mult)), unit, 1)),
                );
            }
            return None;
        }
        // "twice a week", "700 seats a week", "$5 million a year", "per day".
        let (e, per) = self.find(i, Cat::Per)?;
        let e = if self.punct_at(e, "-") && self.adjacent(e) {
            e + 1
        } else {
            e
        };
        let (end, unit, mult, false) = self.unit(e)? else {
            return None;
        };
        if self.is_age(i, end) || unit == Unit::Period || unit == Unit::HalfYear {
            return None;
        }
        // Not "a year ago", "a week later".
        if self.find(end, Cat::Ago).is_some_and(|(_, e)| e.flags.post) {
            return None;
        }
        // "per year" is a rate by itself; "a year" and "im Jahr" only after a quantity.
        let is_per = !per.flags.cue;
        let rate_before = i > 0 && {
            let p = i - 1;
            self.lex.has_word(self.lower(p), Cat::AfterPer)
                || self.toks.num(p).is_some()
                || (p >= 1
                    && (self.toks.num(p - 1).is_some()
                        || self.lex.has_word(self.lower(p - 1), Cat::AfterPer)))
                || (p >= 2 && self.toks.num(p - 2).is_some())
        };
        if !(is_per || rate_before) {
            return None;
        }
        cand(
            i,
            end,
            TimexType::Set,
            Sem::Value(duration_value(Some(f64::from(mult)), unit, 1)),
        )
    }

    /// "now", "currently", "recently", "the past", "the future", "soon", "aujourd'hui" is a
    /// day; these are TIMEX3's vague references.
    fn r_ref(&self, i: usize) -> Option<Cand> {
        let (end, v) = self.code(i, Cat::Ref)?;
        // "the past" / "the future" followed by a unit is something else ("the past year");
        // "as soon as" is a conjunction.
        if self.unit(end).is_some() || self.number(end, false).is_some() || self.lower(end) == "as"
        {
            return None;
        }
        // "shortly before the pandemic": relative to an event, not to now.
        if self.find(end, Cat::Ago).is_some_and(|(_, e)| e.flags.post) {
            return None;
        }
        cand(i, end, TimexType::Date, Sem::Value(v.to_string()))
    }

    /// Quarters and halves: "the third quarter", "third-quarter", "the fourth quarter of 1990",
    /// "1990's third quarter", "the first half of 1990", "Q3 2024", "das dritte Quartal".
    fn r_quarter(&self, i: usize) -> Option<Cand> {
        let j = self.skip_article(i);
        // Q3, Q3 2024, 3Q.
        if self.lower(j) == "q"
            && self.toks.toks.get(j).is_some_and(|t| t.cap)
            && self.adjacent(j + 1)
            && let Some(q) = self.toks.num(j + 1)
            && (1..=4).contains(&q)
            && self.toks.digits(j + 1) == 1
        {
            let mut end = j + 2;
            let mut y = None;
            if let Some((e, yy)) = self.year(end).or_else(|| self.year_or_short(end)) {
                y = Some(yy);
                end = e;
            }
            return date(i, end, DateSem::Quarter { y, q });
        }
        // "this year's third quarter", "next year's first quarter", "the year-ago third
        // quarter".
        if let Some(c) = self.r_rel_unit(i)
            && let Sem::Date(
                DateSem::Rel {
                    unit: Unit::Year,
                    n: yn,
                },
                None,
            ) = c.sem
        {
            let k = if self.punct_at(c.end, "'") && self.lower(c.end + 1) == "s" {
                c.end + 2
            } else {
                c.end
            };
            if let Some((e, q)) = self.int(k, Cat::Ordinal).map(|(e, v, _)| (e, v))
                && let Some((end, unit @ (Unit::Quarter | Unit::HalfYear), 1, false)) =
                    self.unit(if self.punct_at(e, "-") { e + 1 } else { e })
            {
                let ok = if unit == Unit::Quarter {
                    (1..=4).contains(&q)
                } else {
                    (1..=2).contains(&q)
                };
                if ok {
                    return date(
                        i,
                        end,
                        DateSem::PartOfRelYear {
                            n: yn,
                            part: q as u32,
                            half: unit == Unit::HalfYear,
                        },
                    );
                }
            }
        }
        // "the 1988 quarter", "the 1988 period": that year's quarter the report is about.
        if let Some((e, y)) = self.year(j)
            && let Some((end, Unit::Quarter | Unit::Period, 1, false)) = self.unit(e)
        {
            return date(
                if j > i { j } else { i },
                end,
                DateSem::Quarter { y: Some(y), q: 0 },
            );
        }
        // 1990's third quarter.
        let (j, year_before) = match self.year(j) {
            Some((e, y)) if self.punct_at(e, "'") && self.lower(e + 1) == "s" => (e + 2, Some(y)),
            Some((e, y)) if self.near(e) => (e, Some(y)),
            _ => (j, None),
        };
        let j = match self.find(j, Cat::Fiscal) {
            Some((e, _)) => e,
            None => j,
        };
        // "fiscal-first quarter".
        let j = if self.punct_at(j, "-") && self.adjacent(j) {
            j + 1
        } else {
            j
        };
        let ord = match self.int(j, Cat::Ordinal) {
            Some((e, v, _)) => Some((e, v)),
            None => self.toks.num(j).and_then(|n| {
                let (e, _) = self.find(j + 1, Cat::OrdSuffix)?;
                self.adjacent(j + 1).then_some((e, n as i32))
            }),
        };
        let (e, n) = ord?;
        let k = if self.punct_at(e, "-") && self.adjacent(e) {
            e + 1
        } else {
            e
        };
        let (mut end, unit, 1, false) = self.unit(k)? else {
            return None;
        };
        let mut y = year_before;
        if y.is_none() {
            let k2 = self.skip(end, Cat::Of);
            let k2 = if self.punct_at(end, ",") { end + 1 } else { k2 };
            if let Some((e2, yy)) = self.year(k2) {
                y = Some(yy);
                end = e2;
            } else if let Some(c) = self.r_rel_unit(k2)
                && let Sem::Date(
                    DateSem::Rel {
                        unit: Unit::Year,
                        n: yn,
                    },
                    None,
                ) = c.sem
            {
                // "the third quarter of last year", "the first half of this year".
                let ok = match unit {
                    Unit::Quarter => (1..=4).contains(&n),
                    _ => (1..=2).contains(&n),
                };
                return ok
                    .then(|| {
                        date(
                            i,
                            c.end,
                            DateSem::PartOfRelYear {
                                n: yn,
                                part: n as u32,
                                half: unit != Unit::Quarter,
                            },
                        )
                    })
                    .flatten();
            }
        }
        match unit {
            Unit::Quarter if (1..=4).contains(&n) => {
                date(i, end, DateSem::Quarter { y, q: n as u32 })
            }
            Unit::HalfYear if (1..=2).contains(&n) && y.is_some() => {
                date(i, end, DateSem::Half { y, h: n as u32 })
            }
            _ => None,
        }
    }

    /// Parts of a period: "early 1991", "late last year", "mid-1990s", "the end of November",
    /// "earlier this month", "Ende März", "finales de 2023", "début juin", "eind maart".
    fn r_edge(&self, i: usize) -> Option<Cand> {
        let (e, edge) = self.find(i, Cat::Edge)?;
        let Val::Edge(kind) = edge.val else {
            return None;
        };
        if !self.near(e) {
            return None;
        }
        let k = self.skip(e, Cat::Of);
        let inner = [
            self.day_date(k),
            self.r_month_year(k),
            self.r_year(k),
            self.r_decade(k),
            self.r_century(k),
            self.r_rel_unit(k),
            self.r_month(k),
            self.r_month_day(k),
            self.r_day_month(k),
        ]
        .into_iter()
        .flatten()
        .max_by_key(|c| c.end);
        if let Some(c) = inner
            && matches!(c.sem, Sem::Date(..))
        {
            // "earlier"/"later" only go with "this year" and the like, or with a day ("Earlier
            // Sunday", "later yesterday").
            let word = self.lower(i);
            let day = matches!(
                c.sem,
                Sem::Date(
                    DateSem::Weekday { .. } | DateSem::RelDay(_) | DateSem::Ymd { .. },
                    _
                )
            );
            if matches!(word, "earlier" | "later")
                && !matches!(c.sem, Sem::Date(DateSem::Rel { .. }, _))
                && !day
            {
                return None;
            }
            return cand(i, c.end, c.kind, c.sem);
        }
        // "the end of the month", "the end of the year".
        let k = self.skip_article(k);
        let (end, unit, 1, false) = self.unit(k)? else {
            return None;
        };
        if matches!(unit, Unit::Period) || unit.is_time() {
            return None;
        }
        // The edge (START, MID, END) is TimeML's `mod`, which the record does not carry; the
        // value is the period's.
        let _: EdgeKind = kind;
        date(i, end, DateSem::Rel { unit, n: 0 })
    }

    /// Seasons: "summer 2024", "the summer of 1989", "the summer" (the tense gives the year),
    /// "in winter".
    fn r_season(&self, i: usize) -> Option<Cand> {
        let j = self.skip_article(i);
        let (e, s) = self.code(j, Cat::Season)?;
        let k = self.skip(e, Cat::Of);
        if let Some((end, y)) = self.year(k) {
            return date(i, end, DateSem::Season { y: Some(y), s });
        }
        // Alone, a season needs an article or a preposition of time before it ("in winter",
        // not "temperaturas de verano").
        let strong = i > 0
            && self
                .find(i - 1, Cat::YearCue)
                .is_some_and(|(e, x)| e == i && !x.flags.weak)
            && !self.has(i - 1, Cat::Of);
        if j == i && !strong {
            return None;
        }
        // "fall" and "spring" are verbs too: "prices fall", "the spring of the trap".
        if j == i && matches!(self.lower(i), "fall" | "spring") {
            return None;
        }
        date(i, e, DateSem::Season { y: None, s })
    }

    /// Periods the context names: "the quarter", "the year", "year end", "the latest quarter".
    fn r_period(&self, i: usize) -> Option<Cand> {
        if !self.near(i) {
            return None;
        }
        let (end, e) = self.find(i, Cat::Period)?;
        let Val::Period(unit, n) = e.val else {
            return None;
        };
        // "Person of the Year", "Game of the Week": titles in capitals.
        if (i..end).any(|k| self.is_word(k) && self.toks.toks[k].cap && self.lower(k) != "the") {
            return None;
        }
        // "the year 2000", "the quarter's results" are read by other rules or not dates.
        if self.year(end).is_some()
            || self.punct_at(end, "'")
            || self.has(end, Cat::Of) && self.lower(end) != ","
        {
            return None;
        }
        // "the year ended March 31", "the fiscal year ending June 30": twelve months to that
        // day, a duration.
        if unit == Unit::Year && matches!(self.lower(end), "ended" | "ending") {
            return cand(i, end, TimexType::Duration, Sem::Value("P1Y".into()));
        }
        // "the quarter ended July 31": the quarter of that day.
        if unit == Unit::Quarter
            && matches!(self.lower(end), "ended" | "ending")
            && let Some((e, m, _)) = self.month(end + 1)
        {
            let y = self.day(e).and_then(|(e2, _)| {
                let k = if self.punct_at(e2, ",") { e2 + 1 } else { e2 };
                self.year(k).map(|(_, y)| y)
            });
            return date(
                i,
                end,
                DateSem::Quarter {
                    y,
                    q: (m - 1) / 3 + 1,
                },
            );
        }
        let n = match n {
            Some(n) => n,
            None => {
                if self.tense(i, end) == Tense::Past {
                    -1
                } else {
                    0
                }
            }
        };
        date(i, end, DateSem::Rel { unit, n })
    }

    /// Holidays: "Christmas", "last Easter", "Thanksgiving 2024", "Weihnachten".
    fn r_holiday(&self, i: usize) -> Option<Cand> {
        let (j, shift) = match self.int(i, Cat::Rel) {
            Some((e, v, f)) if f.pre && self.near(e) => (e, Some(v)),
            _ => (i, None),
        };
        if !self.near(j) {
            return None;
        }
        let (mut end, e) = self.find(j, Cat::Holiday)?;
        let Val::Holiday(rule) = e.val else {
            return None;
        };
        let mut y = None;
        let k = if self.punct_at(end, ",") {
            end + 1
        } else {
            end
        };
        if let Some((e2, yy)) = self.year(k) {
            y = Some(yy);
            end = e2;
        }
        date(i, end, DateSem::Holiday { y, rule, shift })
    }

    /// "about two years", "more than four hours", "nearly forty years", "around Nov. 1".
    fn r_approx(&self, i: usize) -> Option<Cand> {
        let (e, _) = self.find(i, Cat::Approx)?;
        if !self.near(e) {
            return None;
        }
        let mut c = [self.r_duration(e), self.r_ago(e)]
            .into_iter()
            .flatten()
            .max_by_key(|c| c.end)?;
        if !c.approxable {
            return None;
        }
        // "more than two years ago": the approximation stays with the date.
        c.start = i;
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use crate::Lang;

    fn spans(text: &str) -> Vec<String> {
        let options = crate::Options {
            lang: Some(Lang::En),
            ..crate::Options::default()
        };
        crate::Tagger::shared()
            .unwrap()
            .tag(text, &options)
            .iter()
            .map(|t| text[t.start..t.end].to_string())
            .collect()
    }

    #[test]
    fn finds_english_expressions() {
        assert_eq!(
            spans("On Wednesday morning local time, Putin arrived for the first time in 24 years."),
            ["Wednesday morning", "24 years"]
        );
        assert_eq!(
            spans("The 1961 Treaty was canceled; an agreement in 2000 followed."),
            ["1961", "2000"]
        );
        assert_eq!(spans("He toured bases in September."), ["September"]);
        assert_eq!(
            spans("It happened over two decades ago."),
            ["over two decades ago"]
        );
        assert_eq!(
            spans("Sales rose 5% in the third quarter of 1990."),
            ["the third quarter of 1990"]
        );
        assert_eq!(
            spans("It closed at 10 p.m. Wednesday, Sept. 30."),
            ["10 p.m. Wednesday, Sept. 30"]
        );
    }

    #[test]
    fn does_not_find_false_alarms() {
        for text in [
            "You may go now if you like, Theresa May said.",
            "The fund raised 100M.",
            "It was 123° in the shade.",
            "Call 2882015 today.",
            "A 24-year-old man and a woman aged 31 were hurt.",
            "About 2000 troops and 1500 people arrived.",
            "Version 2.10.2024.1 of the tool, at 10.1.1.1.",
        ] {
            let found = spans(text);
            assert!(
                found.iter().all(|s| s == "now" || s == "today"),
                "{text:?}: {found:?}"
            );
        }
    }
}
