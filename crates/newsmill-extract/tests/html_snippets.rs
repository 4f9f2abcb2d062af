//! The committed news pages (tests/golden/page-*.html) against the phrases trafilatura's
//! evaluation lists for them (tests/html_expectations.json): each `with` phrase must be in the
//! extracted text, each `without` phrase must not.
//!
//! A page may miss at most one phrase in all: these are real pages, and the point is to catch
//! regressions (a lost first paragraph, a leaked menu), not to demand perfection on each.

use newsmill_core::{InputHint, Origin, RawDoc};
use newsmill_extract::{ExtractConfig, extract};
use serde_json::Value;

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn committed_pages_keep_their_text_and_drop_their_boilerplate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let spec: Value = serde_json::from_str(
        &fs_err::read_to_string(format!("{dir}/html_expectations.json")).unwrap(),
    )
    .unwrap();
    let pages = spec["pages"].as_array().unwrap();
    assert!(pages.len() >= 8);
    let (mut found, mut total) = (0, 0);
    let mut report = Vec::new();
    for page in pages {
        let case = page["case"].as_str().unwrap();
        let bytes = fs_err::read(format!("{dir}/golden/{case}")).unwrap();
        let mut doc = RawDoc::new(Origin::Path(case.into()), InputHint::Html, bytes);
        doc.url = page["url"].as_str().map(str::to_string);
        let record = extract(&doc, &ExtractConfig::default()).unwrap();
        let text = norm(&record.text);
        let mut misses = Vec::new();
        for w in page["with"].as_array().unwrap() {
            total += 1;
            let w = norm(w.as_str().unwrap());
            if text.contains(&w) {
                found += 1;
            } else {
                misses.push(format!("missing {w:?}"));
            }
        }
        for w in page["without"].as_array().unwrap() {
            total += 1;
            let w = norm(w.as_str().unwrap());
            if text.contains(&w) {
                misses.push(format!("leaked {w:?}"));
            } else {
                found += 1;
            }
        }
        if misses.len() > 1 {
            report.push(format!("{case}: {}", misses.join("; ")));
        }
    }
    assert!(
        report.is_empty(),
        "{found}/{total} phrases right\n{}",
        report.join("\n")
    );
}
