//! One module per subcommand.

mod analyze;
mod ner;
mod serve;
mod stories;

use crate::ExitStatus;
use crate::args::{Cli, Command};

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Ner(args) => ner::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Stories(args) => stories::run(args),
    }
}
