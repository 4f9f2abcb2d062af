//! Quote finding on arbitrary text: never panics on unbalanced or nested marks, and every quote
//! it returns slices the text (content, speaker and cue), names only an entity of the record,
//! and is the same when found twice. The first byte picks the language (en, de, es, fr, nl,
//! none); every capitalised word becomes a person mention, so speakers get resolved.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_core::{Block, BlockKind, CharIndex, Entity, EntityType, Mention, Record};

fuzz_target!(|data: &[u8]| {
    let Some((&lang, rest)) = data.split_first() else {
        return;
    };
    let language = ["en", "de", "es", "fr", "nl", ""][usize::from(lang) % 6];
    let text = String::from_utf8_lossy(rest).into_owned();
    let index = CharIndex::new(&text);
    let mut entities: Vec<Entity> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (start, c.is_alphabetic()) {
            (None, true) if c.is_uppercase() => start = Some(i),
            (Some(s), false) => {
                let word = &text[s..i];
                let m = Mention {
                    start: index.char_of(s),
                    end: index.char_of(i),
                    text: word.to_string(),
                };
                match entities.iter_mut().find(|e| e.name == word) {
                    Some(e) => {
                        e.mentions.push(m);
                        e.count += 1;
                    }
                    None => entities.push(Entity {
                        name: word.to_string(),
                        kind: if word.len() % 2 == 0 { EntityType::Per } else { EntityType::Org },
                        mentions: vec![m],
                        count: 1,
                    }),
                }
                start = None;
            }
            _ => {}
        }
    }
    let lang = (!language.is_empty()).then_some(language);
    let quotes = newsmill_nlp::quotes::find_quotes(&text, lang, &entities);
    let again = newsmill_nlp::quotes::find_quotes(&text, lang, &entities);
    assert_eq!(quotes, again, "quote finding is deterministic");
    // `split` and `join` by the blank line give the text back exactly.
    let mut record = Record {
        blocks: text.split("\n\n").map(|b| Block::new(BlockKind::Paragraph, b)).collect(),
        text: text.clone(),
        entities,
        quotes,
        ..Record::default()
    };
    record.language = lang.map(str::to_string);
    record.check_invariants().expect("quote spans slice the text");
    for q in &record.quotes {
        assert!(q.start < q.end, "empty quote {q:?}");
    }
});
