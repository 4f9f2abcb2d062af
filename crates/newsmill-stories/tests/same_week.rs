//! A week of news is not one story: articles written for this test (`fixtures/same_week.txt`:
//! one week's politics from several outlets, published within three days of each other) go
//! through extraction and the NLP stage as `newsmill ingest` runs them, then through the story
//! stage in several arrival orders.
//!
//! Every article's event time is its dateline or publication day, so every article is "near in
//! time" to every story of the week; that nearness must not join unrelated articles that share
//! only the words of politics (the president, the government, the ministry). The president's
//! trip, told by two outlets on the same day, is still one story.

use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_stories::{Clusterer, Config, Item, Model};

const FIXTURE: &str = include_str!("fixtures/same_week.txt");

/// `(id, gold story, record)` of each article, in file order.
fn articles() -> Vec<(String, String, Record)> {
    let nlp = newsmill_nlp::Nlp::embedded().expect("embedded NLP models");
    let config = newsmill_extract::ExtractConfig::default();
    let mut out = Vec::new();
    for chunk in FIXTURE.split("\n=== ").skip(1) {
        let (head, page) = chunk.split_once('\n').expect("header line");
        let mut head = head.split_whitespace();
        let id = head.next().expect("id").to_string();
        let story = head.next().expect("story").to_string();
        let lang = head.next().expect("language").to_string();
        let published = head.next().expect("publication time").to_string();
        let raw = RawDoc::new(
            Origin::Path(id.clone()),
            InputHint::Text,
            page.trim().as_bytes().to_vec(),
        );
        let mut record = newsmill_extract::extract(&raw, &config).expect("extracts");
        record.id.clone_from(&id);
        // What a feed, a WARC record or the page's metadata gives `newsmill ingest`.
        record.published = Some(published);
        newsmill_nlp::enrich(&mut record, &nlp);
        assert_eq!(record.language.as_deref(), Some(lang.as_str()), "{id}");
        out.push((id, story, record));
    }
    out
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
