//! Word lists and word clusters the tagger's features read: gazetteers (places from GeoNames,
//! company legal suffixes from cleanco) and Brown word clusters learned from unlabeled text.
//!
//! They travel inside the model file as one text blob, so a model always carries the resources
//! it was trained with. The blob is a list of sections, each a `#kind name` header line followed
//! by one entry per line: `#gaz NAME` sections hold phrases, `#clusters` holds `word<TAB>bits`.
//! The blob is read into lookup tables ([`crate::tables`]): at build time for the models
//! compiled into the crate, when a model file is read otherwise.

use std::ops::Deref;

use crate::features::{Fnv, hash_str};
pub(crate) use crate::tables::{CASE_LOWER_ONLY, CASE_TITLE_ONLY, GAZ_KINDS, phrase_key};
use crate::tables::{MIN_NON_ASCII_SHARE, ResTables, parse_resources};

/// A Brown cluster: its bit path as a number, and the path length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Cluster {
    pub(crate) bits: u32,
    pub(crate) len: u8,
}

impl Cluster {
    /// The first `k` bits of the path, as a key (bits and length).
    pub(crate) fn prefix(self, k: u8) -> u64 {
        let (bits, len) = if k >= self.len {
            (self.bits, self.len)
        } else {
            (self.bits >> (self.len - k), k)
        };
        u64::from(bits) | (u64::from(len) << 32)
    }

    /// The cluster of a table value (`len << 32 | bits`).
    fn of(v: u64) -> Cluster {
        Cluster {
            bits: v as u32,
            len: (v >> 32) as u8,
        }
    }
}

/// A model's resources: its tables (see [`ResTables`] for what each holds), and whether words
/// that lost their non-ASCII letters are restored.
pub(crate) struct Resources {
    tables: ResTables,
    /// Whether damaged words are restored at all (on unless an evaluation turns it off).
    pub(crate) restoring: bool,
}

impl Deref for Resources {
    type Target = ResTables;
    fn deref(&self) -> &ResTables {
        &self.tables
    }
}

impl Resources {
    /// Resources of tables built or read elsewhere.
    pub(crate) fn new(tables: ResTables) -> Resources {
        Resources {
            tables,
            restoring: true,
        }
    }

    /// Parses a blob (see the module docs).
    pub(crate) fn parse(blob: &str) -> Resources {
        Resources::new(parse_resources(blob))
    }

    /// Whether the lexicon needs non-ASCII letters often enough that a text without any has
    /// lost them ([`MIN_NON_ASCII_SHARE`]).
    pub(crate) fn lexicon_needs_non_ascii(&self) -> bool {
        self.lexicon_words > 0
            && f64::from(self.lexicon_non_ascii)
                >= MIN_NON_ASCII_SHARE * f64::from(self.lexicon_words)
    }

    /// Whether the hash of a lowercase word is in the lexicon.
    pub(crate) fn knows_lower(&self, lower_hash: u64) -> bool {
        self.case.get(&lower_hash).is_some()
            || self.freq.get(&lower_hash).is_some()
            || self.clusters.get(&lower_hash).is_some()
    }

    /// Whether `word` (lowercase form `lower`) is in the lexicon or is a one-word gazetteer entry.
    pub(crate) fn knows(&self, word: &str, lower: &str) -> bool {
        let h = hash_str(lower);
        // A one-word phrase key is the lowercase word without dots.
        let phrase = if lower.contains('.') {
            hash_str(&phrase_key(std::iter::once(word)))
        } else {
            h
        };
        self.knows_lower(h)
            || self.cluster(word, lower).is_some()
            || self.phrases.get(&phrase).is_some()
    }

    /// The cluster of `word` (whose lowercase form is `lower`), trying its exact form, then
    /// title case, then lowercase.
    pub(crate) fn cluster(&self, word: &str, lower: &str) -> Option<Cluster> {
        if self.clusters.is_empty() {
            return None;
        }
        if let Some(&c) = self.clusters.get(&hash_str(word)) {
            return Some(Cluster::of(c));
        }
        let mut h = Fnv::new();
        for (i, ch) in lower.chars().enumerate() {
            if i == 0 {
                for u in ch.to_uppercase() {
                    h.char(u);
                }
            } else {
                h.char(ch);
            }
        }
        self.clusters
            .get(&h.finish())
            .or_else(|| self.clusters.get(&hash_str(lower)))
            .map(|&c| Cluster::of(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections() {
        let r = Resources::parse(
            "#gaz country\nNorth Korea\nRussia\n#gaz city\nMoscow\n#clusters\nPutin\t0110\n#case\nputin\tT\ngold\t-2\n",
        );
        assert_eq!(r.phrases.get(&hash_str("north korea")), Some(&1));
        assert_eq!(r.phrases.get(&hash_str("moscow")), Some(&2));
        assert_eq!(r.max_len, 2);
        let c = r.cluster("PUTIN", "putin").unwrap();
        assert_eq!((c.bits, c.len), (0b0110, 4));
        assert_eq!(c.prefix(2), 0b01 | (2 << 32));
        assert_eq!(r.cluster("Kim", "kim"), None);
        assert_eq!(r.case.get(&hash_str("putin")), Some(&CASE_TITLE_ONLY));
        assert_eq!(r.case.get(&hash_str("gold")), Some(&-2));
        assert_eq!(r.case.get(&hash_str("silver")), None);
        // Odd lines are skipped, never a panic.
        let r = Resources::parse("#case\nword\t\n\t\n#clusters\nx\t\r\ny\t01\r\n");
        assert_eq!(r.case.get(&hash_str("word")), None);
        assert_eq!(r.cluster("y", "y").map(|c| c.len), Some(2));
        // Hex paths keep their leading zeros: 0x16 is 1 << 4 | 0b0110.
        let r = Resources::parse("#clusterx\nPutin\t16\n#gaz city\nSeoul");
        let c = r.cluster("Putin", "putin").unwrap();
        assert_eq!((c.bits, c.len), (0b0110, 4));
        assert_eq!(r.phrases.get(&hash_str("seoul")), Some(&(1 << 1)));
    }

    #[test]
    fn a_word_list_entry_starting_with_a_hash_is_an_entry_not_a_header() {
        // Before the fix, "#\t1" ended the clusters section: "Putin" was never read.
        let r = Resources::parse("#clusters\n#\t1\n##\t10\nPutin\t0110\n#case\nputin\tT\n");
        assert_eq!(r.cluster("Putin", "putin").map(|c| c.len), Some(4));
        assert_eq!(r.cluster("#", "#").map(|c| c.len), Some(1));
        assert_eq!(r.cluster("##", "##").map(|c| c.len), Some(2));
        assert_eq!(r.case.get(&hash_str("putin")), Some(&CASE_TITLE_ONLY));
    }
}
