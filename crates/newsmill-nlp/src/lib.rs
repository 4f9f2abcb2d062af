//! newsmill's NLP stage: tokens, sentences, named entities, quotes and dates.
//!
//! The entity tagger is an averaged perceptron over hashed features (words, shapes, affixes,
//! Brown word clusters, gazetteers, document-level features and an extended prediction history,
//! after Ratinov and Roth 2009), decoded with a small beam under BILOU constraints. There is one
//! model per language (English, German, Spanish, Dutch), each trained here (`cargo xtask
//! train-ner --lang L`) and shipped inside this crate, so nothing is read or downloaded at run
//! time. A tagger only ever reads text in its own language: see [`entities`] for how a record's
//! blocks find theirs, and what a record in a language without a tagger gets (no entities, and
//! a provenance entry that says so).
//!
//! The stage is pure: [`enrich`] fills a [`Record`]'s `entities` from its `text` and
//! `sources_cited`, then its `quotes` (who said what: [`quotes`]) and its `dates` and
//! `event_time` (through `newsmill-time`); the caller makes one [`Nlp`] ([`Nlp::embedded`]) and
//! passes it in. This crate does no I/O; it asks `newsmill-lang` for the language of a block.
//!
//! ```
//! let nlp = newsmill_nlp::Nlp::embedded().unwrap();
//! let text = "Russian President Vladimir Putin arrived in Pyongyang on Wednesday.";
//! let found = nlp.entities("en", text).unwrap();
//! let found: Vec<&str> = found.iter().map(|e| &text[e.start..e.end]).collect();
//! assert!(found.contains(&"Vladimir Putin"));
//! ```
//!
//! # Entities named only in `sources_cited`
//!
//! Mention offsets point into `text` only. Names found in `sources_cited` are grouped with the
//! names found in `text`: they add no mention to an entity that `text` mentions too, and an
//! entity named only there is listed with no mentions (`"mentions": [], "count": 0`), so
//! `count` keeps meaning "mentions in `text`" and a reader who wants every person the article
//! draws on still finds them in `entities`.

#![allow(clippy::needless_range_loop)]

mod canon;
pub mod conll;
mod dates;
pub mod entities;
mod features;
mod label;
mod model;
pub mod places;
pub mod quotes;
mod resources;
mod restore;
pub mod sentences;
mod tables;
pub mod tokenize;

use std::borrow::Cow;
use std::sync::OnceLock;

use newsmill_core::{EntityType, Record};

pub use canon::{Group, SpanMention, group};
pub use dates::DatesConfig;
use label::Pos;
pub use label::{Label, from_iob};
pub use model::{Model, TrainConfig, TrainDoc, train};
pub use newsmill_time::{DateAnchor, Reference};

/// Errors of the NLP stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model file is damaged or from another version.
    #[error("NER model: {0}")]
    Model(String),
    /// No tagger for this language.
    #[error("no NER model for language {0:?} (models: {1})")]
    NoModel(String, String),
    /// The date stage's vocabularies do not read.
    #[error("dates: {0}")]
    Dates(#[from] newsmill_time::Error),
}

/// Result with the NLP [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Sentences per document when a CoNLL file marks no documents (see
/// [`conll::documents_or_windows`]); training and `ner --conll` cut such files the same way.
pub const UNMARKED_DOC_SENTENCES: usize = 20;

/// Bytes that start at an 8-byte boundary, so that the tables of an image are read in place.
#[repr(C, align(8))]
struct Aligned<B: ?Sized>(B);

/// The models compiled into the binary, by ISO 639-1 language: the model files
/// (`models/ner-L.bin.zst`, see `models/README.md`) as table images that `build.rs` writes
/// (see [`tables`]).
static EMBEDDED_MODELS: &[(&str, &Aligned<[u8]>)] = &[
    (
        "en",
        &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/ner-en.tables"))),
    ),
    (
        "de",
        &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/ner-de.tables"))),
    ),
    (
        "es",
        &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/ner-es.tables"))),
    ),
    (
        "nl",
        &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/ner-nl.tables"))),
    ),
];

/// A tagger for one language, loaded when first asked for.
struct Tagger {
    lang: String,
    image: &'static [u8],
    model: OnceLock<std::result::Result<Model, String>>,
}

/// Everything the NLP stage needs, shared by all records: one entity tagger per language,
/// each loaded the first time a text in its language needs it (so `ner --conll --lang de` or an
/// archive of English news never pays for the other models).
pub struct Nlp {
    taggers: Vec<Tagger>,
    dates: DatesConfig,
}

impl std::fmt::Debug for Nlp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nlp")
            .field("languages", &self.languages().collect::<Vec<_>>())
            .finish()
    }
}

/// An entity span found by the tagger: byte offsets into the tagged string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntitySpan {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Type.
    pub kind: EntityType,
}

impl Nlp {
    /// The taggers compiled into this crate (a language's tables are read, in place, when it is
    /// first used).
    pub fn embedded() -> Result<Nlp> {
        // The date vocabularies are read once per process; a broken one is an error here, not
        // a silent gap in every record.
        newsmill_time::Tagger::shared()?;
        Ok(Nlp {
            taggers: EMBEDDED_MODELS
                .iter()
                .map(|&(lang, image)| Tagger {
                    lang: lang.to_string(),
                    image: &image.0,
                    model: OnceLock::new(),
                })
                .collect(),
            dates: DatesConfig::default(),
        })
    }

    /// Sets how dates are resolved (the reference time of `newsmill analyze --reference-time`).
    pub fn with_dates(mut self, dates: DatesConfig) -> Nlp {
        self.dates = dates;
        self
    }

    /// One language's tagger from the bytes of a model file (checked now).
    pub fn from_model_bytes(lang: &str, bytes: &[u8]) -> Result<Nlp> {
        Ok(Nlp::from_model(lang, Model::from_bytes(bytes)?))
    }

    /// One language's tagger, already built (as training returns it).
    pub fn from_model(lang: &str, model: Model) -> Nlp {
        Nlp {
            taggers: vec![Tagger {
                lang: lang.to_string(),
                image: &[],
                model: OnceLock::from(Ok(model)),
            }],
            dates: DatesConfig::default(),
        }
    }

    /// Gives the first tagger back, if it is loaded.
    pub fn into_model(self) -> Option<Model> {
        self.taggers
            .into_iter()
            .next()
            .and_then(|t| t.model.into_inner())
            .and_then(|m| m.ok())
    }

    /// The languages that have a tagger (ISO 639-1).
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.taggers.iter().map(|t| t.lang.as_str())
    }

    /// Whether `lang` has a tagger.
    pub fn has(&self, lang: &str) -> bool {
        self.taggers.iter().any(|t| t.lang == lang)
    }

    /// The tagger of `lang`, loading it on first use.
    pub fn model(&self, lang: &str) -> Result<&Model> {
        let Some(t) = self.taggers.iter().find(|t| t.lang == lang) else {
            return Err(Error::NoModel(
                lang.to_string(),
                self.languages().collect::<Vec<_>>().join(", "),
            ));
        };
        t.model
            .get_or_init(|| Model::from_image(t.image).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Model(format!("{lang}: {e}")))
    }

    /// Tags a document of pre-tokenized sentences (as `ner --conll` reads them) with the tagger
    /// of `lang`.
    pub fn tag_tokens<S: AsRef<str>>(&self, lang: &str, doc: &[Vec<S>]) -> Result<Vec<Vec<Label>>> {
        Ok(self.model(lang)?.tag_doc(doc))
    }

    /// Finds the entities of `text`, in language `lang`, tokenized and split into sentences
    /// here, tagged as one document. Offsets are bytes of `text`.
    pub fn entities(&self, lang: &str, text: &str) -> Result<Vec<EntitySpan>> {
        Ok(self
            .model(lang)?
            .entities_in(&[text])
            .pop()
            .unwrap_or_default())
    }
}

impl Model {
    /// Finds the entities of several strings tagged together as one document (so that, say, a
    /// name in a source list is read in the light of the article). Offsets are bytes of each
    /// string.
    pub fn entities_in(&self, texts: &[&str]) -> Vec<Vec<EntitySpan>> {
        // Sentences of all texts, each as (text index, token spans).
        let mut sents: Vec<(usize, Vec<tokenize::Token>)> = Vec::new();
        for (k, text) in texts.iter().enumerate() {
            let tokens = tokenize::tokenize(text);
            for r in sentences::split_sentences(text, &tokens) {
                sents.push((k, tokens[r].to_vec()));
            }
        }
        let doc: Vec<Vec<Cow<'_, str>>> = sents
            .iter()
            .map(|(k, toks)| toks.iter().map(|t| normalize(t.text(texts[*k]))).collect())
            .collect();
        let labels = self.tag_doc(&doc);
        let mut out = vec![Vec::new(); texts.len()];
        for ((k, toks), labs) in sents.iter().zip(&labels) {
            let labs = extend_short_name_parts(texts[*k], toks, labs);
            let mut open: Option<usize> = None;
            for (tok, l) in toks.iter().zip(&labs) {
                let Some(kind) = l.entity_type() else {
                    open = None;
                    continue;
                };
                match l.pos() {
                    Some(Pos::B) => open = Some(tok.start),
                    Some(Pos::I) => {}
                    _ => {
                        let start = if l.pos() == Some(Pos::L) {
                            open.take().unwrap_or(tok.start)
                        } else {
                            tok.start
                        };
                        out[*k].push(EntitySpan {
                            start,
                            end: tok.end,
                            kind,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Extends a person name by one short capitalized part the tagger left out, as in the
/// three-part East Asian names "Kim Jong Un" or "Ban Ki Moon" (CoNLL-2003 has few such names,
/// and "Un" looks like the organisation "UN" to it): a title-case word of two or three letters
/// right after a person, tagged `O`, and not followed by another capitalized word.
fn extend_short_name_parts(text: &str, toks: &[tokenize::Token], labs: &[Label]) -> Vec<Label> {
    let mut out = labs.to_vec();
    for j in 0..toks.len().saturating_sub(1) {
        let l = out[j];
        if l.entity_type() != Some(EntityType::Per) || !matches!(l.pos(), Some(Pos::L | Pos::U)) {
            continue;
        }
        let next = toks[j + 1].text(text);
        let mut chars = next.chars();
        let short_title = chars.next().is_some_and(char::is_uppercase)
            && chars.all(char::is_lowercase)
            && (2..=3).contains(&next.chars().count());
        let adjacent = toks[j].end + 1 == toks[j + 1].start;
        let then_cap = toks
            .get(j + 2)
            .is_some_and(|t| t.text(text).chars().next().is_some_and(char::is_uppercase));
        if short_title && adjacent && out[j + 1] == Label::O && !then_cap {
            let t = l.type_index().unwrap_or(0);
            out[j] = Label::new(
                t,
                if l.pos() == Some(Pos::U) {
                    Pos::B
                } else {
                    Pos::I
                },
            );
            out[j + 1] = Label::new(t, Pos::L);
        }
    }
    out
}

/// Maps typographic characters to the ASCII forms of the training data (CoNLL-2003 has straight
/// quotes and apostrophes only).
fn normalize(tok: &str) -> Cow<'_, str> {
    let typographic = |c: char| {
        matches!(
            c,
            '“' | '”' | '„' | '«' | '»' | '‘' | '’' | '‚' | '‹' | '›' | '—' | '–'
        )
    };
    if tok.is_ascii() || !tok.chars().any(typographic) {
        return Cow::Borrowed(tok);
    }
    let mapped: String = tok
        .chars()
        .map(|c| match c {
            '“' | '”' | '„' | '«' | '»' => '"',
            '‘' | '’' | '‚' | '‹' | '›' => '\'',
            '—' | '–' => '-',
            c => c,
        })
        .collect();
    Cow::Owned(mapped)
}

/// Runs the NLP stage on a record: fills `record.entities` (see [`entities`] and the crate
/// docs) from `record.text` and `record.sources_cited`, each block tagged by the model of its
/// language, and says in `record.provenance["entities"]` which models tagged it; then
/// `record.quotes` from the text, the language and the entities ([`quotes::find_quotes`]), and
/// `record.dates` and `record.event_time` ([`enrich_dates`]). Offsets are characters of `text`.
pub fn enrich(record: &mut Record, nlp: &Nlp) {
    enrich_with(record, nlp, &nlp.dates);
}

/// [`enrich`] with a date setting of its own for this record (the Python wheel's
/// `analyze(..., published=...)`: a reference time per call, one `Nlp` for every call).
pub fn enrich_with(record: &mut Record, nlp: &Nlp, dates: &DatesConfig) {
    entities::enrich_entities(record, nlp);
    record.quotes = quotes::find_quotes(&record.text, record.language.as_deref(), &record.entities);
    if let Ok(tagger) = newsmill_time::Tagger::shared() {
        dates::fill(record, tagger, dates);
    }
}

/// Fills `record.dates` and `record.event_time` (with `provenance.event_time`) from the
/// record's blocks, language, `published` time and the [`DatesConfig`] of `nlp`. [`enrich`]
/// calls it; it is public for timing the date stage alone.
pub fn enrich_dates(record: &mut Record, nlp: &Nlp) {
    // `Nlp::embedded` refuses to load when the vocabularies do not read, so this only skips
    // for an `Nlp` built from a bare model in a process whose vocabularies are broken.
    if let Ok(tagger) = newsmill_time::Tagger::shared() {
        dates::fill(record, tagger, &nlp.dates);
    }
}
