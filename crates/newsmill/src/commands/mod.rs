//! One module per subcommand.

mod analyze;
mod check;
mod export;
mod ingest;
mod ner;
mod search;
mod serve;
mod stories;

use crate::ExitStatus;
use crate::args::{Cli, Command};

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Ner(args) => ner::run(args),
        Command::Ingest(args) => ingest::run(args),
        Command::Search(args) => search::run(args),
        Command::Export(args) => export::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Stories(args) => stories::run(args),
        Command::Check(args) => check::run(args),
    }
}
