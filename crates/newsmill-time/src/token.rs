//! Tokens: runs of letters, runs of ASCII digits, and every other visible character alone.
//!
//! Letters and digits are separate tokens even when adjacent (`10pm` is `10` `pm`, `1990s` is
//! `1990` `s`), so the grammar sees the parts and knows from [`Token::gap`] that nothing stood
//! between them. The vocabularies are cut the same way, so a phrase such as `a.m.` or `il y a`
//! is matched token by token.

/// What stands between a token and the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Gap {
    /// Nothing: the tokens touch (`10` `pm` in `10pm`, `Sept` `.`).
    None,
    /// Spaces or one line break.
    Space,
    /// A blank line (a block boundary in a record's text): expressions never cross it.
    Break,
}

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of letters (and combining marks).
    Word,
    /// A run of ASCII digits.
    Num,
    /// Any other character, alone.
    Punct,
}

/// One token: byte offsets into the text and into the lowercase buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: Kind,
    pub(crate) gap: Gap,
    /// Whether the first character is uppercase.
    pub(crate) cap: bool,
    /// Whether every letter is uppercase (and there are at least two).
    pub(crate) all_caps: bool,
    lower: (u32, u32),
}

/// The tokens of a text, with their lowercase forms in one buffer.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub(crate) toks: Vec<Token>,
    lower: String,
}

impl Tokens {
    /// The lowercase, normalised form of token `i` (typographic apostrophes and dashes mapped
    /// to ASCII).
    pub(crate) fn lower(&self, i: usize) -> &str {
        let (a, b) = self.toks[i].lower;
        &self.lower[a as usize..b as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.toks.len()
    }

    /// The number of a digits token (`None` for other tokens or more than 9 digits).
    pub(crate) fn num(&self, i: usize) -> Option<u32> {
        let t = self.toks.get(i)?;
        if t.kind != Kind::Num || t.end - t.start > 9 {
            return None;
        }
        self.lower(i).parse().ok()
    }

    /// Digits in a digits token.
    pub(crate) fn digits(&self, i: usize) -> usize {
        self.toks
            .get(i)
            .filter(|t| t.kind == Kind::Num)
            .map_or(0, |t| t.end - t.start)
    }

    /// Whether token `i` exists and is the punctuation `c`.
    pub(crate) fn is_punct(&self, i: usize, c: &str) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == Kind::Punct && self.lower(i) == c)
    }

    /// The gap before token `i` (`Break` past the end, so nothing reaches beyond it).
    pub(crate) fn gap(&self, i: usize) -> Gap {
        self.toks.get(i).map_or(Gap::Break, |t| t.gap)
    }
}

/// Maps typographic variants to the ASCII forms the vocabularies use.
fn normal(c: char) -> char {
    match c {
        '’' | '‘' | '`' | '´' | 'ʼ' => '\'',
        '‐' | '‑' | '‒' | '–' | '—' | '−' => '-',
        '“' | '”' | '„' | '«' | '»' => '"',
        '\u{a0}' | '\u{202f}' => ' ',
        c => c,
    }
}

/// Cuts `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens {
        toks: Vec::with_capacity(text.len() / 4),
        lower: String::with_capacity(text.len()),
    };
    let mut newlines = 0usize;
    let mut spaced = false;
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            spaced = true;
            if c == '\n' {
                newlines += 1;
            }
            continue;
        }
        let gap = if newlines >= 2 {
            Gap::Break
        } else if spaced {
            Gap::Space
        } else {
            Gap::None
        };
        newlines = 0;
        spaced = false;
        let lo = out.lower.len() as u32;
        let (kind, end) = if c.is_ascii_digit() {
            let mut end = i + 1;
            out.lower.push(c);
            while let Some(&(j, d)) = it.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                out.lower.push(d);
                end = j + 1;
                it.next();
            }
            (Kind::Num, end)
        } else if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            out.lower.extend(c.to_lowercase());
            while let Some(&(j, d)) = it.peek() {
                let mark = matches!(d, '\u{300}'..='\u{36f}');
                if !(d.is_alphabetic() || mark) {
                    break;
                }
                out.lower.extend(d.to_lowercase());
                end = j + d.len_utf8();
                it.next();
            }
            (Kind::Word, end)
        } else {
            out.lower.push(normal(c));
            (Kind::Punct, i + c.len_utf8())
        };
        let word = &text[i..end];
        let cap = c.is_uppercase();
        let all_caps = kind == Kind::Word
            && word.chars().count() >= 2
            && word.chars().all(|ch| !ch.is_lowercase());
        out.toks.push(Token {
            start: i,
            end,
            kind,
            gap,
            cap,
            all_caps,
            lower: (lo, out.lower.len() as u32),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowers(text: &str) -> Vec<String> {
        let t = tokenize(text);
        (0..t.len()).map(|i| t.lower(i).to_string()).collect()
    }

    #[test]
    fn cuts_letters_digits_and_marks() {
        assert_eq!(
            lowers("10pm, Sept. 30"),
            ["10", "pm", ",", "sept", ".", "30"]
        );
        assert_eq!(lowers("aujourd’hui"), ["aujourd", "'", "hui"]);
        assert_eq!(lowers("1990s"), ["1990", "s"]);
        assert_eq!(lowers("two‐year"), ["two", "-", "year"]);
        let t = tokenize("a\n\nb c");
        assert_eq!(t.gap(1), Gap::Break);
        assert_eq!(t.gap(2), Gap::Space);
        assert_eq!(t.gap(0), Gap::None);
        assert_eq!(t.gap(9), Gap::Break);
    }

    #[test]
    fn offsets_slice_the_text() {
        let text = "Mittwoch, 19. Juni — ½ İstanbul";
        let t = tokenize(text);
        for tok in &t.toks {
            assert!(text.is_char_boundary(tok.start) && text.is_char_boundary(tok.end));
        }
        assert_eq!(&text[t.toks[0].start..t.toks[0].end], "Mittwoch");
    }
}
