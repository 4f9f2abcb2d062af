//! Word lists and word clusters the tagger's features read: gazetteers (places from GeoNames,
//! company legal suffixes from cleanco) and Brown word clusters learned from unlabeled text.
//!
//! They travel inside the model file as one text blob, so a model always carries the resources
//! it was trained with. The blob is a list of sections, each a `#kind name` header line followed
//! by one entry per line: `#gaz NAME` sections hold phrases, `#clusters` holds `word<TAB>bits`.

use std::sync::OnceLock;

use crate::features::{Fnv, hash_str};
use crate::restore::Restorer;

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
    ClustersHex,
    Case,
    Freq,
    Config,
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

    /// Makes room for `n` more entries without growing again.
    pub(crate) fn reserve(&mut self, n: usize) {
        if (self.len + n) * 2 > self.keys.len() {
            let mut bigger = FlatMap::with_capacity(self.len + n);
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
        self.reserve(self.keys.len() / 2);
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
    /// Hash of a lowercase word -> its frequency band in unlabelled text (the rounded negative
    /// natural log of its probability, 1..=25; absent for rare words).
    pub(crate) freq: FlatMap<u8>,
    /// The longest prefix and suffix read as features, in characters (`#config` `affix N`;
    /// 4 when the model does not say).
    pub(crate) max_affix: usize,
    /// Whether the features of Reuters' layout are read: the headline topic ("SOCCER -") and
    /// table rows (`#config` `layout 0` turns them off).
    pub(crate) layout: bool,
    /// Words that lost their non-ASCII letters, built the first time a document may need it
    /// (see [`crate::restore`]).
    restorer: OnceLock<Restorer>,
    /// Whether damaged words are restored at all (on unless an evaluation turns it off).
    pub(crate) restoring: bool,
    /// Words of the lexicon sections (case ratios, clusters, frequency bands), and how many of
    /// them have a non-ASCII character.
    lexicon_words: u32,
    lexicon_non_ascii: u32,
    /// The words of the word lists that have a non-ASCII character, one per line; kept only
    /// for a lexicon that needs such letters (emptied at the end of [`Resources::parse`]
    /// otherwise).
    non_ascii: String,
}

impl Resources {
    /// Parses a blob (see the module docs).
    pub(crate) fn parse(blob: &str) -> Resources {
        let mut r = Resources {
            max_affix: 4,
            layout: true,
            restoring: true,
            ..Resources::default()
        };
        for (head, body) in sections(blob) {
            let mut parts = head.split_whitespace();
            let section = match (parts.next(), parts.next()) {
                (Some("gaz"), Some(name)) => GAZ_KINDS
                    .iter()
                    .position(|k| *k == name)
                    .map(|i| Section::Gaz(1u16 << i)),
                (Some("clusters"), _) => Some(Section::Clusters),
                (Some("clusterx"), _) => Some(Section::ClustersHex),
                (Some("case"), _) => Some(Section::Case),
                (Some("freq"), _) => Some(Section::Freq),
                (Some("config"), _) => Some(Section::Config),
                _ => None,
            };
            let Some(section) = section else { continue };
            // One line is at most one entry: size the table once.
            let n = memchr::memchr_iter(b'\n', body.as_bytes()).count() + 1;
            match section {
                Section::Gaz(_) => r.phrases.reserve(n),
                Section::Clusters | Section::ClustersHex => r.clusters.reserve(n),
                Section::Case => r.case.reserve(n),
                Section::Freq => r.freq.reserve(n),
                Section::Config => {}
            }
            for line in body.split('\n') {
                let line = line.trim_end();
                if line.is_empty() {
                    continue;
                }
                let pair =
                    memchr::memchr(b'\t', line.as_bytes()).map(|t| (&line[..t], &line[t + 1..]));
                match (section, pair) {
                    (
                        Section::Case | Section::Freq | Section::Clusters | Section::ClustersHex,
                        Some((word, _)),
                    ) => {
                        r.lexicon_words += 1;
                        if !word.is_ascii() {
                            r.lexicon_non_ascii += 1;
                            r.non_ascii.push_str(word);
                            r.non_ascii.push('\n');
                        }
                    }
                    (Section::Gaz(_), _) if !line.is_ascii() => {
                        for w in line.split_whitespace().filter(|w| !w.is_ascii()) {
                            r.non_ascii.push_str(w);
                            r.non_ascii.push('\n');
                        }
                    }
                    _ => {}
                }
                r.read_line(section, line, pair);
            }
        }
        if !r.lexicon_needs_non_ascii() {
            r.non_ascii = String::new();
        }
        r.non_ascii.shrink_to_fit();
        r
    }

    /// Reads one entry line of `section` (`pair` is the line split at its first tab).
    fn read_line(&mut self, section: Section, line: &str, pair: Option<(&str, &str)>) {
        match section {
            Section::Case => {
                if let Some((word, b)) = pair {
                    let v = match b {
                        "T" => Some(CASE_TITLE_ONLY),
                        "L" => Some(CASE_LOWER_ONLY),
                        b => b.parse::<i8>().ok(),
                    };
                    if let Some(v) = v {
                        self.case.insert(hash_str(word), v);
                    }
                }
            }
            Section::Freq => {
                if let Some((word, b)) = pair
                    && let Ok(b) = b.parse::<u8>()
                {
                    self.freq.insert(hash_str(word), b.clamp(1, 25));
                }
            }
            Section::Config => {
                let mut kv = line.split_whitespace();
                match (kv.next(), kv.next().map(str::parse::<usize>)) {
                    (Some("affix"), Some(Ok(n))) => self.max_affix = n.clamp(1, 8),
                    (Some("layout"), Some(Ok(n))) => self.layout = n != 0,
                    _ => {}
                }
            }
            Section::Clusters => {
                if let Some((word, bits)) = pair {
                    let len = bits.len().min(32) as u8;
                    if let Some(b) = bits.get(..usize::from(len))
                        && let Ok(b) = u32::from_str_radix(b, 2)
                    {
                        self.clusters
                            .insert(hash_str(word), Cluster { bits: b, len });
                    }
                }
            }
            Section::ClustersHex => {
                // The path as hex of `1 << len | bits` (so leading zeros survive).
                if let Some((word, hex)) = pair
                    && let Ok(v) = u64::from_str_radix(hex, 16)
                    && v > 0
                {
                    let len = (63 - v.leading_zeros()).min(32) as u8;
                    let bits = (v & ((1u64 << len) - 1)) as u32;
                    self.clusters.insert(hash_str(word), Cluster { bits, len });
                }
            }
            Section::Gaz(bit) => {
                let key = phrase_key(line.split_whitespace());
                let n = key.split(' ').count();
                self.max_len = self.max_len.max(n);
                *self.phrases.entry(hash_str(&key)) |= bit;
            }
        }
    }

    /// The words of the blob's word lists that have a non-ASCII character, each given to `f`
    /// (gazetteer phrases word by word), as [`Resources::parse`] noted them.
    pub(crate) fn non_ascii_words(&self, mut f: impl FnMut(&str)) {
        self.non_ascii
            .split('\n')
            .filter(|w| !w.is_empty())
            .for_each(&mut f);
    }

    /// Whether the lexicon needs non-ASCII letters often enough that a text without any has
    /// lost them ([`crate::restore::MIN_NON_ASCII_SHARE`]).
    pub(crate) fn lexicon_needs_non_ascii(&self) -> bool {
        self.lexicon_words > 0
            && self.lexicon_non_ascii as f64
                >= crate::restore::MIN_NON_ASCII_SHARE * self.lexicon_words as f64
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

    /// The table of words that lost their non-ASCII letters (built on first use).
    pub(crate) fn restorer(&self) -> &Restorer {
        self.restorer.get_or_init(|| Restorer::build(self))
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

/// The sections of `blob`: (header without its `#`, body), found by searching for line starts
/// with `#` that name a section kind (the bodies are hundreds of thousands of short lines, read
/// once each afterwards).
fn sections(blob: &str) -> Vec<(&str, &str)> {
    let bytes = blob.as_bytes();
    let mut heads: Vec<usize> = Vec::new();
    if bytes.first() == Some(&b'#') {
        heads.push(0);
    }
    heads.extend(memchr::memmem::find_iter(bytes, b"\n#").map(|i| i + 1));
    // A word list may hold the word "#" or "##" ("#<TAB>bits" in the clusters): only a line
    // naming a section kind, without a tab, is a header.
    heads.retain(|&h| {
        let line = blob[h..].split('\n').next().unwrap_or("");
        !line.contains('\t')
            && matches!(
                line.split_whitespace().next(),
                Some("#gaz" | "#clusters" | "#clusterx" | "#case" | "#freq" | "#config")
            )
    });
    heads
        .iter()
        .enumerate()
        .map(|(k, &h)| {
            let end = heads.get(k + 1).map_or(bytes.len(), |&n| n - 1);
            // Section starts and ends sit next to ASCII bytes ('#', '\n'): char boundaries.
            let section = &blob[h + 1..end.max(h + 1)];
            match section.split_once('\n') {
                Some((head, body)) => (head, body),
                None => (section, ""),
            }
        })
        .collect()
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
