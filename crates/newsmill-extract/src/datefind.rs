//! Dates written out inside short lines: "By Ann Lee | June 19, 2024 10:32 AM", "Posted
//! on:March 28, 2021", "Saturday 12-Jan-2019 11:48 AM", "17:20, Jan 1 2019".
//!
//! [`crate::dateline`] reads a line that is only a date; this module finds one among other
//! words (a byline, a source, a clock time) by trying the line's words in windows with
//! [`crate::dateline::parse_date`]. It gives the calendar date only: a clock time without a
//! stated zone is not an instant, and a page's local date is what it prints.

/// Whether a line announces a modification rather than the publication.
pub(crate) fn is_update_line(line: &str) -> bool {
    let lower = line.to_lowercase();
    [
        "updated",
        "modified",
        "aktualisiert",
        "actualizado",
        "mis à jour",
        "geändert",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && ![
            "published",
            "posted",
            "veröffentlicht",
            "publicado",
            "publié",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether a word names a weekday or a month (in the languages the date lines are read in).
pub(crate) fn is_date_word(w: &str) -> bool {
    const WEEKDAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
    ];
    let w = w.to_lowercase();
    WEEKDAYS.contains(&w.as_str())
        || (w.chars().count() >= 3 && crate::dateline::parse_date(&format!("1 {w} 2000")).is_some())
}

/// Whether a line may hold a written-out date: a year 1990–2039 (or a dotted or slashed
/// numeric date) among at most 25 words. A cheap test before [`find_date`].
pub(crate) fn may_hold_date(line: &str) -> bool {
    if line.split_whitespace().nth(25).is_some() {
        return false;
    }
    let b = line.as_bytes();
    b.windows(4).any(|w| {
        w.iter().all(u8::is_ascii_digit)
            && ((w[0] == b'1' && w[1] == b'9' && w[2] >= b'9') || (w[0] == b'2' && w[1] == b'0'))
    })
}

/// The first date written out in `line`, as `YYYY-MM-DD`.
pub(crate) fn find_date(line: &str) -> Option<String> {
    // Words, with labels glued to a month ("PostedJanuary", "on:December") and dashed dates
    // ("12-Jan-2019") pulled apart, ordinal suffixes and trailing commas dropped.
    let chars: Vec<char> = line.chars().collect();
    let mut spaced = String::with_capacity(line.len() + 8);
    for (k, &c) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(k + 1).copied();
        let split = match prev {
            Some(p) => (p.is_lowercase() && c.is_uppercase()) || (p == ':' && c.is_alphanumeric()),
            None => false,
        };
        if split {
            spaced.push(' ');
        }
        // A dash next to a letter separates ("12-Jan-2019"); between digits it is ISO's.
        let dash_apart = c == '-'
            && (prev.is_some_and(char::is_alphabetic) || next.is_some_and(char::is_alphabetic));
        if dash_apart || matches!(c, ',' | '|' | '(' | ')' | '•' | '·' | '—' | '–') {
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    let words: Vec<String> = spaced
        .split_whitespace()
        .map(|w| strip_ordinal(w.trim_end_matches(':')))
        .filter(|w| !w.is_empty())
        .collect();
    for i in 0..words.len() {
        if let Some(d) = one_word(&words[i]) {
            return Some(d);
        }
        if i + 2 < words.len() {
            let window = format!("{} {} {}", words[i], words[i + 1], words[i + 2]);
            if let Some(d) = crate::dateline::parse_date(&window) {
                return Some(d[..10].to_string());
            }
        }
    }
    None
}

/// "14th" -> "14"; other words unchanged.
fn strip_ordinal(w: &str) -> String {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 2 && ["st", "nd", "rd", "th", "."].contains(&&w[digits..]) {
        w[..digits].to_string()
    } else {
        w.to_string()
    }
}

/// A date in one word: ISO ("2019-03-16", maybe with a time), dotted ("16.03.2019") or
/// slashed when the order is plain ("16/03/2019": 16 is no month; "3/16/2019": 16 is no
/// month). "08/03/2019" could be either and is not read.
fn one_word(w: &str) -> Option<String> {
    let b = w.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && w.is_char_boundary(10) {
        return crate::dateline::parse_date(&w[..10]);
    }
    if w.contains('.') && b.first().is_some_and(u8::is_ascii_digit) {
        return crate::dateline::parse_date(w.trim_end_matches('.'));
    }
    let parts: Vec<&str> = w.split('/').collect();
    if let [a, m, y] = parts[..]
        && y.len() == 4
        && let (Ok(a), Ok(m), Ok(y)) = (a.parse::<u32>(), m.parse::<u32>(), y.parse::<u32>())
    {
        let (d, mo) = match (a > 12, m > 12) {
            (true, false) => (a, m),
            (false, true) => (m, a),
            _ => return None,
        };
        return crate::dateline::parse_date(&format!("{y:04}-{mo:02}-{d:02}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_among_other_words() {
        for (line, want) in [
            ("By Ann Lee | June 19, 2024 10:32 AM", Some("2024-06-19")),
            ("Posted on:December 28, 2024 10:57 PST", Some("2024-12-28")),
            ("PostedJune 2, 2023", Some("2023-06-02")),
            ("Saturday 12-Jan-2019 11:48 AM", Some("2019-01-12")),
            ("17:20, Jan 1 2019", Some("2019-01-01")),
            ("Monday, March 4th 2019, 11:33 GMT", Some("2019-03-04")),
            ("Friday, 18 January, 2019", Some("2019-01-18")),
            ("Veröffentlicht am 16.08.2019", Some("2019-08-16")),
            (
                "Harbour News - 2021-05-03T10:00:00+02:00",
                Some("2021-05-03"),
            ),
            ("15/03/2019", Some("2019-03-15")),
            ("3/15/2019", Some("2019-03-15")),
            ("08/01/2019", None),
            ("Top 10 stories of 2019", None),
        ] {
            assert_eq!(find_date(line).as_deref(), want, "{line}");
        }
        assert!(may_hold_date("Posted June 2, 2023"));
        assert!(!may_hold_date("No year here, 12 people"));
        assert!(is_update_line("Last updated: June 2, 2023"));
        assert!(!is_update_line("Published June 1, updated June 2, 2023"));
    }
}
