//! HTML extraction on arbitrary bytes: never panics, and every record it returns keeps the
//! record invariants (blocks join to text, removed text is gone, offsets slice), has no empty
//! block, and is the same when extracted twice (extraction is a pure function).
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_core::{InputHint, Origin, RawDoc};
use newsmill_extract::{ExtractConfig, extract};

fuzz_target!(|data: &[u8]| {
    let mut doc = RawDoc::new(Origin::Stdin, InputHint::Html, data.to_vec());
    doc.url = Some("https://example.org/2024/06/19/story.html".into());
    let config = ExtractConfig::default();
    if let Ok(record) = extract(&doc, &config) {
        record.check_invariants().expect("invariants hold");
        assert_eq!(record.text, newsmill_core::join_blocks(&record.blocks));
        for b in &record.blocks {
            assert!(!b.text.trim().is_empty(), "empty block");
            assert_eq!(b.text.trim(), b.text, "block text is trimmed");
        }
        for (field, _) in &record.provenance {
            assert!(!field.is_empty());
        }
        let again = extract(&doc, &config).expect("second run extracts too");
        assert_eq!(record, again, "extraction is deterministic");
    }
});
