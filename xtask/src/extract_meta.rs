//! Metadata accuracy on the dev set: title, byline and publication date, per field.
//!
//! Only L3S-GN1 labels metadata, and only the headline as such. Its annotators also labelled
//! every dateline and byline of a page as *supplemental* text (label 3); the gold byline and
//! date are read from those lines here, by rules of this file that know nothing of the
//! extractor's:
//!
//! * **byline**: a line of the supplemental text that opens with "By" (or is "By" and the
//!   next line holds the names); the names are what follows, cut at a comma, a dash, a pipe,
//!   a "?" (the annotated copy's mangled characters), a digit or " in " (a place), split at
//!   "and" and "&"; names that are organisations or roles (wire agencies, "staff", "news",
//!   "reporter", ...) are dropped. Pages whose byline names only an organisation have no
//!   gold byline and are not scored for it.
//! * **date**: the first date written out in a short supplemental line (at most 14 words):
//!   ISO, "March 2, 2021", "2 March 2021", "Mar 2 2021", or numeric with dots or
//!   slashes. The pages were crawled from December 2007 to January 2008, which settles
//!   day-month order in numeric dates (a date after March 2008 cannot be the article's).
//! * **title**: the headline label, compared with case and white space folded; a label that
//!   holds kicker, headline and subheadline on separate lines counts one of its lines as
//!   right.
//!
//! A field is scored on the pages that have its gold value: right when ours equals it (the
//! byline as a set of names, case folded; the date by its day), wrong otherwise (missing
//! included). The figures are dev figures: the extractor's metadata rules were written with
//! these pages in view.

use std::collections::BTreeSet;

use crate::eval_extract::Page;
use crate::extract_metrics::tokens;

/// What a tool said about a page's metadata.
#[derive(Debug, Default, Clone)]
pub(crate) struct Meta {
    pub(crate) title: Option<String>,
    pub(crate) byline: Vec<String>,
    /// RFC 3339 date or date-time, or any string starting with `YYYY-MM-DD`.
    pub(crate) published: Option<String>,
}

/// Gold metadata of one page, where the labels give it.
#[derive(Debug, Default)]
pub(crate) struct Gold {
    pub(crate) title: Option<String>,
    pub(crate) byline: Option<BTreeSet<String>>,
    pub(crate) date: Option<String>,
}

const ORG_WORDS: &[&str] = &[
    "associated",
    "press",
    "news",
    "newspapers",
    "agencies",
    "agency",
    "staff",
    "writer",
    "writers",
    "reporter",
    "reporters",
    "correspondent",
    "bureau",
    "herald",
    "times",
    "services",
    "service",
    "online",
    "desk",
    "wire",
    "wires",
    "ap",
    "afp",
    "reuters",
    "pti",
    "ians",
    "xinhua",
    "voa",
    "bloomberg",
    "editor",
    "editors",
    "team",
    "sport",
    "sports",
];

fn fold_name(s: &str) -> String {
    tokens(&s.to_lowercase()).join(" ")
}

/// The gold byline of an L3S page: person names of its "By" line, if any.
pub(crate) fn gold_byline(supplemental: &str) -> Option<BTreeSet<String>> {
    let lines: Vec<&str> = supplemental
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (k, line) in lines.iter().enumerate() {
        let lower = line.to_lowercase();
        let rest = if lower == "by" {
            lines.get(k + 1).copied().unwrap_or("")
        } else if lower.starts_with("by ") {
            &line[3..]
        } else {
            continue;
        };
        let cut = rest
            .find([',', '|', '?', '(', '/'])
            .into_iter()
            .chain(rest.find(" - "))
            .chain(rest.find(" -- "))
            .chain(rest.find(" in "))
            .chain(rest.find(|c: char| c.is_ascii_digit()))
            .min()
            .unwrap_or(rest.len());
        let names_part = &rest[..cut];
        let mut names = BTreeSet::new();
        for part in names_part
            .split(" and ")
            .flat_map(|p| p.split(" AND "))
            .flat_map(|p| p.split('&'))
        {
            let words: Vec<&str> = part.split_whitespace().collect();
            if words.is_empty() || words.len() > 4 {
                continue;
            }
            let org = words
                .iter()
                .any(|w| ORG_WORDS.contains(&w.to_lowercase().trim_matches('.')));
            if org || words.len() < 2 {
                continue;
            }
            names.insert(fold_name(part));
        }
        return (!names.is_empty()).then_some(names);
    }
    None
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| w.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn valid(y: u32, m: u32, d: u32) -> Option<String> {
    ((1990..=2030).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Within the crawl window (December 2007 to January 2008, with slack): for numeric dates.
fn plausible(y: u32, m: u32) -> bool {
    (1..=12).contains(&m) && ((y == 2007 && m >= 6) || (y == 2008 && m <= 3))
}

/// The first date written out in `line`.
pub(crate) fn date_in(line: &str) -> Option<String> {
    // Word-level scan: numbers and month names, with their separators dropped.
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let num = |w: &str| -> Option<u32> {
        let d: String = w.chars().take_while(char::is_ascii_digit).collect();
        let rest = &w[d.len()..];
        (!d.is_empty() && ["", "st", "nd", "rd", "th", "."].contains(&rest))
            .then(|| d.parse().ok())
            .flatten()
    };
    for (i, w) in words.iter().enumerate() {
        // ISO "2007-12-19" (maybe glued to a time).
        let b = w.as_bytes();
        if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && w.is_char_boundary(10) {
            let parts: Vec<u32> = w[..10].split('-').filter_map(|p| p.parse().ok()).collect();
            if let [y, m, d] = parts[..]
                && let Some(v) = valid(y, m, d)
            {
                return Some(v);
            }
        }
        // Numeric "13.01.2008", "1/14/2008", "23/12/2007".
        for sep in ['.', '/'] {
            let parts: Vec<&str> = w.trim_end_matches('.').split(sep).collect();
            if parts.len() == 3
                && parts
                    .iter()
                    .all(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
            {
                let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
                let y = if n[2] < 100 { 2000 + n[2] } else { n[2] };
                let dm = plausible(y, n[1]) && n[0] <= 31;
                let md = plausible(y, n[0]) && n[1] <= 31 && sep == '/';
                let (d, m) = match (dm, md) {
                    (true, false) => (n[0], n[1]),
                    (false, true) => (n[1], n[0]),
                    (true, true) if n[0] == n[1] => (n[0], n[1]),
                    _ => continue,
                };
                if let Some(v) = valid(y, m, d) {
                    return Some(v);
                }
            }
        }
        // "December 3, 2007", "Dec 3 2007", "PostedDecember 3, 2007".
        let m = month(w).or_else(|| {
            // A month name glued to a label.
            w.char_indices()
                .skip(1)
                .filter(|(_, c)| c.is_uppercase())
                .find_map(|(k, _)| month(&w[k..]))
        });
        if let Some(m) = m
            && let (Some(d), Some(y)) = (
                words.get(i + 1).and_then(|x| num(x)),
                words.get(i + 2).and_then(|x| num(x)),
            )
            && let Some(v) = valid(y, m, d)
        {
            return Some(v);
        }
        // "3 December 2007", "4th January, 2008".
        if let (Some(d), Some(m), Some(y)) = (
            num(w),
            words.get(i + 1).and_then(|x| month(x)),
            words.get(i + 2).and_then(|x| num(x)),
        ) && let Some(v) = valid(y, m, d)
        {
            return Some(v);
        }
    }
    None
}

/// The gold date of an L3S page: the first date of a short supplemental line.
pub(crate) fn gold_date(supplemental: &str) -> Option<String> {
    supplemental
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.split_whitespace().count() <= 14)
        .find_map(date_in)
}

/// The gold metadata of a page (empty for pages without labels).
pub(crate) fn gold(p: &Page) -> Gold {
    let sup = p.truth.supplemental.as_deref().unwrap_or("");
    Gold {
        title: p.truth.title.clone().filter(|t| !t.trim().is_empty()),
        byline: gold_byline(sup),
        date: gold_date(sup),
    }
}

/// Right / scored counts per field.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct MetaScore {
    pub(crate) title: (usize, usize),
    pub(crate) byline: (usize, usize),
    pub(crate) date: (usize, usize),
    /// Pages where we gave a date that is not the gold one (not counting missing ones).
    pub(crate) date_wrong: usize,
    pub(crate) byline_wrong: usize,
}

fn title_right(gold: &str, ours: &str) -> bool {
    let ours_f = tokens(&ours.to_lowercase()).join(" ");
    !ours_f.is_empty()
        && (tokens(&gold.to_lowercase()).join(" ") == ours_f
            || gold
                .lines()
                .any(|l| tokens(&l.to_lowercase()).join(" ") == ours_f))
}

/// Scores one page's metadata against its gold.
pub(crate) fn score(gold: &Gold, ours: &Meta) -> MetaScore {
    let mut s = MetaScore::default();
    if let Some(t) = &gold.title {
        s.title.1 = 1;
        s.title.0 = usize::from(title_right(t, ours.title.as_deref().unwrap_or("")));
    }
    if let Some(names) = &gold.byline {
        s.byline.1 = 1;
        let mine: BTreeSet<String> = ours
            .byline
            .iter()
            .map(|n| fold_name(n))
            .filter(|n| !n.is_empty())
            .collect();
        s.byline.0 = usize::from(&mine == names);
        s.byline_wrong = usize::from(!mine.is_empty() && &mine != names);
    }
    if let Some(d) = &gold.date {
        s.date.1 = 1;
        let mine = ours.published.as_deref().and_then(|p| p.get(..10));
        s.date.0 = usize::from(mine == Some(d.as_str()));
        s.date_wrong = usize::from(mine.is_some() && mine != Some(d.as_str()));
    }
    s
}

impl std::ops::AddAssign for MetaScore {
    fn add_assign(&mut self, o: MetaScore) {
        self.title.0 += o.title.0;
        self.title.1 += o.title.1;
        self.byline.0 += o.byline.0;
        self.byline.1 += o.byline.1;
        self.date.0 += o.date.0;
        self.date.1 += o.date.1;
        self.date_wrong += o.date_wrong;
        self.byline_wrong += o.byline_wrong;
    }
}

fn ratio((a, b): (usize, usize)) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl MetaScore {
    /// "title 0.954 (603), byline 0.80 (150; 10 wrong), date 0.90 (460; 12 wrong)".
    pub(crate) fn line(&self) -> String {
        format!(
            "title {:.3} ({}), byline {:.3} ({}; {} wrong names), date {:.3} ({}; {} wrong days)",
            ratio(self.title),
            self.title.1,
            ratio(self.byline),
            self.byline.1,
            self.byline_wrong,
            ratio(self.date),
            self.date.1,
            self.date_wrong
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gold_bylines_keep_people_and_drop_organisations() {
        let names = |s: &str| gold_byline(s).map(|n| n.into_iter().collect::<Vec<_>>());
        assert_eq!(
            names("By JANE ROE, Harbour Wire Writer 17 minutes ago"),
            Some(vec!["jane roe".to_string()])
        );
        assert_eq!(
            names("Posted\nBy\nAnn Lee and Max Muster"),
            Some(vec!["ann lee".to_string(), "max muster".to_string()])
        );
        assert_eq!(names("By Wire Staff"), None);
        assert_eq!(
            names("By Jane Roe in Sydney"),
            Some(vec!["jane roe".to_string()])
        );
        assert_eq!(names("Photo by nobody"), None);
    }

    #[test]
    fn gold_dates_in_the_forms_pages_print() {
        for (line, want) in [
            ("Posted December 3, 2007 18:05:00", "2007-12-03"),
            ("PostedDecember 3, 2007", "2007-12-03"),
            ("4th January 2008", "2008-01-04"),
            ("21 December, 2007", "2007-12-21"),
            ("Dec 12, 2007", "2007-12-12"),
            ("2007-12-19 07:41:55", "2007-12-19"),
            ("13.01.2008 21:17", "2008-01-13"),
            ("Published 01/05/2008 - 9:41 a.m. GMT", "2008-01-05"),
            ("23/12/2007", "2007-12-23"),
            ("1/14/2008", "2008-01-14"),
            ("Thursday, December 20, 2007", "2007-12-20"),
        ] {
            assert_eq!(date_in(line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(date_in("Filed under harbour news"), None);
    }
}
