//! The tagger: two averaged perceptrons over hashed features with beam-search decoding
//! under BILOU transition constraints, their training loop and the file format.
//!
//! Stage 1 tags a document from local, cluster, gazetteer and document features and the labels
//! it gave earlier in the document. Stage 2 (Ratinov and Roth's prediction aggregation) tags it
//! again, adding what stage 1 said about the token, its neighbours and every other occurrence of
//! the same word in the document. Stage 2 is trained on stage-1 labels from 5-fold
//! jackknifing, so it learns how far to trust stage 1 on unseen text.
//!
//! # File format
//!
//! A zstd frame holding: the magic `NMNER\0`, the format version (u32), the feature version
//! (u32), the resources blob (u32 length + UTF-8), then the weight tables of stage 1 and stage 2,
//! each: the scale (f32), the number of features (u32), then per feature (sorted by key) its key
//! (u64), a 17-bit mask of non-zero labels (u32) and one i16 per set bit. All integers are
//! little-endian. A weight is `i16 * scale`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::Error;
use crate::features::{
    DocFeats, Extras, FEATURE_VERSION, History, doc_features, dynamic_features, history_features,
    label_pair_features, label_word_features, prev_label, stage2_extras, stage2_features,
};
use crate::label::{Label, NL};
use crate::resources::Resources;
use crate::tables::{FORMAT_VERSION, MAGIC, ModelTables, StageRows, WeightTables};

const FOLDS: usize = 5;

/// Keys are already hashes: use them as they are.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A hash map keyed by feature hashes.
pub(crate) type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// One perceptron's weights as training builds them: feature hash -> row of label weights.
#[derive(Default)]
struct Trained {
    index: IdMap<u32>,
    rows: Vec<[f32; NL]>,
}

/// One perceptron's weights as training builds and writes them ([`WeightTables`] of one
/// stage), with the dense label rows its decoding reads.
#[derive(Default)]
struct Weights {
    t: WeightTables<1>,
    pairs: Vec<[i32; NL]>,
    /// The key of each row, for writing the model.
    keys: Vec<u64>,
}

impl Weights {
    /// Builds the table from `(key, row)` pairs; the scale maps the largest weight to 32767.
    fn from_rows(pairs: &[(u64, [f32; NL])]) -> Weights {
        let max = pairs
            .iter()
            .flat_map(|(_, r)| r.iter())
            .fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        let quantised: Vec<(u64, [[i16; NL]; 1])> = pairs
            .iter()
            .map(|(k, r)| {
                let mut q = [0i16; NL];
                for (q, w) in q.iter_mut().zip(r) {
                    *q = (w / scale).round().clamp(-32767.0, 32767.0) as i16;
                }
                (*k, [q])
            })
            .filter(|(_, [q])| q.iter().any(|&v| v != 0))
            .collect();
        let (t, keys) = WeightTables::from_quantised(quantised, [scale]);
        Weights {
            pairs: pair_rows(&t, 0),
            t,
            keys,
        }
    }

    /// Decoding with these weights (training's jackknifed stage-1 labels).
    fn decode(&self, df: &DocFeats, lens: &[usize], scratch: &mut Scratch) -> Vec<Label> {
        let mut stat = std::mem::take(&mut scratch.stat1);
        stat.clear();
        stat.resize(df.lower.len(), [0; NL]);
        for (t, s) in stat.iter_mut().enumerate() {
            for &f in df.of(t) {
                if let Some([row]) = self.t.get(f) {
                    add_row(s, row);
                }
            }
        }
        let d = Decoder {
            t: &self.t,
            stage: 0,
            pairs: &self.pairs,
            scale: self.t.scales[0],
        };
        let labels = d.decode(df, lens, &stat, scratch);
        scratch.stat1 = stat;
        labels
    }

    /// The scale and the (key, row) pairs of this stage, as a model file lists them.
    fn stage_rows(&self) -> (f32, StageRows) {
        let rows = self.keys.iter().zip(self.t.rows.iter());
        (self.t.scales[0], rows.map(|(&k, &[r])| (k, r)).collect())
    }

    /// Number of features with weights.
    fn len(&self) -> usize {
        self.t.rows.len()
    }

    fn write(&self, raw: &mut Vec<u8>) {
        raw.extend_from_slice(&self.t.scales[0].to_le_bytes());
        raw.extend_from_slice(&(self.keys.len() as u32).to_le_bytes());
        // Keys are sorted (see `WeightTables::from_quantised`), so the file does not depend on
        // the layout.
        for (key, [row]) in self.keys.iter().zip(self.t.rows.iter()) {
            let mask = row
                .iter()
                .enumerate()
                .fold(0u32, |m, (k, &v)| if v != 0 { m | (1 << k) } else { m });
            raw.extend_from_slice(&key.to_le_bytes());
            raw.extend_from_slice(&mask.to_le_bytes());
            for v in row.iter().filter(|&&v| v != 0) {
                raw.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// Adds a row of weights to a row of scores.
#[inline]
fn add_row(acc: &mut [i32; NL], row: &[i16; NL]) {
    for (a, &w) in acc.iter_mut().zip(row) {
        *a += i32::from(w);
    }
}

/// The summed rows of stage `stage`'s previous-label features (`[p1]`) and label-pair
/// features (`[p2][p1]`), dense, indexed by label number with [`NL`] for "before the
/// sentence": decoding reads them for every hypothesis.
fn pair_rows<const S: usize>(t: &WeightTables<S>, stage: usize) -> Vec<[i32; NL]> {
    let mut pairs = vec![[0i32; NL]; (NL + 1) * (NL + 1)];
    for p1 in 0..=NL {
        for p2 in 0..=NL {
            let lab = |p: usize| if p == NL { 100 } else { p as u64 };
            let row = &mut pairs[p2 * (NL + 1) + p1];
            for f in label_pair_features(lab(p1), lab(p2)) {
                if let Some(r) = t.get(f).and_then(|r| r.get(stage)) {
                    add_row(row, r);
                }
            }
        }
    }
    pairs
}

/// One stage's decoding: its rows of a weight table, its dense label rows and its scale.
struct Decoder<'a, const S: usize> {
    t: &'a WeightTables<S>,
    stage: usize,
    pairs: &'a [[i32; NL]],
    scale: f32,
}

impl<const S: usize> Decoder<'_, S> {
    /// The summed rows of the previous-label and label-pair features.
    #[inline]
    fn pair_row(&self, p1: u64, p2: u64) -> &[i32; NL] {
        let ix = |p: u64| if p >= NL as u64 { NL } else { p as usize };
        &self.pairs[ix(p2) * (NL + 1) + ix(p1)]
    }

    #[inline]
    fn add_scores(&self, feats: &[u64], s: &mut [i32; NL]) {
        // A local sum, written back once: it stays in registers across the rows.
        let mut acc = *s;
        for &f in feats {
            if let Some(row) = self.t.get(f).and_then(|r| r.get(self.stage)) {
                add_row(&mut acc, row);
            }
        }
        *s = acc;
    }

    /// Tags a document with a beam search over each sentence; returns the labels of all its
    /// tokens in order.
    ///
    /// The scores of the static features do not depend on the labels: `stat` holds them, summed
    /// for the whole document first (one pass whose table lookups are independent of each
    /// other, so their cache misses overlap). The perceptron is trained on greedy decisions, so its
    /// raw scores are not comparable across label histories: each step's scores are scaled by
    /// [`TEMPERATURE`] and normalised into log-probabilities over the labels allowed after the
    /// hypothesis' last label, and a hypothesis scores the sum of its steps' log-probabilities.
    fn decode(
        &self,
        df: &DocFeats,
        lens: &[usize],
        stat: &[[i32; NL]],
        scratch: &mut Scratch,
    ) -> Vec<Label> {
        let n = df.lower.len();
        let mut labels = vec![Label::O; n];
        let mut hist = History::default();
        let dynf = &mut scratch.dynf;
        let steps = &mut scratch.steps;
        let scale = self.scale * TEMPERATURE;
        let mut t = 0;
        for &len in lens {
            let start = t;
            steps.clear();
            let mut prev = [Hyp::default(); BEAM];
            let mut n_prev = 1;
            for i in 0..len {
                let last = i + 1 == len;
                // What earlier sentences said about the word: the same for every hypothesis.
                let mut tok = stat[t];
                dynf.clear();
                history_features(df, t, &hist, dynf);
                self.add_scores(dynf, &mut tok);
                // The best BEAM (score, hypothesis, label) candidates, best first.
                let mut top = [(f32::NEG_INFINITY, 0u8, Label::O); BEAM];
                // The scores of the features of the previous label and this word, by previous
                // label: hypotheses that end in the same label share them (most end in O).
                let mut by_p1 = [(u64::MAX, [0i32; NL]); BEAM];
                let mut n_p1 = 0;
                let mut by_pair = [(u64::MAX, u64::MAX, [0f32; NL], 0f32, 0u32); BEAM];
                let mut n_pair = 0;
                for (h, hyp) in prev[..n_prev].iter().enumerate() {
                    if i > 0 {
                        labels[t - 1] = hyp.label;
                    }
                    if i > 1 {
                        labels[t - 2] = hyp.label2;
                    }
                    let p1 = prev_label(&labels, t, start, 1);
                    let p2 = prev_label(&labels, t, start, 2);
                    // Hypotheses that end in the same two labels score the same (their label
                    // features are the same, and so are the labels allowed next): the second
                    // reuses the first's normalised scores.
                    let (scores, log_z, allowed) =
                        match by_pair[..n_pair].iter().find(|c| (c.0, c.1) == (p1, p2)) {
                            Some(c) => (c.2, c.3, c.4),
                            None => {
                                let word = match by_p1[..n_p1].iter().find(|c| c.0 == p1) {
                                    Some(c) => c.1,
                                    None => {
                                        let mut word = [0i32; NL];
                                        dynf.clear();
                                        label_word_features(df, t, p1, dynf);
                                        self.add_scores(dynf, &mut word);
                                        by_p1[n_p1] = (p1, word);
                                        n_p1 += 1;
                                        word
                                    }
                                };
                                let mut acc = tok;
                                let pair = self.pair_row(p1, p2);
                                for k in 0..NL {
                                    acc[k] += pair[k] + word[k];
                                }
                                let after = if i > 0 { hyp.label } else { Label::O };
                                let allowed = Label::allowed_after(after, last);
                                // Only the allowed labels are scored (in label order, as every
                                // loop below reads them).
                                let mut scores = [f32::NEG_INFINITY; NL];
                                let mut max = f32::NEG_INFINITY;
                                for k in set_bits(allowed) {
                                    scores[k] = acc[k] as f32 * scale;
                                    max = max.max(scores[k]);
                                }
                                // exp(-30) is below f32's precision next to the maximum's
                                // exp(0) = 1.
                                let mut z = 0f32;
                                for k in set_bits(allowed) {
                                    let d = scores[k] - max;
                                    if d > -30.0 {
                                        z += d.exp();
                                    }
                                }
                                let log_z = max + z.ln();
                                by_pair[n_pair] = (p1, p2, scores, log_z, allowed);
                                n_pair += 1;
                                (scores, log_z, allowed)
                            }
                        };
                    for k in set_bits(allowed) {
                        let v = scores[k];
                        let c = (hyp.score + v - log_z, h as u8, Label(k as u8));
                        // Insert into `top`, kept sorted by score (ties: earlier hypothesis,
                        // then lower label, as candidates come in that order).
                        if c.0 > top[BEAM - 1].0 {
                            let mut j = BEAM - 1;
                            while j > 0 && c.0 > top[j - 1].0 {
                                top[j] = top[j - 1];
                                j -= 1;
                            }
                            top[j] = c;
                        }
                    }
                }
                n_prev = top.iter().filter(|c| c.0 > f32::NEG_INFINITY).count();
                let mut cur = [Hyp::default(); BEAM];
                for (c, &(score, h, label)) in cur.iter_mut().zip(&top[..n_prev]) {
                    *c = Hyp {
                        score,
                        label,
                        label2: prev[usize::from(h)].label,
                        back: h,
                    };
                }
                steps.push(cur);
                prev = cur;
                t += 1;
            }
            let mut h = 0;
            for (i, step) in steps.iter().enumerate().rev() {
                labels[start + i] = step[h].label;
                h = usize::from(step[h].back);
            }
            for k in start..t {
                hist.record(df.hist_key[k], labels[k]);
            }
        }
        labels
    }
}

/// Buffers reused across the documents one thread tags.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The static scores of stage 1 and stage 2, per token.
    stat1: Vec<[i32; NL]>,
    stat2: Vec<[i32; NL]>,
    dynf: Vec<u64>,
    steps: Vec<[Hyp; BEAM]>,
}

/// A trained tagger with the resources its features read.
pub struct Model {
    /// Both stages' weights, one row of each per feature.
    weights: WeightTables<2>,
    /// The dense label rows of each stage.
    pairs: [Vec<[i32; NL]>; 2],
    two_stage: bool,
    pub(crate) res: Resources,
    /// What [`Model::to_bytes`] writes from.
    saved: Saved,
}

/// How a model is written back: a trained one from the file it makes, one read from a file as
/// the file's bytes (so a loaded model keeps neither the resources' text, which is parsed into
/// tables, nor the weights' keys, which decoding never reads); one compiled into the crate as
/// tables cannot be (its file is in the repository).
enum Saved {
    /// Built by training: the model file, not yet compressed.
    Raw(Vec<u8>),
    /// Read from these bytes of a model file.
    File(Vec<u8>),
    /// Read in place from a table image compiled into the crate.
    Image,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("features", &self.n_features())
            .finish_non_exhaustive()
    }
}

/// Beam width of decoding.
const BEAM: usize = 3;

/// Scale of the perceptron's scores before they are normalised into log-probabilities for the
/// beam search: low enough that a confident label outweighs a few uncertain ones, high enough
/// that the BILOU constraints (which leave fewer labels after B and I) do not favour entities.
/// Chosen on the CoNLL-2003 dev split (0.025 to 0.04 score within 0.1 F1 of each other).
const TEMPERATURE: f32 = 0.03;

/// A beam search hypothesis after some token: its total log-probability, its last two labels
/// and the hypothesis at the previous token it extends.
#[derive(Clone, Copy, Default)]
struct Hyp {
    score: f32,
    label: Label,
    label2: Label,
    back: u8,
}

/// The positions of the set bits of `mask`, lowest first.
#[inline]
fn set_bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            k
        })
    })
}

/// The best label allowed after `prev` (the training's greedy decision).
fn best(scores: &[f32; NL], prev: Label, last: bool) -> Label {
    let mut best = Label::O;
    let mut best_score = f32::NEG_INFINITY;
    for (k, &sc) in scores.iter().enumerate() {
        let l = Label(k as u8);
        if sc > best_score && l.valid_after(prev, last) {
            best = l;
            best_score = sc;
        }
    }
    best
}

fn split_by_lens(labels: &[Label], lens: &[usize]) -> Vec<Vec<Label>> {
    let mut out = Vec::with_capacity(lens.len());
    let mut t = 0;
    for &len in lens {
        out.push(labels[t..t + len].to_vec());
        t += len;
    }
    out
}

impl Model {
    /// Number of features with weights, both stages.
    pub fn n_features(&self) -> usize {
        self.weights.features_of_stage(0) + self.weights.features_of_stage(1)
    }

    /// Turns off (or on) reading words that lost their non-ASCII letters as the words they were
    /// (on by default; off only to measure what it does: `cargo xtask eval ner --no-restore`).
    pub fn set_restoring(&mut self, on: bool) {
        self.res.restoring = on;
    }

    /// Tags one document given as sentences of tokens.
    ///
    /// Both stages read the document's static features: one pass looks each up once and sums
    /// the rows of both stages. Stage 2 adds its own features (what stage 1 said) to its sums
    /// once stage 1 has tagged the document.
    pub fn tag_doc<S: AsRef<str>>(&self, doc: &[Vec<S>]) -> Vec<Vec<Label>> {
        let lens: Vec<usize> = doc.iter().map(Vec::len).collect();
        let df = doc_features(&self.res, doc);
        let mut scratch = Scratch::default();
        let mut stat1 = std::mem::take(&mut scratch.stat1);
        let mut stat2 = std::mem::take(&mut scratch.stat2);
        self.static_scores(&df, &mut stat1, &mut stat2);
        let stage = |s: usize| Decoder {
            t: &self.weights,
            stage: s,
            pairs: &self.pairs[s],
            scale: self.weights.scales[s],
        };
        let labels1 = stage(0).decode(&df, &lens, &stat1, &mut scratch);
        let labels = if self.two_stage {
            self.add_stage2_scores(&stage2_extras(&df, &labels1, &lens), &mut stat2);
            stage(1).decode(&df, &lens, &stat2, &mut scratch)
        } else {
            labels1
        };
        split_by_lens(&labels, &lens)
    }

    /// The scores of each token's static features in stage 1 and stage 2, in one pass that
    /// looks each feature up once.
    fn static_scores(&self, df: &DocFeats, stat1: &mut Vec<[i32; NL]>, stat2: &mut Vec<[i32; NL]>) {
        let n = df.lower.len();
        stat1.clear();
        stat1.resize(n, [0; NL]);
        stat2.clear();
        stat2.resize(n, [0; NL]);
        for (t, (s1, s2)) in stat1.iter_mut().zip(stat2.iter_mut()).enumerate() {
            // Local sums, written back once: they stay in registers across the rows.
            let (mut a, mut b) = ([0i32; NL], [0i32; NL]);
            for &f in df.of(t) {
                if let Some([r1, r2]) = self.weights.get(f) {
                    add_row(&mut a, r1);
                    add_row(&mut b, r2);
                }
            }
            (*s1, *s2) = (a, b);
        }
    }

    /// Adds the scores of stage 2's own features (`extras`) to its static scores.
    fn add_stage2_scores(&self, extras: &Extras, stat2: &mut [[i32; NL]]) {
        for (t, s2) in stat2.iter_mut().enumerate() {
            for &f in extras.of(t) {
                if let Some([_, r2]) = self.weights.get(f) {
                    add_row(s2, r2);
                }
            }
        }
    }

    /// Serialises the model (see the module docs); a model read from a file gives back that
    /// file's bytes. A model compiled into the crate ([`crate::Nlp::embedded`]) holds only the
    /// tables decoding reads: writing it is an error (its file is
    /// `crates/newsmill-nlp/models/ner-L.bin.zst`).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        match &self.saved {
            Saved::File(bytes) => Ok(bytes.clone()),
            Saved::Image => Err(Error::Model(
                "a compiled-in model is not written back; read its model file instead".into(),
            )),
            Saved::Raw(raw) => {
                Ok(zstd::stream::encode_all(&raw[..], 19).unwrap_or_else(|_| raw.clone()))
            }
        }
    }

    /// Reads a model written by [`Model::to_bytes`] (keeping a copy of `bytes` to write it
    /// back): its resources are parsed into tables now.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, Error> {
        let raw = zstd::stream::decode_all(bytes)
            .map_err(|e| Error::Model(format!("not a zstd-compressed model: {e}")))?;
        let t = ModelTables::from_raw(&raw).map_err(Error::Model)?;
        Ok(Model::of_tables(t, Saved::File(bytes.to_vec())))
    }

    /// Reads a table image compiled into the crate (see [`crate::tables`]) in place.
    pub(crate) fn from_image(image: &'static [u8]) -> Result<Model, Error> {
        let t = ModelTables::read_image(image).map_err(Error::Model)?;
        Ok(Model::of_tables(t, Saved::Image))
    }

    /// The model of a trained perceptron per stage, with the file it makes.
    fn of_trained(blob: &str, res: Resources, stage1: &Weights, stage2: &Weights) -> Model {
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        raw.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        raw.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        raw.extend_from_slice(blob.as_bytes());
        stage1.write(&mut raw);
        stage2.write(&mut raw);
        let weights = WeightTables::join(stage1.stage_rows(), stage2.stage_rows());
        Model {
            pairs: [pair_rows(&weights, 0), pair_rows(&weights, 1)],
            weights,
            two_stage: stage2.len() > 0,
            res,
            saved: Saved::Raw(raw),
        }
    }

    fn of_tables(t: ModelTables, saved: Saved) -> Model {
        Model {
            pairs: [pair_rows(&t.weights, 0), pair_rows(&t.weights, 1)],
            weights: t.weights,
            two_stage: t.two_stage,
            res: Resources::new(t.res),
            saved,
        }
    }
}

/// A training document: sentences of tokens with their gold labels.
#[derive(Debug, Clone, Default)]
pub struct TrainDoc {
    /// Sentences of tokens.
    pub sents: Vec<Vec<String>>,
    /// Gold BILOU labels, one per token.
    pub labels: Vec<Vec<Label>>,
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the document shuffle.
    pub seed: u64,
    /// Static features seen fewer times than this in training are dropped.
    pub min_count: u32,
    /// Train the second (prediction aggregation) stage.
    pub two_stage: bool,
    /// Parameter mixing: each perceptron is the mean of this many trained on different
    /// shuffles (seeds derived from `seed`).
    pub mix: usize,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            epochs: 12,
            seed: 20_030_531,
            min_count: 2,
            two_stage: true,
            mix: 3,
        }
    }
}

/// One document prepared for training.
struct Prepared {
    df: DocFeats,
    lens: Vec<usize>,
    gold: Vec<Label>,
}

/// Trains one perceptron on `docs` (only those whose index `keep` accepts).
fn train_weights(
    docs: &[Prepared],
    keep: impl Fn(usize) -> bool + Copy,
    cfg: &TrainConfig,
    progress: &mut dyn FnMut(usize, f64),
) -> Weights {
    let k = cfg.mix.max(1) as u64;
    // Parameter mixing: the mean of `k` perceptrons trained on different shuffles.
    let mut sum: IdMap<[f32; NL]> = IdMap::default();
    for j in 0..k {
        let w = train_once(docs, keep, cfg, cfg.seed.wrapping_add(j * 7919), progress);
        for (&f, &r) in &w.index {
            let acc = sum.entry(f).or_insert([0.0; NL]);
            for (a, x) in acc.iter_mut().zip(&w.rows[r as usize]) {
                *a += x / k as f32;
            }
        }
    }
    let mut pairs: Vec<(u64, [f32; NL])> = sum.into_iter().collect();
    pairs.sort_unstable_by_key(|p| p.0);
    Weights::from_rows(&pairs)
}

fn train_once(
    docs: &[Prepared],
    keep: impl Fn(usize) -> bool,
    cfg: &TrainConfig,
    seed: u64,
    progress: &mut dyn FnMut(usize, f64),
) -> Trained {
    // Keep static features seen at least `min_count` times.
    let mut counts: IdMap<u32> = IdMap::default();
    for (_, d) in docs.iter().enumerate().filter(|(i, _)| keep(*i)) {
        for &f in &d.df.feats {
            *counts.entry(f).or_default() += 1;
        }
    }
    let mut index: IdMap<u32> = IdMap::default();
    let mut kept: Vec<u64> = counts
        .iter()
        .filter(|(_, c)| **c >= cfg.min_count)
        .map(|(f, _)| *f)
        .collect();
    // Sorted, so the row order (and the result) does not depend on hash map order.
    kept.sort_unstable();
    for f in kept {
        let n = index.len() as u32;
        index.insert(f, n);
    }
    drop(counts);
    let mut w: Vec<[f32; NL]> = vec![[0.0; NL]; index.len()];
    let mut u: Vec<[f64; NL]> = vec![[0.0; NL]; index.len()];
    let mut c: f64 = 1.0;
    let mut order: Vec<usize> = (0..docs.len()).filter(|&i| keep(i)).collect();
    let mut rng = seed | 1;
    let mut dynf: Vec<u64> = Vec::with_capacity(16);
    for epoch in 0..cfg.epochs {
        // Fisher-Yates with xorshift64, so the order depends only on the seed.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let (mut right, mut total) = (0usize, 0usize);
        for &d in &order {
            let doc = &docs[d];
            let df = &doc.df;
            let mut labels = vec![Label::O; doc.gold.len()];
            let mut hist = History::default();
            let mut t = 0;
            for &len in &doc.lens {
                let start = t;
                for i in 0..len {
                    let mut scores = [0f32; NL];
                    for f in df.of(t) {
                        if let Some(&r) = index.get(f) {
                            let row = &w[r as usize];
                            for k in 0..NL {
                                scores[k] += row[k];
                            }
                        }
                    }
                    dynf.clear();
                    dynamic_features(df, t, start, &labels, &hist, &mut dynf);
                    for f in &dynf {
                        if let Some(&r) = index.get(f) {
                            let row = &w[r as usize];
                            for k in 0..NL {
                                scores[k] += row[k];
                            }
                        }
                    }
                    let prev = if i > 0 { labels[t - 1] } else { Label::O };
                    let pred = best(&scores, prev, i + 1 == len);
                    let gold = doc.gold[t];
                    if pred == gold {
                        right += 1;
                    } else {
                        let (g, p) = (usize::from(gold.0), usize::from(pred.0));
                        for (j, f) in df.of(t).iter().chain(dynf.iter()).enumerate() {
                            let is_dyn = j >= df.of(t).len();
                            let row = match index.get(f) {
                                Some(&r) => r as usize,
                                None if is_dyn => {
                                    let r = w.len();
                                    index.insert(*f, r as u32);
                                    w.push([0.0; NL]);
                                    u.push([0.0; NL]);
                                    r
                                }
                                None => continue,
                            };
                            w[row][g] += 1.0;
                            w[row][p] -= 1.0;
                            u[row][g] += c;
                            u[row][p] -= c;
                        }
                    }
                    total += 1;
                    c += 1.0;
                    labels[t] = pred;
                    t += 1;
                }
                for k in start..t {
                    hist.record(df.hist_key[k], labels[k]);
                }
            }
        }
        progress(epoch + 1, right as f64 / total.max(1) as f64);
    }
    // Averaging: the mean weight over all steps is w - u / c.
    let rows: Vec<[f32; NL]> = w
        .iter()
        .zip(&u)
        .map(|(w, u)| {
            let mut r = [0f32; NL];
            for k in 0..NL {
                r[k] = (f64::from(w[k]) - u[k] / c) as f32;
            }
            r
        })
        .collect();
    Trained { index, rows }
}

/// Trains a model on `docs` with the resources in `resources_blob`. `progress` is called with
/// a stage name, the epoch and that epoch's training token accuracy.
pub fn train(
    docs: &[TrainDoc],
    resources_blob: &str,
    cfg: &TrainConfig,
    mut progress: impl FnMut(&str, usize, f64),
) -> Model {
    let res = Resources::parse(resources_blob);
    let mut prepared: Vec<Prepared> = docs
        .iter()
        .map(|d| Prepared {
            df: doc_features(&res, &d.sents),
            lens: d.sents.iter().map(Vec::len).collect(),
            gold: d.labels.iter().flatten().copied().collect(),
        })
        .collect();
    let stage1 = train_weights(&prepared, |_| true, cfg, &mut |e, a| {
        progress("stage 1", e, a)
    });
    if !cfg.two_stage {
        return Model::of_trained(resources_blob, res, &stage1, &Weights::default());
    }
    // Stage-1 labels for every training document from a model that never saw it.
    let mut labels1: Vec<Vec<Label>> = vec![Vec::new(); prepared.len()];
    let mut scratch = Scratch::default();
    for fold in 0..FOLDS {
        let name = format!("fold {}/{FOLDS}", fold + 1);
        let w = train_weights(&prepared, |i| i % FOLDS != fold, cfg, &mut |e, a| {
            if e == cfg.epochs {
                progress(&name, e, a);
            }
        });
        for (i, d) in prepared
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS == fold)
        {
            labels1[i] = w.decode(&d.df, &d.lens, &mut scratch);
        }
    }
    for (d, l1) in prepared.iter_mut().zip(&labels1) {
        d.df = stage2_features(&d.df, l1, &d.lens);
    }
    let stage2 = train_weights(&prepared, |_| true, cfg, &mut |e, a| {
        progress("stage 2", e, a)
    });
    Model::of_trained(resources_blob, res, &stage1, &stage2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(s: &[&str]) -> Vec<Vec<String>> {
        vec![s.iter().map(|w| w.to_string()).collect()]
    }

    #[test]
    fn a_model_written_and_read_tags_the_same_and_writes_back_the_same_bytes() {
        let doc = TrainDoc {
            sents: sents(&["Anna", "Berg", "visited", "Oslo", "."]),
            labels: vec![crate::label::from_iob(&[
                "B-PER", "I-PER", "O", "B-LOC", "O",
            ])],
        };
        let cfg = TrainConfig {
            epochs: 2,
            mix: 1,
            min_count: 1,
            ..TrainConfig::default()
        };
        let trained = train(
            std::slice::from_ref(&doc),
            "#gaz city\nOslo\n",
            &cfg,
            |_, _, _| {},
        );
        let bytes = trained.to_bytes().unwrap();
        let read = Model::from_bytes(&bytes).unwrap();
        assert_eq!(read.tag_doc(&doc.sents), trained.tag_doc(&doc.sents));
        assert_eq!(read.n_features(), trained.n_features());
        // Read from a file, it writes the file back.
        assert_eq!(read.to_bytes().unwrap(), bytes);
    }

    /// Decoding reads both stages' rows from one table, summing a token's static scores of both
    /// stages in one pass: it tags exactly as decoding each stage from its own table, the
    /// stage-2 features following the static ones (as training reads them).
    #[test]
    fn the_shared_table_tags_as_the_two_stages_apart() {
        // Documents of a few words with labels drawn at random (xorshift), so that the
        // perceptrons err often and every kind of feature gets weights.
        let words = [
            "Anna", "Berg", "visited", "Oslo", "Acme", "said", "in", "Paris", ".",
        ];
        let tags = ["O", "O", "B-PER", "B-LOC", "B-ORG", "B-MISC"];
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let docs: Vec<TrainDoc> = (0..12)
            .map(|_| {
                let (mut sents, mut labels) = (Vec::new(), Vec::new());
                for _ in 0..3 {
                    let n = 3 + next(6);
                    sents.push(
                        (0..n)
                            .map(|_| words[next(words.len())].to_string())
                            .collect(),
                    );
                    let iob: Vec<&str> = (0..n).map(|_| tags[next(tags.len())]).collect();
                    labels.push(crate::label::from_iob(&iob));
                }
                TrainDoc { sents, labels }
            })
            .collect();
        let cfg = TrainConfig {
            epochs: 3,
            mix: 1,
            min_count: 1,
            ..TrainConfig::default()
        };
        let model = train(&docs, "#gaz city\nOslo\nParis\n", &cfg, |_, _, _| {});
        assert!(model.two_stage);
        let bytes = model.to_bytes().unwrap();
        let raw = zstd::stream::decode_all(&bytes[..]).unwrap();
        let stages = crate::tables::stages_of_raw(&raw)
            .unwrap()
            .map(|(scale, rows)| {
                let rows = rows.into_iter().map(|(k, r)| (k, [r])).collect();
                let (t, keys) = WeightTables::from_quantised(rows, [scale]);
                Weights {
                    pairs: pair_rows(&t, 0),
                    t,
                    keys,
                }
            });
        let sum = |w: &Weights, df: &DocFeats, t: usize| {
            let mut s = [0i32; NL];
            for &f in df.of(t) {
                if let Some([r]) = w.t.get(f) {
                    add_row(&mut s, r);
                }
            }
            s
        };
        let mut scratch = Scratch::default();
        let (mut stat1, mut stat2) = (Vec::new(), Vec::new());
        let mut own = [0; 2];
        for d in &docs {
            let lens: Vec<usize> = d.sents.iter().map(Vec::len).collect();
            let df = doc_features(&model.res, &d.sents);
            let labels1 = stages[0].decode(&df, &lens, &mut scratch);
            let df2 = stage2_features(&df, &labels1, &lens);
            let apart = stages[1].decode(&df2, &lens, &mut scratch);
            assert_eq!(model.tag_doc(&d.sents), split_by_lens(&apart, &lens));
            model.static_scores(&df, &mut stat1, &mut stat2);
            let extras = stage2_extras(&df, &labels1, &lens);
            model.add_stage2_scores(&extras, &mut stat2);
            for t in 0..lens.iter().sum() {
                assert_eq!(stat1[t], sum(&stages[0], &df, t));
                assert_eq!(stat2[t], sum(&stages[1], &df2, t));
                for f in extras.of(t) {
                    own[0] += usize::from(stages[0].t.get(*f).is_some());
                    own[1] += usize::from(stages[1].t.get(*f).is_some());
                }
            }
        }
        // Stage 2 has weights for its own features and stage 1 none, so the sums compared
        // above hold both kinds.
        assert!(own[1] > 0);
        assert_eq!(own[0], 0);
    }

    #[test]
    fn a_one_stage_model_is_read_back() {
        // Its empty second stage used to be written with scale 0, which reading refused
        // ("bad weight scale 0").
        let doc = TrainDoc {
            sents: sents(&["Anna", "visited", "Oslo", "."]),
            labels: vec![crate::label::from_iob(&["B-PER", "O", "B-LOC", "O"])],
        };
        let cfg = TrainConfig {
            epochs: 2,
            mix: 1,
            min_count: 1,
            two_stage: false,
            ..TrainConfig::default()
        };
        let trained = train(std::slice::from_ref(&doc), "", &cfg, |_, _, _| {});
        let bytes = trained.to_bytes().unwrap();
        let read = Model::from_bytes(&bytes).expect("a one-stage model reads back");
        assert_eq!(read.tag_doc(&doc.sents), trained.tag_doc(&doc.sents));
        assert!(!read.two_stage);
        assert_eq!(read.weights.features_of_stage(1), 0);
    }
}
