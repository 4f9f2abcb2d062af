//! Online story clustering: one pass, no look-ahead.
//!
//! Each article is turned into sparse term-frequency vectors over a hashed vocabulary of
//! `2^hash_bits` terms: title, body (title and text), names (proper nouns, numbers and NLP
//! entities), numbers, and body bigrams (consecutive content words); it also notes the years it
//! names. Document frequencies are learned as articles arrive, and IDF weights are applied at
//! comparison time, so early stories are not stuck with the IDF of the first few articles. Each
//! open story keeps the sum of its members' length-normalised vectors (centroids, pruned to
//! their heaviest terms) and the years its articles name.
//!
//! Candidate stories come from an inverted index of the stories' key terms (the heaviest
//! terms of their members); the candidates are scored by the [`Model`] and the article joins
//! the best one if the model says so, or starts a new story. A story that receives nothing for a
//! [`Window`] is closed and forgotten, and the number of open stories is capped, so memory is
//! bounded on an endless stream.

use std::collections::BTreeMap;

use newsmill_core::{Entity, EntityType, FacetCount, StoryEntity, StorySummary};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, StoryEvidence};
use crate::model::{Features, Model};
use crate::text::{WordCue, for_each_word, hash_bytes, is_stop_word};
use crate::{Item, Window};

/// A sparse vector: `(term, weight)` sorted by term.
pub(crate) type Sparse = Vec<(u32, f32)>;

/// What [`Stories::score`] returns.
struct Scored {
    /// `(story seq, features, logit)` of each candidate, best first.
    candidates: Vec<(u64, Features, f64)>,
    /// The article's key terms (see [`Stories::key_terms`]), for the story it joins or starts.
    keys: Vec<(u32, f32)>,
}

/// Settings of the story stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoryConfig {
    /// The vocabulary is hashed into `2^hash_bits` terms (document frequencies take 4 bytes each).
    pub hash_bits: u32,
    /// Key terms taken from each article for candidate search.
    pub key_terms: usize,
    /// Candidate stories scored per article.
    pub max_candidates: usize,
    /// Stories kept per key term in the inverted index (the most recent).
    pub max_posting: usize,
    /// Key terms kept per story.
    pub max_story_keys: usize,
    /// Terms kept per centroid (the heaviest).
    pub max_centroid_terms: usize,
    /// Most stories open at once; past it the least recently updated story is closed.
    pub max_open: usize,
    /// Log-odds taken off a candidate per window of idle time (time is not in the dev set, so
    /// this is set, not learned: a story idle for a whole window needs that much more evidence).
    pub time_penalty: f64,
    /// An article's body vector is cut to its heaviest terms (by TF-IDF) for scoring: the tail
    /// adds little to a cosine and most of the cost.
    pub doc_terms: usize,
    /// Terms seen in fewer articles than this (so far) weigh nothing: a word only one article
    /// has used yet is evidence of no story.
    pub min_df: u32,
    /// Candidates whose shared key-term weight is below this share of the best candidate's are
    /// not scored (they never win, and scoring is the stage's main cost).
    pub candidate_ratio: f32,
    /// Candidates (the closest by body) compared on all their centroids.
    pub full_candidates: usize,
    /// The title's words count in the body vector too.
    pub title_in_body: bool,
}

impl Default for StoryConfig {
    fn default() -> StoryConfig {
        StoryConfig {
            hash_bits: 20,
            key_terms: 20,
            max_candidates: 16,
            max_posting: 64,
            max_story_keys: 256,
            max_centroid_terms: 100,
            max_open: 50_000,
            time_penalty: 1.0,
            doc_terms: 300,
            min_df: 1,
            candidate_ratio: 0.0,
            full_candidates: 4,
            title_in_body: true,
        }
    }
}

/// An article's vectors, computed by [`Stories::prepare`] (pure, so any core can do it).
#[derive(Debug, Clone, Default)]
pub struct DocTerms {
    title: Sparse,
    body: Sparse,
    names: Sparse,
    numbers: Sparse,
    bigrams: Sparse,
    /// Actors: the canonical names of the people and organisations the NLP stage found (each
    /// name one term, counted by its mentions) and the speakers of quotes.
    actors: Sparse,
    /// Distinct years named (1950-2039), sorted.
    years: Vec<u16>,
    /// The title's names: words of the title that are part of a name the NLP stage found, as
    /// name terms (sorted, distinct). What a headline says the article is about.
    title_names: Vec<u32>,
    entities: Vec<(String, EntityType)>,
    /// When, who and where (from the NLP stage's fields).
    evidence: Evidence,
    /// The article's language and outlet, for the story's lists.
    language: Option<String>,
    site: Option<String>,
}

/// Two stories found to be one event: every id in `from` now names the story `into` (the
/// stage's repair; a store keeps the aliases so that emitted ids keep resolving).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryMerge {
    /// The absorbed story's id, then the ids that were aliases of it (at most
    /// [`MAX_ALIASES`]; older ones still resolve through the absorbed id).
    pub from: Vec<String>,
    /// The story that absorbed it.
    pub into: String,
}

/// A value (a language, an outlet) and how many of a story's articles have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryCount {
    /// The value.
    pub name: String,
    /// Articles of the story that have it.
    pub articles: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Story {
    id: String,
    title: String,
    /// Body vector of the article whose title the story carries (to re-check centrality).
    title_holder: Sparse,
    body: Sparse,
    title_c: Sparse,
    names: Sparse,
    numbers: Sparse,
    bigrams: Sparse,
    /// Centroid of its articles' actors.
    #[serde(default)]
    actors: Sparse,
    /// Norm of `actors` with idf applied, as of `norms_docs` articles (kept apart from `norms`
    /// so that states saved before it read).
    #[serde(default)]
    norm_actors: f64,
    /// Distinct years its articles name (at most [`MAX_YEARS`]), sorted.
    years: Vec<u16>,
    size: u32,
    first_time: Option<i64>,
    last_time: Option<i64>,
    last_seq: u64,
    entities: Vec<StoryEntity>,
    keys: Vec<u32>,
    /// When, who and where, over its articles.
    #[serde(default)]
    evidence: StoryEvidence,
    /// Languages and outlets of its articles (at most [`MAX_COUNTS`] each).
    #[serde(default)]
    languages: Vec<StoryCount>,
    #[serde(default)]
    outlets: Vec<StoryCount>,
    /// Ids of the stories merged into it (at most [`MAX_ALIASES`]).
    #[serde(default)]
    aliases: Vec<String>,
    /// The names its articles' titles name (see `DocTerms::title_names`), each with how many
    /// of its articles' titles name it: at most [`MAX_TITLE_NAMES`], the first seen.
    #[serde(default)]
    title_names: Vec<(u32, u32)>,
    /// Norms of `body`, `title_c`, `names`, `numbers` and `bigrams` with idf applied, as of `norms_docs` articles.
    /// IDF drifts slowly, so they are recomputed only when the story changes or the article
    /// count has grown by a thirty-second since: scoring then touches idf only on shared terms.
    norms: [f64; NUM_CENTROIDS - 1],
    norms_docs: u64,
}

/// Centroids a story keeps: body, title, names, numbers, bigrams, actors.
const NUM_CENTROIDS: usize = 6;

/// Most title names a story counts (the first seen).
const MAX_TITLE_NAMES: usize = 16;

/// Most distinct years a story keeps (the first seen).
const MAX_YEARS: usize = 32;

/// Most languages or outlets a story lists.
const MAX_COUNTS: usize = 32;

/// Most merged ids a story lists as its aliases (an id merged later still resolves through
/// the chain of merges a store keeps).
pub const MAX_ALIASES: usize = 32;

/// The state of the story stage. Serialisable, so a store can persist it and resume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stories {
    config: StoryConfig,
    mask: u32,
    df: Vec<u32>,
    pub(crate) docs: u64,
    /// `ln(1 + docs)`, kept with `docs`.
    ln_docs: f32,
    /// Open stories by sequence number (the seq of their first article): ordered, so every
    /// sweep visits them in the same order.
    open: BTreeMap<u64, Story>,
    postings: FxHashMap<u32, Vec<u64>>,
    /// Closed stories not yet taken by [`Stories::take_closed`], when collecting them.
    closed: Vec<StorySummary>,
    /// Merges not yet taken by [`Stories::take_merges`], when collecting closed stories.
    #[serde(default)]
    merges: Vec<StoryMerge>,
    collect_closed: bool,
    /// Scratch for scoring: the article's idf-weighted body and title weights scattered by term
    /// (all zero between articles), so a centroid is scored in one pass without a merge.
    #[serde(skip)]
    scratch: DocTable,
}

/// Where an article went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub(crate) story_seq: u64,
    pub(crate) story_id: String,
    pub(crate) new_story: bool,
    pub(crate) probability: f64,
    /// Ids that now name `story_id` because the article showed their story to be the same
    /// event (a merge).
    pub(crate) merged: Vec<String>,
}

const SEED_TERM: u64 = 11;
const SEED_NAME: u64 = 12;
const SEED_NUMBER: u64 = 13;
const SEED_BIGRAM: u64 = 14;
const SEED_ACTOR: u64 = 15;

impl Stories {
    /// An empty state.
    pub fn new(config: StoryConfig) -> Stories {
        let bits = config.hash_bits.clamp(8, 28);
        Stories {
            mask: (1u32 << bits) - 1,
            df: vec![0; 1usize << bits],
            docs: 0,
            ln_docs: 0.0,
            open: BTreeMap::new(),
            postings: FxHashMap::default(),
            closed: Vec::new(),
            merges: Vec::new(),
            collect_closed: false,
            scratch: DocTable::default(),
            config: StoryConfig {
                hash_bits: bits,
                ..config
            },
        }
    }

    /// Keeps closed stories for [`Stories::take_closed`] and merges for
    /// [`Stories::take_merges`] (a store wants them; the CLI does not).
    pub fn collect_closed(&mut self, yes: bool) {
        self.collect_closed = yes;
    }

    /// The closed stories since the last call.
    pub fn take_closed(&mut self) -> Vec<StorySummary> {
        std::mem::take(&mut self.closed)
    }

    /// The merges since the last call, in the order they happened.
    pub fn take_merges(&mut self) -> Vec<StoryMerge> {
        std::mem::take(&mut self.merges)
    }

    /// Number of open stories.
    pub fn open_len(&self) -> usize {
        self.open.len()
    }

    /// The open stories, oldest first.
    pub fn open_stories(&self) -> impl Iterator<Item = StorySummary> + '_ {
        self.open.values().map(summary)
    }

    /// Computes an article's vectors. Pure. An article without a body is represented by its title.
    pub fn prepare(&self, item: &Item<'_>) -> DocTerms {
        self.prepare_with(item, |_| {})
    }

    /// [`Stories::prepare`], also giving `body_word` each word of the article's body (its text,
    /// or its title when the text is empty), so dedup needs no tokenising pass of its own.
    pub(crate) fn prepare_with(
        &self,
        item: &Item<'_>,
        mut body_word: impl FnMut(&str),
    ) -> DocTerms {
        let mut title = Vec::new();
        let mut years: Vec<u16> = Vec::new();
        // The title's words, kept only when there are entities to find in them.
        let mut title_words: Vec<String> = Vec::new();
        let keep_title_words = !item.entities.is_empty();
        for_each_word(item.title, |w, _| {
            if let Some(t) = self.term(w) {
                title.push(t);
            }
            if keep_title_words && w.len() >= 2 && !is_stop_word(w) {
                title_words.push(w.to_string());
            }
        });
        let mut body = Vec::new();
        let mut names = Vec::new();
        let mut numbers = Vec::new();
        let mut bigrams = Vec::new();
        let mut prev: Option<u32> = None;
        // German capitalises every noun: there a capital says nothing of a name (the NLP
        // stage's entities stand in).
        let capital_is_name = item.language != Some("de");
        // The year the article arrives in is named by every article of the year (datelines,
        // "the 2025 budget"): as a figure or a name it is no evidence of one event, though it
        // still counts as the year the article names.
        let arrival_year = item
            .time
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .and_then(|t| u16::try_from(chrono::Datelike::year(&t)).ok());
        let mut on_word = |w: &str, cue| {
            if let Some(t) = self.term(w) {
                body.push(t);
                if let Some(p) = prev {
                    let pair = (u64::from(p) << 32 | u64::from(t)) ^ SEED_BIGRAM;
                    bigrams.push(crate::text::mix64(pair) as u32 & self.mask);
                }
                prev = Some(t);
            }
            let mut arrival_year_named = false;
            if cue == WordCue::Number {
                let y = year(w);
                arrival_year_named = y.is_some() && y == arrival_year;
                if !arrival_year_named {
                    numbers.push(hash_bytes(SEED_NUMBER, w.as_bytes()) as u32 & self.mask);
                }
                years.extend(y);
            }
            let name = match cue {
                WordCue::Capital => capital_is_name && !is_stop_word(w),
                WordCue::Number => w.len() >= 2 && !arrival_year_named,
                WordCue::Plain | WordCue::CapitalAfterStop => false,
            };
            if name {
                names.push(hash_bytes(SEED_NAME, w.as_bytes()) as u32 & self.mask);
            }
        };
        // The body is the title and the text: a headline's words are the article's too (and
        // some articles are only a headline).
        let text_empty = item.text.trim().is_empty();
        if self.config.title_in_body || text_empty {
            for_each_word(item.title, |w, cue| {
                on_word(w, cue);
                if text_empty {
                    body_word(w);
                }
            });
        }
        if !text_empty {
            for_each_word(item.text, |w, cue| {
                on_word(w, cue);
                body_word(w);
            });
        }
        let mut actors: Vec<u32> = Vec::new();
        let actor = |name: &str| {
            let key = name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            hash_bytes(SEED_ACTOR, key.as_bytes()) as u32 & self.mask
        };
        for e in item.entities {
            if matches!(e.kind, EntityType::Per | EntityType::Org) {
                let t = actor(&e.name);
                actors.extend(std::iter::repeat_n(t, e.count.clamp(1, 64)));
            }
        }
        for q in item.quotes {
            if let Some(name) = &q.entity {
                actors.push(actor(name));
            }
        }
        let mut entities: Vec<(String, EntityType)> = Vec::new();
        let mut title_names: Vec<u32> = Vec::new();
        for Entity { name, kind, .. } in item.entities {
            let key = name.to_lowercase();
            for part in key.split_whitespace() {
                let t = hash_bytes(SEED_NAME, part.as_bytes()) as u32 & self.mask;
                names.push(t);
                if title_words.iter().any(|w| w == part) {
                    title_names.push(t);
                }
            }
            if !entities.iter().any(|(n, k)| n == name && k == kind) {
                entities.push((name.clone(), *kind));
            }
        }
        years.sort_unstable();
        years.dedup();
        title_names.sort_unstable();
        title_names.dedup();
        let mut evidence = Evidence::of(item);
        evidence.set_year(years.last().copied());
        DocTerms {
            title: sublinear(title),
            body: sublinear(body),
            names: sublinear(names),
            numbers: sublinear(numbers),
            bigrams: sublinear(bigrams),
            actors: sublinear(actors),
            years,
            title_names,
            entities,
            evidence,
            language: item.language.map(str::to_string),
            site: item.site.map(str::to_string),
        }
    }

    fn term(&self, w: &str) -> Option<u32> {
        if w.len() < 2 || is_stop_word(w) {
            return None;
        }
        let w = light_stem(w);
        Some(hash_bytes(SEED_TERM, w.as_bytes()) as u32 & self.mask)
    }

    /// Smoothed IDF, `ln((1 + N) / (1 + df)) + 1`, with the logarithms of small counts
    /// looked up (this is the hot loop of scoring).
    fn idf(&self, t: u32) -> f32 {
        let df = self.df[t as usize];
        if df < self.config.min_df {
            return 0.0;
        }
        self.ln_docs - ln1p_count(u64::from(df)) + 1.0
    }

    /// Starts the document frequencies from a model's prior (when its vocabulary matches).
    pub(crate) fn seed(&mut self, prior: Option<&crate::model::DfPrior>) {
        let Some(p) = prior.filter(|p| p.hash_bits == self.config.hash_bits) else {
            return;
        };
        for &(t, n) in &p.df {
            if let Some(df) = self.df.get_mut(t as usize) {
                *df = df.saturating_add(n);
            }
        }
        self.docs += p.docs;
        self.ln_docs = ln1p_count(self.docs);
    }

    /// The document frequencies of `docs` (their terms as [`Stories::learn`] counts them),
    /// keeping terms seen in at least `min_df` of them.
    pub(crate) fn df_of(&self, docs: &[DocTerms], min_df: u32) -> crate::model::DfPrior {
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        for doc in docs {
            let mut seen: Vec<u32> = doc
                .title
                .iter()
                .chain(&doc.body)
                .chain(&doc.names)
                .chain(&doc.numbers)
                .chain(&doc.bigrams)
                .chain(&doc.actors)
                .map(|&(t, _)| t)
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *counts.entry(t).or_default() += 1;
            }
        }
        let mut df: Vec<(u32, u32)> = counts.into_iter().filter(|x| x.1 >= min_df).collect();
        df.sort_unstable();
        crate::model::DfPrior {
            hash_bits: self.config.hash_bits,
            docs: docs.len() as u64,
            df,
        }
    }

    /// Counts the article's terms in the document frequencies.
    fn learn(&mut self, doc: &DocTerms) {
        self.docs += 1;
        self.ln_docs = ln1p_count(self.docs);
        let mut seen: Vec<u32> = doc
            .title
            .iter()
            .chain(&doc.body)
            .chain(&doc.names)
            .chain(&doc.numbers)
            .chain(&doc.bigrams)
            .chain(&doc.actors)
            .map(|&(t, _)| t)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            let df = &mut self.df[t as usize];
            *df = df.saturating_add(1);
        }
    }

    /// Closes stories idle past the window: call with the current arrival number and time.
    pub(crate) fn sweep(&mut self, seq: u64, now: Option<i64>, window: &Window) {
        let idle: Vec<u64> = self
            .open
            .iter()
            .filter(|(_, s)| is_idle(s, seq, now, window))
            .map(|(&k, _)| k)
            .collect();
        for k in idle {
            self.close(k);
        }
    }

    fn close(&mut self, key: u64) {
        let Some(story) = self.open.remove(&key) else {
            return;
        };
        for t in &story.keys {
            if let Some(list) = self.postings.get_mut(t) {
                list.retain(|&s| s != key);
                if list.is_empty() {
                    self.postings.remove(t);
                }
            }
        }
        if self.collect_closed {
            self.closed.push(summary(&story));
        }
    }

    /// Learns the article's terms, scores the candidate stories and returns the features of each
    /// `(story seq, features, logit)`, best first, with the article's key terms.
    fn score(
        &mut self,
        doc: &DocTerms,
        seq: u64,
        time: Option<i64>,
        window: &Window,
        model: &Model,
        extra: Option<u64>,
    ) -> Scored {
        self.learn(doc);
        let keys = self.key_terms(doc);
        let mut hits: FxHashMap<u64, f32> = FxHashMap::default();
        for &(t, w) in &keys {
            if let Some(list) = self.postings.get(&t) {
                for &s in list {
                    *hits.entry(s).or_default() += w;
                }
            }
        }
        let mut cands: Vec<(u64, f32)> = hits.into_iter().collect();
        cands.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(self.config.max_candidates);
        // Candidates that share far less key-term weight than the best are not scored.
        let floor = cands
            .first()
            .map_or(0.0, |c| c.1 * self.config.candidate_ratio);
        cands.retain(|c| c.1 >= floor);
        if let Some(e) = extra
            && !cands.iter().any(|c| c.0 == e)
        {
            cands.push((e, 0.0));
        }
        let dv = top_terms(normalized(self.weighted(&doc.body)), self.config.doc_terms);
        let tv = normalized(self.weighted(&doc.title));
        let nv = normalized(self.weighted(&doc.names));
        let numv = normalized(self.weighted(&doc.numbers));
        let bv = top_terms(
            normalized(self.weighted(&doc.bigrams)),
            self.config.doc_terms,
        );
        // Scatter the article's vectors (body, title, names, numbers, bigrams: one slot each),
        // with the idf of now folded in: a centroid term then costs one lookup (see
        // `dot_dense`).
        let mut scratch = std::mem::take(&mut self.scratch);
        let av = normalized(self.weighted(&doc.actors));
        scratch.reset(dv.len() + tv.len() + nv.len() + numv.len() + bv.len() + av.len());
        for (slot, v) in [&dv, &tv, &nv, &numv, &bv, &av].into_iter().enumerate() {
            for &(t, w) in v {
                scratch.set(t, slot, (w * f64::from(self.idf(t))) as f32);
            }
        }
        let mut out = Vec::with_capacity(cands.len());
        let mut stale = Vec::new();
        let mut body_first = Vec::with_capacity(cands.len());
        for (s, _) in cands {
            let Some(story) = self.open.get(&s) else {
                continue;
            };
            if is_idle(story, seq, time, window) {
                continue;
            }
            let norms = if self.docs > story.norms_docs + story.norms_docs / 32 + 8 {
                let n = self.norms(story);
                stale.push((s, n));
                n
            } else {
                stored_norms(story)
            };
            let (cos_body, cos_title_body) = dot_dense(&story.body, &scratch, norms[0]);
            body_first.push((s, norms, cos_body, cos_title_body));
        }
        // The other centroids are compared only for the candidates closest by body (and the
        // gold story when training): the rest cannot win, and each comparison reads a centroid.
        body_first.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        let full = self.config.full_candidates.max(1);
        for (rank, (s, norms, cos_body, cos_title_body)) in body_first.into_iter().enumerate() {
            if rank >= full && Some(s) != extra {
                continue;
            }
            let Some(story) = self.open.get(&s) else {
                continue;
            };
            let ev = story.evidence.compare(&doc.evidence);
            if let (Some(max), Some(g)) = (model.max_event_gap_days, ev.event_gap)
                && i64::from(g) > i64::from(max)
                && Some(s) != extra
            {
                continue;
            }
            if let Some(k) = model.min_conflicting_actors
                && ev.actor_share == Some(0.0)
                && doc.evidence.actors.len() >= k as usize
                && story.evidence.actor_count() >= k as usize
                && Some(s) != extra
            {
                continue;
            }
            let f = Features {
                event_gap: ev
                    .event_gap
                    .map_or(0.0, |g| (f64::from(g) / 365.0).min(1.0)),
                // Near in time is evidence only when the article's event time says more
                // than its arrival (see `Evidence::event_news`).
                event_near: f64::from(u8::from(
                    doc.evidence.event_news && ev.event_gap.is_some_and(|g| g <= 7),
                )),
                date_share: ev.date_share.unwrap_or(0.0),
                actor_conflict: f64::from(u8::from(ev.actor_share == Some(0.0))),
                place_share: ev.place_share.unwrap_or(0.0),
                lead_miss: ev.lead_miss.unwrap_or(0.0),
                core_miss: ev.core_miss.unwrap_or(0.0),
                year_miss: ev.year_miss.unwrap_or(0.0),
                story_title_miss: story_title_miss(story, &doc.names),
                cos_body,
                cos_title: dot_slot(&story.title_c, &scratch, 1, norms[1]),
                cos_names: dot_slot(&story.names, &scratch, 2, norms[2]),
                cos_title_body,
                log_size: f64::from(story.size).ln_1p(),
                cos_numbers: dot_slot(&story.numbers, &scratch, 3, norms[3]),
                cos_bigrams: dot_slot(&story.bigrams, &scratch, 4, norms[4]),
                cos_actors: dot_slot(&story.actors, &scratch, 5, norms[5]),
                year_conflict: f64::from(u8::from(
                    !doc.years.is_empty()
                        && !story.years.is_empty()
                        && !doc
                            .years
                            .iter()
                            .any(|y| story.years.binary_search(y).is_ok()),
                )),
            };
            let mut logit = model.logit(&f);
            if let (Some(t), Some(last)) = (time, story.last_time)
                && window.secs > 0
            {
                let idle = (t - last).max(0) as f64 / window.secs as f64;
                logit -= self.config.time_penalty * idle.min(1.0);
            }
            out.push((s, f, logit));
        }
        self.scratch = scratch;
        let docs = self.docs;
        for (s, n) in stale {
            if let Some(story) = self.open.get_mut(&s) {
                set_norms(story, n);
                story.norms_docs = docs;
            }
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        Scored {
            candidates: out,
            keys,
        }
    }

    /// Cosine of two stories' body centroids, idf applied as of now: how alike the stories
    /// are themselves, apart from any one article that fits both.
    fn story_cosine(&self, a: &Story, b: &Story) -> f64 {
        let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
        let (mut i, mut j) = (0, 0);
        let w = |&(t, x): &(u32, f32)| f64::from(x) * f64::from(self.idf(t));
        while i < a.body.len() && j < b.body.len() {
            match a.body[i].0.cmp(&b.body[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += w(&a.body[i]) * w(&b.body[j]);
                    i += 1;
                    j += 1;
                }
            }
        }
        for x in &a.body {
            na += w(x) * w(x);
        }
        for x in &b.body {
            nb += w(x) * w(x);
        }
        if na == 0.0 || nb == 0.0 {
            return 0.0;
        }
        (dot / (na.sqrt() * nb.sqrt())).clamp(0.0, 1.0)
    }

    /// The idf-weighted norms of a story's centroids, as of now.
    fn norms(&self, s: &Story) -> [f64; NUM_CENTROIDS] {
        let norm = |c: &Sparse| {
            c.iter()
                .map(|&(t, w)| {
                    let w = f64::from(w) * f64::from(self.idf(t));
                    w * w
                })
                .sum::<f64>()
                .sqrt()
        };
        [
            norm(&s.body),
            norm(&s.title_c),
            norm(&s.names),
            norm(&s.numbers),
            norm(&s.bigrams),
            norm(&s.actors),
        ]
    }

    /// Assigns an article: joins the best candidate if the model says so, else starts a story.
    pub(crate) fn assign(
        &mut self,
        item: &Item<'_>,
        doc: DocTerms,
        seq: u64,
        window: &Window,
        model: &Model,
    ) -> Decision {
        let scored = self.score(&doc, seq, item.time, window, model, None);
        let threshold = model.threshold_logit();
        // A young story is joined only on surer evidence when the model says so: a wrong
        // early join seeds a story of two events, a wrong split can still be merged.
        let young = model.young_logit().map_or(threshold, |y| y.max(threshold));
        let needed = |s: u64| match self.open.get(&s) {
            Some(story) if model.is_young(story.size) => young,
            _ => threshold,
        };
        match scored.candidates.first() {
            Some(&(s, _, logit)) if logit >= needed(s) => {
                self.join(s, item, &doc, &scored.keys, seq);
                // Repair: when the article belongs as surely to the runner-up, the two
                // stories are one event; the larger (on a tie the older) absorbs the other.
                let mut story_seq = s;
                let mut merged = Vec::new();
                if let Some(m) = model.merge_logit()
                    && let Some(&(s2, _, l2)) = scored.candidates.get(1)
                    && l2 >= m.max(threshold)
                    && let (Some(a), Some(b)) = (self.open.get(&s), self.open.get(&s2))
                    && may_merge(a, b, model)
                    && model
                        .merge_min_cosine
                        .is_none_or(|min| self.story_cosine(a, b) >= min)
                {
                    let (keep, gone) =
                        if (b.size, std::cmp::Reverse(s2)) > (a.size, std::cmp::Reverse(s)) {
                            (s2, s)
                        } else {
                            (s, s2)
                        };
                    if let Some(m) = self.merge(keep, gone) {
                        merged = m.from;
                        story_seq = keep;
                    }
                }
                Decision {
                    story_seq,
                    story_id: self
                        .open
                        .get(&story_seq)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                    new_story: false,
                    probability: sigmoid(logit),
                    merged,
                }
            }
            best => {
                let probability = best.map_or(0.0, |b| sigmoid(b.2));
                self.start(item, &doc, &scored.keys, seq);
                Decision {
                    story_seq: seq,
                    story_id: item.id.to_string(),
                    new_story: true,
                    probability,
                    merged: Vec::new(),
                }
            }
        }
    }

    /// Training: scores the candidates like [`Stories::assign`] (the gold story always among
    /// them), then puts the article in its gold story. Returns `(features, is gold)` pairs.
    pub(crate) fn assign_gold(
        &mut self,
        item: &Item<'_>,
        doc: DocTerms,
        seq: u64,
        gold: Option<u64>,
        window: &Window,
        model: &Model,
    ) -> (Vec<(Features, bool)>, u64) {
        let scored = self.score(&doc, seq, item.time, window, model, gold);
        let examples = scored
            .candidates
            .iter()
            .map(|&(s, f, _)| (f, Some(s) == gold))
            .collect();
        match gold.filter(|g| self.open.contains_key(g)) {
            Some(g) => {
                self.join(g, item, &doc, &scored.keys, seq);
                (examples, g)
            }
            None => {
                self.start(item, &doc, &scored.keys, seq);
                (examples, seq)
            }
        }
    }

    /// Adds a near-duplicate to its original's story without moving the centroid (copies would
    /// over-weight one text). Returns false when that story is closed.
    pub(crate) fn add_copy(&mut self, story: u64, item: &Item<'_>, seq: u64) -> Option<String> {
        let s = self.open.get_mut(&story)?;
        s.size = s.size.saturating_add(1);
        count(&mut s.languages, item.language);
        count(&mut s.outlets, item.site);
        s.last_seq = seq;
        if let Some(t) = item.time {
            s.last_time = Some(s.last_time.map_or(t, |l| l.max(t)));
            s.first_time = Some(s.first_time.map_or(t, |f| f.min(t)));
        }
        Some(s.id.clone())
    }

    /// Counts a near-duplicate in the document frequencies (it is still an article).
    pub(crate) fn learn_only(&mut self, doc: &DocTerms) {
        self.learn(doc);
    }

    /// The article's body, title and names terms, each weighted by its idf (a term may come
    /// more than once): what key terms are chosen from.
    fn weighted_terms(&self, doc: &DocTerms) -> Vec<(u32, f32)> {
        doc.body
            .iter()
            .chain(&doc.title)
            .chain(&doc.names)
            .map(|&(t, w)| (t, w * self.idf(t)))
            .collect()
    }

    /// The article's `key_terms` heaviest distinct terms with their idf: what finds candidate
    /// stories in the inverted index, and what a story it joins is indexed under.
    fn key_terms(&self, doc: &DocTerms) -> Vec<(u32, f32)> {
        let mut all = self.weighted_terms(doc);
        let k = self.config.key_terms;
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        // The first `k` distinct terms of the sorted list. Sorting only a head of it (selected
        // in linear time) gives the same ones when the head holds `k` distinct terms: `dedup`
        // drops a term equal to the one before it, so a head dedups as the whole list would.
        let head = (4 * k).max(1).min(all.len());
        if head < all.len() {
            all.select_nth_unstable_by(head - 1, order);
        }
        all[..head].sort_unstable_by(order);
        if all[..head].chunk_by(|a, b| a.0 == b.0).count() >= k {
            all.truncate(head);
        } else {
            all.sort_unstable_by(order);
        }
        all.dedup_by_key(|x| x.0);
        all.truncate(k);
        all.into_iter().map(|(t, _)| (t, self.idf(t))).collect()
    }

    fn start(&mut self, item: &Item<'_>, doc: &DocTerms, keys: &[(u32, f32)], seq: u64) {
        if self.open.len() >= self.config.max_open.max(1)
            && let Some((&oldest, _)) = self.open.iter().min_by_key(|(k, s)| (s.last_seq, **k))
        {
            self.close(oldest);
        }
        let story = Story {
            id: item.id.to_string(),
            title: item.title.to_string(),
            title_holder: doc.body.clone(),
            body: Vec::new(),
            title_c: Vec::new(),
            names: Vec::new(),
            numbers: Vec::new(),
            bigrams: Vec::new(),
            actors: Vec::new(),
            norm_actors: 0.0,
            years: Vec::new(),
            size: 0,
            first_time: item.time,
            last_time: item.time,
            last_seq: seq,
            entities: Vec::new(),
            keys: Vec::new(),
            evidence: StoryEvidence::default(),
            languages: Vec::new(),
            outlets: Vec::new(),
            aliases: Vec::new(),
            title_names: Vec::new(),
            norms: [0.0; NUM_CENTROIDS - 1],
            norms_docs: 0,
        };
        self.open.insert(seq, story);
        self.join(seq, item, doc, keys, seq);
    }

    /// Merges the open story `gone` into the open story `keep`: centroids, evidence, counts
    /// and key terms are summed (and pruned to the same bounds), `gone` is removed, and its id
    /// (with its own aliases) becomes an alias of `keep`. Returns the merge (also kept for
    /// [`Stories::take_merges`] when collecting).
    fn merge(&mut self, keep: u64, gone: u64) -> Option<StoryMerge> {
        if keep == gone || !self.open.contains_key(&keep) {
            return None;
        }
        let other = self.open.remove(&gone)?;
        for t in &other.keys {
            if let Some(list) = self.postings.get_mut(t) {
                list.retain(|&s| s != gone);
                if list.is_empty() {
                    self.postings.remove(t);
                }
            }
        }
        let max_terms = self.config.max_centroid_terms.max(1);
        let mut story = self.open.remove(&keep)?;
        for (mine, theirs) in [
            (&mut story.body, &other.body),
            (&mut story.title_c, &other.title_c),
            (&mut story.names, &other.names),
            (&mut story.numbers, &other.numbers),
            (&mut story.bigrams, &other.bigrams),
            (&mut story.actors, &other.actors),
        ] {
            *mine = prune(add(mine, theirs), max_terms, &self.df, self.docs);
        }
        for &y in &other.years {
            if story.years.len() < MAX_YEARS
                && let Err(k) = story.years.binary_search(&y)
            {
                story.years.insert(k, y);
            }
        }
        for &(t, n) in &other.title_names {
            count_title_name(&mut story.title_names, t, n);
        }
        story.size = story.size.saturating_add(other.size);
        story.last_seq = story.last_seq.max(other.last_seq);
        story.first_time = match (story.first_time, other.first_time) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        story.last_time = story.last_time.max(other.last_time);
        story.evidence.absorb(&other.evidence);
        for (mine, theirs) in [
            (&mut story.languages, &other.languages),
            (&mut story.outlets, &other.outlets),
        ] {
            for c in theirs {
                if let Some(m) = mine.iter_mut().find(|m| m.name == c.name) {
                    m.articles = m.articles.saturating_add(c.articles);
                } else if mine.len() < MAX_COUNTS {
                    mine.push(c.clone());
                }
            }
        }
        for e in &other.entities {
            match story
                .entities
                .iter_mut()
                .find(|x| x.name == e.name && x.kind == e.kind)
            {
                Some(x) => x.articles = x.articles.saturating_add(e.articles),
                None => story.entities.push(e.clone()),
            }
        }
        if story.entities.len() > 64 {
            story
                .entities
                .sort_by(|a, b| b.articles.cmp(&a.articles).then(a.name.cmp(&b.name)));
            story.entities.truncate(32);
        }
        let mut from = Vec::with_capacity(1 + other.aliases.len());
        from.push(other.id.clone());
        from.extend(other.aliases.iter().cloned());
        for id in &from {
            if story.aliases.len() < MAX_ALIASES && !story.aliases.contains(id) {
                story.aliases.push(id.clone());
            }
        }
        self.index_keys(keep, &mut story, other.keys.iter().copied());
        let n = self.norms(&story);
        set_norms(&mut story, n);
        story.norms_docs = self.docs;
        let m = StoryMerge {
            from,
            into: story.id.clone(),
        };
        self.open.insert(keep, story);
        if self.collect_closed {
            self.merges.push(m.clone());
        }
        Some(m)
    }

    /// Adds the article (with its key terms, from [`Stories::score`]) to story `key`.
    fn join(&mut self, key: u64, item: &Item<'_>, doc: &DocTerms, keys: &[(u32, f32)], seq: u64) {
        let body_n = self.unit(&doc.body);
        let title_n = self.unit(&doc.title);
        let names_n = self.unit(&doc.names);
        let numbers_n = self.unit(&doc.numbers);
        let bigrams_n = self.unit(&doc.bigrams);
        let actors_n = self.unit(&doc.actors);
        let max_terms = self.config.max_centroid_terms.max(1);
        let Some(mut story) = self.open.remove(&key) else {
            return;
        };
        story.body = prune(add(&story.body, &body_n), max_terms, &self.df, self.docs);
        story.title_c = prune(
            add(&story.title_c, &title_n),
            max_terms,
            &self.df,
            self.docs,
        );
        story.names = prune(add(&story.names, &names_n), max_terms, &self.df, self.docs);
        story.numbers = prune(
            add(&story.numbers, &numbers_n),
            max_terms,
            &self.df,
            self.docs,
        );
        story.bigrams = prune(
            add(&story.bigrams, &bigrams_n),
            max_terms,
            &self.df,
            self.docs,
        );
        story.actors = prune(
            add(&story.actors, &actors_n),
            max_terms,
            &self.df,
            self.docs,
        );
        for &y in &doc.years {
            if story.years.len() < MAX_YEARS
                && let Err(k) = story.years.binary_search(&y)
            {
                story.years.insert(k, y);
            }
        }
        for &t in &doc.title_names {
            count_title_name(&mut story.title_names, t, 1);
        }
        story.size = story.size.saturating_add(1);
        story.last_seq = seq;
        if let Some(t) = item.time {
            story.last_time = Some(story.last_time.map_or(t, |l| l.max(t)));
            story.first_time = Some(story.first_time.map_or(t, |f| f.min(t)));
        }
        story.evidence.add(&doc.evidence);
        count(&mut story.languages, doc.language.as_deref());
        count(&mut story.outlets, doc.site.as_deref());
        // The most central title: of the current holder and the newcomer, the one closer to
        // the updated centroid (an online approximation of the medoid).
        if story.size > 1 {
            let holder = normalized(self.weighted(&story.title_holder));
            let newcomer = normalized(self.weighted(&doc.body));
            let (holder, newcomer) = self.cosines(&story.body, &holder, &newcomer);
            if newcomer > holder && !item.title.trim().is_empty() {
                story.title = item.title.to_string();
                story.title_holder = doc.body.clone();
            }
        }
        let n = self.norms(&story);
        set_norms(&mut story, n);
        story.norms_docs = self.docs;
        for (name, kind) in &doc.entities {
            match story
                .entities
                .iter_mut()
                .find(|e| &e.name == name && e.kind == *kind)
            {
                Some(e) => e.articles += 1,
                None => story.entities.push(StoryEntity {
                    name: name.clone(),
                    kind: *kind,
                    articles: 1,
                }),
            }
        }
        if story.entities.len() > 64 {
            story
                .entities
                .sort_by(|a, b| b.articles.cmp(&a.articles).then(a.name.cmp(&b.name)));
            story.entities.truncate(32);
        }
        self.index_keys(key, &mut story, keys.iter().map(|&(t, _)| t));
        self.open.insert(key, story);
    }

    /// Adds `terms` to the key terms of story `key` (taken out of `open` by the caller) and
    /// to the inverted index, up to the story's and the posting lists' bounds.
    fn index_keys(&mut self, key: u64, story: &mut Story, terms: impl Iterator<Item = u32>) {
        let max_posting = self.config.max_posting.max(1);
        for t in terms {
            if story.keys.len() >= self.config.max_story_keys || story.keys.contains(&t) {
                continue;
            }
            story.keys.push(t);
            let list = self.postings.entry(t).or_default();
            if list.len() >= max_posting {
                let dropped = list.remove(0);
                // The dropped story can no longer be found through this term.
                if let Some(d) = self.open.get_mut(&dropped) {
                    d.keys.retain(|&k| k != t);
                }
            }
            list.push(key);
        }
    }

    /// Cosines of the centroid `c` (idf applied now) with the unit vectors `a` and `b`, in one
    /// pass over `c` without allocating.
    fn cosines(&self, c: &Sparse, a: &[(u32, f64)], b: &[(u32, f64)]) -> (f64, f64) {
        let (mut norm, mut da, mut db) = (0.0f64, 0.0f64, 0.0f64);
        let (mut i, mut j) = (0, 0);
        for &(t, w) in c {
            let w = f64::from(w) * f64::from(self.idf(t));
            norm += w * w;
            while i < a.len() && a[i].0 < t {
                i += 1;
            }
            if i < a.len() && a[i].0 == t {
                da += a[i].1 * w;
            }
            while j < b.len() && b[j].0 < t {
                j += 1;
            }
            if j < b.len() && b[j].0 == t {
                db += b[j].1 * w;
            }
        }
        if norm == 0.0 {
            return (0.0, 0.0);
        }
        let n = norm.sqrt();
        ((da / n).clamp(0.0, 1.0), (db / n).clamp(0.0, 1.0))
    }

    /// `tf * idf`, as f64 for the dot products.
    fn weighted(&self, v: &Sparse) -> Vec<(u32, f64)> {
        v.iter()
            .map(|&(t, w)| (t, f64::from(w) * f64::from(self.idf(t))))
            .collect()
    }

    /// The term frequencies scaled so that `tf * idf` has unit length (idf as of now).
    fn unit(&self, v: &Sparse) -> Sparse {
        let norm: f64 = self
            .weighted(v)
            .iter()
            .map(|(_, w)| w * w)
            .sum::<f64>()
            .sqrt();
        if norm == 0.0 {
            return Vec::new();
        }
        v.iter()
            .map(|&(t, w)| (t, (f64::from(w) / norm) as f32))
            .collect()
    }
}

/// A story's saved norms, in [`Stories::norms`] order.
fn stored_norms(s: &Story) -> [f64; NUM_CENTROIDS] {
    let [a, b, c, d, e] = s.norms;
    [a, b, c, d, e, s.norm_actors]
}

fn set_norms(s: &mut Story, n: [f64; NUM_CENTROIDS]) {
    let [a, b, c, d, e, f] = n;
    s.norms = [a, b, c, d, e];
    s.norm_actors = f;
}

/// Whether two stories may be one event as far as their own evidence goes: the limits an
/// article meets to join a story hold between the stories too (their nearest event times within
/// `max_event_gap_days`), and two stories that each name years, none in common, stay apart.
fn may_merge(a: &Story, b: &Story, model: &Model) -> bool {
    let years_conflict = !a.years.is_empty()
        && !b.years.is_empty()
        && !a.years.iter().any(|y| b.years.binary_search(y).is_ok());
    let too_far = match (
        model.max_event_gap_days,
        a.evidence.event_gap_to(&b.evidence),
    ) {
        (Some(max), Some(g)) => i64::from(g) > i64::from(max),
        _ => false,
    };
    !years_conflict && !too_far && !a.evidence.cores_conflict(&b.evidence)
}

fn is_idle(s: &Story, seq: u64, now: Option<i64>, window: &Window) -> bool {
    let by_docs = seq.saturating_sub(s.last_seq) > window.docs;
    let by_time = matches!((now, s.last_time), (Some(n), Some(l)) if n - l > window.secs);
    by_docs || by_time
}

fn summary(s: &Story) -> StorySummary {
    // One entry per name: articles that typed "Port Elwin" once as a place and once as an
    // organisation name one entity, of the type most of them gave it.
    let mut entities: Vec<StoryEntity> = Vec::with_capacity(s.entities.len());
    let mut by_votes = s.entities.clone();
    by_votes.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.name.cmp(&b.name)));
    for e in by_votes {
        match entities.iter_mut().find(|x| x.name == e.name) {
            Some(x) => x.articles = (x.articles + e.articles).min(s.size),
            None => entities.push(e),
        }
    }
    entities.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.name.cmp(&b.name)));
    entities.truncate(20);
    let ranked = |v: &[StoryCount]| {
        let mut v: Vec<FacetCount> = v
            .iter()
            .map(|c| FacetCount {
                value: c.name.clone(),
                count: u64::from(c.articles),
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        v
    };
    StorySummary {
        id: s.id.clone(),
        title: s.title.clone(),
        entities,
        first_seen: s.first_time,
        last_seen: s.last_time,
        articles: s.size,
        languages: ranked(&s.languages),
        sites: ranked(&s.outlets),
        aliases: s.aliases.clone(),
    }
}

/// Counts one article with `value` (a language, an outlet) in a story's list; past
/// [`MAX_COUNTS`] values a new one is not listed.
fn count(list: &mut Vec<StoryCount>, value: Option<&str>) {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return;
    };
    if let Some(c) = list.iter_mut().find(|c| c.name == v) {
        c.articles = c.articles.saturating_add(1);
    } else if list.len() < MAX_COUNTS {
        list.push(StoryCount {
            name: v.to_string(),
            articles: 1,
        });
    }
}

/// The year a number names, if it is a plausible news year (1950-2039).
fn year(w: &str) -> Option<u16> {
    if w.len() != 4 {
        return None;
    }
    w.parse::<u16>().ok().filter(|y| (1950..=2039).contains(y))
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Sorted, merged term counts with sublinear scaling `1 + ln(tf)`.
fn sublinear(mut terms: Vec<u32>) -> Sparse {
    terms.sort_unstable();
    let mut out: Sparse = Vec::with_capacity(terms.len());
    let mut i = 0;
    while i < terms.len() {
        let t = terms[i];
        let mut j = i;
        while j < terms.len() && terms[j] == t {
            j += 1;
        }
        out.push((t, 1.0 + ((j - i) as f32).ln()));
        i = j;
    }
    out
}

/// Cosines of the centroid `c` (idf-weighted norm `norm`) with the article's body and title,
/// scattered with their idf in `scratch`: one pass over the centroid, no merge.
fn dot_dense(c: &Sparse, scratch: &DocTable, norm: f64) -> (f64, f64) {
    if norm <= 0.0 {
        return (0.0, 0.0);
    }
    let (mut body, mut title) = (0.0f32, 0.0f32);
    for &(t, w) in c {
        if let Some(&[b, h, ..]) = scratch.get(t) {
            body += w * b;
            title += w * h;
        }
    }
    (
        (f64::from(body) / norm).clamp(0.0, 1.0),
        (f64::from(title) / norm).clamp(0.0, 1.0),
    )
}

/// The article's weights by term, one slot per vector, in an open-addressing table sized to the
/// article (a few tens of kilobytes: it stays in cache while every candidate's centroids are
/// looked up in it, where a table over the whole vocabulary would miss on every lookup).
#[derive(Debug, Clone, Default)]
struct DocTable {
    /// Term of each slot, [`DocTable::EMPTY`] when free.
    keys: Vec<u32>,
    vals: Vec<[f32; NUM_CENTROIDS]>,
    mask: usize,
}

impl DocTable {
    const EMPTY: u32 = u32::MAX;

    /// Empties the table, sized for `n` terms (at most a quarter full).
    fn reset(&mut self, n: usize) {
        let cap = (4 * n.max(4)).next_power_of_two();
        self.keys.clear();
        self.keys.resize(cap, Self::EMPTY);
        self.vals.clear();
        self.vals.resize(cap, [0.0; NUM_CENTROIDS]);
        self.mask = cap - 1;
    }

    fn set(&mut self, t: u32, slot: usize, w: f32) {
        if self.keys.is_empty() {
            self.reset(1);
        }
        // Term ids are hashes already: their low bits index the table.
        let mut i = t as usize & self.mask;
        loop {
            if self.keys[i] == t || self.keys[i] == Self::EMPTY {
                self.keys[i] = t;
                self.vals[i][slot] = w;
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn get(&self, t: u32) -> Option<&[f32; NUM_CENTROIDS]> {
        if self.keys.is_empty() {
            return None;
        }
        let mut i = t as usize & self.mask;
        loop {
            let k = self.keys[i];
            if k == t {
                return Some(&self.vals[i]);
            }
            if k == Self::EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// Cosine of the centroid `c` (idf-weighted norm `norm`) with the article's vector scattered in
/// `slot` of `scratch`.
fn dot_slot(c: &Sparse, scratch: &DocTable, slot: usize, norm: f64) -> f64 {
    if norm <= 0.0 {
        return 0.0;
    }
    let dot: f32 = c
        .iter()
        .map(|&(t, w)| scratch.get(t).map_or(0.0, |s| w * s[slot]))
        .sum();
    (f64::from(dot) / norm).clamp(0.0, 1.0)
}

/// The `k` heaviest entries of a vector, sorted by term again.
fn top_terms(mut v: Vec<(u32, f64)>, k: usize) -> Vec<(u32, f64)> {
    if v.len() > k {
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(k);
        v.sort_unstable_by_key(|x| x.0);
    }
    v
}

/// Sum of two sorted sparse vectors.
fn add(a: &Sparse, b: &Sparse) -> Sparse {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Share of a story's title names, the ones at least half of its articles' titles name (its
/// protagonists), that an article's names (sorted) lack; 0 when it has no such name.
fn story_title_miss(story: &Story, names: &Sparse) -> f64 {
    let (mut core, mut missing) = (0usize, 0usize);
    for &(t, n) in &story.title_names {
        if 2 * u64::from(n) >= u64::from(story.size.max(1)) {
            core += 1;
            if names.binary_search_by_key(&t, |x| x.0).is_err() {
                missing += 1;
            }
        }
    }
    if core == 0 {
        0.0
    } else {
        missing as f64 / core as f64
    }
}

/// Counts `n` more titles naming `t` in a story's title names (a new name only while there is
/// room).
fn count_title_name(list: &mut Vec<(u32, u32)>, t: u32, n: u32) {
    if let Some(x) = list.iter_mut().find(|x| x.0 == t) {
        x.1 = x.1.saturating_add(n);
    } else if list.len() < MAX_TITLE_NAMES {
        list.push((t, n));
    }
}

/// Keeps the `max` heaviest terms (by weight times idf) once a centroid grows past twice that.
fn prune(v: Sparse, max: usize, df: &[u32], docs: u64) -> Sparse {
    if v.len() <= 2 * max {
        return v;
    }
    let ln_docs = ln1p_count(docs);
    let idf = |t: u32| ln_docs - ln1p_count(u64::from(df[t as usize])) + 1.0;
    // Weigh each term once, then select the heaviest `max` (ties by term: deterministic).
    let mut keyed: Vec<(f32, u32, f32)> = v.iter().map(|&(t, w)| (w * idf(t), t, w)).collect();
    keyed.select_nth_unstable_by(max.max(1) - 1, |a, b| {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    });
    keyed.truncate(max);
    let mut v: Sparse = keyed.into_iter().map(|(_, t, w)| (t, w)).collect();
    v.sort_unstable_by_key(|x| x.0);
    v
}

/// `ln(1 + n)`, from a table for small `n`.
fn ln1p_count(n: u64) -> f32 {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..65_536u32).map(|k| (k as f32).ln_1p()).collect());
    match table.get(n as usize) {
        Some(&v) => v,
        // ln(1 + n) = ln(n) + ln(1 + 1/n), and ln(1 + x) = x within 1e-10 for x < 1/65536: the
        // cheaper `ln` keeps libm's `log1p` out of the scoring loop (frequent terms).
        None => {
            let n = n as f32;
            n.ln() + 1.0 / n
        }
    }
}

/// Scales a vector to unit length (an empty or zero vector stays as it is).
fn normalized(mut v: Vec<(u32, f64)>) -> Vec<(u32, f64)> {
    let n: f64 = v.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    if n > 0.0 {
        for x in &mut v {
            x.1 /= n;
        }
    }
    v
}

/// Cosine of two sorted sparse vectors (the reference for [`Stories::cosines`]).
#[cfg(test)]
fn cosine(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    if dot == 0.0 {
        return 0.0;
    }
    let na: f64 = a.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
    (dot / (na * nb)).clamp(0.0, 1.0)
}

/// A light English stemmer: folds plural and third-person `s` ("quakes" -> "quake").
fn light_stem(w: &str) -> &str {
    if w.len() > 4 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_terms_from_a_selected_head_match_a_full_sort() {
        let mut stories = Stories::new(StoryConfig::default());
        let reference = |stories: &Stories, doc: &DocTerms| {
            let mut all = stories.weighted_terms(doc);
            all.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            all.dedup_by_key(|x| x.0);
            all.truncate(stories.config.key_terms);
            all.into_iter()
                .map(|(t, _)| (t, stories.idf(t)))
                .collect::<Vec<_>>()
        };
        // Few terms, many terms, and many terms of equal weight (where the head is all ties).
        let texts = [
            "Quake hits Iran".to_string(),
            (0..400)
                .map(|i| format!("Word{} w{}", i % 97, i % 13))
                .collect::<Vec<_>>()
                .join(" "),
            (0..400)
                .map(|i| format!("term{i}"))
                .collect::<Vec<_>>()
                .join(" "),
        ];
        for text in &texts {
            let doc = stories.prepare(&Item::new("1", "Quake Word1 term3", text));
            assert_eq!(stories.key_terms(&doc), reference(&stories, &doc));
            stories.learn(&doc);
        }
    }

    #[test]
    fn sparse_helpers() {
        assert_eq!(
            sublinear(vec![3, 1, 3]),
            vec![(1, 1.0), (3, 1.0 + 2f32.ln())]
        );
        assert_eq!(
            add(&vec![(1, 1.0), (3, 1.0)], &vec![(2, 1.0), (3, 2.0)]),
            vec![(1, 1.0), (2, 1.0), (3, 3.0)]
        );
        let a = [(1, 1.0), (2, 1.0)];
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-12);
        assert_eq!(cosine(&a, &[(3, 1.0)]), 0.0);
        assert_eq!(light_stem("quakes"), "quake");
        assert_eq!(light_stem("congress"), "congress");
    }

    #[test]
    fn years_are_plausible_four_digit_numbers() {
        assert_eq!(year("2011"), Some(2011));
        assert_eq!(year("1950"), Some(1950));
        assert_eq!(year("1949"), None);
        assert_eq!(year("2040"), None);
        assert_eq!(year("911"), None);
        assert_eq!(year("20111"), None);
    }

    #[test]
    fn doc_table_finds_what_was_set_and_nothing_else() {
        let mut t = DocTable::default();
        assert_eq!(t.get(3), None);
        t.reset(3);
        // 5, 5 + 16 and 5 + 32 share their low bits: they probe past each other.
        for (k, term) in [5u32, 21, 37].into_iter().enumerate() {
            t.set(term, k % NUM_CENTROIDS, 1.0 + k as f32);
        }
        t.set(5, 4, 9.0);
        assert_eq!(t.get(5), Some(&[1.0, 0.0, 0.0, 0.0, 9.0, 0.0]));
        assert_eq!(t.get(21), Some(&[0.0, 2.0, 0.0, 0.0, 0.0, 0.0]));
        assert_eq!(t.get(37), Some(&[0.0, 0.0, 3.0, 0.0, 0.0, 0.0]));
        assert_eq!(t.get(53), None);
        t.reset(1);
        assert_eq!(t.get(5), None);
    }

    #[test]
    fn prune_keeps_the_heaviest_terms_sorted() {
        let df = vec![1u32; 64];
        let v: Sparse = (0..20u32)
            .map(|t| (t, (t % 7) as f32 + t as f32 / 100.0))
            .collect();
        let p = prune(v, 4, &df, 10);
        let terms: Vec<u32> = p.iter().map(|x| x.0).collect();
        assert_eq!(terms, vec![6, 12, 13, 19]);
    }

    #[test]
    fn articles_name_their_years_and_numbers() {
        let s = Stories::new(StoryConfig::default());
        let item = Item::new(
            "a",
            "Quake of 2011",
            "The 6.1 quake struck in 2011, after the one of 2008.",
        );
        let d = s.prepare(&item);
        assert_eq!(d.years, vec![2008, 2011]);
        assert!(!d.numbers.is_empty() && !d.bigrams.is_empty());
    }

    #[test]
    fn a_story_knows_whom_its_titles_name_and_an_article_may_lack_them() {
        let entity = |name: &str, kind| Entity {
            name: name.into(),
            kind,
            mentions: Vec::new(),
            count: 2,
        };
        let lee = vec![
            entity("Ann Lee", EntityType::Per),
            entity("Port Elwin", EntityType::Loc),
            entity("Harbour Board", EntityType::Org),
        ];
        let mut first = Item::new(
            "a",
            "Lee Quits As Port Elwin Ferry Strike Ends",
            "Ann Lee quit on Monday. The Harbour Board met in Port Elwin.",
        );
        first.entities = &lee;
        let mut s = Stories::new(StoryConfig::default());
        let d = s.prepare(&first);
        // "Lee", "Port", "Elwin": title words that are parts of entities; not "Ferry" or
        // "Strike" (capitals of a headline) nor "Harbour Board" (not in the title).
        assert_eq!(d.title_names.len(), 3, "{:?}", d.title_names);
        s.start(&first, &d, &[], 1);
        let story = s.open.get(&1).expect("the story just started");
        assert_eq!(story_title_miss(story, &d.names), 0.0);
        // Another strike leader in the same port: the story's protagonist is missing.
        let chan = vec![
            entity("Bo Chan", EntityType::Per),
            entity("Port Elwin", EntityType::Loc),
        ];
        let mut other = Item::new(
            "b",
            "Chan Quits As Port Elwin Dock Strike Ends",
            "Bo Chan quit on Friday in Port Elwin.",
        );
        other.entities = &chan;
        let o = s.prepare(&other);
        assert!((story_title_miss(story, &o.names) - 1.0 / 3.0).abs() < 1e-9);
        // Without the NLP stage's entities a title names nothing, and a story of such
        // articles has no protagonists to miss.
        let bare = s.prepare(&Item::new("c", first.title, first.text));
        assert!(bare.title_names.is_empty());
        s.start(&Item::new("c", first.title, first.text), &bare, &[], 2);
        let story = s.open.get(&2).expect("the story just started");
        assert_eq!(story_title_miss(story, &o.names), 0.0);
    }

    #[test]
    fn summary_lists_a_name_once_with_its_majority_type() {
        let e = |name: &str, kind, articles| StoryEntity {
            name: name.into(),
            kind,
            articles,
        };
        let story = Story {
            id: "s1".into(),
            title: "Harbour reopens".into(),
            title_holder: Vec::new(),
            body: Vec::new(),
            title_c: Vec::new(),
            names: Vec::new(),
            numbers: Vec::new(),
            bigrams: Vec::new(),
            actors: Vec::new(),
            norm_actors: 0.0,
            years: Vec::new(),
            size: 3,
            first_time: None,
            last_time: None,
            last_seq: 0,
            entities: vec![
                e("Port Elwin", EntityType::Org, 1),
                e("Port Elwin", EntityType::Loc, 2),
                e("Ann Lee", EntityType::Per, 1),
            ],
            keys: Vec::new(),
            evidence: StoryEvidence::default(),
            languages: Vec::new(),
            outlets: Vec::new(),
            aliases: Vec::new(),
            title_names: Vec::new(),
            norms: [0.0; NUM_CENTROIDS - 1],
            norms_docs: 0,
        };
        let s = summary(&story);
        assert_eq!(s.entities.len(), 2, "{:?}", s.entities);
        assert_eq!(s.entities[0].name, "Port Elwin");
        assert_eq!(s.entities[0].kind, EntityType::Loc);
        assert_eq!(s.entities[0].articles, 3);
    }
}
