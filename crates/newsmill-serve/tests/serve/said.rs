//! Who said what (issue 17): a story's quotes and an entity's, each quote once with the
//! outlets that carry it, over the API and on the pages.

use newsmill_core::{
    Block, BlockKind, Entity, EntityType, Mention, Quote, QuoteKind, Record, record_id,
};
use serde_json::Value;

use crate::common::{TestServer, corpus};

/// An article of the story `harbour-quotes` on `site` quoting the harbour master.
fn quoting(site: &str, lead: &str) -> Record {
    let body = format!("{lead} “The harbour will reopen on Friday,” said Ines Okafor.");
    let mut r = Record {
        origin: format!("test:{site}"),
        title: Some(format!("Harbour news from {site}")),
        url: Some(format!("https://{site}/harbour")),
        canonical_url: Some(format!("https://{site}/harbour")),
        site: Some(site.into()),
        published: Some("2024-06-05T09:00:00Z".into()),
        story: Some("harbour-quotes".into()),
        language: Some("en".into()),
        blocks: vec![Block::new(BlockKind::Paragraph, body)],
        ..Record::default()
    };
    r.finish();
    r.id = record_id(r.canonical_url.as_deref(), &r.text);
    let chars = |b: usize| r.text[..b].chars().count();
    let q0 = r.text.find("The harbour").unwrap();
    let q1 = r.text.find(",”").unwrap() + 1;
    let n0 = r.text.find("Ines Okafor").unwrap();
    let c0 = r.text.find("said").unwrap();
    let speaker = Mention {
        start: chars(n0),
        end: chars(n0) + 11,
        text: "Ines Okafor".into(),
    };
    r.entities.push(Entity {
        name: "Ines Okafor".into(),
        kind: EntityType::Per,
        mentions: vec![speaker.clone()],
        count: 1,
    });
    r.quotes.push(Quote {
        text: r.text[q0..q1].to_string(),
        start: chars(q0),
        end: chars(q1),
        kind: QuoteKind::Direct,
        speaker: Some(speaker),
        entity: Some("Ines Okafor".into()),
        cue: Some(Mention {
            start: chars(c0),
            end: chars(c0) + 4,
            text: "said".into(),
        }),
    });
    r.check_invariants().unwrap();
    r
}

pub(crate) fn records() -> Vec<Record> {
    let mut v = corpus();
    v.push(quoting(
        "coastal-courier.example",
        "Storm damage is being assessed.",
    ));
    v.push(quoting(
        "northern-times.example",
        "Repairs start next week.",
    ));
    v
}

#[tokio::test]
async fn the_same_quote_is_shown_once_with_its_outlets() {
    let srv = TestServer::start(records());
    let said: Value = reqwest::get(srv.url("/api/stories/harbour-quotes/quotes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let said = said.as_array().unwrap();
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0]["entity"], "Ines Okafor");
    assert_eq!(said[0]["kind"], "direct");
    assert_eq!(said[0]["outlets"].as_array().unwrap().len(), 2);

    let by: Value = reqwest::get(srv.url("/api/entities/Ines%20Okafor/quotes"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by.as_array().unwrap().len(), 1);
    let resp = reqwest::get(srv.url("/api/stories/nope/quotes"))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);

    let page = reqwest::get(srv.url("/stories/harbour-quotes"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Who said what"), "{page}");
    assert!(page.contains("2 outlets"), "{page}");
    assert!(page.contains("The harbour will reopen on Friday,"));
    let page = reqwest::get(srv.url("/entities/Ines%20Okafor"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("What Ines Okafor said"), "{page}");
}
