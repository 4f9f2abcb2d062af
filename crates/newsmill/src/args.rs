//! Command-line arguments (clap derive). Validation into typed configs happens in each command.

use clap::{Parser, Subcommand, ValueEnum};

/// newsmill turns raw news into clean, structured, deduplicated, searchable stories.
#[derive(Debug, Parser)]
#[command(name = "newsmill", version, about, long_about = None, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Turn articles (HTML pages or scraped text) into clean records, printed as JSON.
    Analyze(AnalyzeArgs),
    /// Tag gold-tokenized CoNLL text with named entities: each token line gets the predicted
    /// IOB2 tag appended as a last column.
    Ner(NerArgs),
    /// Read sources (files, directories, WARC, feeds, sitemaps, URLs) into the store.
    Ingest(IngestArgs),
    /// Search the store.
    Search(SearchArgs),
    /// Write every stored record out.
    Export(ExportArgs),
    /// Serve the store: an HTTP API, web pages and alerts.
    Serve(ServeArgs),
    /// Group articles into stories online and mark near-duplicates: reads JSON Lines
    /// {id, time, title, text} in time order, prints {id, story, duplicate_of} per line.
    Stories(StoriesArgs),
    /// Verify a store: every index file's checksum, every stored document, the committed
    /// state. Exits 0 when the store is whole, 1 when it found damage (each problem listed).
    Check(CheckArgs),
}

/// Arguments of `newsmill check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) data: DataArg,
    /// Write the store's marker (newsmill-store.json) again when it is missing or unreadable
    /// and `index/` opens as a newsmill index; nothing else is changed.
    #[arg(long)]
    pub(crate) repair: bool,
}

/// The exit codes, as `--help` lists them.
const EXIT_CODES: &str = "Exit codes:
  0  success
  1  some inputs failed (each reported; the others were processed), or `check` found damage
  2  usage error, or a fatal error (no store where one was named, a missing model)
  3  could not write: disk full or read-only, the store locked by another ingest, or the
     store damaged (missing marker, corrupt index or story state)";

/// Environment variables, declared once.
pub(crate) mod env {
    /// The data directory of the store (`--data`).
    pub(crate) const NEWSMILL_DATA: &str = "NEWSMILL_DATA";
    /// The API token of `newsmill serve` (required on a non-loopback `--addr`).
    pub(crate) const NEWSMILL_TOKEN: &str = "NEWSMILL_TOKEN";
}

/// The store's data directory, shared by ingest, search, export and serve.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DataArg {
    /// The data directory of the store.
    #[arg(long, value_name = "DIR", env = env::NEWSMILL_DATA, default_value = "newsmill-data")]
    pub(crate) data: std::path::PathBuf,
}

/// Arguments of `newsmill ingest`.
#[derive(Debug, clap::Args)]
pub(crate) struct IngestArgs {
    /// Files, directories, WARC files, feeds, sitemaps, files listing URLs, URLs, or `-`.
    #[arg(value_name = "SOURCE", required_unless_present = "failed")]
    pub(crate) sources: Vec<String>,
    #[command(flatten)]
    pub(crate) data: DataArg,
    /// List the quarantine (inputs that failed, with their errors) and exit.
    #[arg(long, conflicts_with = "sources")]
    pub(crate) failed: bool,
    /// How to read document files and stdin.
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    pub(crate) input: InputArg,
    /// Run the pipeline up to this stage only (`extract` skips NLP).
    #[arg(long, value_enum, default_value_t = Stages::All)]
    pub(crate) stages: Stages,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub(crate) threads: Option<usize>,
    /// Never use the network: URLs, and feed entries or sitemap pages to fetch, fail.
    #[arg(long)]
    pub(crate) offline: bool,
    /// Keep polling the given feed and sitemap URLs until stopped (state kept in the store).
    #[arg(long)]
    pub(crate) follow: bool,
    /// Seconds between two polls of one source (doubled while it does not change, up to 16
    /// times and to at most an hour, or to this interval when it is longer).
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub(crate) interval: u64,
    /// Seconds between two requests to one host.
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    pub(crate) per_host: f64,
    /// Timeout of one request, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub(crate) timeout: u64,
    /// User agent for fetching (and for robots.txt).
    #[arg(long)]
    pub(crate) user_agent: Option<String>,
    /// Commit to the store after this many writes (a crash loses at most that much work, which
    /// the next run redoes).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub(crate) commit_every: usize,
    /// Output format of `--failed` (default: lines on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
}

/// The filters `search` and `export` share, named as the HTTP API names them (`language`,
/// `site`, `entity`, `story`; `--from`/`--to` are the API's `from`/`to`).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Filters {
    /// Only records dated on or after this (YYYY-MM-DD or RFC 3339).
    #[arg(long, visible_alias = "from", value_name = "DATE")]
    pub(crate) since: Option<String>,
    /// Only records dated on or before this day (YYYY-MM-DD) or before this instant.
    #[arg(long, visible_alias = "to", value_name = "DATE")]
    pub(crate) until: Option<String>,
    /// Only records whose event time (when their main event happened) reaches into this day
    /// or later (YYYY-MM-DD or RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub(crate) event_since: Option<String>,
    /// Only records whose event time begins on or before this day (or before this instant).
    #[arg(long, value_name = "DATE")]
    pub(crate) event_until: Option<String>,
    /// Only records in this language (ISO 639-1, e.g. en).
    #[arg(long, visible_alias = "lang", value_name = "CODE")]
    pub(crate) language: Option<String>,
    /// Only records of this site, matched whole (e.g. bbc.co.uk).
    #[arg(long, value_name = "SITE")]
    pub(crate) site: Option<String>,
    /// Only records naming this entity, matched whole ("Vladimir Putin").
    #[arg(long, value_name = "NAME")]
    pub(crate) entity: Option<String>,
    /// Only records of this story.
    #[arg(long, value_name = "ID")]
    pub(crate) story: Option<String>,
}

impl Filters {
    /// A search request for `query` with these filters (the first 10 hits, no facets).
    pub(crate) fn request(&self, query: &str) -> newsmill_index::SearchRequest {
        newsmill_index::SearchRequest {
            query: query.to_string(),
            since: self.since.clone(),
            until: self.until.clone(),
            event_since: self.event_since.clone(),
            event_until: self.event_until.clone(),
            language: self.language.clone(),
            site: self.site.clone(),
            entity: self.entity.clone(),
            story: self.story.clone(),
            ..newsmill_index::SearchRequest::default()
        }
    }

    /// True when no filter is given.
    pub(crate) fn is_empty(&self) -> bool {
        self.since.is_none()
            && self.until.is_none()
            && self.event_since.is_none()
            && self.event_until.is_none()
            && self.language.is_none()
            && self.site.is_none()
            && self.entity.is_none()
            && self.story.is_none()
    }
}

/// Arguments of `newsmill search`.
#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    /// The query: words (matched in their other forms too: blackout finds blackouts),
    /// "phrases", AND/OR/NOT, field:value (entity:putin, entity:"Kim Jong Un",
    /// site:reuters.com, url:bbc, lang:de, speaker:..., quote:..., story:ID), or * for
    /// everything.
    #[arg(value_name = "QUERY")]
    pub(crate) query: String,
    #[command(flatten)]
    pub(crate) data: DataArg,
    #[command(flatten)]
    pub(crate) filters: Filters,
    /// Hits to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    pub(crate) limit: usize,
    /// Hits to skip (pagination).
    #[arg(long, default_value_t = 0)]
    pub(crate) offset: usize,
    /// Also count the top entities, sites, languages and matches per day.
    #[arg(long)]
    pub(crate) facets: bool,
    /// Output format. Default: a table on a terminal, else jsonl.
    #[arg(long, value_enum)]
    pub(crate) format: Option<SearchFormat>,
}

/// Output formats of `newsmill search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SearchFormat {
    /// Aligned columns for reading.
    Table,
    /// One JSON object: total, hits, facets.
    Json,
    /// One hit per line; facets, when asked for, as a last line `{"facets": ...}`.
    Jsonl,
    /// Hits as CSV with a header; facets, when asked for, as a second CSV block.
    Csv,
}

/// Arguments of `newsmill export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// Export only the records matching this query (the language of `newsmill search`);
    /// without it, and without filters, every record.
    #[arg(value_name = "QUERY")]
    pub(crate) query: Option<String>,
    #[command(flatten)]
    pub(crate) data: DataArg,
    #[command(flatten)]
    pub(crate) filters: Filters,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub(crate) format: ExportFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<std::path::PathBuf>,
}

/// Output formats of `newsmill export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// One record per line, as `analyze` prints them.
    Jsonl,
    /// Apache Parquet: one column per record field; strings and lists of strings as such,
    /// nested fields (blocks, entities, quotes, dates, removed, provenance) as JSON text.
    Parquet,
}

/// Arguments of `newsmill serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) data: DataArg,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) addr: std::net::SocketAddr,
    /// Stages run on records posted to the API (`extract` skips NLP).
    #[arg(long, value_enum, default_value_t = Stages::All)]
    pub(crate) stages: Stages,
    /// POST alert matches to this URL (repeatable).
    #[arg(long = "webhook", value_name = "URL")]
    pub(crate) webhooks: Vec<String>,
    /// Read the API token from the first line of FILE (else `NEWSMILL_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<std::path::PathBuf>,
}

/// Arguments of `newsmill stories`.
#[derive(Debug, clap::Args)]
pub(crate) struct StoriesArgs {
    /// JSON Lines file, or `-` for stdin. Default: stdin.
    #[arg(value_name = "PATH|-", conflicts_with = "data")]
    pub(crate) input: Option<String>,
    /// List the stories stored in this data directory by `newsmill ingest` (id, size, first
    /// and last seen, title) instead of reading articles.
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<std::path::PathBuf>,
    /// Output format of `--data` (default: a table on a terminal, jsonl otherwise).
    #[arg(long, value_enum, requires = "data")]
    pub(crate) format: Option<Format>,
    /// With `--data`: list at most this many stories (most recently active first).
    #[arg(long, short = 'n', requires = "data")]
    pub(crate) limit: Option<usize>,
    /// With `--data`: rebuild the story stage's state, and every stored record's `story` and
    /// `duplicate_of`, from the stored records, in the order they were stored (after the state
    /// was lost or damaged).
    #[arg(long, requires = "data", conflicts_with_all = ["format", "limit"])]
    pub(crate) rebuild: bool,
}

/// Arguments of `newsmill ner`.
#[derive(Debug, clap::Args)]
pub(crate) struct NerArgs {
    /// Read CoNLL column format: first column the token, blank lines between sentences,
    /// `-DOCSTART-` lines between documents (the only input format for now).
    #[arg(long, required = true)]
    pub(crate) conll: bool,
    /// The language of the text (ISO 639-1): which tagger reads it. Models: en, de, es, nl.
    #[arg(long, default_value = "en", value_name = "L")]
    pub(crate) lang: String,
    /// A CoNLL file, or `-` for stdin. Default: stdin.
    #[arg(value_name = "PATH|-")]
    pub(crate) input: Option<String>,
}

/// Arguments of `newsmill analyze`.
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// Files, directories (every file inside, recursively) or `-` for stdin. Default: stdin.
    #[arg(value_name = "PATH|-")]
    pub(crate) inputs: Vec<String>,
    /// Output format. Default: json for one input, jsonl for several.
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
    /// How to read each input.
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    pub(crate) input: InputArg,
    /// Run the pipeline up to this stage only (`extract` skips NLP).
    #[arg(long, value_enum, default_value_t = Stages::All)]
    pub(crate) stages: Stages,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub(crate) threads: Option<usize>,
    /// The address the input page was fetched from (a crawler's saved HTML): extraction reads
    /// it as ingest does (canonical URL, site, dates in the URL). One input only; documents
    /// that carry their own address (WARC records, a `url` field of JSON Lines) keep theirs.
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// Resolve relative dates ("yesterday", "last Friday") of records without a published
    /// time against this time (YYYY-MM-DD or RFC 3339); a record's own published time wins.
    #[arg(long, value_name = "TIME", value_parser = parse_reference_time)]
    pub(crate) reference_time: Option<newsmill_nlp::Reference>,
}

/// Reads `--reference-time`.
fn parse_reference_time(s: &str) -> Result<newsmill_nlp::Reference, String> {
    newsmill_nlp::Reference::parse(s, newsmill_nlp::DateAnchor::Reference)
        .map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// One pretty-printed JSON object per record.
    Json,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputArg {
    /// HTML pages.
    Html,
    /// Plain text.
    Text,
    /// Decide per input from its name and first bytes.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Stages {
    /// Extraction only: text and metadata, no NLP.
    Extract,
    /// Every stage.
    All,
}
