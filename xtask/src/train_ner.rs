//! `cargo xtask train-ner`: trains the NER model on CoNLL-2003 train and writes it into
//! crates/newsmill-nlp/models/ner-en.bin.zst. Deterministic for a given seed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use newsmill_nlp::conll::{self, LineKind};
use newsmill_nlp::{TrainConfig, TrainDoc, from_iob};

/// Arguments of `train-ner`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrainNerArgs {
    /// Passes over the training data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    epochs: usize,
    /// Seed of the document shuffle.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Drop features seen fewer times than this.
    #[arg(long, default_value_t = TrainConfig::default().min_count)]
    min_count: u32,
    /// Train stage 1 only (no prediction aggregation).
    #[arg(long)]
    one_stage: bool,
    /// Average this many perceptrons trained on different shuffles (parameter mixing).
    #[arg(long, default_value_t = TrainConfig::default().mix)]
    mix: usize,
    /// Where to write the model (default: the crate's embedded model file).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also score the trained model (before quantisation) on the dev split.
    #[arg(long)]
    eval_dev: bool,
}

/// The newsmill-nlp crate directory.
pub(crate) fn nlp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/newsmill-nlp")
}

/// Reads a CoNLL file into training documents (token = first column, tag = last column).
pub(crate) fn read_docs(path: &Path) -> anyhow::Result<Vec<TrainDoc>> {
    let bytes = fs_err::read(path)?;
    let lines = conll::parse(&bytes).with_context(|| path.display().to_string())?;
    let mut docs = Vec::new();
    for doc in conll::documents(&lines) {
        let mut d = TrainDoc::default();
        for sent in doc {
            let toks: Vec<String> = sent.iter().map(|&i| lines[i].token.to_string()).collect();
            let tags: Vec<&str> = sent
                .iter()
                .map(|&i| lines[i].text.split_whitespace().last().unwrap_or("O"))
                .collect();
            d.labels.push(from_iob(&tags));
            d.sents.push(toks);
        }
        docs.push(d);
    }
    debug_assert!(
        lines
            .iter()
            .all(|l| l.kind != LineKind::Token || !l.token.is_empty())
    );
    Ok(docs)
}

/// Builds the resources blob from crates/newsmill-nlp/resources: every `gazetteers/KIND.txt`
/// becomes a `#gaz KIND` section and `clusters.txt` (`bits<TAB>word<TAB>count`, as Brown
/// clustering tools write it) the `#clusters` section, and `case.txt` (`word<TAB>ratio`) the
/// `#case` section.
pub(crate) fn resources_blob() -> anyhow::Result<String> {
    let dir = nlp_dir().join("resources");
    let mut blob = String::new();
    let mut gaz: Vec<PathBuf> = fs_err::read_dir(dir.join("gazetteers"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    gaz.sort();
    for p in gaz {
        let kind = p
            .file_stem()
            .and_then(|s| s.to_str())
            .context("gazetteer file name")?;
        blob.push_str(&format!("#gaz {kind}\n"));
        for line in fs_err::read_to_string(&p)?.lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                blob.push_str(line);
                blob.push('\n');
            }
        }
    }
    let clusters = dir.join("clusters.txt");
    if clusters.exists() {
        blob.push_str("#clusters\n");
        for line in fs_err::read_to_string(&clusters)?.lines() {
            let mut cols = line.split('\t');
            if let (Some(bits), Some(word)) = (cols.next(), cols.next()) {
                blob.push_str(word);
                blob.push('\t');
                blob.push_str(bits);
                blob.push('\n');
            }
        }
    }
    let case = dir.join("case.txt");
    if case.exists() {
        blob.push_str("#case\n");
        for line in fs_err::read_to_string(&case)?.lines() {
            if line.contains('\t') {
                blob.push_str(line);
                blob.push('\n');
            }
        }
    }
    Ok(blob)
}

pub(crate) fn run(data: &Path, args: &TrainNerArgs) -> anyhow::Result<()> {
    let train_path = data.join("ner/conll2003/train.txt");
    if !train_path.exists() {
        println!(
            "xtask: train-ner: {} not found, nothing to do",
            train_path.display()
        );
        return Ok(());
    }
    let t0 = Instant::now();
    let docs = read_docs(&train_path)?;
    let blob = resources_blob()?;
    let cfg = TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        min_count: args.min_count,
        two_stage: !args.one_stage,
        mix: args.mix,
    };
    let n_tokens: usize = docs.iter().flat_map(|d| &d.sents).map(Vec::len).sum();
    println!(
        "training on {} documents, {n_tokens} tokens, {} epochs, seed {}, mix {}",
        docs.len(),
        cfg.epochs,
        cfg.seed,
        cfg.mix
    );
    let model = newsmill_nlp::train(&docs, &blob, &cfg, |stage, epoch, acc| {
        println!(
            "  {stage}, epoch {epoch:>2}: train token accuracy {:.4} ({:.0?})",
            acc,
            t0.elapsed()
        );
    });
    let bytes = model.to_bytes();
    let model = if args.eval_dev {
        let nlp = newsmill_nlp::Nlp::from_model(model);
        let dev = read_docs(&data.join("ner/conll2003/dev.txt"))?;
        println!("unquantised model on dev:");
        crate::eval_ner::score(&nlp, &dev, None)?;
        nlp.into_model()
    } else {
        model
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| nlp_dir().join("models/ner-en.bin.zst"));
    fs_err::write(&out, &bytes)?;
    println!(
        "wrote {} ({} features, {:.1} MB) in {:.1?}",
        out.display(),
        model.n_features(),
        bytes.len() as f64 / 1e6,
        t0.elapsed()
    );
    Ok(())
}
