//! `cargo xtask`: dataset evaluations and training, kept out of `cargo test`.
//!
//! Every task that needs ../shared/data says so and exits 0 when the data is absent, so a fresh
//! clone without it stays green.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod eval_extract;
mod eval_ner;
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
    /// Train the NER model on ../shared/data/ner/conll2003/train.txt (writes the embedded model).
    TrainNer(train_ner::TrainNerArgs),
}

#[derive(Debug, Subcommand)]
enum Eval {
    /// Extraction on ../shared/data/extraction/dev: shingle P/R/F1 per subset, snippet scores,
    /// title accuracy, ms/page.
    Extract(eval_extract::Args),
    /// NER on ../shared/data/ner/conll2003/dev.txt: conlleval F1 per type and tokens/s.
    Ner(eval_ner::EvalNerArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::TrainNer(args) => train_ner::run(&cli.data, &args),
        Task::Eval(e) => match e {
            Eval::Ner(args) => eval_ner::run(&cli.data, &args),
            Eval::Extract(args) => eval_extract::run(&cli.data, &args),
        },
    }
}
