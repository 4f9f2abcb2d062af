//! Sitemaps (`urlset`), sitemap indexes (`sitemapindex`), gzipped sitemaps and Google News
//! sitemaps (`news:` namespace), with `quick-xml`.

use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::IngestError;

/// A parsed sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// A `urlset`: the pages it lists.
    Urls(Vec<SitemapUrl>),
    /// A `sitemapindex`: the sitemaps it lists.
    Index(Vec<String>),
}

/// One `<url>` of a sitemap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SitemapUrl {
    /// `<loc>`.
    pub loc: String,
    /// `<lastmod>`, as written.
    pub lastmod: Option<String>,
    /// `<news:publication_date>` of a Google News sitemap, as written.
    pub news_published: Option<String>,
    /// `<news:title>` of a Google News sitemap.
    pub news_title: Option<String>,
}

/// Most URLs one sitemap may list (the protocol's own limit is 50,000).
pub const MAX_SITEMAP_URLS: usize = 50_000;

/// Largest sitemap read, once gunzipped (the protocol's own limit is 50 MB).
pub const MAX_SITEMAP_BYTES: u64 = 256 << 20;

/// Parses a sitemap, gunzipping it first when it is gzipped. Anything else (HTML, a feed, broken
/// XML) is an error naming `input`, and so is a gzipped sitemap larger than
/// [`MAX_SITEMAP_BYTES`] once gunzipped ([`IngestError::TooLarge`]: it is not cut silently).
pub fn parse_sitemap(input: &str, bytes: &[u8]) -> Result<Sitemap, IngestError> {
    parse_sitemap_capped(input, bytes, MAX_SITEMAP_BYTES)
}

fn parse_sitemap_capped(input: &str, bytes: &[u8], cap: u64) -> Result<Sitemap, IngestError> {
    let err = |message: String| IngestError::Sitemap {
        input: input.to_string(),
        message,
    };
    let unzipped;
    let bytes = if bytes.starts_with(b"\x1f\x8b") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| err(format!("bad gzip: {e}")))?;
        if out.len() as u64 > cap {
            return Err(IngestError::TooLarge {
                input: input.to_string(),
                limit: cap,
            });
        }
        unzipped = out;
        &unzipped[..]
    } else {
        bytes
    };
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut root: Option<bool> = None; // Some(true) = index
    let mut urls = Vec::new();
    let mut sitemaps = Vec::new();
    let mut current = SitemapUrl::default();
    let mut field: Option<&'static str> = None;
    let mut acc = String::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| err(format!("bad XML at byte {}: {e}", reader.buffer_position())))?;
        match event {
            Event::Start(e) => {
                let local = e.local_name();
                let name: &str = local.into_inner();
                if root.is_none() {
                    root = match name {
                        "urlset" => Some(false),
                        "sitemapindex" => Some(true),
                        other => {
                            return Err(err(format!("not a sitemap (root element <{}>)", other)));
                        }
                    };
                    continue;
                }
                let full = e.name();
                let is_news = full.into_inner().starts_with("news:");
                acc.clear();
                field = match (name, is_news) {
                    ("url" | "sitemap", _) => {
                        current = SitemapUrl::default();
                        None
                    }
                    ("loc", false) => Some("loc"),
                    ("lastmod", false) => Some("lastmod"),
                    ("publication_date", true) => Some("news_published"),
                    ("title", true) => Some("news_title"),
                    _ => None,
                };
            }
            Event::Text(t) if field.is_some() => acc.push_str(&t),
            Event::CData(t) if field.is_some() => acc.push_str(&t),
            Event::GeneralRef(r) if field.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    acc.push(c);
                } else {
                    let name = r.to_string();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(v) => acc.push_str(v),
                        None => {
                            acc.push('&');
                            acc.push_str(&name);
                            acc.push(';');
                        }
                    }
                }
            }
            Event::End(e) => {
                if let Some(f) = field.take() {
                    set_field(&mut current, f, acc.trim().to_string());
                }
                acc.clear();
                match e.local_name().into_inner() {
                    "url" if !current.loc.is_empty() => {
                        if urls.len() >= MAX_SITEMAP_URLS {
                            return Err(err(format!("more than {MAX_SITEMAP_URLS} URLs")));
                        }
                        urls.push(std::mem::take(&mut current));
                    }
                    "sitemap" if !current.loc.is_empty() => {
                        if sitemaps.len() >= MAX_SITEMAP_URLS {
                            return Err(err(format!("more than {MAX_SITEMAP_URLS} sitemaps")));
                        }
                        sitemaps.push(std::mem::take(&mut current.loc));
                    }
                    _ => {}
                }
            }
            Event::Empty(e) if root.is_none() => {
                return Err(err(format!(
                    "not a sitemap (root element <{}/>)",
                    e.local_name().into_inner()
                )));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    match root {
        None => Err(err("not a sitemap (no root element)".into())),
        Some(true) => Ok(Sitemap::Index(sitemaps)),
        Some(false) => Ok(Sitemap::Urls(urls)),
    }
}

fn set_field(url: &mut SitemapUrl, field: &str, text: String) {
    if text.is_empty() {
        return;
    }
    match field {
        "loc" => url.loc = text,
        "lastmod" => url.lastmod = Some(text),
        "news_published" => url.news_published = Some(text),
        "news_title" => url.news_title = Some(text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_and_index() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc> https://n.example/a?x=1&amp;y=2 </loc><lastmod>2024-06-19</lastmod>
<news:news><news:publication><news:name>N</news:name></news:publication>
<news:publication_date>2024-06-19T10:00:00Z</news:publication_date><news:title>A &amp; B</news:title></news:news></url>
<url><loc>https://n.example/b</loc></url></urlset>"#;
        let Sitemap::Urls(urls) = parse_sitemap("s.xml", xml).unwrap() else {
            panic!()
        };
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[0].loc, "https://n.example/a?x=1&y=2");
        assert_eq!(urls[0].lastmod.as_deref(), Some("2024-06-19"));
        assert_eq!(
            urls[0].news_published.as_deref(),
            Some("2024-06-19T10:00:00Z")
        );
        assert_eq!(urls[0].news_title.as_deref(), Some("A & B"));
        let idx = br#"<sitemapindex><sitemap><loc>https://n.example/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_sitemap("i.xml", idx).unwrap(),
            Sitemap::Index(vec!["https://n.example/s1.xml".into()])
        );
    }

    // See: issue 24 (a sitemap over the cap after gunzip was cut silently).
    #[test]
    fn regression_24_a_gzipped_sitemap_over_the_cap_is_an_error() {
        use std::io::Write;
        let mut xml = String::from("<urlset>");
        for i in 0..2000 {
            xml.push_str(&format!("<url><loc>https://n.example/{i}</loc></url>"));
        }
        xml.push_str("</urlset>");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(xml.as_bytes()).unwrap();
        let gz = e.finish().unwrap();
        let cap = xml.len() as u64 / 2;
        let err = parse_sitemap_capped("s.xml.gz", &gz, cap).unwrap_err();
        assert!(
            matches!(err, IngestError::TooLarge { limit, .. } if limit == cap),
            "{err}"
        );
        let Sitemap::Urls(urls) = parse_sitemap_capped("s.xml.gz", &gz, xml.len() as u64).unwrap()
        else {
            panic!()
        };
        assert_eq!(urls.len(), 2000);
    }

    #[test]
    fn not_a_sitemap() {
        let e = parse_sitemap("x", b"<html><body>hi</body></html>").unwrap_err();
        assert_eq!(e.to_string(), "x: not a sitemap (root element <html>)");
        assert!(parse_sitemap("x", b"").is_err());
        assert!(parse_sitemap("x", b"\x1f\x8b\x08garbage").is_err());
    }
}
