//! Decoding HTML bytes to text, never assuming UTF-8 blindly:
//!
//! 1. a byte-order mark wins (UTF-8, UTF-16LE/BE);
//! 2. bytes that are valid UTF-8 are UTF-8, whatever they declare (crawlers re-save pages
//!    without fixing the declaration, and legacy bytes are very unlikely to form valid UTF-8);
//! 3. else the HTTP `charset`, then `<meta charset>` / `http-equiv`, then the XML declaration;
//! 4. else, with no declaration, text that is UTF-8 but for a few broken bytes stays UTF-8;
//! 5. else chardetng (Firefox's detector, on encoding_rs) guesses from the bytes (windows-1252,
//!    windows-1251, Shift_JIS, GBK, EUC-KR, ...).
//!
//! A declared UTF-8 that does not validate is read as UTF-8 with U+FFFD for the broken bytes,
//! not as windows-1252, which would garble every other non-ASCII character of the page.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// How far into the page declarations are looked for (the HTML spec's prescan uses 1024 bytes;
/// real pages put long scripts first, so a little more).
const PRESCAN: usize = 8192;

/// Decodes an HTML page, never failing: malformed sequences become U+FFFD. A page whose
/// UTF-8 was decoded as windows-1252 and saved again ("MÃ¤rz" for "März") is repaired.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> String {
    let text = decode_with_label(bytes, content_type).0;
    repair_mojibake(text)
}

/// Characters of windows-1252 that UTF-8's continuation bytes (0x80–0xBF) turn into when read
/// as windows-1252, after "Ã" or "Â" (lead bytes 0xC3, 0xC2).
fn continuation_1252(c: char) -> bool {
    matches!(c as u32, 0xA0..=0xBF) || "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".contains(c)
}

/// Undoes one round of UTF-8 read as windows-1252 (ftfy's most common case), when the text
/// shows it at least three times and re-encoding gives valid UTF-8 with no such pairs left.
fn repair_mojibake(text: String) -> String {
    // "Ã" and "Â" are the bytes C3 83 and C3 82 in UTF-8 (C3 is always a lead byte there):
    // find them by their lead byte instead of decoding every character of the page.
    let bytes = text.as_bytes();
    let pairs = memchr::memchr_iter(0xC3, bytes)
        .filter(|&at| matches!(bytes.get(at + 1), Some(0x82 | 0x83)))
        .filter(|&at| {
            text.get(at + 2..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(continuation_1252)
        })
        .take(3)
        .count();
    if pairs < 3 {
        return text;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    if unmappable {
        return text;
    }
    match std::str::from_utf8(&bytes) {
        Ok(fixed) => fixed.to_string(),
        Err(_) => text,
    }
}

/// Decodes and names the encoding used (for tests and diagnostics).
pub(crate) fn decode_with_label(
    bytes: &[u8],
    content_type: Option<&str>,
) -> (String, &'static str) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let text = enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
        return (text, enc.name());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), UTF_8.name());
    }
    let head = &bytes[..bytes.len().min(PRESCAN)];
    let declared = content_type
        .and_then(charset_param)
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .or_else(|| meta_charset(head))
        .or_else(|| xml_encoding(head))
        // UTF-16 labels in a page that parsed as ASCII are a lie (HTML spec).
        .map(|e| {
            if e == UTF_16LE || e == UTF_16BE {
                UTF_8
            } else {
                e
            }
        });
    let enc = match declared {
        Some(e) => e,
        None if mostly_utf8(bytes) => UTF_8,
        None => {
            let mut det = chardetng::EncodingDetector::new();
            det.feed(&bytes[..bytes.len().min(64 * 1024)], true);
            det.guess(None, true)
        }
    };
    let text = enc.decode_without_bom_handling(bytes).0.into_owned();
    (text, enc.name())
}

/// True when the bytes are UTF-8 but for a few invalid sequences (a page cut mid-character,
/// one stray Latin-1 byte): at most one error per 200 non-ASCII sequences, and at least some
/// valid multi-byte ones.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut errors = 0usize;
    let mut valid_multibyte = 0usize;
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multibyte += s.bytes().filter(|b| *b >= 0xC0).count();
                break;
            }
            Err(e) => {
                let good = &rest[..e.valid_up_to()];
                valid_multibyte += good.iter().filter(|b| **b >= 0xC0).count();
                errors += 1;
                let skip = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
                rest = &rest[e.valid_up_to() + skip.max(1)..];
                if errors > 1 + valid_multibyte / 200 && errors > 3 {
                    return false;
                }
            }
        }
        if rest.is_empty() {
            break;
        }
    }
    valid_multibyte > 0 && errors <= 1 + valid_multibyte / 200
}

fn charset_param(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("charset")? + "charset".len();
    let v = lower[at..].trim_start().strip_prefix('=')?.trim_start();
    let v = v.trim_start_matches(['"', '\'']);
    let end = v
        .find(|c: char| {
            c == ';' || c == '"' || c == '\'' || c == '/' || c == '>' || c.is_whitespace()
        })
        .unwrap_or(v.len());
    Some(v[..end].to_string()).filter(|s| !s.is_empty())
}

/// Finds `<meta charset=...>` or `<meta http-equiv content="...charset=...">` in the first bytes.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |j| start + j);
        let tag = String::from_utf8_lossy(&lower[start..end]);
        if let Some(enc) = charset_param(&tag).and_then(|l| Encoding::for_label(l.as_bytes())) {
            return Some(enc);
        }
        from = end;
    }
    None
}

/// `<?xml version="1.0" encoding="ISO-8859-1"?>` at the start of an XHTML page.
fn xml_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    if !head[start..].starts_with(b"<?xml") {
        return None;
    }
    let end = memchr::memmem::find(&head[start..], b"?>")? + start;
    let decl = String::from_utf8_lossy(&head[start..end]).to_ascii_lowercase();
    let at = decl.find("encoding")? + "encoding".len();
    let v = decl[at..].trim_start().strip_prefix('=')?.trim_start();
    let q = v.chars().next()?;
    let v = v[q.len_utf8()..].split(q).next()?;
    Encoding::for_label(v.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_utf8_is_repaired() {
        let page = "<p>Schaf, Standardausführung, weiß: Die Größe im März.</p>";
        let (mangled, _, _) = encoding_rs::WINDOWS_1252.decode(page.as_bytes());
        assert!(
            mangled.contains("Ã¤") || mangled.contains("Ã¼"),
            "{mangled}"
        );
        assert_eq!(decode_html(mangled.as_bytes(), None), page);
        // Real "Ã" followed by a symbol once stays as it is.
        let one = "<p>Ã© once</p>";
        assert_eq!(decode_html(one.as_bytes(), None), one);
    }

    #[test]
    fn xml_declaration_with_a_multibyte_quote() {
        assert_eq!(xml_encoding("<?xml encoding=é-8é ?>".as_bytes()), None);
        assert_eq!(
            xml_encoding(b"<?xml version='1.0' encoding='iso-8859-1'?>"),
            Some(encoding_rs::WINDOWS_1252)
        );
    }

    fn check(bytes: &[u8], ct: Option<&str>, text: &str, label: &str) {
        let (t, l) = decode_with_label(bytes, ct);
        assert_eq!(t, text);
        assert_eq!(l, label);
    }

    #[test]
    fn boms_and_declarations() {
        check(b"\xef\xbb\xbf<p>caf\xc3\xa9", None, "<p>café", "UTF-8");
        check(b"\xff\xfe<\x00p\x00>\x00\xe9\x00", None, "<p>é", "UTF-16LE");
        check(
            b"<meta charset=\"iso-8859-1\"><p>caf\xe9",
            None,
            "<meta charset=\"iso-8859-1\"><p>café",
            "windows-1252",
        );
        check(
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"><p>\xcf\xf3\xf2\xe8\xed",
            None,
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"><p>Путин",
            "windows-1251",
        );
        check(
            b"<p>caf\xe9",
            Some("text/html; charset=windows-1252"),
            "<p>café",
            "windows-1252",
        );
        check(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><p>\xa4",
            None,
            "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><p>€",
            "ISO-8859-15",
        );
    }

    #[test]
    fn wrong_or_missing_declarations() {
        // Declared Latin-1 but valid UTF-8: trust the bytes.
        check(
            "<meta charset=latin1><p>café".as_bytes(),
            None,
            "<meta charset=latin1><p>café",
            "UTF-8",
        );
        // A UTF-16 label in an ASCII-compatible page is a lie.
        check(
            b"<meta charset=utf-16><p>a\xff",
            None,
            "<meta charset=utf-16><p>a\u{fffd}",
            "UTF-8",
        );
        // Undeclared legacy bytes: detected.
        let (t, _) = decode_with_label(b"<p>\xe9t\xe9 \xe0 la plage, l'\xe9t\xe9 dernier", None);
        assert_eq!(t, "<p>été à la plage, l'été dernier");
        let cyrillic = "<p>Президент России прибыл в Пхеньян в среду утром, сообщили в Кремле.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(cyrillic);
        assert_eq!(decode_with_label(&bytes, None).0, cyrillic);
        // UTF-8 with one broken byte stays UTF-8.
        let mut b = "<p>Grüße aus Köln, schöne Grüße, überall Grüße"
            .as_bytes()
            .to_vec();
        b.push(0xff);
        let (t, l) = decode_with_label(&b, None);
        assert_eq!(l, "UTF-8");
        assert!(t.starts_with("<p>Grüße aus Köln"));
    }

    #[test]
    fn never_panics_on_garbage() {
        for bytes in [
            &b"\xff\xfe\x00"[..],
            b"\xfe\xff\x00",
            b"<meta charset=",
            b"<?xml encoding='",
            b"\xc3",
        ] {
            let _ = decode_html(bytes, Some("text/html; charset"));
        }
    }
}
