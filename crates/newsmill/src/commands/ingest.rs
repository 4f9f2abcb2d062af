//! `newsmill ingest`: sources to stored, searchable records.
//!
//! Reading is sequential (newsmill-ingest's iterator); extraction and NLP run on all cores in
//! batches (rayon); the single store writer takes the results in input order and commits every
//! `--commit-every` writes, so a crash loses at most one batch of work, which the next run
//! redoes (the store's keys make that idempotent).

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use newsmill_core::{InputHint, RawDoc, Record};
use newsmill_index::{ContentHash, Failure, PutInfo, PutOutcome, Store, Writer};
use newsmill_ingest::fetch::{DEFAULT_USER_AGENT, FetchConfig};
use newsmill_ingest::{IngestConfig, IngestError, read_sources};
use rayon::prelude::*;

use crate::ExitStatus;
use crate::args::{Format, IngestArgs, InputArg, Stages};
use crate::batch::next_batch;
use crate::output::{ErrorGroups, report, write_value};

mod follow;
mod story;

pub(crate) use story::{STATE, StoryStage};

pub(crate) use crate::batch::{MAX_BYTES as BATCH_BYTES, MAX_DOCS as BATCH_DOCS};
/// Raw bytes kept in the quarantine per failed input, at most.
const QUARANTINE_BYTES: usize = 8 << 20;

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counts {
    pub(crate) read: u64,
    pub(crate) stored: u64,
    pub(crate) versions: u64,
    pub(crate) unchanged: u64,
    pub(crate) failed: u64,
    /// Stored records marked as near-duplicates of an earlier one.
    pub(crate) duplicates: u64,
    /// Stored records that started a new story.
    pub(crate) new_stories: u64,
}

impl Counts {
    /// What was counted since `before` (a snapshot of the same counts).
    pub(crate) fn since(&self, before: &Counts) -> Counts {
        Counts {
            read: self.read - before.read,
            stored: self.stored - before.stored,
            versions: self.versions - before.versions,
            unchanged: self.unchanged - before.unchanged,
            failed: self.failed - before.failed,
            duplicates: self.duplicates - before.duplicates,
            new_stories: self.new_stories - before.new_stories,
        }
    }

    pub(crate) fn summary(&self) -> String {
        format!(
            "read {}, stored {}, unchanged {}, failed {}{}",
            self.read,
            self.stored + self.versions,
            self.unchanged,
            self.failed,
            if self.versions > 0 {
                format!(" ({} of the stored are new versions)", self.versions)
            } else {
                String::new()
            }
        )
    }

    /// The story stage's line: new stories and near-duplicates among the stored records.
    fn stories_summary(&self) -> String {
        format!(
            "{} new stories, {} near-duplicates marked",
            self.new_stories, self.duplicates
        )
    }
}

/// Why the pipeline made no record of a document.
pub(crate) use newsmill_pipeline::StageError as PipelineError;

/// The stages after reading, shared by every worker: newsmill-pipeline's, which the Python
/// wheel runs too.
pub(crate) struct Pipeline(newsmill_pipeline::Pipeline);

impl Pipeline {
    pub(crate) fn new(stages: Stages) -> anyhow::Result<Pipeline> {
        let stages = match stages {
            Stages::Extract => newsmill_pipeline::Stages::Extract,
            Stages::All => newsmill_pipeline::Stages::All,
        };
        Ok(Pipeline(
            newsmill_pipeline::Pipeline::new(stages, Default::default())
                .context("loading the NLP model")?,
        ))
    }

    /// One document to its record, or why it gave none.
    pub(crate) fn run(&self, doc: &RawDoc) -> Result<Record, PipelineError> {
        self.0.run(doc)
    }
}

/// One processed input: a record to store, or a failure to quarantine.
enum Outcome {
    Record(Box<Record>, PutInfo, Box<newsmill_stories::Prepared>),
    /// Read, then a stage failed: its raw bytes are kept (when small).
    Failed(Failure, Option<Vec<u8>>),
    /// Could not be read at all (a fetch, a file, a WARC record): it never counts as read.
    Unread(Failure),
}

pub(crate) fn run(args: IngestArgs) -> anyhow::Result<ExitStatus> {
    if args.failed {
        return list_failed(&args);
    }
    if let Some(n) = args.threads {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let data = &args.data.data;
    // The store's errors name the data directory.
    let store = Store::create(data)?;
    let pipeline = Pipeline::new(args.stages)?;
    let config = ingest_config(&args);
    if args.follow {
        return follow::run(&args, &store, &pipeline, config);
    }
    // As many indexing threads as workers: `-j 1` indexes on one (and holds one indexing heap).
    let mut writer = store.writer_with_threads(rayon::current_num_threads())?;
    let mut stage = StoryStage::load(&store)?;
    // Local files have a size to set progress against (and an ETA); URLs and stdin do not.
    let total = newsmill_ingest::local_size(&args.sources);
    let progress = Progress::with_total(total);
    let mut counts = Counts::default();
    let mut reader = read_sources(&args.sources, config);
    // Extraction, NLP and the story stage's `prepare` of the next batch run on the rayon pool
    // while a thread of their own stores the batch before (stories in input order, the index
    // writer): the cores no longer wait for the single writer. The rendezvous channel holds no
    // batch of its own, so at most two batches are in memory (one computed, one stored).
    let preparer = stage.preparer();
    std::thread::scope(|s| -> anyhow::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Outcome>>(0);
        let (writer, stage, counts, progress) = (&mut writer, &mut stage, &mut counts, &progress);
        let storing = s.spawn(move || -> anyhow::Result<()> {
            for outcomes in rx {
                store_outcomes(outcomes, writer, stage, counts, progress, args.commit_every)?;
            }
            Ok(())
        });
        loop {
            let before = reader.bytes_read();
            let batch: Vec<Result<RawDoc, IngestError>> =
                next_batch(&mut reader, BATCH_DOCS, BATCH_BYTES, |d| {
                    d.as_ref().map_or(0, |d| d.bytes.len())
                });
            // The batch's bytes count as done as its documents are.
            progress.batch(before, reader.bytes_read(), batch.len());
            if batch.is_empty() {
                break;
            }
            let outcomes = compute(batch, &pipeline, progress, &|r, f| preparer.prepare(r, f));
            // The storing thread hangs up only on an error, which it returns below.
            if tx.send(outcomes).is_err() {
                break;
            }
        }
        drop(tx);
        storing
            .join()
            .map_err(|_| anyhow::anyhow!("the storing thread panicked"))?
    })?;
    stage.commit(&mut writer)?;
    writer.close().context("closing the store")?;
    progress.finish();
    let extra = skipped_summary(reader.stats());
    eprintln!("newsmill: ingest: stories: {}", counts.stories_summary());
    eprintln!("newsmill: ingest: {}{extra}", counts.summary());
    Ok(if counts.failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// What the reader passed over, for the closing line: `; 3 WARC records without a document
/// skipped; 2 files skipped as not documents`, or nothing.
pub(crate) fn skipped_summary(stats: newsmill_ingest::ReadStats) -> String {
    let mut out = String::new();
    if stats.skipped > 0 {
        out.push_str(&format!(
            "; {} WARC records without a document skipped",
            stats.skipped
        ));
    }
    if stats.repeated_urls > 0 {
        let n = stats.repeated_urls;
        let s = if n == 1 { "" } else { "s" };
        out.push_str(&format!("; {n} URL{s} listed again read once"));
    }
    if stats.not_documents > 0 {
        let n = stats.not_documents;
        let s = if n == 1 { "" } else { "s" };
        out.push_str(&format!(
            "; {n} file{s} in directories skipped as not documents (JSON data, Markdown, notes, binaries)"
        ));
    }
    out
}

pub(crate) fn ingest_config(args: &IngestArgs) -> IngestConfig {
    let hint = match args.input {
        InputArg::Html => InputHint::Html,
        InputArg::Text => InputHint::Text,
        InputArg::Auto => InputHint::Auto,
    };
    let fetch = (!args.offline).then(|| FetchConfig {
        user_agent: args
            .user_agent
            .clone()
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
        per_host_interval: Duration::from_secs_f64(args.per_host.max(0.0)),
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..FetchConfig::default()
    });
    IngestConfig {
        hint,
        fetch,
        ..IngestConfig::offline()
    }
}

/// Extracts a batch on all cores, then runs the story stage and stores it in input order.
pub(crate) fn process(
    batch: Vec<Result<RawDoc, IngestError>>,
    pipeline: &Pipeline,
    writer: &mut Writer<'_>,
    stage: &mut StoryStage,
    counts: &mut Counts,
    progress: &Progress,
    commit_every: usize,
) -> anyhow::Result<()> {
    let outcomes = compute(batch, pipeline, progress, &|r, f| stage.prepare(r, f));
    store_outcomes(outcomes, writer, stage, counts, progress, commit_every)
}

/// Extracts a batch on all cores and prepares each record for the story stage.
fn compute(
    batch: Vec<Result<RawDoc, IngestError>>,
    pipeline: &Pipeline,
    progress: &Progress,
    prepare: &(dyn Fn(&Record, Option<&str>) -> newsmill_stories::Prepared + Sync),
) -> Vec<Outcome> {
    batch
        .into_par_iter()
        .map(|item| match item {
            Ok(doc) => {
                let result = pipeline.run(&doc);
                progress.doc_done();
                match result {
                    Ok(record) => {
                        let prepared = prepare(&record, doc.fetched_at.as_deref());
                        Outcome::Record(
                            Box::new(record),
                            PutInfo {
                                fetched_at: doc.fetched_at.clone(),
                            },
                            Box::new(prepared),
                        )
                    }
                    Err(e) => {
                        let raw = (doc.bytes.len() <= QUARANTINE_BYTES).then_some(doc.bytes);
                        Outcome::Failed(
                            Failure {
                                origin: doc.origin.to_string(),
                                stage: e.stage().into(),
                                error: e.reason(),
                                at: now(),
                                bytes: raw.as_ref().map_or(0, Vec::len),
                            },
                            raw,
                        )
                    }
                }
            }
            Err(e) => Outcome::Unread(Failure {
                origin: e.input().to_string(),
                stage: "ingest".into(),
                error: e.reason(),
                at: now(),
                bytes: 0,
            }),
        })
        .collect()
}

/// Runs the story stage over computed outcomes and stores them, in input order.
fn store_outcomes(
    outcomes: Vec<Outcome>,
    writer: &mut Writer<'_>,
    stage: &mut StoryStage,
    counts: &mut Counts,
    progress: &Progress,
    commit_every: usize,
) -> anyhow::Result<()> {
    for outcome in outcomes {
        match outcome {
            Outcome::Record(mut record, info, prepared) => {
                counts.read += 1;
                // Hashed once for the check and the put: the story stage between them changes
                // only fields the hash leaves out.
                let hash = ContentHash::of(&record);
                let check = writer
                    .check_hashed(&record, &hash)
                    .with_context(|| format!("storing {}", record.origin))?;
                if check == PutOutcome::Unchanged {
                    // Stored already (by an earlier run): the stage has seen it.
                    counts.unchanged += 1;
                } else {
                    let (stories, dups) = (stage.new_stories, stage.duplicates);
                    stage.assign(&mut record, info.fetched_at.as_deref(), *prepared);
                    counts.new_stories += stage.new_stories - stories;
                    counts.duplicates += stage.duplicates - dups;
                    match writer
                        .put_hashed(&record, &info, hash)
                        .with_context(|| format!("storing {}", record.origin))?
                    {
                        PutOutcome::Stored => counts.stored += 1,
                        PutOutcome::NewVersion => counts.versions += 1,
                        PutOutcome::Unchanged => counts.unchanged += 1,
                    }
                }
            }
            Outcome::Failed(failure, raw) => {
                counts.read += 1;
                counts.failed += 1;
                progress.failed(&failure.origin, &failure.error);
                writer
                    .quarantine(&failure, raw.as_deref())
                    .with_context(|| format!("quarantining {}", failure.origin))?;
            }
            Outcome::Unread(failure) => {
                let raw: Option<Vec<u8>> = None;
                counts.failed += 1;
                progress.failed(&failure.origin, &failure.error);
                writer
                    .quarantine(&failure, raw.as_deref())
                    .with_context(|| format!("quarantining {}", failure.origin))?;
            }
        }
        progress.set(counts);
        if writer.uncommitted() >= commit_every.max(1) {
            stage.commit(writer)?;
        }
    }
    Ok(())
}

fn now() -> String {
    // The store formats its own times; failures carry theirs from here.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_rfc3339(secs)
}

/// Formats UTC seconds as RFC 3339 (`2024-06-19T10:00:00Z`), with chrono.
fn format_rfc3339(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn list_failed(args: &IngestArgs) -> anyhow::Result<ExitStatus> {
    let data = &args.data.data;
    let store = Store::open(data)?;
    let failed = store.failed()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.format {
        Some(format) => {
            for f in &failed {
                write_value(&mut out, format, f).context("writing to stdout")?;
            }
        }
        None if !io::stdout().is_terminal() => {
            for f in &failed {
                write_value(&mut out, Format::Jsonl, f).context("writing to stdout")?;
            }
        }
        None => {
            for f in &failed {
                writeln!(out, "{}\t{}\t{}: {}", f.at, f.origin, f.stage, f.error)
                    .context("writing to stdout")?;
            }
        }
    }
    out.flush().context("writing to stdout")?;
    eprintln!(
        "newsmill: ingest: {} failed inputs in quarantine",
        failed.len()
    );
    Ok(ExitStatus::Success)
}

/// A progress bar on a terminal, nothing otherwise; and the failures, grouped by reason.
pub(crate) struct Progress(
    Option<ProgressBar>,
    std::sync::Mutex<ErrorGroups>,
    std::time::Instant,
    /// The batch in hand: its first and last byte of input, its documents, those done; then
    /// the documents done in all, and the last counts' summary.
    std::sync::Mutex<([u64; 4], u64, String)>,
);

/// The progress line's template: a bar with its ETA when the total bytes are known (local
/// files), else a spinner.
fn progress_template(total_known: bool) -> &'static str {
    if total_known {
        "{spinner} {elapsed} [{bar:24}] {percent}% of {total_bytes}, ETA {eta} · {msg}"
    } else {
        "{spinner} {elapsed} {msg}"
    }
}

fn join_message(rate: &str, summary: &str) -> String {
    if summary.is_empty() {
        rate.to_string()
    } else {
        format!("{rate}; {summary}")
    }
}

/// "1204 docs, 52 docs/s": whole numbers (indicatif's `{per_sec}` printed "51.6918/s").
fn rate_message(docs: u64, secs: f64) -> String {
    let rate = if secs > 0.0 { docs as f64 / secs } else { 0.0 };
    let rate = if rate >= 10.0 || rate == 0.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.1}")
    };
    format!("{docs} docs, {rate} docs/s")
}

impl Progress {
    /// A spinner (no total known).
    pub(crate) fn new() -> Progress {
        Progress::with_total(None)
    }

    /// A bar over `total` bytes with an ETA when the total is known, else a spinner.
    pub(crate) fn with_total(total: Option<u64>) -> Progress {
        let start = std::time::Instant::now();
        if !io::stderr().is_terminal() {
            return Progress(None, Default::default(), start, Default::default());
        }
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::new_spinner(),
        };
        bar.set_style(
            ProgressStyle::with_template(progress_template(total.is_some()))
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress(Some(bar), Default::default(), start, Default::default())
    }

    /// A batch of `docs` documents read from input bytes `from..to`: the bar moves through
    /// them as the documents are processed.
    pub(crate) fn batch(&self, from: u64, to: u64, docs: usize) {
        self.3.lock().unwrap_or_else(|e| e.into_inner()).0 = [from, to, docs as u64, 0];
        self.position(from);
    }

    /// One more document of the batch went through the pipeline (called from its workers).
    pub(crate) fn doc_done(&self) {
        if self.0.is_none() {
            return;
        }
        let (at, message) = {
            let mut state = self.3.lock().unwrap_or_else(|e| e.into_inner());
            let [from, to, docs, done] = &mut state.0;
            *done = (*done + 1).min(*docs);
            let at = *from + (*to - *from) * *done / (*docs).max(1);
            state.1 += 1;
            let docs = rate_message(state.1, self.2.elapsed().as_secs_f64());
            (at, join_message(&docs, &state.2))
        };
        self.position(at);
        if let Some(b) = &self.0 {
            b.set_message(message);
        }
    }

    fn position(&self, at: u64) {
        if let Some(b) = &self.0
            && let Some(len) = b.length()
        {
            b.set_position(at.min(len));
        }
    }

    /// Reports a failed input, unless several failed the same way already (see
    /// [`ErrorGroups`]); those are summed up by [`Progress::finish`].
    pub(crate) fn failed(&self, origin: &str, reason: &str) {
        let shown = self
            .1
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .note(reason);
        if shown {
            self.suspend(|| report(origin, &reason));
        }
    }

    /// Prints the grouped failures not reported one by one, and forgets them.
    pub(crate) fn flush_failures(&self, command: &str) {
        let groups = std::mem::take(&mut *self.1.lock().unwrap_or_else(|e| e.into_inner()));
        for line in groups.summary() {
            self.suspend(|| eprintln!("newsmill: {command}: {line}"));
        }
    }

    fn set(&self, counts: &Counts) {
        if let Some(b) = &self.0 {
            let mut state = self.3.lock().unwrap_or_else(|e| e.into_inner());
            state.2 = counts.summary();
            let docs = rate_message(state.1, self.2.elapsed().as_secs_f64());
            b.set_message(join_message(&docs, &state.2));
        }
    }

    fn suspend<F: FnOnce()>(&self, f: F) {
        match &self.0 {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
        self.flush_failures("ingest");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 23 (the spinner showed "51.6918/s", no total and no ETA).
    #[test]
    fn regression_23_progress_has_a_total_and_eta_when_known_and_whole_rates() {
        assert!(progress_template(true).contains("{eta}"));
        assert!(progress_template(true).contains("{total_bytes}"));
        assert!(!progress_template(false).contains("{eta}"));
        for known in [true, false] {
            assert!(ProgressStyle::with_template(progress_template(known)).is_ok());
        }
        assert_eq!(rate_message(1204, 23.15), "1204 docs, 52 docs/s");
        assert_eq!(rate_message(3, 2.0), "3 docs, 1.5 docs/s");
        assert_eq!(rate_message(0, 0.0), "0 docs, 0 docs/s");
    }

    // See: issue 23 (a `--follow` poll answered 304 printed the run's "read 2, stored 2").
    #[test]
    fn regression_23_a_polls_counts_are_its_own() {
        let before = Counts {
            read: 2,
            stored: 2,
            ..Counts::default()
        };
        let after = Counts {
            read: 3,
            stored: 2,
            unchanged: 1,
            ..before
        };
        assert_eq!(
            after.since(&before).summary(),
            "read 1, stored 0, unchanged 1, failed 0"
        );
        assert_eq!(
            before.since(&before).summary(),
            "read 0, stored 0, unchanged 0, failed 0"
        );
    }

    #[test]
    fn rfc3339() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_718_791_200), "2024-06-19T10:00:00Z");
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
