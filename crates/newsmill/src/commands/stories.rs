//! `newsmill stories [PATH|-]`: JSON Lines `{id, time, title, text}` in, one line
//! `{id, story, duplicate_of}` out per article, in input order.
//!
//! One pass, no look-ahead: each article is assigned when it is read (the signatures and vectors
//! of a batch of lines are computed on all cores first, then assigned in order, so the output is
//! the same as a one-article-at-a-time run). A bad line is reported with its line number and
//! skipped; the run goes on and exits 1 at the end.
//!
//! Not yet here: `newsmill stories --data DIR`, the listing of stored stories with their sizes
//! and time spans. It needs the store to keep story summaries (the stage gives them through
//! `Stories::take_closed` and `Stories::open_stories`); newsmill-index stores only each record's
//! `story` field so far.

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
}

pub(crate) fn run(args: StoriesArgs) -> anyhow::Result<ExitStatus> {
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
