//! The feed reader on arbitrary bytes: never panics; every entry it yields turns into a page
//! with the entry's title escaped in its head.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_ingest::feed::{entry_html, parse_feed};

fuzz_target!(|data: &[u8]| {
    match parse_feed("f.xml", data) {
        Ok(entries) => {
            for e in &entries {
                if let Some(html) = entry_html(e) {
                    assert!(html.starts_with("<!DOCTYPE html>"));
                    assert!(html.ends_with("</article></body></html>"));
                    // The title is escaped into the head: no tag can come from it.
                    if let Some(t) = &e.title {
                        let head = &html[..html.find("</head>").expect("a head")];
                        assert!(!t.contains('<') || !head.contains(t.as_str()));
                    }
                }
            }
        }
        Err(err) => assert_eq!(err.input(), "f.xml"),
    }
});
