//! A byte-level pass before parsing: drop the content of elements that never hold article
//! text, and cap how deep elements nest.
//!
//! * `<script>` (except JSON-LD), `<style>`, `<noscript>`, `<svg>`, `<template>` and `<iframe>`
//!   are cut out whole, so html5ever does not tokenize them: on news pages they are often half
//!   the bytes.
//! * Start tags nested deeper than [`MAX_DEPTH`] are dropped with their end tags. html5ever's
//!   tree builder checks scopes by walking the stack of open elements, so 100,000 nested
//!   `<div>`s cost it quadratic time; past a few hundred levels nesting carries no meaning.
//!
//! The scan is approximate HTML tokenizing (tags, comments, quoted attributes, raw-text
//! elements), which is all these two jobs need; no crate does the depth cap, and a streaming
//! rewriter would cost a second full tokenization.

use memchr::{memchr, memchr3, memmem};

/// Deepest nesting kept.
pub(crate) const MAX_DEPTH: usize = 400;

/// Elements whose end tag is often omitted or which have none: they do not count for depth.
fn uncounted(name: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"p",
        b"li",
        b"dt",
        b"dd",
        b"option",
        b"optgroup",
        b"tr",
        b"td",
        b"th",
        b"tbody",
        b"thead",
        b"tfoot",
        b"colgroup",
        b"caption",
        b"rb",
        b"rt",
        b"rp",
        b"html",
        b"head",
        b"body",
        b"br",
        b"hr",
        b"img",
        b"input",
        b"meta",
        b"link",
        b"area",
        b"base",
        b"col",
        b"embed",
        b"source",
        b"track",
        b"wbr",
        b"param",
        b"keygen",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Elements cut out with their content.
fn dropped(name: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"script",
        b"style",
        b"noscript",
        b"svg",
        b"template",
        b"iframe",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Returns the page with dropped elements cut out and over-deep tags removed.
pub(crate) fn prepass(html: &str) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    // `copied` is where the next unwritten byte starts; `i` scans.
    let mut copied = 0;
    let mut i = 0;
    let mut depth = 0usize;
    let mut skipped_opens = 0usize;
    while let Some(off) = memchr(b'<', &b[i..]) {
        let lt = i + off;
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            // Comments: keep them (the parser drops them), skip to their end.
            i = memmem::find(&rest[3..], b"-->").map_or(b.len(), |e| lt + 4 + e + 3);
            continue;
        }
        let end_tag = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(end_tag);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let name = &b[name_start..name_start + name_len];
        let tag_end = tag_end(b, name_start + name_len);
        if end_tag {
            if !uncounted(name) {
                if skipped_opens > 0 {
                    skipped_opens -= 1;
                    out.push_str(&html[copied..lt]);
                    copied = tag_end;
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            i = tag_end;
            continue;
        }
        let attrs = &b[name_start + name_len..tag_end];
        if dropped(name) && !is_json_ld(name, attrs) {
            let self_closing = attrs.ends_with(b"/>");
            let close = if self_closing && name.eq_ignore_ascii_case(b"svg") {
                tag_end
            } else {
                find_end_tag(b, tag_end, name)
            };
            out.push_str(&html[copied..lt]);
            copied = close;
            i = close;
            continue;
        }
        if name.eq_ignore_ascii_case(b"script")
            || name.eq_ignore_ascii_case(b"textarea")
            || name.eq_ignore_ascii_case(b"title")
            || name.eq_ignore_ascii_case(b"xmp")
        {
            // Raw text: skip its content without looking for tags in it.
            let close = find_end_tag(b, tag_end, name);
            if close == b.len() && name.eq_ignore_ascii_case(b"title") {
                // An unterminated <title> would swallow the whole page as its text: close it
                // at the next tag instead.
                let at = memchr(b'<', &b[tag_end..]).map_or(b.len(), |k| tag_end + k);
                out.push_str(&html[copied..at]);
                out.push_str("</title>");
                copied = at;
                i = at;
                continue;
            }
            i = close;
            continue;
        }
        if !uncounted(name) && !attrs.ends_with(b"/>") {
            if depth >= MAX_DEPTH {
                skipped_opens += 1;
                out.push_str(&html[copied..lt]);
                copied = tag_end;
            } else {
                depth += 1;
            }
        }
        i = tag_end;
    }
    out.push_str(&html[copied.min(html.len())..]);
    out
}

/// Index just past the `>` closing a tag whose attributes start at `from` (quotes respected:
/// a quote opens a value only right after `=`, allowing spaces). Jumps from one `>` or quote
/// to the next instead of looking at every byte of the attributes.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut j = from;
    while let Some(off) = memchr3(b'>', b'"', b'\'', &b[j..]) {
        let k = j + off;
        let c = b[k];
        if c == b'>' {
            return k + 1;
        }
        // The last byte before the quote that is not white space (a closing quote counts).
        let after_eq = b[from..k]
            .iter()
            .rev()
            .find(|c| !c.is_ascii_whitespace())
            .is_some_and(|&p| p == b'=');
        if after_eq {
            match memchr(c, &b[k + 1..]) {
                Some(close) => j = k + 1 + close + 1,
                None => return b.len(),
            }
        } else {
            j = k + 1;
        }
    }
    b.len()
}

/// Index just past `</name ...>` at or after `from`, or the end of the input.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut j = from;
    while let Some(off) = memmem::find(&b[j..], b"</") {
        let at = j + off + 2;
        let cand = &b[at..(at + name.len()).min(b.len())];
        if cand.eq_ignore_ascii_case(name)
            && b.get(at + name.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            return memchr(b'>', &b[at..]).map_or(b.len(), |e| at + e + 1);
        }
        j = at;
    }
    b.len()
}

fn is_json_ld(name: &[u8], attrs: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"script")
        && memmem::find(&attrs.to_ascii_lowercase(), b"ld+json").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The byte-by-byte scan [`tag_end`] replaced, kept to check it against.
    fn tag_end_bytewise(b: &[u8], from: usize) -> usize {
        let mut quote = 0u8;
        let mut last = 0u8;
        for (j, &c) in b.iter().enumerate().skip(from) {
            if quote != 0 {
                if c == quote {
                    quote = 0;
                    last = c;
                }
                continue;
            }
            // A quote opens a value only right after `=` (allowing spaces).
            if (c == b'"' || c == b'\'') && last == b'=' {
                quote = c;
            } else if c == b'>' {
                return j + 1;
            }
            if !c.is_ascii_whitespace() {
                last = c;
            }
        }
        b.len()
    }

    proptest! {
        #[test]
        fn tag_end_agrees_with_the_bytewise_scan(
            s in "[a-c =\"'>/ \n]{0,40}",
            from in 0usize..8,
        ) {
            let b = s.as_bytes();
            let from = from.min(b.len());
            prop_assert_eq!(tag_end(b, from), tag_end_bytewise(b, from));
        }
    }

    #[test]
    fn drops_scripts_but_not_json_ld() {
        assert_eq!(
            prepass("<p>a<script>if (a<b) x='</p>'</script>b<style>p{}</style>c</p>"),
            "<p>abc</p>"
        );
        let ld = r#"<script type="application/ld+json">{"a":"<b>"}</script>"#;
        assert_eq!(prepass(ld), ld);
        assert_eq!(prepass("<svg><g><text>x</text></g></svg>y"), "y");
        assert_eq!(prepass("<!-- <script> -->z"), "<!-- <script> -->z");
        assert_eq!(
            prepass("<div title='a>b'>t</div>"),
            "<div title='a>b'>t</div>"
        );
        assert_eq!(
            prepass("<textarea><script>x</script></textarea>"),
            "<textarea><script>x</script></textarea>"
        );
        assert_eq!(prepass("a < b <3 <script"), "a < b <3 ");
        assert_eq!(
            prepass("<title>T\n<meta x><body>b"),
            "<title>T\n</title><meta x><body>b"
        );
    }

    #[test]
    fn caps_depth() {
        let html = "<div>".repeat(MAX_DEPTH + 10) + "x" + &"</div>".repeat(MAX_DEPTH + 10);
        let out = prepass(&html);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        // Unclosed paragraphs do not count.
        let p = "<p>x".repeat(5000);
        assert_eq!(prepass(&p), p);
    }
}
