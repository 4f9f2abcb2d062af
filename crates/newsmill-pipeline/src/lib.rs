//! The stages after reading, shared by every front end: the `newsmill` binary (`analyze`,
//! `ingest`, `serve`) and the Python wheel (`crates/newsmill-py`), so they give the same record.
//!
//! - [`Pipeline`]: a [`RawDoc`] to a [`Record`] (extraction, then entities, quotes and dates).
//! - [`arrow`]: the record as Arrow columns, the one schema of `newsmill export --format
//!   parquet` and of the wheel's batch functions.
//! - [`story`]: the story stage in input order, as `ingest` runs it (the wheel's second,
//!   ordered pass after a parallel one).
//!
//! Pure: no I/O; the callers read inputs and write outputs.

#![deny(missing_docs)]

pub mod arrow;
pub mod story;

use newsmill_core::{RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_nlp::{DatesConfig, Nlp};

/// Which stages run after reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stages {
    /// Extraction, then entities, quotes and dates.
    #[default]
    All,
    /// Extraction only: text and metadata, no NLP.
    Extract,
}

impl Stages {
    /// Reads `all` or `extract` (the CLI's `--stages` values).
    pub fn parse(s: &str) -> Option<Stages> {
        match s {
            "all" => Some(Stages::All),
            "extract" => Some(Stages::Extract),
            _ => None,
        }
    }
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The embedded NLP models or vocabularies did not load.
    #[error("loading the NLP models: {0}")]
    Nlp(String),
    /// Records could not be turned into Arrow columns, or columns into records.
    #[error("arrow: {0}")]
    Arrow(String),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why one document gave no record.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// Extraction found nothing to extract (empty, binary, not UTF-8, no article text).
    #[error(transparent)]
    Extract(#[from] newsmill_extract::ExtractError),
    /// The NLP stage panicked on this document (a bug; the run goes on).
    #[error("{origin}: the NLP stage panicked")]
    NlpPanicked {
        /// The document's origin.
        origin: String,
    },
}

impl StageError {
    /// The stage that failed, as the quarantine records it (`extract`, `nlp`).
    pub fn stage(&self) -> &'static str {
        match self {
            StageError::Extract(_) => "extract",
            StageError::NlpPanicked { .. } => "nlp",
        }
    }

    /// The document's origin.
    pub fn origin(&self) -> &str {
        match self {
            StageError::Extract(e) => e.origin(),
            StageError::NlpPanicked { origin } => origin,
        }
    }

    /// What went wrong, without the document's name.
    pub fn reason(&self) -> String {
        match self {
            StageError::Extract(e) => e.reason(),
            StageError::NlpPanicked { .. } => "the NLP stage panicked".into(),
        }
    }
}

/// The stages after reading, shared by every worker (`Sync`: one per process).
pub struct Pipeline {
    extract: ExtractConfig,
    nlp: Option<Nlp>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("nlp", &self.nlp.is_some())
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// The stages `stages` names, with `dates` as the default date setting.
    pub fn new(stages: Stages, dates: DatesConfig) -> Result<Pipeline> {
        let nlp = match stages {
            Stages::Extract => None,
            Stages::All => Some(
                Nlp::embedded()
                    .map_err(|e| Error::Nlp(e.to_string()))?
                    .with_dates(dates),
            ),
        };
        Ok(Pipeline {
            extract: ExtractConfig::default(),
            nlp,
        })
    }

    /// True when the NLP stage runs.
    pub fn has_nlp(&self) -> bool {
        self.nlp.is_some()
    }

    /// One document to its record, with the pipeline's date setting.
    pub fn run(&self, doc: &RawDoc) -> Result<Record, StageError> {
        self.run_with(doc, None)
    }

    /// One document to its record; `dates`, when given, replaces the pipeline's date setting
    /// for this document (a reference time known per document).
    pub fn run_with(
        &self,
        doc: &RawDoc,
        dates: Option<&DatesConfig>,
    ) -> Result<Record, StageError> {
        let mut record = extract(doc, &self.extract)?;
        if let Some(nlp) = &self.nlp {
            // The NLP stage is pure and must not panic; a panic would still lose only this
            // record, never the run.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match dates {
                Some(d) => newsmill_nlp::enrich_with(&mut record, nlp, d),
                None => newsmill_nlp::enrich(&mut record, nlp),
            }));
            if r.is_err() {
                return Err(StageError::NlpPanicked {
                    origin: doc.origin.to_string(),
                });
            }
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmill_core::{InputHint, Origin};

    #[test]
    fn nothing_extractable_names_the_stage_and_the_input() {
        let p = Pipeline::new(Stages::Extract, DatesConfig::default()).unwrap();
        let doc = RawDoc::new(
            Origin::Path("empty.txt".into()),
            InputHint::Text,
            Vec::new(),
        );
        let err = p.run(&doc).unwrap_err();
        assert_eq!(err.stage(), "extract");
        assert_eq!(err.origin(), "empty.txt");
        assert!(!err.reason().starts_with("empty.txt"), "{}", err.reason());
        assert!(err.to_string().starts_with("empty.txt"), "{err}");
    }

    #[test]
    fn stages_parse_as_the_cli_spells_them() {
        assert_eq!(Stages::parse("all"), Some(Stages::All));
        assert_eq!(Stages::parse("extract"), Some(Stages::Extract));
        assert_eq!(Stages::parse("nlp"), None);
    }
}
