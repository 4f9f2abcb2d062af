//! `newsmill check`: verify a store, and restore a lost marker with `--repair`.
//!
//! Checks the checksum of every index file of the last commit, reads and decodes every stored
//! document (records with their metadata, the quarantine, story summaries), reads the state
//! files the commit names and loads the story stage's state as `ingest` would. Each problem is
//! reported as `newsmill: check: DIR: KEY: message` (KEY is the document's key, or `-` for a
//! file); the exit code is 0 for a whole store and 1 when anything is damaged. Damaged
//! records are still exported by `newsmill export` (which reports them and goes on), and a
//! damaged story state is made again by `newsmill stories --rebuild`.

use anyhow::Context;
use newsmill_index::Store;

use crate::ExitStatus;
use crate::args::CheckArgs;
use crate::commands::ingest::{STATE, StoryStage};

pub(crate) fn run(args: CheckArgs) -> anyhow::Result<ExitStatus> {
    let data = &args.data.data;
    let name = data.display().to_string();
    if args.repair
        && Store::repair_marker(data).with_context(|| format!("{name}: repairing the marker"))?
    {
        eprintln!(
            "newsmill: check: {name}: the store marker was missing or unreadable; index/ opens as a newsmill index, so the marker was written again"
        );
    }
    let store = Store::open(data)?;
    let v = store
        .verify()
        .with_context(|| format!("{name}: verifying the store"))?;
    let mut problems: Vec<(String, String)> = v
        .problems
        .into_iter()
        .map(|p| (p.key.unwrap_or_else(|| "-".into()), p.message))
        .collect();
    if let Err(e) = StoryStage::load(&store) {
        // Said once, with the way out.
        problems.retain(|(_, m)| !m.starts_with(&format!("state {:?}", STATE)));
        problems.push(("-".into(), format!("{e:#}")));
    }
    for (key, message) in &problems {
        let message = message
            .strip_prefix(&format!("{name}: "))
            .unwrap_or(message);
        eprintln!("newsmill: check: {name}: {key}: {message}");
    }
    let stats = store.stats().unwrap_or_default();
    eprintln!(
        "newsmill: check: {name}: {} documents ({} articles, {} versions, {} failed inputs, {} stories), {} readable, {} problems",
        v.documents,
        stats.articles,
        stats.versions,
        stats.failed,
        stats.stories,
        v.readable,
        problems.len()
    );
    Ok(if problems.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
