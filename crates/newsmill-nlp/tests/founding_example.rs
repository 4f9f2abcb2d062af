//! The founding example (PRODUCT.md): the entities of the Putin / North Korea article.
//!
//! The fixture is the article body as extraction leaves it (the numbered source list moved to
//! `sources_cited`, the footer removed).

use newsmill_core::{Block, BlockKind, EntityType, Record, join_blocks};
use newsmill_nlp::{Nlp, enrich};

fn record() -> Record {
    let body = include_str!("fixtures/putin-north-korea.txt");
    let blocks: Vec<Block> = body
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| Block::new(BlockKind::Paragraph, b))
        .collect();
    let mut record: Record = serde_json::from_str(
        r#"{"id":"","origin":"putin-north-korea.txt","url":null,"canonical_url":null,"site":null,
            "title":null,"dek":null,"byline":[],"published":null,"modified":null,"section":null,
            "tags":[],"language":"en","blocks":[],"text":"","sources_cited":[],"entities":[],
            "quotes":[],"dates":[],"removed":[],"provenance":{},"duplicate_of":null,"story":null}"#,
    )
    .expect("record JSON");
    record.text = join_blocks(&blocks);
    record.blocks = blocks;
    record.sources_cited = [
        "Tass Russian News Agency",
        "North Korea's state-run media",
        "Leif-Erik Easley, Professor at Yoha University, Seoul",
        "Former South Korean nuclear envoy Kim Gun-dee",
        "Putin aide Yuri Ushakov",
        "Former Russian diplomat Georgy Toloraya",
    ]
    .map(String::from)
    .to_vec();
    record
}

#[test]
fn founding_example_entities() {
    let nlp = Nlp::embedded().expect("embedded model");
    let mut r = record();
    enrich(&mut r, &nlp);
    r.check_invariants().expect("offsets slice the text");
    let find = |name: &str| {
        let hits: Vec<_> = r.entities.iter().filter(|e| e.name == name).collect();
        assert_eq!(
            hits.len(),
            1,
            "one entity named {name:?}: {:#?}",
            r.entities
        );
        hits[0]
    };
    let text = &r.text;
    let expected = [
        ("Vladimir Putin", EntityType::Per),
        ("Kim Jong Un", EntityType::Per),
        ("Xi Jinping", EntityType::Per),
        ("Yuri Ushakov", EntityType::Per),
        ("Georgy Toloraya", EntityType::Per),
        ("Leif-Erik Easley", EntityType::Per),
        ("Tass", EntityType::Org),
        ("UN Security Council", EntityType::Org),
        ("North Korea", EntityType::Loc),
        ("Russia", EntityType::Loc),
        ("Pyongyang", EntityType::Loc),
        ("Moscow", EntityType::Loc),
        ("China", EntityType::Loc),
        ("Seoul", EntityType::Loc),
    ];
    for (name, kind) in expected {
        let e = find(name);
        assert_eq!(e.kind, kind, "{name}");
    }
    // All mentions found: every occurrence of the names in the text (as whole words) is a
    // mention of its entity. Occurrences inside a hyphenated compound ("Russia-North Korea
    // Relations") are one token for the tokenizer and are not counted.
    let count = |needle: &str| {
        text.match_indices(needle)
            .filter(|(i, _)| {
                let before = text[..*i].chars().next_back();
                let after = text[i + needle.len()..].chars().next();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
                    && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
            })
            .count()
    };
    let putin = find("Vladimir Putin");
    assert_eq!(putin.count, count("Putin"));
    assert!(putin.mentions.iter().any(|m| m.text == "Putin"));
    assert!(
        putin
            .mentions
            .iter()
            .all(|m| !m.text.starts_with("President"))
    );
    let kim = find("Kim Jong Un");
    assert_eq!(kim.count, count("Kim"));
    assert_eq!(find("Pyongyang").count, count("Pyongyang"));
    assert_eq!(find("Moscow").count, count("Moscow"));
    assert_eq!(find("China").count, count("China"));
    assert_eq!(find("Tass").count, count("Tass"));
    assert_eq!(find("Xi Jinping").count, count("Xi Jinping"));
    assert_eq!(find("UN Security Council").count, 1);
    // "North Korea" also occurs inside "North Korean" (a MISC adjective): count the noun.
    assert_eq!(find("North Korea").count, count("North Korea"));
    assert_eq!(
        find("Russia").count,
        count("Russia"),
        "every Russia mention, including Russia-North Korea"
    );
    // Named only in sources_cited: listed, with no mentions in text.
    for name in [
        "Yuri Ushakov",
        "Georgy Toloraya",
        "Leif-Erik Easley",
        "Seoul",
    ] {
        let e = find(name);
        assert_eq!((e.count, e.mentions.len()), (0, 0), "{name}");
    }
}

/// PRODUCT.md: "the quote "illegal unilateral restrictions" attributed to Putin (in a letter),
/// the claim attributed to Tass".
#[test]
fn founding_example_quotes() {
    let nlp = Nlp::embedded().expect("embedded model");
    let mut r = record();
    enrich(&mut r, &nlp);
    r.check_invariants().expect("quote spans slice the text");
    let direct = r
        .quotes
        .iter()
        .find(|q| q.text.starts_with("illegal unilateral restrictions"))
        .expect("the direct quote");
    assert_eq!(direct.kind, newsmill_core::QuoteKind::Direct);
    assert_eq!(direct.entity.as_deref(), Some("Vladimir Putin"));
    assert_eq!(direct.speaker.as_ref().map(|s| s.text.as_str()), Some("He"));
    assert_eq!(
        direct.cue.as_ref().map(|c| c.text.as_str()),
        Some("emphasized")
    );
    let tass = r
        .quotes
        .iter()
        .find(|q| q.text.starts_with("Putin is expected to sign"))
        .expect("the claim attributed to Tass");
    assert_eq!(tass.kind, newsmill_core::QuoteKind::Indirect);
    assert_eq!(tass.entity.as_deref(), Some("Tass"));
    assert_eq!(
        tass.cue.as_ref().map(|c| c.text.as_str()),
        Some("According to")
    );
}
