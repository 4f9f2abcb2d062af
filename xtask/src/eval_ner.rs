//! `cargo xtask eval ner`: the NER model on CoNLL-2003 dev, with conlleval semantics (an entity
//! is correct when its type, first and last token all match), per type and overall, plus the
//! tagging speed in tokens per second on one core.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use newsmill_nlp::{Label, Nlp, TrainDoc};

use crate::train_ner::read_docs;

/// Arguments of `eval ner`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalNerArgs {
    /// A model file to evaluate instead of the embedded one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Also write `token gold predicted` lines here, for ../shared/tools/conlleval.py.
    #[arg(long)]
    write: Option<PathBuf>,
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
    let dev_path = data.join("ner/conll2003/dev.txt");
    if !dev_path.exists() {
        println!(
            "xtask: eval ner: {} not found, nothing to do",
            dev_path.display()
        );
        return Ok(());
    }
    let t_load = Instant::now();
    let nlp = match &args.model {
        Some(p) => {
            Nlp::from_model_bytes(&fs_err::read(p)?).with_context(|| p.display().to_string())?
        }
        None => Nlp::embedded().context("embedded model")?,
    };
    let load = t_load.elapsed();
    let docs = read_docs(&dev_path)?;
    score(&nlp, &docs, args.write.as_deref())?;
    println!("model loaded in {:.3} s", load.as_secs_f64());
    Ok(())
}

/// Tags `docs`, prints the conlleval table and the tagging speed, returns overall F1.
pub(crate) fn score(nlp: &Nlp, docs: &[TrainDoc], write: Option<&Path>) -> anyhow::Result<f64> {
    let n_tokens: usize = docs.iter().flat_map(|d| &d.sents).map(Vec::len).sum();
    let t0 = Instant::now();
    let predicted: Vec<Vec<Vec<Label>>> = docs.iter().map(|d| nlp.tag_tokens(&d.sents)).collect();
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
    println!(
        "NER on CoNLL-2003 dev ({} documents, {n_tokens} tokens)",
        docs.len()
    );
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
        nlp.model().n_features(),
        n_tokens as f64 / secs
    );
    Ok(f)
}
