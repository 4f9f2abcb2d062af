//! `newsmill analyze`: inputs to records, one per input document, in input order.
//!
//! Inputs are read by newsmill-ingest (files, directories, stdin, URLs, and the records of a
//! WARC file); extraction and NLP run on all cores in batches bounded by count and bytes
//! ([`crate::batch`]), so output starts early and memory stays bounded, while records come out
//! in the order of the inputs.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use newsmill_core::{InputHint, RawDoc, Record};
use newsmill_ingest::fetch::FetchConfig;
use newsmill_ingest::{IngestConfig, IngestError, read_sources};
use newsmill_nlp::DatesConfig;
use newsmill_pipeline::Pipeline;
use rayon::prelude::*;

use crate::ExitStatus;
use crate::args::{AnalyzeArgs, Format, InputArg, Stages};
use crate::batch::{self, next_batch};
use crate::output::{ErrorGroups, report, write_value};

/// The validated form of [`AnalyzeArgs`].
struct Config {
    sources: Vec<String>,
    format: Format,
    hint: InputHint,
    stages: Stages,
    dates: DatesConfig,
    /// The address of the one input document (`--url`).
    url: Option<String>,
}

pub(crate) fn run(args: AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    let config = validate(args)?;
    let stages = match config.stages {
        Stages::All => newsmill_pipeline::Stages::All,
        Stages::Extract => newsmill_pipeline::Stages::Extract,
    };
    let pipeline =
        Pipeline::new(stages, config.dates).context("loading the embedded NLP models")?;
    let ingest = IngestConfig {
        hint: config.hint,
        // A WARC file yields its records and a feed its entries; other files are one article.
        documents_only: false,
        ..IngestConfig::online(FetchConfig::default())
    };
    let mut reader = read_sources(&config.sources, ingest);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut errored = false;
    let mut failures = ErrorGroups::default();
    loop {
        let chunk: Vec<Result<RawDoc, IngestError>> =
            next_batch(&mut reader, batch::MAX_DOCS, batch::MAX_BYTES, |d| {
                d.as_ref().map_or(0, |d| d.bytes.len())
            });
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Result<Record, (String, String)>> = chunk
            .into_par_iter()
            .map(|doc| match doc {
                Ok(mut doc) => {
                    if doc.url.is_none() {
                        doc.url.clone_from(&config.url);
                    }
                    pipeline
                        .run(&doc)
                        .map_err(|e| (e.origin().to_string(), e.reason()))
                }
                Err(err) => Err((err.input().to_string(), read_reason(&err))),
            })
            .collect();
        for result in results {
            match result {
                Ok(record) => {
                    write_value(&mut out, config.format, &record).context("writing to stdout")?
                }
                Err((input, reason)) => {
                    out.flush().context("writing to stdout")?;
                    if failures.note(&reason) {
                        report(&input, &reason);
                    }
                    errored = true;
                }
            }
        }
    }
    out.flush().context("writing to stdout")?;
    for line in failures.summary() {
        eprintln!("newsmill: analyze: {line}");
    }
    let skipped = reader.stats().not_documents;
    if skipped > 0 {
        let s = if skipped == 1 { "" } else { "s" };
        eprintln!(
            "newsmill: analyze: {skipped} file{s} in directories skipped as not documents (JSON data, Markdown, notes, binaries)"
        );
    }
    Ok(if errored {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn validate(args: AnalyzeArgs) -> anyhow::Result<Config> {
    if let Some(n) = args.threads {
        // Ignore the error: the global pool can only be built once per process.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let sources = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs
    };
    // JSON for one input document, JSON Lines when several may come out.
    let single = sources.len() == 1 && !expands(&sources[0]);
    let format = args
        .format
        .unwrap_or(if single { Format::Json } else { Format::Jsonl });
    let hint = match args.input {
        InputArg::Html => InputHint::Html,
        InputArg::Text => InputHint::Text,
        InputArg::Auto => InputHint::Auto,
    };
    if args.url.is_some() && !single {
        anyhow::bail!("--url gives the address of one input document, not of several");
    }
    Ok(Config {
        sources,
        format,
        hint,
        stages: args.stages,
        dates: DatesConfig {
            reference: args.reference_time,
        },
        url: args.url,
    })
}

/// True when one source may yield several documents: a directory, a WARC file, a feed or
/// JSON Lines of pages.
fn expands(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    Path::new(source).is_dir()
        || [
            ".warc", ".warc.gz", ".rss", ".atom", ".xml", ".jsonl", ".ndjson",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// A short reason for a read error: the OS's words for common file errors, else ingest's.
fn read_reason(err: &IngestError) -> String {
    match err {
        IngestError::Io { source, .. } => match source.kind() {
            io::ErrorKind::NotFound => "no such file".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => source.to_string(),
        },
        other => other.reason(),
    }
}
