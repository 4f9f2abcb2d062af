//! The WARC reader on arbitrary bytes: never panics, never loops, and stops after the first
//! error (the stream cannot be resynchronised); every document it yields names a record of this
//! input and holds no more bytes than the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_core::Origin;
use newsmill_ingest::warc::{WarcItem, WarcReader};

fuzz_target!(|data: &[u8]| {
    let mut errors = 0;
    for (n, item) in WarcReader::from_bytes("f.warc", data.to_vec(), 1 << 20).enumerate() {
        assert!(n <= data.len() / 8 + 2, "more records than the input can hold");
        match item {
            Ok(WarcItem::Doc(doc)) => {
                assert!(matches!(doc.origin, Origin::Warc { ref file, .. } if file == "f.warc"));
                assert!(doc.bytes.len() <= data.len() * 1100 + 64);
            }
            Ok(WarcItem::Skipped { .. }) => {}
            Err(e) => {
                assert!(e.input().starts_with("f.warc"));
                errors += 1;
            }
        }
    }
    assert!(errors <= 1, "the reader goes on after an error");
});
