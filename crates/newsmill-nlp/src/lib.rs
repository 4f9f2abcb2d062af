//! newsmill's NLP stage: tokens, sentences and named entities.
//!
//! The entity tagger is an averaged perceptron over hashed features (words, shapes, affixes,
//! Brown word clusters, gazetteers, document-level features and an extended prediction history,
//! after Ratinov and Roth 2009), decoded greedily left to right under BILOU constraints. It was
//! trained on CoNLL-2003 English (`cargo xtask train-ner`) and the model ships inside this crate,
//! so nothing is read or downloaded at run time.
//!
//! The stage is pure: [`enrich`] fills a [`Record`]'s `entities` from its `text` and
//! `sources_cited`, then its `quotes` (who said what: [`quotes`]) and its `dates` and
//! `event_time` (through `newsmill-time`); the caller loads the model once ([`Nlp::embedded`])
//! and passes it in. This crate does no I/O and does not do language detection.
//!
//! ```
//! let nlp = newsmill_nlp::Nlp::embedded().unwrap();
//! let text = "Russian President Vladimir Putin arrived in Pyongyang on Wednesday.";
//! let found: Vec<&str> = nlp.entities(text).iter().map(|e| &text[e.start..e.end]).collect();
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
mod features;
mod label;
mod model;
pub mod quotes;
mod resources;
pub mod sentences;
pub mod tokenize;

use std::borrow::Cow;

use newsmill_core::{CharIndex, Entity, EntityType, Mention, Record};

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
    /// The date stage's vocabularies do not read.
    #[error("dates: {0}")]
    Dates(#[from] newsmill_time::Error),
}

/// Result with the NLP [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The model compiled into the binary (see `models/README.md`).
static EMBEDDED_MODEL: &[u8] = include_bytes!("../models/ner-en.bin.zst");

/// Everything the NLP stage needs, loaded once and shared by all records.
#[derive(Debug)]
pub struct Nlp {
    model: Model,
    dates: DatesConfig,
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
    /// Loads the model compiled into this crate.
    pub fn embedded() -> Result<Nlp> {
        Nlp::from_model_bytes(EMBEDDED_MODEL)
    }

    /// Loads a model from the bytes of a model file.
    pub fn from_model_bytes(bytes: &[u8]) -> Result<Nlp> {
        // The date vocabularies are read once per process; a broken one is an error here, not
        // a silent gap in every record.
        newsmill_time::Tagger::shared()?;
        Ok(Nlp::from_model(Model::from_bytes(bytes)?))
    }

    /// Wraps an already built model (as training returns it).
    pub fn from_model(model: Model) -> Nlp {
        Nlp {
            model,
            dates: DatesConfig::default(),
        }
    }

    /// Sets how dates are resolved (the reference time of `newsmill analyze --reference-time`).
    pub fn with_dates(mut self, dates: DatesConfig) -> Nlp {
        self.dates = dates;
        self
    }

    /// Gives the tagger back.
    pub fn into_model(self) -> Model {
        self.model
    }

    /// The tagger.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Tags a document of pre-tokenized sentences (as `ner --conll` reads them).
    pub fn tag_tokens<S: AsRef<str>>(&self, doc: &[Vec<S>]) -> Vec<Vec<Label>> {
        self.model.tag_doc(doc)
    }

    /// Finds the entities of `text`, tokenized and split into sentences here, tagged as one
    /// document. Offsets are bytes of `text`.
    pub fn entities(&self, text: &str) -> Vec<EntitySpan> {
        self.entities_in(&[text]).pop().unwrap_or_default()
    }

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
        let labels = self.model.tag_doc(&doc);
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
    if tok.is_ascii() {
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

/// Fills `record.entities` from `record.text` and `record.sources_cited` (see the crate docs
/// for how names found only in `sources_cited` are listed), then `record.quotes` from the text,
/// the language and the entities ([`quotes::find_quotes`]). Offsets are characters of `text`.
pub fn enrich(record: &mut Record, nlp: &Nlp) {
    // The text and the sources are tagged as one document, so the document-level features
    // carry what the article says about a name into its source list.
    let mut texts: Vec<&str> = vec![record.text.as_str()];
    texts.extend(record.sources_cited.iter().map(String::as_str));
    let mut mentions: Vec<SpanMention> = Vec::new();
    for (k, spans) in nlp.entities_in(&texts).into_iter().enumerate() {
        mentions.extend(spans.into_iter().map(|e| SpanMention {
            start: e.start,
            end: e.end,
            kind: e.kind,
            source: k.checked_sub(1),
        }));
    }
    let text = &record.text;
    let sources = &record.sources_cited;
    let groups = group(&mentions, |src| match src {
        None => text.as_str(),
        Some(i) => sources[i].as_str(),
    });
    let index = CharIndex::new(text);
    let mut entities: Vec<(usize, Entity)> = groups
        .into_iter()
        .map(|g| {
            let ms: Vec<Mention> = g
                .mentions
                .iter()
                .filter(|m| m.source.is_none())
                .map(|m| Mention {
                    start: index.char_of(m.start),
                    end: index.char_of(m.end),
                    text: text[m.start..m.end].to_string(),
                })
                .collect();
            let first = g
                .mentions
                .iter()
                .find(|m| m.source.is_none())
                .map_or(usize::MAX, |m| m.start);
            (
                first,
                Entity {
                    name: g.name,
                    kind: g.kind,
                    count: ms.len(),
                    mentions: ms,
                },
            )
        })
        .collect();
    // Text order; names only in sources_cited follow, in their order.
    entities.sort_by_key(|(first, _)| *first);
    record.entities = entities.into_iter().map(|(_, e)| e).collect();
    record.quotes = quotes::find_quotes(&record.text, record.language.as_deref(), &record.entities);
    enrich_dates(record, nlp);
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
