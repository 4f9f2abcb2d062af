//! The record: one clean article, as PRODUCT.md defines it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// One article, the unit every stage reads and writes.
///
/// Fields that a stage has not run for stay empty (`null` or `[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    /// Stable id: a hash of the canonical URL when there is one, else of the normalised text.
    pub id: String,
    /// The input it came from, as given (a path, `-`, a URL, or `FILE.warc.gz#OFFSET`).
    pub origin: String,
    /// The URL it was fetched from.
    pub url: Option<String>,
    /// The canonical URL the page declares (or the URL, cleaned).
    pub canonical_url: Option<String>,
    /// The site: the host of the canonical URL without `www.`, or the site name the page declares.
    pub site: Option<String>,
    /// The headline.
    pub title: Option<String>,
    /// The standfirst or description under the headline.
    pub dek: Option<String>,
    /// Author names, "By" and roles stripped.
    pub byline: Vec<String>,
    /// Publication date, RFC 3339.
    pub published: Option<String>,
    /// Last modification date, RFC 3339.
    pub modified: Option<String>,
    /// Section of the site ("World", "Politik"), when the page says.
    pub section: Option<String>,
    /// Tags or keywords the page declares.
    pub tags: Vec<String>,
    /// ISO 639-1 code of the body's language.
    pub language: Option<String>,
    /// The body in order.
    pub blocks: Vec<Block>,
    /// The body as plain text: the blocks' texts joined by blank lines. All offsets point into it.
    pub text: String,
    /// Sources the article names as its own (reference lists), one entry per source.
    pub sources_cited: Vec<String>,
    /// Named entities with their mentions.
    pub entities: Vec<Entity>,
    /// Who said what: direct quotes and indirect attributions, with their speakers.
    pub quotes: Vec<Quote>,
    /// Temporal expressions in the text, typed and normalised (TIMEX3).
    pub dates: Vec<DateMention>,
    /// When the article's main event happened, as a TIMEX3 value (`2024-06-19`), from the
    /// dateline, the lead or the first dates; `provenance.event_time` says which.
    pub event_time: Option<String>,
    /// What cleaning dropped, each with its reason: nothing disappears silently.
    pub removed: Vec<Removed>,
    /// For each metadata field, where its value came from (`"title": "og:title"`).
    pub provenance: BTreeMap<String, String>,
    /// The id of the first copy when this record is a near-duplicate.
    pub duplicate_of: Option<String>,
    /// The story this record belongs to.
    pub story: Option<String>,
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// What kind of block.
    pub kind: BlockKind,
    /// Its text, on one line (inner white space collapsed).
    pub text: String,
}

impl Block {
    /// A block of `kind` with `text`.
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Block {
        Block {
            kind,
            text: text.into(),
        }
    }
}

/// The kinds of body block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// A section heading.
    Heading,
    /// A paragraph.
    Paragraph,
    /// One item of a list.
    ListItem,
    /// A quoted block.
    Blockquote,
    /// One row of a table, cells separated by ` | `.
    TableRow,
}

/// A named entity and where the text mentions it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Canonical name ("Vladimir Putin" for "Putin" and "President Vladimir Putin").
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Every mention, in text order.
    pub mentions: Vec<Mention>,
    /// Number of mentions.
    pub count: usize,
}

/// Entity types (CoNLL-2003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    /// Person.
    #[serde(rename = "PER")]
    Per,
    /// Organisation.
    #[serde(rename = "ORG")]
    Org,
    /// Location.
    #[serde(rename = "LOC")]
    Loc,
    /// Miscellaneous (nationalities, events, works).
    #[serde(rename = "MISC")]
    Misc,
}

impl EntityType {
    /// The CoNLL label (`PER`, `ORG`, `LOC`, `MISC`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Org => "ORG",
            EntityType::Loc => "LOC",
            EntityType::Misc => "MISC",
        }
    }
}

/// One mention: a character range of `text` and the text it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Start, in characters (Unicode scalar values) from the start of `text`.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The covered text.
    pub text: String,
}

/// Who said what: a quote or an attribution found by the quotes stage.
///
/// `start`/`end` delimit the content (what was said) in characters of `text`, without the
/// quotation marks for a direct quote. `speaker` is the source mention as written (a name, a
/// title and name, an organisation, or a pronoun or description); `entity` is the canonical name
/// (an `entities[].name`) it resolves to, or `null` for an unattributed claim or a speaker not
/// among the entities; `cue` is the reporting verb or phrase ("said", "according to").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The content: the quoted words, or the clause reported.
    pub text: String,
    /// Start of the content, in characters.
    pub start: usize,
    /// End of the content (exclusive), in characters.
    pub end: usize,
    /// Direct (in quotation marks) or indirect (reported speech).
    pub kind: QuoteKind,
    /// The source mention as written, when the text names one.
    pub speaker: Option<Mention>,
    /// The canonical name of the entity the speaker resolves to (an `entities[].name`).
    pub entity: Option<String>,
    /// The reporting verb or phrase, when there is one.
    pub cue: Option<Mention>,
}

/// Whether a quote is in quotation marks or reported speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteKind {
    /// The speaker's words in quotation marks: “We agree,” she said.
    Direct,
    /// Reported speech or a claim attributed without quotation marks: she said they agreed.
    Indirect,
}

/// A temporal expression in the text, typed and normalised as in TimeML's TIMEX3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateMention {
    /// The expression as written ("Wednesday morning", "1961", "two decades").
    pub text: String,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The TimeML type.
    #[serde(rename = "type")]
    pub kind: TimexType,
    /// The TIMEX3 value: `2024-06-19`, `2024-W25`, `2024-Q2`, `199X`, `P3D`, `PT2H`,
    /// `PRESENT_REF`, `XXXX-WXX-1`, `2024-06-19T09:30`; a relative expression with no anchor
    /// keeps unknown digits as `X` (`XXXX-XX-XX` for "Wednesday" with no date to resolve from).
    pub value: String,
    /// What a relative expression was resolved against.
    pub anchor: DateAnchor,
}

/// TimeML's types of temporal expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimexType {
    /// A calendar date or period: "June 19", "last week", "2000".
    Date,
    /// A time of day: "9:30 a.m.", "Wednesday morning".
    Time,
    /// A length of time: "three days", "24 years".
    Duration,
    /// A recurring time: "every Monday", "weekly".
    Set,
}

/// What a date expression's value was resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateAnchor {
    /// The article's `published` time.
    Published,
    /// A reference time given by the caller (`--reference-time`).
    Reference,
    /// Nothing: an absolute expression, or a relative one left unresolved.
    None,
}

/// Something cleaning dropped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// Why it was dropped.
    pub reason: RemovedReason,
    /// The dropped text.
    pub text: String,
    /// Its language (ISO 639-1), when it differs from the body's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Why cleaning dropped a piece of text. A closed list: every drop names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemovedReason {
    /// A line repeated verbatim, e.g. a dek printed twice: the repeat is dropped.
    DuplicateLine,
    /// A share bar or social prompt: "Share this article", "Follow us on Twitter".
    ShareBar,
    /// A link line to other articles: "Read more: ...", "Related: ...", "See also".
    RelatedLink,
    /// A comment-box label or footer in any language: "Reader comments", "পাঠকের মন্তব্য".
    Comments,
    /// A newsletter, subscription, cookie or advertising prompt.
    Promo,
    /// Navigation, menus, breadcrumbs and site chrome.
    Navigation,
    /// A copyright, legal or imprint line.
    Legal,
    /// A caption or credit of media that is not part of the text.
    Caption,
    /// A byline or dateline found inside the body (kept as metadata instead).
    Byline,
    /// A reference or source list, moved to `sources_cited`.
    SourceList,
    /// Any other boilerplate the extractor scored as not part of the article.
    Boilerplate,
}

impl RemovedReason {
    /// The kebab-case code used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RemovedReason::DuplicateLine => "duplicate-line",
            RemovedReason::ShareBar => "share-bar",
            RemovedReason::RelatedLink => "related-link",
            RemovedReason::Comments => "comments",
            RemovedReason::Promo => "promo",
            RemovedReason::Navigation => "navigation",
            RemovedReason::Legal => "legal",
            RemovedReason::Caption => "caption",
            RemovedReason::Byline => "byline",
            RemovedReason::SourceList => "source-list",
            RemovedReason::Boilerplate => "boilerplate",
        }
    }
}

/// Joins block texts with blank lines: the definition of `Record::text`.
pub fn join_blocks(blocks: &[Block]) -> String {
    let mut out = String::with_capacity(blocks.iter().map(|b| b.text.len() + 2).sum());
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&b.text);
    }
    out
}

/// The stable id of a record: 16 hex digits of SHA-256 over the canonical URL when there is
/// one, else over the text with white space collapsed and case folded.
pub fn record_id(canonical_url: Option<&str>, text: &str) -> String {
    let mut h = Sha256::new();
    match canonical_url {
        Some(url) => {
            h.update(b"url\0");
            h.update(url.trim().as_bytes());
        }
        None => {
            h.update(b"text\0");
            let mut first = true;
            for word in text.split_whitespace() {
                if !first {
                    h.update(b" ");
                }
                first = false;
                h.update(word.to_lowercase().as_bytes());
            }
        }
    }
    let digest = h.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The site of a URL: its host, lowercased, without a leading `www.`.
pub fn site_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

impl Record {
    /// The record as content, in JSON: without where it was read from (`origin`, `url`: the
    /// same article from another WARC record, or under a URL with tracking parameters, is the
    /// same content) and without the story stage's fields. Two reads of one id with equal
    /// content are one version of the article (the store's *unchanged*, and the ordered story
    /// pass of the Python wheel skips them as `ingest` does).
    pub fn content_json(&self) -> Vec<u8> {
        let mut r = self.clone();
        r.origin.clear();
        r.url = None;
        r.story = None;
        r.duplicate_of = None;
        serde_json::to_vec(&r).unwrap_or_default()
    }

    /// Sets `text` from `blocks` and `id` from the canonical URL or the text.
    pub fn finish(&mut self) {
        self.text = join_blocks(&self.blocks);
        self.id = record_id(self.canonical_url.as_deref(), &self.text);
    }

    /// Checks the record's invariants: blocks joined equal `text`; every span (an entity
    /// mention, a quote's content, speaker and cue, a date) slices `text` (in characters) to its
    /// own `text`; `count` equals the number of mentions; a quote's `entity` is one of the
    /// entities' names; a date has a value; no removed text is still a block, and no removed
    /// text of 120 characters or more is still in `text`.
    pub fn check_invariants(&self) -> Result<()> {
        let fail = |message: String| {
            Err(Error::Invariant {
                id: self.id.clone(),
                message,
            })
        };
        if join_blocks(&self.blocks) != self.text {
            return fail("blocks joined by blank lines differ from text".into());
        }
        let index = crate::CharIndex::new(&self.text);
        let n_chars = index.len_chars();
        // Every span (a mention, a quote's content, speaker and cue, a date) must slice `text`
        // to its own text.
        let check_span = |what: &str, start: usize, end: usize, text: &str| -> Result<()> {
            if start > end || end > n_chars {
                return fail(format!("{what} {text:?} [{start}, {end}) out of range"));
            }
            let slice = &self.text[index.byte_of(start)..index.byte_of(end)];
            if slice != text {
                return fail(format!("{what} {text:?} [{start}, {end}) slices {slice:?}"));
            }
            Ok(())
        };
        for e in &self.entities {
            if e.count != e.mentions.len() {
                return fail(format!(
                    "entity {:?}: count {} but {} mentions",
                    e.name,
                    e.count,
                    e.mentions.len()
                ));
            }
            for m in &e.mentions {
                check_span("mention", m.start, m.end, &m.text)?;
            }
        }
        for q in &self.quotes {
            check_span("quote", q.start, q.end, &q.text)?;
            for (what, part) in [("quote speaker", &q.speaker), ("quote cue", &q.cue)] {
                if let Some(m) = part {
                    check_span(what, m.start, m.end, &m.text)?;
                }
            }
            if let Some(name) = &q.entity
                && !self.entities.iter().any(|e| &e.name == name)
            {
                return fail(format!(
                    "quote {:?}: entity {name:?} is not among the entities",
                    q.text
                ));
            }
        }
        for d in &self.dates {
            check_span("date", d.start, d.end, &d.text)?;
            if d.value.is_empty() {
                return fail(format!("date {:?} has an empty value", d.text));
            }
        }
        for r in &self.removed {
            let t = r.text.trim();
            // A duplicate line is a repeat that was dropped: the copy that was kept may well
            // still be a block.
            if t.is_empty() || r.reason == RemovedReason::DuplicateLine {
                continue;
            }
            if self.blocks.iter().any(|b| b.text == t) {
                return fail(format!(
                    "removed text {t:?} ({}) is still a block",
                    r.reason.as_str()
                ));
            }
            // A short removed line may recur inside a longer kept sentence (a dek that is the
            // lede's first clause); a long one may not.
            if t.chars().count() >= 120 && self.text.contains(t) {
                return fail(format!(
                    "removed text {t:?} ({}) is still in text",
                    r.reason.as_str()
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_stable_and_normalised() {
        assert_eq!(
            record_id(None, "Hello  World\n"),
            record_id(None, "hello world")
        );
        assert_ne!(
            record_id(None, "hello world"),
            record_id(Some("https://a.b/"), "hello world")
        );
        assert_eq!(record_id(None, "x").len(), 16);
    }

    #[test]
    fn site() {
        assert_eq!(
            site_of("https://www.BBC.com/news/x?y").as_deref(),
            Some("bbc.com")
        );
        assert_eq!(
            site_of("http://user@host.org:8080").as_deref(),
            Some("host.org")
        );
        assert_eq!(site_of("nonsense"), None);
    }

    fn record_with(text: &str) -> Record {
        let mut r = Record {
            blocks: vec![Block::new(BlockKind::Paragraph, text)],
            ..Record::default()
        };
        r.finish();
        r
    }

    fn mention(text: &str, start: usize, end: usize) -> Mention {
        Mention {
            start,
            end,
            text: text.into(),
        }
    }

    #[test]
    fn quote_and_date_spans_are_checked() {
        let mut r = record_with("„Wir helfen“, sagte Müller am Mittwoch.");
        r.entities.push(Entity {
            name: "Müller".into(),
            kind: EntityType::Per,
            mentions: vec![mention("Müller", 20, 26)],
            count: 1,
        });
        r.quotes.push(Quote {
            text: "Wir helfen".into(),
            start: 1,
            end: 11,
            kind: QuoteKind::Direct,
            speaker: Some(mention("Müller", 20, 26)),
            entity: Some("Müller".into()),
            cue: Some(mention("sagte", 14, 19)),
        });
        r.dates.push(DateMention {
            text: "Mittwoch".into(),
            start: 30,
            end: 38,
            kind: TimexType::Date,
            value: "XXXX-XX-XX".into(),
            anchor: DateAnchor::None,
        });
        r.check_invariants().unwrap();

        let mut bad = r.clone();
        bad.quotes[0].cue = Some(mention("sagte", 13, 18));
        assert!(bad.check_invariants().is_err());
        let mut bad = r.clone();
        bad.quotes[0].entity = Some("Merkel".into());
        assert!(bad.check_invariants().is_err());
        let mut bad = r.clone();
        bad.dates[0].end = 99;
        assert!(bad.check_invariants().is_err());
        let mut bad = r;
        bad.dates[0].value.clear();
        assert!(bad.check_invariants().is_err());
    }

    #[test]
    fn quote_and_date_wire_names() {
        let json = serde_json::json!({
            "text": "x", "start": 0, "end": 1, "kind": "indirect",
            "speaker": null, "entity": null, "cue": {"start": 0, "end": 1, "text": "x"}
        });
        let q: Quote = serde_json::from_value(json).unwrap();
        assert_eq!(q.kind, QuoteKind::Indirect);
        let d = DateMention {
            text: "1961".into(),
            start: 0,
            end: 4,
            kind: TimexType::Duration,
            value: "P24Y".into(),
            anchor: DateAnchor::Published,
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["type"], "DURATION");
        assert_eq!(v["anchor"], "published");
    }

    #[test]
    fn reason_codes_match_serde() {
        for r in [
            RemovedReason::DuplicateLine,
            RemovedReason::SourceList,
            RemovedReason::ShareBar,
        ] {
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }
}
