//! What ingest hands to extract: bytes plus where they came from.

use std::collections::BTreeMap;
use std::fmt;

/// Where an input came from. Every error about an input names its origin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A file path, as given on the command line.
    Path(String),
    /// Standard input, written `-`.
    Stdin,
    /// A URL that was fetched.
    Url(String),
    /// A record inside a WARC file, at a byte offset of the (possibly compressed) file.
    Warc {
        /// Path of the WARC file.
        file: String,
        /// Byte offset of the record in the file.
        offset: u64,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Path(p) => f.write_str(p),
            Origin::Stdin => f.write_str("-"),
            Origin::Url(u) => f.write_str(u),
            Origin::Warc { file, offset } => write!(f, "{file}#{offset}"),
        }
    }
}

/// How to read the bytes of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputHint {
    /// An HTML page.
    Html,
    /// Plain text as a scraper left it.
    Text,
    /// Decide from the name, the content type and the bytes.
    #[default]
    Auto,
}

/// One raw input document, before extraction.
#[derive(Debug, Clone)]
pub struct RawDoc {
    /// Where it came from.
    pub origin: Origin,
    /// The URL of the page, when known (from the WARC record, the feed or the fetch).
    pub url: Option<String>,
    /// When it was fetched (RFC 3339), when known.
    pub fetched_at: Option<String>,
    /// The HTTP `Content-Type`, when known; its charset takes part in decoding HTML.
    pub content_type: Option<String>,
    /// How to read the bytes.
    pub hint: InputHint,
    /// The bytes as read.
    pub bytes: Vec<u8>,
    /// Where fields came from, as the reader knows it better than the bytes say (a feed entry
    /// read from its summary: `"text": "feed:summary"`); extract adds these entries to the
    /// record's `provenance`, over its own.
    pub provenance: BTreeMap<String, String>,
}

impl RawDoc {
    /// A document with only an origin, a hint and bytes.
    pub fn new(origin: Origin, hint: InputHint, bytes: Vec<u8>) -> RawDoc {
        RawDoc {
            origin,
            url: None,
            fetched_at: None,
            content_type: None,
            hint,
            bytes,
            provenance: BTreeMap::new(),
        }
    }
}
