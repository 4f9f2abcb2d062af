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
    /// Quotes (a later stage).
    pub quotes: Vec<Quote>,
    /// Dates mentioned in the text (a later stage).
    pub dates: Vec<DateMention>,
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

/// A quote attributed to a speaker (filled by a later stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words.
    pub text: String,
    /// Who said it, as an entity name, when known.
    pub speaker: Option<String>,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
}

/// A date expression in the text (filled by a later stage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateMention {
    /// The expression as written ("Wednesday morning", "1961").
    pub text: String,
    /// Its resolved value (RFC 3339 or a coarser ISO 8601 form), when resolved.
    pub value: Option<String>,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
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
    /// Sets `text` from `blocks` and `id` from the canonical URL or the text.
    pub fn finish(&mut self) {
        self.text = join_blocks(&self.blocks);
        self.id = record_id(self.canonical_url.as_deref(), &self.text);
    }

    /// Checks the record's invariants: blocks joined equal `text`; every mention slices `text`
    /// (in characters) to its own `text`; `count` equals the number of mentions; no removed text
    /// is still a block, and no removed text of 120 characters or more is still in `text`.
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
                if m.start > m.end || m.end > n_chars {
                    return fail(format!(
                        "mention {:?} [{}, {}) out of range",
                        m.text, m.start, m.end
                    ));
                }
                let slice = &self.text[index.byte_of(m.start)..index.byte_of(m.end)];
                if slice != m.text {
                    return fail(format!(
                        "mention {:?} [{}, {}) slices {:?}",
                        m.text, m.start, m.end, slice
                    ));
                }
            }
        }
        for r in &self.removed {
            let t = r.text.trim();
            if t.is_empty() {
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
