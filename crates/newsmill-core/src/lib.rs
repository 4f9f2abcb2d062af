//! The newsmill record and its parts.
//!
//! This crate holds the data types that flow between the stages of the pipeline:
//! [`RawDoc`] (what ingest reads) and [`Record`] (what every later stage fills in),
//! plus the one place where byte offsets become character offsets ([`CharIndex`]).
//! It does no I/O and knows nothing about HTML, NLP or storage.
//!
//! # Wire format
//!
//! A record serialises to one JSON object whose field names are part of the interface
//! (change them only with a CHANGELOG note). Offsets are in Unicode scalar values.
//!
//! ```
//! let json = r#"{
//!   "id": "3f1c0b6c1a2d4e5f",
//!   "origin": "examples/putin-north-korea.txt",
//!   "url": null, "canonical_url": null, "site": null,
//!   "title": "Putin on North Korea visit, eyes now on new deal",
//!   "dek": "Russian President Vladimir Putin arrived in North Korea",
//!   "byline": [], "published": null, "modified": null,
//!   "section": null, "tags": [],
//!   "language": "en",
//!   "blocks": [{"kind": "paragraph", "text": "Putin arrived."}],
//!   "text": "Putin arrived.",
//!   "sources_cited": ["Tass Russian News Agency"],
//!   "entities": [{"name": "Vladimir Putin", "type": "PER",
//!                 "mentions": [{"start": 0, "end": 5, "text": "Putin"}], "count": 1}],
//!   "quotes": [], "dates": [], "event_time": null,
//!   "removed": [{"reason": "duplicate-line", "text": "Russian President Vladimir Putin arrived in North Korea"}],
//!   "provenance": {"title": "first-line"},
//!   "duplicate_of": null, "story": null
//! }"#;
//! let record: newsmill_core::Record = serde_json::from_str(json).unwrap();
//! assert_eq!(record.entities[0].mentions[0].text, "Putin");
//! assert!(record.check_invariants().is_ok());
//! ```

mod offsets;
mod raw;
mod record;
mod search;

pub use offsets::CharIndex;
pub use raw::{InputHint, Origin, RawDoc};
pub use record::{
    Block, BlockKind, DateAnchor, DateMention, Entity, EntityType, Mention, Quote, QuoteKind,
    Record, Removed, RemovedReason, TimexType, join_blocks, record_id, site_of,
};
pub use search::{FacetCount, Facets, Hit, StoryEntity, StorySummary, format_unix};

/// Errors raised by the core types.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A record broke one of its invariants (blocks vs. text, offsets, removed text).
    #[error("record {id}: {message}")]
    Invariant {
        /// The record's id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

/// Result with the core [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
