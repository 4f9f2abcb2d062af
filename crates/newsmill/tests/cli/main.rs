//! CLI contract tests: one test binary, one module per area (ripgrep's layout).
//!
//! Each test runs the real `newsmill` binary and checks exit code, stdout and stderr.

mod analyze;
mod follow;
mod ingest;
mod ner;
mod readme;
mod store;
mod stories;
mod util;
