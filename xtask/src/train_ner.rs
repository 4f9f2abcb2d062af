//! `cargo xtask train-ner [--lang L]`: trains the NER model of language L (default en) on its
//! training split and writes it into crates/newsmill-nlp/models/ner-L.bin.zst. Deterministic for
//! a given seed.
//!
//! English trains on CoNLL-2003 (`ner/conll2003/train.txt`), German, Spanish and Dutch on the
//! CoNLL-2003/2002 copies in `ner/multilingual/L/train.txt`. `--part fit` trains on the first
//! four fifths of the training documents only, so that settings can be chosen on the last fifth
//! (`cargo xtask eval ner --on held`) without touching dev.

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
    /// Language: en, de, es or nl.
    #[arg(long, default_value = "en")]
    pub(crate) lang: String,
    /// Which part of the training split to train on: `all`, or `fit` (the first four fifths of
    /// the documents; the last fifth, `held`, is for choosing settings).
    #[arg(long, default_value = "all")]
    part: Part,
    /// Which fifth `--part fit` leaves out (0..5, in file order; 4, the last, is the one
    /// settings are chosen on; the others give a cross-validation estimate).
    #[arg(long, default_value_t = 4)]
    fold: usize,
}

/// A part of a training split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// All documents.
    All,
    /// Four fifths of the documents (all but fold `--fold`).
    Fit,
    /// The fifth `--fold` (by default the last).
    Held,
}

/// Sentences per pseudo-document when a file has no `-DOCSTART-` lines (the Spanish and Dutch
/// copies lost them): consecutive sentences mostly come from one article.
pub(crate) const WINDOW: usize = newsmill_nlp::UNMARKED_DOC_SENTENCES;

/// The training and dev files of `lang`.
pub(crate) fn split_paths(data: &Path, lang: &str) -> (PathBuf, PathBuf) {
    let dir = if lang == "en" {
        data.join("ner/conll2003")
    } else {
        data.join("ner/multilingual").join(lang)
    };
    (dir.join("train.txt"), dir.join("dev.txt"))
}

/// The documents of `part`, with fold `fold` (0..5, contiguous fifths of the documents in file
/// order) held out: `Held` is that fifth, `Fit` the rest.
pub(crate) fn part_of(docs: Vec<TrainDoc>, part: Part, fold: usize) -> Vec<TrainDoc> {
    let n = docs.len();
    let held = |i: usize| i * 5 / n.max(1) == fold;
    match part {
        Part::All => docs,
        Part::Fit => docs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !held(*i))
            .map(|(_, d)| d)
            .collect(),
        Part::Held => docs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| held(*i))
            .map(|(_, d)| d)
            .collect(),
    }
}

/// The newsmill-nlp crate directory.
pub(crate) fn nlp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/newsmill-nlp")
}

/// Reads a CoNLL file into training documents (token = first column, tag = last column); a file
/// without `-DOCSTART-` lines is cut into documents of [`WINDOW`] sentences.
pub(crate) fn read_docs(path: &Path) -> anyhow::Result<Vec<TrainDoc>> {
    let bytes = fs_err::read(path)?;
    let lines = conll::parse(&bytes).with_context(|| path.display().to_string())?;
    let mut docs = Vec::new();
    for doc in conll::documents_or_windows(&lines, WINDOW) {
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
/// becomes a `#gaz KIND` section (the shared `gazetteers/` and the language's own
/// `L/gazetteers/`), `L/clusters.txt` (`bits<TAB>word`, as Brown clustering tools write it) the
/// `#clusterx` section, `L/freq.txt` (`word<TAB>band`) the `#freq` section, `L/config.txt`
/// (feature settings) the `#config` section and `L/case.txt` (`word<TAB>ratio`) the `#case`
/// section; each where the language has the file.
pub(crate) fn resources_blob(lang: &str) -> anyhow::Result<String> {
    let root = nlp_dir().join("resources");
    let dir = root.join(lang);
    if !dir.is_dir() {
        anyhow::bail!("no resources for language {lang:?} in {}", root.display());
    }
    let mut blob = String::new();
    // The shared gazetteers, then the language's own.
    let mut gaz: Vec<PathBuf> = Vec::new();
    for g in [root.join("gazetteers"), dir.join("gazetteers")] {
        if g.is_dir() {
            let mut files: Vec<PathBuf> = fs_err::read_dir(&g)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            gaz.extend(files);
        }
    }
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
        // Paths as hex of `1 << len | bits`: a third of the bytes of the 0/1 strings.
        blob.push_str("#clusterx\n");
        for line in fs_err::read_to_string(&clusters)?.lines() {
            let mut cols = line.split('\t');
            if let (Some(bits), Some(word)) = (cols.next(), cols.next())
                && bits.len() <= 32
                && let Ok(b) = u64::from_str_radix(bits, 2)
            {
                blob.push_str(&format!("{word}\t{:x}\n", (1u64 << bits.len()) | b));
            }
        }
    }
    // Word frequency bands (`word<TAB>band`) and feature settings (`affix N`, `layout 0|1`),
    // where the language has them.
    let freq = dir.join("freq.txt");
    if freq.exists() {
        blob.push_str("#freq\n");
        blob.push_str(&fs_err::read_to_string(&freq)?);
    }
    let config = dir.join("config.txt");
    if config.exists() {
        blob.push_str("#config\n");
        for line in fs_err::read_to_string(&config)?.lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                blob.push_str(line);
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
    let (train_path, _) = split_paths(data, &args.lang);
    if !train_path.exists() {
        println!(
            "xtask: train-ner: {} not found, nothing to do",
            train_path.display()
        );
        return Ok(());
    }
    let t0 = Instant::now();
    let docs = part_of(read_docs(&train_path)?, args.part, args.fold);
    let blob = resources_blob(&args.lang)?;
    let cfg = TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        min_count: args.min_count,
        two_stage: !args.one_stage,
        mix: args.mix,
    };
    let n_tokens: usize = docs.iter().flat_map(|d| &d.sents).map(Vec::len).sum();
    println!(
        "training {} on {} documents ({:?}), {n_tokens} tokens, {} epochs, seed {}, mix {}",
        args.lang,
        docs.len(),
        args.part,
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
    let bytes = model.to_bytes().context("writing the trained model")?;
    let out = match &args.out {
        Some(p) => p.clone(),
        None if args.part == Part::All => {
            nlp_dir().join(format!("models/ner-{}.bin.zst", args.lang))
        }
        None => {
            anyhow::bail!("--part fit needs --out (the embedded model is trained on all of train)")
        }
    };
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
