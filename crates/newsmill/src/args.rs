//! Command-line arguments (clap derive). Validation into typed configs happens in each command.

use clap::{Parser, Subcommand, ValueEnum};

/// newsmill turns raw news into clean, structured, deduplicated, searchable stories.
#[derive(Debug, Parser)]
#[command(name = "newsmill", version, about, long_about = None)]
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
    /// Serve the store: an HTTP API, web pages and alerts.
    Serve(ServeArgs),
    /// Group articles into stories online and mark near-duplicates: reads JSON Lines
    /// {id, time, title, text} in time order, prints {id, story, duplicate_of} per line.
    Stories(StoriesArgs),
}

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

/// Arguments of `newsmill stories`.
#[derive(Debug, clap::Args)]
pub(crate) struct StoriesArgs {
    /// JSON Lines file, or `-` for stdin. Default: stdin.
    #[arg(value_name = "PATH|-")]
    pub(crate) input: Option<String>,
}

/// Arguments of `newsmill ner`.
#[derive(Debug, clap::Args)]
pub(crate) struct NerArgs {
    /// Read CoNLL column format: first column the token, blank lines between sentences,
    /// `-DOCSTART-` lines between documents (the only input format for now).
    #[arg(long, required = true)]
    pub(crate) conll: bool,
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
