//! `newsmill ingest --follow`: keep polling feeds and sitemaps, store new entries, until stopped.
//!
//! Each source URL has its own schedule: polled every `--interval` seconds, with the interval
//! doubled (up to 16 times, and to at most an hour or `--interval` when that is longer) each
//! poll that brings nothing new, and reset when something new comes. Polls are conditional GETs (ETag, Last-Modified). The schedule, the validators and the
//! entry URLs already taken are saved in the store (`state/follow.json`) after every commit, so
//! a restart resumes where it stopped.
//!
//! An entry is taken (remembered, never fetched again) once it is stored, or once it failed for
//! good (a 404, robots.txt forbids it, too large). One that failed in a way that may pass (a
//! timeout, a 5xx after the fetcher's own retries, an unreachable robots.txt) stays pending and
//! is fetched again after `--interval`, then twice that, and so on, up to
//! [`MAX_ENTRY_ATTEMPTS`] attempts; each failure is in the quarantine meanwhile, and a success
//! lifts it. Fetched pages go through the pipeline in batches bounded by count and bytes, each
//! committed on its own, so a poll of many large pages never holds them all.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use newsmill_core::RawDoc;
use newsmill_index::{Store, Writer};
use newsmill_ingest::feed::parse_feed;
use newsmill_ingest::fetch::{BlockingFetcher, FetchOutcome, Validators};
use newsmill_ingest::sitemap::{Sitemap, parse_sitemap};
use newsmill_ingest::{ContentKind, IngestConfig, IngestError, classify};
use serde::{Deserialize, Serialize};

use super::{BATCH_BYTES, BATCH_DOCS, Counts, Pipeline, Progress, StoryStage, process};
use crate::ExitStatus;
use crate::args::IngestArgs;
use crate::output::report;

/// Entry URLs remembered per source (older ones are forgotten first).
const SEEN_PER_SOURCE: usize = 20_000;
/// Largest backoff factor for a source that does not change, and for an entry's retries.
const MAX_BACKOFF: u64 = 16;
/// Longest wait between two polls of a source that does not change, in seconds, unless
/// `--interval` itself is longer: backing off never leaves a feed unread for hours.
pub(crate) const MAX_POLL_WAIT: u64 = 3600;
/// Attempts at an entry that keeps failing in a way that may pass, before it is given up.
pub(crate) const MAX_ENTRY_ATTEMPTS: u32 = 8;
/// Entries waiting for a retry, per source, at most (the oldest are given up first).
const PENDING_PER_SOURCE: usize = 5_000;

/// What is remembered between polls and across restarts.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct FollowState {
    pub(crate) sources: BTreeMap<String, SourceState>,
}

/// The schedule and memory of one polled source.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct SourceState {
    pub(crate) validators: Validators,
    /// Unix seconds of the next poll.
    pub(crate) next_poll: u64,
    /// Current backoff factor (1 = the base interval).
    pub(crate) backoff: u64,
    /// Entry URLs already taken, oldest first.
    pub(crate) seen: VecDeque<String>,
    /// Entries that failed in a way that may pass, with when to try them again.
    #[serde(default)]
    pub(crate) pending: BTreeMap<String, Retry>,
}

/// The retry schedule of one entry.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Retry {
    /// Failed attempts so far.
    pub(crate) attempts: u32,
    /// Unix seconds of the next attempt.
    pub(crate) next: u64,
}

impl SourceState {
    /// Schedules the next poll after one that found `new` new entries.
    pub(crate) fn schedule(&mut self, now: u64, base: u64, new: usize) {
        self.backoff = if new > 0 {
            1
        } else {
            (self.backoff.max(1) * 2).min(MAX_BACKOFF)
        };
        self.next_poll = now + (base * self.backoff).min(MAX_POLL_WAIT.max(base));
    }

    fn is_seen(&self, url: &str) -> bool {
        self.seen.iter().any(|u| u == url)
    }

    fn remember(&mut self, url: &str) -> bool {
        self.pending.remove(url);
        if self.is_seen(url) {
            return false;
        }
        self.seen.push_back(url.to_string());
        while self.seen.len() > SEEN_PER_SOURCE {
            self.seen.pop_front();
        }
        true
    }

    /// Records a failure that may pass: the entry is tried again later, twice as late each
    /// time, or taken (given up) after [`MAX_ENTRY_ATTEMPTS`]. Returns whether it will be
    /// retried.
    pub(crate) fn failed(&mut self, url: &str, now: u64, base: u64) -> bool {
        let attempts = self.pending.get(url).map_or(0, |r| r.attempts) + 1;
        if attempts >= MAX_ENTRY_ATTEMPTS
            || (!self.pending.contains_key(url) && self.pending.len() >= PENDING_PER_SOURCE)
        {
            self.remember(url);
            return false;
        }
        let factor = (1u64 << (attempts - 1).min(6)).min(MAX_BACKOFF);
        self.pending.insert(
            url.to_string(),
            Retry {
                attempts,
                next: now + base * factor,
            },
        );
        true
    }

    /// Entries whose retry is due.
    fn due(&self, now: u64) -> Vec<String> {
        self.pending
            .iter()
            .filter(|(_, r)| r.next <= now)
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// When this source next needs attention: its poll or its first retry.
    fn next_event(&self) -> u64 {
        self.pending
            .values()
            .map(|r| r.next)
            .min()
            .map_or(self.next_poll, |r| r.min(self.next_poll))
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn run(
    args: &IngestArgs,
    store: &Store,
    pipeline: &Pipeline,
    config: IngestConfig,
) -> anyhow::Result<ExitStatus> {
    let Some(fetch) = config.fetch.clone() else {
        anyhow::bail!("--follow needs the network (drop --offline)");
    };
    let urls: Vec<&String> = args
        .sources
        .iter()
        .filter(|s| s.starts_with("http://") || s.starts_with("https://"))
        .collect();
    if urls.len() != args.sources.len() {
        anyhow::bail!("--follow polls feed and sitemap URLs only (http:// or https://)");
    }
    let fetcher = BlockingFetcher::new(fetch).context("starting the fetcher")?;
    let mut state: FollowState = store.load_state("follow")?.unwrap_or_default();
    let mut follower = Follower {
        store,
        fetcher: &fetcher,
        pipeline,
        writer: store.writer_with_threads(rayon::current_num_threads())?,
        stage: StoryStage::load(store)?,
        counts: Counts::default(),
        progress: Progress::new(),
        interval: args.interval.max(1),
        batch_docs: BATCH_DOCS.min(args.commit_every.max(1)),
    };
    loop {
        let now = unix_now();
        for url in &urls {
            let s = state.sources.entry((*url).clone()).or_default();
            if s.next_event() > now {
                continue;
            }
            let before = follower.counts;
            let new = follower.poll(&mut state, url, now)?;
            store.save_state("follow", &state)?;
            if let Some(new) = new {
                // This poll's counts, not the run's: a poll answered 304 reads nothing.
                eprintln!(
                    "newsmill: ingest: {url}: {new} new; {}",
                    follower.counts.since(&before).summary()
                );
            }
        }
        // Failures beyond the first few of each reason, once per round of polls.
        follower.progress.flush_failures("ingest");
        let next = state
            .sources
            .values()
            .map(SourceState::next_event)
            .min()
            .unwrap_or(now + args.interval);
        let wait = next.saturating_sub(unix_now()).max(1);
        std::thread::sleep(Duration::from_secs(wait));
    }
}

/// Everything one poll uses.
struct Follower<'a> {
    store: &'a Store,
    fetcher: &'a BlockingFetcher,
    pipeline: &'a Pipeline,
    writer: Writer<'a>,
    stage: StoryStage,
    counts: Counts,
    progress: Progress,
    /// `--interval`, in seconds.
    interval: u64,
    /// Documents per batch (and commit).
    batch_docs: usize,
}

/// Fetched documents waiting for the pipeline, with the entries they settle.
#[derive(Default)]
struct Batch {
    docs: Vec<Result<RawDoc, IngestError>>,
    bytes: usize,
    /// Entries taken once this batch is committed.
    taken: Vec<String>,
}

impl Follower<'_> {
    /// Polls `url` when its poll is due and fetches its new entries and the pending ones whose
    /// retry is due. Returns the number of new entries when the source was polled.
    fn poll(
        &mut self,
        state: &mut FollowState,
        url: &str,
        now: u64,
    ) -> anyhow::Result<Option<usize>> {
        let s = state.sources.entry(url.to_string()).or_default();
        let mut todo = s.due(now);
        let polled = if s.next_poll <= now {
            let links = self.links(url, s);
            let fresh: Vec<String> = links
                .into_iter()
                .filter(|l| !s.is_seen(l) && !s.pending.contains_key(l))
                .collect();
            let n = fresh.len();
            s.schedule(now, self.interval, n);
            todo.extend(fresh);
            Some(n)
        } else {
            None
        };
        let mut batch = Batch::default();
        for link in todo {
            match self.fetcher.get(&link, None) {
                Ok(FetchOutcome::Fetched(f)) => {
                    batch.bytes += f.body.len();
                    batch.docs.push(Ok(f.into_raw_doc(&link)));
                    batch.taken.push(link);
                }
                Ok(FetchOutcome::NotModified) => batch.taken.push(link),
                Err(e) => {
                    let s = state.sources.entry(url.to_string()).or_default();
                    let retry = e.is_retryable() && s.failed(&link, unix_now(), self.interval);
                    if !retry {
                        batch.taken.push(link);
                    }
                    // In the quarantine either way; a later success lifts it.
                    batch.docs.push(Err(e));
                }
            }
            if batch.docs.len() >= self.batch_docs || batch.bytes >= BATCH_BYTES {
                self.flush(state, url, std::mem::take(&mut batch))?;
            }
        }
        self.flush(state, url, batch)?;
        Ok(polled)
    }

    /// The entry URLs a poll of `url` lists (none when it is unchanged or unreadable).
    fn links(&self, url: &str, s: &mut SourceState) -> Vec<String> {
        let fetched = match self.fetcher.get(url, Some(&s.validators)) {
            Ok(FetchOutcome::NotModified) => return Vec::new(),
            Ok(FetchOutcome::Fetched(f)) => f,
            Err(e) => {
                report(url, &e.reason());
                return Vec::new();
            }
        };
        s.validators = fetched.validators.clone();
        let parsed = match classify(url, &fetched.body) {
            ContentKind::Feed => parse_feed(url, &fetched.body)
                .map(|entries| entries.into_iter().filter_map(|e| e.url).collect()),
            _ => parse_sitemap(url, &fetched.body).map(|m| match m {
                Sitemap::Urls(urls) => urls.into_iter().map(|u| u.loc).collect(),
                Sitemap::Index(maps) => maps,
            }),
        };
        parsed.unwrap_or_else(|e| {
            report(url, &e.reason());
            Vec::new()
        })
    }

    /// Runs a batch through the pipeline, commits it, then marks its entries taken and saves
    /// the polling state (a crash before that fetches them again, and they come back
    /// unchanged).
    fn flush(&mut self, state: &mut FollowState, url: &str, batch: Batch) -> anyhow::Result<()> {
        if batch.docs.is_empty() && batch.taken.is_empty() {
            return Ok(());
        }
        process(
            batch.docs,
            self.pipeline,
            &mut self.writer,
            &mut self.stage,
            &mut self.counts,
            &self.progress,
            usize::MAX,
        )?;
        self.stage.commit(&mut self.writer)?;
        let s = state.sources.entry(url.to_string()).or_default();
        for link in &batch.taken {
            s.remember(link);
        }
        self.store.save_state("follow", state)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_while_nothing_changes_and_resets() {
        let mut s = SourceState::default();
        s.schedule(1000, 60, 0);
        assert_eq!((s.backoff, s.next_poll), (2, 1120));
        s.schedule(1120, 60, 0);
        assert_eq!(s.backoff, 4);
        for _ in 0..10 {
            s.schedule(0, 60, 0);
        }
        assert_eq!(s.backoff, MAX_BACKOFF);
        s.schedule(5000, 60, 3);
        assert_eq!((s.backoff, s.next_poll), (1, 5060));
    }

    // See: issue 23 (the default interval backed off to 4 hours).
    #[test]
    fn regression_23_backing_off_waits_an_hour_at_most() {
        let mut s = SourceState::default();
        for _ in 0..10 {
            s.schedule(0, 900, 0);
        }
        assert_eq!(s.backoff, MAX_BACKOFF);
        assert_eq!(s.next_poll, MAX_POLL_WAIT, "not 16 x 900 s");
        // An interval longer than the cap is kept as it is.
        s.schedule(0, 7200, 0);
        assert_eq!(s.next_poll, 7200);
    }

    #[test]
    fn a_failing_entry_is_retried_later_and_later_then_given_up() {
        let mut s = SourceState::default();
        let url = "https://a.example/1";
        assert!(s.failed(url, 1000, 60));
        assert_eq!(
            s.pending[url],
            Retry {
                attempts: 1,
                next: 1060
            }
        );
        assert!(s.due(1059).is_empty());
        assert_eq!(s.due(1060), [url]);
        assert!(s.failed(url, 1060, 60));
        assert_eq!(s.pending[url].next, 1180, "twice as late");
        for _ in 2..MAX_ENTRY_ATTEMPTS - 1 {
            assert!(s.failed(url, 2000, 60));
        }
        assert!(s.pending[url].next <= 2000 + 60 * MAX_BACKOFF);
        assert!(!s.failed(url, 3000, 60), "the last attempt gives up");
        assert!(s.pending.is_empty() && s.is_seen(url));
        // A success takes it at once.
        assert!(s.failed("https://a.example/2", 0, 60));
        s.remember("https://a.example/2");
        assert!(s.pending.is_empty());
    }

    #[test]
    fn state_round_trips() {
        let mut st = FollowState::default();
        let mut s = SourceState::default();
        assert!(s.remember("https://a.example/1"));
        assert!(!s.remember("https://a.example/1"));
        st.sources.insert("https://a.example/feed".into(), s);
        let json = serde_json::to_string(&st).unwrap();
        let back: FollowState = serde_json::from_str(&json).unwrap();
        assert_eq!(back.sources["https://a.example/feed"].seen.len(), 1);
    }
}
