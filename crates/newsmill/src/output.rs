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

/// Failures grouped by reason: the first [`ErrorGroups::SHOWN`] inputs that fail for one
/// reason are reported one by one, the rest counted and summed up at the end, so a feed list
/// read without network prints a few lines and a count, not one line per URL. Reasons are
/// compared with their URLs and numbers masked (`robots.txt of https://a.example/ ...` and
/// `... of https://b.example/ ...` are one reason).
#[derive(Debug, Default)]
pub(crate) struct ErrorGroups {
    /// Per masked reason: how many failed, and one full reason as an example.
    groups: std::collections::HashMap<String, (u64, String)>,
    /// Masked reasons in first-seen order.
    order: Vec<String>,
}

impl ErrorGroups {
    /// Inputs reported one by one per reason.
    pub(crate) const SHOWN: u64 = 3;

    /// Notes a failure; true when it is to be reported on its own line.
    pub(crate) fn note(&mut self, reason: &str) -> bool {
        let key = mask(reason);
        let entry = self.groups.entry(key.clone()).or_insert_with(|| {
            self.order.push(key);
            (0, reason.to_string())
        });
        entry.0 += 1;
        entry.0 <= Self::SHOWN
    }

    /// One line per reason with failures not reported on their own, in first-seen order:
    /// `171 more inputs failed like the above: robots.txt of https://a.example/ ...`.
    pub(crate) fn summary(&self) -> Vec<String> {
        self.order
            .iter()
            .filter_map(|k| {
                let (n, example) = &self.groups[k];
                let hidden = n.saturating_sub(Self::SHOWN);
                (hidden > 0).then(|| {
                    let s = if hidden == 1 { "" } else { "s" };
                    format!(
                        "{hidden} more input{s} failed the same way ({n} in all), e.g.: {example}"
                    )
                })
            })
            .collect()
    }
}

/// A reason with URLs and digits masked, to group failures that differ only in them.
fn mask(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for (i, word) in reason.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = word.trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')' | ',' | ':'));
        if bare.starts_with("http://") || bare.starts_with("https://") || bare.contains("://") {
            out.push_str("<url>");
        } else {
            out.extend(
                word.chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c }),
            );
        }
    }
    out
}

/// An error and its causes, `: `-joined like anyhow's `{:#}`, leaving out a cause whose text
/// the message already holds: many library errors print their source in their own message
/// ("binding 127.0.0.1:8080: Address already in use (os error 98)") and name it as the
/// source too, which `{:#}` would print twice.
pub(crate) fn error_message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::error_message;

    // See: issue 23 ("Address already in use (os error 98): Address already in use (os error 98)").
    #[test]
    fn regression_23_a_cause_the_message_already_holds_is_printed_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("binding 127.0.0.1:8080: {source}")]
        struct Bind {
            source: std::io::Error,
        }
        let io = std::io::Error::new(std::io::ErrorKind::AddrInUse, "Address already in use");
        let err = anyhow::Error::new(Bind { source: io }).context("serving");
        assert_eq!(
            error_message(&err),
            "serving: binding 127.0.0.1:8080: Address already in use"
        );
        let plain = anyhow::anyhow!("no such file").context("reading a.html");
        assert_eq!(error_message(&plain), "reading a.html: no such file");
    }

    // See: issue 23 (each feed URL printed its own robots.txt error, 174 lines).
    #[test]
    fn regression_23_repeated_errors_are_grouped() {
        let mut g = super::ErrorGroups::default();
        let shown: Vec<bool> = (0..10)
            .map(|i| {
                g.note(&format!(
                    "robots.txt of https://h{i}.example/ could not be read: error 11"
                ))
            })
            .collect();
        assert_eq!(shown.iter().filter(|s| **s).count(), 3);
        assert!(g.note("no article text found"));
        assert_eq!(
            g.summary(),
            vec![
                "7 more inputs failed the same way (10 in all), e.g.: robots.txt of https://h0.example/ could not be read: error 11"
                    .to_string()
            ]
        );
    }
}
