//! Stories across languages, told apart by when and who: articles written for this test
//! (`fixtures/derailments.txt`) go through extraction and the NLP stage as `newsmill ingest`
//! runs them, then through the story stage in several arrival orders.
//!
//! - One derailment near Milan in March 2023, told in English, German and Spanish, is one
//!   story: the words differ, but the names (the operator, the spokesman, the place under one
//!   canonical name), the figures and the date are the same.
//! - A derailment of the same kind near the same city in October 2019, with another operator
//!   and spokeswoman, is another story, however alike the words.

mod common;

use newsmill_core::Record;
use newsmill_stories::{Clusterer, Config, Item, Model};

const FIXTURE: &str = include_str!("fixtures/derailments.txt");

/// `(id, gold story, language, record)` of each article.
fn articles() -> Vec<(String, String, String, Record)> {
    common::articles(FIXTURE)
        .into_iter()
        .map(|(head, record)| {
            let field = |k: usize| head.get(k).cloned().expect("id, story and language");
            (field(0), field(1), field(2), record)
        })
        .collect()
}

#[test]
fn the_nlp_stage_gives_the_evidence() {
    for (id, story, lang, r) in articles() {
        assert_eq!(r.language.as_deref(), Some(lang.as_str()), "{id}");
        let year = if story == "A" {
            "2023-03-14"
        } else {
            "2019-10-02"
        };
        assert_eq!(r.event_time.as_deref(), Some(year), "{id}: {:?}", r.dates);
        assert!(
            r.entities
                .iter()
                .any(|e| e.name == "Milan" && e.kind == newsmill_core::EntityType::Loc),
            "{id}: {:?}",
            r.entities
        );
    }
}

#[test]
fn one_event_in_three_languages_is_one_story_and_another_year_is_another() {
    let docs = articles();
    // File order, reversed, and interleaved orders that start with either story.
    let n = docs.len();
    let mut orders: Vec<Vec<usize>> = vec![(0..n).collect(), (0..n).rev().collect()];
    orders.push(vec![1, 3, 4, 0, 2]);
    orders.push(vec![2, 4, 1, 3, 0]);
    // And the orders `cargo xtask train-stories` checks its fit in.
    orders.extend(newsmill_stories::behaviour::orders(n));
    for order in orders {
        let mut c = Clusterer::new(Config::default(), Model::builtin());
        let mut story_of: Vec<(String, String, String)> = Vec::new();
        for &k in &order {
            let (id, gold, _, record) = &docs[k];
            let a = c.push(&Item::from_record(record));
            story_of.push((id.clone(), gold.clone(), a.story));
        }
        let of = |gold: &str| -> Vec<&str> {
            let mut v: Vec<&str> = story_of
                .iter()
                .filter(|x| x.1 == gold)
                .map(|x| x.2.as_str())
                .collect();
            v.dedup();
            v
        };
        let (a, b) = (of("A"), of("B"));
        assert_eq!(a.len(), 1, "order {order:?}: story A split: {story_of:?}");
        assert_eq!(b.len(), 1, "order {order:?}: story B split: {story_of:?}");
        assert_ne!(a, b, "order {order:?}: 2019 and 2023 merged: {story_of:?}");
        // The story lists its languages.
        let summary = c
            .stories()
            .open_stories()
            .find(|s| s.id == a[0])
            .expect("story A is open");
        let mut langs: Vec<&str> = summary.languages.iter().map(|l| l.value.as_str()).collect();
        langs.sort_unstable();
        assert_eq!(langs, ["de", "en", "es"], "order {order:?}");
    }
}
