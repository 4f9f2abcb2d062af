//! The newsmill store: an embedded, crash-safe index of full records, with search.
//!
//! This is the only crate that writes the data directory (`--data`, default `./newsmill-data`).
//! It keeps every stored [`Record`] in full plus a tantivy index over it (title, text, entities,
//! site, language, story, URL, date; facets for site, language, entity and day), the previous
//! versions of articles whose content changed, and a quarantine of inputs that failed.
//!
//! # Reading (the stable API for `search`, `export` and `serve`)
//!
//! [`Store::open`] opens an existing store read-only; any number of readers may run while one
//! ingest writes, and each sees the last commit ([`Store::reload`] picks up a newer one, and
//! it is also picked up on its own within a second). Everything is synchronous.
//! - [`Store::search`] runs a [`SearchRequest`] (the query language below, date and language
//!   filters, event-time filters, pagination, optional facets) and returns [`SearchResults`];
//! - [`Store::get`] returns one record by id, [`Store::versions`] its earlier versions;
//! - [`Store::records`] walks every stored record (for export);
//! - [`Store::failed`] lists the quarantine; [`Store::stats`] counts.
//!
//! ## Query language
//!
//! Terms (`putin summit`: all must match), `"phrases"`, `AND`, `OR`, `NOT` (or `-term`),
//! parentheses, and `field:value` for `title`, `text`, `entity` (`entity:"Kim Jong Un"`),
//! `speaker` (who is quoted: `speaker:"Vladimir Putin"`), `quote` (words inside quotes and
//! reported speech: `quote:sanctions`),
//! `site` (`site:reuters.com`), `language` or `lang` (`lang:de`), `story` (`story:ID`), `url`,
//! `id`, and `date:[2024-06-01T00:00:00Z TO 2024-07-01T00:00:00Z]`. `*` matches everything.
//! Words match case- and accent-insensitively, as written or stemmed in the record's language
//! (Snowball stemmers of 18 languages: `blackout` finds "blackouts", `Stromausfall` finds
//! "Stromausfälle"); `entity` matches any word of a name (`entity:putin`; a quoted name is a
//! phrase); `url` without a `/` matches the host or any part of it (`url:bbc`), with one the
//! whole URL; `speaker`, `site`, `language` and `story` match the whole value,
//! case-insensitively. [`SearchRequest`]'s `site`, `entity` and `story` filters match whole
//! values. A store made before stemming, entity words or hosts were indexed still opens and
//! answers, without them (words as written, whole entity names, whole URLs); ingesting into
//! a new `--data` directory gives them.
//!
//! # Writing
//!
//! [`Store::create`] opens or creates a store for writing, and [`Store::writer`] takes the
//! single writer lock. [`Writer::put`] stores a record and says whether it was new, unchanged,
//! or a new version of an article seen before (same id, that is same canonical URL, different
//! content); [`Writer::quarantine`] keeps a failed input with its error; [`Writer::commit`]
//! makes everything since the last commit durable, atomically.
//!
//! # Crash safety
//!
//! A commit is tantivy's: new segment files are written and synced first, then `meta.json`
//! (the list of live segments and deletes) is replaced atomically by a rename. A `kill -9` at any
//! moment leaves either the old or the new `meta.json`, so the store opens at the last commit,
//! whole; files of an unfinished commit are garbage-collected on the next write. Every stored
//! document has a unique key (the record id, `ID@vN` for a version, `failed:ORIGIN` for the
//! quarantine) and every write replaces its key (delete, then add, in one commit), so running the
//! same ingest again after a crash redoes what was lost and adds no duplicates.
//!
//! State that must match the commit (the story stage's) is given to [`Writer::set_state`]: at
//! [`Writer::commit`] it is written to a new file in `state/commit/` and synced *before*
//! `meta.json` is replaced, and the commit's payload (inside `meta.json`) names that file, so
//! [`Store::committed_state`] always returns the state of the commit the index is at.
//!
//! # Layout of the data directory
//!
//! ```text
//! newsmill-data/
//!   newsmill-store.json    format marker: {"format": 1}
//!   index/                 the tantivy index (meta.json, segment files, writer lock)
//!   state/                 small JSON state files (feed polling, alerts), written atomically
//!   state/commit/          states bound to a commit (NAME-OPSTAMP.json.gz), see above
//! ```
//!
//! Besides articles, versions and failures the index holds story summaries
//! ([`Writer::put_story`], [`Store::stories`]).
//!
//! # Example
//!
//! ```
//! use newsmill_core::{Block, BlockKind, Record};
//! use newsmill_index::{PutInfo, PutOutcome, SearchRequest, Store};
//!
//! let dir = std::env::temp_dir().join(format!("newsmill-index-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! let store = Store::create(&dir).unwrap();
//! let mut writer = store.writer().unwrap();
//! let mut record = Record {
//!     title: Some("Putin visits Pyongyang".into()),
//!     blocks: vec![Block::new(BlockKind::Paragraph, "Vladimir Putin met Kim Jong Un.")],
//!     canonical_url: Some("https://news.example/putin".into()),
//!     site: Some("news.example".into()),
//!     published: Some("2024-06-19T08:00:00Z".into()),
//!     ..Record::default()
//! };
//! record.finish();
//! assert_eq!(writer.put(&record, &PutInfo::default()).unwrap(), PutOutcome::Stored);
//! assert_eq!(writer.put(&record, &PutInfo::default()).unwrap(), PutOutcome::Unchanged);
//! writer.commit().unwrap();
//!
//! let reader = Store::open(&dir).unwrap();
//! let results = reader.search(&SearchRequest::new("\"met kim\" site:news.example")).unwrap();
//! assert_eq!(results.total, 1);
//! assert_eq!(results.hits[0].title.as_deref(), Some("Putin visits Pyongyang"));
//! assert!(reader.get(&record.id).unwrap().is_some());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod schema;
mod search;
mod verify;
mod write;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use newsmill_core::Record;
pub use newsmill_core::{FacetCount, Facets, Hit, StorySummary};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

pub use search::{DEFAULT_FACET_LIMIT, MAX_QUERY_DEPTH, SearchRequest, SearchResults};
pub use verify::{Problem, Verification};
pub use write::{ContentHash, PutInfo, PutOutcome, StateWriter, Writer};

use schema::Fields;

/// Errors of the store. Each names the data directory or the record concerned.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// There is no store in the directory (for read-only opening).
    #[error("{dir}: no newsmill store here (run `newsmill ingest` first)")]
    Missing {
        /// The data directory.
        dir: String,
    },
    /// The directory holds something else, or a store of a newer format.
    #[error("{dir}: {message}")]
    Format {
        /// The data directory.
        dir: String,
        /// What is wrong.
        message: String,
    },
    /// The marker file is missing or unreadable while `index/` holds a committed index: the
    /// store is refused rather than recreated, so no data is ever deleted to make room.
    #[error(
        "{dir}: the store marker {MARKER} is missing or unreadable but index/ holds data; refusing to touch it (`newsmill check --repair --data {dir}` verifies the index and writes the marker again)"
    )]
    NoMarker {
        /// The data directory.
        dir: String,
    },
    /// Another process holds the writer lock.
    #[error("{dir}: another ingest is writing to this store")]
    Locked {
        /// The data directory.
        dir: String,
    },
    /// The query does not parse.
    #[error("bad query {query:?}: {message}")]
    Query {
        /// The query.
        query: String,
        /// The parser's message.
        message: String,
    },
    /// A filter value is not valid (a date that does not parse).
    #[error("bad {what} {value:?}: expected a date like 2024-06-19 or 2024-06-19T10:00:00Z")]
    BadDate {
        /// Which filter.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// A stored document could not be decoded.
    #[error("{dir}: stored record {key}: {message}")]
    Corrupt {
        /// The data directory.
        dir: String,
        /// The document's key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A file system error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A value could not be written as JSON (a state file, a record, the commit payload).
    /// Nothing is written in its place.
    #[error("{what}: cannot be written as JSON: {message}")]
    Encode {
        /// What was being written (the state file's path, the record's id).
        what: String,
        /// serde_json's message.
        message: String,
    },
    /// An error inside tantivy.
    #[error("{dir}: index error: {source}")]
    Tantivy {
        /// The data directory.
        dir: String,
        /// tantivy's error.
        #[source]
        source: tantivy::TantivyError,
    },
}

/// Result with [`IndexError`].
pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// The current format of the data directory.
pub const FORMAT: u32 = 1;
const MARKER: &str = "newsmill-store.json";

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    format: u32,
}

/// A data directory: the index of records, versions and quarantine.
pub struct Store {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Facet counts over the whole store, for one searcher generation, by facet limit.
    facet_cache: std::sync::Mutex<Option<(u64, std::collections::HashMap<usize, Facets>)>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// One quarantined input: what failed, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The input (a path, `-`, a URL, `FILE#OFFSET`).
    pub origin: String,
    /// The stage that failed (`ingest`, `extract`, `nlp`, ...).
    pub stage: String,
    /// The error message.
    pub error: String,
    /// When it failed (RFC 3339).
    pub at: String,
    /// Size of the kept raw bytes (the bytes themselves are in the store; see [`Store::failed_bytes`]).
    pub bytes: usize,
}

/// Counts of what a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Current articles.
    pub articles: u64,
    /// Earlier versions of articles.
    pub versions: u64,
    /// Quarantined inputs.
    pub failed: u64,
    /// Stories (written by the story stage of `ingest`).
    #[serde(default)]
    pub stories: u64,
}

/// Stored metadata next to a record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    /// 1 for the first version of an article, then 2, 3, ...
    pub version: u64,
    /// Hash of the record's content (what decides "unchanged").
    pub hash: String,
    /// Hashes of the earlier versions, oldest first: content seen before is "unchanged" too,
    /// so re-reading an input that holds an old and a new version adds nothing.
    #[serde(default)]
    pub previous_hashes: Vec<String>,
    /// When the input was fetched (RFC 3339), when known.
    pub fetched_at: Option<String>,
    /// When it was stored (RFC 3339).
    pub stored_at: String,
    /// Arrival number: the store counts every record it writes, so this gives the order in
    /// which records were stored (what the story stage saw), also within one second. Absent in
    /// records stored before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

pub(crate) const KIND_ARTICLE: &str = "article";
pub(crate) const KIND_VERSION: &str = "version";
pub(crate) const KIND_FAILED: &str = "failed";
pub(crate) const KIND_STORY: &str = "story";
pub(crate) const KIND_ALIAS: &str = "alias";

/// Most merges followed from an id to the story it names now (chains are short: the story
/// stage hands a store every id a merged story had, so most aliases point at the survivor
/// directly; the bound guards against a cycle a damaged store might hold).
pub const MAX_ALIAS_HOPS: usize = 64;

/// Most ids [`Store::story_ids`] gathers for one story (a story merged many times over).
pub const MAX_STORY_IDS: usize = 1024;

/// A story id that was merged into another story ([`Writer::put_alias`]): it keeps resolving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryAlias {
    /// The id that was emitted for the absorbed story.
    pub from: String,
    /// The story that absorbed it (itself possibly merged later: see [`Store::resolve_story`]).
    pub into: String,
}

/// The payload of every commit (in tantivy's `meta.json`): which state files belong to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct CommitPayload {
    /// State name -> file name in `state/commit/`.
    #[serde(default)]
    pub(crate) states: BTreeMap<String, String>,
    /// The next arrival number ([`RecordMeta::seq`]).
    #[serde(default)]
    pub(crate) seq: u64,
}

/// Folder of the state files written with a commit.
pub(crate) const COMMIT_STATE_DIR: &str = "commit";

/// `value` as JSON, or [`IndexError::Encode`] naming `what`.
pub(crate) fn to_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| IndexError::Encode {
        what: what.to_string(),
        message: e.to_string(),
    })
}

/// `value` as indented JSON, or [`IndexError::Encode`] naming `path`.
fn to_json_pretty<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(|e| IndexError::Encode {
        what: path.display().to_string(),
        message: e.to_string(),
    })
}

pub(crate) fn tantivy_err(dir: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy {
        dir: dir.display().to_string(),
        source,
    }
}

impl Store {
    /// Opens an existing store for reading. It stays readable while another process writes.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store> {
        let dir = dir.as_ref();
        if !dir.join(MARKER).exists() {
            if index_holds_data(&dir.join("index")) {
                return Err(IndexError::NoMarker {
                    dir: dir.display().to_string(),
                });
            }
            return Err(IndexError::Missing {
                dir: dir.display().to_string(),
            });
        }
        Store::open_inner(dir)
    }

    /// Opens the store in `dir` for writing, creating the directory and an empty store when
    /// there is none.
    ///
    /// It never deletes data: a directory without the marker is made a store only when it is
    /// empty or holds what a crash during an earlier `create` left (an index with no commit
    /// of any document); one whose `index/` holds data is refused with
    /// [`IndexError::NoMarker`].
    pub fn create(dir: impl AsRef<Path>) -> Result<Store> {
        let dir = dir.as_ref();
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| IndexError::Io { path, source }
        };
        let marker = dir.join(MARKER);
        if !marker.exists() {
            let index_dir = dir.join("index");
            if dir.exists() {
                // Only a store we began to create (a crash before the marker) may be here.
                for entry in fs_err::read_dir(dir).map_err(io(dir))? {
                    let name = entry.map_err(io(dir))?.file_name();
                    let name = name.to_string_lossy();
                    if !matches!(name.as_ref(), "index" | "state" | "newsmill-store.tmp") {
                        return Err(IndexError::Format {
                            dir: dir.display().to_string(),
                            message: "directory is not empty and holds no newsmill store".into(),
                        });
                    }
                }
                if index_holds_data(&index_dir) {
                    return Err(IndexError::NoMarker {
                        dir: dir.display().to_string(),
                    });
                }
                if index_dir.exists() {
                    // No commit of any document: what a crash inside `create` left.
                    fs_err::remove_dir_all(&index_dir).map_err(io(&index_dir))?;
                }
            }
            fs_err::create_dir_all(&index_dir).map_err(io(&index_dir))?;
            fs_err::create_dir_all(dir.join("state")).map_err(io(dir))?;
            let (schema, _) = schema::build();
            Index::create_in_dir(&index_dir, schema).map_err(tantivy_err(dir))?;
            // The marker is written last: a crash before it leaves a directory that `create`
            // finishes next time (the empty index is recreated).
            write_marker(dir)?;
        }
        Store::open_inner(dir)
    }

    /// Writes the marker of a store whose marker is missing or unreadable, after checking that
    /// `index/` opens as a newsmill index (same schema). Returns `false` when the marker was
    /// fine already. This is how a user recovers from [`IndexError::NoMarker`].
    pub fn repair_marker(dir: impl AsRef<Path>) -> Result<bool> {
        let dir = dir.as_ref();
        if read_marker(dir).is_ok() {
            return Ok(false);
        }
        let index_dir = dir.join("index");
        if !index_dir.join("meta.json").exists() {
            return Err(IndexError::Missing {
                dir: dir.display().to_string(),
            });
        }
        let index = Index::open_in_dir(&index_dir).map_err(tantivy_err(dir))?;
        if !schema::is_newsmill_schema(&index.schema()) {
            return Err(IndexError::Format {
                dir: dir.display().to_string(),
                message: "index/ does not have the schema of a newsmill store; marker not written"
                    .into(),
            });
        }
        write_marker(dir)?;
        Ok(true)
    }

    fn open_inner(dir: &Path) -> Result<Store> {
        let marker = match read_marker(dir) {
            Ok(m) => m,
            // A truncated or garbled marker in front of an index that holds data.
            Err(IndexError::Format { .. }) if index_holds_data(&dir.join("index")) => {
                return Err(IndexError::NoMarker {
                    dir: dir.display().to_string(),
                });
            }
            Err(e) => return Err(e),
        };
        if marker.format != FORMAT {
            return Err(IndexError::Format {
                dir: dir.display().to_string(),
                message: format!(
                    "store format {} but this newsmill reads format {FORMAT}",
                    marker.format
                ),
            });
        }
        let index = Index::open_in_dir(dir.join("index")).map_err(tantivy_err(dir))?;
        schema::register_tokenizers(&index);
        let fields = schema::fields_of(&index.schema());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(tantivy_err(dir))?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            facet_cache: std::sync::Mutex::new(None),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes the next searches see the latest commit now (they do within a second anyway).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(tantivy_err(&self.dir))
    }

    /// Takes the writer lock. Fails with [`IndexError::Locked`] while another writer is open.
    /// Indexes with one thread per core, up to 4 (48 MiB of indexing memory each).
    pub fn writer(&self) -> Result<Writer<'_>> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        self.writer_with_threads(threads)
    }

    /// [`Store::writer`] with `threads` indexing threads (1 to 4; each holds 48 MiB of
    /// indexing memory): a job told to use one core (`ingest -j 1`) indexes on one.
    pub fn writer_with_threads(&self, threads: usize) -> Result<Writer<'_>> {
        Writer::new(self, threads.clamp(1, 4))
    }

    fn err(&self) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
        tantivy_err(&self.dir)
    }

    fn corrupt(&self, key: &str, message: impl Into<String>) -> IndexError {
        IndexError::Corrupt {
            dir: self.dir.display().to_string(),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// The stored document with `key`, from the last commit.
    fn doc_by_key(&self, key: &str) -> Result<Option<TantivyDocument>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.key, key),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .map_err(self.err())?;
        match top.first() {
            Some((_, addr)) => Ok(Some(searcher.doc(*addr).map_err(self.err())?)),
            None => Ok(None),
        }
    }

    fn text_of<'a>(&self, doc: &'a TantivyDocument, field: tantivy::schema::Field) -> &'a str {
        doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")
    }

    pub(crate) fn record_of(&self, doc: &TantivyDocument) -> Result<(Record, RecordMeta)> {
        let key = self.text_of(doc, self.fields.key);
        let record = serde_json::from_str(self.text_of(doc, self.fields.record))
            .map_err(|e| self.corrupt(key, format!("record: {e}")))?;
        let meta = serde_json::from_str(self.text_of(doc, self.fields.meta))
            .map_err(|e| self.corrupt(key, format!("meta: {e}")))?;
        Ok((record, meta))
    }

    /// The current version of the record with `id`, with its metadata.
    pub fn get_with_meta(&self, id: &str) -> Result<Option<(Record, RecordMeta)>> {
        match self.doc_by_key(id)? {
            Some(doc) => self.record_of(&doc).map(Some),
            None => Ok(None),
        }
    }

    /// The current version of the record with `id`.
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        Ok(self.get_with_meta(id)?.map(|(r, _)| r))
    }

    /// The earlier versions of the record with `id`, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<(Record, RecordMeta)>> {
        let mut out = Vec::new();
        for (doc, kind) in self.docs_with_id(id)? {
            if kind == KIND_VERSION {
                out.push(self.record_of(&doc)?);
            }
        }
        out.sort_by_key(|(_, m)| m.version);
        Ok(out)
    }

    fn docs_with_id(&self, id: &str) -> Result<Vec<(TantivyDocument, String)>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let addrs = searcher
            .search(&q, &tantivy::collector::DocSetCollector)
            .map_err(self.err())?;
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            let kind = self.text_of(&doc, self.fields.kind).to_string();
            out.push((doc, kind));
        }
        Ok(out)
    }

    fn count_kind(&self, kind: &str) -> Result<u64> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.kind, kind),
            IndexRecordOption::Basic,
        );
        let n = self
            .reader
            .searcher()
            .search(&q, &Count)
            .map_err(self.err())?;
        Ok(n as u64)
    }

    /// How many articles, versions and quarantined inputs the last commit holds.
    pub fn stats(&self) -> Result<StoreStats> {
        Ok(StoreStats {
            articles: self.count_kind(KIND_ARTICLE)?,
            versions: self.count_kind(KIND_VERSION)?,
            failed: self.count_kind(KIND_FAILED)?,
            stories: self.count_kind(KIND_STORY)?,
        })
    }

    fn addresses_of_kind(&self, kind: &str) -> Result<Vec<tantivy::DocAddress>> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.kind, kind),
            IndexRecordOption::Basic,
        );
        let mut addrs: Vec<_> = self
            .reader
            .searcher()
            .search(&q, &tantivy::collector::DocSetCollector)
            .map_err(self.err())?
            .into_iter()
            .collect();
        addrs.sort();
        Ok(addrs)
    }

    /// Every current record, in store order (stable between commits), with its metadata.
    /// Errors in single documents are yielded, not fatal.
    pub fn records(&self) -> Result<impl Iterator<Item = Result<(Record, RecordMeta)>> + '_> {
        let searcher = self.reader.searcher();
        let addrs = self.addresses_of_kind(KIND_ARTICLE)?;
        Ok(addrs.into_iter().map(move |addr| {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            self.record_of(&doc)
        }))
    }

    /// Every current record sorted by id, with its metadata: the same store gives the same
    /// order whatever its segments (for export).
    ///
    /// The ids come from the index's terms, not from the stored documents, so a document the
    /// store cannot read (bit rot in a `.store` file) is one `Err` naming its id, and the
    /// iteration goes on with the others.
    pub fn records_by_id(&self) -> Result<impl Iterator<Item = Result<(Record, RecordMeta)>> + '_> {
        let searcher = self.reader.searcher();
        let keyed = self.keys_of_kind(KIND_ARTICLE)?;
        Ok(keyed.into_iter().map(move |(key, addr)| {
            let doc = self.read_doc(&searcher, &key, addr)?;
            self.record_of(&doc)
        }))
    }

    /// The quarantine: every input that failed, sorted by origin.
    pub fn failed(&self) -> Result<Vec<Failure>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for addr in self.addresses_of_kind(KIND_FAILED)? {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            let key = self.text_of(&doc, self.fields.key);
            let f: Failure = serde_json::from_str(self.text_of(&doc, self.fields.meta))
                .map_err(|e| self.corrupt(key, format!("failure: {e}")))?;
            out.push(f);
        }
        out.sort_by(|a, b| a.origin.cmp(&b.origin));
        Ok(out)
    }

    /// The raw bytes kept for a quarantined input, when any were kept.
    pub fn failed_bytes(&self, origin: &str) -> Result<Option<Vec<u8>>> {
        let key = failed_key(origin);
        Ok(self.doc_by_key(&key)?.and_then(|doc| {
            doc.get_first(self.fields.raw)
                .and_then(|v| v.as_bytes())
                .map(<[u8]>::to_vec)
        }))
    }

    /// Path of a state file (`state/NAME.json`), for callers that keep small state (feed
    /// polling) in the data directory through [`Store::save_state`] and [`Store::load_state`].
    fn state_path(&self, name: &str) -> PathBuf {
        state_file(&self.dir, name)
    }

    /// Writes a small JSON state file atomically (write to a temporary file, sync, rename).
    pub fn save_state<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let path = self.state_path(name);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent).map_err(|source| IndexError::Io {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let body = to_json_pretty(&path, value)?;
        write_atomic(&path, &body)
    }

    /// Reads a state file written by [`Store::save_state`]; `None` when there is none.
    pub fn load_state<T: for<'de> Deserialize<'de>>(&self, name: &str) -> Result<Option<T>> {
        let path = self.state_path(name);
        if !path.exists() {
            return Ok(None);
        }
        let bytes = fs_err::read(&path).map_err(|source| IndexError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| IndexError::Format {
                dir: self.dir.display().to_string(),
                message: format!("{}: {e}", path.display()),
            })
    }
}

impl Store {
    /// The payload of the last commit on disk; an error when it is there but does not read.
    pub(crate) fn committed_payload(&self) -> Result<CommitPayload> {
        let metas = self.index.load_metas().map_err(self.err())?;
        match metas.payload.as_deref().map(str::trim) {
            None | Some("") => Ok(CommitPayload::default()),
            // A payload that does not read would restart the story stage from nothing: an
            // error naming the file instead.
            Some(p) => serde_json::from_str(p).map_err(|e| IndexError::Corrupt {
                dir: self.dir.display().to_string(),
                key: "index/meta.json (commit payload)".into(),
                message: e.to_string(),
            }),
        }
    }

    /// The state saved under `name` by [`Writer::set_state`] with the last commit, when any.
    ///
    /// It is the state of exactly that commit: the file is written and synced before the
    /// commit that names it, so after a crash the store and this state agree.
    pub fn committed_state(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let payload = self.committed_payload()?;
        let Some(file) = payload.states.get(name) else {
            return Ok(None);
        };
        let path = self.dir.join("state").join(COMMIT_STATE_DIR).join(file);
        let io = |source| IndexError::Io {
            path: path.display().to_string(),
            source,
        };
        let gz = fs_err::read(&path).map_err(io)?;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .map_err(io)?;
        Ok(Some(out))
    }

    /// Every stored story (see [`Writer::put_story`]), most recently active first (stories
    /// without times last, then by id).
    pub fn stories(&self) -> Result<Vec<StorySummary>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for addr in self.addresses_of_kind(KIND_STORY)? {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            out.push(self.story_of(&doc)?);
        }
        out.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Every story alias ([`Writer::put_alias`]), sorted by `from`.
    pub fn story_aliases(&self) -> Result<Vec<StoryAlias>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for addr in self.addresses_of_kind(KIND_ALIAS)? {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            out.push(self.alias_of(&doc)?);
        }
        out.sort_by(|a, b| a.from.cmp(&b.from));
        Ok(out)
    }

    /// The id of the story `id` names now: `id` itself, or, when its story was merged into
    /// another, the surviving story's id (following later merges, at most [`MAX_ALIAS_HOPS`]).
    pub fn resolve_story(&self, id: &str) -> Result<String> {
        let mut id = id.to_string();
        for _ in 0..MAX_ALIAS_HOPS {
            match self.doc_by_key(&alias_key(&id))? {
                Some(doc) => {
                    let a = self.alias_of(&doc)?;
                    if a.into == id {
                        break;
                    }
                    id = a.into;
                }
                None => break,
            }
        }
        Ok(id)
    }

    /// Every id that names the same story as `id`: the story's id now first, then the ids
    /// merged into it (directly or through earlier merges), at most [`MAX_STORY_IDS`]. What
    /// `story:ID` searches for.
    pub fn story_ids(&self, id: &str) -> Result<Vec<String>> {
        let root = self.resolve_story(id)?;
        let searcher = self.reader.searcher();
        let mut out = vec![root];
        let mut next = 0;
        while next < out.len() && out.len() < MAX_STORY_IDS {
            let q = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.kind, KIND_ALIAS),
                        IndexRecordOption::Basic,
                    )) as Box<dyn tantivy::query::Query>,
                ),
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.story, &out[next].to_lowercase()),
                        IndexRecordOption::Basic,
                    )),
                ),
            ]);
            next += 1;
            let mut addrs: Vec<_> = searcher
                .search(&q, &tantivy::collector::DocSetCollector)
                .map_err(self.err())?
                .into_iter()
                .collect();
            addrs.sort();
            for addr in addrs {
                let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
                let a = self.alias_of(&doc)?;
                if out.len() < MAX_STORY_IDS && !out.contains(&a.from) {
                    out.push(a.from);
                }
            }
        }
        Ok(out)
    }

    fn alias_of(&self, doc: &TantivyDocument) -> Result<StoryAlias> {
        let key = self.text_of(doc, self.fields.key);
        serde_json::from_str(self.text_of(doc, self.fields.meta))
            .map_err(|e| self.corrupt(key, format!("story alias: {e}")))
    }

    /// One stored story by id.
    pub fn story(&self, id: &str) -> Result<Option<StorySummary>> {
        match self.doc_by_key(&story_key(id))? {
            Some(doc) => self.story_of(&doc).map(Some),
            None => Ok(None),
        }
    }

    fn story_of(&self, doc: &TantivyDocument) -> Result<StorySummary> {
        let key = self.text_of(doc, self.fields.key);
        serde_json::from_str(self.text_of(doc, self.fields.meta))
            .map_err(|e| self.corrupt(key, format!("story: {e}")))
    }
}

fn read_marker(dir: &Path) -> Result<Marker> {
    let marker_path = dir.join(MARKER);
    let bytes = fs_err::read(&marker_path).map_err(|source| IndexError::Io {
        path: marker_path.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| IndexError::Format {
        dir: dir.display().to_string(),
        message: format!("unreadable {MARKER}: {e}"),
    })
}

fn write_marker(dir: &Path) -> Result<()> {
    let body = serde_json::to_vec(&Marker { format: FORMAT }).unwrap_or_default();
    write_atomic(&dir.join(MARKER), &body)
}

/// True when `index_dir` holds a tantivy commit with documents (or a `meta.json` that cannot
/// be read, which may be one): such a directory is never deleted or recreated.
fn index_holds_data(index_dir: &Path) -> bool {
    let meta = index_dir.join("meta.json");
    let Ok(bytes) = fs_err::read(&meta) else {
        // No commit point: at most the files of a commit that never completed.
        return meta.exists();
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(v) => v["segments"].as_array().is_none_or(|s| !s.is_empty()),
        Err(_) => true,
    }
}

/// Reads a small JSON state file `DIR/state/NAME.json` written by [`save_state_in`]; `None`
/// when there is none. For callers that keep state in a data directory without opening the
/// store (the server's alerts).
pub fn load_state_in<T: for<'de> Deserialize<'de>>(dir: &Path, name: &str) -> Result<Option<T>> {
    let path = state_file(dir, name);
    if !path.exists() {
        return Ok(None);
    }
    let bytes = fs_err::read(&path).map_err(|source| IndexError::Io {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| IndexError::Format {
            dir: dir.display().to_string(),
            message: format!("{}: {e}", path.display()),
        })
}

/// Writes `DIR/state/NAME.json` crash-safely (temporary file, fsync, rename, fsync of the
/// folder): a crash leaves the old or the new content, whole. Creates `DIR/state` if needed.
pub fn save_state_in<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<()> {
    let path = state_file(dir, name);
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(|source| IndexError::Io {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let body = to_json_pretty(&path, value)?;
    write_atomic(&path, &body)
}

fn state_file(dir: &Path, name: &str) -> PathBuf {
    // Names are the callers' constants; anything else is flattened so no name leaves `state/`.
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join("state").join(format!("{safe}.json"))
}

/// Gzips `bytes` into `path` crash-safely.
pub(crate) fn story_key(id: &str) -> String {
    format!("story:{id}")
}

pub(crate) fn alias_key(id: &str) -> String {
    format!("alias:{id}")
}

pub(crate) fn failed_key(origin: &str) -> String {
    format!("failed:{origin}")
}

/// Writes `bytes` to `path` so that a crash leaves either the old or the new content.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut f = fs_err::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    fs_err::rename(&tmp, path).map_err(io)?;
    if let Some(parent) = path.parent()
        && let Ok(d) = fs_err::File::open(parent)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Now, RFC 3339 UTC to the second.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod old_store_tests {
    use super::*;
    use newsmill_core::{Block, BlockKind, Entity, EntityType};

    /// A store made before `entity_words`, `host` and the stemmed fields existed still opens,
    /// takes new records and answers as it did (whole entity names, exact words); its marker
    /// can still be repaired.
    #[test]
    fn a_store_without_the_fields_of_issue_23_keeps_working() {
        let dir = std::env::temp_dir().join(format!("nm-index-old23-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (current, _) = schema::build();
        let mut b = tantivy::schema::Schema::builder();
        for (_, entry) in current.fields() {
            if entry.name() == "entity_words" {
                break;
            }
            b.add_field(entry.clone());
        }
        let old = b.build();
        assert!(schema::is_newsmill_schema(&old));
        std::fs::create_dir_all(dir.join("index")).unwrap();
        std::fs::create_dir_all(dir.join("state")).unwrap();
        Index::create_in_dir(dir.join("index"), old).unwrap();
        write_marker(&dir).unwrap();

        let store = Store::create(&dir).unwrap();
        assert!(store.fields.entity_words.is_none() && store.fields.host.is_none());
        assert_eq!(store.fields.stem_fields().count(), 0);
        let mut r = Record {
            title: Some("Blackouts".into()),
            blocks: vec![Block::new(
                BlockKind::Paragraph,
                "Rolling blackouts, said Kim Jong Un.",
            )],
            canonical_url: Some("https://www.bbc.co.uk/a".into()),
            language: Some("en".into()),
            ..Record::default()
        };
        r.finish();
        r.entities.push(Entity {
            name: "Kim Jong Un".into(),
            kind: EntityType::Per,
            mentions: vec![],
            count: 0,
        });
        let mut w = store.writer().unwrap();
        w.put(&r, &PutInfo::default()).unwrap();
        w.commit().unwrap();
        drop(w);
        store.reload().unwrap();
        let n = |q: &str| store.search(&SearchRequest::new(q)).unwrap().total;
        assert_eq!(n("blackouts"), 1);
        assert_eq!(n("blackout"), 0, "no stemmed field in this store");
        assert_eq!(n("entity:\"kim jong un\""), 1);
        assert_eq!(n("lang:en"), 1);
        fs_err::remove_file(dir.join(MARKER)).unwrap();
        assert!(Store::repair_marker(&dir).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    // See: issue 23 (a corrupt commit payload silently restarted the stories from scratch).
    #[test]
    fn regression_23_a_commit_payload_that_does_not_read_is_an_error_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("nm-index-payload23-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::create(&dir).unwrap();
        let mut w = store.writer().unwrap();
        w.set_state("stories", b"{}".to_vec()).unwrap();
        w.commit().unwrap();
        drop(w);
        assert!(store.committed_state("stories").unwrap().is_some());
        // Garble the payload the way a bad write would.
        let mut writer: tantivy::IndexWriter<TantivyDocument> =
            store.index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload("{\"states\": {\"stories\": ");
        prepared.commit().unwrap();
        drop(writer);
        let store = Store::open(&dir).unwrap();
        let err = store.committed_state("stories").unwrap_err().to_string();
        assert!(err.contains("meta.json"), "{err}");
        assert!(
            store.writer().is_err(),
            "no writer starts over a payload it cannot read"
        );
        let v = store.verify().unwrap();
        assert!(v.problems.iter().any(|p| p.message.contains("meta.json")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
