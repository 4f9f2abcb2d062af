//! A rule-based tokenizer for news text that keeps byte offsets.
//!
//! It follows the CoNLL-2003 / Penn Treebank conventions the tagger was trained on: punctuation is
//! split off, possessive `'s` and `n't` are separate tokens, hyphenated words, numbers such as
//! `1,000.5` and abbreviations such as `U.S.` or `Mr.` stay whole.

/// A token: a byte range of the text it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Start byte.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
}

impl Token {
    /// The token's text in `text`.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Abbreviations whose final period belongs to the word (lowercase, without the period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt",
    "cmdr", "adm", "maj", "rev", "st", "jr", "sr", "co", "corp", "inc", "ltd", "bros", "no", "vs",
    "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mt", "ft", "pres", "supt", "messrs", "mme", "mlle", "approx", "dept", "univ", "e.g", "i.e",
    "u.s", "u.k", "u.n", "a.m", "p.m",
];

fn is_abbreviation(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return true;
    }
    // Initials ("V") and dotted acronyms ("U.S", "N.Y").
    let mut letters = 0;
    let mut dots_ok = true;
    for (i, part) in word.split('.').enumerate() {
        let n = part.chars().count();
        if n != 1 || !part.chars().all(char::is_alphabetic) {
            dots_ok = false;
        }
        letters += n;
        let _ = i;
    }
    dots_ok && letters >= 1 && word.chars().next().is_some_and(char::is_uppercase)
}

fn is_leading_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '('
            | '['
            | '{'
            | '“'
            | '‘'
            | '«'
            | '‹'
            | '„'
            | '¿'
            | '¡'
            | '*'
            | '`'
            | '»'
            | '›'
    )
}

fn is_trailing_punct(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '”'
            | '’'
            | '»'
            | '›'
            // German closes quotes with “ and ‘ („so“, »so«), French may write «so».
            | '“'
            | '‘'
            | '«'
            | '‹'
            | '.'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '*'
    )
}

/// Characters that are always a token of their own, even inside a word.
fn is_splitting(c: char) -> bool {
    matches!(c, '—' | '–' | '…' | '|' | '•' | '·' | '©')
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut chunk_start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = chunk_start.take() {
                chunk(text, s, i, &mut out);
            }
        } else if chunk_start.is_none() {
            chunk_start = Some(i);
        }
    }
    if let Some(s) = chunk_start {
        chunk(text, s, text.len(), &mut out);
    }
    out
}

/// Tokenizes one whitespace-free chunk `text[start..end]`.
fn chunk(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    // First split on characters that always stand alone, and on "--".
    let s = &text[start..end];
    let mut piece_start = start;
    let mut iter = s.char_indices().peekable();
    while let Some((off, c)) = iter.next() {
        let abs = start + off;
        if is_splitting(c) {
            core(text, piece_start, abs, out);
            out.push(Token {
                start: abs,
                end: abs + c.len_utf8(),
            });
            piece_start = abs + c.len_utf8();
        } else if c == '-' && iter.peek().is_some_and(|&(_, n)| n == '-') {
            core(text, piece_start, abs, out);
            let mut e = abs + 1;
            while let Some(&(o, '-')) = iter.peek() {
                e = start + o + 1;
                iter.next();
            }
            out.push(Token { start: abs, end: e });
            piece_start = e;
        }
    }
    core(text, piece_start, end, out);
}

/// Tokenizes a piece without always-splitting characters: leading and trailing punctuation,
/// clitics, abbreviations.
fn core(text: &str, mut start: usize, mut end: usize, out: &mut Vec<Token>) {
    // Leading punctuation, one token per character.
    while start < end {
        let c = text[start..end].chars().next().unwrap_or(' ');
        if is_leading_punct(c) && end - start > c.len_utf8() {
            out.push(Token {
                start,
                end: start + c.len_utf8(),
            });
            start += c.len_utf8();
        } else {
            break;
        }
    }
    // Trailing punctuation, collected in reverse.
    let mut tail: Vec<Token> = Vec::new();
    while start < end {
        let word = &text[start..end];
        let c = word.chars().next_back().unwrap_or(' ');
        if !is_trailing_punct(c) || end - start == c.len_utf8() {
            break;
        }
        if c == '.' {
            let stem = &word[..word.len() - 1];
            if is_abbreviation(stem) {
                break;
            }
            // "..." stays together.
            if stem.ends_with('.') {
                let mut s = end;
                while s > start && text.as_bytes()[s - 1] == b'.' {
                    s -= 1;
                }
                if s == start {
                    break;
                }
                tail.push(Token { start: s, end });
                end = s;
                continue;
            }
        }
        // A possessive apostrophe after s ("leaders'") stays a token of its own.
        tail.push(Token {
            start: end - c.len_utf8(),
            end,
        });
        end -= c.len_utf8();
    }
    if start < end {
        let word = &text[start..end];
        // Clitics: 's, n't, 're, 've, 'll, 'd, 'm (straight or curly apostrophe).
        let lower = word.to_lowercase();
        let mut split = None;
        for suffix in [
            "n't", "n’t", "'s", "’s", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d", "'m",
            "’m",
        ] {
            if lower.len() > suffix.len() && lower.ends_with(suffix) && lower.len() == word.len() {
                split = Some(word.len() - suffix.len());
                break;
            }
        }
        match split {
            Some(k) if word.is_char_boundary(k) => {
                out.push(Token {
                    start,
                    end: start + k,
                });
                out.push(Token {
                    start: start + k,
                    end,
                });
            }
            _ => out.push(Token { start, end }),
        }
    }
    out.extend(tail.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: &[&str]) {
        let toks = tokenize(text);
        let got: Vec<&str> = toks.iter().map(|t| t.text(text)).collect();
        assert_eq!(got, expect);
        for t in &toks {
            assert!(t.start < t.end && t.end <= text.len());
        }
    }

    #[test]
    fn german_and_french_quotes() {
        check(
            "„Frankreich.“ »Grenze« «Paris»",
            &[
                "„",
                "Frankreich",
                ".",
                "“",
                "»",
                "Grenze",
                "«",
                "«",
                "Paris",
                "»",
            ],
        );
    }

    #[test]
    fn punctuation_and_clitics() {
        check(
            "Putin's visit (to Pyongyang), \"historic.\"",
            &[
                "Putin",
                "'s",
                "visit",
                "(",
                "to",
                "Pyongyang",
                ")",
                ",",
                "\"",
                "historic",
                ".",
                "\"",
            ],
        );
        check("We don't know.", &["We", "do", "n't", "know", "."]);
        check("Russia’s stance", &["Russia", "’s", "stance"]);
    }

    #[test]
    fn abbreviations_initials_numbers() {
        check(
            "Mr. George W. Bush of the U.S. paid $1,000.50 in 2000.",
            &[
                "Mr.",
                "George",
                "W.",
                "Bush",
                "of",
                "the",
                "U.S.",
                "paid",
                "$1,000.50",
                "in",
                "2000",
                ".",
            ],
        );
        check("Leif-Erik Easley", &["Leif-Erik", "Easley"]);
        check("wait... what", &["wait", "...", "what"]);
    }

    #[test]
    fn dashes_and_unicode() {
        check(
            "SEOUL, June 19 — Kim said",
            &["SEOUL", ",", "June", "19", "—", "Kim", "said"],
        );
        check("a--b পাঠকের।", &["a", "--", "b", "পাঠকের।"]);
    }

    #[test]
    fn offsets_slice_the_text() {
        let text = "  «Bonjour», dit-il.\n\nNext";
        for t in tokenize(text) {
            assert!(!t.text(text).trim().is_empty());
        }
    }
}
