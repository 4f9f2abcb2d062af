//! Fixtures written for newsmill (no dataset text): one test per pattern and language.

use newsmill_core::{CharIndex, Entity, EntityType, Mention, Quote, QuoteKind};

use super::find_quotes;

/// Entities for a text: each `(name, type, surface)` gets a mention at every occurrence of
/// its surface forms (separated by `|`).
fn ents(text: &str, spec: &[(&str, EntityType, &str)]) -> Vec<Entity> {
    let index = CharIndex::new(text);
    spec.iter()
        .map(|&(name, kind, surfaces)| {
            let mut mentions = Vec::new();
            for s in surfaces.split('|') {
                for (b, _) in text.match_indices(s) {
                    mentions.push(Mention {
                        start: index.char_of(b),
                        end: index.char_of(b + s.len()),
                        text: s.to_string(),
                    });
                }
            }
            mentions.sort_by_key(|m| m.start);
            Entity {
                name: name.into(),
                kind,
                count: mentions.len(),
                mentions,
            }
        })
        .collect()
}

/// (kind, content, speaker, entity, cue) of each quote.
fn summary(qs: &[Quote]) -> Vec<(char, String, String, String, String)> {
    qs.iter()
        .map(|q| {
            (
                if q.kind == QuoteKind::Direct {
                    'D'
                } else {
                    'I'
                },
                q.text.clone(),
                q.speaker.as_ref().map_or(String::new(), |m| m.text.clone()),
                q.entity.clone().unwrap_or_default(),
                q.cue.as_ref().map_or(String::new(), |m| m.text.clone()),
            )
        })
        .collect()
}

fn check(
    lang: &str,
    text: &str,
    spec: &[(&str, EntityType, &str)],
    expect: &[(char, &str, &str, &str, &str)],
) {
    let e = ents(text, spec);
    let qs = find_quotes(text, Some(lang), &e);
    // Offsets slice the text.
    let index = CharIndex::new(text);
    for q in &qs {
        assert_eq!(&text[index.byte_of(q.start)..index.byte_of(q.end)], q.text);
    }
    let got = summary(&qs);
    let want: Vec<(char, String, String, String, String)> = expect
        .iter()
        .map(|&(k, t, s, en, c)| (k, t.into(), s.into(), en.into(), c.into()))
        .collect();
    assert_eq!(got, want, "\n{text}");
}

use EntityType::{Org, Per};

#[test]
fn english_direct_after_and_before() {
    check(
        "en",
        "“We will not back down,” Smith said. Jones told reporters: “It is over.”",
        &[("Anna Smith", Per, "Smith"), ("Bob Jones", Per, "Jones")],
        &[
            ('D', "We will not back down,", "Smith", "Anna Smith", "said"),
            ('D', "It is over.", "Jones", "Bob Jones", "told"),
        ],
    );
}
