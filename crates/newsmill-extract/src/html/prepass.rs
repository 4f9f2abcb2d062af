//! A byte-level pass before parsing: drop the content of elements that never hold article
//! text, and cap how deep elements nest.
//!
//! * `<script>` (except JSON-LD), `<style>`, `<noscript>`, `<svg>`, `<template>` and `<iframe>`
//!   are cut out whole, so html5ever does not tokenize them: on news pages they are often half
//!   the bytes.
//! * Attributes the extractor never reads (`onclick`, `srcset`, `data-*` ...: about a fifth of
//!   the bytes left on the dev pages) are left out of start tags whose attributes are plainly
//!   well formed, so html5ever neither tokenizes nor allocates them. Tags whose attributes
//!   change how html5ever builds the tree (formatting elements, `font`, `input`, `meta`,
//!   `annotation-xml`) and anything after a `plaintext`, `noembed` or `noframes` tag keep theirs.
//! * Start tags nested deeper than [`MAX_DEPTH`] are dropped with their end tags. html5ever's
//!   tree builder checks scopes by walking the stack of open elements, so 100,000 nested
//!   `<div>`s cost it quadratic time; past a few hundred levels nesting carries no meaning.
//!
//! The scan is approximate HTML tokenizing (tags, comments, quoted attributes, raw-text
//! elements), which is all these two jobs need; no crate does the depth cap, and a streaming
//! rewriter would cost a second full tokenization.

use memchr::{memchr, memchr3, memmem};

use super::dom::KEPT_ATTRS;

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
    prepass_with(html, true)
}

/// [`prepass`], with unread attributes left out (`slim`) or not.
fn prepass_with(html: &str, slim: bool) -> String {
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    // `copied` is where the next unwritten byte starts; `i` scans.
    let mut copied = 0;
    let mut i = 0;
    let mut depth = 0usize;
    let mut skipped_opens = 0usize;
    // Off after a tag whose content html5ever reads as text to an end this scan does not find.
    let mut slim = slim;
    // The kept attributes of the tag at hand (one buffer for the page).
    let mut kept: Vec<Span> = Vec::new();
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
            // An end tag with attributes: html5ever may end it elsewhere than this scan.
            slim &= b[name_start + name_len..tag_end]
                .iter()
                .all(|&c| c == b'>' || c.is_ascii_whitespace());
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
        let counted = !uncounted(name) && !attrs.ends_with(b"/>");
        if counted && depth >= MAX_DEPTH {
            skipped_opens += 1;
            out.push_str(&html[copied..lt]);
            copied = tag_end;
            i = tag_end;
            continue;
        }
        depth += usize::from(counted);
        if slim {
            match unread_attributes(attrs, &mut kept) {
                // html5ever may end this tag elsewhere than this scan does, and read what
                // follows differently: from here on every tag is copied whole.
                Attrs::Malformed => slim = false,
                _ if keeps_attributes(name) => {
                    slim = !["plaintext", "noembed", "noframes", "math"]
                        .iter()
                        .any(|n| n.as_bytes().eq_ignore_ascii_case(name));
                }
                Attrs::AllRead => {}
                Attrs::LeaveOut { tail } => {
                    let attrs_start = name_start + name_len;
                    out.push_str(&html[copied..attrs_start]);
                    for &(a, b) in &kept {
                        out.push_str(&html[attrs_start + a..attrs_start + b]);
                    }
                    // "<a href=x data-n/>" must not become "<a href=x/>" (value "x/").
                    if attrs[tail] == b'/' {
                        out.push(' ');
                    }
                    out.push_str(&html[attrs_start + tail..tag_end]);
                    copied = tag_end;
                }
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

/// Start tags whose attributes are copied whole: those whose attributes html5ever's tree builder
/// reads (formatting elements are compared by their attributes, `font` and `annotation-xml`
/// in foreign content, `input type=hidden` in tables, `meta charset`), and the tags after which
/// the scan stops slimming (their content is text).
fn keeps_attributes(name: &[u8]) -> bool {
    const NAMES: &[&str] = &[
        "b",
        "big",
        "code",
        "em",
        "font",
        "i",
        "nobr",
        "s",
        "small",
        "strike",
        "strong",
        "tt",
        "u",
        "input",
        "meta",
        "annotation-xml",
        "plaintext",
        "noembed",
        "noframes",
        "math",
    ];
    NAMES
        .iter()
        .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
}

/// Whether the extractor may read an attribute of this name (a namespaced name by its local
/// part as well: in MathML `xlink:href` becomes `href`).
fn read_by_extractor(name: &[u8]) -> bool {
    let kept = |n: &[u8]| {
        KEPT_ATTRS
            .iter()
            .any(|k| k.as_bytes().eq_ignore_ascii_case(n))
    };
    match memchr::memrchr(b':', name) {
        Some(colon) => kept(name) || kept(&name[colon + 1..]),
        None => kept(name),
    }
}

/// What a start tag's attributes allow.
enum Attrs {
    /// Not plainly well formed (see [`unread_attributes`]).
    Malformed,
    /// Well formed, and the extractor may read every one.
    AllRead,
    /// Well formed, with some the extractor never reads (the byte ranges of the kept ones,
    /// each with the white space before it, are in the caller's buffer): where the tail starts
    /// (`>` or `/>`, after the white space before it).
    LeaveOut { tail: usize },
}

/// The attributes of a start tag (`attrs`: from just after the tag name to just past its
/// `>`). Plainly well formed means: white space before each attribute, names of ASCII letters,
/// digits, `-`, `_`, `:` and `.` starting with a letter, values quoted or unquoted without
/// quotes, `=`, `<`, `>` or a backquote, then `>` or `/>`. There html5ever reads the same
/// attributes and ends the tag where this scan does, so the kept attributes come out exactly
/// as from the whole tag.
fn unread_attributes(attrs: &[u8], kept: &mut Vec<Span>) -> Attrs {
    kept.clear();
    match unread_attributes_or_malformed(attrs, kept) {
        None => Attrs::Malformed,
        Some(None) => Attrs::AllRead,
        Some(Some(tail)) => Attrs::LeaveOut { tail },
    }
}

/// A kept attribute's byte range (with the white space before it).
type Span = (usize, usize);

/// [`unread_attributes`]: `None` when malformed, `Some(None)` when every attribute is read.
fn unread_attributes_or_malformed(attrs: &[u8], kept: &mut Vec<Span>) -> Option<Option<usize>> {
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0C);
    let mut left_out = false;
    let mut j = 0;
    let tail = loop {
        let space = j;
        while attrs.get(j).is_some_and(|&c| ws(c)) {
            j += 1;
        }
        match attrs.get(j) {
            Some(b'>') if j + 1 == attrs.len() => break space,
            Some(b'/') if j + 2 == attrs.len() && attrs[j + 1] == b'>' => break space,
            _ => {}
        }
        if j == space {
            return None;
        }
        let name_start = j;
        while attrs
            .get(j)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
        {
            j += 1;
        }
        if j == name_start || !attrs[name_start].is_ascii_alphabetic() {
            return None;
        }
        let name = &attrs[name_start..j];
        let mut k = j;
        while attrs.get(k).is_some_and(|&c| ws(c)) {
            k += 1;
        }
        if attrs.get(k) == Some(&b'=') {
            k += 1;
            while attrs.get(k).is_some_and(|&c| ws(c)) {
                k += 1;
            }
            match attrs.get(k) {
                Some(&q @ (b'"' | b'\'')) => {
                    k += 1 + memchr(q, &attrs[k + 1..])? + 1;
                }
                Some(_) => {
                    let v = k;
                    while attrs.get(k).is_some_and(|&c| {
                        !ws(c) && !matches!(c, b'"' | b'\'' | b'=' | b'<' | b'>' | b'`')
                    }) {
                        k += 1;
                    }
                    if k == v {
                        return None;
                    }
                }
                None => return None,
            }
            j = k;
        }
        if read_by_extractor(name) {
            kept.push((space, j));
        } else {
            left_out = true;
        }
    };
    let tail = tail + attrs[tail..].iter().take_while(|&&c| ws(c)).count();
    Some(left_out.then_some(tail))
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
        /// Leaving unread attributes out changes nothing the extractor sees: the parsed tree
        /// (elements, kept attributes, text) is the same as from the tags copied whole.
        #[test]
        fn leaving_attributes_out_parses_to_the_same_tree(
            html in concat!(
                "(<(div|p|a|b|i|span|table|tr|td|input|font|math|mi|annotation-xml|img|br|",
                "plaintext|noframes|title|textarea|html|body)",
                "(( |\n|/|)(class|id|title|onclick|data-x|href|srcset|type|color|encoding|",
                "xlink:href|lang|HIDDEN|x\"|_y)",
                "(=(\"[a-z <>'&;]{0,4}\"|'[a-z >\"]{0,3}'|[a-z/=`]{0,3}|\"[a-z]*))?){0,4}",
                " ?/?>|</(div|p|a|b|span|table|td|math|title|textarea|noframes)>|text|&amp;|<)",
                "{0,14}"
            )
        ) {
            use super::super::dom::Dom;
            let slim = format!("{:?}", Dom::parse(&prepass_with(&html, true)));
            let whole = format!("{:?}", Dom::parse(&prepass_with(&html, false)));
            prop_assert_eq!(slim, whole);
        }

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
            prepass("<div class='a>b'>t</div>"),
            "<div class='a>b'>t</div>"
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
    fn leaves_out_attributes_the_extractor_never_reads() {
        assert_eq!(
            prepass(r#"<div class="a" onclick="go('x>y')" data-n=1 id=b>t</div>"#),
            r#"<div class="a" id=b>t</div>"#
        );
        assert_eq!(prepass("<img src=a.jpg srcset='a 1x, b 2x' />"), "<img />");
        assert_eq!(prepass("<a href=x/ title=y>t</a>"), "<a href=x/>t</a>");
        assert_eq!(prepass("<a href=x title/>t</a>"), "<a href=x />t</a>");
        assert_eq!(prepass("<p hidden lang=de x>t"), "<p hidden lang=de>t");
        // Nothing to leave out, or not plainly well formed: copied whole.
        for tag in [
            "<div class=a id=b>",
            "<div class=\"a\"title=x>",
            "<div x=\"a\" / y>",
            "<div x=a\"b>",
            "<div x= >",
            "<div _x=1>",
            "<div\u{b}x=1>",
            "<b title=x>",
            "<font color=red>",
            "<input type=hidden title=x>",
            "<meta charset=utf-8 x=1>",
        ] {
            assert_eq!(prepass(tag), tag, "{tag}");
        }
        // After `plaintext` (its content is text to the end), tags are copied whole.
        let p = "<plaintext x=1><div title=x>";
        assert_eq!(prepass(p), p);
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
