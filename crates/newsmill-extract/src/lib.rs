//! Extraction: raw documents to clean records.
//!
//! [`extract`] turns one [`RawDoc`] (an HTML page or a plain-text article as a scraper left it)
//! into a [`Record`]: title, dek, byline, dates, language, the body as `blocks` and `text`,
//! `sources_cited`, and every piece of dropped text under `removed` with its reason.
//!
//! It deliberately does no I/O and no NLP (entities are the nlp stage's job): it is a pure
//! function of its input, so it runs the same on one core, on rayon, or in a Spark partition.
//!
//! ```
//! use newsmill_core::{InputHint, Origin, RawDoc};
//! use newsmill_extract::{extract, ExtractConfig};
//!
//! let text = "A headline about the harbour\n\nThe harbour reopened on Monday after a storm closed it for a week, officials said.\n\nShare this article";
//! let doc = RawDoc::new(Origin::Stdin, InputHint::Text, text.as_bytes().to_vec());
//! let record = extract(&doc, &ExtractConfig::default()).unwrap();
//! assert_eq!(record.title.as_deref(), Some("A headline about the harbour"));
//! assert_eq!(record.removed[0].text, "Share this article");
//! ```

pub mod audit;
mod boilerplate;
mod datefind;
mod dateline;
mod decode;
mod html;
mod rules;
mod text;
mod tuning;

use newsmill_core::{InputHint, RawDoc, Record};

pub use decode::decode_html;
pub use newsmill_lang::detect_language;
pub use tuning::{Tuning, UnknownSetting};

/// Extraction settings.
#[derive(Debug, Clone)]
pub struct ExtractConfig {
    /// Detect the body's language (and the language of removed blocks) from the text.
    pub detect_language: bool,
    /// The rules' thresholds and switches (the defaults are what newsmill ships; evaluations
    /// vary them).
    pub tuning: Tuning,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            detect_language: true,
            tuning: Tuning::default(),
        }
    }
}

/// Why nothing could be extracted from an input.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The input has no bytes, or only white space.
    #[error("{origin}: empty input")]
    Empty {
        /// The input.
        origin: String,
    },
    /// The input looks binary (NUL or many control bytes), not text or HTML.
    #[error("{origin}: binary input, not text or HTML")]
    Binary {
        /// The input.
        origin: String,
    },
    /// Text mode needs UTF-8.
    #[error("{origin}: not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 {
        /// The input.
        origin: String,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The document has no article text at all.
    #[error("{origin}: no article text found")]
    NoContent {
        /// The input.
        origin: String,
    },
}

impl ExtractError {
    /// The input the error is about.
    pub fn origin(&self) -> &str {
        match self {
            ExtractError::Empty { origin }
            | ExtractError::Binary { origin }
            | ExtractError::NotUtf8 { origin, .. }
            | ExtractError::NoContent { origin } => origin,
        }
    }

    /// What went wrong, without the input's name ("empty input").
    pub fn reason(&self) -> String {
        match self {
            ExtractError::Empty { .. } => "empty input".into(),
            ExtractError::Binary { .. } => "binary input, not text or HTML".into(),
            ExtractError::NotUtf8 { offset, .. } => {
                format!("not UTF-8 (invalid byte at offset {offset})")
            }
            ExtractError::NoContent { .. } => "no article text found".into(),
        }
    }
}

/// Result with [`ExtractError`].
pub type Result<T, E = ExtractError> = std::result::Result<T, E>;

/// What kind of document a raw input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An HTML page.
    Html,
    /// Plain text.
    Text,
}

/// Decides whether `doc` is HTML or text: the hint when given, else the content type, the
/// file name, then the first bytes.
pub fn sniff(doc: &RawDoc) -> Kind {
    match doc.hint {
        InputHint::Html => return Kind::Html,
        InputHint::Text => return Kind::Text,
        InputHint::Auto => {}
    }
    if let Some(ct) = &doc.content_type {
        let ct = ct.to_ascii_lowercase();
        if ct.contains("html") || ct.contains("xml") {
            return Kind::Html;
        }
        if ct.starts_with("text/plain") {
            return Kind::Text;
        }
    }
    let name = doc.origin.to_string().to_ascii_lowercase();
    let name = name.split(['?', '#']).next().unwrap_or("");
    if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml") {
        return Kind::Html;
    }
    if name.ends_with(".txt") || name.ends_with(".text") || name.ends_with(".md") {
        return Kind::Text;
    }
    let head = &doc.bytes[..doc.bytes.len().min(2048)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.starts_with("<!--")
        || head.contains("<body")
        || head.contains("<head")
        || head.contains("<p>")
        || head.contains("<div")
    {
        Kind::Html
    } else {
        Kind::Text
    }
}

/// Extracts a record from one raw document.
///
/// `Err` means there is nothing to extract (empty, binary, undecodable text, no article text);
/// odd content otherwise yields a thin record whose `removed` says what was dropped.
pub fn extract(doc: &RawDoc, config: &ExtractConfig) -> Result<Record> {
    let origin = doc.origin.to_string();
    if doc.bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ExtractError::Empty { origin });
    }
    if looks_binary(&doc.bytes) {
        return Err(ExtractError::Binary { origin });
    }
    let mut record = match sniff(doc) {
        Kind::Text => {
            let text = std::str::from_utf8(&doc.bytes).map_err(|e| ExtractError::NotUtf8 {
                origin: origin.clone(),
                offset: e.valid_up_to(),
            })?;
            text::extract_text(text, config)
        }
        Kind::Html => {
            let html = decode_html(&doc.bytes, doc.content_type.as_deref());
            html::extract_html(&html, doc.url.as_deref(), config)
        }
    };
    if record.blocks.is_empty() && record.title.is_none() {
        return Err(ExtractError::NoContent { origin });
    }
    record.origin = origin;
    if record.url.is_none() {
        record.url.clone_from(&doc.url);
    }
    if record.canonical_url.is_none() {
        record.canonical_url.clone_from(&record.url);
    }
    if record.site.is_none() {
        record.site = record
            .canonical_url
            .as_deref()
            .and_then(newsmill_core::site_of);
    }
    // The reader's word on where a field came from, for the fields the record has.
    for (field, source) in &doc.provenance {
        let empty = match field.as_str() {
            "byline" => record.byline.is_empty(),
            "title" => record.title.is_none(),
            "published" => record.published.is_none(),
            "text" => record.blocks.is_empty(),
            _ => false,
        };
        if !empty {
            record.provenance.insert(field.clone(), source.clone());
        }
    }
    record.finish();
    Ok(record)
}

/// True when the bytes are not text: a NUL byte, a known binary signature, or more than one
/// control byte in 20 among the first 8 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    const MAGIC: [&[u8]; 6] = [
        b"\x1f\x8b",
        b"%PDF",
        b"\x89PNG",
        b"PK\x03\x04",
        b"\xff\xd8\xff",
        b"GIF8",
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    // UTF-16 text starts with a BOM; it is decodable, so not binary.
    if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") {
        return false;
    }
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    control * 20 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmill_core::Origin;

    #[test]
    fn errors_say_their_input_once_and_their_reason_alone() {
        let e = ExtractError::NotUtf8 {
            origin: "a: b.txt".into(),
            offset: 3,
        };
        assert_eq!(e.origin(), "a: b.txt");
        assert_eq!(e.to_string(), format!("{}: {}", e.origin(), e.reason()));
        for e in [
            ExtractError::Empty { origin: "x".into() },
            ExtractError::Binary { origin: "x".into() },
            ExtractError::NoContent { origin: "x".into() },
        ] {
            assert_eq!(e.to_string(), format!("x: {}", e.reason()));
        }
    }

    fn doc(bytes: &[u8], hint: InputHint) -> RawDoc {
        RawDoc::new(Origin::Path("x".into()), hint, bytes.to_vec())
    }

    #[test]
    fn bad_inputs_are_errors_that_name_the_input() {
        let e = extract(&doc(b"  \n", InputHint::Auto), &ExtractConfig::default()).unwrap_err();
        assert_eq!(e.to_string(), "x: empty input");
        let e = extract(
            &doc(b"\x00\x01\x02abc", InputHint::Auto),
            &ExtractConfig::default(),
        )
        .unwrap_err();
        assert!(matches!(e, ExtractError::Binary { .. }));
        let e = extract(
            &doc(b"Title\n\nBody \xff text.", InputHint::Text),
            &ExtractConfig::default(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "x: not UTF-8 (invalid byte at offset 12)");
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff(&doc(b"<!DOCTYPE html><p>x", InputHint::Auto)),
            Kind::Html
        );
        assert_eq!(
            sniff(&doc(b"Just a title\n\nAnd text.", InputHint::Auto)),
            Kind::Text
        );
        assert_eq!(sniff(&doc(b"<p>x", InputHint::Text)), Kind::Text);
    }
}
