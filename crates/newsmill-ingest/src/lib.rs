//! Ingest: every input newsmill reads, turned into raw documents.
//!
//! This is the only crate that reads inputs. [`read_sources`] takes what a user typed (paths,
//! directories, `-` for stdin, URLs) and yields one [`RawDoc`] per document, lazily and in
//! order, as an iterator of `Result<RawDoc, IngestError>`: a bad input is an `Err` naming it, and
//! the iterator goes on with the rest.
//!
//! What it reads:
//! - files and directories (every file inside, recursively, hidden ones skipped, sorted);
//! - standard input (`-`);
//! - WARC and WARC.gz archives ([`warc`], with `fastwarc`): `response`, `resource` and
//!   `conversion` records; truncated or malformed records are errors, the records before kept;
//! - RSS, Atom and JSON Feed ([`feed`], with `feed-rs`): one document per entry, from the entry's
//!   content when the feed is a local file, else by fetching the entry's link;
//! - sitemaps, sitemap indexes, gzipped and Google News sitemaps ([`sitemap`]): every listed page
//!   is fetched; nested sitemaps are followed to a depth of 4, loops are skipped;
//! - URLs and files listing URLs (one per line), through the polite [`fetch::Fetcher`].
//!
//! What it deliberately does not do: extraction (newsmill-extract), storage (newsmill-index).
//!
//! ```
//! use newsmill_ingest::{read_sources, IngestConfig};
//!
//! let dir = std::env::temp_dir().join(format!("newsmill-ingest-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("a.html"), "<html><title>A</title><p>Hello.</p></html>").unwrap();
//! std::fs::write(dir.join("b.txt"), "Title\n\nBody.").unwrap();
//! let sources = vec![dir.to_string_lossy().into_owned()];
//! let docs: Vec<_> = read_sources(&sources, IngestConfig::offline()).collect();
//! assert_eq!(docs.len(), 2);
//! assert!(docs.iter().all(|d| d.is_ok()));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub mod feed;
pub mod fetch;
pub mod jsonl;
pub mod sitemap;
pub mod warc;

use std::collections::{HashSet, VecDeque};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use newsmill_core::{InputHint, Origin, RawDoc};

use crate::feed::{FeedEntry, entry_html, parse_feed};
use crate::fetch::{BlockingFetcher, FetchConfig, FetchOutcome};
use crate::sitemap::{Sitemap, parse_sitemap};
use crate::warc::{WarcItem, WarcReader};

/// Why an input (or part of one) could not be read. Every variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Reading a file or stdin failed.
    #[error("{input}: {source}")]
    Io {
        /// The input.
        input: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A WARC record is truncated or malformed.
    #[error("{input}: {message}")]
    Warc {
        /// The file and record offset.
        input: String,
        /// What is wrong.
        message: String,
    },
    /// A feed does not parse.
    #[error("{input}: not a feed: {message}")]
    Feed {
        /// The feed.
        input: String,
        /// The parser's message.
        message: String,
    },
    /// A sitemap does not parse, or is skipped (nested too deep).
    #[error("{input}: {message}")]
    Sitemap {
        /// The sitemap.
        input: String,
        /// What is wrong.
        message: String,
    },
    /// An input is larger than the configured cap.
    #[error("{input}: larger than the {limit}-byte limit")]
    TooLarge {
        /// The input.
        input: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// A URL could not be fetched (network error, timeout, HTTP error, robots.txt).
    #[error("{url}: {message}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A URL could not be fetched now, for a reason that may pass: a timeout, a refused or
    /// reset connection, 429 or 5xx after the retries, an unreachable robots.txt. Trying again
    /// later may work (`ingest --follow` does).
    #[error("{url}: {message}")]
    Unavailable {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A line of a JSON Lines file of pages is not a page record.
    #[error("{input}: {message}")]
    Jsonl {
        /// The file and line (`FILE#LINE`).
        input: String,
        /// What is wrong.
        message: String,
    },
    /// A URL was given but fetching is turned off.
    #[error("{url}: fetching is turned off (offline)")]
    Offline {
        /// The URL.
        url: String,
    },
}

impl IngestError {
    pub(crate) fn io(input: impl Into<String>, source: io::Error) -> IngestError {
        IngestError::Io {
            input: input.into(),
            source,
        }
    }

    /// The input the error is about (a path, `-`, a URL or `FILE#OFFSET`).
    pub fn input(&self) -> &str {
        match self {
            IngestError::Io { input, .. }
            | IngestError::Warc { input, .. }
            | IngestError::Feed { input, .. }
            | IngestError::Sitemap { input, .. }
            | IngestError::Jsonl { input, .. }
            | IngestError::TooLarge { input, .. } => input,
            IngestError::Fetch { url, .. }
            | IngestError::Unavailable { url, .. }
            | IngestError::Offline { url } => url,
        }
    }

    /// True when trying again later may work ([`IngestError::Unavailable`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, IngestError::Unavailable { .. })
    }

    /// The message without the input prefix.
    pub fn reason(&self) -> String {
        let full = self.to_string();
        full.strip_prefix(self.input())
            .and_then(|m| m.strip_prefix(": "))
            .map(str::to_string)
            .unwrap_or(full)
    }
}

/// Result with [`IngestError`].
pub type Result<T, E = IngestError> = std::result::Result<T, E>;

/// How to read sources.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// How to read document files and stdin (HTML, text or auto).
    pub hint: InputHint,
    /// Largest file, WARC record or response to read, in bytes.
    pub max_bytes: u64,
    /// The fetcher's settings, or `None` to never touch the network (URLs are then errors).
    pub fetch: Option<FetchConfig>,
    /// Treat files as documents only: no WARC, feed, sitemap or URL-list detection.
    pub documents_only: bool,
}

impl IngestConfig {
    /// Reads local inputs only; URLs are errors.
    pub fn offline() -> IngestConfig {
        IngestConfig {
            hint: InputHint::Auto,
            max_bytes: DEFAULT_MAX_BYTES,
            fetch: None,
            documents_only: false,
        }
    }

    /// Reads local inputs and fetches URLs politely with `fetch`.
    pub fn online(fetch: FetchConfig) -> IngestConfig {
        IngestConfig {
            fetch: Some(fetch),
            ..IngestConfig::offline()
        }
    }
}

/// Default cap on one input: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;

/// How deep sitemap indexes are followed.
const MAX_SITEMAP_DEPTH: u32 = 4;

/// What a source looks like on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-`.
    Stdin,
    /// `http://...` or `https://...`.
    Url(String),
    /// Anything else: a file or a directory.
    Path(String),
}

impl Source {
    /// Classifies one command-line source.
    pub fn parse(s: &str) -> Source {
        if s == "-" {
            Source::Stdin
        } else if is_url(s) {
            Source::Url(s.to_string())
        } else {
            Source::Path(s.to_string())
        }
    }
}

fn is_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// What kind of content a file or response holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    /// A WARC archive.
    Warc,
    /// An RSS, Atom or JSON feed.
    Feed,
    /// A sitemap or sitemap index.
    Sitemap,
    /// A list of URLs, one per line.
    UrlList,
    /// Pages as JSON Lines, one `{"url", "html"}` object per line (a crawler's output).
    Jsonl,
    /// A document (HTML page or text).
    Document,
}

/// Decides what `bytes` (named `name`) hold, from the first bytes and the name.
pub fn classify(name: &str, bytes: &[u8]) -> ContentKind {
    if warc::looks_like_warc(name, bytes) {
        return ContentKind::Warc;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        if text.contains("jsonfeed.org") {
            return ContentKind::Feed;
        }
        if jsonl::looks_like_jsonl(name, bytes) {
            return ContentKind::Jsonl;
        }
        return ContentKind::Document;
    }
    if text.starts_with('<') {
        return match root_element(text).as_deref() {
            Some("rss" | "feed" | "rdf:RDF" | "RDF") => ContentKind::Feed,
            Some("urlset" | "sitemapindex") => ContentKind::Sitemap,
            _ => ContentKind::Document,
        };
    }
    if is_url_list(bytes) {
        return ContentKind::UrlList;
    }
    ContentKind::Document
}

/// The name of the first element, skipping the XML prolog, comments and doctype.
fn root_element(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = &r[r.find('>')? + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: String = r
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return (!name.is_empty()).then_some(name);
        } else {
            return None;
        }
    }
}

/// A list of URLs: every line (blank lines and `#` comments aside) is one word, and at least
/// half of them are http(s) URLs. The other lines are reported as bad lines when the list is
/// read (a `www.example.com/page` without its scheme), not taken for an article.
fn is_url_list(bytes: &[u8]) -> bool {
    if bytes.len() > 16 << 20 {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let (mut urls, mut lines) = (0, 0);
    for line in url_list_lines(text) {
        if line.contains(char::is_whitespace) {
            return false;
        }
        lines += 1;
        urls += usize::from(is_url(line));
    }
    urls > 0 && urls * 2 >= lines
}

/// The lines of a URL list that hold something: trimmed, without blank lines and comments.
fn url_list_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Counts of what a [`Reader`] saw besides documents and errors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// WARC records without a document (warcinfo, request, metadata, non-2xx responses).
    pub skipped: u64,
    /// URLs answered `304 Not Modified`.
    pub not_modified: u64,
    /// Files met while walking a directory that are not documents (JSON data that is neither
    /// pages nor a feed, Markdown and project notes, binaries, empty files): see
    /// [`not_a_document`]. A file named on the command line is always read.
    pub not_documents: u64,
    /// Page and sitemap URLs listed more than once in one run (a sitemap and its `.xml.gz`
    /// copy, two feeds naming the same article, a sitemap index that lists itself): each is
    /// fetched once, the repeats are counted here (not as failures).
    pub repeated_urls: u64,
}

/// Reads every document of a list of sources, in order. See [`read_sources`].
pub struct Reader {
    config: IngestConfig,
    tasks: VecDeque<Task>,
    warc: Option<WarcReader>,
    fetcher: Option<BlockingFetcher>,
    fetcher_error: Option<String>,
    seen_sitemaps: HashSet<String>,
    seen_pages: HashSet<String>,
    stats: ReadStats,
    /// Bytes of local files read whole, and of WARC files read to their end.
    bytes_done: u64,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("pending", &self.tasks.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// One unit of pending work.
#[derive(Debug)]
enum Task {
    Source(String),
    File(PathBuf),
    Doc(Box<RawDoc>),
    Url {
        url: String,
        want: Want,
        depth: u32,
    },
    /// An error to yield in its place in the order (a bad line of a URL list).
    Error(Box<IngestError>),
}

/// What a URL is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Whatever it turns out to be (a source given by the user).
    Any,
    /// An article page (from a feed, a sitemap or a URL list).
    Page,
    /// A sitemap (from a sitemap index).
    Sitemap,
}

/// Reads `sources` (paths, directories, `-`, URLs) lazily into raw documents.
///
/// Each item is one document or one error naming its input; the iterator continues after
/// errors. A WARC is streamed record by record; other files are read whole (up to
/// [`IngestConfig::max_bytes`]).
pub fn read_sources(sources: &[String], config: IngestConfig) -> Reader {
    Reader {
        config,
        tasks: sources.iter().cloned().map(Task::Source).collect(),
        warc: None,
        fetcher: None,
        fetcher_error: None,
        seen_sitemaps: HashSet::new(),
        seen_pages: HashSet::new(),
        stats: ReadStats::default(),
        bytes_done: 0,
    }
}

/// The size in bytes of every file `sources` name (directories walked), when they are all
/// local files; `None` when one is a URL or stdin (its size is not known before it is read).
/// With [`Reader::bytes_read`] it gives a progress bar its total.
pub fn local_size(sources: &[String]) -> Option<u64> {
    let mut total = 0u64;
    for s in sources {
        let Source::Path(p) = Source::parse(s) else {
            return None;
        };
        let path = PathBuf::from(&p);
        let files = if path.is_dir() {
            walk(&path).ok()?
        } else {
            vec![path]
        };
        for f in files {
            total += fs_err::metadata(&f).map_or(0, |m| m.len());
        }
    }
    Some(total)
}

impl Reader {
    /// What was skipped so far.
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Bytes of local files read so far (a WARC's as it is streamed), to set against
    /// [`local_size`] for progress.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_done + self.warc.as_ref().map_or(0, WarcReader::bytes_read)
    }

    fn fetcher(&mut self, url: &str) -> Result<&BlockingFetcher> {
        if self.fetcher.is_none() {
            let Some(config) = self.config.fetch.clone() else {
                return Err(IngestError::Offline { url: url.into() });
            };
            if let Some(message) = &self.fetcher_error {
                return Err(IngestError::Fetch {
                    url: url.into(),
                    message: message.clone(),
                });
            }
            match BlockingFetcher::new(config) {
                Ok(f) => self.fetcher = Some(f),
                Err(e) => {
                    self.fetcher_error = Some(e.reason());
                    return Err(e);
                }
            }
        }
        Ok(self.fetcher.as_ref().expect("set above"))
    }

    /// Runs one task; returns a document or error to yield, or `None` when the task only
    /// queued more work.
    fn run(&mut self, task: Task) -> Option<Result<RawDoc>> {
        match task {
            Task::Doc(doc) => Some(Ok(*doc)),
            Task::Error(e) => Some(Err(*e)),
            Task::Source(s) => match Source::parse(&s) {
                Source::Stdin => self.stdin(),
                Source::Url(url) => self.url(url, Want::Any, 0),
                Source::Path(p) => {
                    let path = PathBuf::from(&p);
                    if path.is_dir() {
                        match walk(&path) {
                            Ok(files) => {
                                for f in files.into_iter().rev() {
                                    self.tasks.push_front(Task::File(f));
                                }
                                None
                            }
                            Err(e) => Some(Err(IngestError::io(p, e))),
                        }
                    } else {
                        self.file(path, false)
                    }
                }
            },
            Task::File(path) => self.file(path, true),
            Task::Url { url, want, depth } => self.url(url, want, depth),
        }
    }

    fn stdin(&mut self) -> Option<Result<RawDoc>> {
        let mut bytes = Vec::new();
        let limit = self.config.max_bytes;
        if let Err(e) = io::stdin().lock().take(limit + 1).read_to_end(&mut bytes) {
            return Some(Err(IngestError::io("-", e)));
        }
        if bytes.len() as u64 > limit {
            return Some(Err(IngestError::TooLarge {
                input: "-".into(),
                limit,
            }));
        }
        self.bytes("-", Origin::Stdin, bytes)
    }

    /// Reads a file: a WARC is streamed, anything else read whole and dispatched on its
    /// content. A file met while walking a directory (`in_dir`) is skipped, and counted, when
    /// it is not a document ([`not_a_document`]); a file named by the user is always read.
    fn file(&mut self, path: PathBuf, in_dir: bool) -> Option<Result<RawDoc>> {
        let name = path.to_string_lossy().into_owned();
        if !self.config.documents_only && is_warc_file(&path) {
            match WarcReader::open(&name, self.config.max_bytes) {
                Ok(r) => self.warc = Some(r),
                Err(e) => return Some(Err(e)),
            }
            return None;
        }
        let limit = self.config.max_bytes;
        match fs_err::metadata(&path) {
            Ok(m) if m.len() > limit => {
                return Some(Err(IngestError::TooLarge { input: name, limit }));
            }
            Ok(_) => {}
            Err(e) => return Some(Err(IngestError::io(name, strip_path(e)))),
        }
        let bytes = match fs_err::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => return Some(Err(IngestError::io(name, strip_path(e)))),
        };
        self.bytes_done += bytes.len() as u64;
        if in_dir && !self.config.documents_only && skipped_in_dir(&name, &bytes) {
            self.stats.not_documents += 1;
            return None;
        }
        self.bytes(&name, Origin::Path(name.clone()), bytes)
    }

    /// Dispatches bytes read from a file or stdin on their content.
    fn bytes(&mut self, name: &str, origin: Origin, bytes: Vec<u8>) -> Option<Result<RawDoc>> {
        if self.config.documents_only {
            return Some(Ok(RawDoc::new(origin, self.config.hint, bytes)));
        }
        let kind = if bytes.starts_with(b"\x1f\x8b") {
            // A gzipped file that is not a WARC by name: look inside (a sitemap.xml.gz, a WARC
            // on stdin).
            let mut head = Vec::new();
            let _ = flate2::read::MultiGzDecoder::new(&bytes[..])
                .take(4096)
                .read_to_end(&mut head);
            match classify(name, &head) {
                ContentKind::Warc => ContentKind::Warc,
                ContentKind::Sitemap => ContentKind::Sitemap,
                _ => ContentKind::Document,
            }
        } else {
            classify(name, &bytes)
        };
        match kind {
            ContentKind::Warc => {
                self.warc = Some(WarcReader::from_bytes(name, bytes, self.config.max_bytes));
                None
            }
            ContentKind::Feed => match parse_feed(name, &bytes) {
                Ok(entries) => {
                    self.queue_entries(name, entries, true);
                    None
                }
                Err(e) => Some(Err(e)),
            },
            ContentKind::Sitemap => self.sitemap(name, &bytes, 0),
            ContentKind::UrlList => {
                let text = String::from_utf8_lossy(&bytes);
                let mut tasks = Vec::new();
                for (n, line) in text.lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    tasks.push(if is_url(line) {
                        Task::Url {
                            url: line.to_string(),
                            want: Want::Page,
                            depth: 0,
                        }
                    } else {
                        Task::Error(Box::new(IngestError::Fetch {
                            url: format!("{name}:{}", n + 1),
                            message: format!("not an http:// or https:// URL: {line:?}"),
                        }))
                    });
                }
                for t in tasks.into_iter().rev() {
                    self.tasks.push_front(t);
                }
                None
            }
            ContentKind::Jsonl => {
                for item in jsonl::read_jsonl(name, &bytes).into_iter().rev() {
                    self.tasks.push_front(match item {
                        Ok(doc) => Task::Doc(Box::new(doc)),
                        Err(e) => Task::Error(Box::new(e)),
                    });
                }
                None
            }
            ContentKind::Document => Some(Ok(RawDoc::new(origin, self.config.hint, bytes))),
        }
    }

    /// Queues a feed's entries: from their content when `local` and present, else by link.
    fn queue_entries(&mut self, name: &str, entries: Vec<FeedEntry>, local: bool) {
        let mut tasks = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let html = if local { entry_html(entry) } else { None };
            match (html, &entry.url) {
                (Some(html), _) => {
                    let mut doc = RawDoc::new(
                        Origin::Path(format!("{name}#{i}")),
                        InputHint::Html,
                        html.into_bytes(),
                    );
                    doc.url.clone_from(&entry.url);
                    doc.content_type = Some("text/html; charset=utf-8".into());
                    let text = if entry.summary_only {
                        "feed:summary"
                    } else {
                        "feed:content"
                    };
                    doc.provenance.insert("text".into(), text.into());
                    if !entry.authors.is_empty() {
                        doc.provenance.insert("byline".into(), "feed:author".into());
                    }
                    if entry.published.is_some() {
                        doc.provenance
                            .insert("published".into(), "feed:date".into());
                    }
                    tasks.push(Task::Doc(Box::new(doc)));
                }
                (None, Some(url)) => tasks.push(Task::Url {
                    url: url.clone(),
                    want: Want::Page,
                    depth: 0,
                }),
                (None, None) => {}
            }
        }
        for t in tasks.into_iter().rev() {
            self.tasks.push_front(t);
        }
    }

    fn sitemap(&mut self, name: &str, bytes: &[u8], depth: u32) -> Option<Result<RawDoc>> {
        match parse_sitemap(name, bytes) {
            Ok(Sitemap::Urls(urls)) => {
                for u in urls.into_iter().rev() {
                    self.tasks.push_front(Task::Url {
                        url: u.loc,
                        want: Want::Page,
                        depth,
                    });
                }
                None
            }
            Ok(Sitemap::Index(maps)) => {
                for m in maps.into_iter().rev() {
                    self.tasks.push_front(Task::Url {
                        url: m,
                        want: Want::Sitemap,
                        depth: depth + 1,
                    });
                }
                None
            }
            Err(e) => Some(Err(e)),
        }
    }

    fn url(&mut self, url: String, want: Want, depth: u32) -> Option<Result<RawDoc>> {
        if want == Want::Page && !self.seen_pages.insert(url.clone()) {
            self.stats.repeated_urls += 1;
            return None;
        }
        if want == Want::Sitemap {
            if depth > MAX_SITEMAP_DEPTH {
                return Some(Err(IngestError::Sitemap {
                    input: url,
                    message: format!("skipped: nested deeper than {MAX_SITEMAP_DEPTH} sitemaps"),
                }));
            }
            // Read already in this run (listed twice, or an index that lists itself): once.
            if !self.seen_sitemaps.insert(url.clone()) {
                self.stats.repeated_urls += 1;
                return None;
            }
        }
        let fetched = match self.fetcher(&url).and_then(|f| f.get(&url, None)) {
            Ok(FetchOutcome::Fetched(r)) => r,
            Ok(FetchOutcome::NotModified) => {
                self.stats.not_modified += 1;
                return None;
            }
            Err(e) => return Some(Err(e)),
        };
        let kind = match want {
            Want::Sitemap => ContentKind::Sitemap,
            Want::Page => ContentKind::Document,
            Want::Any => {
                let mut kind = classify(&fetched.final_url, &fetched.body);
                if fetched.body.starts_with(b"\x1f\x8b") {
                    kind = ContentKind::Sitemap;
                }
                kind
            }
        };
        match kind {
            ContentKind::Sitemap => {
                self.seen_sitemaps.insert(url.clone());
                self.sitemap(&url, &fetched.body, depth)
            }
            ContentKind::Feed => match parse_feed(&url, &fetched.body) {
                Ok(entries) => {
                    self.queue_entries(&url, entries, false);
                    None
                }
                Err(e) => Some(Err(e)),
            },
            ContentKind::Warc => {
                self.warc = Some(WarcReader::from_bytes(
                    &url,
                    fetched.body,
                    self.config.max_bytes,
                ));
                None
            }
            // A fetched JSON Lines file is a page of JSON like any other.
            ContentKind::UrlList | ContentKind::Jsonl | ContentKind::Document => {
                Some(Ok(fetched.into_raw_doc(&url)))
            }
        }
    }
}

impl Iterator for Reader {
    type Item = Result<RawDoc>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(w) = self.warc.as_mut() {
                match w.next() {
                    Some(Ok(WarcItem::Doc(doc))) => return Some(Ok(doc)),
                    Some(Ok(WarcItem::Skipped { .. })) => {
                        self.stats.skipped += 1;
                        continue;
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => {
                        self.bytes_done += self.warc.take().map_or(0, |w| w.bytes_read());
                    }
                }
            }
            let task = self.tasks.pop_front()?;
            if let Some(item) = self.run(task) {
                return Some(item);
            }
        }
    }
}

fn is_warc_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    if warc::looks_like_warc(&name, b"") {
        return true;
    }
    let Ok(mut f) = fs_err::File::open(path) else {
        return false;
    };
    let mut head = [0u8; 5];
    match f.read_exact(&mut head) {
        Ok(()) => &head == b"WARC/",
        Err(_) => false,
    }
}

/// fs-err already names the path, and errors are prefixed with it: keep only the OS reason.
fn strip_path(err: io::Error) -> io::Error {
    let kind = err.kind();
    let msg = match kind {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => return err,
    };
    io::Error::new(kind, msg)
}

/// Whether a file met in a directory is to be skipped: a gzipped file that holds no WARC or
/// sitemap, or a file [`classify`] takes for a document that [`not_a_document`] says is not.
fn skipped_in_dir(name: &str, bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\x1f\x8b") {
        let mut head = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(bytes)
            .take(4096)
            .read_to_end(&mut head);
        return !matches!(
            classify(name, &head),
            ContentKind::Warc | ContentKind::Sitemap
        );
    }
    classify(name, bytes) == ContentKind::Document && not_a_document(name, bytes).is_some()
}

/// Why a file found in a directory, which [`classify`] takes for a document, is not one to
/// read as an article; `None` when it is one (HTML, XHTML, plain text).
///
/// Sniffed from the content: JSON that is neither pages (JSON Lines) nor a feed, XML that is
/// not a page, feed or sitemap, binary data (NUL or control bytes, or the magic numbers of
/// PDF, images and archives), Markdown (headings with links, lists, code fences or tables),
/// and empty files. By name, only the notes a project keeps beside its data (`README`,
/// `LICENSE`, `CHANGELOG`, ... in any extension) and Markdown or source files by extension.
pub fn not_a_document(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(4096)];
    // UTF-16 pages hold NUL bytes; their byte order mark says so.
    let utf16 = head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff");
    const MAGIC: [&[u8]; 9] = [
        b"%PDF",
        b"\x89PNG",
        b"GIF8",
        b"\xff\xd8\xff",
        b"PK\x03\x04",
        b"\x7fELF",
        b"BZh",
        b"\xfd7zXZ",
        b"RIFF",
    ];
    if !utf16 && MAGIC.iter().any(|m| head.starts_with(m)) {
        return Some("binary data");
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if !utf16 && (head.contains(&0) || control * 100 > head.len()) {
        return Some("binary data");
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.is_empty() && !utf16 {
        return Some("empty file");
    }
    if text.starts_with('{') || text.starts_with('[') {
        return Some("JSON data");
    }
    if text.starts_with("<?xml") {
        let root = root_element(text);
        let page = root
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("html") || r.eq_ignore_ascii_case("article"));
        return (!page).then_some("XML data");
    }
    if text.starts_with('<') {
        return None;
    }
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = match file.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e.to_ascii_lowercase()),
        _ => (file, String::new()),
    };
    const NOTES: [&str; 9] = [
        "readme",
        "license",
        "licence",
        "copying",
        "notice",
        "changelog",
        "authors",
        "contributing",
        "citation",
    ];
    if NOTES.iter().any(|n| stem.eq_ignore_ascii_case(n)) {
        return Some("project notes");
    }
    const CODE: [&str; 16] = [
        "md", "markdown", "rst", "csv", "tsv", "yaml", "yml", "toml", "ini", "py", "rs", "js",
        "css", "sh", "sql", "log",
    ];
    if CODE.contains(&ext.as_str()) {
        return Some("data, code or notes (by extension)");
    }
    if looks_like_markdown(text) {
        return Some("Markdown");
    }
    None
}

/// Markdown: an ATX heading (`# Title`) together with another mark of the syntax (a
/// `[link](url)`, a code fence, a list or table line, or a second heading).
fn looks_like_markdown(text: &str) -> bool {
    let (mut headings, mut marks) = (0, 0);
    for line in text.lines() {
        let l = line.trim_start();
        if l.starts_with("# ") || l.starts_with("## ") || l.starts_with("### ") {
            headings += 1;
        }
        if l.starts_with("```") || l.starts_with("|---") || l.starts_with("| ---") {
            marks += 1;
        }
        if l.contains("](") {
            marks += 1;
        }
        if l.starts_with("- [") || l.starts_with("* ") || l.starts_with("1. ") {
            marks += 1;
        }
    }
    headings >= 2 || (headings >= 1 && marks >= 1)
}

/// Every regular file under `dir`, sorted, skipping hidden files and directories.
pub fn walk(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs_err::read_dir(&d)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("x", b"WARC/1.0\r\n"), ContentKind::Warc);
        assert_eq!(
            classify("x", b"<?xml version='1.0'?>\n<!-- c --><rss version='2.0'>"),
            ContentKind::Feed
        );
        assert_eq!(
            classify(
                "x",
                b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>"
            ),
            ContentKind::Feed
        );
        assert_eq!(
            classify("x", b"<?xml version='1.0'?><urlset>"),
            ContentKind::Sitemap
        );
        assert_eq!(
            classify("x", b"<!DOCTYPE html><html>"),
            ContentKind::Document
        );
        assert_eq!(
            classify("x", br#"{"version": "https://jsonfeed.org/version/1"}"#),
            ContentKind::Feed
        );
        assert_eq!(
            classify("x", b"# news\nhttps://a.example/1\n\nhttp://b.example/\n"),
            ContentKind::UrlList
        );
        assert_eq!(
            classify("x", b"https://a.example/1 is a link\n"),
            ContentKind::Document
        );
        assert_eq!(
            classify("x", b"https://a.example/1\nwww.example.com/no-scheme\n"),
            ContentKind::UrlList
        );
        assert_eq!(
            classify("x", b"Title\nwww.example.com/no-scheme\n"),
            ContentKind::Document,
            "no URL at all"
        );
        assert_eq!(classify("x", b"Title\n\nBody"), ContentKind::Document);
    }

    #[test]
    fn sources() {
        assert_eq!(Source::parse("-"), Source::Stdin);
        assert_eq!(
            Source::parse("HTTPS://a.example"),
            Source::Url("HTTPS://a.example".into())
        );
        assert_eq!(Source::parse("a/b"), Source::Path("a/b".into()));
    }

    // See: issue 24 (a list with one bad line was stored as one text record, nothing fetched).
    #[test]
    fn regression_24_a_url_list_with_a_bad_line_reads_its_urls_and_names_the_line() {
        let dir = std::env::temp_dir().join(format!("nm-ingest-urls-{}", std::process::id()));
        fs_err::create_dir_all(&dir).unwrap();
        let list = dir.join("urls.txt");
        fs_err::write(
            &list,
            "# today\nhttps://a.example/1\nwww.example.com/no-scheme\n\nhttp://b.example/2\nhttps://c.example/3\n",
        )
        .unwrap();
        let name = list.to_string_lossy().into_owned();
        let items: Vec<_> =
            read_sources(std::slice::from_ref(&name), IngestConfig::offline()).collect();
        let inputs: Vec<String> = items
            .iter()
            .map(|i| i.as_ref().unwrap_err().input().to_string())
            .collect();
        assert_eq!(
            inputs,
            [
                "https://a.example/1".to_string(),
                format!("{name}:3"),
                "http://b.example/2".into(),
                "https://c.example/3".into()
            ],
            "every URL is tried (offline here), the bad line is named, nothing is a document"
        );
        assert_eq!(
            items[1].as_ref().unwrap_err().reason(),
            "not an http:// or https:// URL: \"www.example.com/no-scheme\""
        );
        fs_err::remove_dir_all(&dir).unwrap();
    }

    // See: issue 23 (ground-truth JSON and a README of a folder became 790 "articles").
    #[test]
    fn regression_23_a_directory_reads_its_documents_and_counts_the_rest() {
        let dir = std::env::temp_dir().join(format!("nm-ingest-notdocs-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&dir);
        fs_err::create_dir_all(dir.join("sub")).unwrap();
        let page = "<!DOCTYPE html><html><body><p>Rain fell on the harbour.</p></body></html>";
        let files: [(&str, &[u8]); 11] = [
            ("a.html", page.as_bytes()),
            ("b.txt", b"Rain fell on the harbour all day on Tuesday."),
            // The page as JSON Lines: pages, read.
            (
                "pages.jsonl",
                b"{\"url\": \"https://a.example/1\", \"html\": \"<p>Rain.</p>\"}\n",
            ),
            // Not documents, whatever their names say.
            (
                "expectations.json",
                b"{\n \"pages\": [{\"file\": \"a.html\"}]\n}\n",
            ),
            ("data.txt", b"[1, 2, 3]"),
            (
                "notes",
                b"# Notes\n\nSee [the site](https://a.example) for more.\n",
            ),
            ("README.txt", b"These files were collected for tests."),
            ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
            ("empty.html", b"  \n"),
            (
                "sub/config.xml",
                b"<?xml version=\"1.0\"?><project><name>x</name></project>",
            ),
            (
                "sub/doc.xhtml",
                b"<?xml version=\"1.0\"?><html><body><p>Rain.</p></body></html>",
            ),
        ];
        for (name, bytes) in files {
            fs_err::write(dir.join(name), bytes).unwrap();
        }
        let source = dir.to_string_lossy().into_owned();
        let mut reader = read_sources(std::slice::from_ref(&source), IngestConfig::offline());
        let mut origins: Vec<String> = reader
            .by_ref()
            .map(|d| {
                let d = d.unwrap();
                let o = d.origin.to_string();
                o.strip_prefix(&source).unwrap_or(&o).to_string()
            })
            .collect();
        origins.sort();
        assert_eq!(origins.len(), 4, "{origins:?}");
        assert!(origins[0].ends_with("a.html") && origins[1].ends_with("b.txt"));
        assert!(origins[2].contains("pages.jsonl") && origins[3].ends_with("doc.xhtml"));
        assert_eq!(reader.stats().not_documents, 7);
        // Named on the command line, a file is read whatever it is.
        let named = dir.join("expectations.json").to_string_lossy().into_owned();
        let items: Vec<_> = read_sources(&[named], IngestConfig::offline()).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].is_ok());
        fs_err::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn not_a_document_sniffs_content() {
        assert_eq!(not_a_document("x", b"<html><p>a</p></html>"), None);
        assert_eq!(
            not_a_document("x.txt", "Plain words, \u{e9}t\u{e9}.".as_bytes()),
            None
        );
        // Legacy-encoded pages are not binary.
        assert_eq!(not_a_document("x", b"<p>caf\xe9 cr\xe8me</p>"), None);
        assert_eq!(not_a_document("x", b"\xff\xfe<\x00p\x00>\x00"), None);
        assert_eq!(not_a_document("x", b"%PDF-1.7\n"), Some("binary data"));
        assert_eq!(
            not_a_document("x", b"abc\x00\x01\x02def"),
            Some("binary data")
        );
        assert_eq!(not_a_document("x", b" [\"a\"]"), Some("JSON data"));
        assert_eq!(not_a_document("x", b"## One\n## Two\n"), Some("Markdown"));
        assert_eq!(
            not_a_document("dir/LICENSE", b"Permission is granted."),
            Some("project notes")
        );
        assert_eq!(
            not_a_document("a.md", b"Plain words."),
            Some("data, code or notes (by extension)")
        );
        // A story that mentions a hashtag is not Markdown.
        assert_eq!(not_a_document("x", b"Fans used #WorldCup all day.\n"), None);
    }

    #[test]
    fn urls_offline_are_errors_naming_the_url() {
        let items: Vec<_> =
            read_sources(&["https://a.example/x".into()], IngestConfig::offline()).collect();
        assert_eq!(items.len(), 1);
        let e = items[0].as_ref().unwrap_err();
        assert_eq!(e.input(), "https://a.example/x");
        assert_eq!(e.reason(), "fetching is turned off (offline)");
    }

    #[test]
    fn missing_file_is_an_error_and_the_rest_goes_on() {
        let dir = std::env::temp_dir().join(format!("nm-ingest-miss-{}", std::process::id()));
        fs_err::create_dir_all(&dir).unwrap();
        let ok = dir.join("ok.txt");
        fs_err::write(&ok, "Title\n\nBody text.").unwrap();
        let sources = vec![
            dir.join("nope.html").to_string_lossy().into_owned(),
            ok.to_string_lossy().into_owned(),
        ];
        let items: Vec<_> = read_sources(&sources, IngestConfig::offline()).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].as_ref().unwrap_err().reason(), "no such file");
        assert_eq!(items[1].as_ref().unwrap().bytes, b"Title\n\nBody text.");
        fs_err::remove_dir_all(&dir).unwrap();
    }
}
