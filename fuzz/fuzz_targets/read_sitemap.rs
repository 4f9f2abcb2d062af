//! The sitemap reader on arbitrary bytes (plain or gzipped): never panics, never lists more
//! than the protocol's limit, and never yields an empty location.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_ingest::sitemap::{MAX_SITEMAP_URLS, Sitemap, parse_sitemap};

fuzz_target!(|data: &[u8]| {
    match parse_sitemap("s.xml", data) {
        Ok(Sitemap::Urls(urls)) => {
            assert!(urls.len() <= MAX_SITEMAP_URLS);
            assert!(urls.iter().all(|u| !u.loc.is_empty() && u.loc.trim() == u.loc));
        }
        Ok(Sitemap::Index(maps)) => {
            assert!(maps.len() <= MAX_SITEMAP_URLS);
            assert!(maps.iter().all(|m| !m.is_empty()));
        }
        Err(e) => assert_eq!(e.input(), "s.xml"),
    }
});
