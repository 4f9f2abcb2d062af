//! Exact and near-duplicates over a sliding window of recent documents.
//!
//! Three tests, cheapest first:
//! 1. the canonical URL (trimmed, trailing slash and fragment dropped) was seen;
//! 2. the normalised text (lowercased words, punctuation and spacing ignored) was seen;
//! 3. MinHash with LSH banding finds candidates, and the best candidate whose estimated
//!    containment `|A ∩ B| / min(|A|, |B|)` of word 5-shingles reaches
//!    [`DedupConfig::min_containment`] is the match.
//!
//! Containment, not Jaccard, is the decision measure: a copy with boilerplate added, or with its
//! last paragraphs cut, shares almost all of the shorter text's shingles but few of the longer
//! one's. Banding uses many short bands (64 bands of 2 rows by default), so pairs with a Jaccard
//! similarity as low as 0.3 (a copy cut to a third) still become candidates with probability
//! above 0.99; the containment check then removes the false candidates.
//!
//! The headline is not part of the shingled text: a copy with a new headline is still a copy.
//! The index holds only the documents of the window (see [`crate::Window`]), so memory is bounded.
//!
//! The LSH buckets of all bands live in one table (`BandTable`): a band key hashes to a line of
//! 16 slots (128 bytes), each slot a 32-bit fingerprint of the key and the low 32 bits
//! of the article's sequence number. An article that has left the window leaves its slots
//! behind; they read as free from then on (their sequence number is older than the window's
//! first), so eviction touches no bucket, and finding and inserting an article read the same
//! 64 lines.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::minhash::{MinHasher, Signature};
use crate::text::{for_each_word, hash_bytes, mix64};

/// Settings of the near-duplicate detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DedupConfig {
    /// Hash functions per signature.
    pub num_perm: usize,
    /// LSH bands; `num_perm / bands` rows each.
    pub bands: usize,
    /// Words per shingle.
    pub shingle: usize,
    /// Estimated containment from which two texts are near-duplicates.
    pub min_containment: f64,
    /// Texts with fewer distinct shingles are matched only exactly (too little evidence).
    pub min_shingles: u32,
}

impl Default for DedupConfig {
    fn default() -> DedupConfig {
        DedupConfig {
            num_perm: 128,
            bands: 64,
            shingle: 5,
            min_containment: 0.7,
            min_shingles: 8,
        }
    }
}

/// How a duplicate was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// Same canonical URL.
    Url,
    /// Same normalised text.
    Exact,
    /// MinHash containment above the threshold.
    Near,
}

/// A duplicate found by [`Deduper::find`].
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateMatch {
    /// Sequence number of the matched document in the window.
    pub seq: u64,
    /// The id of the first copy (the matched document's own `duplicate_of`, or its id).
    pub first_copy: String,
    /// How it was recognised.
    pub kind: MatchKind,
    /// Estimated containment (1 for exact matches).
    pub containment: f64,
    /// The caller's tag stored with the matched document (the story stage stores its story).
    pub tag: u64,
}

/// A body's words as dedup needs them, gathered in one pass: the exact-text key (an
/// order-dependent hash of all words) and each word's hash for the shingles.
#[derive(Debug)]
pub(crate) struct WordHashes {
    words: Vec<u64>,
    key: u64,
}

impl WordHashes {
    pub(crate) fn with_capacity(n: usize) -> WordHashes {
        WordHashes {
            words: Vec::with_capacity(n),
            key: 0,
        }
    }

    /// Adds the next word (lowercased, as `for_each_word` gives it).
    pub(crate) fn push(&mut self, w: &str) {
        self.key = mix64(self.key.rotate_left(7) ^ hash_bytes(2, w.as_bytes()));
        self.words.push(hash_bytes(0, w.as_bytes()));
    }
}

/// What [`Deduper::prepare`] computes from a document: pure, so it can run on any core.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    url_key: Option<u64>,
    text_key: Option<u64>,
    signature: Signature,
    /// The LSH band keys of the signature (none when it has too few shingles to be banded),
    /// computed here so that finding and inserting the document both use them.
    band_keys: Vec<u64>,
}

impl Prepared {
    /// The MinHash signature of the text.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    seq: u64,
    time: Option<i64>,
    id: String,
    first_copy: Option<String>,
    url_key: Option<u64>,
    text_key: Option<u64>,
    signature: Signature,
    tag: u64,
}

/// The near-duplicate index over a window of recent documents. Serialisable, so a store can
/// persist it and resume; the LSH table is not saved but rebuilt from the window's signatures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "DeduperState")]
pub struct Deduper {
    config: DedupConfig,
    hasher: MinHasher,
    by_url: FxHashMap<u64, u64>,
    by_text: FxHashMap<u64, u64>,
    entries: VecDeque<Entry>,
    #[serde(skip)]
    table: BandTable,
}

/// What a saved [`Deduper`] holds.
#[derive(Deserialize)]
struct DeduperState {
    config: DedupConfig,
    hasher: MinHasher,
    by_url: FxHashMap<u64, u64>,
    by_text: FxHashMap<u64, u64>,
    entries: VecDeque<Entry>,
}

impl From<DeduperState> for Deduper {
    fn from(s: DeduperState) -> Deduper {
        // As `Deduper::new` sets it (a state is a file, so not trusted to be in range).
        let bands = s.config.bands.clamp(1, s.hasher.num_perm().max(1));
        let mut d = Deduper {
            config: DedupConfig { bands, ..s.config },
            hasher: s.hasher,
            by_url: s.by_url,
            by_text: s.by_text,
            entries: s.entries,
            table: BandTable::default(),
        };
        d.rebuild(2 * d.entries.len() * d.config.bands);
        d
    }
}

/// A table this small is never shrunk.
const MIN_SLOTS: usize = 1 << 16;

/// Slots per line of the [`BandTable`]: 16 slots of 8 bytes, two cache lines side by side.
const LINE: usize = 16;

/// The LSH buckets of every band in one open table of fixed lines (see the module docs). A slot
/// is `fingerprint << 32 | seq` (low 32 bits of the sequence number); 0 is free. The table is
/// kept at most half full of live articles' slots, so a line overflows rarely; when it does,
/// its oldest slot is given up (that article stays findable through its other bands).
#[derive(Debug, Clone, Default)]
struct BandTable {
    slots: Vec<u64>,
    /// Lines minus one (the line count is a power of two).
    mask: usize,
}

impl BandTable {
    /// A table of `lines` lines (a power of two), all free.
    fn with_lines(lines: usize) -> BandTable {
        BandTable {
            slots: vec![0; lines * LINE],
            mask: lines - 1,
        }
    }

    fn line(&self, key: u64) -> &[u64] {
        let i = (key as usize & self.mask) * LINE;
        &self.slots[i..i + LINE]
    }

    /// Adds `seq` under band key `key`: into a free slot or one of an article that has left the
    /// window (`live` says which are still in it), else over the line's oldest slot.
    fn insert(&mut self, key: u64, seq: u64, live: impl Fn(u32) -> Option<u64>) {
        if self.slots.is_empty() {
            return;
        }
        let i = (key as usize & self.mask) * LINE;
        let line = &mut self.slots[i..i + LINE];
        let slot = fingerprint(key) << 32 | (seq & 0xffff_ffff);
        let mut oldest = (u64::MAX, 0);
        for (j, s) in line.iter_mut().enumerate() {
            match live(*s as u32).filter(|_| *s != 0) {
                None => {
                    *s = slot;
                    return;
                }
                Some(full) if full < oldest.0 => oldest = (full, j),
                Some(_) => {}
            }
        }
        line[oldest.1] = slot;
    }
}

/// The fingerprint of a band key kept in its slot: never 0, so a used slot is never free.
fn fingerprint(key: u64) -> u64 {
    (key >> 32) | 1
}

impl Deduper {
    /// An empty index.
    pub fn new(config: DedupConfig) -> Deduper {
        let bands = config.bands.clamp(1, config.num_perm.max(1));
        let hasher = MinHasher::new(config.num_perm.max(1), config.shingle);
        Deduper {
            config: DedupConfig { bands, ..config },
            hasher,
            by_url: FxHashMap::default(),
            by_text: FxHashMap::default(),
            entries: VecDeque::new(),
            table: BandTable::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// Documents currently in the window.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the window is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Hashes and signs a document's body (`text`) and canonical URL. Pure.
    pub fn prepare(&self, text: &str, canonical_url: Option<&str>) -> Prepared {
        let mut words = WordHashes::with_capacity(text.len() / 5);
        for_each_word(text, |w, _| words.push(w));
        self.prepare_words(words, canonical_url)
    }

    /// [`Deduper::prepare`] of a body whose words the caller has already fed to `words` (the
    /// story stage tokenises the same text once for both).
    pub(crate) fn prepare_words(&self, words: WordHashes, canonical_url: Option<&str>) -> Prepared {
        let shingles = self.hasher.shingles_of(&words.words);
        let signature = self.hasher.signature_of(&shingles);
        let band_keys = if signature.shingles >= self.config.min_shingles {
            band_keys(&signature, self.config.bands).collect()
        } else {
            Vec::new()
        };
        Prepared {
            url_key: canonical_url.and_then(url_key),
            text_key: (!words.words.is_empty()).then_some(words.key),
            signature,
            band_keys,
        }
    }

    /// The best earlier copy of a prepared document in the window, if any.
    pub fn find(&self, doc: &Prepared) -> Option<DuplicateMatch> {
        let exact = |seq: u64, kind| {
            self.entry(seq).map(|e| DuplicateMatch {
                seq,
                first_copy: e.first_copy.clone().unwrap_or_else(|| e.id.clone()),
                kind,
                containment: 1.0,
                tag: e.tag,
            })
        };
        if let Some(&seq) = doc.url_key.and_then(|k| self.by_url.get(&k)) {
            return exact(seq, MatchKind::Url);
        }
        if let Some(&seq) = doc.text_key.and_then(|k| self.by_text.get(&k)) {
            return exact(seq, MatchKind::Exact);
        }
        if doc.signature.shingles < self.config.min_shingles {
            return None;
        }
        let mut candidates: Vec<u64> = Vec::new();
        if !self.table.slots.is_empty() {
            // Touch every line first: these loads do not wait on each other, so the memory
            // system fetches the lines together instead of one scan's miss at a time.
            let touched = doc
                .band_keys
                .iter()
                .fold(0u64, |acc, &key| acc ^ self.table.line(key)[0]);
            std::hint::black_box(touched);
            let (first, last) = self.span();
            for &key in &doc.band_keys {
                let fp = fingerprint(key);
                for &s in self.table.line(key) {
                    if s >> 32 == fp
                        && let Some(seq) = live_seq(s as u32, first, last)
                    {
                        candidates.push(seq);
                    }
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f64, &Entry)> = None;
        for seq in candidates {
            let Some(e) = self.entry(seq) else { continue };
            if e.signature.shingles < self.config.min_shingles {
                continue;
            }
            let c = doc.signature.containment(&e.signature);
            // Ties go to the earlier document (candidates are in increasing seq order).
            if c >= self.config.min_containment && best.is_none_or(|(b, _)| c > b) {
                best = Some((c, e));
            }
        }
        best.map(|(c, e)| DuplicateMatch {
            seq: e.seq,
            first_copy: e.first_copy.clone().unwrap_or_else(|| e.id.clone()),
            kind: MatchKind::Near,
            containment: c,
            tag: e.tag,
        })
    }

    /// Adds a document to the window. `seq` must grow by one per call (the caller's arrival
    /// counter); `first_copy` is the id it duplicates, if any; `tag` is returned with matches.
    pub fn insert(
        &mut self,
        seq: u64,
        time: Option<i64>,
        id: &str,
        doc: Prepared,
        first_copy: Option<String>,
        tag: u64,
    ) {
        if let Some(last) = self.entries.back()
            && seq != last.seq + 1
        {
            // A gap would break the seq -> slot arithmetic: start over rather than mis-index.
            self.clear();
        }
        if let Some(k) = doc.url_key {
            self.by_url.entry(k).or_insert(seq);
        }
        if let Some(k) = doc.text_key {
            self.by_text.entry(k).or_insert(seq);
        }
        self.entries.push_back(Entry {
            seq,
            time,
            id: id.to_string(),
            first_copy,
            url_key: doc.url_key,
            text_key: doc.text_key,
            signature: doc.signature,
            tag,
        });
        // Twice the slots the window's articles use, at least: a line then overflows rarely.
        let needed = 2 * self.entries.len() * self.config.bands;
        if self.table.slots.len() < needed {
            // The new table holds the whole window, this document included.
            self.rebuild(needed);
        } else {
            let (first, last) = self.span();
            for &key in &doc.band_keys {
                self.table.insert(key, seq, |s| live_seq(s, first, last));
            }
        }
    }

    /// A new LSH table with room for `slots` slots (rounded up to whole lines, a power of two of
    /// them), holding the window's articles.
    fn rebuild(&mut self, slots: usize) {
        let lines = slots.div_ceil(LINE).next_power_of_two();
        // The old table goes before the new one is allocated: peak memory holds one table.
        self.table = BandTable::default();
        self.table = BandTable::with_lines(lines);
        let (first, last) = self.span();
        for e in &self.entries {
            if e.signature.shingles >= self.config.min_shingles {
                for key in band_keys(&e.signature, self.config.bands) {
                    self.table.insert(key, e.seq, |s| live_seq(s, first, last));
                }
            }
        }
    }

    /// The first and last sequence numbers in the window.
    fn span(&self) -> (u64, u64) {
        match (self.entries.front(), self.entries.back()) {
            (Some(f), Some(b)) => (f.seq, b.seq),
            _ => (1, 0),
        }
    }

    /// Drops documents older than `min_seq` or timed before `min_time`.
    pub fn evict(&mut self, min_seq: u64, min_time: Option<i64>) {
        while let Some(front) = self.entries.front() {
            let old_time = matches!((front.time, min_time), (Some(t), Some(m)) if t < m);
            if front.seq >= min_seq && !old_time {
                break;
            }
            let Some(e) = self.entries.pop_front() else {
                break;
            };
            self.forget(&e);
        }
        // A window that has shrunk a lot (times, not counts, bound it) gives memory back.
        let needed = 2 * self.entries.len() * self.config.bands;
        if self.table.slots.len() > 8 * needed.max(MIN_SLOTS) {
            self.rebuild(2 * needed);
        }
    }

    fn forget(&mut self, e: &Entry) {
        if let Some(k) = e.url_key
            && self.by_url.get(&k) == Some(&e.seq)
        {
            self.by_url.remove(&k);
        }
        if let Some(k) = e.text_key
            && self.by_text.get(&k) == Some(&e.seq)
        {
            self.by_text.remove(&k);
        }
    }

    fn clear(&mut self) {
        self.by_url.clear();
        self.by_text.clear();
        self.entries.clear();
        self.table = BandTable::default();
    }

    fn entry(&self, seq: u64) -> Option<&Entry> {
        let first = self.entries.front()?.seq;
        let e = self
            .entries
            .get(usize::try_from(seq.checked_sub(first)?).ok()?)?;
        (e.seq == seq).then_some(e)
    }
}

/// The full sequence number whose low 32 bits are `low`, when it lies in `first..=last`.
fn live_seq(low: u32, first: u64, last: u64) -> Option<u64> {
    let seq = last.checked_sub(u64::from((last as u32).wrapping_sub(low)))?;
    (seq >= first).then_some(seq)
}

/// The LSH bucket key of each of the `bands` bands of `sig` (`num_perm / bands` rows each; a
/// remainder of rows is left out).
fn band_keys(sig: &Signature, bands: usize) -> impl Iterator<Item = u64> + '_ {
    let rows = (sig.mins.len() / bands.max(1)).max(1);
    sig.mins
        .chunks_exact(rows)
        .take(bands)
        .enumerate()
        .map(|(band, chunk)| {
            let mut h = mix64(band as u64 + 1);
            for &m in chunk {
                h = mix64(h ^ u64::from(m));
            }
            h
        })
}

/// Hash of the canonical URL with the scheme, `www.`, the fragment and a trailing slash dropped.
fn url_key(url: &str) -> Option<u64> {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or(url);
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() {
        return None;
    }
    Some(hash_bytes(1, rest.to_lowercase().as_bytes()))
}

/// Hash of the lowercased words of `text`; `None` when it has no words (what
/// [`Deduper::prepare`] computes in its single pass; the reference for the tests).
#[cfg(test)]
fn text_key(text: &str) -> Option<u64> {
    let mut h = 0u64;
    let mut n = 0usize;
    for_each_word(text, |w, _| {
        h = mix64(h.rotate_left(7) ^ hash_bytes(2, w.as_bytes()));
        n += 1;
    });
    (n > 0).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Deduper {
        /// Slots of the LSH table that hold an article of the window.
        fn live_slots(&self) -> usize {
            let (first, last) = self.span();
            self.table
                .slots
                .iter()
                .filter(|&&s| s != 0 && live_seq(s as u32, first, last).is_some())
                .count()
        }
    }

    fn text(n: usize, tag: &str) -> String {
        (0..n)
            .map(|i| format!("{tag}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn one_pass_keys_match_the_reference() {
        let d = Deduper::new(DedupConfig::default());
        for t in ["", "  ,. ", "One word", &text(50, "q")] {
            let p = d.prepare(t, None);
            assert_eq!(p.text_key, text_key(t), "{t:?}");
            assert_eq!(p.signature, d.hasher.signature(t));
        }
    }

    #[test]
    fn bands_that_do_not_divide_the_signature_leave_the_remainder_out() {
        // 100 slots in 64 bands: one row each, the last 36 slots in no band.
        let config = DedupConfig {
            num_perm: 100,
            bands: 64,
            ..DedupConfig::default()
        };
        let mut d = Deduper::new(config);
        let original = text(200, "w");
        let p = d.prepare(&original, None);
        d.insert(0, None, "a", p, None, 0);
        assert_eq!(d.live_slots(), 64);
        let copy = d.prepare(&original, Some("https://example.org/b"));
        assert_eq!(d.find(&copy).map(|m| m.seq), Some(0));
    }

    #[test]
    fn finds_exact_near_and_url_copies() {
        let mut d = Deduper::new(DedupConfig::default());
        let original = text(200, "w");
        let p = d.prepare(&original, Some("https://www.a.com/x/"));
        assert!(d.find(&p).is_none());
        d.insert(0, None, "a", p, None, 7);

        let same_url = d.prepare("other words entirely", Some("http://a.com/x#top"));
        let m = d.find(&same_url).unwrap();
        assert_eq!(
            (m.kind, m.first_copy.as_str(), m.tag),
            (MatchKind::Url, "a", 7)
        );

        let exact = d.prepare(&original.to_uppercase(), None);
        assert_eq!(d.find(&exact).unwrap().kind, MatchKind::Exact);

        let cut = d.prepare(&text(120, "w"), None);
        let m = d.find(&cut).unwrap();
        assert_eq!(m.kind, MatchKind::Near);
        d.insert(1, None, "b", cut, Some(m.first_copy), m.tag);

        // A copy of the copy points at the first copy.
        let cut2 = d.prepare(&text(100, "w"), None);
        assert_eq!(d.find(&cut2).unwrap().first_copy, "a");

        let other = d.prepare(&text(200, "v"), None);
        assert!(d.find(&other).is_none());
    }

    #[test]
    fn a_full_line_gives_up_its_oldest_slot() {
        let mut t = BandTable::with_lines(1);
        let live = |s: u32| Some(u64::from(s));
        for seq in 1..=20u64 {
            t.insert(7, seq, live);
        }
        let mut seqs: Vec<u64> = t.line(7).iter().map(|&s| s & 0xffff_ffff).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (5..=20).collect::<Vec<u64>>());
        // A slot whose article has left the window is taken before any live one.
        t.insert(9, 21, |s: u32| (s != 12).then_some(u64::from(s)));
        assert!(t.line(7).iter().any(|&s| s == fingerprint(9) << 32 | 21));
        assert!(t.line(7).iter().all(|&s| s & 0xffff_ffff != 12));
    }

    #[test]
    fn sequence_numbers_survive_their_32_bit_wrap() {
        let first = (1u64 << 32) - 3;
        let last = first + 10;
        for seq in first..=last {
            assert_eq!(live_seq(seq as u32, first, last), Some(seq));
        }
        assert_eq!(live_seq((first - 1) as u32, first, last), None);
        assert_eq!(live_seq((last + 1) as u32, first, last), None);
    }

    #[test]
    fn the_table_grows_with_the_window_and_shrinks_when_it_empties() {
        let mut d = Deduper::new(DedupConfig::default());
        let n = 5000u64;
        for i in 0..n {
            let p = d.prepare(&text(40, &format!("d{i}w")), None);
            d.insert(i, Some(i as i64), &i.to_string(), p, None, i);
        }
        // A line overflows now and then (one slot in thousands given up).
        let slots = n as usize * 64;
        assert!((slots - slots / 1000..=slots).contains(&d.live_slots()));
        assert!(d.table.slots.len() >= 2 * slots);
        // Every article is still found through the table.
        for i in (0..n).step_by(97) {
            let copy = d.prepare(&text(40, &format!("d{i}w")), Some("https://x.org/copy"));
            assert_eq!(d.find(&copy).map(|m| m.seq), Some(i));
        }
        d.evict(n - 10, None);
        assert_eq!(d.len(), 10);
        assert_eq!(d.live_slots(), 10 * 64);
        assert!(d.table.slots.len() < MIN_SLOTS);
        let copy = d.prepare(&text(40, &format!("d{}w", n - 5)), None);
        assert_eq!(d.find(&copy).map(|m| m.seq), Some(n - 5));
    }

    #[test]
    fn a_saved_index_finds_what_the_original_finds() {
        let mut d = Deduper::new(DedupConfig::default());
        for i in 0..50u64 {
            let p = d.prepare(&text(60, &format!("s{i}w")), None);
            d.insert(i, None, &i.to_string(), p, None, i);
        }
        let json = serde_json::to_string(&d).unwrap();
        let e: Deduper = serde_json::from_str(&json).unwrap();
        assert_eq!(e.live_slots(), d.live_slots());
        for i in 0..50u64 {
            let cut = d.prepare(&text(45, &format!("s{i}w")), None);
            assert_eq!(e.find(&cut), d.find(&cut));
            assert_eq!(d.find(&cut).map(|m| m.seq), Some(i));
        }
        // A state saved before the table (per-band buckets, `max_bucket`) still loads.
        let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
        old["bands"] = serde_json::json!([{"1": [0]}]);
        old["config"]["max_bucket"] = serde_json::json!(32);
        let f: Deduper = serde_json::from_value(old.clone()).unwrap();
        assert_eq!(f.live_slots(), d.live_slots());
        // Out-of-range band counts are clamped as `Deduper::new` clamps them.
        for (bands, want) in [(0u64, 1usize), (1 << 40, 128)] {
            old["config"]["bands"] = serde_json::json!(bands);
            let g: Deduper = serde_json::from_value(old.clone()).unwrap();
            assert_eq!(g.config.bands, want);
            // One band of 128 rows matches only equal signatures; 128 bands of one row find
            // the cut copy.
            let cut = g.prepare(&text(45, "s7w"), None);
            let found = g.find(&cut).map(|m| m.seq);
            assert_eq!(found, (want == 128).then_some(7));
        }
    }

    #[test]
    fn eviction_forgets() {
        let mut d = Deduper::new(DedupConfig::default());
        let p = d.prepare(&text(50, "w"), Some("https://a.com/1"));
        d.insert(0, Some(100), "a", p, None, 0);
        d.evict(0, Some(101));
        assert!(d.is_empty());
        assert!(
            d.find(&d.prepare(&text(50, "w"), Some("https://a.com/1")))
                .is_none()
        );
        assert_eq!(d.live_slots(), 0);
    }
}
