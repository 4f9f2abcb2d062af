//! Writing records to stdout and reporting per-input errors on stderr.

use std::io::{self, Write};

use serde::Serialize;

use crate::args::Format;

/// Writes one value in `format`: pretty JSON followed by a newline, or one JSON line.
pub(crate) fn write_value<W: Write, T: Serialize>(
    out: &mut W,
    format: Format,
    value: &T,
) -> io::Result<()> {
    match format {
        Format::Json => serde_json::to_writer_pretty(&mut *out, value)?,
        Format::Jsonl => serde_json::to_writer(&mut *out, value)?,
    }
    out.write_all(b"\n")
}

/// Prints `newsmill: <input>: <message>` on stderr.
pub(crate) fn report(input: &str, message: &dyn std::fmt::Display) {
    eprintln!("newsmill: {input}: {message}");
}

/// True when the error chain holds a broken pipe (stdout closed by `head`): exit quietly.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
