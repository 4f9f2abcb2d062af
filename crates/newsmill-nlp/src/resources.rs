//! Word lists and word clusters the tagger's features read: gazetteers (places from GeoNames,
//! company legal suffixes from cleanco) and Brown word clusters learned from unlabeled text.
//!
//! They travel inside the model file as one text blob, so a model always carries the resources
//! it was trained with. The blob is a list of sections, each a `#kind name` header line followed
//! by one entry per line: `#gaz NAME` sections hold phrases, `#clusters` holds `word<TAB>bits`.

use crate::features::{Fnv, hash_str};

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
    "town",
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
}

/// A map from [`hash_str`] hashes to small values: one flat table with linear probing, half
/// full at most, built once when a model loads (no allocation per entry, one cache line per
/// lookup).
pub(crate) struct FlatMap<V> {
    keys: Vec<u64>,
    values: Vec<V>,
    mask: usize,
    len: usize,
}

impl<V: Copy + Default> FlatMap<V> {
    /// A map with room for `n` entries.
    pub(crate) fn with_capacity(n: usize) -> FlatMap<V> {
        let cap = (n * 2).next_power_of_two().max(8);
        FlatMap {
            keys: vec![0; cap],
            values: vec![V::default(); cap],
            mask: cap - 1,
            len: 0,
        }
    }

    /// Key 0 marks an empty slot, so a key that is 0 is stored as another value.
    #[inline]
    fn key(k: u64) -> u64 {
        if k == 0 { 0x9e37_79b9_7f4a_7c15 } else { k }
    }

    #[inline]
    fn slot(&self, key: u64) -> (usize, bool) {
        // Keys are already hashes (`hash_str` ends with a mixing step).
        let mut i = key as usize & self.mask;
        loop {
            let k = self.keys[i];
            if k == key {
                return (i, true);
            }
            if k == 0 {
                return (i, false);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The value of `key`, inserted as `V::default()` when absent.
    pub(crate) fn entry(&mut self, key: u64) -> &mut V {
        if (self.len + 1) * 2 > self.keys.len() {
            self.grow();
        }
        let key = Self::key(key);
        let (i, found) = self.slot(key);
        if !found {
            self.keys[i] = key;
            self.values[i] = V::default();
            self.len += 1;
        }
        &mut self.values[i]
    }

    /// Sets the value of `key`.
    pub(crate) fn insert(&mut self, key: u64, value: V) {
        *self.entry(key) = value;
    }

    fn grow(&mut self) {
        let mut bigger = FlatMap::with_capacity(self.keys.len());
        for (k, v) in self.keys.iter().zip(&self.values) {
            if *k != 0 {
                let (i, _) = bigger.slot(*k);
                bigger.keys[i] = *k;
                bigger.values[i] = *v;
                bigger.len += 1;
            }
        }
        *self = bigger;
    }

    /// The value of `key`, if any.
    #[inline]
    pub(crate) fn get(&self, key: &u64) -> Option<&V> {
        let (i, found) = self.slot(Self::key(*key));
        found.then(|| &self.values[i])
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<V: Copy + Default> Default for FlatMap<V> {
    fn default() -> FlatMap<V> {
        FlatMap::with_capacity(0)
    }
}

/// Loaded resources. Keys are [`hash_str`] hashes, so lookups never allocate.
#[derive(Default)]
pub(crate) struct Resources {
    /// Hash of a lowercased phrase (see [`phrase_key`]) -> bit set of gazetteer kinds.
    pub(crate) phrases: FlatMap<u16>,
    /// Longest phrase, in tokens.
    pub(crate) max_len: usize,
    /// Hash of a word -> its Brown cluster.
    pub(crate) clusters: FlatMap<Cluster>,
    /// Hash of a lowercase word -> how much more often its title-case form occurs than its
    /// lowercase form (rounded log ratio in -6..=6; [`CASE_TITLE_ONLY`] / [`CASE_LOWER_ONLY`]
    /// when only one form is known).
    pub(crate) case: FlatMap<i8>,
    /// The blob these were parsed from (written back into the model).
    pub(crate) blob: String,
}

impl Resources {
    /// Parses a blob (see the module docs).
    pub(crate) fn parse(blob: &str) -> Resources {
        // Size the tables first: one line is at most one entry.
        let (mut n_phrases, mut n_clusters, mut n_case) = (0, 0, 0);
        let mut counting: Option<Section> = None;
        for (line, _) in lines_and_tabs(blob) {
            if let Some(head) = line.strip_prefix('#') {
                counting = match head.split_whitespace().next() {
                    Some("gaz") => Some(Section::Gaz(0)),
                    Some("clusters") => Some(Section::Clusters),
                    Some("case") => Some(Section::Case),
                    _ => None,
                };
                continue;
            }
            match counting {
                Some(Section::Gaz(_)) => n_phrases += 1,
                Some(Section::Clusters) => n_clusters += 1,
                Some(Section::Case) => n_case += 1,
                None => {}
            }
        }
        let mut r = Resources {
            blob: blob.to_string(),
            phrases: FlatMap::with_capacity(n_phrases),
            clusters: FlatMap::with_capacity(n_clusters),
            case: FlatMap::with_capacity(n_case),
            max_len: 0,
        };
        let mut section: Option<Section> = None;
        for (line, tab) in lines_and_tabs(blob) {
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
            let tab = tab.filter(|&t| t < line.len());
            match section {
                Some(Section::Case) => {
                    if let Some((word, b)) = tab.map(|t| (&line[..t], &line[t + 1..])) {
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
                    if let Some((word, bits)) = tab.map(|t| (&line[..t], &line[t + 1..])) {
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
                    *r.phrases.entry(hash_str(&key)) |= bit;
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

/// The lines of `blob` (without `\n` or `\r\n`), each with the byte position of its first tab:
/// one pass over the bytes (the resources are hundreds of thousands of short lines, which
/// `str::lines` and `split_once` would search separately).
fn lines_and_tabs(blob: &str) -> impl Iterator<Item = (&str, Option<usize>)> {
    let bytes = blob.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let mut tab = None;
        let mut i = start;
        while i < bytes.len() && bytes[i] != b'\n' {
            if bytes[i] == b'\t' && tab.is_none() {
                tab = Some(i - start);
            }
            i += 1;
        }
        let mut end = i;
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        // Both ends are at ASCII bytes (or the blob's ends), so they are char boundaries.
        let line = &blob[start..end];
        start = i + 1;
        Some((line, tab.filter(|&t| t < line.len())))
    })
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
    }
}
