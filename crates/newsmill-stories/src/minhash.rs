//! MinHash signatures over word shingles.
//!
//! A text becomes the set of its word `k`-shingles (runs of `k` consecutive lowercased words),
//! each hashed once to 64 bits. The signature keeps, for each of `num_perm` hash functions, the
//! minimum over the set. The hash functions are `(a * lo + b * hi + c) mod 2^32` over the two
//! 32-bit halves of the shingle hash, with fixed odd `a`, `b` and fixed `c` drawn from
//! SplitMix64, so signatures are identical on every run and platform. The share of equal slots
//! of two signatures estimates the Jaccard similarity of the sets.
//!
//! The inner loop is plain integer code in 32-bit lanes. x86-64's baseline (SSE2) has neither a
//! 32-bit lane multiply nor an unsigned 32-bit minimum, so on a CPU with AVX2 the same loop runs
//! compiled for AVX2 (eight lanes, native multiply and minimum), chosen at run time; the results
//! are the same integers either way.

use serde::{Deserialize, Serialize};

use crate::text::{for_each_word, hash_bytes, mix64};

/// Computes MinHash signatures. Cheap to build; holds only the hash-function constants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "MinHasherState")]
pub struct MinHasher {
    shingle: usize,
    a: Vec<u64>,
    b: Vec<u64>,
    /// The 32-bit multipliers and offsets the signature loop uses, derived from `a` and `b`.
    #[serde(skip)]
    lanes: Lanes,
}

/// Per hash function: the multipliers of the low and high halves and the offset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Lanes {
    a: Vec<u32>,
    b: Vec<u32>,
    c: Vec<u32>,
}

impl Lanes {
    fn of(a: &[u64], b: &[u64]) -> Lanes {
        Lanes {
            a: a.iter().map(|&v| v as u32 | 1).collect(),
            b: a.iter().map(|&v| (v >> 32) as u32 | 1).collect(),
            c: b.iter().map(|&v| v as u32).collect(),
        }
    }
}

/// What a saved [`MinHasher`] holds.
#[derive(Deserialize)]
struct MinHasherState {
    shingle: usize,
    a: Vec<u64>,
    b: Vec<u64>,
}

impl From<MinHasherState> for MinHasher {
    fn from(s: MinHasherState) -> MinHasher {
        MinHasher {
            lanes: Lanes::of(&s.a, &s.b),
            shingle: s.shingle,
            a: s.a,
            b: s.b,
        }
    }
}

/// A MinHash signature plus the number of distinct shingles it summarises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// One minimum per hash function.
    pub mins: Vec<u32>,
    /// Distinct shingles in the text (needed to turn Jaccard into containment).
    pub shingles: u32,
}

impl MinHasher {
    /// A hasher with `num_perm` hash functions over word `shingle`-grams.
    pub fn new(num_perm: usize, shingle: usize) -> MinHasher {
        let mut state = 0x6e65_7773_6d69_6c6cu64; // "newsmill"
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix64(state)
        };
        let mut a = Vec::with_capacity(num_perm);
        let mut b = Vec::with_capacity(num_perm);
        for _ in 0..num_perm {
            a.push(next() | 1);
            b.push(next());
        }
        MinHasher {
            shingle: shingle.max(1),
            lanes: Lanes::of(&a, &b),
            a,
            b,
        }
    }

    /// Number of hash functions.
    pub fn num_perm(&self) -> usize {
        self.a.len()
    }

    /// The distinct shingle hashes of `text`, sorted. A text shorter than one shingle gives one
    /// shingle of all its words; an empty text gives none.
    pub fn shingles(&self, text: &str) -> Vec<u64> {
        let mut words: Vec<u64> = Vec::with_capacity(text.len() / 5);
        for_each_word(text, |w, _| words.push(hash_bytes(0, w.as_bytes())));
        self.shingles_of(&words)
    }

    /// [`MinHasher::shingles`] of a text's word hashes (`hash_bytes(0, word)`), for callers
    /// that tokenise once for several purposes.
    pub(crate) fn shingles_of(&self, words: &[u64]) -> Vec<u64> {
        let k = self.shingle;
        let mut out = Vec::with_capacity(words.len());
        if words.is_empty() {
            return out;
        }
        if words.len() < k {
            out.push(combine(words));
            return out;
        }
        for window in words.windows(k) {
            out.push(combine(window));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The signature of a set of shingle hashes (as [`MinHasher::shingles`] returns).
    ///
    /// Each hash function is `(a * lo + b * hi + c) mod 2^32` over the two 32-bit halves of
    /// the (already well mixed) shingle hash, with random odd `a`, `b` and random `c`: 32-bit
    /// lanes, so the compiler runs eight hash functions per vector instruction.
    pub fn signature_of(&self, shingles: &[u64]) -> Signature {
        let n = self.a.len();
        let mut mins = vec![u32::MAX; n];
        let Lanes { a, b, c } = &self.lanes;
        fold_mins(&mut mins, [a, b, c], shingles);
        Signature {
            mins,
            shingles: shingles.len().min(u32::MAX as usize) as u32,
        }
    }

    /// The signature of `text`.
    pub fn signature(&self, text: &str) -> Signature {
        self.signature_of(&self.shingles(text))
    }
}

/// Lowers each `mins[i]` to the least `a[i] * lo + b[i] * hi + c[i]` over the shingles, with
/// the AVX2 build of [`fold_mins_lanes`] when the CPU has AVX2.
fn fold_mins(mins: &mut [u32], abc: [&[u32]; 3], shingles: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `fold_mins_avx2` only needs the CPU to support AVX2, checked just above.
        #[allow(unsafe_code)]
        unsafe {
            fold_mins_avx2(mins, abc, shingles);
        }
        return;
    }
    fold_mins_lanes(mins, abc, shingles);
}

/// [`fold_mins_lanes`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fold_mins_avx2(mins: &mut [u32], abc: [&[u32]; 3], shingles: &[u64]) {
    fold_mins_lanes(mins, abc, shingles);
}

/// The portable loop of [`fold_mins`] (inlined into each build of it).
#[inline(always)]
fn fold_mins_lanes(mins: &mut [u32], [a, b, c]: [&[u32]; 3], shingles: &[u64]) {
    for &x in shingles {
        let (lo, hi) = (x as u32, (x >> 32) as u32);
        for (((m, &a), &b), &c) in mins.iter_mut().zip(a).zip(b).zip(c) {
            let h = a
                .wrapping_mul(lo)
                .wrapping_add(b.wrapping_mul(hi))
                .wrapping_add(c);
            *m = (*m).min(h);
        }
    }
}

/// Order-dependent combination of word hashes into one shingle hash.
fn combine(words: &[u64]) -> u64 {
    let mut h = 0u64;
    for &w in words {
        h = mix64(h.rotate_left(5) ^ w);
    }
    h
}

impl Signature {
    /// Estimated Jaccard similarity: the share of equal slots. Symmetric by construction;
    /// 0 when either signature is empty or their lengths differ.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        if self.mins.len() != other.mins.len() || self.mins.is_empty() {
            return 0.0;
        }
        if self.shingles == 0 || other.shingles == 0 {
            return 0.0;
        }
        let equal = self
            .mins
            .iter()
            .zip(&other.mins)
            .filter(|(a, b)| a == b)
            .count();
        equal as f64 / self.mins.len() as f64
    }

    /// Estimated containment of the smaller shingle set in the larger: `|A ∩ B| / min(|A|, |B|)`,
    /// from the Jaccard estimate and the two set sizes. Robust to boilerplate added to one copy
    /// and to truncation of the other, where Jaccard is not. Symmetric, in `[0, 1]`.
    pub fn containment(&self, other: &Signature) -> f64 {
        let j = self.jaccard(other);
        if j == 0.0 {
            return 0.0;
        }
        let (a, b) = (f64::from(self.shingles), f64::from(other.shingles));
        let inter = j * (a + b) / (1.0 + j);
        (inter / a.min(b)).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PINNED: (u32, u32, u32, u64) = (6, 817_159_724, 255_227_636, 83_293_141_630);

    #[test]
    fn identical_texts_match() {
        let h = MinHasher::new(128, 5);
        let a = h.signature("A powerful earthquake hit southern Iran on Sunday, killing ten.");
        let b = h.signature("a powerful earthquake hit southern iran on sunday killing ten");
        assert_eq!(a, b);
        assert_eq!(a.jaccard(&b), 1.0);
    }

    #[test]
    fn truncation_keeps_containment() {
        let h = MinHasher::new(128, 5);
        let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let full = words.join(" ");
        let half = words[..200].join(" ");
        let (a, b) = (h.signature(&full), h.signature(&half));
        assert!((a.jaccard(&b) - 0.5).abs() < 0.15, "{}", a.jaccard(&b));
        assert!(a.containment(&b) > 0.85, "{}", a.containment(&b));
    }

    #[test]
    fn empty_text_matches_nothing() {
        let h = MinHasher::new(16, 5);
        let e = h.signature("");
        assert_eq!(e.shingles, 0);
        assert_eq!(e.jaccard(&e), 0.0);
    }

    #[test]
    fn signatures_are_the_fixed_integers_on_every_cpu() {
        // Pinned: signatures are stored in a store's state and compared across runs, so the
        // hash functions (and the AVX2 build of the loop, where the CPU takes it) must not move.
        let h = MinHasher::new(128, 5);
        let sig = h.signature("A powerful earthquake hit southern Iran on Sunday, killing ten.");
        let sum: u64 = sig.mins.iter().map(|&m| u64::from(m)).sum();
        assert_eq!((sig.shingles, sig.mins[0], sig.mins[127], sum), PINNED);
        // A saved hasher derives the same lanes again.
        let saved: MinHasher = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
        assert_eq!(saved, h);
    }

    proptest! {
        #[test]
        fn the_dispatched_fold_is_the_portable_one(
            abc in proptest::collection::vec(any::<(u32, u32, u32)>(), 0..40),
            shingles in proptest::collection::vec(any::<u64>(), 0..50),
        ) {
            let a: Vec<u32> = abc.iter().map(|t| t.0).collect();
            let b: Vec<u32> = abc.iter().map(|t| t.1).collect();
            let c: Vec<u32> = abc.iter().map(|t| t.2).collect();
            let mut fast = vec![u32::MAX; abc.len()];
            fold_mins(&mut fast, [&a, &b, &c], &shingles);
            let mut portable = vec![u32::MAX; abc.len()];
            fold_mins_lanes(&mut portable, [&a, &b, &c], &shingles);
            prop_assert_eq!(fast, portable);
        }

        #[test]
        fn similarity_is_symmetric(a in "[a-e ]{0,80}", b in "[a-e ]{0,80}") {
            let h = MinHasher::new(32, 2);
            let (sa, sb) = (h.signature(&a), h.signature(&b));
            prop_assert_eq!(sa.jaccard(&sb), sb.jaccard(&sa));
            prop_assert_eq!(sa.containment(&sb), sb.containment(&sa));
            let c = sa.containment(&sb);
            prop_assert!((0.0..=1.0).contains(&c));
        }
    }
}
