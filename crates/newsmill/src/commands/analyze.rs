//! `newsmill analyze`: inputs to records, one per input, in input order.

use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::Context;
use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_nlp::Nlp;
use rayon::prelude::*;

use crate::ExitStatus;
use crate::args::{AnalyzeArgs, Format, InputArg, Stages};
use crate::output::{report, write_value};

/// The validated form of [`AnalyzeArgs`].
struct Config {
    inputs: Vec<Input>,
    format: Format,
    hint: InputHint,
    stages: Stages,
}

/// One input to read: a file or stdin. Directories are expanded before this.
enum Input {
    Path(String),
    Stdin,
}

impl Input {
    fn name(&self) -> &str {
        match self {
            Input::Path(p) => p,
            Input::Stdin => "-",
        }
    }
}

pub(crate) fn run(args: AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    let mut errored = false;
    let config = validate(args, &mut errored);
    if let Some(n) = config.threads() {
        // Ignore the error: the global pool exists already only in tests that run twice.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let extract_config = ExtractConfig::default();
    let nlp = match config.stages {
        Stages::All => Some(Nlp::embedded().context("loading the embedded NER model")?),
        Stages::Extract => None,
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    // Process in chunks so output starts early and memory stays bounded on big directories,
    // while the order of records stays the order of inputs.
    for chunk in config.inputs.chunks(256) {
        let results: Vec<(String, anyhow::Result<Record>)> = chunk
            .par_iter()
            .map(|input| {
                (
                    input.name().to_string(),
                    analyze_one(input, config.hint, &extract_config, nlp.as_ref()),
                )
            })
            .collect();
        for (name, result) in results {
            match result {
                Ok(record) => {
                    write_value(&mut out, config.format, &record).context("writing to stdout")?
                }
                Err(err) => {
                    out.flush().context("writing to stdout")?;
                    report(&name, &format_args!("{err:#}"));
                    errored = true;
                }
            }
        }
    }
    out.flush().context("writing to stdout")?;
    Ok(if errored {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

impl Config {
    fn threads(&self) -> Option<usize> {
        None
    }
}

fn validate(args: AnalyzeArgs, errored: &mut bool) -> Config {
    let raw = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs
    };
    let mut inputs = Vec::new();
    for name in &raw {
        if name == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = Path::new(name);
        if path.is_dir() {
            match walk(path) {
                Ok(files) => inputs.extend(files.into_iter().map(Input::Path)),
                Err(err) => {
                    report(name, &err);
                    *errored = true;
                }
            }
        } else {
            inputs.push(Input::Path(name.clone()));
        }
    }
    if let Some(n) = args.threads {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let format = args.format.unwrap_or(
        if raw.len() == 1 && raw[0] != "-" && !Path::new(&raw[0]).is_dir() || raw == ["-"] {
            Format::Json
        } else {
            Format::Jsonl
        },
    );
    let hint = match args.input {
        InputArg::Html => InputHint::Html,
        InputArg::Text => InputHint::Text,
        InputArg::Auto => InputHint::Auto,
    };
    Config {
        inputs,
        format,
        hint,
        stages: args.stages,
    }
}

/// Every regular file under `dir`, sorted, skipping hidden files and directories.
fn walk(dir: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs_err::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn analyze_one(
    input: &Input,
    hint: InputHint,
    config: &ExtractConfig,
    nlp: Option<&Nlp>,
) -> anyhow::Result<Record> {
    let (origin, bytes) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("reading stdin")?;
            (Origin::Stdin, bytes)
        }
        Input::Path(p) => (
            Origin::Path(p.clone()),
            fs_err::read(p).map_err(strip_path)?,
        ),
    };
    let doc = RawDoc::new(origin, hint, bytes);
    let mut record = extract(&doc, config)
        .map_err(|e| anyhow::anyhow!(strip_origin(&e.to_string(), input.name())))?;
    if let Some(nlp) = nlp {
        newsmill_nlp::enrich(&mut record, nlp);
    }
    Ok(record)
}

/// fs-err already names the path; the report prefixes it too, so keep only the OS reason.
fn strip_path(err: io::Error) -> anyhow::Error {
    let kind = err.kind();
    let msg = match kind {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => err.to_string(),
    };
    anyhow::anyhow!(msg)
}

fn strip_origin(msg: &str, name: &str) -> String {
    msg.strip_prefix(name)
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(msg)
        .to_string()
}
