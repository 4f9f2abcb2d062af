//! Words, terms and hashes: the one tokeniser the dedup and story stages share.
//!
//! Words are maximal runs of alphanumeric characters, lowercased. Every hash here is written
//! out in this file (FNV-1a with a SplitMix64 finaliser), so term ids and signatures are the same
//! on every platform and in every version of the dependencies: serialised state stays valid.

/// 64-bit FNV-1a over `bytes`, finished with SplitMix64's mixer for good low bits.
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h)
}

/// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Calls `f` with every word of `text`, lowercased, and whether it started with an uppercase
/// letter after something other than a sentence end (a proper-noun cue).
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str, WordCue)) {
    let mut buf = String::with_capacity(32);
    let mut cue = WordCue::Plain;
    // Whether the previous non-space character ended a sentence (or nothing came before).
    let mut after_stop = true;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if buf.is_empty() {
                cue = if ch.is_uppercase() {
                    if after_stop {
                        WordCue::CapitalAfterStop
                    } else {
                        WordCue::Capital
                    }
                } else if ch.is_numeric() {
                    WordCue::Number
                } else {
                    WordCue::Plain
                };
            }
            if ch.is_ascii() {
                buf.push(ch.to_ascii_lowercase());
            } else {
                buf.extend(ch.to_lowercase());
            }
        } else {
            if !buf.is_empty() {
                f(&buf, cue);
                buf.clear();
                after_stop = false;
            }
            if matches!(ch, '.' | '!' | '?' | '\n' | '"' | ':' | '\u{201c}' | '|') {
                after_stop = true;
            }
        }
    }
    if !buf.is_empty() {
        f(&buf, cue);
    }
}

/// What the surface form of a word says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WordCue {
    /// Lowercase word.
    Plain,
    /// Capitalised inside a sentence: likely part of a name.
    Capital,
    /// Capitalised at the start of a sentence: says nothing.
    CapitalAfterStop,
    /// Starts with a digit (years, counts, scores, magnitudes).
    Number,
}

/// English function words that carry no topic (a short list: rarer words are handled by IDF).
pub(crate) fn is_stop_word(w: &str) -> bool {
    static SET: std::sync::OnceLock<rustc_hash::FxHashSet<&'static str>> =
        std::sync::OnceLock::new();
    // Every stop word is 2 to 10 bytes long: most words are rejected without hashing.
    (1..=10).contains(&w.len())
        && SET
            .get_or_init(|| STOP_WORDS.iter().copied().collect())
            .contains(w)
}

/// Sorted (a test checks it), one word per entry.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "said",
    "same",
    "says",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_and_cues() {
        let mut got = Vec::new();
        for_each_word("The quake hit Iran. Rescuers in Bam, 2005!", |w, c| {
            got.push((w.to_string(), c))
        });
        let cues: Vec<_> = got.iter().map(|(w, c)| format!("{w}:{c:?}")).collect();
        assert_eq!(
            cues,
            [
                "the:CapitalAfterStop",
                "quake:Plain",
                "hit:Plain",
                "iran:Capital",
                "rescuers:CapitalAfterStop",
                "in:Plain",
                "bam:Capital",
                "2005:Number"
            ]
        );
    }

    #[test]
    fn hash_is_stable() {
        // Pinned: serialised state depends on these values never changing.
        assert_eq!(hash_bytes(0, b"quake"), hash_bytes(0, b"quake"));
        assert_ne!(hash_bytes(0, b"quake"), hash_bytes(1, b"quake"));
        assert_eq!(mix64(0), 0);
    }
}
