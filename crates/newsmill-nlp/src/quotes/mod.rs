//! Who said what: direct quotes, indirect attributions, their speakers and cues.
//!
//! [`find_quotes`] reads one text and the entities found in it, and returns the record's
//! `quotes`:
//!
//! 1. **Direct quotes** (`marks.rs`): the spans between quotation marks of every style, across
//!    paragraphs when each paragraph re-opens the quote, and dialogue dashes.
//! 2. **Cues** (`lexicon.rs`, `data/quotes/cues-LANG.txt`): reporting verbs and phrases of the
//!    record's language (en, de, es, fr), outside direct quotes.
//! 3. **Attribution** (`attribute.rs`): for each cue, its source (the noun phrase before the
//!    verb, or after it when inverted: "said Smith", "sagte er", "a-t-il dit") and its content:
//!    the quote next to it ("“…,” he said", "he said: “…”", an interrupted quote), the clause
//!    after it ("X said (that) …"), or the clause before it ("…, X added"); "according to X"
//!    and its kin take the source after them. A quote no cue claims inherits the speaker of
//!    the quote just before it (same paragraph, or the previous one when the paragraph opens
//!    with the quote); one with no speaker is kept when it is long enough to be speech, not a
//!    scare quote or a title.
//! 4. **Speakers** (`resolve.rs`): the source mention is resolved to a canonical entity name:
//!    the entity it mentions, or for a pronoun ("he", "sie", "il") the nearest earlier speaker
//!    or person in subject position, or for a description ("the ministry", "the president")
//!    the nearest earlier organisation or person it names.
//!
//! Languages without a cue lexicon get direct quotes only, without speakers. The stage is pure
//! and reads nothing at run time: the data files are compiled in.

mod attribute;
mod cuemodel;
mod lexicon;
mod marks;
mod resolve;
mod words;

use newsmill_core::{CharIndex, Entity, Mention, Quote, QuoteKind};

#[doc(hidden)]
pub use cuemodel::CueModel;

use crate::tokenize::tokenize;

/// Finds the quotes and attributions of `text` (the record's body), in text order.
///
/// `language` is the record's ISO 639-1 code; `entities` are the record's entities (their
/// mentions are character offsets into `text`), used to name speakers. Offsets in the result
/// are characters of `text`; every quote's `entity` is one of `entities[].name`.
///
/// ```
/// use newsmill_core::{Entity, EntityType, Mention};
/// let text = "“We will not back down,” Smith said.";
/// let smith = Entity {
///     name: "John Smith".into(),
///     kind: EntityType::Per,
///     mentions: vec![Mention { start: 25, end: 30, text: "Smith".into() }],
///     count: 1,
/// };
/// let quotes = newsmill_nlp::quotes::find_quotes(text, Some("en"), &[smith]);
/// assert_eq!(quotes[0].text, "We will not back down,");
/// assert_eq!(quotes[0].entity.as_deref(), Some("John Smith"));
/// assert_eq!(quotes[0].cue.as_ref().unwrap().text, "said");
/// ```
pub fn find_quotes(text: &str, language: Option<&str>, entities: &[Entity]) -> Vec<Quote> {
    find_quotes_with(text, language, entities, &QuoteConfig::default())
}

/// Options of [`find_quotes_with`].
#[derive(Debug, Clone)]
pub struct QuoteConfig {
    /// Drop the attributions the learned cue model rejects (`data/quotes/cue-model-en.txt.zst`,
    /// made by `cargo xtask train-quotes`).
    pub cue_filter: bool,
    /// List a quote inside a reported clause ("called for a joint opposition to “illegal
    /// unilateral restrictions”") as a direct quote of its own beside the clause (the
    /// default: its exact words are what a reader looks for). Without it the quote is part
    /// of the clause's content only, as attribution corpora such as PolNeAR annotate it.
    pub nested_quotes: bool,
    /// Add the cues the learned cue tagger finds outside the cue lexicon ("criticism",
    /// "made clear", a colon; `data/quotes/cue-tagger-en.txt.zst`, made by `cargo xtask
    /// train-quotes tagger`); their attributions only add to the lexicon's, never change
    /// them. On by default.
    pub cue_tagger: bool,
    /// Give the lexicon's verb cues that none of the attribution patterns reads a loose
    /// reading (the content after the verb, the subject before it) and keep it when the cue
    /// model says so: "Democrats saying that …", "urged lawmakers to …". Only in languages
    /// with a cue model (English); on by default.
    pub fallback: bool,
}

impl Default for QuoteConfig {
    fn default() -> QuoteConfig {
        QuoteConfig {
            cue_filter: true,
            nested_quotes: true,
            cue_tagger: true,
            fallback: true,
        }
    }
}

/// [`find_quotes`] with options.
pub fn find_quotes_with(
    text: &str,
    language: Option<&str>,
    entities: &[Entity],
    config: &QuoteConfig,
) -> Vec<Quote> {
    run(text, language, entities, config, None, false)
        .into_iter()
        .map(|(q, _)| q)
        .collect()
}

/// The quotes found without the learned cue model (with `tagger`'s cues added when given),
/// each with the model's features of the attribution it came from (empty for a quote no cue
/// claims): what `cargo xtask train-quotes` learns from.
#[doc(hidden)]
pub fn quotes_with_cue_features(
    text: &str,
    language: Option<&str>,
    entities: &[Entity],
    tagger: Option<&CueModel>,
) -> Vec<(Quote, Vec<String>)> {
    let config = QuoteConfig {
        cue_filter: false,
        ..QuoteConfig::default()
    };
    run(text, language, entities, &config, Some(tagger), true)
}

/// A token the cue tagger could read: its character span, lowercase word and features.
#[doc(hidden)]
pub type TokenSample = ((usize, usize), String, Vec<String>);

/// Every token the cue tagger could read, and the character spans of the lexicon's cues:
/// what `cargo xtask train-quotes tagger` learns from. Empty for a language without a cue
/// lexicon.
#[doc(hidden)]
pub fn cue_token_samples(
    text: &str,
    language: Option<&str>,
    entities: &[Entity],
) -> (Vec<TokenSample>, Vec<(usize, usize)>) {
    let lang = language.unwrap_or("");
    let (Some(lex), Some(words)) = (
        lexicon::Lexicon::for_language(lang),
        words::Words::for_language(lang),
    ) else {
        return (Vec::new(), Vec::new());
    };
    let index = CharIndex::new(text);
    let tokens = tokenize(text);
    let ents = resolve::EntityIndex::new(text, &index, entities, words);
    let chars = |(s, e): (usize, usize)| (index.char_of(s), index.char_of(e));
    let (samples, cues) =
        attribute::token_samples(text, &tokens, marks::find_quoted(text), lex, words, &ents);
    (
        samples
            .into_iter()
            .map(|(span, w, f)| (chars(span), w, f))
            .collect(),
        cues.into_iter().map(chars).collect(),
    )
}

/// `tagger`: `None` reads [`QuoteConfig::cue_tagger`], `Some(t)` uses `t` whatever it says.
fn run(
    text: &str,
    language: Option<&str>,
    entities: &[Entity],
    config: &QuoteConfig,
    tagger: Option<Option<&CueModel>>,
    keep_features: bool,
) -> Vec<(Quote, Vec<String>)> {
    let index = CharIndex::new(text);
    let quoted = marks::find_quoted(text);
    let lang = language.unwrap_or("");
    let found = match (
        lexicon::Lexicon::for_language(lang),
        words::Words::for_language(lang),
    ) {
        (Some(lex), Some(words)) => {
            let tokens = tokenize(text);
            let ents = resolve::EntityIndex::new(text, &index, entities, words);
            let model = if config.cue_filter {
                cuemodel::CueModel::for_language(lang)
            } else {
                None
            };
            attribute::attribute(
                text,
                &tokens,
                quoted,
                lex,
                words,
                &ents,
                attribute::CueCheck {
                    model,
                    tagger: tagger.unwrap_or_else(|| {
                        if config.cue_tagger {
                            cuemodel::CueModel::tagger_for_language(lang)
                        } else {
                            None
                        }
                    }),
                    keep_features,
                    nested_quotes: config.nested_quotes,
                    fallback: config.fallback,
                },
            )
        }
        _ => quoted
            .iter()
            .filter(|q| attribute::long_enough(text, q))
            .map(|q| attribute::Found::direct(q.start, q.end))
            .collect(),
    };
    let mention = |(s, e): (usize, usize)| Mention {
        start: index.char_of(s),
        end: index.char_of(e),
        text: text[s..e].to_string(),
    };
    let mut out: Vec<(Quote, Vec<String>)> = found
        .into_iter()
        .filter(|f| f.end > f.start && f.end <= text.len())
        .map(|f| {
            let q = Quote {
                text: text[f.start..f.end].to_string(),
                start: index.char_of(f.start),
                end: index.char_of(f.end),
                kind: if f.direct {
                    QuoteKind::Direct
                } else {
                    QuoteKind::Indirect
                },
                speaker: f.speaker.map(mention),
                entity: f.entity,
                cue: f.cue.map(mention),
            };
            (q, f.features)
        })
        .collect();
    out.sort_by_key(|(a, _)| (a.start, a.end, a.kind as u8));
    out.dedup_by(|(b, _), (a, _)| a.start == b.start && a.end == b.end && a.kind == b.kind);
    out
}

#[cfg(test)]
mod tests;
