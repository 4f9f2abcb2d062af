//! The store's query language (the CLI's `search`, the API's `q`) on arbitrary strings, run
//! against a small store: never panics or overflows the stack; a query either answers from the
//! store's own records (no more hits than records, each a stored id) or is refused as a bad
//! query, never with another error; and nesting past `MAX_QUERY_DEPTH` is always refused.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsmill_core::{Block, BlockKind, Entity, EntityType, Record};
use newsmill_index::{IndexError, MAX_QUERY_DEPTH, PutInfo, SearchRequest, Store};

fn record(i: usize, title: &str, body: &str, entity: &str) -> Record {
    let mut r = Record {
        origin: format!("fuzz:{i}"),
        title: Some(title.into()),
        blocks: vec![Block::new(BlockKind::Paragraph, body)],
        canonical_url: Some(format!("https://news{i}.example/a")),
        site: Some(format!("news{i}.example")),
        language: Some(if i == 1 { "de" } else { "en" }.into()),
        published: Some(format!("2024-06-1{i}T08:00:00Z")),
        story: Some(format!("s{}", i % 2)),
        ..Record::default()
    };
    r.finish();
    r.entities.push(Entity {
        name: entity.into(),
        kind: EntityType::Per,
        mentions: vec![],
        count: 0,
    });
    r
}

/// A store of three records, made once per fuzzing process.
fn store() -> &'static (Store, Vec<String>) {
    static STORE: OnceLock<(Store, Vec<String>)> = OnceLock::new();
    STORE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("newsmill-fuzz-query-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::create(&dir).expect("store");
        let records = [
            record(0, "Putin arrives in Pyongyang", "Vladimir Putin met Kim Jong Un on Wednesday.", "Vladimir Putin"),
            record(1, "Hafen öffnet wieder", "Der Hafen von Port Elwin öffnet nach dem Sturm.", "Port Elwin"),
            record(2, "Oil \"prices\" fall", "Oil prices fell 3% on Thursday (in Asia) as stocks rose.", "O'Brien \\ \"Co\""),
        ];
        let mut w = store.writer().expect("writer");
        for r in &records {
            w.put(r, &PutInfo::default()).expect("put");
        }
        w.commit().expect("commit");
        drop(w);
        let ids = records.iter().map(|r| r.id.clone()).collect();
        (store, ids)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let (store, ids) = store();
    let request = SearchRequest {
        query: query.to_string(),
        limit: 2,
        facets: data.len() % 2 == 0,
        ..SearchRequest::default()
    };
    match store.search(&request) {
        Ok(r) => {
            assert!(r.total <= ids.len(), "{} hits from {} records", r.total, ids.len());
            assert!(r.hits.len() <= r.total.min(2));
            assert!(r.hits.iter().all(|h| ids.contains(&h.id)));
        }
        Err(IndexError::Query { .. }) => {}
        Err(e) => panic!("{query:?}: {e}"),
    }
    let deep = format!(
        "{}{query}{}",
        "(".repeat(MAX_QUERY_DEPTH + 1),
        ")".repeat(MAX_QUERY_DEPTH + 1)
    );
    let refused = store.search(&SearchRequest::new(deep));
    assert!(
        matches!(refused, Err(IndexError::Query { ref message, .. }) if message.contains("nested")),
        "{refused:?}"
    );
});
