//! `cargo xtask`: dataset evaluations and training, kept out of `cargo test`.
//!
//! Every task that needs ../shared/data says so and exits 0 when the data is absent, so a fresh
//! clone without it stays green.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
}

#[derive(Debug, Subcommand)]
enum Eval {
    /// Extraction on ../shared/data/extraction/dev (filled in by the extraction work).
    Extract,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::Eval(e) => match e {
            Eval::Extract => {
                eprintln!(
                    "xtask: eval extract: not written yet ({})",
                    cli.data.display()
                );
                Ok(())
            }
        },
    }
}
