//! The tagger's tables as decoding reads them, and the two ways they come about.
//!
//! A model file (see [`crate::model`]) holds the resources as text and the weights as a sparse
//! list: reading it means parsing some 600,000 lines into lookup tables. [`ModelTables::from_raw`]
//! does that; the build script (`build.rs`, which includes this file as a module of its own)
//! does it once per embedded model at build time and writes the tables as a flat image
//! ([`ModelTables::write_image`]), which the crate embeds with `include_bytes!` and reads in
//! place ([`ModelTables::read_image`]: no parse, no copy, no allocation per entry). A model read
//! from a file's bytes at run time goes through `from_raw` instead, so both paths build the same
//! tables with the same code; a test checks that the embedded images equal the tables built
//! from the committed model files.
//!
//! This file uses only `std` and `zerocopy`, so the build script can include it.

use std::borrow::Cow;
use std::collections::HashMap;

use zerocopy::{FromBytes, Immutable, KnownLayout};

/// Number of labels (see `label.rs`).
pub(crate) const NL: usize = 17;

/// Bumped whenever features change, so an old model is refused rather than misread.
/// Version 7 added the frequency-band features, the `affix` and `layout` settings and hex
/// cluster paths, all read from the model's resources: a model of version 6 has none of them
/// and tags as it always did, so it is still read ([`OLDEST_FEATURE_VERSION`]).
pub(crate) const FEATURE_VERSION: u32 = 7;

/// The oldest feature version this build still reads.
pub(crate) const OLDEST_FEATURE_VERSION: u32 = 6;

/// Magic of a model file.
pub(crate) const MAGIC: &[u8; 6] = b"NMNER\0";
/// Format version of a model file.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// Magic and version of a table image (changed whenever the image layout changes).
const IMAGE_MAGIC: &[u8; 8] = b"NMNERI03";

// ---------------------------------------------------------------------------------------------
// Hashing. The model stores these hashes: they must never change.

pub(crate) const fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Incremental FNV-1a over UTF-8 bytes; `finish` applies the final mix.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub(crate) fn char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.bytes(c.encode_utf8(&mut buf).as_bytes());
    }
    pub(crate) fn finish(self) -> u64 {
        fmix(self.0)
    }
}

/// Hash of a string.
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.bytes(s.as_bytes());
    h.finish()
}

/// The table hash of a key. Keys are hashes already, except the few feature keys that are bare
/// template ids (small numbers): only those are mixed.
#[inline]
pub(crate) fn spread(key: u64) -> u64 {
    if key >> 32 == 0 {
        fmix(key ^ 0x2545_f491_4f6c_dd1d)
    } else {
        key
    }
}

// ---------------------------------------------------------------------------------------------
// Lookup tables.

/// A map from 64-bit keys (hashes) to values, compact and read in place: the keys sorted by
/// bucket (the top bits of [`spread`]`(key)`, about one key per bucket), a directory of bucket
/// starts, and the values in key order. A lookup reads the directory, then the bucket's keys
/// (usually one), then the value. Keys are compared whole, so a lookup is exact.
pub(crate) struct Table<V: Copy + 'static> {
    /// Start of each bucket in `keys`, and the end of the last (2^bits + 1 entries).
    dir: Cow<'static, [u32]>,
    keys: Cow<'static, [u64]>,
    vals: Cow<'static, [V]>,
    /// 64 minus the number of bucket bits.
    shift: u32,
}

impl<V: Copy + 'static> Default for Table<V> {
    fn default() -> Table<V> {
        Table::from_map(HashMap::new())
    }
}

impl<V: Copy + 'static> Table<V> {
    /// The table of `map`'s entries.
    pub(crate) fn from_map(map: HashMap<u64, V>) -> Table<V> {
        let mut entries: Vec<(u64, V)> = map.into_iter().collect();
        let bits = usize::BITS - entries.len().max(2).next_power_of_two().leading_zeros() - 1;
        let shift = 64 - bits;
        let bucket = |k: u64| (spread(k) >> shift) as usize;
        entries.sort_unstable_by_key(|&(k, _)| (bucket(k), k));
        let mut dir = vec![0u32; (1usize << bits) + 1];
        for &(k, _) in &entries {
            dir[bucket(k) + 1] += 1;
        }
        for i in 1..dir.len() {
            dir[i] += dir[i - 1];
        }
        Table {
            dir: Cow::Owned(dir),
            keys: Cow::Owned(entries.iter().map(|e| e.0).collect()),
            vals: Cow::Owned(entries.iter().map(|e| e.1).collect()),
            shift,
        }
    }

    /// The value of `key`, if any.
    #[inline]
    pub(crate) fn get(&self, key: &u64) -> Option<&V> {
        let b = (spread(*key) >> self.shift) as usize;
        let (lo, hi) = (*self.dir.get(b)? as usize, *self.dir.get(b + 1)? as usize);
        let at = self.keys.get(lo..hi)?.iter().position(|k| k == key)?;
        self.vals.get(lo + at)
    }

    #[cfg_attr(not(test), allow(dead_code))] // the build script writes images; tests compare them
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl<V: Copy + FromBytes + Immutable + KnownLayout + Elem + 'static> Table<V> {
    #[cfg_attr(not(test), allow(dead_code))] // the build script writes images; tests compare them
    fn write(&self, w: &mut Writer) {
        w.u64(u64::from(self.shift));
        w.arr(&self.dir);
        w.arr(&self.keys);
        w.arr(&self.vals);
    }

    fn read(r: &mut ImageReader) -> Result<Table<V>, String> {
        let shift = r.u64()?;
        let dir: &'static [u32] = r.arr()?;
        let keys: &'static [u64] = r.arr()?;
        let vals: &'static [V] = r.arr()?;
        let bits = 64u64.checked_sub(shift).filter(|b| (1..64).contains(b));
        // Only the shape is checked (reading every entry would touch megabytes at load):
        // lookups check each index they read, so a damaged entry finds nothing, never panics.
        let ok = bits.is_some_and(|b| dir.len() as u64 == (1u64 << b) + 1)
            && keys.len() == vals.len()
            && dir.last().is_some_and(|&n| n as usize == keys.len());
        if !ok {
            return Err("damaged lookup table".into());
        }
        Ok(Table {
            dir: Cow::Borrowed(dir),
            keys: Cow::Borrowed(keys),
            vals: Cow::Borrowed(vals),
            shift: shift as u32,
        })
    }
}

impl<V: Copy + PartialEq + 'static> PartialEq for Table<V> {
    fn eq(&self, o: &Table<V>) -> bool {
        self.shift == o.shift && self.dir == o.dir && self.keys == o.keys && self.vals == o.vals
    }
}

// ---------------------------------------------------------------------------------------------
// Resources.

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

/// The share of the lexicon's words with a non-ASCII letter from which a model restores words
/// that lost those letters (German and Spanish lexicons: 15-17%; English 4.5%, Dutch 1.5%,
/// where such letters are rare and a text without them has lost nothing). See `restore.rs`.
pub(crate) const MIN_NON_ASCII_SHARE: f64 = 0.10;

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

/// The resources' tables (see `resources.rs` for what each feature reads). Keys are
/// [`hash_str`] hashes, so lookups never allocate.
#[derive(Default, PartialEq)]
pub(crate) struct ResTables {
    /// Hash of a lowercased phrase (see [`phrase_key`]) -> bit set of gazetteer kinds.
    pub(crate) phrases: Table<u16>,
    /// Longest phrase, in tokens.
    pub(crate) max_len: usize,
    /// Hash of a word -> its Brown cluster path, as `len << 32 | bits`.
    pub(crate) clusters: Table<u64>,
    /// Hash of a lowercase word -> how much more often its title-case form occurs than its
    /// lowercase form (rounded log ratio in -6..=6; [`CASE_TITLE_ONLY`] / [`CASE_LOWER_ONLY`]
    /// when only one form is known).
    pub(crate) case: Table<i8>,
    /// Hash of a lowercase word -> its frequency band in unlabelled text (the rounded negative
    /// natural log of its probability, 1..=25; absent for rare words).
    pub(crate) freq: Table<u8>,
    /// The longest prefix and suffix read as features, in characters (`#config` `affix N`;
    /// 4 when the model does not say).
    pub(crate) max_affix: usize,
    /// Whether the features of Reuters' layout are read: the headline topic ("SOCCER -") and
    /// table rows (`#config` `layout 0` turns them off).
    pub(crate) layout: bool,
    /// Words of the lexicon sections (case ratios, clusters, frequency bands), and how many of
    /// them have a non-ASCII character.
    pub(crate) lexicon_words: u32,
    pub(crate) lexicon_non_ascii: u32,
    /// Words that lost their non-ASCII letters (empty unless the lexicon needs such letters).
    pub(crate) restorer: RestorerTables,
}

/// Parses a resources blob (a list of sections, each a `#kind name` header line followed by
/// one entry per line: `#gaz NAME` sections hold phrases, `#clusters` holds `word<TAB>bits`).
pub(crate) fn parse_resources(blob: &str) -> ResTables {
    let mut p = Parsed {
        max_affix: 4,
        layout: true,
        ..Parsed::default()
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
        for line in body.split('\n') {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let pair = line.split_once('\t');
            match (section, pair) {
                (
                    Section::Case | Section::Freq | Section::Clusters | Section::ClustersHex,
                    Some((word, _)),
                ) => {
                    p.lexicon_words += 1;
                    if !word.is_ascii() {
                        p.lexicon_non_ascii += 1;
                        p.non_ascii.push(word);
                    }
                }
                (Section::Gaz(_), _) if !line.is_ascii() => {
                    p.non_ascii
                        .extend(line.split_whitespace().filter(|w| !w.is_ascii()));
                }
                _ => {}
            }
            p.read_line(section, line, pair);
        }
    }
    let needs_non_ascii = p.lexicon_words > 0
        && f64::from(p.lexicon_non_ascii) >= MIN_NON_ASCII_SHARE * f64::from(p.lexicon_words);
    let restorer = if needs_non_ascii {
        RestorerTables::build(&p)
    } else {
        RestorerTables::default()
    };
    ResTables {
        phrases: Table::from_map(p.phrases),
        max_len: p.max_len,
        clusters: Table::from_map(p.clusters),
        case: Table::from_map(p.case),
        freq: Table::from_map(p.freq),
        max_affix: p.max_affix,
        layout: p.layout,
        lexicon_words: p.lexicon_words,
        lexicon_non_ascii: p.lexicon_non_ascii,
        restorer,
    }
}

/// The resources as the parse reads them, before they become tables.
#[derive(Default)]
struct Parsed<'a> {
    phrases: HashMap<u64, u16>,
    max_len: usize,
    clusters: HashMap<u64, u64>,
    case: HashMap<u64, i8>,
    freq: HashMap<u64, u8>,
    max_affix: usize,
    layout: bool,
    lexicon_words: u32,
    lexicon_non_ascii: u32,
    /// The words of the word lists that have a non-ASCII character, in blob order
    /// (gazetteer phrases word by word).
    non_ascii: Vec<&'a str>,
}

impl Parsed<'_> {
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
                            .insert(hash_str(word), u64::from(len) << 32 | u64::from(b));
                    }
                }
            }
            Section::ClustersHex => {
                // The path as hex of `1 << len | bits` (so leading zeros survive).
                if let Some((word, hex)) = pair
                    && let Ok(v) = u64::from_str_radix(hex, 16)
                    && v > 0
                {
                    let len = (63 - v.leading_zeros()).min(32);
                    let bits = v & ((1u64 << len) - 1) & 0xffff_ffff;
                    self.clusters
                        .insert(hash_str(word), u64::from(len) << 32 | bits);
                }
            }
            Section::Gaz(bit) => {
                let key = phrase_key(line.split_whitespace());
                let n = key.split(' ').count();
                self.max_len = self.max_len.max(n);
                *self.phrases.entry(hash_str(&key)).or_default() |= bit;
            }
        }
    }

    /// Whether the hash of a lowercase word is in the lexicon.
    fn knows_lower(&self, h: u64) -> bool {
        self.case.contains_key(&h) || self.freq.contains_key(&h) || self.clusters.contains_key(&h)
    }
}

/// The sections of `blob`: (header without its `#`, body), found by searching for line starts
/// with `#` that name a section kind.
fn sections(blob: &str) -> Vec<(&str, &str)> {
    let mut heads: Vec<usize> = Vec::new();
    let mut at = 0;
    for line in blob.split('\n') {
        // A word list may hold the word "#" or "##" ("#<TAB>bits" in the clusters): only a
        // line naming a section kind, without a tab, is a header.
        if line.starts_with('#')
            && !line.contains('\t')
            && matches!(
                line.split_whitespace().next(),
                Some("#gaz" | "#clusters" | "#clusterx" | "#case" | "#freq" | "#config")
            )
        {
            heads.push(at);
        }
        at += line.len() + 1;
    }
    heads
        .iter()
        .enumerate()
        .map(|(k, &h)| {
            let end = heads.get(k + 1).map_or(blob.len(), |&n| n - 1);
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

/// The lexicon's words with non-ASCII letters, by the hash of their lowercase form with those
/// letters deleted (see `restore.rs`): a key to a word number, and the words' text.
#[derive(Default, PartialEq)]
pub(crate) struct RestorerTables {
    pub(crate) by_key: Table<u32>,
    /// Word `i` is `text[offs[i]..offs[i + 1]]`.
    pub(crate) offs: Cow<'static, [u32]>,
    pub(crate) text: Cow<'static, [u8]>,
}

impl RestorerTables {
    fn build(p: &Parsed<'_>) -> RestorerTables {
        /// Entry of a key shared by two known words of the same frequency: not restored.
        const AMBIGUOUS: u32 = u32::MAX;
        let mut by_key: HashMap<u64, u32> = HashMap::new();
        let mut words: Vec<String> = Vec::new();
        let mut bands: Vec<u8> = Vec::new();
        for w in &p.non_ascii {
            let word: String = w.chars().flat_map(char::to_lowercase).collect();
            let key: String = word.chars().filter(char::is_ascii).collect();
            if !key.bytes().any(|b| b.is_ascii_alphabetic()) {
                continue;
            }
            let kh = hash_str(&key);
            // A key that is itself a word is that word, not a damaged other one.
            if p.knows_lower(kh) {
                continue;
            }
            let band = p.freq.get(&hash_str(&word)).copied().unwrap_or(u8::MAX);
            match by_key.get(&kh).copied() {
                None => {
                    by_key.insert(kh, words.len() as u32);
                    words.push(word);
                    bands.push(band);
                }
                Some(AMBIGUOUS) => {}
                Some(i) if words[i as usize] == word => {}
                Some(i) => {
                    let other = bands[i as usize];
                    if band < other {
                        words[i as usize] = word;
                        bands[i as usize] = band;
                    } else if band == other {
                        by_key.insert(kh, AMBIGUOUS);
                    }
                }
            }
        }
        by_key.retain(|_, v| *v != AMBIGUOUS);
        let mut offs = Vec::with_capacity(words.len() + 1);
        let mut text = Vec::new();
        offs.push(0);
        for w in &words {
            text.extend_from_slice(w.as_bytes());
            offs.push(text.len() as u32);
        }
        RestorerTables {
            by_key: Table::from_map(by_key),
            offs: Cow::Owned(offs),
            text: Cow::Owned(text),
        }
    }

    /// Word number `i`.
    pub(crate) fn word(&self, i: u32) -> Option<&str> {
        let i = i as usize;
        let (a, b) = (*self.offs.get(i)? as usize, *self.offs.get(i + 1)? as usize);
        std::str::from_utf8(self.text.get(a..b)?).ok()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Weights.

/// The weights of `S` perceptrons (stages) as decoding reads them: a flat open-addressing table
/// of feature hashes and quantised rows, one row of labels per stage (stage `s`'s weight is
/// `i16 * scales[s]`). A model's two stages share one table (`S = 2`): they read mostly the
/// same static features, so one lookup per feature serves both; training's single perceptron
/// is a table of its own (`S = 1`).
///
/// A slot is one `u64`: 0 when empty, else the high 32 bits of the key's [`spread`] hash (its
/// fingerprint) and the row number plus one. The low bits of that hash choose the first slot
/// and probing is linear, so a lookup reads one cache line of slots and then its row; a key
/// that is not in the table (most unseen words) reads only the slots. Two keys of the model
/// that share both fingerprint and probe run would share a row: with 32-bit fingerprints and a
/// table of 2^19 slots that needs a 51-bit hash collision.
#[derive(PartialEq)]
pub(crate) struct WeightTables<const S: usize> {
    pub(crate) slots: Cow<'static, [u64]>,
    pub(crate) rows: Cow<'static, [[[i16; NL]; S]]>,
    pub(crate) scales: [f32; S],
}

impl<const S: usize> Default for WeightTables<S> {
    fn default() -> WeightTables<S> {
        WeightTables {
            slots: Cow::Owned(Vec::new()),
            rows: Cow::Owned(Vec::new()),
            scales: [1.0; S],
        }
    }
}

/// A stage's features as a model file lists them: (key, quantised row), sorted by key.
pub(crate) type StageRows = Vec<(u64, [i16; NL])>;

impl<const S: usize> WeightTables<S> {
    /// The table of `pairs` (sorted by key and deduplicated here); returns it with the key of
    /// each row.
    pub(crate) fn from_quantised(
        mut pairs: Vec<(u64, [[i16; NL]; S])>,
        scales: [f32; S],
    ) -> (WeightTables<S>, Vec<u64>) {
        pairs.sort_unstable_by_key(|p| p.0);
        pairs.dedup_by_key(|p| p.0);
        let cap = (pairs.len() * 2).next_power_of_two().max(16);
        let mask = cap - 1;
        let mut slots = vec![0u64; cap];
        let mut rows = Vec::with_capacity(pairs.len());
        let mut keys = Vec::with_capacity(pairs.len());
        for (key, row) in pairs {
            keys.push(key);
            let h = spread(key);
            let mut i = h as usize & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            rows.push(row);
            slots[i] = (h & 0xffff_ffff_0000_0000) | rows.len() as u64;
        }
        let t = WeightTables {
            slots: Cow::Owned(slots),
            rows: Cow::Owned(rows),
            scales,
        };
        (t, keys)
    }

    /// The rows of `key`, if the model has them.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<&[[i16; NL]; S]> {
        let h = spread(key);
        let fp = h & 0xffff_ffff_0000_0000;
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = h as usize & mask;
        loop {
            let s = *self.slots.get(i)?;
            if s == 0 {
                return None;
            }
            if s & 0xffff_ffff_0000_0000 == fp {
                return self.rows.get((s as u32 as usize).wrapping_sub(1));
            }
            i = (i + 1) & mask;
        }
    }

    /// Number of features with a weight in stage `s`.
    pub(crate) fn features_of_stage(&self, s: usize) -> usize {
        self.rows
            .iter()
            .filter(|r| r.get(s).is_some_and(|r| r.iter().any(|&w| w != 0)))
            .count()
    }

    #[cfg_attr(not(test), allow(dead_code))] // the build script writes images; tests compare them
    fn write(&self, w: &mut Writer) {
        for scale in self.scales {
            w.u64(u64::from(scale.to_bits()));
        }
        w.arr(&self.slots);
        w.arr(&self.rows);
    }

    fn read(r: &mut ImageReader) -> Result<WeightTables<S>, String> {
        let mut scales = [1.0; S];
        for s in &mut scales {
            *s = f32::from_bits(r.u64()? as u32);
        }
        let slots: &'static [u64] = r.arr()?;
        let rows: &'static [[[i16; NL]; S]] = r.arr()?;
        // Lookups check every index they read, so a slot that names no row is no danger.
        let ok = scales.iter().all(|s| s.is_finite() && *s > 0.0)
            && (slots.is_empty() || slots.len().is_power_of_two());
        if !ok {
            return Err("damaged weight table".into());
        }
        Ok(WeightTables {
            slots: Cow::Borrowed(slots),
            rows: Cow::Borrowed(rows),
            scales,
        })
    }
}

impl WeightTables<2> {
    /// The shared table of a model's two stages, from each stage's scale and rows (a key that
    /// one stage lacks has zeros in that stage's row, which add nothing).
    pub(crate) fn join(a: (f32, StageRows), b: (f32, StageRows)) -> WeightTables<2> {
        let mut by_key: HashMap<u64, [[i16; NL]; 2]> = HashMap::with_capacity(a.1.len());
        for (s, rows) in [&a.1, &b.1].into_iter().enumerate() {
            for (key, row) in rows {
                by_key.entry(*key).or_insert([[0; NL]; 2])[s] = *row;
            }
        }
        WeightTables::from_quantised(by_key.into_iter().collect(), [a.0, b.0]).0
    }
}

/// Reads one weight table of a model file (see `model.rs`): the scale (f32), the number of
/// features (u32), then per feature its key (u64), a 17-bit mask of non-zero labels (u32) and
/// one i16 per set bit. A table without features (the missing second stage of a one-stage
/// model) has scale 1.
fn read_stage(r: &mut FileReader<'_>) -> Result<(f32, StageRows), String> {
    let scale = f32::from_le_bytes(r.array()?);
    let n = r.u32()? as usize;
    // A table with no features has no scale to speak of: training leaves it at 0.
    if n > 0 && (!scale.is_finite() || scale <= 0.0) {
        return Err(format!("bad weight scale {scale}"));
    }
    let mut pairs = Vec::with_capacity(n.min(1 << 24));
    for _ in 0..n {
        let key = u64::from_le_bytes(r.array()?);
        let mask = r.u32()?;
        let mut row = [0i16; NL];
        for (k, x) in row.iter_mut().enumerate() {
            if mask & (1 << k) != 0 {
                *x = i16::from_le_bytes(r.array()?);
            }
        }
        pairs.push((key, row));
    }
    Ok((if n == 0 { 1.0 } else { scale }, pairs))
}

// ---------------------------------------------------------------------------------------------
// Whole models.

/// Everything a model's decoding reads.
#[derive(PartialEq)]
pub(crate) struct ModelTables {
    pub(crate) res: ResTables,
    /// Both stages' weights, one row of each per feature.
    pub(crate) weights: WeightTables<2>,
    /// Whether the model has a second stage (a one-stage model's second rows are all zero).
    pub(crate) two_stage: bool,
}

impl ModelTables {
    /// Builds the tables of a model file's decompressed bytes (see `model.rs` for the format).
    pub(crate) fn from_raw(raw: &[u8]) -> Result<ModelTables, String> {
        let mut r = FileReader { buf: raw, pos: 0 };
        if r.take(6)? != MAGIC {
            return Err("bad magic: not a newsmill NER model".into());
        }
        let format = r.u32()?;
        let features = r.u32()?;
        if format != FORMAT_VERSION
            || !(OLDEST_FEATURE_VERSION..=FEATURE_VERSION).contains(&features)
        {
            return Err(format!(
                "model format {format}/features {features}, this build reads {FORMAT_VERSION}/{OLDEST_FEATURE_VERSION}-{FEATURE_VERSION}: retrain with `cargo xtask train-ner`"
            ));
        }
        let blob_len = r.u32()? as usize;
        let blob = std::str::from_utf8(r.take(blob_len)?)
            .map_err(|_| String::from("resources are not UTF-8"))?;
        let res = parse_resources(blob);
        let stage1 = read_stage(&mut r)?;
        let stage2 = read_stage(&mut r)?;
        let two_stage = !stage2.1.is_empty();
        Ok(ModelTables {
            res,
            weights: WeightTables::join(stage1, stage2),
            two_stage,
        })
    }

    #[cfg_attr(not(test), allow(dead_code))] // the build script writes images; tests compare them
    /// Writes the tables as an image that [`ModelTables::read_image`] reads in place, with
    /// numbers in the byte order of the target (`big_endian`).
    pub(crate) fn write_image(&self, big_endian: bool) -> Vec<u8> {
        let mut w = Writer {
            out: Vec::new(),
            big: big_endian,
        };
        w.out.extend_from_slice(IMAGE_MAGIC);
        let r = &self.res;
        r.phrases.write(&mut w);
        w.u64(r.max_len as u64);
        r.clusters.write(&mut w);
        r.case.write(&mut w);
        r.freq.write(&mut w);
        w.u64(r.max_affix as u64);
        w.u64(u64::from(r.layout));
        w.u64(u64::from(r.lexicon_words));
        w.u64(u64::from(r.lexicon_non_ascii));
        r.restorer.by_key.write(&mut w);
        w.arr(&r.restorer.offs);
        w.arr(&r.restorer.text);
        w.u64(u64::from(self.two_stage));
        self.weights.write(&mut w);
        w.out
    }

    /// Reads an image written by [`ModelTables::write_image`] for this target, in place. The
    /// image must start at an 8-byte boundary.
    pub(crate) fn read_image(image: &'static [u8]) -> Result<ModelTables, String> {
        let mut r = ImageReader { buf: image, pos: 0 };
        if r.take(8)? != IMAGE_MAGIC {
            return Err("not a table image of this build".into());
        }
        let phrases = Table::read(&mut r)?;
        let max_len = r.u64()? as usize;
        let clusters = Table::read(&mut r)?;
        let case = Table::read(&mut r)?;
        let freq = Table::read(&mut r)?;
        let max_affix = r.u64()? as usize;
        let layout = r.u64()? != 0;
        let lexicon_words = r.u64()? as u32;
        let lexicon_non_ascii = r.u64()? as u32;
        let by_key = Table::read(&mut r)?;
        let offs: &'static [u32] = r.arr()?;
        let text: &'static [u8] = r.arr()?;
        let restorer = RestorerTables {
            by_key,
            offs: Cow::Borrowed(offs),
            text: Cow::Borrowed(text),
        };
        let two_stage = r.u64()? != 0;
        let weights = WeightTables::read(&mut r)?;
        if r.pos != image.len() {
            return Err("table image has trailing bytes".into());
        }
        Ok(ModelTables {
            res: ResTables {
                phrases,
                max_len,
                clusters,
                case,
                freq,
                max_affix,
                layout,
                lexicon_words,
                lexicon_non_ascii,
                restorer,
            },
            weights,
            two_stage,
        })
    }
}

/// Each stage's scale and rows as a model file (decompressed) lists them, for tests that decode
/// the stages one by one.
#[cfg(test)]
pub(crate) fn stages_of_raw(raw: &[u8]) -> Result<[(f32, StageRows); 2], String> {
    let mut r = FileReader { buf: raw, pos: 0 };
    r.take(6 + 4 + 4)?;
    let blob_len = r.u32()? as usize;
    r.take(blob_len)?;
    Ok([read_stage(&mut r)?, read_stage(&mut r)?])
}

/// Reads a model file.
struct FileReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// The next `n` bytes of `buf` from `*pos` (which moves past them), or `truncated` as the error.
fn take_bytes<'a>(
    buf: &'a [u8],
    pos: &mut usize,
    n: usize,
    truncated: &str,
) -> Result<&'a [u8], String> {
    let end = pos
        .checked_add(n)
        .filter(|&e| e <= buf.len())
        .ok_or_else(|| truncated.to_string())?;
    let s = &buf[*pos..end];
    *pos = end;
    Ok(s)
}

impl<'a> FileReader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        take_bytes(self.buf, &mut self.pos, n, "truncated model file")
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }
}

#[cfg_attr(not(test), allow(dead_code))] // the build script writes images; tests compare them
/// A number type of an image array, written in either byte order.
pub(crate) trait Elem: Copy {
    fn put(&self, out: &mut Vec<u8>, big: bool);
}

macro_rules! elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            fn put(&self, out: &mut Vec<u8>, big: bool) {
                out.extend_from_slice(&if big { self.to_be_bytes() } else { self.to_le_bytes() });
            }
        }
    )*};
}
elem!(u8, i8, u16, i16, u32, u64);

impl<T: Elem, const N: usize> Elem for [T; N] {
    fn put(&self, out: &mut Vec<u8>, big: bool) {
        for v in self {
            v.put(out, big);
        }
    }
}

#[cfg_attr(not(test), allow(dead_code))] // the build script writes images; tests compare them
/// Writes an image: numbers as u64, arrays as their length (u64) and elements, padded to 8
/// bytes so that every array starts 8-aligned.
struct Writer {
    out: Vec<u8>,
    big: bool,
}

impl Writer {
    fn u64(&mut self, v: u64) {
        v.put(&mut self.out, self.big);
    }
    fn arr<T: Elem>(&mut self, a: &[T]) {
        self.u64(a.len() as u64);
        for v in a {
            v.put(&mut self.out, self.big);
        }
        while !self.out.len().is_multiple_of(8) {
            self.out.push(0);
        }
    }
}

/// Reads an image in place.
struct ImageReader {
    buf: &'static [u8],
    pos: usize,
}

impl ImageReader {
    fn take(&mut self, n: usize) -> Result<&'static [u8], String> {
        take_bytes(self.buf, &mut self.pos, n, "truncated table image")
    }
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        u64::read_from_bytes(b).map_err(|_| String::from("damaged table image"))
    }
    fn arr<T: FromBytes + Immutable + KnownLayout>(&mut self) -> Result<&'static [T], String> {
        let n = usize::try_from(self.u64()?).map_err(|_| String::from("damaged table image"))?;
        let size = n
            .checked_mul(size_of::<T>())
            .ok_or_else(|| String::from("damaged table image"))?;
        let bytes = self.take(size)?;
        self.take(size.next_multiple_of(8) - size)?;
        <[T]>::ref_from_bytes(bytes).map_err(|_| String::from("misaligned table image"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The images `build.rs` compiled into the crate are the tables built at run time from the
    /// committed model files, byte for byte, and read back in place as the same tables.
    #[test]
    fn compiled_in_images_are_the_model_files_tables() {
        let files: [(&str, &[u8]); 4] = [
            ("en", include_bytes!("../models/ner-en.bin.zst")),
            ("de", include_bytes!("../models/ner-de.bin.zst")),
            ("es", include_bytes!("../models/ner-es.bin.zst")),
            ("nl", include_bytes!("../models/ner-nl.bin.zst")),
        ];
        assert_eq!(files.len(), crate::EMBEDDED_MODELS.len());
        for (lang, file) in files {
            let raw = zstd::stream::decode_all(file).unwrap();
            let built = ModelTables::from_raw(&raw).unwrap();
            let (_, image) = crate::EMBEDDED_MODELS
                .iter()
                .find(|(l, _)| *l == lang)
                .unwrap();
            let image: &'static [u8] = &image.0;
            assert!(
                built.write_image(cfg!(target_endian = "big")) == image,
                "{lang}: the compiled-in image is not the model file's tables"
            );
            let read = ModelTables::read_image(image).unwrap();
            assert!(read == built, "{lang}: the image reads back differently");
            assert!(!read.res.clusters.is_empty() || lang == "nl");
        }
    }

    #[test]
    fn tables_find_every_key_and_only_those() {
        let map: HashMap<u64, u16> = (0..1000u64)
            .map(|i| (fmix(i) | (i << 40), i as u16))
            .chain([(1, 7), (2, 8)])
            .collect();
        let t = Table::from_map(map.clone());
        assert_eq!(t.len(), map.len());
        for (k, v) in &map {
            assert_eq!(t.get(k), Some(v));
        }
        assert_eq!(t.get(&3), None);
        assert_eq!(t.get(&fmix(5000)), None);
        assert!(Table::<u8>::default().get(&1).is_none());
    }

    #[test]
    fn a_damaged_image_is_an_error_not_a_panic() {
        let t = ModelTables {
            res: parse_resources("#gaz city\nOslo\n#case\noslo\tT\n"),
            weights: WeightTables::join((0.5, vec![(1 << 40, [1; NL])]), (1.0, Vec::new())),
            two_stage: false,
        };
        let image: &'static [u8] = Box::leak(t.write_image(cfg!(target_endian = "big")).into());
        // A Vec<u8> allocation is not promised to be 8-aligned: copy into u64s.
        let words: Vec<u64> = image
            .chunks(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                u64::from_ne_bytes(b)
            })
            .collect();
        let aligned: &'static [u64] = Box::leak(words.into());
        let bytes: &'static [u8] = zerocopy::IntoBytes::as_bytes(aligned);
        let bytes = &bytes[..image.len()];
        assert!(ModelTables::read_image(bytes).unwrap() == t);
        for cut in [0, 7, 8, 100, bytes.len() - 1] {
            assert!(ModelTables::read_image(&bytes[..cut]).is_err());
        }
        assert!(ModelTables::read_image(&bytes[1..]).is_err());
    }
}
