//! A week of news is not one story: articles written for this test (`fixtures/same_week.txt`:
//! one week's politics from several outlets, published within three days of each other) go
//! through extraction and the NLP stage as `newsmill ingest` runs them, then through the story
//! stage in several arrival orders.
//!
//! Every article's event time is its dateline or publication day, so every article is "near in
//! time" to every story of the week; that nearness must not join unrelated articles that share
//! only the words of politics (the president, the government, the ministry). The president's
//! trip, told by two outlets on the same day, is still one story.

mod common;

use newsmill_core::Record;
use newsmill_stories::{Clusterer, Config, Item, Model};

const FIXTURE: &str = include_str!("fixtures/same_week.txt");

/// `(id, gold story, record)` of each article, in file order (each published at the time its
/// header gives, before the NLP stage runs).
fn articles() -> Vec<(String, String, Record)> {
    common::articles(FIXTURE)
        .into_iter()
        .map(|(head, record)| {
            let field = |k: usize| head.get(k).cloned().expect("id, story, language, time");
            assert_eq!(record.published.as_deref(), Some(field(3).as_str()));
            assert_eq!(
                record.language.as_deref(),
                Some(field(2).as_str()),
                "{}",
                field(0)
            );
            (field(0), field(1), record)
        })
        .collect()
}

#[test]
fn every_article_has_an_event_time_in_the_same_week() {
    for (id, _, r) in articles() {
        let t = r.event_time.as_deref().unwrap_or_default();
        assert!(t.starts_with("2025-11-0"), "{id}: event time {t:?}");
    }
}

#[test]
fn articles_of_one_week_join_only_their_own_event() {
    let docs = articles();
    let n = docs.len();
    let mut orders: Vec<Vec<usize>> = vec![(0..n).collect(), (0..n).rev().collect()];
    orders.push(vec![3, 5, 1, 0, 4, 2]);
    orders.push(vec![4, 2, 3, 1, 5, 0]);
    // And the orders `cargo xtask train-stories` checks its fit in.
    orders.extend(newsmill_stories::behaviour::orders(n));
    for order in orders {
        let mut c = Clusterer::new(Config::default(), Model::builtin());
        let mut story_of: Vec<(String, String, String)> = Vec::new();
        for &k in &order {
            let (id, gold, record) = &docs[k];
            let a = c.push(&Item::from_record(record));
            story_of.push((id.clone(), gold.clone(), a.story));
        }
        for (id, gold, story) in &story_of {
            for (id2, gold2, story2) in &story_of {
                if id < id2 {
                    assert_eq!(
                        gold == gold2,
                        story == story2,
                        "order {order:?}: {id} ({gold}) and {id2} ({gold2}): {story_of:?}"
                    );
                }
            }
        }
    }
}
