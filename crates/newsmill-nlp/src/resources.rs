//! Word lists and word clusters the tagger's features read: gazetteers (places from GeoNames,
//! company legal suffixes from cleanco) and Brown word clusters learned from unlabeled text.
//!
//! They travel inside the model file as one text blob, so a model always carries the resources
//! it was trained with. The blob is a list of sections, each a `#kind name` header line followed
//! by one entry per line: `#gaz NAME` sections hold phrases, `#clusters` holds `word<TAB>bits`.

use crate::features::{Fnv, hash_str};
use crate::model::IdMap;

/// Gazetteer kinds, in feature order. The name is the `#gaz NAME` section name.
pub(crate) const GAZ_KINDS: &[&str] = &[
    "country",
    "city",
    "region",
    "continent",
    "company-suffix",
    "title",
    "org-word",
    "demonym",
    "first-name",
    "surname",
];

/// Case ratio of a word known only in title case.
pub(crate) const CASE_TITLE_ONLY: i8 = 100;
/// Case ratio of a word known only in lowercase.
pub(crate) const CASE_LOWER_ONLY: i8 = -100;

/// What a resources section holds.
#[derive(Clone, Copy)]
enum Section {
    Gaz(u16),
    Clusters,
    Case,
}

/// A Brown cluster: its bit path as a number, and the path length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// Loaded resources. Keys are [`hash_str`] hashes, so lookups never allocate.
#[derive(Default)]
pub(crate) struct Resources {
    /// Hash of a lowercased phrase (see [`phrase_key`]) -> bit set of gazetteer kinds.
    pub(crate) phrases: IdMap<u16>,
    /// Longest phrase, in tokens.
    pub(crate) max_len: usize,
    /// Hash of a word -> its Brown cluster.
    pub(crate) clusters: IdMap<Cluster>,
    /// Hash of a lowercase word -> how much more often its title-case form occurs than its
    /// lowercase form (rounded log ratio in -6..=6; [`CASE_TITLE_ONLY`] / [`CASE_LOWER_ONLY`]
    /// when only one form is known).
    pub(crate) case: IdMap<i8>,
    /// The blob these were parsed from (written back into the model).
    pub(crate) blob: String,
}

impl Resources {
    /// Parses a blob (see the module docs).
    pub(crate) fn parse(blob: &str) -> Resources {
        let mut r = Resources {
            blob: blob.to_string(),
            ..Resources::default()
        };
        let mut section: Option<Section> = None;
        for line in blob.lines() {
            if let Some(head) = line.strip_prefix('#') {
                let mut parts = head.split_whitespace();
                section = match (parts.next(), parts.next()) {
                    (Some("gaz"), Some(name)) => GAZ_KINDS
                        .iter()
                        .position(|k| *k == name)
                        .map(|i| Section::Gaz(1u16 << i)),
                    (Some("clusters"), _) => Some(Section::Clusters),
                    (Some("case"), _) => Some(Section::Case),
                    _ => None,
                };
                continue;
            }
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            match section {
                Some(Section::Case) => {
                    if let Some((word, b)) = line.split_once('\t') {
                        let v = match b {
                            "T" => Some(CASE_TITLE_ONLY),
                            "L" => Some(CASE_LOWER_ONLY),
                            b => b.parse::<i8>().ok(),
                        };
                        if let Some(v) = v {
                            r.case.insert(hash_str(word), v);
                        }
                    }
                }
                Some(Section::Clusters) => {
                    if let Some((word, bits)) = line.split_once('\t') {
                        let len = bits.len().min(32) as u8;
                        if let Ok(b) = u32::from_str_radix(&bits[..usize::from(len)], 2) {
                            r.clusters.insert(hash_str(word), Cluster { bits: b, len });
                        }
                    }
                }
                Some(Section::Gaz(bit)) => {
                    let key = phrase_key(line.split_whitespace());
                    let n = key.split(' ').count();
                    r.max_len = r.max_len.max(n);
                    *r.phrases.entry(hash_str(&key)).or_insert(0) |= bit;
                }
                None => {}
            }
        }
        r
    }

    /// The cluster of `word` (whose lowercase form is `lower`), trying its exact form, then
    /// title case, then lowercase.
    pub(crate) fn cluster(&self, word: &str, lower: &str) -> Option<Cluster> {
        if self.clusters.is_empty() {
            return None;
        }
        if let Some(c) = self.clusters.get(&hash_str(word)) {
            return Some(*c);
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
            .copied()
    }
}

/// The lookup key of a phrase: lowercased tokens joined by single spaces, periods dropped.
pub(crate) fn phrase_key<'a>(tokens: impl Iterator<Item = &'a str>) -> String {
    let mut key = String::new();
    for t in tokens {
        if !key.is_empty() {
            key.push(' ');
        }
        for c in t.chars() {
            if c != '.' {
                key.extend(c.to_lowercase());
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections() {
        let r = Resources::parse(
            "#gaz country\nNorth Korea\nRussia\n#gaz city\nMoscow\n#clusters\nPutin\t0110\n#case\nputin\tT\ngold\t-2\n",
        );
        assert_eq!(r.phrases[&hash_str("north korea")], 1);
        assert_eq!(r.phrases[&hash_str("moscow")], 2);
        assert_eq!(r.max_len, 2);
        let c = r.cluster("PUTIN", "putin").unwrap();
        assert_eq!((c.bits, c.len), (0b0110, 4));
        assert_eq!(c.prefix(2), 0b01 | (2 << 32));
        assert_eq!(r.cluster("Kim", "kim"), None);
        assert_eq!(r.case[&hash_str("putin")], CASE_TITLE_ONLY);
        assert_eq!(r.case[&hash_str("gold")], -2);
    }
}
