//! `newsmill stories` input lines: parsing never panics, a parsed line round-trips through
//! its own JSON form, and the story stage accepts every parsed line and assigns it a story
//! that is an id seen so far.

#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_stories::input::{StoryLine, parse_line};
use newsmill_stories::{Clusterer, Config, Model};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut config = Config::default();
    config.stories.hash_bits = 10;
    let mut c = Clusterer::new(config, Model::builtin());
    let mut seen: Vec<String> = Vec::new();
    for line in text.lines() {
        let Ok(parsed) = parse_line(line) else {
            continue;
        };
        let json = serde_json::to_string(&serde_json::json!({
            "id": parsed.id, "time": parsed.time, "title": parsed.title, "text": parsed.text,
            "canonical_url": parsed.canonical_url,
        }))
        .expect("serialises");
        let again: StoryLine = parse_line(&json).expect("a parsed line parses again");
        assert_eq!(again, parsed);
        seen.push(parsed.id.clone());
        let a = c.push(&parsed.item());
        assert!(
            seen.contains(&a.story),
            "story {} is no id seen so far",
            a.story
        );
        if let Some(d) = &a.duplicate_of {
            assert!(seen.contains(d), "duplicate_of {d} is no id seen so far");
        }
    }
});
