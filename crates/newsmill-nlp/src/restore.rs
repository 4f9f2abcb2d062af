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
//! gazetteers), so nothing here is language-specific; it is only built for models whose lexicon
//! needs non-ASCII letters ([`MIN_NON_ASCII_SHARE`]), and only when a document needs it.

use crate::features::hash_str;
use crate::resources::{FlatMap, Resources};

/// Fewest restorable words a document must have before any is restored: one could be chance.
pub(crate) const MIN_RESTORED: usize = 2;

/// The share of the lexicon's words with a non-ASCII letter from which a model restores words
/// (German and Spanish lexicons: 15-17%; English 4.5%, Dutch 1.5%, where such letters are rare
/// and a text without them has lost nothing).
pub(crate) const MIN_NON_ASCII_SHARE: f64 = 0.10;

/// Entry of a key shared by two known words of unknown frequency: not restored.
const AMBIGUOUS: u32 = u32::MAX;

/// The lexicon's words with non-ASCII letters, by the hash of their lowercase form with those
/// letters deleted.
#[derive(Default)]
pub(crate) struct Restorer {
    by_key: FlatMap<u32>,
    words: Vec<Box<str>>,
    /// Frequency band of each word (lower is more frequent; 255 when unknown).
    bands: Vec<u8>,
}

impl Restorer {
    /// Builds the table from the resources' word lists; empty when the lexicon is mostly ASCII.
    pub(crate) fn build(res: &Resources) -> Restorer {
        let mut r = Restorer::default();
        if !res.lexicon_needs_non_ascii() {
            return r;
        }
        let (mut word, mut key) = (String::new(), String::new());
        res.non_ascii_words(|w| {
            word.clear();
            for c in w.chars() {
                word.extend(c.to_lowercase());
            }
            key.clear();
            key.extend(word.chars().filter(char::is_ascii));
            if !key.bytes().any(|b| b.is_ascii_alphabetic()) {
                return;
            }
            let kh = hash_str(&key);
            // A key that is itself a word is that word, not a damaged other one.
            if res.knows_lower(kh) {
                return;
            }
            let band = res.freq.get(&hash_str(&word)).copied().unwrap_or(u8::MAX);
            match r.by_key.get(&kh).copied() {
                None => {
                    r.by_key.insert(kh, r.words.len() as u32);
                    r.words.push(word.as_str().into());
                    r.bands.push(band);
                }
                Some(AMBIGUOUS) => {}
                Some(i) if *r.words[i as usize] == *word => {}
                Some(i) => {
                    let other = r.bands[i as usize];
                    if band < other {
                        r.words[i as usize] = word.as_str().into();
                        r.bands[i as usize] = band;
                    } else if band == other {
                        r.by_key.insert(kh, AMBIGUOUS);
                    }
                }
            }
        });
        r
    }

    /// The known word `token` (all ASCII, unknown to the lexicon) was before it lost its
    /// non-ASCII letters, in the token's case pattern.
    fn restore(&self, lower: &str, token: &str) -> Option<String> {
        let i = *self.by_key.get(&hash_str(lower))?;
        let word = self.words.get(i as usize)?;
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

    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The document with its damaged words restored, when it looks damaged (see the module docs);
/// `None` when it is read as it is.
pub(crate) fn restored<S: AsRef<str>>(res: &Resources, doc: &[Vec<S>]) -> Option<Vec<Vec<String>>> {
    if !res.restoring {
        return None;
    }
    if doc.iter().flatten().any(|w| {
        w.as_ref()
            .chars()
            .any(|c| !c.is_ascii() && c.is_alphabetic())
    }) {
        return None;
    }
    if !res.lexicon_needs_non_ascii() {
        return None;
    }
    let restorer = res.restorer();
    if restorer.is_empty() {
        return None;
    }
    let mut n = 0usize;
    let mut lower = String::new();
    let out: Vec<Vec<String>> = doc
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
                        && let Some(r) = restorer.restore(&lower, w)
                    {
                        n += 1;
                        return r;
                    }
                    w.to_string()
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

    fn words(doc: &[Vec<String>]) -> Vec<&str> {
        doc.iter().flatten().map(String::as_str).collect()
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
