//! Feature extraction: every feature is a 64-bit hash of a template id and its values, so no
//! feature string is ever built. The hash is written here (FNV-1a with a final mix) rather than
//! taken from a crate, because the model stores these hashes: they must never change.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use crate::model::{IdHasher, IdMap};

use crate::label::{Label, NL};
use crate::resources::{CASE_LOWER_ONLY, CASE_TITLE_ONLY, Cluster, GAZ_KINDS, Resources};

pub(crate) use crate::tables::{FEATURE_VERSION, Fnv, fmix, hash_str};

/// Combines two hashes (order matters).
pub(crate) const fn mix(a: u64, b: u64) -> u64 {
    fmix(a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.rotate_left(23) ^ 0x5bd1_e995)
}

// Template ids.
const BIAS: u64 = 1;
const W0: u64 = 2;
const L0: u64 = 3;
const LM1: u64 = 4;
const LP1: u64 = 5;
const LM2: u64 = 6;
const LP2: u64 = 7;
const SH0: u64 = 8;
const SHM1: u64 = 9;
const SHP1: u64 = 10;
const SHM1_0: u64 = 11;
const SH0_P1: u64 = 12;
const LM1_0: u64 = 13;
const L0_P1: u64 = 14;
const PRE: u64 = 15;
const SUF: u64 = 16;
const CL0: u64 = 17;
const CLM1: u64 = 18;
const CLP1: u64 = 19;
const GAZ0: u64 = 20;
const GAZM1: u64 = 21;
const GAZP1: u64 = 22;
const FIRST_SH: u64 = 23;
const CAPS_SENT: u64 = 24;
const CAPS_SENT_L0: u64 = 25;
const DOC_LOWER: u64 = 26;
const DOC_TITLE: u64 = 27;
const SHM2: u64 = 28;
const SHP2: u64 = 29;
const DOC_SPAN: u64 = 30;
const WM1: u64 = 31;
const WP1: u64 = 32;
const FIRST_L0: u64 = 33;
const SUF3_M1: u64 = 34;
const SUF3_P1: u64 = 35;
const CL0_SH0: u64 = 36;
const CAP_PAT: u64 = 37;
const LM1_P1: u64 = 38;
const SH3: u64 = 39;
const CASE0: u64 = 46;
const CASE_CTX: u64 = 47;
const CASEM1: u64 = 48;
const CASEP1: u64 = 49;
const TOPIC_SH: u64 = 50;
const TOPIC_GAZ: u64 = 51;
const TOPIC_CL: u64 = 52;
const TOPIC_L0: u64 = 53;
const TABLE_SH: u64 = 54;
const TABLE_TOPIC: u64 = 55;
const AGG_PREV: u64 = 56;
const AGG_NEXT: u64 = 57;
const AGG_PREV_CL: u64 = 58;
const AGG_NEXT_CL: u64 = 59;
const AGG_PREV_SH: u64 = 70;
const FREQ0: u64 = 72;
const FREQ_CAP: u64 = 73;
const AGG_NEXT_SH: u64 = 71;
// Dynamic templates (they read earlier predictions).
const P1: u64 = 40;
const P2P1: u64 = 41;
const P1_L0: u64 = 42;
const P1_SH0: u64 = 43;
const HIST: u64 = 44;
const HIST_MAJ: u64 = 45;
// Stage-2 templates (they read stage-1 labels of the whole document).
const A_OWN: u64 = 60;
const A_PREV: u64 = 61;
const A_NEXT: u64 = 62;
const A_HAS: u64 = 63;
const A_MAJ: u64 = 64;
const A_MAJ_OWN: u64 = 65;
const A_OWN_L0: u64 = 66;
const A_PHR: u64 = 68;
const A_PHR_OWN: u64 = 69;

/// A compressed word shape: X for uppercase, x for lowercase, d for digits, other characters as
/// they are; runs of one class longer than two are cut to two ("Putin" -> "Xxx").
#[cfg(test)]
pub(crate) fn shape(word: &str) -> String {
    let mut out = String::with_capacity(8);
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k == last {
            run += 1;
        } else {
            run = 1;
            last = k;
        }
        if run <= 2 {
            out.push(k);
        }
    }
    out
}

/// The last `k` characters of `s` (all of it when shorter).
fn suffix(s: &str, k: usize) -> &str {
    if s.is_ascii() {
        return &s[s.len().saturating_sub(k)..];
    }
    let start = s.char_indices().rev().nth(k - 1).map_or(0, |(i, _)| i);
    &s[start..]
}

/// The first `k` characters of `s` (all of it when shorter).
#[cfg(test)]
fn prefix(s: &str, k: usize) -> &str {
    if s.is_ascii() {
        return &s[..k.min(s.len())];
    }
    let end = s.char_indices().nth(k).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

fn to_lower(w: &str) -> String {
    if w.is_ascii() {
        w.to_ascii_lowercase()
    } else {
        w.to_lowercase()
    }
}

/// Hash of [`shape`]`(word)` without building the string.
fn shape_hash(word: &str) -> u64 {
    let mut h = Fnv::new();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k == last {
            run += 1;
        } else {
            run = 1;
            last = k;
        }
        if run <= 2 {
            h.char(k);
        }
    }
    h.finish()
}

fn is_cap(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn has_lower(word: &str) -> bool {
    word.chars().any(char::is_lowercase)
}

fn sentinel(k: i64) -> u64 {
    hash_str(if k < 0 { "<s>" } else { "</s>" })
}

/// Static features of one document, and the per-token values the dynamic features need.
pub(crate) struct DocFeats {
    /// All static feature hashes, token after token.
    pub(crate) feats: Vec<u64>,
    /// Token `t`'s static features are `feats[offs[t]..offs[t + 1]]`.
    pub(crate) offs: Vec<u32>,
    /// Hash of each token's lowercase form.
    pub(crate) lower: Vec<u64>,
    /// Hash of each token's shape.
    pub(crate) shape: Vec<u64>,
    /// History key: the lowercase hash for capitalized tokens, 0 for others.
    pub(crate) hist_key: Vec<u64>,
}

impl DocFeats {
    pub(crate) fn of(&self, t: usize) -> &[u64] {
        &self.feats[self.offs[t] as usize..self.offs[t + 1] as usize]
    }
}

/// One occurrence of a capitalized word, for context aggregation: the features its left and
/// right neighbours give the word's other occurrences (each neighbour's lowercase hash, Brown
/// cluster prefix or 0, and shape hash; sentinels at the sentence edges) and its position
/// (sentence, token).
struct Context {
    feats: [u64; 6],
    at: (usize, usize),
}

/// Computes the static features of a document given as sentences of tokens (reading words
/// that lost their non-ASCII letters as the words they were: [`crate::restore`]).
pub(crate) fn doc_features<S: AsRef<str>>(res: &Resources, doc: &[Vec<S>]) -> DocFeats {
    match crate::restore::restored(res, doc) {
        Some(fixed) => features_of(res, &fixed),
        None => features_of(res, doc),
    }
}

/// `mix(template, k)` for `k` in `0..N`: the first half of two-part features whose first part
/// is a small number (an affix length, a cluster prefix length, a gazetteer kind), computed at
/// compile time.
const fn mixes<const N: usize>(template: u64) -> [u64; N] {
    let mut out = [0u64; N];
    let mut k = 0;
    while k < N {
        out[k] = mix(template, k as u64);
        k += 1;
    }
    out
}

const PRE_K: [u64; 16] = mixes(PRE);
const SUF_K: [u64; 16] = mixes(SUF);
const CL0_K: [u64; 21] = mixes(CL0);
const CLM1_K: [u64; 9] = mixes(CLM1);
const CLP1_K: [u64; 9] = mixes(CLP1);
/// `mix(GAZ0, kind)`, `mix(GAZM1, kind)`, `mix(GAZP1, kind)` by gazetteer kind.
const GAZ0_K: [u64; 16] = mixes(GAZ0);
const GAZM1_K: [u64; 16] = mixes(GAZM1);
const GAZP1_K: [u64; 16] = mixes(GAZP1);
const _: () = assert!(GAZ_KINDS.len() <= 16);

/// The features of the words of a document, read once per token for all the templates
/// (token `t` of the document, sentences one after another).
#[derive(Default)]
struct Tokens<'a> {
    words: Vec<&'a str>,
    /// The lowercase forms, token `t`'s is `lower_text[lower_at[t].0..lower_at[t].1]`.
    lower_text: String,
    lower_at: Vec<(usize, usize)>,
    /// Hashes of the word, its lowercase form, its shape and its last three lowercase
    /// characters.
    word: Vec<u64>,
    lower: Vec<u64>,
    shape: Vec<u64>,
    suf3: Vec<u64>,
    cluster: Vec<Option<Cluster>>,
    cap: Vec<bool>,
}

impl<'a> Tokens<'a> {
    fn of<S: AsRef<str>>(res: &Resources, doc: &'a [Vec<S>], n: usize) -> Tokens<'a> {
        let mut k = Tokens {
            words: Vec::with_capacity(n),
            lower_text: String::with_capacity(n * 8),
            lower_at: Vec::with_capacity(n),
            word: Vec::with_capacity(n),
            lower: Vec::with_capacity(n),
            shape: Vec::with_capacity(n),
            suf3: Vec::with_capacity(n),
            cluster: Vec::with_capacity(n),
            cap: Vec::with_capacity(n),
        };
        for w in doc.iter().flatten() {
            let w = w.as_ref();
            let from = k.lower_text.len();
            if w.is_ascii() {
                k.lower_text.push_str(w);
                k.lower_text[from..].make_ascii_lowercase();
            } else {
                k.lower_text.extend(w.chars().flat_map(char::to_lowercase));
            }
            let lower = &k.lower_text[from..];
            k.words.push(w);
            k.lower_at.push((from, k.lower_text.len()));
            k.word.push(hash_str(w));
            k.lower.push(hash_str(lower));
            k.shape.push(shape_hash(w));
            k.suf3.push(hash_str(suffix(lower, 3)));
            k.cluster.push(res.cluster(w, lower));
            k.cap.push(is_cap(w));
        }
        k
    }

    fn lower(&self, t: usize) -> &str {
        &self.lower_text[self.lower_at[t].0..self.lower_at[t].1]
    }
}

fn features_of<S: AsRef<str>>(res: &Resources, doc: &[Vec<S>]) -> DocFeats {
    let n: usize = doc.iter().map(Vec::len).sum();
    let mut df = DocFeats {
        feats: Vec::with_capacity(n * 48),
        offs: Vec::with_capacity(n + 1),
        lower: Vec::with_capacity(n),
        shape: Vec::with_capacity(n),
        hist_key: Vec::with_capacity(n),
    };
    df.offs.push(0);
    let tok = Tokens::of(res, doc, n);
    let (before, after) = (sentinel(-1), sentinel(1));

    // Document-wide facts: which lowercase forms occur as lowercase words, which occur
    // capitalized in the middle of an ordinary (not all-caps) sentence, and which occur inside a
    // run of two or more capitalized words.
    type IdSet = HashSet<u64, BuildHasherDefault<IdHasher>>;
    let mut seen_lower = IdSet::default();
    let mut seen_title_mid = IdSet::default();
    let mut seen_in_span = IdSet::default();
    // Context aggregation: the neighbours of every capitalized word's occurrences in the
    // document (lowercase hashes, and classes: Brown cluster prefix and shape), with the
    // occurrence's position.
    let mut contexts: IdMap<Vec<Context>> = IdMap::default();
    // A neighbour as (lowercase hash, Brown cluster prefix or 0, shape hash).
    let neighbour = |t: usize| -> [u64; 3] {
        let c = tok.cluster[t].map_or(0, |c| c.prefix(8) | 1 << 40);
        [tok.lower[t], c, tok.shape[t]]
    };
    let caps_sent: Vec<bool> = doc
        .iter()
        .map(|s| {
            let words: Vec<&str> = s.iter().map(AsRef::as_ref).collect();
            !words.iter().any(|w| has_lower(w)) && words.iter().filter(|w| is_cap(w)).count() >= 1
        })
        .collect();
    // The first token of each sentence.
    let mut starts = Vec::with_capacity(doc.len());
    let mut s0 = 0;
    for (s, sent) in doc.iter().enumerate() {
        starts.push(s0);
        let m = sent.len();
        for i in 0..m {
            let t = s0 + i;
            let w = tok.words[t];
            if tok.cap[t] {
                let h = tok.lower[t];
                let v = contexts.entry(h).or_default();
                if v.len() < 12 {
                    let prev = if i > 0 {
                        neighbour(t - 1)
                    } else {
                        [before, 2, 2]
                    };
                    let next = if i + 1 < m {
                        neighbour(t + 1)
                    } else {
                        [after, 3, 3]
                    };
                    v.push(Context {
                        feats: [
                            mix(AGG_PREV, prev[0]),
                            mix(AGG_NEXT, next[0]),
                            mix(AGG_PREV_CL, prev[1]),
                            mix(AGG_NEXT_CL, next[1]),
                            mix(AGG_PREV_SH, prev[2]),
                            mix(AGG_NEXT_SH, next[2]),
                        ],
                        at: (s, i),
                    });
                }
            }
            if w.chars().next().is_some_and(char::is_lowercase) {
                seen_lower.insert(tok.lower[t]);
            } else if tok.cap[t] && !caps_sent[s] {
                let h = tok.lower[t];
                if i > 0 {
                    seen_title_mid.insert(h);
                }
                let prev = i > 0 && tok.cap[t - 1];
                let next = i + 1 < m && tok.cap[t + 1];
                if prev || next {
                    seen_in_span.insert(h);
                }
            }
        }
        s0 += m;
    }

    // The document's topic: the first word of a headline such as "SOCCER - JAPAN GET LUCKY WIN".
    let topic = doc
        .first()
        .filter(|s| s.len() > 2 && s[1].as_ref() == "-" && is_cap(s[0].as_ref()))
        .map_or(hash_str("<none>"), |s| hash_str(&to_lower(s[0].as_ref())));
    let (topic_sh, topic_gaz, topic_cl, topic_l0) = (
        mix(TOPIC_SH, topic),
        mix(TOPIC_GAZ, topic),
        mix(TOPIC_CL, topic),
        mix(TOPIC_L0, topic),
    );
    let table_topic = mix(TABLE_TOPIC, topic);

    // Per-sentence values, in buffers reused from sentence to sentence (no allocation per
    // token once they have grown to the longest sentence).
    let mut gaz: Vec<Option<(u16, u8)>> = Vec::new();
    let mut case: Vec<u64> = Vec::new();
    for (s, sent) in doc.iter().enumerate() {
        let s0 = starts[s];
        let m = sent.len();
        let words = &tok.words[s0..s0 + m];
        let lh = &tok.lower[s0..s0 + m];
        let shapes = &tok.shape[s0..s0 + m];
        let wh = &tok.word[s0..s0 + m];
        let clusters = &tok.cluster[s0..s0 + m];
        let n_num = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .count();
        let table = n_num >= 2 && n_num * 5 >= words.len() * 2;
        gazetteer_tags(res, words, &mut gaz);
        case.clear();
        case.extend(lh.iter().map(|h| match res.case.get(h) {
            None => 0,
            Some(&CASE_TITLE_ONLY) => 20,
            Some(&CASE_LOWER_ONLY) => 21,
            Some(&v) => (i64::from(v) + 7) as u64,
        }));
        let at = |v: &[u64], k: i64| -> u64 {
            if k < 0 {
                before
            } else if k >= m as i64 {
                after
            } else {
                v[k as usize]
            }
        };
        for i in 0..m {
            let ii = i as i64;
            let t = s0 + i;
            let f = &mut df.feats;
            f.push(BIAS);
            f.push(mix(W0, wh[i]));
            f.push(mix(L0, lh[i]));
            f.push(mix(LM1, at(lh, ii - 1)));
            f.push(mix(LP1, at(lh, ii + 1)));
            f.push(mix(LM2, at(lh, ii - 2)));
            f.push(mix(LP2, at(lh, ii + 2)));
            f.push(mix(SH0, shapes[i]));
            f.push(mix(SHM1, at(shapes, ii - 1)));
            f.push(mix(SHP1, at(shapes, ii + 1)));
            f.push(mix(SHM2, at(shapes, ii - 2)));
            f.push(mix(SHP2, at(shapes, ii + 2)));
            f.push(mix(mix(SHM1_0, at(shapes, ii - 1)), shapes[i]));
            f.push(mix(mix(SH0_P1, shapes[i]), at(shapes, ii + 1)));
            f.push(mix(mix(LM1_0, at(lh, ii - 1)), lh[i]));
            f.push(mix(mix(L0_P1, lh[i]), at(lh, ii + 1)));
            let lw = tok.lower(t);
            let n_chars = if lw.is_ascii() {
                lw.len()
            } else {
                lw.chars().count()
            };
            let n_affix = res.max_affix.min(n_chars.saturating_sub(1));
            // Prefixes hashed incrementally, character after character (the hash of a prefix
            // is the hash of its bytes).
            let mut pre = Fnv::new();
            let mut chars = lw.chars();
            for k in 1..=n_affix {
                if let Some(c) = chars.next() {
                    pre.char(c);
                }
                let suf = if k == 3 {
                    tok.suf3[t]
                } else {
                    hash_str(suffix(lw, k))
                };
                f.push(mix(affix_key(&PRE_K, PRE, k), pre.finish()));
                f.push(mix(affix_key(&SUF_K, SUF, k), suf));
            }
            if let Some(c) = clusters[i] {
                for k in [4u8, 6, 10, 20] {
                    f.push(mix(CL0_K[usize::from(k)], c.prefix(k)));
                }
            }
            if i > 0
                && let Some(c) = clusters[i - 1]
            {
                for k in [4u8, 8] {
                    f.push(mix(CLM1_K[usize::from(k)], c.prefix(k)));
                }
            }
            if let Some(Some(c)) = clusters.get(i + 1) {
                for k in [4u8, 8] {
                    f.push(mix(CLP1_K[usize::from(k)], c.prefix(k)));
                }
            }
            if let Some((bits, pos)) = gaz[i] {
                for kind in kinds(bits) {
                    let g = GAZ0_K[kind as usize];
                    f.push(mix(g, u64::from(pos)));
                    f.push(g);
                }
            }
            if i > 0
                && let Some((bits, _)) = gaz[i - 1]
            {
                for kind in kinds(bits) {
                    f.push(GAZM1_K[kind as usize]);
                }
            }
            if i + 1 < m
                && let Some((bits, _)) = gaz[i + 1]
            {
                for kind in kinds(bits) {
                    f.push(GAZP1_K[kind as usize]);
                }
            }
            if i == 0 {
                f.push(mix(FIRST_SH, shapes[i]));
                f.push(mix(FIRST_L0, lh[i]));
            }
            f.push(mix(WM1, if i > 0 { wh[i - 1] } else { before }));
            f.push(mix(WP1, if i + 1 < m { wh[i + 1] } else { after }));
            if i > 0 {
                f.push(mix(SUF3_M1, tok.suf3[t - 1]));
            }
            if i + 1 < m {
                f.push(mix(SUF3_P1, tok.suf3[t + 1]));
            }
            if let Some(c) = clusters[i] {
                f.push(mix(mix(CL0_SH0, c.prefix(32)), shapes[i]));
            }
            let mut pat = 0u64;
            for k in ii - 2..=ii + 2 {
                let v = if k < 0 || k >= m as i64 {
                    3
                } else if tok.cap[s0 + k as usize] {
                    1
                } else {
                    2
                };
                pat = pat * 4 + v;
            }
            f.push(mix(CAP_PAT, pat));
            f.push(mix(mix(LM1_P1, at(lh, ii - 1)), at(lh, ii + 1)));
            f.push(mix(
                mix(mix(SH3, at(shapes, ii - 1)), shapes[i]),
                at(shapes, ii + 1),
            ));
            if caps_sent[s] {
                f.push(CAPS_SENT);
                f.push(mix(CAPS_SENT_L0, lh[i]));
            }
            let cap = tok.cap[t];
            {
                let ctx = if i == 0 {
                    0
                } else if caps_sent[s] {
                    1
                } else {
                    2
                };
                f.push(mix(CASE0, case[i]));
                f.push(mix(mix(CASE_CTX, case[i]), ctx * 2 + u64::from(cap)));
                if !res.freq.is_empty() {
                    let band = res.freq.get(&lh[i]).map_or(0, |&b| u64::from(b));
                    f.push(mix(FREQ0, band));
                    f.push(mix(mix(FREQ_CAP, band), ctx * 2 + u64::from(cap)));
                }
                f.push(mix(CASEM1, if i > 0 { case[i - 1] } else { 99 }));
                f.push(mix(CASEP1, if i + 1 < m { case[i + 1] } else { 99 }));
            }
            if res.layout {
                f.push(mix(topic_sh, shapes[i]));
                if let Some((bits, _)) = gaz[i] {
                    for kind in kinds(bits) {
                        f.push(mix(topic_gaz, kind));
                    }
                }
                if let Some(c) = clusters[i] {
                    f.push(mix(topic_cl, c.prefix(6)));
                }
                if cap {
                    f.push(mix(topic_l0, lh[i]));
                }
            }
            if cap && let Some(occ) = contexts.get(&lh[i]) {
                let from = f.len();
                for c in occ {
                    if c.at != (s, i) {
                        f.extend_from_slice(&c.feats);
                    }
                }
                let tail = &mut f[from..];
                tail.sort_unstable();
                let mut k = from;
                for j in from..f.len() {
                    if j == from || f[j] != f[k - 1] {
                        f[k] = f[j];
                        k += 1;
                    }
                }
                f.truncate(k);
            }
            if table && res.layout {
                f.push(mix(mix(TABLE_SH, shapes[i]), u64::from(i == 0)));
                f.push(table_topic);
            }
            if cap {
                if seen_lower.contains(&lh[i]) {
                    f.push(DOC_LOWER);
                }
                if (i == 0 || caps_sent[s]) && seen_title_mid.contains(&lh[i]) {
                    f.push(DOC_TITLE);
                }
                if seen_in_span.contains(&lh[i]) {
                    f.push(DOC_SPAN);
                }
            }
            df.offs.push(df.feats.len() as u32);
            df.lower.push(lh[i]);
            df.shape.push(shapes[i]);
            df.hist_key.push(if cap { lh[i] } else { 0 });
        }
    }
    df
}

/// `mix(template, k)`: from `table` (computed at compile time) when `k` is in it.
#[inline]
fn affix_key(table: &[u64], template: u64, k: usize) -> u64 {
    table
        .get(k)
        .copied()
        .unwrap_or_else(|| mix(template, k as u64))
}

/// The features stage 2 adds to a token's static features: what stage 1 said about the token,
/// its neighbours and the other occurrences of the same word or phrase in the document.
pub(crate) struct Extras {
    feats: Vec<u64>,
    /// Token `t`'s features are `feats[offs[t]..offs[t + 1]]`.
    offs: Vec<u32>,
}

impl Extras {
    pub(crate) fn of(&self, t: usize) -> &[u64] {
        &self.feats[self.offs[t] as usize..self.offs[t + 1] as usize]
    }
}

/// Stage-2 features as training reads them: `df`'s static features followed by each token's
/// [`stage2_extras`].
pub(crate) fn stage2_features(df: &DocFeats, labels1: &[Label], lens: &[usize]) -> DocFeats {
    let extras = stage2_extras(df, labels1, lens);
    let n = labels1.len();
    let mut out = DocFeats {
        feats: Vec::with_capacity(df.feats.len() + extras.feats.len()),
        offs: Vec::with_capacity(n + 1),
        lower: df.lower.clone(),
        shape: df.shape.clone(),
        hist_key: df.hist_key.clone(),
    };
    out.offs.push(0);
    for t in 0..n {
        out.feats.extend_from_slice(df.of(t));
        out.feats.extend_from_slice(extras.of(t));
        out.offs.push(out.feats.len() as u32);
    }
    out
}

/// The stage-2 features of each token given stage 1's labels (`labels1`), without the static
/// features (see [`Extras`]).
pub(crate) fn stage2_extras(df: &DocFeats, labels1: &[Label], lens: &[usize]) -> Extras {
    let n = labels1.len();
    let mut counts: IdMap<[u16; 5]> = IdMap::default();
    for t in 0..n {
        if df.hist_key[t] != 0 {
            let slot = labels1[t].type_index().map_or(0, |k| k + 1);
            counts.entry(df.hist_key[t]).or_default()[slot] += 1;
        }
    }
    // Stage-1 entity spans: for each token, the type and phrase key of its span if any, and the
    // types stage 1 gave each phrase across the document.
    let mut span_of: Vec<Option<(usize, u64)>> = vec![None; n];
    let mut phrase_counts: IdMap<[u16; 4]> = IdMap::default();
    {
        let mut t0 = 0;
        for &len in lens {
            let mut open: Option<usize> = None;
            for t in t0..t0 + len {
                let l = labels1[t];
                let Some(ty) = l.type_index() else {
                    open = None;
                    continue;
                };
                match l.pos() {
                    Some(crate::label::Pos::B) => open = Some(t),
                    Some(crate::label::Pos::I) => {}
                    _ => {
                        let st = open.take().unwrap_or(t);
                        let mut key = A_PHR;
                        for k in st..=t {
                            key = mix(key, df.lower[k]);
                        }
                        phrase_counts.entry(key).or_default()[ty] += 1;
                        for k in st..=t {
                            span_of[k] = Some((ty, key));
                        }
                    }
                }
            }
            t0 += len;
        }
    }
    let majority = |c: &[u16; 4]| -> Option<u64> {
        let mut best = 0;
        for k in 1..4 {
            if c[k] > c[best] {
                best = k;
            }
        }
        (c[best] > 0).then_some(best as u64)
    };
    let mut out = Extras {
        feats: Vec::with_capacity(n * 8),
        offs: Vec::with_capacity(n + 1),
    };
    out.offs.push(0);
    let mut t = 0;
    for &len in lens {
        for i in 0..len {
            let own = u64::from(labels1[t].0);
            let ty = |l: Label| l.type_index().map_or(0, |k| k as u64 + 1);
            out.feats.push(mix(A_OWN, own));
            out.feats.push(mix(mix(A_OWN_L0, own), df.lower[t]));
            let prev = if i > 0 { ty(labels1[t - 1]) } else { 9 };
            let next = if i + 1 < len { ty(labels1[t + 1]) } else { 9 };
            out.feats.push(mix(A_PREV, prev));
            out.feats.push(mix(A_NEXT, next));
            if let Some((sty, key)) = span_of[t] {
                let mut c = phrase_counts[&key];
                c[sty] -= 1;
                if let Some(m) = majority(&c) {
                    out.feats.push(mix(A_PHR, m));
                    out.feats.push(mix(mix(A_PHR_OWN, m), sty as u64));
                }
            }
            if let Some(c) = counts.get(&df.hist_key[t]) {
                let mut c = *c;
                let me = ty(labels1[t]) as usize;
                c[me] -= 1;
                let mut best = 0;
                for k in 0..5 {
                    if c[k] > 0 {
                        out.feats.push(mix(A_HAS, k as u64));
                    }
                    if c[k] > c[best] {
                        best = k;
                    }
                }
                if c.iter().any(|&x| x > 0) {
                    out.feats.push(mix(A_MAJ, best as u64));
                    out.feats.push(mix(mix(A_MAJ_OWN, best as u64), own));
                }
            }
            out.offs.push(out.feats.len() as u32);
            t += 1;
        }
    }
    out
}

/// The gazetteer kinds (indexes into [`GAZ_KINDS`]) set in `bits`, in ascending order.
fn kinds(bits: u16) -> impl Iterator<Item = u64> {
    (0..GAZ_KINDS.len() as u64).filter(move |k| bits & (1 << k) != 0)
}

/// For each token, the gazetteer match covering it, if any, into `out`: the bit set of the
/// kinds that list the phrase and the token's position in it (0..4 = B, I, L, U). Matches
/// start and end on a capitalized token; the longest match from each start wins and matches do
/// not overlap.
fn gazetteer_tags(res: &Resources, words: &[&str], out: &mut Vec<Option<(u16, u8)>>) {
    out.clear();
    out.resize(words.len(), None);
    if res.phrases.is_empty() {
        return;
    }
    let mut i = 0;
    while i < words.len() {
        if !is_cap(words[i]) {
            i += 1;
            continue;
        }
        // Hash the phrase key (see `phrase_key`) incrementally, token after token.
        let max = res.max_len.min(words.len() - i);
        let mut h = Fnv::new();
        let mut found: Option<(usize, u16)> = None;
        for len in 1..=max {
            if len > 1 {
                h.bytes(b" ");
            }
            for c in words[i + len - 1].chars() {
                if c == '.' {
                    continue;
                }
                if c.is_ascii() {
                    h.bytes(&[c.to_ascii_lowercase() as u8]);
                } else {
                    for l in c.to_lowercase() {
                        h.char(l);
                    }
                }
            }
            if is_cap(words[i + len - 1])
                && let Some(&bits) = res.phrases.get(&h.finish())
            {
                found = Some((len, bits));
            }
        }
        let Some((len, bits)) = found else {
            i += 1;
            continue;
        };
        for j in 0..len {
            let pos = if len == 1 {
                3
            } else if j == 0 {
                0
            } else if j + 1 == len {
                2
            } else {
                1
            };
            out[i + j] = Some((bits, pos));
        }
        i += len;
    }
}

/// Per-document memory of the labels given to capitalized words so far (Ratinov and Roth's
/// extended prediction history).
#[derive(Default)]
pub(crate) struct History {
    counts: IdMap<[u16; 5]>,
}

impl History {
    pub(crate) fn record(&mut self, key: u64, label: Label) {
        if key == 0 {
            return;
        }
        let c = self.counts.entry(key).or_default();
        let slot = label.type_index().map_or(0, |t| t + 1);
        c[slot] = c[slot].saturating_add(1);
    }
}

/// The label-history value of token `t` (whose sentence starts at `start`) `back` tokens back:
/// the label number, or 100 before the sentence start.
#[inline]
pub(crate) fn prev_label(labels: &[Label], t: usize, start: usize, back: usize) -> u64 {
    if t >= start + back {
        u64::from(labels[t - back].0)
    } else {
        100
    }
}

/// The features of the labels given to the two tokens before (label numbers, 100 before the
/// sentence start) that decoding scores from dense tables: the previous label, and the pair.
pub(crate) fn label_pair_features(p1: u64, p2: u64) -> [u64; 2] {
    [mix(P1, p1), mix(mix(P2P1, p2), p1)]
}

/// Appends the features of the previous label `p1` that read the token itself.
#[inline]
pub(crate) fn label_word_features(df: &DocFeats, t: usize, p1: u64, out: &mut Vec<u64>) {
    // `mix(P1_L0, p1)` and `mix(P1_SH0, p1)` of the labels, computed at compile time.
    const L0_OF: [u64; NL] = mixes(P1_L0);
    const SH0_OF: [u64; NL] = mixes(P1_SH0);
    let of = |table: &[u64; NL], template: u64| {
        table
            .get(p1 as usize)
            .copied()
            .unwrap_or_else(|| mix(template, p1))
    };
    out.push(mix(of(&L0_OF, P1_L0), df.lower[t]));
    out.push(mix(of(&SH0_OF, P1_SH0), df.shape[t]));
}

/// Appends the features of what earlier sentences of the document said about token `t`'s word
/// (the same for every hypothesis of the sentence).
pub(crate) fn history_features(df: &DocFeats, t: usize, hist: &History, out: &mut Vec<u64>) {
    let key = df.hist_key[t];
    if key != 0
        && let Some(c) = hist.counts.get(&key)
    {
        let mut best = 0;
        for k in 0..5 {
            if c[k] > 0 {
                out.push(mix(HIST, k as u64));
            }
            if c[k] > c[best] {
                best = k;
            }
        }
        out.push(mix(HIST_MAJ, best as u64));
    }
}

/// Appends all dynamic features of token `t` (whose sentence starts at token `start`) to `out`,
/// as training reads them.
pub(crate) fn dynamic_features(
    df: &DocFeats,
    t: usize,
    start: usize,
    labels: &[Label],
    hist: &History,
    out: &mut Vec<u64>,
) {
    let p1 = prev_label(labels, t, start, 1);
    let p2 = prev_label(labels, t, start, 2);
    out.extend(label_pair_features(p1, p2));
    label_word_features(df, t, p1, out);
    history_features(df, t, hist, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(shape("Putin"), "Xxx");
        assert_eq!(shape("USA"), "XX");
        assert_eq!(shape("1996-08-22"), "dd-dd-dd");
        assert_eq!(shape("U.S."), "X.X.");
        for w in ["Putin", "1996-08-22", "পাঠক", "McDonald's"] {
            assert_eq!(shape_hash(w), hash_str(&shape(w)));
        }
        assert_eq!(prefix("pаthé", 4), "pаth");
        assert_eq!(suffix("pаthé", 2), "hé");
        assert_eq!(suffix("ab", 3), "ab");
    }

    #[test]
    fn hashes_are_fixed() {
        // The model stores these hashes: this value must never change.
        assert_eq!(hash_str("Putin"), hash_str("Putin"));
        assert_ne!(mix(1, 2), mix(2, 1));
        assert_eq!(hash_str(""), fmix(0xcbf2_9ce4_8422_2325));
    }

    #[test]
    fn gazetteer_longest_match() {
        let res = Resources::parse("#gaz country\nNorth Korea\nKorea\n#gaz city\nSeoul\n");
        let mut tags = Vec::new();
        gazetteer_tags(&res, &["In", "North", "Korea", "and", "Seoul"], &mut tags);
        assert_eq!(tags[1], Some((1, 0)));
        assert_eq!(tags[2], Some((1, 2)));
        assert_eq!(tags[4], Some((2, 3)));
        assert_eq!(tags[3], None);
    }
}
