//! `newsmill serve`: the HTTP API, the web pages and the alerts, over the store in `--data`.

use std::sync::Arc;

use anyhow::Context;
use newsmill_core::RawDoc;
use newsmill_serve::{AnalyzeError, Analyzer, IndexStore, ServeConfig};

use crate::ExitStatus;
use crate::args::{ServeArgs, env};
use crate::commands::ingest::{Pipeline, PipelineError};

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<ExitStatus> {
    let data = args.data.data.clone();
    // The store's errors name the data directory already.
    let store = IndexStore::open(&data).context("opening the store")?;
    let mut config = ServeConfig::new(&data);
    config.addr = args.addr;
    config.token = token(&args)?;
    config.webhooks = args.webhooks.clone();
    config.validate()?;
    // `POST /api/analyze` runs the pipeline `ingest` runs: the same stages, the same record.
    let pipeline = Pipeline::new(args.stages)?;
    let analyze: Analyzer = Arc::new(move |doc: &RawDoc| {
        pipeline.run(doc).map_err(|e| match e {
            PipelineError::Extract(e) => AnalyzeError::Unprocessable(e.to_string()),
            PipelineError::NlpPanicked { .. } => AnalyzeError::Failed(format!("nlp: {e}")),
        })
    });
    newsmill_serve::run_blocking(config, Arc::new(store), analyze, |addr| {
        eprintln!(
            "newsmill: serving {} at http://{addr}/ (API at /api/, OpenAPI at /api/openapi.json; Ctrl-C stops)",
            data.display()
        );
    })?;
    Ok(ExitStatus::Success)
}

/// The API token: the first line of `--token-file`, else `NEWSMILL_TOKEN`.
fn token(args: &ServeArgs) -> anyhow::Result<Option<String>> {
    if let Some(path) = &args.token_file {
        let text = fs_err::read_to_string(path)?;
        let t = text.lines().next().unwrap_or("").trim().to_string();
        anyhow::ensure!(!t.is_empty(), "{}: empty token file", path.display());
        return Ok(Some(t));
    }
    Ok(std::env::var(env::NEWSMILL_TOKEN)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}
