//! The CoNLL reader on arbitrary bytes: never panics; on success every line of the input comes
//! back once, in order, with its first column as the token, and the documents cover exactly the
//! token lines; on failure the error names a line of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_nlp::conll::{self, LineKind};

fuzz_target!(|data: &[u8]| {
    let n_lines = if data.is_empty() {
        0
    } else {
        data.split(|&b| b == b'\n').count() - usize::from(data.last() == Some(&b'\n'))
    };
    match conll::parse(data) {
        Ok(lines) => {
            assert_eq!(lines.len(), n_lines);
            let mut token_lines = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                if l.kind == LineKind::Token {
                    assert_eq!(l.text.split_whitespace().next(), Some(l.token));
                    token_lines.push(i);
                }
            }
            let in_docs: Vec<usize> = conll::documents(&lines)
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            assert_eq!(in_docs, token_lines);
        }
        Err(e) => assert!(e.line >= 1 && e.line <= n_lines.max(1)),
    }
});
