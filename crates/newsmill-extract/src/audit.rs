//! Audits of the rule vocabularies: which entry of `rules/*.rules` fires on which page.
//!
//! An entry earns its place on pages it was not written for; an entry that only one site of
//! an evaluation set needs was fitted to that site. [`hits`] matches every entry on its own
//! (whatever the other rules and the container choice would do) against the text blocks,
//! class names and title of one page, so an evaluation can count, per entry, the sites it
//! fires on; [`matches_line`] tells whether an entry would drop a given line (to compare
//! entries with an evaluation set's answers). `cargo xtask eval extract --audit-rules` prints
//! both.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use crate::rules::{Entry, Family, rules};

/// One entry of a rule file.
#[derive(Debug, Clone)]
pub struct EntryRef {
    /// The rule file (`labels.rules`, ...).
    pub file: &'static str,
    /// The family id.
    pub family: &'static str,
    /// The line of the entry in the file.
    pub line: usize,
    /// Its language code (`*` for any).
    pub lang: &'static str,
    /// Its pattern, as written.
    pub pattern: &'static str,
}

/// How an entry is matched, by file.
enum Matcher {
    /// A whole line against the entry put in its family's shape (labels, heads); lines of at
    /// most this many characters and words.
    Line(usize, usize),
    /// A lower-cased line of at most this many words starting with (or holding) the phrase.
    Phrase { start: bool, max_words: usize },
    /// A notice: the phrase at the start, or in the first 160 bytes.
    Notice { start: bool },
    /// A word of a class or id attribute starting or ending with the entry.
    ClassWord,
    /// A whole class token (advertising slots).
    ClassToken,
    /// A substring of a class attribute.
    ClassSubstring,
    /// A byline line opening with the lead.
    BylineLead,
    /// A byline line holding the role.
    BylineRole,
    /// A title separator, site domain or site-name word in the page's `<title>`.
    Title,
    /// A heading-like line starting with the phrase.
    HeadingPrefix,
    /// Not matched per page (stop words are everywhere).
    None,
}

struct Compiled {
    entry: EntryRef,
    matcher: Matcher,
    /// The shaped regex for line matchers.
    regex: Option<Regex>,
}

fn matcher_of(f: &Family) -> Matcher {
    match f.file {
        "labels.rules" => Matcher::Line(f.number("max-chars", 90), usize::MAX),
        "heads.rules" => Matcher::Line(usize::MAX, 12),
        "lines.rules" => Matcher::Phrase {
            start: f.attr("match") == Some("start"),
            max_words: f.number("max-words", 25),
        },
        "notices.rules" => Matcher::Notice {
            start: f.attr("match") == Some("start"),
        },
        "classes.rules" if f.id == "ad-token" => Matcher::ClassToken,
        "classes.rules" if f.attr("strength").is_some() || f.id.ends_with("-mark") => {
            Matcher::ClassWord
        }
        "classes.rules" if f.id == "positive-class" || f.id == "not-a-mark" => Matcher::ClassWord,
        "classes.rules" => Matcher::ClassSubstring,
        "bylines.rules" if f.id == "byline-lead" => Matcher::BylineLead,
        "bylines.rules" => Matcher::BylineRole,
        "titles.rules" if f.id == "title-label-prefix" => Matcher::HeadingPrefix,
        "titles.rules" => Matcher::Title,
        _ => Matcher::None,
    }
}

fn entry_ref(f: &Family, e: &Entry) -> EntryRef {
    EntryRef {
        file: f.file,
        family: f.id,
        line: e.line,
        lang: e.lang,
        pattern: e.pattern,
    }
}

static COMPILED: LazyLock<(Vec<Compiled>, RegexSet, Vec<usize>)> = LazyLock::new(|| {
    let mut out = Vec::new();
    let mut set_sources = Vec::new();
    let mut set_index = Vec::new();
    for f in &rules().families {
        for e in &f.entries {
            let matcher = matcher_of(f);
            let regex = match matcher {
                Matcher::Line(..) => {
                    let src = f.shaped(e.pattern);
                    set_sources.push(src.clone());
                    set_index.push(out.len());
                    Some(Regex::new(&src).expect("valid rule pattern"))
                }
                Matcher::ClassToken => {
                    Some(Regex::new(&f.shaped(e.pattern)).expect("valid rule pattern"))
                }
                Matcher::BylineLead => Some(
                    Regex::new(&format!(r"(?i)^\s*(?:{})\s+\p{{Lu}}", e.pattern))
                        .expect("valid rule pattern"),
                ),
                Matcher::BylineRole => Some(
                    Regex::new(&format!(r"(?i)\b(?:{})\b", e.pattern)).expect("valid rule pattern"),
                ),
                _ => None,
            };
            out.push(Compiled {
                entry: entry_ref(f, e),
                matcher,
                regex,
            });
        }
    }
    let set = RegexSet::new(&set_sources).expect("valid rule patterns");
    (out, set, set_index)
});

/// Every entry of every rule file, in file order: the indexes [`hits`] returns.
pub fn entries() -> Vec<EntryRef> {
    COMPILED.0.iter().map(|c| c.entry.clone()).collect()
}

/// What an audit reads of a page: its text blocks, class and id attributes, title and
/// heading-like lines.
#[derive(Debug, Default)]
pub(crate) struct PageParts {
    pub(crate) lines: Vec<String>,
    pub(crate) classes: Vec<String>,
    pub(crate) title: Option<String>,
    pub(crate) headings: Vec<String>,
}

/// The entries (indexes into [`entries`]) that fire on a page, each matched on its own.
pub fn hits(html: &str) -> Vec<usize> {
    let parts = crate::html::audit_parts(html);
    let (compiled, set, set_index) = &*COMPILED;
    let mut hit = vec![false; compiled.len()];
    for line in &parts.lines {
        let t = line.trim();
        let chars = t.chars().count();
        let words = t.split_whitespace().count();
        for k in set.matches(t).iter() {
            let i = set_index[k];
            if let Matcher::Line(max_chars, max_words) = compiled[i].matcher
                && chars <= max_chars
                && words <= max_words
            {
                hit[i] = true;
            }
        }
        let lower = t.to_lowercase();
        let byline = crate::html::is_byline_line(t);
        for (i, c) in compiled.iter().enumerate() {
            if hit[i] {
                continue;
            }
            hit[i] = match c.matcher {
                Matcher::Phrase { start, max_words } => {
                    words <= max_words && phrase_in(&lower, c.entry.pattern, start)
                }
                Matcher::Notice { start } => notice_in(&lower, c.entry.pattern, start),
                Matcher::BylineLead => {
                    words <= 12 && c.regex.as_ref().is_some_and(|r| r.is_match(t))
                }
                Matcher::BylineRole => byline && c.regex.as_ref().is_some_and(|r| r.is_match(t)),
                _ => false,
            };
        }
    }
    for class in &parts.classes {
        let lower = class.to_ascii_lowercase();
        let subs: Vec<String> = class
            .split_whitespace()
            .flat_map(crate::html::class_subwords)
            .collect();
        for (i, c) in compiled.iter().enumerate() {
            if hit[i] {
                continue;
            }
            let p = c.entry.pattern;
            hit[i] = match c.matcher {
                Matcher::ClassWord => subs.iter().any(|s| s.starts_with(p) || s.ends_with(p)),
                Matcher::ClassToken => lower
                    .split_whitespace()
                    .any(|t| c.regex.as_ref().is_some_and(|r| r.is_match(t))),
                Matcher::ClassSubstring => lower.contains(p),
                _ => false,
            };
        }
    }
    if let Some(title) = &parts.title {
        let lower = title.to_lowercase();
        for (i, c) in compiled.iter().enumerate() {
            if !hit[i] && matches!(c.matcher, Matcher::Title) {
                let p = c.entry.pattern;
                hit[i] = if c.entry.family == "site-name-word" {
                    lower
                        .split(|ch: char| !ch.is_alphanumeric())
                        .any(|w| w == p)
                } else {
                    lower.contains(p)
                };
            }
        }
    }
    for h in &parts.headings {
        let lower = h.trim().to_lowercase();
        for (i, c) in compiled.iter().enumerate() {
            if !hit[i] && matches!(c.matcher, Matcher::HeadingPrefix) {
                hit[i] = lower.starts_with(c.entry.pattern);
            }
        }
    }
    hit.iter()
        .enumerate()
        .filter(|(_, h)| **h)
        .map(|(i, _)| i)
        .collect()
}

/// Whether entry `index` (of [`entries`]) would drop `line` on its own: for comparing
/// entries with the snippets an evaluation set lists as boilerplate. Only line rules
/// (labels, heads, line phrases, notices, byline leads) can; other entries never match.
pub fn matches_line(index: usize, line: &str) -> bool {
    let Some(c) = COMPILED.0.get(index) else {
        return false;
    };
    let t = line.trim();
    let lower = t.to_lowercase();
    let words = t.split_whitespace().count();
    match c.matcher {
        Matcher::Line(max_chars, max_words) => {
            t.chars().count() <= max_chars
                && words <= max_words
                && c.regex.as_ref().is_some_and(|r| r.is_match(t))
        }
        Matcher::Phrase { start, max_words } => {
            words <= max_words && phrase_in(&lower, c.entry.pattern, start)
        }
        Matcher::Notice { start } => notice_in(&lower, c.entry.pattern, start),
        Matcher::BylineLead => c.regex.as_ref().is_some_and(|r| r.is_match(t)),
        _ => false,
    }
}

fn phrase_in(lower: &str, phrase: &str, start: bool) -> bool {
    if start {
        lower.starts_with(phrase)
    } else {
        lower.contains(phrase)
    }
}

fn notice_in(lower: &str, phrase: &str, start: bool) -> bool {
    let phrase = phrase.to_lowercase();
    match lower.find(&phrase) {
        Some(0) => true,
        Some(k) => !start && k <= 160,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_fires_on_the_page_that_holds_its_phrase() {
        let all = entries();
        let find = |family: &str, pattern: &str| {
            all.iter()
                .position(|e| e.family == family && e.pattern == pattern)
                .unwrap()
        };
        let html = "<html><head><title>Harbour reopens | Example.com</title></head><body>\
            <div class=share-bar>Share this article</div>\
            <p>The harbour reopened on Monday after the storm, officials said.</p>\
            <p>Leave a reply</p><p>By Jane Doe</p></body></html>";
        let h = hits(html);
        assert!(h.contains(&find("share-label", "share( this)?( article| story| post| page| on (facebook|twitter|x|linkedin|whatsapp|email))?")));
        assert!(h.contains(&find("comment-label", "leave a (comment|reply)")));
        assert!(h.contains(&find("share-class", "share")));
        assert!(h.contains(&find("title-separator", " | ")));
        assert!(h.contains(&find("site-tld", ".com")));
        assert!(h.contains(&find("byline-lead", "by")));
        assert!(!h.contains(&find("comment-label", "kommentare")));
        assert!(matches_line(
            find("comment-label", "kommentare"),
            "12 Kommentare"
        ));
        assert!(!matches_line(find("comment-label", "kommentare"), "Share"));
    }
}
