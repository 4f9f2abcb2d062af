//! Sentence splitting over tokens, for news text.
//!
//! A sentence ends at a blank line (a block boundary), or at `.`, `!`, `?` or `...` followed by
//! closing quotes or brackets and then a token that can start a sentence (uppercase, digit,
//! opening quote or bracket). Abbreviations and initials keep their period inside the token (see
//! [`crate::tokenize`]), so "Mr. Putin" and "Vladimir V. Putin" do not split; datelines such as
//! "SEOUL, June 19 —" have no end punctuation and stay with their sentence.

use std::ops::Range;

use crate::tokenize::Token;

fn is_closing(s: &str) -> bool {
    matches!(s, "\"" | "'" | ")" | "]" | "}" | "”" | "’" | "»" | "›")
}

fn is_end(s: &str) -> bool {
    matches!(s, "." | "!" | "?" | "..." | "…" | "?!" | "!?") || s.chars().all(|c| c == '.')
}

fn can_start(s: &str) -> bool {
    s.chars().next().is_some_and(|c| {
        c.is_uppercase()
            || c.is_numeric()
            || matches!(c, '"' | '\'' | '(' | '[' | '“' | '‘' | '«' | '—' | '-')
    })
}

/// Abbreviations that often end a sentence too ("... in the U.S. The ...").
fn is_final_abbreviation(s: &str) -> bool {
    matches!(
        s,
        "U.S." | "U.K." | "U.N." | "Inc." | "Ltd." | "Corp." | "Co." | "etc." | "a.m." | "p.m."
    )
}

/// Words that start sentences but rarely follow a sentence-internal abbreviation.
fn is_sentence_starter(s: &str) -> bool {
    matches!(
        s,
        "The"
            | "A"
            | "An"
            | "He"
            | "She"
            | "It"
            | "They"
            | "We"
            | "I"
            | "This"
            | "That"
            | "But"
            | "In"
            | "On"
            | "At"
            | "His"
            | "Her"
            | "Their"
            | "There"
            | "And"
            | "As"
            | "If"
    )
}

/// Splits the tokens of `text` into sentences, returned as ranges of token indexes.
pub fn split_sentences(text: &str, tokens: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].text(text);
        // A blank line between this token and the next ends the sentence.
        let gap_break = tokens
            .get(i + 1)
            .is_some_and(|n| text[tokens[i].end..n.start].matches('\n').count() >= 2);
        let mut end = None;
        if gap_break {
            end = Some(i + 1);
        } else if is_end(t) || (is_final_abbreviation(t) && i + 1 < tokens.len()) {
            let mut j = i + 1;
            while j < tokens.len() && is_closing(tokens[j].text(text)) {
                j += 1;
            }
            match tokens.get(j) {
                None => end = Some(j),
                Some(n) => {
                    let next = n.text(text);
                    let ok = if is_end(t) {
                        can_start(next)
                    } else {
                        is_sentence_starter(next)
                    };
                    if ok {
                        end = Some(j);
                    }
                }
            }
        }
        match end {
            Some(e) => {
                out.push(start..e);
                start = e;
                i = e;
            }
            None => i += 1,
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn check(text: &str, expect: &[&str]) {
        let toks = tokenize(text);
        let got: Vec<&str> = split_sentences(text, &toks)
            .into_iter()
            .map(|r| &text[toks[r.start].start..toks[r.end - 1].end])
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn abbreviations_and_initials() {
        check(
            "Mr. Putin met George W. Bush in the U.S. capital. They spoke.",
            &[
                "Mr. Putin met George W. Bush in the U.S. capital.",
                "They spoke.",
            ],
        );
        check(
            "He lives in the U.S. The rest stayed.",
            &["He lives in the U.S.", "The rest stayed."],
        );
    }

    #[test]
    fn quotes_numbers_datelines() {
        check(
            "SEOUL, June 19 — He said: \"We won.\" Then 3.5 percent left. 2000 was calm!",
            &[
                "SEOUL, June 19 — He said: \"We won.\"",
                "Then 3.5 percent left.",
                "2000 was calm!",
            ],
        );
        check(
            "a lower-case follow-up. and more",
            &["a lower-case follow-up. and more"],
        );
    }

    #[test]
    fn blank_lines_split() {
        check(
            "Defense Cooperation Concerns\n\nThere is concern",
            &["Defense Cooperation Concerns", "There is concern"],
        );
    }
}
