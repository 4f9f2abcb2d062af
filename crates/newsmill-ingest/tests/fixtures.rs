//! The readers on real sample files (see fixtures/README.md for their sources).

use std::path::PathBuf;

use newsmill_core::Origin;
use newsmill_ingest::feed::parse_feed;
use newsmill_ingest::sitemap::{Sitemap, parse_sitemap};
use newsmill_ingest::{IngestConfig, read_sources};

fn fixture(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn read(p: &str) -> Vec<u8> {
    fs_err::read(fixture(p)).unwrap()
}

#[test]
fn feeds_of_every_kind() {
    for (file, entries) in [
        ("feeds/trafilatura_feed1.atom", 1),
        ("feeds/trafilatura_feed2.rss", 1),
        ("feeds/trafilatura_feed.json", 10),
        ("feeds/feed-rs_rss_2.0_ilgiornale.xml", 1),
        ("feeds/news-crawl_feed-with-sitemap-namespace.xml", 1),
    ] {
        let parsed = parse_feed(file, &read(file)).unwrap();
        assert!(parsed.len() >= entries, "{file}: {}", parsed.len());
        assert!(parsed.iter().all(|e| e.url.is_some()), "{file}");
    }
}

#[test]
fn sitemaps_plain_gzipped_and_google_news() {
    let Sitemap::Urls(news) =
        parse_sitemap("n", &read("sitemaps/news-crawl_sitemap-news.xml")).unwrap()
    else {
        panic!()
    };
    assert!(!news.is_empty());
    assert!(
        news.iter()
            .any(|u| u.news_title.is_some() && u.news_published.is_some())
    );
    let Sitemap::Urls(gz) =
        parse_sitemap("g", &read("sitemaps/trafilatura_sitemap.xml.gz")).unwrap()
    else {
        panic!()
    };
    assert!(gz.len() > 10, "{}", gz.len());
    assert!(gz.iter().all(|u| u.loc.starts_with("http")));
}

#[test]
fn local_feed_entries_become_documents() {
    let src = fixture("feeds/trafilatura_feed.json")
        .to_string_lossy()
        .into_owned();
    let docs: Vec<_> = read_sources(std::slice::from_ref(&src), IngestConfig::offline())
        .map(Result::unwrap)
        .collect();
    assert!(docs.len() >= 10);
    assert_eq!(docs[0].origin, Origin::Path(format!("{src}#0")));
    assert!(
        docs[0]
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://www.npr.org/")
    );
    let html = String::from_utf8_lossy(&docs[0].bytes);
    assert!(html.contains("<title>"), "{html}");
}

#[test]
fn local_sitemap_without_network_names_each_url() {
    let src = fixture("sitemaps/trafilatura_sitemap2.xml")
        .to_string_lossy()
        .into_owned();
    let items: Vec<_> = read_sources(&[src], IngestConfig::offline()).collect();
    assert!(!items.is_empty());
    for item in items {
        let e = item.unwrap_err();
        assert!(e.input().starts_with("http"), "{e}");
        assert_eq!(e.reason(), "fetching is turned off (offline)");
    }
}

// See: issue 23 ("failed 174" while the quarantine held 90: a sitemap and its `.xml.gz` copy
// listed the same 84 URLs, each fetched, and failed, twice).
#[test]
fn regression_23_a_url_listed_twice_is_read_once_and_counted() {
    let src = fixture("sitemaps/trafilatura_sitemap2.xml")
        .to_string_lossy()
        .into_owned();
    let once: Vec<_> = read_sources(std::slice::from_ref(&src), IngestConfig::offline()).collect();
    let mut reader = read_sources(&[src.clone(), src], IngestConfig::offline());
    let twice: Vec<_> = reader.by_ref().collect();
    assert!(!once.is_empty());
    assert_eq!(twice.len(), once.len(), "each URL once");
    assert_eq!(reader.stats().repeated_urls, once.len() as u64);
}

// See: issue 23 (the progress line had no total and no ETA): local inputs have a size, and
// the reader says how much of it it has read, a WARC as it streams.
#[test]
fn regression_23_bytes_read_reach_the_local_size() {
    let sources = vec![
        fixture("html").to_string_lossy().into_owned(),
        fixture("warc/cc-main-2024-22-whirlwind.warc.gz")
            .to_string_lossy()
            .into_owned(),
    ];
    let total = newsmill_ingest::local_size(&sources).unwrap();
    assert!(total > 0);
    let mut reader = read_sources(&sources, IngestConfig::offline());
    let mut seen = Vec::new();
    while reader.next().is_some() {
        seen.push(reader.bytes_read());
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen[0] < total, "{seen:?}");
    assert_eq!(reader.bytes_read(), total);
    assert_eq!(
        newsmill_ingest::local_size(&["https://a.example/feed".into()]),
        None
    );
    assert_eq!(newsmill_ingest::local_size(&["-".into()]), None);
}

#[test]
fn warc_files_real_clipped_and_malformed() {
    let run = |p: &str| {
        let src = fixture(p).to_string_lossy().into_owned();
        let (mut ok, mut err) = (Vec::new(), Vec::new());
        for item in read_sources(&[src], IngestConfig::offline()) {
            match item {
                Ok(d) => ok.push(d),
                Err(e) => err.push(e.to_string()),
            }
        }
        (ok, err)
    };
    // One real capture: request, response, metadata -> one document.
    let (ok, err) = run("warc/cc-main-2024-22-whirlwind.warc.gz");
    assert_eq!((ok.len(), err.len()), (1, 0), "{err:?}");
    assert_eq!(
        ok[0].url.as_deref(),
        Some("https://an.wikipedia.org/wiki/Escopete")
    );
    // The offset is the record's start in the uncompressed stream (after the request record).
    assert!(
        matches!(ok[0].origin, Origin::Warc { offset: 1551, .. }),
        "{:?}",
        ok[0].origin
    );
    assert!(ok[0].content_type.as_deref().unwrap().contains("text/html"));
    // Cut off inside its only record: one error naming the record, no document.
    let (ok, err) = run("warc/resiliparse-clipped.warc.gz");
    assert_eq!((ok.len(), err.len()), (0, 1));
    assert!(err[0].contains("warc.gz#0: truncated record"), "{err:?}");
    // LF instead of CRLF: read leniently; whatever comes out, no panic and no hang.
    let (ok, err) = run("warc/cc-main-2016-50-sparkwarc-malformed.warc.gz");
    assert!(ok.len() + err.len() > 0);
}
