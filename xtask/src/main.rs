//! `cargo xtask`: dataset evaluations and training, kept out of `cargo test`.
//!
//! Every task that needs ../shared/data says so and exits 0 when the data is absent, so a fresh
//! clone without it stays green.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod bench_ingest;
mod bench_ner;
mod eval_dates;
mod eval_extract;
mod eval_lang;
mod eval_ner;
mod eval_quotes;
mod eval_stories;
mod extract_audit;
mod extract_lso;
mod extract_meta;
mod extract_metrics;
mod train_ner;

#[derive(Debug, Parser)]
#[command(name = "xtask")]
struct Cli {
    /// Where the shared datasets live.
    #[arg(
        long,
        global = true,
        env = "NEWSMILL_SHARED",
        default_value = "../shared/data"
    )]
    data: PathBuf,
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Evaluate a stage on its dev set.
    #[command(subcommand)]
    Eval(Eval),
    /// Train the NER model of a language on its training split in ../shared/data/ner (writes
    /// the embedded model crates/newsmill-nlp/models/ner-L.bin.zst).
    TrainNer(train_ner::TrainNerArgs),
    /// `newsmill ner --conll --lang L` end to end on each language's dev split: tokens/s/core
    /// (CPU time) and peak memory.
    BenchNer(bench_ner::Args),
    /// Train the story join/new-story model on ../shared/data/clustering/dev (writes
    /// crates/newsmill-stories/model/stories.json).
    TrainStories {
        /// Where to write the model.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Learn the English quote cue words (`cues`) or the cue model (`model`, the default) on
    /// PolNeAR train (writes crates/newsmill-nlp/data/quotes/cues-learned-en.txt or
    /// cue-model-en.txt.zst).
    TrainQuotes(eval_quotes::TrainArgs),
    /// Dedup + story assignment speed and peak memory on a stream synthesised from the
    /// clustering dev texts.
    BenchStories {
        /// Documents in the stream.
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
    },
    /// Ingest throughput (docs/s/core from WARC to stored and searchable) and peak memory on a
    /// WARC built from the extraction dev pages; `--search N` adds search latency p50/p99.
    BenchIngest(bench_ingest::Args),
    /// MinHash signature speed on the clustering dev texts (datasketch side by side:
    /// scripts/datasketch_side_by_side.py).
    BenchMinhash {
        /// Passes over the texts.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
    },
}

#[derive(Debug, Subcommand)]
enum Eval {
    /// Extraction on ../shared/data/extraction/dev: shingle P/R/F1 per subset, snippet scores,
    /// title accuracy, ms/page.
    Extract(eval_extract::Args),
    /// Dates on ../shared/data/time/timebank: strict and relaxed span F1, value F1 and per type,
    /// on a development half and a held-out half of the articles.
    Dates(eval_dates::Args),
    /// NER on a language's dev split (or the held-out fifth of train): conlleval F1 per type
    /// and tokens/s.
    Ner(eval_ner::EvalNerArgs),
    /// Who said what on ../shared/data/quotes/polnear: attribution P/R/F1, speaker accuracy,
    /// direct-quote recall, on dev and on the held-out part of train.
    Quotes(eval_quotes::Args),
    /// Short-text language guesses (`newsmill_lang::guess_short`) on the short sentences of
    /// the NER dev sets: right, wrong and unknown per language.
    LangShort,
    /// Story clustering on ../shared/data/clustering/dev: BCubed and pairwise P/R/F1, docs/s.
    Stories {
        /// Also estimate held-out quality: K folds of topics, each clustered by a model trained
        /// on the others.
        #[arg(long, default_value_t = 0)]
        cv: usize,
        /// Write the predictions as JSON Lines {id, cluster} (for bcubed.py).
        #[arg(long)]
        pred: Option<PathBuf>,
        /// Also score N other arrival orders (seeded shuffles of the file) and print the mean:
        /// one order's figure moves by a point when one merge goes the other way.
        #[arg(long, default_value_t = 0)]
        orders: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::TrainNer(args) => train_ner::run(&cli.data, &args),
        Task::TrainQuotes(args) => eval_quotes::train(&cli.data, &args),
        Task::TrainStories { out } => eval_stories::train(
            &cli.data,
            &out.unwrap_or_else(eval_stories::default_model_path),
        ),
        Task::BenchStories { docs } => eval_stories::bench(&cli.data, docs),
        Task::BenchIngest(args) => bench_ingest::run(&cli.data, &args),
        Task::BenchNer(args) => bench_ner::run(&cli.data, &args),
        Task::BenchMinhash { repeat } => eval_stories::bench_minhash(&cli.data, repeat),
        Task::Eval(e) => match e {
            Eval::Ner(args) => eval_ner::run(&cli.data, &args),
            Eval::Dates(args) => eval_dates::run(&cli.data, &args),
            Eval::Stories { cv, pred, orders } => eval_stories::eval(&cli.data, cv, pred, orders),
            Eval::Extract(args) => eval_extract::run(&cli.data, &args),
            Eval::Quotes(args) => eval_quotes::run(&cli.data, &args),
            Eval::LangShort => eval_lang::run(&cli.data),
        },
    }
}
