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

/// The story stage's committed state could not be read: the store is damaged, and
/// `newsmill stories --rebuild` makes the state again from the stored records.
#[derive(Debug, thiserror::Error)]
#[error(
    "{dir}: the story state of the last commit is unreadable ({message}); `newsmill stories --rebuild --data {dir}` rebuilds it from the stored records"
)]
pub(crate) struct BrokenStoryState {
    pub(crate) dir: String,
    pub(crate) message: String,
}

/// True when the error chain says nothing more could be written (exit code 3): the disk is
/// full or read-only, the store is locked by another writer or is damaged.
pub(crate) fn is_write_failure(err: &anyhow::Error) -> bool {
    use newsmill_index::IndexError;
    err.chain().any(|e| {
        if let Some(e) = e.downcast_ref::<IndexError>() {
            return matches!(
                e,
                IndexError::Locked { .. }
                    | IndexError::NoMarker { .. }
                    | IndexError::Corrupt { .. }
                    | IndexError::Format { .. }
                    | IndexError::Io { .. }
                    | IndexError::Tantivy { .. }
            );
        }
        if e.downcast_ref::<BrokenStoryState>().is_some() {
            return true;
        }
        e.downcast_ref::<io::Error>().is_some_and(|e| {
            matches!(
                e.kind(),
                io::ErrorKind::StorageFull
                    | io::ErrorKind::QuotaExceeded
                    | io::ErrorKind::ReadOnlyFilesystem
                    | io::ErrorKind::FileTooLarge
            )
        })
    })
}
