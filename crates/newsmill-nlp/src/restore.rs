//! Words that lost their non-ASCII letters.
//!
//! Text that went through a lossy conversion to ASCII (`iconv -c`, a mis-declared encoding
//! repaired by dropping what did not decode) keeps every ASCII letter and loses the others:
//! "Mnchen", "fr", "groen" for "München", "für", "großen". A tagger trained on real German or
//! Spanish then sees unknown words where its lexicon, clusters and gazetteers know the real ones.
//!
//! When a document has no non-ASCII letter at all and at least [`MIN_RESTORED`] of its words are
//! unknown to the model's lexicon but are a known word with its non-ASCII letters deleted, those
//! words are read as the known word for the features (the tokens and their offsets do not
//! change). The lexicon is the model's own resources (case ratios, clusters, frequency bands,
//! gazetteers), so nothing here is language-specific. The table of such words
//! ([`RestorerTables`]) is built with the model's other tables (at build time for the models
//! compiled into the crate), and only for models whose lexicon needs non-ASCII letters
//! ([`crate::tables::MIN_NON_ASCII_SHARE`]).

use std::borrow::Cow;

use crate::features::hash_str;
use crate::resources::Resources;
use crate::tables::RestorerTables;

/// Fewest restorable words a document must have before any is restored: one could be chance.
pub(crate) const MIN_RESTORED: usize = 2;

/// The known word `token` (all ASCII, unknown to the lexicon; `lower` is its lowercase form)
/// was before it lost its non-ASCII letters, in the token's case pattern.
fn restore(t: &RestorerTables, lower: &str, token: &str) -> Option<String> {
    let i = *t.by_key.get(&hash_str(lower))?;
    let word = t.word(i)?;
    let mut chars = token.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    let all_upper =
        first_upper && token.chars().count() > 1 && token.chars().all(|c| !c.is_lowercase());
    Some(if all_upper {
        word.to_uppercase()
    } else if first_upper {
        let mut w = word.chars();
        w.next()
            .map(|c| c.to_uppercase().chain(w).collect())
            .unwrap_or_default()
    } else {
        word.to_string()
    })
}

/// The document with its damaged words restored, when it looks damaged (see the module docs);
/// `None` when it is read as it is. Words that are not restored are borrowed.
pub(crate) fn restored<'a, S: AsRef<str>>(
    res: &Resources,
    doc: &'a [Vec<S>],
) -> Option<Vec<Vec<Cow<'a, str>>>> {
    if !res.restoring || !res.lexicon_needs_non_ascii() || res.restorer.is_empty() {
        return None;
    }
    if doc.iter().flatten().any(|w| {
        w.as_ref()
            .chars()
            .any(|c| !c.is_ascii() && c.is_alphabetic())
    }) {
        return None;
    }
    let mut n = 0usize;
    let mut lower = String::new();
    let out: Vec<Vec<Cow<'a, str>>> = doc
        .iter()
        .map(|sent| {
            sent.iter()
                .map(|w| {
                    let w = w.as_ref();
                    lower.clear();
                    lower.push_str(w);
                    lower.make_ascii_lowercase();
                    if w.bytes().any(|b| b.is_ascii_alphabetic())
                        && !res.knows(w, &lower)
                        && let Some(r) = restore(&res.restorer, &lower, w)
                    {
                        n += 1;
                        return Cow::Owned(r);
                    }
                    Cow::Borrowed(w)
                })
                .collect()
        })
        .collect();
    (n >= MIN_RESTORED).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res() -> Resources {
        let mut blob = String::from("#case\n");
        // A lexicon where most words need non-ASCII letters (invented entries).
        for w in ["für", "über", "größer", "müde", "grün", "Bär"] {
            blob.push_str(&format!("{w}\tL\n"));
        }
        blob.push_str("und\tL\n#gaz city\nMünchen\nZürich\n");
        Resources::parse(&blob)
    }

    fn words<'a>(doc: &'a [Vec<Cow<'_, str>>]) -> Vec<&'a str> {
        doc.iter().flatten().map(AsRef::as_ref).collect()
    }

    #[test]
    fn a_document_that_lost_its_umlauts_is_read_with_them() {
        let res = res();
        let doc = vec![vec!["Mnchen", "und", "Zrich", "fr", "ihn", "GRN"]];
        let out = restored(&res, &doc).expect("damaged");
        assert_eq!(
            words(&out),
            ["München", "und", "Zürich", "für", "ihn", "GRÜN"]
        );
    }

    #[test]
    fn a_document_with_any_non_ascii_letter_or_one_match_is_left_alone() {
        let res = res();
        assert!(restored(&res, &[vec!["Mnchen", "und", "Zrich", "grün"]]).is_none());
        assert!(restored(&res, &[vec!["Mnchen", "und", "ihn"]]).is_none());
    }

    #[test]
    fn a_mostly_ascii_lexicon_restores_nothing() {
        let mut blob = String::from("#case\n");
        for i in 0..40 {
            blob.push_str(&format!("word{i}\tL\n"));
        }
        blob.push_str("für\tL\nüber\tL\n");
        let res = Resources::parse(&blob);
        assert!(restored(&res, &[vec!["fr", "ber", "fr"]]).is_none());
    }
}
