//! JSON Lines of pages (`{"url", "html"}` per line, a crawler's output): reading never
//! panics, every non-blank line gives one document or one error, in line order, each named
//! `FILE#LINE`, and every document extracts without breaking the record's invariants.

#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_extract::{ExtractConfig, extract};
use newsmill_ingest::jsonl::read_jsonl;

fuzz_target!(|data: &[u8]| {
    let items = read_jsonl("crawl.jsonl", data);
    let text = String::from_utf8_lossy(data);
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, _)| k + 1)
        .collect();
    assert_eq!(items.len(), lines.len());
    for (item, line) in items.iter().zip(&lines) {
        let want = format!("crawl.jsonl#{line}");
        match item {
            Ok(doc) => {
                assert_eq!(doc.origin.to_string(), want);
                if let Ok(r) = extract(doc, &ExtractConfig::default()) {
                    r.check_invariants().expect("invariants hold");
                }
            }
            Err(e) => assert_eq!(e.input(), want),
        }
    }
});
