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
use newsmill_extract::{ExtractConfig, extract};
use newsmill_index::{Failure, PutInfo, PutOutcome, Store, Writer};
use newsmill_ingest::fetch::{DEFAULT_USER_AGENT, FetchConfig};
use newsmill_ingest::{IngestConfig, IngestError, read_sources};
use newsmill_nlp::Nlp;
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

/// The stages after reading, shared by every worker.
pub(crate) struct Pipeline {
    extract: ExtractConfig,
    nlp: Option<Nlp>,
}

impl Pipeline {
    pub(crate) fn new(stages: Stages) -> anyhow::Result<Pipeline> {
        let nlp = match stages {
            Stages::Extract => None,
            Stages::All => Some(Nlp::embedded().context("loading the NLP model")?),
        };
        Ok(Pipeline {
            extract: ExtractConfig::default(),
            nlp,
        })
    }

    pub(crate) fn run(&self, doc: &RawDoc) -> Result<Record, (String, String)> {
        let mut record = extract(doc, &self.extract).map_err(|e| {
            let msg = e.to_string();
            let origin = doc.origin.to_string();
            let msg = msg
                .strip_prefix(origin.as_str())
                .and_then(|m| m.strip_prefix(": "))
                .map_or(msg.clone(), str::to_string);
            ("extract".to_string(), msg)
        })?;
        if let Some(nlp) = &self.nlp {
            // The NLP stage is pure and must not panic; a panic would still lose only this
            // record, never the run.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                newsmill_nlp::enrich(&mut record, nlp);
            }));
            if r.is_err() {
                return Err(("nlp".into(), "the NLP stage panicked".into()));
            }
        }
        Ok(record)
    }
}

/// One processed input: a record to store, or a failure to quarantine.
enum Outcome {
    Record(Box<Record>, PutInfo, Box<newsmill_stories::Prepared>),
    Failed(Failure, Option<Vec<u8>>),
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
    let mut writer = store.writer()?;
    let mut stage = StoryStage::load(&store)?;
    let progress = Progress::new();
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
            let batch: Vec<Result<RawDoc, IngestError>> =
                next_batch(&mut reader, BATCH_DOCS, BATCH_BYTES, |d| {
                    d.as_ref().map_or(0, |d| d.bytes.len())
                });
            if batch.is_empty() {
                break;
            }
            let outcomes = compute(batch, &pipeline, &|r, f| preparer.prepare(r, f));
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
    let outcomes = compute(batch, pipeline, &|r, f| stage.prepare(r, f));
    store_outcomes(outcomes, writer, stage, counts, progress, commit_every)
}

/// Extracts a batch on all cores and prepares each record for the story stage.
fn compute(
    batch: Vec<Result<RawDoc, IngestError>>,
    pipeline: &Pipeline,
    prepare: &(dyn Fn(&Record, Option<&str>) -> newsmill_stories::Prepared + Sync),
) -> Vec<Outcome> {
    batch
        .into_par_iter()
        .map(|item| match item {
            Ok(doc) => match pipeline.run(&doc) {
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
                Err((stage, error)) => {
                    let raw = (doc.bytes.len() <= QUARANTINE_BYTES).then_some(doc.bytes);
                    Outcome::Failed(
                        Failure {
                            origin: doc.origin.to_string(),
                            stage,
                            error,
                            at: now(),
                            bytes: raw.as_ref().map_or(0, Vec::len),
                        },
                        raw,
                    )
                }
            },
            Err(e) => Outcome::Failed(
                Failure {
                    origin: e.input().to_string(),
                    stage: "ingest".into(),
                    error: e.reason(),
                    at: now(),
                    bytes: 0,
                },
                None,
            ),
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
                let check = writer
                    .check(&record)
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
                        .put(&record, &info)
                        .with_context(|| format!("storing {}", record.origin))?
                    {
                        PutOutcome::Stored => counts.stored += 1,
                        PutOutcome::NewVersion => counts.versions += 1,
                        PutOutcome::Unchanged => counts.unchanged += 1,
                    }
                }
            }
            Outcome::Failed(failure, raw) => {
                if failure.stage != "ingest" {
                    counts.read += 1;
                }
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

/// Formats UTC seconds as RFC 3339 (civil-from-days, Howard Hinnant's algorithm).
fn format_rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
pub(crate) struct Progress(Option<ProgressBar>, std::sync::Mutex<ErrorGroups>);

impl Progress {
    pub(crate) fn new() -> Progress {
        if !io::stderr().is_terminal() {
            return Progress(None, Default::default());
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed} {pos} docs ({per_sec}) {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress(Some(bar), Default::default())
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
            b.set_position(counts.read);
            b.set_message(counts.summary());
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
