//! `cargo xtask eval ner [--lang L] [--on dev|held]`: an NER model on the dev split of its
//! language (or on the held-out fifth of its training split, `--on held`, the part settings are
//! chosen on), with conlleval semantics (an entity is correct when its type, first and last
//! token all match), per type and overall, plus the tagging speed in tokens per second on one
//! core.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use newsmill_nlp::{Label, Model, Nlp, TrainDoc};

use crate::train_ner::{Part, part_of, read_docs, split_paths};

/// Arguments of `eval ner`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalNerArgs {
    /// A model file to evaluate instead of the embedded one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Also write `token gold predicted` lines here, for ../shared/tools/conlleval.py.
    #[arg(long)]
    write: Option<PathBuf>,
    /// Language: en, de, es or nl.
    #[arg(long, default_value = "en")]
    lang: String,
    /// What to score: the dev split, or the held-out fifth of the training split (`held`: score
    /// a model trained with `train-ner --part fit`).
    #[arg(long, default_value = "dev")]
    on: On,
    /// With `--on held`: which fifth of the training split (0..5; the model must have been
    /// trained with `train-ner --part fit --fold` the same).
    #[arg(long, default_value_t = 4)]
    fold: usize,
    /// Do not read words that lost their non-ASCII letters as the words they were (to measure
    /// what that does; needs --model).
    #[arg(long)]
    no_restore: bool,
}

/// The data a model is scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum On {
    /// The dev split.
    Dev,
    /// The last fifth of the training split.
    Held,
}

/// Entity spans of one sentence as (start, end, type).
fn spans(labels: &[Label]) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, l) in labels.iter().enumerate() {
        let tag = l.iob2();
        if tag.starts_with("B-") {
            start = i;
        }
        let next_continues = labels
            .get(i + 1)
            .is_some_and(|n| n.iob2().starts_with("I-"));
        if tag != "O" && !next_continues {
            out.push((start, i + 1, &tag[2..]));
        }
    }
    out
}

pub(crate) fn run(data: &Path, args: &EvalNerArgs) -> anyhow::Result<()> {
    let (train_path, dev_path) = split_paths(data, &args.lang);
    let path = match args.on {
        On::Dev => dev_path,
        On::Held => train_path,
    };
    if !path.exists() {
        println!(
            "xtask: eval ner: {} not found, nothing to do",
            path.display()
        );
        return Ok(());
    }
    let t_load = Instant::now();
    let nlp = match &args.model {
        Some(p) => Nlp::from_model_bytes(&args.lang, &fs_err::read(p)?)
            .with_context(|| p.display().to_string())?,
        None => Nlp::embedded().context("embedded models")?,
    };
    let mut own;
    let model = if args.no_restore {
        let p = args.model.as_ref().context(
            "--no-restore needs --model (e.g. crates/newsmill-nlp/models/ner-de.bin.zst)",
        )?;
        own = Model::from_bytes(&fs_err::read(p)?).with_context(|| p.display().to_string())?;
        own.set_restoring(false);
        &own
    } else {
        nlp.model(&args.lang)?
    };
    let load = t_load.elapsed();
    let docs = match args.on {
        On::Dev => read_docs(&path)?,
        On::Held => part_of(read_docs(&path)?, Part::Held, args.fold),
    };
    println!("{} {:?}: {}", args.lang, args.on, path.display());
    score(model, &docs, args.write.as_deref())?;
    println!("model loaded in {:.3} s", load.as_secs_f64());
    Ok(())
}

/// Tags `docs`, prints the conlleval table and the tagging speed, returns overall F1.
pub(crate) fn score(model: &Model, docs: &[TrainDoc], write: Option<&Path>) -> anyhow::Result<f64> {
    let n_tokens: usize = docs.iter().flat_map(|d| &d.sents).map(Vec::len).sum();
    let t0 = Instant::now();
    let predicted: Vec<Vec<Vec<Label>>> = docs.iter().map(|d| model.tag_doc(&d.sents)).collect();
    let secs = t0.elapsed().as_secs_f64();

    // Per type: (correct, gold, predicted).
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut out = String::new();
    for (doc, pred) in docs.iter().zip(&predicted) {
        for ((sent, gold), pred) in doc.sents.iter().zip(&doc.labels).zip(pred) {
            let g = spans(gold);
            let p = spans(pred);
            for s in &g {
                counts.entry(s.2).or_default().1 += 1;
                if p.contains(s) {
                    counts.entry(s.2).or_default().0 += 1;
                }
            }
            for s in &p {
                counts.entry(s.2).or_default().2 += 1;
            }
            if write.is_some() {
                for ((tok, gl), pl) in sent.iter().zip(gold).zip(pred) {
                    out.push_str(&format!("{tok} {} {}\n", gl.iob2(), pl.iob2()));
                }
                out.push('\n');
            }
        }
    }
    if let Some(p) = write {
        fs_err::write(p, out)?;
    }
    let prf = |(c, g, p): (usize, usize, usize)| {
        let pr = if p > 0 { c as f64 / p as f64 } else { 0.0 };
        let rc = if g > 0 { c as f64 / g as f64 } else { 0.0 };
        let f = if pr + rc > 0.0 {
            2.0 * pr * rc / (pr + rc)
        } else {
            0.0
        };
        (100.0 * pr, 100.0 * rc, 100.0 * f)
    };
    println!("{} documents, {n_tokens} tokens", docs.len());
    println!(
        "{:<8} {:>9} {:>9} {:>9} {:>6}",
        "type", "precision", "recall", "F1", "gold"
    );
    let mut total = (0, 0, 0);
    for (t, &c) in &counts {
        let (p, r, f) = prf(c);
        println!("{t:<8} {p:>9.2} {r:>9.2} {f:>9.2} {:>6}", c.1);
        total = (total.0 + c.0, total.1 + c.1, total.2 + c.2);
    }
    let (p, r, f) = prf(total);
    println!("{:<8} {p:>9.2} {r:>9.2} {f:>9.2} {:>6}", "overall", total.1);
    println!(
        "model: {} features; tagging {:.0} tokens/s on one core (features and decoding, tokens in memory)",
        model.n_features(),
        n_tokens as f64 / secs
    );
    Ok(f)
}
