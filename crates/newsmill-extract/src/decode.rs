//! Decoding HTML bytes to text: BOM, then the HTTP charset, then `<meta charset>`, then a
//! UTF-8 validity check, then windows-1252 (the WHATWG default for legacy pages).

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Decodes an HTML page, never failing: malformed sequences become U+FFFD.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let declared = content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| meta_charset(&bytes[..bytes.len().min(4096)]));
    // A page that is valid UTF-8 is UTF-8 whatever it declares: declarations are often wrong
    // (pages re-saved by crawlers), and a false UTF-8 match on legacy bytes is very unlikely.
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let enc = declared.filter(|e| *e != UTF_8).unwrap_or(WINDOWS_1252);
    // UTF-16 labels in a meta tag are a lie when the bytes parsed as ASCII (HTML spec).
    let enc = enc.output_encoding();
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("charset=")? + "charset=".len();
    let v = lower[at..].trim_start_matches(['"', '\'']);
    let end = v
        .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
        .unwrap_or(v.len());
    Some(v[..end].to_string())
}

/// Finds `<meta charset=...>` or `<meta http-equiv content="...charset=...">` in the first bytes.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let text = String::from_utf8_lossy(&lower);
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("<meta") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |j| i + j);
        let tag = &rest[i..tag_end];
        if let Some(enc) = charset_param(tag).and_then(|l| Encoding::for_label(l.as_bytes())) {
            return Some(enc);
        }
        rest = &rest[tag_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        assert_eq!(decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9", None), "<p>café");
        assert_eq!(
            decode_html(b"<meta charset=\"iso-8859-1\"><p>caf\xe9", None),
            "<meta charset=\"iso-8859-1\"><p>café"
        );
        assert_eq!(
            decode_html(b"<p>caf\xe9", Some("text/html; charset=windows-1252")),
            "<p>café"
        );
        // Declared Latin-1 but valid UTF-8: trust the bytes.
        assert_eq!(
            decode_html("<meta charset=latin1><p>café".as_bytes(), None),
            "<meta charset=latin1><p>café"
        );
        assert_eq!(decode_html(b"<p>\xe9t\xe9", None), "<p>été");
    }
}
