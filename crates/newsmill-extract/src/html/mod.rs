//! HTML pages to records.
//!
//! The stages, in order:
//!
//! 0. [`prepass`]: a byte scan cuts out script, style, svg and the like, and caps nesting
//!    depth, so the parser does less work and deep pages cost linear time.
//! 1. [`dom`]: parse with html5ever (through dom_query) and copy the tree into a flat arena in
//!    document order, so every later pass is a loop (no recursion, no stack overflow on deep
//!    pages).
//! 2. [`meta`]: one pass gathers what the page declares about itself (`<title>`, meta tags,
//!    JSON-LD, microdata, `<time>`, headline and byline elements); [`fields`] turns it into
//!    title, dek, byline, dates, canonical URL, site, language, section and tags, each with its
//!    provenance.
//! 3. [`content`]: segment the body into text blocks, score them, pick the article container
//!    and keep its blocks through a cascade of precise rules; every dropped block of substance
//!    near the article goes to `removed` with its reason.

mod content;
#[cfg(test)]
mod debug;
mod dom;
mod fields;
mod meta;
mod prepass;

use newsmill_core::{Block, Record, Removed, RemovedReason, join_blocks};

use crate::ExtractConfig;

/// Extracts a record from decoded HTML. `url` is where the page came from, when known.
pub(crate) fn extract_html(html: &str, url: Option<&str>, config: &ExtractConfig) -> Record {
    let dom = dom::Dom::parse(&prepass::prepass(html));
    let page = meta::PageMeta::gather(&dom);
    let mut record = Record {
        url: url.map(str::to_string),
        ..Record::default()
    };
    let mut content = content::extract_content(&dom, &config.tuning);
    fields::title(&dom, &page, &content, &mut record, &config.tuning);
    if let Some(t) = &record.title {
        content::drop_title(&mut content.kept, t);
    }
    record.blocks = content
        .kept
        .iter()
        .map(|b| Block::new(b.kind, b.text.clone()))
        .collect();
    if config.tuning.step("json-ld-body") {
        declared_body(&page, &mut record, &mut content.removed);
    }
    fields::metadata(&dom, &page, url, &content, &mut record);
    let text = join_blocks(&record.blocks);
    if config.detect_language {
        fields::language(&page, &text, &mut record);
    }
    // A dropped piece that is still in the text did not disappear: list only real drops. A
    // repeat is the exception: its first copy is in the text, and the copies dropped are
    // listed once, as `duplicate-line`.
    let mut seen = std::collections::HashSet::new();
    for (reason, t) in content.removed {
        let t = t.trim().to_string();
        let still_there = reason != RemovedReason::DuplicateLine
            && (record.blocks.iter().any(|b| b.text == t)
                || (t.chars().count() >= 20 && text.contains(&t)));
        if t.is_empty() || still_there || !seen.insert(t.clone()) {
            continue;
        }
        record.removed.push(Removed {
            reason,
            text: t,
            language: None,
        });
    }
    record
}

/// The page's declared article text (JSON-LD `articleBody`) as evidence and fallback: when
/// the body chosen from the markup is short and holds less than half the declared text's
/// words (a page that renders its story with script, a container that missed it), the
/// declared paragraphs are the body; the blocks they replace go to `removed`. A declared body
/// that is itself short (a teaser of 50 words or less) is no evidence.
fn declared_body(
    page: &meta::PageMeta,
    record: &mut Record,
    removed: &mut Vec<(newsmill_core::RemovedReason, String)>,
) {
    let declared = page.article_body();
    let declared_words: usize = declared.iter().map(|p| p.split_whitespace().count()).sum();
    if declared_words <= 50 {
        return;
    }
    let ours: usize = record
        .blocks
        .iter()
        .map(|b| b.text.split_whitespace().count())
        .sum();
    if ours * 2 >= declared_words {
        return;
    }
    let ours_words: std::collections::HashSet<String> = record
        .blocks
        .iter()
        .flat_map(|b| b.text.split_whitespace())
        .map(str::to_lowercase)
        .collect();
    let found = declared
        .iter()
        .flat_map(|p| p.split_whitespace())
        .filter(|w| ours_words.contains(&w.to_lowercase()))
        .count();
    if found * 2 >= declared_words {
        return;
    }
    for b in record.blocks.drain(..) {
        removed.push((newsmill_core::RemovedReason::Boilerplate, b.text));
    }
    record.blocks = declared
        .into_iter()
        .map(|p| Block::new(newsmill_core::BlockKind::Paragraph, p))
        .collect();
    record
        .provenance
        .insert("text".into(), "json-ld:articleBody".into());
}

/// The parts of a page a rule audit reads: every text block (marked or not), every class
/// and id attribute, the `<title>` and the headline-like elements.
pub(crate) fn audit_parts(html: &str) -> crate::audit::PageParts {
    let dom = dom::Dom::parse(&prepass::prepass(html));
    let tuning = crate::Tuning::default();
    let class = content::classify(&dom, &tuning);
    let blocks = content::segment(&dom, &class);
    let page = meta::PageMeta::gather(&dom);
    let mut classes = Vec::new();
    for (i, n) in dom.nodes.iter().enumerate() {
        if dom.text(i) {
            continue;
        }
        for a in [n.attr("class"), n.attr("id")].into_iter().flatten() {
            if !a.is_empty() {
                classes.push(a.to_string());
            }
        }
    }
    classes.sort_unstable();
    classes.dedup();
    crate::audit::PageParts {
        lines: blocks.into_iter().map(|b| b.text).collect(),
        classes,
        title: page.title_tag.clone(),
        headings: page.headings.iter().map(|(_, t)| t.clone()).collect(),
    }
}

pub(crate) use content::{is_byline_line, subwords as class_subwords};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_article_body_is_the_fallback_for_a_page_rendered_by_script() {
        let para = "The council voted on Tuesday to reopen the harbour after the winter storms, \
            and the fishermen who had waited for weeks said they would sail at dawn.";
        let body = format!("{para}\\n{para} Again.\\n<p>{para} Third.</p>");
        let html = format!(
            r#"<html><head><title>Harbour reopens | The Daily</title>
            <script type="application/ld+json">{{"@type":"NewsArticle","headline":"Harbour reopens",
            "articleBody":"{body}"}}</script></head>
            <body><nav><a href=/>Home</a> <a href=/news>News</a></nav><h1>Harbour reopens</h1>
            <div id=app>Loading the story</div><footer>© The Daily</footer></body></html>"#
        );
        let r = extract_html(&html, None, &ExtractConfig::default());
        assert_eq!(r.blocks.len(), 3, "{:?}", r.blocks);
        assert!(r.blocks[2].text.ends_with("Third."), "{:?}", r.blocks);
        assert_eq!(
            r.provenance.get("text").map(String::as_str),
            Some("json-ld:articleBody")
        );
        // A page whose markup holds the story keeps its own blocks.
        let visible = format!(
            "<html><body><h1>Harbour reopens</h1><p>{para}</p><p>{para} Two.</p></body></html>"
        );
        let r = extract_html(&visible, None, &ExtractConfig::default());
        assert!(!r.provenance.contains_key("text"));
    }

    #[test]
    fn pathological_inputs_keep_invariants() {
        let config = ExtractConfig::default();
        let cases: Vec<String> = vec![
            "<div>".repeat(100_000) + "deep text here",
            "<table>".repeat(20_000) + "x",
            "<p>unclosed <b><i>tags <p>everywhere <a href=x>link".into(),
            "</div></p></body></html>".into(),
            "<html><head><script>var x = '</p>';</script></head><body>\u{0}\u{fffd}</body>".into(),
            "<script type=application/ld+json>[[[[[[[[[[[[[[[[[[[{\"@type\":\"NewsArticle\"}]]]]]]]]]]]]]]]]]]]</script>".into(),
            "<ul>".repeat(5000) + &"<li>item".repeat(5000),
            String::new(),
        ];
        for html in cases {
            let mut r = extract_html(&html, None, &config);
            r.finish();
            r.check_invariants().unwrap();
        }
    }

    // See: issue 24 (repeated paragraphs were dropped with no `removed` entry). A paragraph
    // printed twice stays (issue 21: dropping it lost article text on every leave-sites-out
    // fold); a short line printed twice goes, and is listed in `removed`.
    #[test]
    fn regression_24_repeats_are_kept_or_listed_never_lost() {
        let p1 = "The harbour reopened on Monday after a storm closed it for a week, officials said on Tuesday evening in the town hall.";
        let p2 = "Residents welcomed the decision and said the harbour mattered to the town and to the fishermen who work there.";
        let p3 = "Repairs to the pier will take another month, the council said, and the ferry will run a reduced timetable until then.";
        let short = "The ferry timetable is posted at the quay.";
        let html = format!(
            "<html><head><title>Harbour reopens after storm</title></head><body><article><h1>Harbour reopens after storm</h1><p>{p1}</p><p>{short}</p><p>{p2}</p><p>{p1}</p><p>{short}</p><p>{p3}</p></article></body></html>"
        );
        let mut r = extract_html(&html, None, &ExtractConfig::default());
        r.finish();
        r.check_invariants().unwrap();
        let kept: Vec<&str> = r.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(kept, [p1, short, p2, p1, p3]);
        let dups: Vec<&str> = r
            .removed
            .iter()
            .filter(|x| x.reason == RemovedReason::DuplicateLine)
            .map(|x| x.text.as_str())
            .collect();
        assert_eq!(dups, [short]);
    }

    #[test]
    fn wrong_charsets_and_garbage_through_extract() {
        use newsmill_core::{InputHint, Origin, RawDoc};
        let config = ExtractConfig::default();
        let prose =
            "The council voted on Tuesday to reopen the harbour after the storm, officials said.";
        let mut cases: Vec<Vec<u8>> = vec![
            // Declares Shift_JIS, holds Latin-1.
            format!("<meta charset=shift_jis><p>{prose} caf\u{e9}</p>").into_bytes(),
            // Declares UTF-8, holds windows-1252 bytes.
            [
                b"<meta charset=utf-8><p>" as &[u8],
                prose.as_bytes(),
                b" \xe9t\xe9 \x93quoted\x94</p>",
            ]
            .concat(),
            // UTF-16 without a BOM.
            prose.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ];
        // Pseudo-random bytes (a fixed xorshift stream), with and without an HTML prefix.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        cases.push(noise.clone());
        cases.push([b"<html><body><p>" as &[u8], &noise].concat());
        for bytes in cases {
            let doc = RawDoc::new(Origin::Path("x.html".into()), InputHint::Html, bytes);
            if let Ok(r) = crate::extract(&doc, &config) {
                r.check_invariants().unwrap();
            }
        }
        // The mislabelled page still yields its text.
        let doc = RawDoc::new(
            Origin::Path("x.html".into()),
            InputHint::Html,
            format!("<meta charset=shift_jis><p>{prose}</p>").into_bytes(),
        );
        let r = crate::extract(&doc, &config).unwrap();
        assert!(r.text.contains("reopen the harbour"), "{:?}", r.text);
    }
}
