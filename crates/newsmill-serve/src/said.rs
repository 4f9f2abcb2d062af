//! Who said what: the quotes of a set of records, the same quote carried by several outlets
//! shown once with its outlets.

use std::collections::HashMap;

use newsmill_core::{QuoteKind, Record};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One article that carries a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SaidIn {
    /// Record id.
    pub id: String,
    /// Site of the record.
    pub site: Option<String>,
    /// Headline of the record.
    pub title: Option<String>,
    /// Publication date, RFC 3339.
    pub published: Option<String>,
}

/// One quote, with everyone who carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Said {
    /// The canonical name of the speaker (an entity), when resolved.
    pub entity: Option<String>,
    /// The speaker as the first article wrote it ("he", "the ministry", "Sen. Ted Cruz").
    pub speaker: Option<String>,
    /// What was said, as the first article carrying it has it.
    pub text: String,
    /// `direct` (in quotation marks) or `indirect` (reported).
    pub kind: String,
    /// The reporting verb or phrase of the first article.
    pub cue: Option<String>,
    /// The articles carrying it, in the order given (oldest first on a story).
    pub outlets: Vec<SaidIn>,
}

/// The words of a quote, lowercased: two outlets carrying the same words with other
/// punctuation or quotation marks carry the same quote.
fn key_words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The attributed quotes of `records` (those with a speaker or an entity), optionally only
/// those of the entity `only`, grouped by speaker and words: each quote once, with the
/// articles that carry it. Most carried first, then in order of first appearance.
pub fn who_said_what(records: &[Record], only: Option<&str>) -> Vec<Said> {
    let mut out: Vec<Said> = Vec::new();
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    for r in records {
        for q in &r.quotes {
            if q.entity.is_none() && q.speaker.is_none() {
                continue;
            }
            if let Some(name) = only
                && !q
                    .entity
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(name))
            {
                continue;
            }
            let words = key_words(&q.text);
            if words.is_empty() {
                continue;
            }
            let who = q
                .entity
                .clone()
                .or_else(|| q.speaker.as_ref().map(|s| s.text.to_lowercase()))
                .unwrap_or_default();
            let place = SaidIn {
                id: r.id.clone(),
                site: r.site.clone(),
                title: r.title.clone(),
                published: r.published.clone(),
            };
            match by_key.get(&(who.clone(), words.clone())) {
                Some(&i) => {
                    if !out[i].outlets.iter().any(|o| o.id == r.id) {
                        out[i].outlets.push(place);
                    }
                }
                None => {
                    by_key.insert((who, words), out.len());
                    out.push(Said {
                        entity: q.entity.clone(),
                        speaker: q.speaker.as_ref().map(|s| s.text.clone()),
                        text: q.text.clone(),
                        kind: match q.kind {
                            QuoteKind::Direct => "direct".into(),
                            QuoteKind::Indirect => "indirect".into(),
                        },
                        cue: q.cue.as_ref().map(|c| c.text.clone()),
                        outlets: vec![place],
                    });
                }
            }
        }
    }
    // Stable: most outlets first, then first appearance.
    let mut order: Vec<(usize, Said)> = out.into_iter().enumerate().collect();
    order.sort_by(|(i, a), (j, b)| b.outlets.len().cmp(&a.outlets.len()).then(i.cmp(j)));
    order.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use newsmill_core::{Block, BlockKind, Mention, Quote};

    use super::*;

    fn rec(id: &str, site: &str, text: &str, quote: &str, entity: Option<&str>) -> Record {
        let mut r = Record {
            id: id.into(),
            site: Some(site.into()),
            blocks: vec![Block::new(BlockKind::Paragraph, text)],
            ..Record::default()
        };
        r.text = text.into();
        let start = text.find(quote).unwrap();
        let cs = text[..start].chars().count();
        r.quotes.push(Quote {
            text: quote.into(),
            start: cs,
            end: cs + quote.chars().count(),
            kind: QuoteKind::Direct,
            speaker: Some(Mention {
                start: 0,
                end: 2,
                text: "He".into(),
            }),
            entity: entity.map(String::from),
            cue: None,
        });
        r
    }

    #[test]
    fn the_same_quote_from_several_outlets_is_shown_once() {
        let records = [
            rec(
                "a",
                "one.example",
                "He said “We will win.”",
                "We will win.",
                Some("Ann Lee"),
            ),
            rec(
                "b",
                "two.example",
                "He said: \"we will win\"",
                "we will win",
                Some("Ann Lee"),
            ),
            rec(
                "c",
                "two.example",
                "He said “We lost.”",
                "We lost.",
                Some("Bob Ray"),
            ),
        ];
        let said = who_said_what(&records, None);
        assert_eq!(said.len(), 2);
        assert_eq!(said[0].text, "We will win.");
        let outlets: Vec<&str> = said[0].outlets.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(outlets, ["a", "b"]);
        let only = who_said_what(&records, Some("bob ray"));
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].entity.as_deref(), Some("Bob Ray"));
    }
}
