//! The store's contract: ids, versions, quarantine, search, facets, and the commit protocol.

use std::path::PathBuf;

use newsmill_core::{Block, BlockKind, Entity, EntityType, Mention, Record};
use newsmill_index::{Failure, IndexError, PutInfo, PutOutcome, SearchRequest, Store};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("nm-index-{name}-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs_err::remove_dir_all(&self.0);
    }
}

fn record(url: &str, title: &str, body: &str, published: &str, entities: &[&str]) -> Record {
    let mut r = Record {
        origin: format!("test:{url}"),
        title: Some(title.into()),
        blocks: vec![Block::new(BlockKind::Paragraph, body)],
        url: Some(url.into()),
        canonical_url: Some(url.into()),
        site: newsmill_core::site_of(url),
        language: Some("en".into()),
        published: Some(published.into()),
        ..Record::default()
    };
    r.finish();
    for name in entities {
        let start = r.text.find(name).expect("entity in text");
        let cs = r.text[..start].chars().count();
        r.entities.push(Entity {
            name: name.to_string(),
            kind: EntityType::Per,
            mentions: vec![Mention {
                start: cs,
                end: cs + name.chars().count(),
                text: name.to_string(),
            }],
            count: 1,
        });
    }
    r
}

fn corpus() -> Vec<Record> {
    vec![
        record(
            "https://www.reuters.com/world/a",
            "Putin arrives in Pyongyang",
            "Vladimir Putin met Kim Jong Un in Pyongyang on Wednesday.",
            "2024-06-19T08:00:00Z",
            &["Vladimir Putin", "Kim Jong Un"],
        ),
        record(
            "https://apnews.com/b",
            "Kim hosts Putin",
            "Kim Jong Un hosted a lavish ceremony for his guest.",
            "2024-06-20T09:00:00Z",
            &["Kim Jong Un"],
        ),
        record(
            "https://www.reuters.com/markets/c",
            "Oil prices fall",
            "Oil prices fell on Thursday as stocks rose.",
            "2024-06-20T12:00:00Z",
            &[],
        ),
    ]
}

fn ids(store: &Store, q: &str) -> Vec<String> {
    let mut v: Vec<String> = store
        .search(&SearchRequest {
            limit: 100,
            ..SearchRequest::new(q)
        })
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.title.unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn reingest_adds_nothing_and_changed_content_is_a_new_version() {
    let dir = TempDir::new("versions");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    for r in corpus() {
        assert_eq!(w.put(&r, &PutInfo::default()).unwrap(), PutOutcome::Stored);
    }
    w.commit().unwrap();
    for mut r in corpus() {
        r.origin = "elsewhere.warc.gz#99".into(); // Same article from another input.
        assert_eq!(
            w.put(&r, &PutInfo::default()).unwrap(),
            PutOutcome::Unchanged
        );
    }
    let mut changed = corpus().remove(0);
    changed.blocks[0].text.push_str(" Updated.");
    changed.finish();
    assert_eq!(changed.id, corpus()[0].id, "same canonical URL, same id");
    assert_eq!(
        w.put(&changed, &PutInfo::default()).unwrap(),
        PutOutcome::NewVersion
    );
    // Before the commit the change is pending: putting it again is unchanged, not a 3rd version.
    assert_eq!(
        w.put(&changed, &PutInfo::default()).unwrap(),
        PutOutcome::Unchanged
    );
    w.commit().unwrap();
    // Reading the old version again (a re-run of an input holding both) changes nothing.
    assert_eq!(
        w.put(&corpus()[0], &PutInfo::default()).unwrap(),
        PutOutcome::Unchanged
    );
    w.commit().unwrap();
    let stats = store.stats().unwrap();
    assert_eq!((stats.articles, stats.versions), (3, 1));
    let (current, meta) = store.get_with_meta(&changed.id).unwrap().unwrap();
    assert!(current.text.ends_with("Updated."));
    assert_eq!(meta.version, 2);
    let old = store.versions(&changed.id).unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].1.version, 1);
    assert!(!old[0].0.text.ends_with("Updated."));
    // Versions stay out of search.
    assert_eq!(ids(&store, "pyongyang"), vec!["Putin arrives in Pyongyang"]);
}

#[test]
fn query_language_filters_and_facets() {
    let dir = TempDir::new("search");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    for r in corpus() {
        w.put(&r, &PutInfo::default()).unwrap();
    }
    w.commit().unwrap();
    assert_eq!(
        ids(&store, "kim"),
        vec!["Kim hosts Putin", "Putin arrives in Pyongyang"]
    );
    assert_eq!(ids(&store, "\"lavish ceremony\""), vec!["Kim hosts Putin"]);
    assert_eq!(ids(&store, "\"ceremony lavish\""), Vec::<String>::new());
    assert_eq!(
        ids(&store, "entity:\"kim jong un\" AND NOT site:apnews.com"),
        vec!["Putin arrives in Pyongyang"]
    );
    assert_eq!(ids(&store, "oil OR ceremony").len(), 2);
    assert_eq!(ids(&store, "site:reuters.com").len(), 2);
    assert_eq!(ids(&store, "*").len(), 3);
    let dated = |since: Option<&str>, until: Option<&str>| {
        store
            .search(&SearchRequest {
                since: since.map(String::from),
                until: until.map(String::from),
                ..SearchRequest::new("*")
            })
            .unwrap()
            .total
    };
    assert_eq!(dated(Some("2024-06-20"), None), 2);
    assert_eq!(dated(None, Some("2024-06-19")), 1);
    assert_eq!(dated(Some("2024-06-20T10:00:00Z"), Some("2024-06-20")), 1);
    let bad = store.search(&SearchRequest {
        since: Some("yesterday".into()),
        ..SearchRequest::new("*")
    });
    assert!(matches!(bad, Err(IndexError::BadDate { .. })));
    assert!(matches!(
        store.search(&SearchRequest::new("title:(unclosed")),
        Err(IndexError::Query { .. })
    ));
    // Found by the search_query fuzz target: `field:*` on a field that is not a fast field
    // failed as a store error (a 500, exit code 3), not as a bad query.
    for q in ["id:*", "title:*", "entity:*"] {
        assert!(
            matches!(
                store.search(&SearchRequest {
                    facets: true,
                    ..SearchRequest::new(q)
                }),
                Err(IndexError::Query { .. })
            ),
            "{q}"
        );
    }

    let res = store
        .search(&SearchRequest {
            facets: true,
            ..SearchRequest::new("*")
        })
        .unwrap();
    let f = res.facets.unwrap();
    assert_eq!(f.entity[0].value, "Kim Jong Un");
    assert_eq!(f.entity[0].count, 2);
    assert_eq!(f.site[0].value, "reuters.com");
    assert_eq!(f.site[0].count, 2);
    let days: Vec<(String, u64)> = f.day.into_iter().map(|d| (d.value, d.count)).collect();
    assert_eq!(
        days,
        vec![("2024-06-19".to_string(), 1), ("2024-06-20".to_string(), 2)]
    );
    // Pagination.
    let page = store
        .search(&SearchRequest {
            offset: 2,
            limit: 2,
            ..SearchRequest::new("*")
        })
        .unwrap();
    assert_eq!((page.total, page.hits.len()), (3, 1));
}

#[test]
fn quarantine_keeps_failures_once_and_lifts_them_on_success() {
    let dir = TempDir::new("quarantine");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    let failure = Failure {
        origin: "test:https://apnews.com/b".into(),
        stage: "extract".into(),
        error: "no article text found".into(),
        at: "2024-06-19T00:00:00Z".into(),
        bytes: 3,
    };
    w.quarantine(&failure, Some(b"<p>")).unwrap();
    w.commit().unwrap();
    w.quarantine(&failure, Some(b"<p>")).unwrap();
    w.commit().unwrap();
    assert_eq!(store.failed().unwrap(), vec![failure.clone()]);
    assert_eq!(
        store.failed_bytes(&failure.origin).unwrap().as_deref(),
        Some(&b"<p>"[..])
    );
    // The same input succeeds later (a fixed extractor): it leaves the quarantine.
    w.put(&corpus()[1], &PutInfo::default()).unwrap();
    w.commit().unwrap();
    assert!(store.failed().unwrap().is_empty());
}

#[test]
fn uncommitted_writes_vanish_and_a_rerun_completes_without_duplicates() {
    let dir = TempDir::new("commit");
    {
        let store = Store::create(&dir.0).unwrap();
        let mut w = store.writer().unwrap();
        w.put(&corpus()[0], &PutInfo::default()).unwrap();
        w.commit().unwrap();
        w.put(&corpus()[1], &PutInfo::default()).unwrap();
        // Dropped without commit: what a crash leaves.
    }
    let store = Store::create(&dir.0).unwrap();
    assert_eq!(store.stats().unwrap().articles, 1);
    let mut w = store.writer().unwrap();
    let outcomes: Vec<PutOutcome> = corpus()
        .iter()
        .map(|r| w.put(r, &PutInfo::default()).unwrap())
        .collect();
    assert_eq!(
        outcomes,
        vec![
            PutOutcome::Unchanged,
            PutOutcome::Stored,
            PutOutcome::Stored
        ]
    );
    w.commit().unwrap();
    assert_eq!(store.stats().unwrap().articles, 3);
}

#[test]
fn one_writer_at_a_time_and_readers_alongside() {
    let dir = TempDir::new("lock");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    let other = Store::create(&dir.0).unwrap();
    assert!(matches!(other.writer(), Err(IndexError::Locked { .. })));
    w.put(&corpus()[0], &PutInfo::default()).unwrap();
    w.commit().unwrap();
    let reader = Store::open(&dir.0).unwrap();
    reader.reload().unwrap();
    assert_eq!(reader.stats().unwrap().articles, 1);
    assert_eq!(reader.get(&corpus()[0].id).unwrap().unwrap(), corpus()[0]);
    let missing = TempDir::new("missing");
    assert!(matches!(
        Store::open(&missing.0),
        Err(IndexError::Missing { .. })
    ));
}

#[test]
fn not_operator_and_pure_exclusions() {
    let dir = TempDir::new("not");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    for r in corpus() {
        w.put(&r, &PutInfo::default()).unwrap();
    }
    w.commit().unwrap();
    assert_eq!(
        ids(&store, "NOT site:apnews.com"),
        vec!["Oil prices fall", "Putin arrives in Pyongyang"]
    );
    assert_eq!(ids(&store, "-site:reuters.com"), vec!["Kim hosts Putin"]);
    assert_eq!(ids(&store, "NOT (oil OR kim)"), Vec::<String>::new());
    assert_eq!(
        ids(&store, "kim AND NOT (site:apnews.com)"),
        vec!["Putin arrives in Pyongyang"]
    );
    assert_eq!(
        ids(&store, "\"not kim\"").len(),
        0,
        "NOT inside quotes is a word"
    );
}

/// Issue 17: who is quoted (`speaker:`) and what was said (`quote:`) are searchable.
#[test]
fn search_by_speaker_and_within_quotes() {
    let dir = TempDir::new("quotes");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    let mut docs = corpus();
    // The first article quotes Putin; the second mentions sanctions outside any quote.
    let text = docs[0].text.clone();
    docs[0].blocks[0].text =
        format!("{text} He called the sanctions “illegal unilateral restrictions.”");
    docs[0].finish();
    let t = docs[0].text.clone();
    let start = t.find("illegal").unwrap();
    let end = t.rfind('”').unwrap();
    let he = t.find("He called").unwrap();
    docs[0].quotes.push(newsmill_core::Quote {
        text: t[start..end].to_string(),
        start: t[..start].chars().count(),
        end: t[..end].chars().count(),
        kind: newsmill_core::QuoteKind::Direct,
        speaker: Some(Mention {
            start: t[..he].chars().count(),
            end: t[..he].chars().count() + 2,
            text: "He".into(),
        }),
        entity: Some("Vladimir Putin".into()),
        cue: None,
    });
    docs[0].check_invariants().unwrap();
    docs[1].blocks[0]
        .text
        .push_str(" Restrictions and sanctions were discussed.");
    docs[1].finish();
    for r in &docs {
        w.put(r, &PutInfo::default()).unwrap();
    }
    w.commit().unwrap();
    let store = Store::open(&dir.0).unwrap();
    assert_eq!(
        ids(&store, r#"speaker:"Vladimir Putin""#),
        ["Putin arrives in Pyongyang"]
    );
    assert_eq!(
        ids(&store, r#"speaker:"vladimir putin""#),
        ["Putin arrives in Pyongyang"]
    );
    assert!(ids(&store, r#"speaker:"Kim Jong Un""#).is_empty());
    assert_eq!(
        ids(&store, "quote:restrictions"),
        ["Putin arrives in Pyongyang"]
    );
    assert_eq!(
        ids(&store, "restrictions").len(),
        2,
        "the words are still in the text"
    );
}

/// Event-time filters: a record matches when its event time (a day, a month, a year) overlaps
/// the asked days; records without one are left out. See: issue 18.
#[test]
fn regression_18_search_by_event_time() {
    let dir = TempDir::new("event-time");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    let events = [
        ("https://a.example/1", "Treaty signed", Some("1961-07-11")),
        ("https://a.example/2", "Summit in June", Some("2024-06")),
        (
            "https://a.example/3",
            "Visit on Wednesday",
            Some("2024-06-19TMO"),
        ),
        ("https://a.example/4", "No date known", None),
    ];
    for (url, title, event) in events {
        let mut r = record(
            url,
            title,
            "Some text about it.",
            "2024-06-20T08:00:00Z",
            &[],
        );
        r.event_time = event.map(String::from);
        w.put(&r, &PutInfo::default()).unwrap();
    }
    w.commit().unwrap();
    store.reload().unwrap();
    let titles = |since: Option<&str>, until: Option<&str>| {
        let mut t: Vec<String> = store
            .search(&SearchRequest {
                event_since: since.map(String::from),
                event_until: until.map(String::from),
                limit: 10,
                ..SearchRequest::new("*")
            })
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.title.unwrap_or_default())
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        titles(Some("2024-06-19"), Some("2024-06-19")),
        ["Summit in June", "Visit on Wednesday"]
    );
    assert_eq!(titles(Some("2024-06-25"), None), ["Summit in June"]);
    assert_eq!(titles(None, Some("1999-12-31")), ["Treaty signed"]);
    assert_eq!(titles(None, None).len(), 4);
    let hit = store
        .search(&SearchRequest {
            event_since: Some("1961-01-01".into()),
            event_until: Some("1961-12-31".into()),
            ..SearchRequest::new("treaty")
        })
        .unwrap();
    assert_eq!(hit.hits[0].event_time.as_deref(), Some("1961-07-11"));
    let bad = store.search(&SearchRequest {
        event_until: Some("next week".into()),
        ..SearchRequest::new("*")
    });
    assert!(matches!(bad, Err(IndexError::BadDate { .. })));
}

/// Issue 23: words match stemmed in the record's language, `entity:` matches any word of a
/// name (case-folded), `url:` matches the host, `lang:` is `language:`, and a bad query is
/// echoed as the user typed it.
#[test]
fn regression_23_stemming_entity_words_hosts_and_aliases() {
    let dir = TempDir::new("stems");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    for r in corpus() {
        w.put(&r, &PutInfo::default()).unwrap();
    }
    let mut german = record(
        "https://www.tagesschau.de/inland/d",
        "Stromausfälle in Berlin",
        "Die Stromausfälle trafen viele Häuser in Berlin.",
        "2024-06-21T08:00:00Z",
        &[],
    );
    german.language = Some("de".into());
    german.finish();
    w.put(&german, &PutInfo::default()).unwrap();
    let mut blackout = record(
        "https://www.bbc.co.uk/news/e",
        "Blackouts across the city",
        "Rolling blackouts hit the city after storms.",
        "2024-06-21T09:00:00Z",
        &[],
    );
    blackout.finish();
    w.put(&blackout, &PutInfo::default()).unwrap();
    w.commit().unwrap();

    // English stems: `blackout` finds "blackouts", `hosting` finds "hosted", `fall` "fell"
    // does not (Snowball does not know irregular verbs) but "falls" does.
    assert_eq!(ids(&store, "blackout"), vec!["Blackouts across the city"]);
    assert_eq!(ids(&store, "hosting"), vec!["Kim hosts Putin"]);
    assert_eq!(ids(&store, "price"), vec!["Oil prices fall"]);
    // German stems, with the umlaut: `Stromausfall` finds "Stromausfälle".
    assert_eq!(ids(&store, "stromausfall"), vec!["Stromausfälle in Berlin"]);
    assert_eq!(ids(&store, "haus"), vec!["Stromausfälle in Berlin"]);
    // A stemmed match is highlighted.
    let hit = &store.search(&SearchRequest::new("blackout")).unwrap().hits[0];
    let chars: Vec<char> = hit.snippet.chars().collect();
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|[a, b]| chars[*a..*b].iter().collect())
        .collect();
    assert!(
        marked.iter().any(|w| w.eq_ignore_ascii_case("blackouts")),
        "{} {:?}",
        hit.snippet,
        hit.highlights
    );
    assert!(!hit.snippet.contains('<'), "{}", hit.snippet);
    // Exact matches still count, and phrases still need their order.
    assert_eq!(
        ids(&store, "\"rolling blackouts\""),
        vec!["Blackouts across the city"]
    );
    assert!(ids(&store, "\"blackouts rolling\"").is_empty());

    // `entity:` matches any word of a name, case-folded; a quoted name is a phrase.
    assert_eq!(
        ids(&store, "entity:putin"),
        vec!["Putin arrives in Pyongyang"]
    );
    assert_eq!(ids(&store, "entity:KIM").len(), 2);
    assert_eq!(ids(&store, "entity:\"jong un\"").len(), 2);
    assert!(ids(&store, "entity:\"un jong\"").is_empty());
    // The entity filter matches the whole canonical name only.
    let exact = |name: &str| {
        store
            .search(&SearchRequest {
                entity: Some(name.into()),
                ..SearchRequest::new("*")
            })
            .unwrap()
            .total
    };
    assert_eq!(exact("Kim Jong Un"), 2);
    assert_eq!(exact("kim jong un"), 2);
    assert_eq!(exact("Kim"), 0);

    // `url:` without a slash matches the host, or any part of it.
    assert_eq!(ids(&store, "url:bbc"), vec!["Blackouts across the city"]);
    assert_eq!(
        ids(&store, "url:bbc.co.uk"),
        vec!["Blackouts across the city"]
    );
    assert_eq!(ids(&store, "url:reuters").len(), 2);
    assert_eq!(
        ids(&store, "url:\"https://apnews.com/b\""),
        vec!["Kim hosts Putin"]
    );

    // `lang:` is `language:`.
    assert_eq!(ids(&store, "lang:de"), vec!["Stromausfälle in Berlin"]);
    assert_eq!(ids(&store, "lang:DE"), ids(&store, "language:de"));

    // Errors echo the query as typed.
    for q in ["(", "title:(unclosed", "nosuchfield:x", "NOT (a"] {
        match store.search(&SearchRequest::new(q)) {
            Err(IndexError::Query { query, .. }) => assert_eq!(query, q),
            other => panic!("{q}: {other:?}"),
        }
    }
    let Err(e) = store.search(&SearchRequest::new("nosuchfield:x")) else {
        panic!("unknown field accepted")
    };
    assert!(e.to_string().contains("unknown field"), "{e}");
}

/// Issue 23: an article is filed under the day of its own UTC offset, not UTC's.
#[test]
fn regression_23_days_in_the_articles_own_offset() {
    let dir = TempDir::new("days");
    let store = Store::create(&dir.0).unwrap();
    let mut w = store.writer().unwrap();
    let r = record(
        "https://www.spiegel.de/a",
        "Weihnachtsmarkt",
        "Der Markt öffnete um Mitternacht.",
        "2018-12-22T00:00:00+01:00",
        &[],
    );
    w.put(&r, &PutInfo::default()).unwrap();
    let late = record(
        "https://www.latimes.com/b",
        "Late news",
        "The council met late in the evening.",
        "2018-12-21T23:30:00-08:00",
        &[],
    );
    w.put(&late, &PutInfo::default()).unwrap();
    w.commit().unwrap();
    let res = store
        .search(&SearchRequest {
            facets: true,
            ..SearchRequest::new("*")
        })
        .unwrap();
    let mut days: Vec<(String, String)> = res
        .hits
        .iter()
        .map(|h| (h.title.clone().unwrap(), h.day.clone().unwrap()))
        .collect();
    days.sort();
    assert_eq!(
        days,
        [
            ("Late news".to_string(), "2018-12-21".to_string()),
            ("Weihnachtsmarkt".into(), "2018-12-22".into())
        ]
    );
    let facet: Vec<String> = res
        .facets
        .unwrap()
        .day
        .into_iter()
        .map(|d| d.value)
        .collect();
    assert_eq!(facet, ["2018-12-21", "2018-12-22"]);
}

/// A story merged into another keeps its id: `story:OLD` and the `story` filter find every
/// article of the merged story, the id resolves through chains of merges, the absorbed
/// summary is gone, and it all survives a reopen and `verify`.
#[test]
fn merged_story_ids_keep_resolving() {
    let tmp = TempDir::new("aliases");
    let store = Store::create(&tmp.0).unwrap();
    let with_story = |url: &str, title: &str, story: &str| {
        let mut r = record(
            url,
            title,
            &format!("{title}. The harbour of Port Elwin is closed."),
            "2024-06-03T07:30:00Z",
            &[],
        );
        r.story = Some(story.into());
        r
    };
    let a = with_story("https://a.example/1", "Storm breaks harbour wall", "sa");
    let b = with_story("https://b.example/1", "Ferry terminal roof torn off", "sb");
    let c = with_story("https://c.example/1", "Port reopens after storm", "sc");
    let other = with_story("https://d.example/1", "Election turnout", "sd");
    let summary = |id: &str, title: &str| newsmill_index::StorySummary {
        id: id.into(),
        title: title.into(),
        entities: Vec::new(),
        first_seen: None,
        last_seen: None,
        articles: 1,
        languages: Vec::new(),
        sites: Vec::new(),
        aliases: Vec::new(),
    };
    {
        let mut w = store.writer().unwrap();
        for r in [&a, &b, &c, &other] {
            w.put(r, &PutInfo::default()).unwrap();
            w.put_story(&summary(
                r.story.as_deref().unwrap(),
                r.title.as_deref().unwrap(),
            ))
            .unwrap();
        }
        w.commit().unwrap();
        // sb is found to be sa's event; later sa (with sb) is absorbed by sc.
        w.put_alias("sb", "sa").unwrap();
        w.commit().unwrap();
        w.put_alias("sa", "sc").unwrap();
        w.commit().unwrap();
    }
    let store = Store::open(&tmp.0).unwrap();
    assert_eq!(store.resolve_story("sb").unwrap(), "sc");
    assert_eq!(store.resolve_story("sa").unwrap(), "sc");
    assert_eq!(store.resolve_story("sc").unwrap(), "sc");
    assert_eq!(store.resolve_story("unknown").unwrap(), "unknown");
    let mut all = store.story_ids("sb").unwrap();
    assert_eq!(all[0], "sc", "the story's id now comes first");
    all.sort();
    assert_eq!(all, ["sa", "sb", "sc"]);
    let three = [
        "Ferry terminal roof torn off",
        "Port reopens after storm",
        "Storm breaks harbour wall",
    ];
    for q in ["story:sa", "story:sb", "story:sc", "harbour story:sb"] {
        assert_eq!(ids(&store, q), three, "{q}");
    }
    assert_eq!(ids(&store, "story:sd"), ["Election turnout"]);
    assert_eq!(ids(&store, "story:sb OR story:sd").len(), 4);
    let filtered = store
        .search(&SearchRequest {
            story: Some("sb".into()),
            limit: 10,
            ..SearchRequest::new("")
        })
        .unwrap();
    assert_eq!(filtered.total, 3);
    // Each hit names the story its article belongs to now, not the id it was given.
    let stories_now: Vec<&str> = filtered
        .hits
        .iter()
        .map(|h| h.story.as_deref().unwrap())
        .collect();
    assert_eq!(stories_now, ["sc", "sc", "sc"]);
    // The absorbed summaries are gone; the aliases are listed.
    let mut stories: Vec<String> = store.stories().unwrap().into_iter().map(|s| s.id).collect();
    stories.sort();
    assert_eq!(stories, ["sc", "sd"]);
    let aliases = store.story_aliases().unwrap();
    assert_eq!(aliases.len(), 2);
    assert!(store.verify().unwrap().is_whole());
}
