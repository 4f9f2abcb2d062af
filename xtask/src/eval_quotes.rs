//! `cargo xtask eval quotes`: who said what, on PolNeAR (../shared/data/quotes/polnear).
//!
//! # The split
//!
//! PolNeAR gives 840 training and 84 development articles (its test split is held out from
//! this project). Quote rules are written looking at `dev` and at the part of `train` that
//! [`held_out`] does not pick; the part it picks (157 articles, 1 in 5 by a hash of the file
//! name, fixed before any rule was written) is reported as held out and never looked at.
//! Anything learned (weights, thresholds) is learned on the rest of `train` only.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Whether a PolNeAR training article (its file name without `.txt`) belongs to the held-out
/// part of train: FNV-1a (64 bits) of the name is a multiple of 5.
pub(crate) fn held_out(stem: &str) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in stem.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h % 5 == 0
}

/// The parts of PolNeAR the evaluation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// The 84 development articles.
    Dev,
    /// The held-out part of train (never looked at while writing rules).
    Heldout,
    /// The rest of train (where rules are written and anything is learned).
    Train,
}

/// The article files (`.txt` paths) of one part, sorted by name.
pub(crate) fn part_files(root: &Path, part: Part) -> Result<Vec<PathBuf>> {
    let dir = match part {
        Part::Dev => root.join("dev/text"),
        Part::Heldout | Part::Train => root.join("train/text"),
    };
    let mut out = Vec::new();
    for entry in fs_err::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .with_context(|| format!("{}: file name is not UTF-8", path.display()))?;
        let keep = match part {
            Part::Dev => true,
            Part::Heldout => held_out(stem),
            Part::Train => !held_out(stem),
        };
        if keep {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// A character span (Unicode scalar values) of an article's text.
pub(crate) type Span = (usize, usize);

/// One gold attribution: its content (one or more fragments), source and cue, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct GoldAttribution {
    /// The content's fragments (a discontinuous content has several).
    pub(crate) content: Vec<Span>,
    /// The source's fragments, empty for an unattributed claim.
    pub(crate) source: Vec<Span>,
    /// The cue's fragments.
    pub(crate) cue: Vec<Span>,
}

/// One article: its text and its gold attributions.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) gold: Vec<GoldAttribution>,
}

/// Parses `12 30;35 40` into spans.
fn parse_spans(s: &str) -> Option<Vec<Span>> {
    s.split(';')
        .map(|frag| {
            let (a, b) = frag.trim().split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

/// Reads a brat standoff file: `T` lines give typed spans, `E` lines tie an attribution's
/// Content (and Content2), Cue and Source together. Attributions without a content are
/// skipped (a handful of annotation stubs).
pub(crate) fn read_ann(ann: &str) -> Vec<GoldAttribution> {
    let mut spans: std::collections::HashMap<&str, Vec<Span>> = Default::default();
    let mut events = Vec::new();
    for line in ann.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(body)) = (cols.next(), cols.next()) else {
            continue;
        };
        if id.starts_with('T') {
            if let Some((_, offsets)) = body.split_once(' ') {
                if let Some(s) = parse_spans(offsets) {
                    spans.insert(id, s);
                }
            }
        } else if id.starts_with('E') {
            events.push(body);
        }
    }
    let mut out = Vec::new();
    for body in events {
        let mut g = GoldAttribution::default();
        for arg in body.split_whitespace() {
            let Some((role, t)) = arg.split_once(':') else {
                continue;
            };
            let Some(s) = spans.get(t) else { continue };
            match role {
                "Content" | "Content2" => g.content.extend(s),
                "Source" => g.source.extend(s),
                "Cue" => g.cue.extend(s),
                _ => {}
            }
        }
        if !g.content.is_empty() {
            g.content.sort_unstable();
            out.push(g);
        }
    }
    out
}

/// Reads the articles of one part with their gold attributions.
pub(crate) fn read_part(root: &Path, part: Part) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    for path in part_files(root, part)? {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let ann_path = path
            .parent()
            .and_then(Path::parent)
            .map(|p| p.join("attributions").join(format!("{name}.ann")))
            .with_context(|| format!("{}: no parent folder", path.display()))?;
        let text = fs_err::read_to_string(&path)?;
        let gold = read_ann(&fs_err::read_to_string(&ann_path)?);
        out.push(Article { name, text, gold });
    }
    Ok(out)
}

/// Options of `eval quotes`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Which parts to score (default: dev and the held-out part of train).
    #[arg(long, value_enum)]
    part: Vec<Part>,
}

pub(crate) fn run(data: &Path, args: &Args) -> Result<()> {
    let root = data.join("quotes/polnear");
    if !root.join("train/text").is_dir() {
        println!(
            "eval quotes: {} not found, nothing to evaluate",
            root.display()
        );
        return Ok(());
    }
    let parts = if args.part.is_empty() {
        vec![Part::Dev, Part::Heldout]
    } else {
        args.part.clone()
    };
    for part in parts {
        let articles = read_part(&root, part)?;
        let n: usize = articles.iter().map(|a| a.gold.len()).sum();
        println!("{part:?}: {} articles, {n} attributions", articles.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; of "" the offset basis.
        assert!(!held_out(""));
        assert_eq!(0xaf63_dc4c_8601_ec8c_u64 % 5, 1);
        assert!(!held_out("a"));
    }
}
