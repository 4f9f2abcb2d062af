//! A strict reader of CoNLL column files (one token per line, blank lines between sentences,
//! `-DOCSTART-` lines between documents).
//!
//! Bad input is an error naming the line: bytes that are not UTF-8, a line longer than
//! [`MAX_LINE_BYTES`], a token line that starts with whitespace (an empty first column), or a
//! token line whose number of columns differs from the first token line's (stray columns).

/// The longest line accepted, in bytes.
pub const MAX_LINE_BYTES: usize = 4096;

/// What a line of a CoNLL file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A `-DOCSTART-` line: a document boundary.
    DocStart,
    /// An empty (or all-whitespace) line: a sentence boundary.
    Blank,
    /// A token line; the token is its first column.
    Token,
}

/// One line of a CoNLL file, without its line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line as read, without `\n` or `\r\n`.
    pub text: &'a str,
    /// What the line is.
    pub kind: LineKind,
    /// The first column (empty unless `kind` is `Token`).
    pub token: &'a str,
}

/// A CoNLL reading error, naming the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ConllError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Splits `input` into lines and checks them. The last line may lack a newline.
pub fn parse(input: &[u8]) -> Result<Vec<Line<'_>>, ConllError> {
    let mut out = Vec::new();
    let mut columns: Option<(usize, usize)> = None;
    let mut rest = input;
    let mut lineno = 0;
    while !rest.is_empty() {
        lineno += 1;
        let (raw, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > MAX_LINE_BYTES {
            return Err(ConllError {
                line: lineno,
                message: format!(
                    "line too long ({} bytes, at most {MAX_LINE_BYTES})",
                    raw.len()
                ),
            });
        }
        let text = std::str::from_utf8(raw).map_err(|e| ConllError {
            line: lineno,
            message: format!("not UTF-8 (invalid byte at column {})", e.valid_up_to() + 1),
        })?;
        out.push(classify(text, lineno, &mut columns)?);
    }
    Ok(out)
}

fn classify<'a>(
    text: &'a str,
    lineno: usize,
    columns: &mut Option<(usize, usize)>,
) -> Result<Line<'a>, ConllError> {
    if text.trim().is_empty() {
        return Ok(Line {
            text,
            kind: LineKind::Blank,
            token: "",
        });
    }
    if text.starts_with(char::is_whitespace) {
        return Err(ConllError {
            line: lineno,
            message: "starts with whitespace (empty first column)".into(),
        });
    }
    let mut cols = text.split_whitespace();
    let token = cols.next().unwrap_or("");
    if token == "-DOCSTART-" {
        return Ok(Line {
            text,
            kind: LineKind::DocStart,
            token: "",
        });
    }
    let n = 1 + cols.count();
    match *columns {
        None => *columns = Some((n, lineno)),
        Some((expected, first)) if expected != n => {
            return Err(ConllError {
                line: lineno,
                message: format!(
                    "{n} columns, but line {first} has {expected} (stray or missing columns)"
                ),
            });
        }
        Some(_) => {}
    }
    Ok(Line {
        text,
        kind: LineKind::Token,
        token,
    })
}

/// Groups parsed lines into documents (split at `-DOCSTART-`), each a list of sentences, each a
/// list of line indexes into `lines`.
pub fn documents(lines: &[Line<'_>]) -> Vec<Vec<Vec<usize>>> {
    let mut docs = Vec::new();
    let mut doc: Vec<Vec<usize>> = Vec::new();
    let mut sent: Vec<usize> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        match l.kind {
            LineKind::Token => sent.push(i),
            LineKind::Blank => {
                if !sent.is_empty() {
                    doc.push(std::mem::take(&mut sent));
                }
            }
            LineKind::DocStart => {
                if !sent.is_empty() {
                    doc.push(std::mem::take(&mut sent));
                }
                if !doc.is_empty() {
                    docs.push(std::mem::take(&mut doc));
                }
            }
        }
    }
    if !sent.is_empty() {
        doc.push(sent);
    }
    if !doc.is_empty() {
        docs.push(doc);
    }
    docs
}

/// Like [`documents`], but a file without any `-DOCSTART-` line is cut into documents of
/// `window` sentences: consecutive sentences of such files (the CoNLL-2002 Spanish and Dutch
/// copies lost their document marks) mostly come from one article, and the tagger's
/// document-level features should read one article, not the whole file.
pub fn documents_or_windows(lines: &[Line<'_>], window: usize) -> Vec<Vec<Vec<usize>>> {
    let docs = documents(lines);
    if window == 0 || lines.iter().any(|l| l.kind == LineKind::DocStart) {
        return docs;
    }
    docs.into_iter()
        .flat_map(|d| {
            d.chunks(window)
                .map(<[Vec<usize>]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_columns_and_docstart() {
        let input = b"-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\r\n";
        let lines = parse(input).unwrap();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0].kind, LineKind::DocStart);
        assert_eq!(lines[2].token, "EU");
        assert_eq!(lines[5].text, "Peter NNP B-NP B-PER");
        assert_eq!(documents(&lines), vec![vec![vec![2, 3], vec![5]]]);
        // Marked documents are kept whole; an unmarked file is cut into windows.
        assert_eq!(documents_or_windows(&lines, 1), documents(&lines));
        let lines = parse(b"a O\n\nb O\n\nc O\n").unwrap();
        assert_eq!(
            documents_or_windows(&lines, 2),
            vec![vec![vec![0], vec![2]], vec![vec![4]]]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse(b"a B\nb C D\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("line 2: 3 columns"));
        let e = parse(b"a\n\xff\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("not UTF-8"));
        let long = vec![b'a'; MAX_LINE_BYTES + 1];
        assert_eq!(parse(&long).unwrap_err().line, 1);
        assert_eq!(parse(b"a\n b\n").unwrap_err().line, 2);
    }

    proptest! {
        // Any input either fails with a line inside the input, or gives one line per input line
        // whose text is the input line and whose token is its first column.
        #[test]
        fn parse_keeps_every_line(input in proptest::collection::vec(any::<u8>(), 0..300)) {
            let n_lines = input.split(|&b| b == b'\n').count()
                - usize::from(input.last() == Some(&b'\n') || input.is_empty());
            match parse(&input) {
                Ok(lines) => {
                    prop_assert_eq!(lines.len(), n_lines);
                    for l in &lines {
                        if l.kind == LineKind::Token {
                            prop_assert_eq!(l.text.split_whitespace().next(), Some(l.token));
                        }
                    }
                }
                Err(e) => prop_assert!(e.line >= 1 && e.line <= n_lines.max(1)),
            }
        }

        // Well-formed token files round-trip: every token comes back in order.
        #[test]
        fn tokens_round_trip(
            sents in proptest::collection::vec(
                proptest::collection::vec("[A-Za-z0-9.,-]{1,8}", 1..6), 0..5)
        ) {
            let mut text = String::from("-DOCSTART- O\n\n");
            for s in &sents {
                for t in s {
                    text.push_str(t);
                    text.push_str(" O\n");
                }
                text.push('\n');
            }
            let lines = parse(text.as_bytes()).unwrap();
            let docs = documents(&lines);
            let got: Vec<Vec<&str>> = docs.iter().flatten()
                .map(|s| s.iter().map(|&i| lines[i].token).collect()).collect();
            let want: Vec<Vec<&str>> = sents.iter()
                .map(|s| s.iter().map(String::as_str).collect()).collect();
            prop_assert_eq!(got, want);
        }
    }
}
