//! The corpus through newsmill-index: what [`IndexStore`] answers, checked against a naive scan
//! of the records where one fits.

use std::sync::Arc;

use newsmill_core::Record;
use newsmill_index::PutInfo;
use newsmill_serve::{Filters, IndexStore, SearchRequest, Sort, Store, StoreError};

use crate::common::{corpus, temp_dir};

pub(crate) fn build_index(dir: &std::path::Path, records: &[Record]) {
    crate::common::add_records(dir, records);
}

fn ids(s: &dyn Store, q: &str, sort: Sort) -> Vec<String> {
    let mut req = SearchRequest::new(q, 100);
    req.sort = sort;
    s.search(&req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// The words of a record as a naive oracle sees them: lowercased runs of letters and digits of
/// its title, dek and text.
fn words(r: &Record) -> Vec<String> {
    format!(
        "{} {} {}",
        r.title.as_deref().unwrap_or(""),
        r.dek.as_deref().unwrap_or(""),
        r.text
    )
    .split(|c: char| !c.is_alphanumeric())
    .filter(|w| !w.is_empty())
    .map(str::to_lowercase)
    .collect()
}

/// Ids of the records a naive scan finds: every word of `all`, the words of `phrase` in a
/// row, none of `none`, and the site when given; ordered by publication date.
fn oracle(
    records: &[Record],
    all: &[&str],
    phrase: &[&str],
    none: &[&str],
    site: Option<&str>,
) -> Vec<String> {
    let mut found: Vec<&Record> = records
        .iter()
        .filter(|r| {
            let w = words(r);
            all.iter().all(|x| w.iter().any(|y| y == x))
                && (phrase.is_empty() || w.windows(phrase.len()).any(|x| x == phrase))
                && !none.iter().any(|x| w.iter().any(|y| y == x))
                && site.is_none_or(|s| r.site.as_deref() == Some(s))
        })
        .collect();
    found.sort_by(|a, b| a.published.cmp(&b.published));
    found.into_iter().map(|r| r.id.clone()).collect()
}

#[test]
fn index_store_answers_searches_stories_and_entities() {
    let records = corpus();
    let dir = temp_dir("index");
    build_index(&dir, &records);
    let index = IndexStore::open(&dir).unwrap();

    type Case<'a> = (
        &'a str,
        &'a [&'a str],
        &'a [&'a str],
        &'a [&'a str],
        Option<&'a str>,
    );
    let cases: [Case; 5] = [
        ("harbour", &["harbour"], &[], &[], None),
        ("\"harbour master\"", &[], &["harbour", "master"], &[], None),
        ("harbour -storm", &["harbour"], &[], &["storm"], None),
        (
            "site:coastal-courier.example",
            &[],
            &[],
            &[],
            Some("coastal-courier.example"),
        ),
        ("", &[], &[], &[], None),
    ];
    for (q, all, phrase, none, site) in cases {
        let oldest = oracle(&records, all, phrase, none, site);
        assert!(!oldest.is_empty() || q == "harbour -storm", "{q:?}");
        assert_eq!(ids(&index, q, Sort::Oldest), oldest, "{q:?}");
        let newest: Vec<String> = oldest.iter().rev().cloned().collect();
        assert_eq!(ids(&index, q, Sort::Newest), newest, "{q:?}");
        let mut a = ids(&index, q, Sort::Relevance);
        let mut b = oldest.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{q:?}");
    }
    let f = Filters {
        site: Some("coastal-courier.example".into()),
        from: Some("2024-06-04".into()),
        ..Filters::default()
    };
    let mut req = SearchRequest::new("harbour", 10);
    req.filters = f.clone();
    req.facets = true;
    let page = index.search(&req).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.hits[0].id, records[2].id);
    assert_eq!(page.hits[0].story.as_deref(), Some("storm-port-elwin"));
    let facets = page.facets.unwrap();
    assert_eq!(
        facets.site,
        [newsmill_serve::FacetCount {
            value: "coastal-courier.example".into(),
            count: 1
        }]
    );
    assert_eq!(facets.day.len(), 1);
    assert_eq!(facets.day[0].value, "2024-06-05");

    // Stories, most recently active first, each summed up from its articles.
    let (total, stories) = index.stories(0, 10).unwrap();
    assert_eq!(total, 3);
    let listed: Vec<(&str, u32)> = stories
        .iter()
        .map(|s| (s.id.as_str(), s.articles))
        .collect();
    assert_eq!(
        listed,
        [
            ("putin-pyongyang", 1),
            ("storm-port-elwin", 3),
            ("valdoria-elections", 1)
        ]
    );
    let storm = &stories[1];
    assert_eq!(Some(storm.title.as_str()), records[0].title.as_deref());
    let sites: Vec<(&str, u64)> = storm
        .sites
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(
        sites,
        [
            ("coastal-courier.example", 2),
            ("northern-times.example", 1)
        ]
    );
    let time = |t: Option<i64>| t.and_then(newsmill_core::format_unix);
    assert_eq!(
        time(storm.first_seen).as_deref(),
        Some("2024-06-03T07:30:00Z")
    );
    assert_eq!(
        time(storm.last_seen).as_deref(),
        Some("2024-06-05T09:00:00Z")
    );
    let detail = index.story("storm-port-elwin").unwrap().unwrap();
    assert_eq!(&detail.summary, storm);
    let items: Vec<&str> = detail.items.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(items, [&records[0].id, &records[1].id, &records[2].id]);
    assert!(index.story("nope").unwrap().is_none());

    // An entity: the records naming it, per day, and their stories.
    let naming: Vec<&Record> = records
        .iter()
        .filter(|r| r.entities.iter().any(|e| e.name == "Ines Okafor"))
        .collect();
    assert!(!naming.is_empty());
    let e = index.entity("Ines Okafor", 10).unwrap().unwrap();
    assert_eq!((e.kind.as_str(), e.total), ("PER", naming.len() as u64));
    let mut days: Vec<String> = naming
        .iter()
        .map(|r| r.published.as_deref().unwrap()[..10].to_string())
        .collect();
    days.sort();
    days.dedup();
    let got: Vec<String> = e.articles_per_day.iter().map(|d| d.day.clone()).collect();
    assert_eq!(got, days);
    assert_eq!(e.stories.len(), 1);
    assert_eq!(e.stories[0].id, "storm-port-elwin");
    let per_day: Vec<(String, u64)> = index
        .per_day("harbour", &Filters::default())
        .unwrap()
        .into_iter()
        .map(|d| (d.day, d.count))
        .collect();
    let want: Vec<(String, u64)> = ["2024-06-03", "2024-06-04", "2024-06-05"]
        .into_iter()
        .map(|d| (d.to_string(), 1))
        .collect();
    assert_eq!(per_day, want);
    let matching: Vec<String> = index
        .stories_matching("harbour", &Filters::default(), 10)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(matching, ["storm-port-elwin"]);
    let id = &records[4].id;
    assert_eq!(index.record(id).unwrap().as_ref(), Some(&records[4]));
    assert!(matches!(
        index.search(&SearchRequest::new("\"open", 10)),
        Err(StoreError::Query { .. })
    ));

    // A new commit changes the generation and shows up in stories.
    let g = index.generation();
    let mut extra = records[0].clone();
    extra.id = "extra".into();
    extra.canonical_url = Some("https://x.example/extra".into());
    extra.story = Some("new-story".into());
    {
        let store = newsmill_index::Store::create(&dir).unwrap();
        let mut w = store.writer().unwrap();
        w.put(&extra, &PutInfo::default()).unwrap();
        w.commit().unwrap();
    }
    index.inner().reload().unwrap();
    assert_ne!(index.generation(), g);
    assert!(index.story("new-story").unwrap().is_some());
    let _ = fs_err::remove_dir_all(&dir);
}

#[tokio::test]
async fn http_over_the_index() {
    let records = corpus();
    let dir = temp_dir("index-http");
    build_index(&dir, &records);
    let store: Arc<dyn Store> = Arc::new(IndexStore::open(&dir).unwrap());
    let srv = crate::common::TestServer::start_store(store, |_| {});
    let c = reqwest::Client::new();
    let body: serde_json::Value = c
        .get(srv.url("/api/search?q=harbour&sort=newest"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["total"], 3, "{body}");
    // The hit's matched word, by its character range in the plain-text snippet.
    let hit = &body["hits"][0];
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    let [a, b] = [0, 1].map(|i| hit["highlights"][0][i].as_u64().unwrap() as usize);
    let word: String = snippet[a..b].iter().collect();
    assert_eq!(word.to_lowercase(), "harbour", "{hit}");
    let page = c
        .get(srv.url("/stories/storm-port-elwin"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = c
        .get(srv.url("/?q=entity:%22Ines%20Okafor%22"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("<strong>3</strong> articles")
    );
    let _ = fs_err::remove_dir_all(&dir);
}

/// Entity names holding `"` or `\` are found by their entity page and filter, like any other.
// See: issue 24 (27 of 1,814 names in a real store answered 404).
#[tokio::test]
async fn regression_24_entity_names_with_quotes_and_backslashes() {
    let mut records = corpus();
    let names = [
        "Sheikh \"The Hawk\" Rahman",
        "Back\\slash Media",
        "\\\"",
        "O'Brien & \"Sons\" \\ Co",
    ];
    for (r, name) in records.iter_mut().zip(names) {
        r.entities.push(newsmill_core::Entity {
            name: name.to_string(),
            kind: newsmill_core::EntityType::Org,
            mentions: vec![],
            count: 0,
        });
    }
    let dir = temp_dir("index-quotes");
    build_index(&dir, &records);
    let index = IndexStore::open(&dir).unwrap();
    for (r, name) in records.iter().zip(names) {
        let e = index.entity(name, 10).unwrap();
        let e = e.unwrap_or_else(|| panic!("no entity {name:?}"));
        assert_eq!((e.name.as_str(), e.total), (name, 1));
        let mut req = SearchRequest::new("", 10);
        req.filters.entity = Some(name.to_string());
        let page = index.search(&req).unwrap();
        assert_eq!(page.hits.len(), 1, "{name:?}");
        assert_eq!(page.hits[0].id, r.id);
    }
    let store: Arc<dyn Store> = Arc::new(index);
    let srv = crate::common::TestServer::start_store(store, |_| {});
    let c = reqwest::Client::new();
    for name in names {
        let path: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        for url in [format!("/api/entities/{path}"), format!("/entities/{path}")] {
            let resp = c.get(srv.url(&url)).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
        }
    }
    let _ = fs_err::remove_dir_all(&dir);
}

/// Event-time filters give the records whose event time overlaps the asked days. See: issue 18.
#[test]
fn regression_18_event_time_filters_agree() {
    let mut records = corpus();
    let events = [
        Some("2024-06-02"),
        Some("2024-06-03TNI"),
        None,
        Some("2024-06"),
        Some("2024-06-19TMO"),
    ];
    for (r, e) in records.iter_mut().zip(events) {
        r.event_time = e.map(String::from);
    }
    let dir = temp_dir("index-events");
    build_index(&dir, &records);
    let index = IndexStore::open(&dir).unwrap();
    let search = |s: &dyn Store, from: Option<&str>, to: Option<&str>| -> Vec<String> {
        let mut req = SearchRequest::new("", 100);
        req.filters = Filters {
            event_from: from.map(String::from),
            event_to: to.map(String::from),
            ..Filters::default()
        };
        let mut ids: Vec<String> = s
            .search(&req)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    };
    let id = |k: usize| records[k].id.clone();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    for (from, to, want) in [
        (Some("2024-06-03"), Some("2024-06-03"), vec![id(1), id(3)]),
        (Some("2024-06-10"), None, vec![id(3), id(4)]),
        (None, Some("2024-06-02"), vec![id(0), id(3)]),
        (Some("2025-01-01"), None, vec![]),
    ] {
        assert_eq!(search(&index, from, to), sorted(want), "{from:?} {to:?}");
    }
}

/// A story merged into another (issue 22's repair) keeps its id: the API, the story page and
/// `story:` search answer it with the story that absorbed it, which lists it as an alias.
#[tokio::test]
async fn a_merged_story_id_keeps_resolving() {
    let mut records = corpus();
    // The third harbour article was first given a story of its own; a later article showed
    // it to be the storm's, and the stage merged the two.
    records[2].story = Some("harbour-repairs".into());
    let dir = temp_dir("index-alias");
    build_index(&dir, &records);
    {
        let store = newsmill_index::Store::create(&dir).unwrap();
        let mut w = store.writer().unwrap();
        w.put_alias("harbour-repairs", "storm-port-elwin").unwrap();
        w.commit().unwrap();
    }
    let index = IndexStore::open(&dir).unwrap();
    let (total, listed) = index.stories(0, 10).unwrap();
    assert_eq!(total, 3, "{listed:?}");
    let store: Arc<dyn Store> = Arc::new(index);
    let srv = crate::common::TestServer::start_store(store, |_| {});
    let c = reqwest::Client::new();
    let get = |path: &str| {
        let c = c.clone();
        let url = srv.url(path);
        let path = path.to_string();
        async move {
            let resp = c.get(url).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{path}");
            resp.text().await.unwrap()
        }
    };
    for id in ["harbour-repairs", "storm-port-elwin"] {
        let body: serde_json::Value =
            serde_json::from_str(&get(&format!("/api/stories/{id}")).await).unwrap();
        assert_eq!(body["id"], "storm-port-elwin", "{id}");
        assert_eq!(body["articles"], 3, "{id}");
        assert_eq!(body["items"].as_array().unwrap().len(), 3, "{id}");
        assert_eq!(body["aliases"], serde_json::json!(["harbour-repairs"]));
        for search in [
            format!("/api/search?q=story:{id}"),
            format!("/api/search?q=harbour&story={id}"),
        ] {
            let found: serde_json::Value = serde_json::from_str(&get(&search).await).unwrap();
            assert_eq!(found["total"], 3, "{search}: {found}");
            assert!(
                found["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|h| h["story"] == "storm-port-elwin"),
                "{found}"
            );
        }
        let page = get(&format!("/stories/{id}")).await;
        assert!(page.contains("3 articles"), "{id}");
        assert!(page.contains("Languages"), "{id}");
    }
    let quotes = get("/api/stories/harbour-repairs/quotes").await;
    assert_eq!(quotes, get("/api/stories/storm-port-elwin/quotes").await);
    let _ = fs_err::remove_dir_all(&dir);
}
