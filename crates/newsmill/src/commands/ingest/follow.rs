//! `newsmill ingest --follow`: keep polling feeds and sitemaps, store new entries, until stopped.
//!
//! Each source URL has its own schedule: polled every `--interval` seconds, with the interval
//! doubled (up to 16 times) each poll that brings nothing new, and reset when something new
//! comes. Polls are conditional GETs (ETag, Last-Modified). The schedule, the validators and the
//! entry URLs already seen are saved in the store (`state/follow.json`) after every poll, so a
//! restart resumes where it stopped.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use newsmill_core::RawDoc;
use newsmill_index::Store;
use newsmill_ingest::feed::parse_feed;
use newsmill_ingest::fetch::{BlockingFetcher, FetchOutcome, Validators};
use newsmill_ingest::sitemap::{Sitemap, parse_sitemap};
use newsmill_ingest::{ContentKind, IngestConfig, IngestError, classify};
use serde::{Deserialize, Serialize};

use super::{Counts, Pipeline, Progress, StoryStage, process};
use crate::ExitStatus;
use crate::args::IngestArgs;
use crate::output::report;

/// Entry URLs remembered per source (older ones are forgotten first).
const SEEN_PER_SOURCE: usize = 20_000;
/// Largest backoff factor for a source that does not change.
const MAX_BACKOFF: u64 = 16;

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
}

impl SourceState {
    /// Schedules the next poll after one that found `new` new entries.
    pub(crate) fn schedule(&mut self, now: u64, base: u64, new: usize) {
        self.backoff = if new > 0 {
            1
        } else {
            (self.backoff.max(1) * 2).min(MAX_BACKOFF)
        };
        self.next_poll = now + base * self.backoff;
    }

    fn remember(&mut self, url: &str) -> bool {
        if self.seen.iter().any(|u| u == url) {
            return false;
        }
        self.seen.push_back(url.to_string());
        while self.seen.len() > SEEN_PER_SOURCE {
            self.seen.pop_front();
        }
        true
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
    let mut writer = store.writer()?;
    let mut stage = StoryStage::load(store)?;
    let progress = Progress::new();
    let mut counts = Counts::default();
    loop {
        let now = unix_now();
        for url in &urls {
            let s = state.sources.entry((*url).clone()).or_default();
            if s.next_poll > now {
                continue;
            }
            let new = poll(
                url,
                s,
                &fetcher,
                pipeline,
                &mut writer,
                &mut stage,
                &mut counts,
                &progress,
            )?;
            s.schedule(unix_now(), args.interval.max(1), new);
            stage.commit(&mut writer)?;
            store.save_state("follow", &state)?;
            eprintln!("newsmill: ingest: {url}: {new} new; {}", counts.summary());
        }
        let next = state
            .sources
            .values()
            .map(|s| s.next_poll)
            .min()
            .unwrap_or(now + args.interval);
        let wait = next.saturating_sub(unix_now()).max(1);
        std::thread::sleep(Duration::from_secs(wait));
    }
}

/// Polls one source; returns how many new entries it stored or quarantined.
// The stage's pieces are passed as they are to `process`; a struct holding them would only
// rename them.
#[allow(clippy::too_many_arguments)]
fn poll(
    url: &str,
    s: &mut SourceState,
    fetcher: &BlockingFetcher,
    pipeline: &Pipeline,
    writer: &mut newsmill_index::Writer<'_>,
    stage: &mut StoryStage,
    counts: &mut Counts,
    progress: &Progress,
) -> anyhow::Result<usize> {
    let fetched = match fetcher.get(url, Some(&s.validators)) {
        Ok(FetchOutcome::NotModified) => return Ok(0),
        Ok(FetchOutcome::Fetched(f)) => f,
        Err(e) => {
            report(url, &e.reason());
            return Ok(0);
        }
    };
    s.validators = fetched.validators.clone();
    let links: Vec<String> = match classify(url, &fetched.body) {
        ContentKind::Feed => match parse_feed(url, &fetched.body) {
            Ok(entries) => entries.into_iter().filter_map(|e| e.url).collect(),
            Err(e) => {
                report(url, &e.reason());
                return Ok(0);
            }
        },
        _ => match parse_sitemap(url, &fetched.body) {
            Ok(Sitemap::Urls(urls)) => urls.into_iter().map(|u| u.loc).collect(),
            Ok(Sitemap::Index(maps)) => maps,
            Err(e) => {
                report(url, &e.reason());
                return Ok(0);
            }
        },
    };
    let fresh: Vec<String> = links.into_iter().filter(|l| s.remember(l)).collect();
    let n = fresh.len();
    let docs: Vec<Result<RawDoc, IngestError>> = fresh
        .iter()
        .filter_map(|link| match fetcher.get(link, None) {
            Ok(FetchOutcome::Fetched(f)) => Some(Ok(f.into_raw_doc(link))),
            Ok(FetchOutcome::NotModified) => None,
            Err(e) => Some(Err(e)),
        })
        .collect();
    process(docs, pipeline, writer, stage, counts, progress, usize::MAX)?;
    Ok(n)
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
