//! The entities of a record: each block tagged by the model of its own language, mentions
//! grouped into entities, places named the same way in every language.
//!
//! # Which model tags what
//!
//! A tagger only ever sees text in the language it was trained on. A block's language is the
//! record's `language`, unless the block is long enough for the detector to tell on its own
//! ([`MIN_BLOCK_LETTERS`] letters and a reliable guess) and it says otherwise: a German
//! paragraph quoted in an English article is tagged by the German model, a short English
//! heading in a German article stays German. The blocks of one language are tagged together as
//! one document (the tagger's document-level features read all of them); `sources_cited` goes
//! with the record's language. Blocks in a language without a tagger, or whose language is not
//! known even from their function words, get no entities.
//!
//! `provenance["entities"]` says what happened, as `+`-joined parts in a stable order:
//! `ner-en` (the English model tagged some blocks), `no-model:pt` (some blocks are Portuguese,
//! which has no tagger), `no-language` (the record's language is unknown and no block could be
//! told on its own), `language-guess:en` (the language is unknown to the detector, too short
//! to tell, but its function words name one with a tagger: [`newsmill_lang::guess_short`];
//! the record's `language` stays `null`). A record with an empty text gets no provenance entry.

use std::collections::BTreeSet;

use newsmill_core::{CharIndex, Entity, Mention, Record};

use crate::canon::{SpanMention, group};
use crate::{Nlp, places};

/// The fewest letters a block needs before its own detected language overrides the record's.
pub const MIN_BLOCK_LETTERS: usize = 120;

/// Letters of the windows of consecutive blocks whose language is checked together (see
/// [`block_languages`]): a few paragraphs.
const WINDOW_LETTERS: usize = 600;

/// A piece of the record to tag: a block (its byte range in `text`) or a cited source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Text { start: usize, end: usize },
    Source(usize),
}

/// The language of each block of `record`, as (byte start, byte end, language) over `text`.
/// When the blocks do not join to `text` (a record built by hand), `text` is one block.
pub fn block_languages(record: &Record) -> Vec<(usize, usize, Option<String>)> {
    let text = record.text.as_str();
    let doc_lang = record.language.as_deref();
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(record.blocks.len());
    let mut at = 0;
    let mut joined = true;
    for (i, b) in record.blocks.iter().enumerate() {
        if i > 0 {
            if !text[at..].starts_with("\n\n") {
                joined = false;
                break;
            }
            at += 2;
        }
        if !text[at..].starts_with(b.text.as_str()) {
            joined = false;
            break;
        }
        spans.push((at, at + b.text.len()));
        at += b.text.len();
    }
    if !joined || at != text.len() || spans.is_empty() {
        spans = vec![(0, text.len())];
    }
    // Each block long enough to tell is a candidate for a language of its own. Detection has a
    // fixed cost per call (whatlang scores every language of the script), so consecutive
    // candidates are first checked together, in windows of at least [`WINDOW_LETTERS`] letters:
    // a window reliably in the record's language settles all its blocks at once (most
    // articles are one window after another of their own language), and only the blocks of
    // any other window are detected one by one, as before. Before the detector, the function
    // words of each block of the window may already confirm the record's language
    // ([`newsmill_lang::function_words_confirm`], a fraction of whatlang's cost), which
    // settles the window, a window of one block too.
    let letters: Vec<usize> = spans
        .iter()
        .map(|&(s, e)| text[s..e].chars().filter(|c| c.is_alphabetic()).count())
        .collect();
    let mut own: Vec<Option<&'static str>> = vec![None; spans.len()];
    let mut i = 0;
    while i < spans.len() {
        if letters[i] < MIN_BLOCK_LETTERS {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut sum = 0;
        // A window stays within the detector's sample, so it reads every block it settles.
        while j < spans.len()
            && letters[j] >= MIN_BLOCK_LETTERS
            && sum < WINDOW_LETTERS
            && (j == i || spans[j].1 - spans[i].0 <= newsmill_lang::SAMPLE_BYTES)
        {
            sum += letters[j];
            j += 1;
        }
        // Each block of the window on its own, so that a paragraph in another language is
        // not outvoted by its neighbours' function words.
        let min_words = if j - i > 1 { 5 } else { 10 };
        let settled = doc_lang.is_some_and(|d| {
            spans[i..j]
                .iter()
                .all(|&(s, e)| newsmill_lang::function_words_confirm(&text[s..e], d, min_words))
        }) || (doc_lang.is_some()
            && j - i > 1
            && newsmill_lang::detect_language_reliable(&text[spans[i].0..spans[j - 1].1])
                == doc_lang);
        if !settled {
            for (o, &(s, e)) in own[i..j].iter_mut().zip(&spans[i..j]) {
                *o = newsmill_lang::detect_language_reliable(&text[s..e]);
            }
        }
        i = j;
    }
    spans
        .into_iter()
        .zip(own)
        .map(|((s, e), own)| (s, e, own.or(doc_lang).map(str::to_string)))
        .collect()
}

/// Fills `record.entities` and `record.provenance["entities"]` (see the module docs).
pub(crate) fn enrich_entities(record: &mut Record, nlp: &Nlp) {
    record.entities.clear();
    if record.text.trim().is_empty() && record.sources_cited.is_empty() {
        record.provenance.remove("entities");
        return;
    }
    let blocks = block_languages(record);
    // Languages in order of first appearance; the record's own language first.
    let mut langs: Vec<Option<String>> = Vec::new();
    let doc_lang = record.language.clone();
    if !record.text.trim().is_empty() || !record.sources_cited.is_empty() {
        langs.push(doc_lang.clone());
    }
    for (_, _, l) in &blocks {
        if !langs.contains(l) {
            langs.push(l.clone());
        }
    }
    let mut tagged: BTreeSet<String> = BTreeSet::new();
    let mut untagged: BTreeSet<String> = BTreeSet::new();
    let mut mentions: Vec<SpanMention> = Vec::new();
    for lang in &langs {
        let mut pieces: Vec<Piece> = blocks
            .iter()
            .filter(|(s, e, l)| l == lang && record.text[*s..*e].trim() != "")
            .map(|&(start, end, _)| Piece::Text { start, end })
            .collect();
        if *lang == doc_lang {
            pieces.extend((0..record.sources_cited.len()).map(Piece::Source));
        }
        if pieces.is_empty() {
            continue;
        }
        // The text and the sources are tagged as one document, so the document-level features
        // carry what the article says about a name into its source list.
        let texts: Vec<&str> = pieces
            .iter()
            .map(|p| match *p {
                Piece::Text { start, end } => &record.text[start..end],
                Piece::Source(i) => record.sources_cited[i].as_str(),
            })
            .collect();
        // A text too short for the detector: its function words may still name the language
        // (`newsmill_lang::guess_short`, which names none when they do not agree).
        let guessed = if lang.is_none() {
            newsmill_lang::guess_short(&texts.join("\n\n"))
        } else {
            None
        };
        let Some(code) = lang.as_deref().or(guessed) else {
            untagged.insert("no-language".to_string());
            continue;
        };
        if let Some(g) = guessed {
            untagged.insert(format!("language-guess:{g}"));
        }
        let Ok(model) = nlp.model(code) else {
            untagged.insert(format!("no-model:{code}"));
            continue;
        };
        tagged.insert(format!("ner-{code}"));
        for (piece, spans) in pieces.iter().zip(model.entities_in(&texts)) {
            let (base, source) = match *piece {
                Piece::Text { start, .. } => (start, None),
                Piece::Source(i) => (0, Some(i)),
            };
            mentions.extend(spans.into_iter().map(|e| SpanMention {
                start: base + e.start,
                end: base + e.end,
                kind: e.kind,
                source,
            }));
        }
    }
    let parts: Vec<String> = tagged.into_iter().chain(untagged).collect();
    if parts.is_empty() {
        record.provenance.remove("entities");
    } else {
        record
            .provenance
            .insert("entities".to_string(), parts.join("+"));
    }
    mentions.sort_by_key(|m| (m.source.is_some(), m.source, m.start));
    record.entities = entities_of(record, &mentions);
}

/// Groups mentions into the record's entities: text order, then names found only in the
/// sources, in their order.
fn entities_of(record: &Record, mentions: &[SpanMention]) -> Vec<Entity> {
    let text = &record.text;
    let sources = &record.sources_cited;
    let groups = places::merge_places(group(mentions, |src| match src {
        None => text.as_str(),
        Some(i) => sources[i].as_str(),
    }));
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
    entities.sort_by_key(|(first, _)| *first);
    entities.into_iter().map(|(_, e)| e).collect()
}
