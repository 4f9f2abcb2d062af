//! `newsmill stories [PATH|-]`: JSON Lines `{id, time, title, text}` in, one line
//! `{id, story, duplicate_of}` out per article, in input order. When an article shows two
//! stories to be one event they are merged, and its line also carries `merged`: the story ids
//! given out earlier that name `story` from then on.
//!
//! One pass, no look-ahead: each article is assigned when it is read (the signatures and vectors
//! of a batch of lines are computed on all cores first, then assigned in order, so the output is
//! the same as a one-article-at-a-time run). A bad line is reported with its line number and
//! skipped; the run goes on and exits 1 at the end.
//!
//! `newsmill stories --data DIR` lists the stories `newsmill ingest` stored (the same stage runs
//! inside ingest): id, size, first and last seen, title; most recently active first.
//!
//! `newsmill stories --rebuild --data DIR` runs the stage again over the stored records (the
//! current version of each article, in the order they were stored) and replaces the stage's
//! state, every record's `story` and `duplicate_of`, and the story summaries, in one commit:
//! the way back from a story state that was lost or damaged.

use std::io::{self, BufRead, BufReader, Read, Write};

use anyhow::Context;
use newsmill_stories::input::{StoryLine, parse_line};
use newsmill_stories::{Clusterer, Config, Model};
use rayon::prelude::*;
use serde::Serialize;

use crate::ExitStatus;
use crate::args::StoriesArgs;
use crate::output::report;

/// Lines read and prepared together.
const BATCH: usize = 1024;

#[derive(Serialize)]
struct OutLine<'a> {
    id: &'a str,
    story: &'a str,
    duplicate_of: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    merged: &'a [String],
}

pub(crate) fn run(args: StoriesArgs) -> anyhow::Result<ExitStatus> {
    if let Some(data) = &args.data {
        if args.rebuild {
            return rebuild(data);
        }
        return list(&args, data);
    }
    let name = args.input.clone().unwrap_or_else(|| "-".to_string());
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(fs_err::File::open(&name)?)
    };
    let mut reader = BufReader::new(reader);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut clusterer = Clusterer::new(Config::default(), Model::builtin());
    let mut errored = false;
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    loop {
        // Read a batch of numbered, parsed lines.
        let mut batch: Vec<(usize, Result<StoryLine, String>)> = Vec::with_capacity(BATCH);
        let mut eof = false;
        while batch.len() < BATCH {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("{name}: reading line {}", line_no + 1))?;
            if n == 0 {
                eof = true;
                break;
            }
            line_no += 1;
            let parsed = match std::str::from_utf8(&buf) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) => parse_line(line).map_err(|e| e.to_string()),
                Err(e) => Err(format!("not UTF-8: {e}")),
            };
            batch.push((line_no, parsed));
        }
        let prepared: Vec<_> = batch
            .par_iter()
            .map(|(_, l)| l.as_ref().ok().map(|l| clusterer.prepare(&l.item())))
            .collect();
        for ((n, line), prepared) in batch.iter().zip(prepared) {
            match (line, prepared) {
                (Ok(line), Some(p)) => {
                    let a = clusterer.push_prepared(&line.item(), p);
                    serde_json::to_writer(
                        &mut out,
                        &OutLine {
                            id: &line.id,
                            story: &a.story,
                            duplicate_of: a.duplicate_of.as_deref(),
                            merged: &a.merged,
                        },
                    )
                    .context("writing to stdout")?;
                    out.write_all(b"\n").context("writing to stdout")?;
                }
                (Err(e), _) => {
                    out.flush().context("writing to stdout")?;
                    report(&name, &format_args!("line {n}: {e}"));
                    errored = true;
                }
                (Ok(_), None) => {}
            }
        }
        if eof {
            break;
        }
    }
    out.flush().context("writing to stdout")?;
    Ok(if errored {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn list(args: &StoriesArgs, data: &std::path::Path) -> anyhow::Result<ExitStatus> {
    let store = newsmill_index::Store::open(data)?;
    let mut stories = store
        .stories()
        .with_context(|| format!("{}: reading the stories", data.display()))?;
    let total = stories.len();
    if let Some(n) = args.limit {
        stories.truncate(n);
    }
    let time = |t: Option<i64>| t.and_then(newsmill_core::format_unix);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let format = args.format.or_else(|| {
        (!std::io::IsTerminal::is_terminal(&io::stdout())).then_some(crate::args::Format::Jsonl)
    });
    if format.is_none() {
        writeln!(out, "STORY\tARTICLES\tFIRST SEEN\tLAST SEEN\tTITLE")
            .context("writing to stdout")?;
    }
    for s in &stories {
        // The JSON is the store's summary as is: the shape `/api/stories` returns.
        match format {
            Some(f) => crate::output::write_value(&mut out, f, s),
            None => writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                s.id,
                s.articles,
                time(s.first_seen).as_deref().unwrap_or("-"),
                time(s.last_seen).as_deref().unwrap_or("-"),
                s.title
            ),
        }
        .context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    eprintln!("newsmill: stories: {total} stories in {}", data.display());
    Ok(ExitStatus::Success)
}

/// Runs the story stage again over every stored article, in the order they were stored, and
/// commits the new state, story fields and summaries at once (a crash leaves the old ones).
fn rebuild(data: &std::path::Path) -> anyhow::Result<ExitStatus> {
    let name = data.display().to_string();
    let store = newsmill_index::Store::create(data)?;
    let mut writer = store.writer()?;
    // The order the stage first saw them in: arrival numbers, then (records stored before
    // those were kept) the time they were stored, then the store's own order.
    let mut order: Vec<((bool, u64, String, usize), String)> = Vec::new();
    let mut errored = false;
    for (i, item) in store.records()?.enumerate() {
        match item {
            Ok((record, meta)) => order.push((
                (meta.seq.is_some(), meta.seq.unwrap_or(0), meta.stored_at, i),
                record.id,
            )),
            Err(e) => {
                report(&name, &format_args!("skipped: {e}"));
                errored = true;
            }
        }
    }
    order.sort();
    let mut stage = crate::commands::ingest::StoryStage::new();
    writer.delete_stories();
    let mut n = 0u64;
    for (_, id) in order {
        let Some((mut record, meta)) = store.get_with_meta(&id)? else {
            continue;
        };
        let prepared = stage.prepare(&record, meta.fetched_at.as_deref());
        stage.assign(&mut record, meta.fetched_at.as_deref(), prepared);
        writer
            .set_story_fields(&record)
            .with_context(|| format!("{name}: rewriting record {id}"))?;
        n += 1;
    }
    stage.save_state(&mut writer)?;
    stage.commit(&mut writer)?;
    writer.close().context("closing the store")?;
    eprintln!(
        "newsmill: stories: rebuilt the story state of {name} from {n} stored records: {} stories, {} near-duplicates marked",
        stage.new_stories, stage.duplicates
    );
    Ok(if errored {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
