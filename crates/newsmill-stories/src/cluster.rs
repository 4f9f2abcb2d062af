//! Online story clustering: one pass, no look-ahead.
//!
//! Each article is turned into three sparse term-frequency vectors (title, body, names: proper
//! nouns, numbers and NLP entities) over a hashed vocabulary of `2^hash_bits` terms. Document
//! frequencies are learned as articles arrive, and IDF weights are applied at comparison time,
//! so early stories are not stuck with the IDF of the first few articles. Each open story keeps
//! the sum of its members' length-normalised vectors (a centroid, pruned to its heaviest terms).
//!
//! Candidate stories come from an inverted index of the stories' key terms (the heaviest
//! terms of their members); the candidates are scored by the [`Model`] and the article joins
//! the best one if the model says so, or starts a new story. A story that receives nothing for a
//! [`Window`] is closed and forgotten, and the number of open stories is capped, so memory is
//! bounded on an endless stream.

use std::collections::BTreeMap;

use newsmill_core::{Entity, EntityType};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::model::{Features, Model};
use crate::text::{WordCue, for_each_word, hash_bytes, is_stop_word};
use crate::{Item, Window};

/// A sparse vector: `(term, weight)` sorted by term.
pub(crate) type Sparse = Vec<(u32, f32)>;

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
}

impl Default for StoryConfig {
    fn default() -> StoryConfig {
        StoryConfig {
            hash_bits: 20,
            key_terms: 20,
            max_candidates: 16,
            max_posting: 64,
            max_story_keys: 256,
            max_centroid_terms: 150,
            max_open: 50_000,
            time_penalty: 1.0,
            doc_terms: 300,
        }
    }
}

/// An article's vectors, computed by [`Stories::prepare`] (pure, so any core can do it).
#[derive(Debug, Clone, Default)]
pub struct DocTerms {
    title: Sparse,
    body: Sparse,
    names: Sparse,
    entities: Vec<(String, EntityType)>,
}

/// One story as the stage reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorySummary {
    /// Story id: the id of its first article.
    pub id: String,
    /// Title of its most central article seen so far.
    pub title: String,
    /// Its most frequent entities, with how many of its articles name them.
    pub entities: Vec<StoryEntity>,
    /// Time of its first article (Unix seconds), when known.
    pub first_seen: Option<i64>,
    /// Time of its last article (Unix seconds), when known.
    pub last_seen: Option<i64>,
    /// Number of articles, near-duplicates included.
    pub size: u32,
}

/// An entity of a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryEntity {
    /// Canonical name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Articles of the story that name it.
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
    size: u32,
    first_time: Option<i64>,
    last_time: Option<i64>,
    last_seq: u64,
    entities: Vec<StoryEntity>,
    keys: Vec<u32>,
    /// Norms of `body`, `title_c` and `names` with idf applied, as of `norms_docs` articles.
    /// IDF drifts slowly, so they are recomputed only when the story changes or the article
    /// count has grown by a thirty-second since: scoring then touches idf only on shared terms.
    norms: [f64; 3],
    norms_docs: u64,
}

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
    collect_closed: bool,
    /// Scratch for scoring: the article's idf-weighted body and title weights scattered by term
    /// (all zero between articles), so a centroid is scored in one pass without a merge.
    #[serde(skip)]
    scratch: Vec<[f32; 2]>,
}

/// Where an article went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub(crate) story_seq: u64,
    pub(crate) story_id: String,
    pub(crate) new_story: bool,
    pub(crate) probability: f64,
}

const SEED_TERM: u64 = 11;
const SEED_NAME: u64 = 12;

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
            collect_closed: false,
            scratch: Vec::new(),
            config: StoryConfig {
                hash_bits: bits,
                ..config
            },
        }
    }

    /// Keeps closed stories for [`Stories::take_closed`] (a store wants them; the CLI does not).
    pub fn collect_closed(&mut self, yes: bool) {
        self.collect_closed = yes;
    }

    /// The closed stories since the last call.
    pub fn take_closed(&mut self) -> Vec<StorySummary> {
        std::mem::take(&mut self.closed)
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
        let mut title = Vec::new();
        for_each_word(item.title, |w, _| {
            if let Some(t) = self.term(w) {
                title.push(t);
            }
        });
        let mut body = Vec::new();
        let mut names = Vec::new();
        let source = if item.text.trim().is_empty() {
            item.title
        } else {
            item.text
        };
        for_each_word(source, |w, cue| {
            if let Some(t) = self.term(w) {
                body.push(t);
            }
            let name = match cue {
                WordCue::Capital => !is_stop_word(w),
                WordCue::Number => w.len() >= 2,
                WordCue::Plain | WordCue::CapitalAfterStop => false,
            };
            if name {
                names.push(hash_bytes(SEED_NAME, w.as_bytes()) as u32 & self.mask);
            }
        });
        let mut entities: Vec<(String, EntityType)> = Vec::new();
        for Entity { name, kind, .. } in item.entities {
            let key = name.to_lowercase();
            for part in key.split_whitespace() {
                names.push(hash_bytes(SEED_NAME, part.as_bytes()) as u32 & self.mask);
            }
            if !entities.iter().any(|(n, k)| n == name && k == kind) {
                entities.push((name.clone(), *kind));
            }
        }
        DocTerms {
            title: sublinear(title),
            body: sublinear(body),
            names: sublinear(names),
            entities,
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
        self.ln_docs - ln1p_count(u64::from(self.df[t as usize])) + 1.0
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
    /// `(story seq, features, logit)`, best first.
    fn score(
        &mut self,
        doc: &DocTerms,
        seq: u64,
        time: Option<i64>,
        window: &Window,
        model: &Model,
        extra: Option<u64>,
    ) -> Vec<(u64, Features, f64)> {
        self.learn(doc);
        let mut hits: FxHashMap<u64, f32> = FxHashMap::default();
        for (t, w) in self.key_terms(doc) {
            if let Some(list) = self.postings.get(&t) {
                for &s in list {
                    *hits.entry(s).or_default() += w;
                }
            }
        }
        let mut cands: Vec<(u64, f32)> = hits.into_iter().collect();
        cands.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cands.truncate(self.config.max_candidates);
        if let Some(e) = extra
            && !cands.iter().any(|c| c.0 == e)
        {
            cands.push((e, 0.0));
        }
        let dv = top_terms(normalized(self.weighted(&doc.body)), self.config.doc_terms);
        let tv = normalized(self.weighted(&doc.title));
        let nv = normalized(self.weighted(&doc.names));
        // Scatter the article's body and title, with the idf of now folded in: a centroid term
        // then costs one lookup (see `Stories::dot_dense`).
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.resize(self.df.len(), [0.0; 2]);
        for &(t, w) in &dv {
            scratch[t as usize][0] = (w * f64::from(self.idf(t))) as f32;
        }
        for &(t, w) in &tv {
            scratch[t as usize][1] = (w * f64::from(self.idf(t))) as f32;
        }
        let mut out = Vec::with_capacity(cands.len());
        let mut stale = Vec::new();
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
                story.norms
            };
            let f = Features {
                cos_body: 0.0,
                cos_title: self.dot(&story.title_c, &tv, norms[1]),
                cos_names: self.dot(&story.names, &nv, norms[2]),
                cos_title_body: 0.0,
                log_size: f64::from(story.size).ln_1p(),
            };
            let mut f = f;
            (f.cos_body, f.cos_title_body) = dot_dense(&story.body, &scratch, norms[0]);
            let mut logit = model.logit(&f);
            if let (Some(t), Some(last)) = (time, story.last_time)
                && window.secs > 0
            {
                let idle = (t - last).max(0) as f64 / window.secs as f64;
                logit -= self.config.time_penalty * idle.min(1.0);
            }
            out.push((s, f, logit));
        }
        for &(t, _) in dv.iter().chain(&tv) {
            scratch[t as usize] = [0.0; 2];
        }
        self.scratch = scratch;
        let docs = self.docs;
        for (s, n) in stale {
            if let Some(story) = self.open.get_mut(&s) {
                story.norms = n;
                story.norms_docs = docs;
            }
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        out
    }

    /// The idf-weighted norms of a story's three centroids, as of now.
    fn norms(&self, s: &Story) -> [f64; 3] {
        let norm = |c: &Sparse| {
            c.iter()
                .map(|&(t, w)| {
                    let w = f64::from(w) * f64::from(self.idf(t));
                    w * w
                })
                .sum::<f64>()
                .sqrt()
        };
        [norm(&s.body), norm(&s.title_c), norm(&s.names)]
    }

    /// Cosine of the centroid `c`, whose idf-weighted norm is `norm`, with the unit vector `a`:
    /// a merge over both, with idf looked up only on shared terms.
    fn dot(&self, c: &Sparse, a: &[(u32, f64)], norm: f64) -> f64 {
        if norm <= 0.0 || a.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
        if a.len() * 8 < c.len() {
            // A short vector (a title) against a long centroid: binary search is cheaper.
            let mut rest: &[(u32, f32)] = c;
            for &(t, w) in a {
                match rest.binary_search_by_key(&t, |x| x.0) {
                    Ok(k) => {
                        dot += f64::from(rest[k].1) * f64::from(self.idf(t)) * w;
                        rest = &rest[k + 1..];
                    }
                    Err(k) => rest = &rest[k..],
                }
            }
            return (dot / norm).clamp(0.0, 1.0);
        }
        while i < c.len() && j < a.len() {
            match c[i].0.cmp(&a[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += f64::from(c[i].1) * f64::from(self.idf(c[i].0)) * a[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        (dot / norm).clamp(0.0, 1.0)
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
        match scored.first() {
            Some(&(s, _, logit)) if logit >= threshold => {
                self.join(s, item, &doc, seq);
                Decision {
                    story_seq: s,
                    story_id: self.open.get(&s).map(|x| x.id.clone()).unwrap_or_default(),
                    new_story: false,
                    probability: sigmoid(logit),
                }
            }
            best => {
                let probability = best.map_or(0.0, |b| sigmoid(b.2));
                self.start(item, &doc, seq);
                Decision {
                    story_seq: seq,
                    story_id: item.id.to_string(),
                    new_story: true,
                    probability,
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
            .iter()
            .map(|&(s, f, _)| (f, Some(s) == gold))
            .collect();
        match gold.filter(|g| self.open.contains_key(g)) {
            Some(g) => {
                self.join(g, item, &doc, seq);
                (examples, g)
            }
            None => {
                self.start(item, &doc, seq);
                (examples, seq)
            }
        }
    }

    /// Adds a near-duplicate to its original's story without moving the centroid (copies would
    /// over-weight one text). Returns false when that story is closed.
    pub(crate) fn add_copy(&mut self, story: u64, item: &Item<'_>, seq: u64) -> Option<String> {
        let s = self.open.get_mut(&story)?;
        s.size = s.size.saturating_add(1);
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

    fn key_terms(&self, doc: &DocTerms) -> Vec<(u32, f32)> {
        let mut all: Vec<(u32, f32)> = doc
            .body
            .iter()
            .chain(&doc.title)
            .chain(&doc.names)
            .map(|&(t, w)| (t, w * self.idf(t)))
            .collect();
        all.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.dedup_by_key(|x| x.0);
        all.truncate(self.config.key_terms);
        all.into_iter().map(|(t, _)| (t, self.idf(t))).collect()
    }

    fn start(&mut self, item: &Item<'_>, doc: &DocTerms, seq: u64) {
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
            size: 0,
            first_time: item.time,
            last_time: item.time,
            last_seq: seq,
            entities: Vec::new(),
            keys: Vec::new(),
            norms: [0.0; 3],
            norms_docs: 0,
        };
        self.open.insert(seq, story);
        self.join(seq, item, doc, seq);
    }

    fn join(&mut self, key: u64, item: &Item<'_>, doc: &DocTerms, seq: u64) {
        let keys = self.key_terms(doc);
        let body_n = self.unit(&doc.body);
        let title_n = self.unit(&doc.title);
        let names_n = self.unit(&doc.names);
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
        story.size = story.size.saturating_add(1);
        story.last_seq = seq;
        if let Some(t) = item.time {
            story.last_time = Some(story.last_time.map_or(t, |l| l.max(t)));
            story.first_time = Some(story.first_time.map_or(t, |f| f.min(t)));
        }
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
        story.norms = self.norms(&story);
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
        let max_posting = self.config.max_posting.max(1);
        for (t, _) in keys {
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
        self.open.insert(key, story);
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
    StorySummary {
        id: s.id.clone(),
        title: s.title.clone(),
        entities,
        first_seen: s.first_time,
        last_seen: s.last_time,
        size: s.size,
    }
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
fn dot_dense(c: &Sparse, scratch: &[[f32; 2]], norm: f64) -> (f64, f64) {
    if norm <= 0.0 {
        return (0.0, 0.0);
    }
    let (mut body, mut title) = (0.0f32, 0.0f32);
    for &(t, w) in c {
        if let Some(&[b, h]) = scratch.get(t as usize) {
            body += w * b;
            title += w * h;
        }
    }
    (
        (f64::from(body) / norm).clamp(0.0, 1.0),
        (f64::from(title) / norm).clamp(0.0, 1.0),
    )
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

/// Keeps the `max` heaviest terms (by weight times idf) once a centroid grows past twice that.
fn prune(v: Sparse, max: usize, df: &[u32], docs: u64) -> Sparse {
    if v.len() <= 2 * max {
        return v;
    }
    let ln_docs = ln1p_count(docs);
    let idf = |t: u32| ln_docs - ln1p_count(u64::from(df[t as usize])) + 1.0;
    let mut v = v;
    v.sort_unstable_by(|a, b| {
        (b.1 * idf(b.0))
            .total_cmp(&(a.1 * idf(a.0)))
            .then(a.0.cmp(&b.0))
    });
    v.truncate(max);
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
            norms: [0.0; 3],
            norms_docs: 0,
        };
        let s = summary(&story);
        assert_eq!(s.entities.len(), 2, "{:?}", s.entities);
        assert_eq!(s.entities[0].name, "Port Elwin");
        assert_eq!(s.entities[0].kind, EntityType::Loc);
        assert_eq!(s.entities[0].articles, 3);
    }
}
