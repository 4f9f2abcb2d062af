//! The writer: puts records, quarantines failures, commits atomically.

use std::collections::{BTreeMap, HashMap};

use newsmill_core::Record;
use sha2::{Digest, Sha256};
use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::{
    COMMIT_STATE_DIR, CommitPayload, Failure, IndexError, KIND_ALIAS, KIND_ARTICLE, KIND_FAILED,
    KIND_STORY, KIND_VERSION, RecordMeta, Result, Store, StoryAlias, StorySummary, alias_key,
    failed_key, now, story_key, write_atomic,
};

/// What the input said besides the record.
#[derive(Debug, Clone, Default)]
pub struct PutInfo {
    /// When the input was fetched (RFC 3339), when known (WARC-Date, HTTP fetch time).
    pub fetched_at: Option<String>,
}

/// What [`Writer::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// A record not seen before.
    Stored,
    /// The same record (same id, same content) is already stored: nothing was written.
    Unchanged,
    /// The id (the canonical URL) was stored with other content: this is its new version, and
    /// the previous one is kept as a version.
    NewVersion,
}

/// Where [`Writer::set_state_with`] has a state written: a buffered gzip stream (a concrete
/// type, so a serialiser's many small writes are inlined, not calls through `dyn Write`).
pub struct StateWriter(std::io::BufWriter<flate2::write::GzEncoder<Vec<u8>>>);

impl std::fmt::Debug for StateWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateWriter")
    }
}

impl std::io::Write for StateWriter {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The single writer of a store. Writes become visible and durable at [`Writer::commit`].
pub struct Writer<'a> {
    store: &'a Store,
    writer: IndexWriter,
    /// Records put since the last commit: id -> (hash, version, record JSON, meta).
    pending: HashMap<String, (String, String, RecordMeta)>,
    uncommitted: usize,
    /// State files of the last commit (name -> file in `state/commit/`).
    states: BTreeMap<String, String>,
    /// States to write with the next commit, gzipped.
    pending_states: BTreeMap<String, Vec<u8>>,
    /// The next arrival number (saved in the commit's payload).
    seq: u64,
}

impl std::fmt::Debug for Writer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("dir", &self.store.dir)
            .field("uncommitted", &self.uncommitted)
            .finish_non_exhaustive()
    }
}

/// Indexes who is quoted (`speaker`: the entity a speaker resolves to, or the speaker as
/// written when it is a capitalised name) and what was said (`quote`).
fn add_quotes(doc: &mut TantivyDocument, f: &crate::schema::Fields, record: &Record) {
    let mut speakers: Vec<&str> = Vec::new();
    for q in &record.quotes {
        let who = q.entity.as_deref().or_else(|| {
            q.speaker
                .as_ref()
                .map(|s| s.text.as_str())
                .filter(|s| s.chars().next().is_some_and(char::is_uppercase) && s.contains(' '))
        });
        if let (Some(w), Some(field)) = (who, f.speaker)
            && !speakers.contains(&w)
        {
            speakers.push(w);
            doc.add_text(field, w);
        }
        if let Some(field) = f.quote {
            doc.add_text(field, &q.text);
        }
    }
}

/// The host of a URL (`www.bbc.co.uk` of `https://www.bbc.co.uk/news/1`), lowercased.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The content hash of a record: everything but where it was read from (`origin`, `url`) and
/// the story stage's fields, which change without the article changing.
pub(crate) fn content_hash(record: &Record) -> String {
    // Where it was read from is not content (`Record::content_json`).
    let digest = Sha256::digest(record.content_json());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// A record's content hash ([`ContentHash::of`]): computed once by a caller that checks and
/// then puts the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentHash(String);

impl ContentHash {
    /// The hash of everything in `record` but where it was read from and the story stage's
    /// fields.
    pub fn of(record: &Record) -> Self {
        ContentHash(content_hash(record))
    }
}

/// Parses an RFC 3339 date or a bare `YYYY-MM-DD` date into UTC seconds.
/// The first and last second (UTC) of the days a TIMEX3 event time covers (`2024-06` gives
/// June 1 00:00:00 to June 30 23:59:59), when its year is known.
pub(crate) fn event_span(value: &str) -> Option<(i64, i64)> {
    let (a, b) = newsmill_time::Value::parse(value).ok()?.interval()?;
    let start = a.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    let end = b.and_hms_opt(23, 59, 59)?.and_utc().timestamp();
    Some((start, end))
}

/// A time for the index: tantivy keeps nanoseconds in an `i64`, so seconds outside about
/// 1678..2262 are clamped to that range (a year 2999 in a page or a `--since` would
/// overflow: a panic in a debug build, a wrong date in a release one).
pub(crate) fn index_date(secs: i64) -> tantivy::DateTime {
    const MAX: i64 = i64::MAX / 1_000_000_000 - 1;
    tantivy::DateTime::from_timestamp_secs(secs.clamp(-MAX, MAX))
}

pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some(d.timestamp());
    }
    let day = s.get(..10)?;
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// The day a record is filed under (`YYYY-MM-DD`): the calendar day of its `published` date
/// in the article's own UTC offset (an article published `2018-12-22T00:00+01:00` is of the
/// 22nd, as its readers saw it), else the UTC day it was fetched.
pub(crate) fn day_of(published: Option<&str>, fetched_at: Option<&str>) -> Option<String> {
    if let Some(p) = published.map(str::trim) {
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(p) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
        if let Ok(d) = chrono::DateTime::parse_from_rfc2822(p) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
        if parse_date(p).is_some() {
            return p.get(..10).map(str::to_string);
        }
    }
    let secs = fetched_at.and_then(parse_date)?;
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.format("%Y-%m-%d").to_string())
}

impl<'a> Writer<'a> {
    pub(crate) fn new(store: &'a Store, threads: usize) -> Result<Writer<'a>> {
        let writer = store
            .index
            .writer_with_num_threads(threads, (48 << 20) * threads)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => IndexError::Locked {
                    dir: store.dir.display().to_string(),
                },
                other => IndexError::Tantivy {
                    dir: store.dir.display().to_string(),
                    source: other,
                },
            })?;
        // Files of a commit a crash cut short (segments, `.del` files named by an opstamp the
        // next commits will reuse) are removed before anything is written.
        writer
            .garbage_collect_files()
            .wait()
            .map_err(|source| IndexError::Tantivy {
                dir: store.dir.display().to_string(),
                source,
            })?;
        let payload = store.committed_payload()?;
        Ok(Writer {
            store,
            writer,
            pending: HashMap::new(),
            uncommitted: 0,
            states: payload.states,
            pending_states: BTreeMap::new(),
            seq: payload.seq,
        })
    }

    /// Writes since the last commit.
    pub fn uncommitted(&self) -> usize {
        self.uncommitted
    }

    /// The stored (or put since the last commit) version of `id`: its JSON and metadata.
    fn previous(&self, id: &str) -> Result<Option<(String, RecordMeta)>> {
        Ok(match self.pending.get(id) {
            Some((_, json, meta)) => Some((json.clone(), meta.clone())),
            None => match self.store.doc_by_key(id)? {
                Some(doc) => {
                    let f = &self.store.fields;
                    let json = self.store.text_of(&doc, f.record).to_string();
                    let meta: RecordMeta =
                        serde_json::from_str(self.store.text_of(&doc, f.meta))
                            .map_err(|e| self.store.corrupt(id, format!("meta: {e}")))?;
                    Some((json, meta))
                }
                None => None,
            },
        })
    }

    /// What [`Writer::put`] would do with `record`, without writing: the story stage runs only
    /// on records that are not [`PutOutcome::Unchanged`], so a re-run after a crash feeds it
    /// exactly the records the last commit lacks.
    pub fn check(&self, record: &Record) -> Result<PutOutcome> {
        self.check_hashed(record, &ContentHash::of(record))
    }

    /// [`Writer::check`] with the record's content hash computed by the caller, who passes
    /// the same hash to [`Writer::put_hashed`] (hashing serialises the whole record).
    pub fn check_hashed(&self, record: &Record, hash: &ContentHash) -> Result<PutOutcome> {
        let hash = &hash.0;
        Ok(match self.previous(&record.id)? {
            Some((_, meta)) if meta.hash == *hash || meta.previous_hashes.contains(hash) => {
                PutOutcome::Unchanged
            }
            Some(_) => PutOutcome::NewVersion,
            None => PutOutcome::Stored,
        })
    }

    /// Stores a story summary (replacing the earlier summary of the same story). Stories are
    /// listed by [`Store::stories`].
    pub fn put_story(&mut self, story: &StorySummary) -> Result<()> {
        let f = &self.store.fields;
        let key = story_key(&story.id);
        let mut doc = TantivyDocument::new();
        doc.add_text(f.kind, KIND_STORY);
        doc.add_text(f.key, &key);
        doc.add_text(f.title, &story.title);
        for e in &story.entities {
            doc.add_text(f.entity, &e.name);
        }
        if let Some(t) = story.last_seen.or(story.first_seen) {
            doc.add_date(f.date, index_date(t));
        }
        doc.add_text(
            f.meta,
            crate::to_json(&format!("story {}", story.id), story)?,
        );
        self.replace(&key, doc)
    }

    /// Rewrites the stored current version of `record` with the `story` and `duplicate_of`
    /// the given record carries, keeping its metadata (for `newsmill stories --rebuild`). The
    /// record must be stored already with the same content; otherwise nothing is written and
    /// `false` is returned.
    pub fn set_story_fields(&mut self, record: &Record) -> Result<bool> {
        let Some((json, meta)) = self.previous(&record.id)? else {
            return Ok(false);
        };
        if meta.hash != content_hash(record) {
            return Ok(false);
        }
        let mut stored: Record = serde_json::from_str(&json)
            .map_err(|e| self.store.corrupt(&record.id, format!("record: {e}")))?;
        stored.story.clone_from(&record.story);
        stored.duplicate_of.clone_from(&record.duplicate_of);
        let json = crate::to_json(&format!("record {}", record.id), &stored)?;
        let doc = self.doc(&record.id, KIND_ARTICLE, &stored, &json, &meta)?;
        // Not kept in `pending`: a rebuild touches every record once, and the committed
        // document has the same content hash, which is all `check` and `put` compare.
        self.replace(&record.id, doc)?;
        Ok(true)
    }

    /// Deletes every stored story summary and story alias (with the next commit); what is
    /// put after this call is kept.
    pub fn delete_stories(&mut self) {
        for kind in [KIND_STORY, KIND_ALIAS] {
            self.writer
                .delete_term(Term::from_field_text(self.store.fields.kind, kind));
        }
        self.uncommitted += 1;
    }

    /// Records that the story `from` was merged into the story `into` (with the next commit):
    /// `from` keeps resolving ([`Store::resolve_story`], `story:` search) and its own summary
    /// is deleted (the survivor's summary covers both). Putting `from` again replaces its
    /// alias, so a chain of merges can be pointed at the last survivor.
    pub fn put_alias(&mut self, from: &str, into: &str) -> Result<()> {
        if from == into {
            return Ok(());
        }
        let f = &self.store.fields;
        let alias = StoryAlias {
            from: from.to_string(),
            into: into.to_string(),
        };
        let key = alias_key(from);
        let mut doc = TantivyDocument::new();
        doc.add_text(f.kind, KIND_ALIAS);
        doc.add_text(f.key, &key);
        doc.add_text(f.id, from);
        doc.add_text(f.story, into);
        doc.add_text(f.meta, crate::to_json(&key, &alias)?);
        self.writer
            .delete_term(Term::from_field_text(f.key, &story_key(from)));
        self.replace(&key, doc)
    }

    /// Saves `bytes` as the state `name` with the next commit, atomically with it: after a
    /// crash, [`Store::committed_state`] returns the state of the commit the index is at.
    pub fn set_state(&mut self, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.set_state_with(name, |w| std::io::Write::write_all(w, &bytes))
    }

    /// [`Writer::set_state`] for a state that `write` writes out: it is gzipped as it is
    /// written, so a large state never sits in memory uncompressed.
    pub fn set_state_with(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut StateWriter) -> std::io::Result<()>,
    ) -> Result<()> {
        let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        // Serialisers write a few bytes at a time; the encoder takes them in 64 KiB pieces.
        let mut out = StateWriter(std::io::BufWriter::with_capacity(64 << 10, enc));
        let gz = write(&mut out)
            .and_then(|()| {
                out.0
                    .into_inner()
                    .map_err(std::io::IntoInnerError::into_error)
            })
            .and_then(|enc| enc.finish())
            .map_err(|source| IndexError::Io {
                path: format!("state {name}"),
                source,
            })?;
        self.pending_states.insert(name.to_string(), gz);
        Ok(())
    }

    /// Stores `record` (its id must be set) unless the same content is stored already.
    pub fn put(&mut self, record: &Record, info: &PutInfo) -> Result<PutOutcome> {
        self.put_hashed(record, info, ContentHash::of(record))
    }

    /// [`Writer::put`] with the record's content hash computed by the caller
    /// ([`ContentHash::of`]); the story stage's fields are not part of it, so a hash taken
    /// before [`Writer::check_hashed`] and the story stage still holds.
    pub fn put_hashed(
        &mut self,
        record: &Record,
        info: &PutInfo,
        hash: ContentHash,
    ) -> Result<PutOutcome> {
        let hash = hash.0;
        let previous = self.previous(&record.id)?;
        let (outcome, version) = match &previous {
            Some((_, meta)) if meta.hash == hash || meta.previous_hashes.contains(&hash) => {
                return Ok(PutOutcome::Unchanged);
            }
            Some((json, meta)) => {
                // Keep the previous version under its own key, out of default search.
                let old: Record = serde_json::from_str(json)
                    .map_err(|e| self.store.corrupt(&record.id, format!("record: {e}")))?;
                let key = format!("{}@v{}", record.id, meta.version);
                self.replace(&key, self.doc(&key, KIND_VERSION, &old, json, meta)?)?;
                (PutOutcome::NewVersion, meta.version + 1)
            }
            None => (PutOutcome::Stored, 1),
        };
        let previous_hashes = match &previous {
            Some((_, meta)) => {
                let mut h = meta.previous_hashes.clone();
                h.push(meta.hash.clone());
                h
            }
            None => Vec::new(),
        };
        let meta = RecordMeta {
            version,
            hash: hash.clone(),
            previous_hashes,
            fetched_at: info.fetched_at.clone(),
            stored_at: now(),
            seq: Some(self.seq),
        };
        self.seq += 1;
        let json = crate::to_json(&format!("record {}", record.id), record)?;
        let doc = self.doc(&record.id, KIND_ARTICLE, record, &json, &meta)?;
        self.replace(&record.id, doc)?;
        // A success for an input that failed before lifts it out of the quarantine.
        if !record.origin.is_empty() {
            self.writer.delete_term(Term::from_field_text(
                self.store.fields.key,
                &failed_key(&record.origin),
            ));
        }
        self.pending.insert(record.id.clone(), (hash, json, meta));
        Ok(outcome)
    }

    /// Keeps a failed input in the quarantine (replacing an earlier failure of the same input),
    /// with its raw bytes when given.
    pub fn quarantine(&mut self, failure: &Failure, raw: Option<&[u8]>) -> Result<()> {
        let f = &self.store.fields;
        let key = failed_key(&failure.origin);
        let mut doc = TantivyDocument::new();
        doc.add_text(f.kind, KIND_FAILED);
        doc.add_text(f.key, &key);
        doc.add_text(
            f.meta,
            crate::to_json(&format!("failure of {}", failure.origin), failure)?,
        );
        if let Some(raw) = raw {
            doc.add_bytes(f.raw, raw);
        }
        self.replace(&key, doc)
    }

    fn replace(&mut self, key: &str, doc: TantivyDocument) -> Result<()> {
        let f = &self.store.fields;
        self.writer.delete_term(Term::from_field_text(f.key, key));
        self.writer.add_document(doc).map_err(self.store.err())?;
        self.uncommitted += 1;
        Ok(())
    }

    fn doc(
        &self,
        key: &str,
        kind: &str,
        record: &Record,
        json: &str,
        meta: &RecordMeta,
    ) -> Result<TantivyDocument> {
        let f = &self.store.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.kind, kind);
        doc.add_text(f.key, key);
        doc.add_text(f.id, &record.id);
        doc.add_u64(f.version, meta.version);
        doc.add_text(f.hash, &meta.hash);
        if let Some(t) = &record.title {
            doc.add_text(f.title, t);
        }
        doc.add_text(f.text, &record.text);
        if let Some(stem) = record.language.as_deref().and_then(|l| f.stem_of(l)) {
            if let Some(t) = &record.title {
                doc.add_text(stem, t);
            }
            doc.add_text(stem, &record.text);
        }
        for e in &record.entities {
            doc.add_text(f.entity, &e.name);
            if let Some(words) = f.entity_words {
                doc.add_text(words, &e.name);
            }
            doc.add_facet(f.f_entity, Facet::from_path([e.name.as_str()]));
        }
        add_quotes(&mut doc, f, record);
        if let Some(s) = &record.site {
            doc.add_text(f.site, s);
            doc.add_facet(f.f_site, Facet::from_path([s.as_str()]));
        }
        if let Some(l) = &record.language {
            doc.add_text(f.language, l);
            doc.add_facet(f.f_language, Facet::from_path([l.as_str()]));
        }
        if let Some(s) = &record.story {
            doc.add_text(f.story, s);
        }
        let mut hosts: Vec<String> = Vec::new();
        for u in [&record.url, &record.canonical_url].into_iter().flatten() {
            doc.add_text(f.url, u);
            if let Some(h) = host_of(u)
                && !hosts.contains(&h)
            {
                hosts.push(h);
            }
        }
        if let Some(field) = f.host {
            for h in &hosts {
                doc.add_text(field, h);
            }
        }
        let date = record
            .published
            .as_deref()
            .and_then(parse_date)
            .or_else(|| meta.fetched_at.as_deref().and_then(parse_date));
        if let Some(secs) = date {
            doc.add_date(f.date, index_date(secs));
        }
        if let Some(day) = day_of(record.published.as_deref(), meta.fetched_at.as_deref()) {
            doc.add_facet(f.f_day, Facet::from_path([day]));
        }
        if let (Some(fs), Some(fe), Some((a, b))) = (
            f.event_start,
            f.event_end,
            record.event_time.as_deref().and_then(event_span),
        ) {
            doc.add_date(fs, index_date(a));
            doc.add_date(fe, index_date(b));
        }
        doc.add_text(f.record, json);
        doc.add_text(f.meta, crate::to_json(&format!("metadata of {key}"), meta)?);
        Ok(doc)
    }

    /// Makes every write since the last commit durable and visible, atomically, together with
    /// the states given to [`Writer::set_state`].
    ///
    /// Order: tantivy writes and syncs the new segments (`prepare_commit`); each new state is
    /// written to a fresh file in `state/commit/` and synced; then `meta.json`, which names the
    /// live segments and, in its payload, the state files, is replaced atomically. A crash
    /// before that rename leaves the previous commit and its state files; after it, the new
    /// ones. State files no commit names are removed after the commit.
    pub fn commit(&mut self) -> Result<()> {
        let dir = self.store.dir.clone();
        let state_dir = dir.join("state").join(COMMIT_STATE_DIR);
        let mut states = self.states.clone();
        let pending = std::mem::take(&mut self.pending_states);
        let err = crate::tantivy_err(&dir);
        let mut prepared = self.writer.prepare_commit().map_err(&err)?;
        if !pending.is_empty() {
            fs_err::create_dir_all(&state_dir).map_err(|source| IndexError::Io {
                path: state_dir.display().to_string(),
                source,
            })?;
            let stamp = prepared.opstamp();
            for (name, bytes) in &pending {
                let file = format!("{name}-{stamp}.json.gz");
                write_atomic(&state_dir.join(&file), bytes)?;
                states.insert(name.clone(), file);
            }
        }
        let payload = crate::to_json(
            "index/meta.json (commit payload)",
            &CommitPayload {
                states: states.clone(),
                seq: self.seq,
            },
        )?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(&err)?;
        if !pending.is_empty() {
            // Files of earlier commits (or of a commit a crash cut short) are garbage now.
            if let Ok(entries) = fs_err::read_dir(&state_dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().to_string();
                    if !states.values().any(|f| *f == name) {
                        let _ = fs_err::remove_file(entry.path());
                    }
                }
            }
        }
        self.states = states;
        self.store.reload()?;
        self.pending.clear();
        self.uncommitted = 0;
        Ok(())
    }

    /// Waits for background merges to finish and releases the lock.
    pub fn close(self) -> Result<()> {
        let store = self.store;
        self.writer.wait_merging_threads().map_err(store.err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-02"), Some(86400));
        // Far dates are clamped into tantivy's range, not overflowed.
        let far = index_date(parse_date("2999-01-01").unwrap());
        assert!(far > index_date(parse_date("2262-01-01").unwrap()));
        assert!(index_date(i64::MIN) < index_date(0));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_date("Thu, 01 Jan 1970 00:01:00 GMT"), Some(60));
        assert_eq!(parse_date("soon"), None);
    }
}
