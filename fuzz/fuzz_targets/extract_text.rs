//! Plain-text extraction on arbitrary bytes: never panics, and every record it returns keeps
//! the record invariants (blocks join to text, removed text is gone, offsets slice).
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_core::{InputHint, Origin, RawDoc};
use newsmill_extract::{ExtractConfig, extract};

fuzz_target!(|data: &[u8]| {
    let doc = RawDoc::new(Origin::Stdin, InputHint::Text, data.to_vec());
    if let Ok(record) = extract(&doc, &ExtractConfig::default()) {
        record.check_invariants().expect("invariants hold");
        assert_eq!(record.text, newsmill_core::join_blocks(&record.blocks));
    }
});
