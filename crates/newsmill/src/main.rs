//! The `newsmill` binary: parses arguments, wires the stages, reports errors per input.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod batch;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// How a run ended (uv, ruff): 0 ok, 1 some inputs failed, 2 usage or fatal error, 3 the
/// store or the output could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Everything worked.
    Success,
    /// The run finished but some inputs failed (each was reported); for `check`, the store
    /// has damage (each problem was reported).
    Failure,
    /// The run could not go on (bad usage, missing model, no store where one was named).
    Error,
    /// Nothing more could be written: the disk is full or read-only, the store is locked by
    /// another ingest, or the store is damaged (missing marker, corrupt index or state).
    WriteFailed,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
            ExitStatus::WriteFailed => ExitCode::from(3),
        }
    }
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            if output::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("newsmill: {}", output::error_message(&err));
            if output::is_write_failure(&err) {
                ExitStatus::WriteFailed.into()
            } else {
                ExitStatus::Error.into()
            }
        }
    }
}
