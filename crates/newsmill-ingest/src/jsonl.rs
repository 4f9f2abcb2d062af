//! A crawler's JSON Lines: one page per line, `{"url": ..., "html": ...}`.
//!
//! Each line is an object holding the page, as `html` (read as HTML) or `text` (plain text),
//! and where it came from: `url`, and optionally `content_type` (its charset takes part in
//! decoding) and `fetched_at`. Other fields are ignored. Every line becomes a document whose
//! origin is `FILE#LINE` (1-based); a line that is not such an object is an error naming it,
//! and the other lines are still read.

use newsmill_core::{InputHint, Origin, RawDoc};
use serde_json::Value;

use crate::{IngestError, Result};

/// Whether `bytes` hold page records as JSON Lines: the first non-blank line is an object
/// with an `html` or `text` string, and the file is named `.jsonl`/`.ndjson` or holds another
/// line starting with `{`.
pub fn looks_like_jsonl(name: &str, bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1 << 20)];
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let page = serde_json::from_str::<Value>(first).is_ok_and(|v| {
        v.get("html").is_some_and(Value::is_string) || v.get("text").is_some_and(Value::is_string)
    });
    let lower = name.to_ascii_lowercase();
    page && (lower.ends_with(".jsonl")
        || lower.ends_with(".ndjson")
        || lines.next().is_some_and(|l| l.starts_with('{')))
}

/// The documents of a JSON Lines file, in line order.
pub fn read_jsonl(name: &str, bytes: &[u8]) -> Vec<Result<RawDoc>> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for (k, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let input = format!("{name}#{}", k + 1);
        out.push(read_line(&input, line));
    }
    out
}

fn read_line(input: &str, line: &str) -> Result<RawDoc> {
    let fail = |message: &str| IngestError::Jsonl {
        input: input.to_string(),
        message: message.to_string(),
    };
    let v: Value = serde_json::from_str(line).map_err(|e| fail(&format!("not JSON: {e}")))?;
    let (hint, content) = match (v.get("html"), v.get("text")) {
        (Some(Value::String(h)), _) => (InputHint::Html, h),
        (_, Some(Value::String(t))) => (InputHint::Text, t),
        _ => return Err(fail("no \"html\" or \"text\" string")),
    };
    let string = |key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut doc = RawDoc::new(
        Origin::Path(input.to_string()),
        hint,
        content.as_bytes().to_vec(),
    );
    doc.url = string("url");
    doc.fetched_at = string("fetched_at");
    // The page is already text in the JSON: only its own declarations name a charset.
    doc.content_type =
        string("content_type").map(|ct| ct.split(';').next().unwrap_or("").trim().to_string());
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_documents_with_their_url() {
        let bytes = br#"{"url": "https://example.org/a", "html": "<p>One</p>", "status": 200}

{"url": "https://example.org/b", "text": "Two", "fetched_at": "2024-06-19T10:00:00Z"}
not json
{"url": "https://example.org/c"}
"#;
        assert!(looks_like_jsonl("crawl.jsonl", bytes));
        assert!(looks_like_jsonl("crawl.txt", bytes));
        assert!(!looks_like_jsonl("page.json", br#"{"html": "<p>x</p>"}"#));
        assert!(!looks_like_jsonl(
            "feed.json",
            br#"{"version": "x", "items": []}"#
        ));
        let docs = read_jsonl("crawl.jsonl", bytes);
        assert_eq!(docs.len(), 4);
        let a = docs[0].as_ref().unwrap();
        assert_eq!(a.origin.to_string(), "crawl.jsonl#1");
        assert_eq!(a.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(a.hint, InputHint::Html);
        let b = docs[1].as_ref().unwrap();
        assert_eq!(b.origin.to_string(), "crawl.jsonl#3");
        assert_eq!(b.hint, InputHint::Text);
        assert_eq!(b.fetched_at.as_deref(), Some("2024-06-19T10:00:00Z"));
        let e = docs[2].as_ref().unwrap_err();
        assert_eq!(e.input(), "crawl.jsonl#4");
        assert!(e.to_string().contains("not JSON"), "{e}");
        let e = docs[3].as_ref().unwrap_err();
        assert!(e.to_string().contains("no \"html\""), "{e}");
    }
}
