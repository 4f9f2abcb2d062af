//! Search latency and index size on synthetic records (a benchmark, not a test).
//!
//! ```text
//! cargo run --release -p newsmill-index --example bench_search -- DIR [RECORDS]
//! ```
//!
//! Builds a store of RECORDS (default 1,000,000) synthetic records in DIR (reused when it is
//! there already), then times term, phrase, filtered and faceted queries and prints p50/p99 and
//! the size on disk per record.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;

use newsmill_core::{Block, BlockKind, Entity, EntityType, Mention, Record};
use newsmill_index::{PutInfo, SearchRequest, Store};

const WORDS: &[&str] = &[
    "harbour",
    "council",
    "budget",
    "election",
    "storm",
    "court",
    "minister",
    "river",
    "school",
    "hospital",
    "bridge",
    "market",
    "festival",
    "police",
    "airport",
    "museum",
    "energy",
    "prices",
    "talks",
    "summit",
    "strike",
    "vaccine",
    "wildfire",
    "flood",
    "trade",
    "tariff",
    "bank",
    "rates",
    "inflation",
    "protest",
    "parliament",
    "coalition",
    "treaty",
    "border",
    "refugees",
    "drought",
];
const PEOPLE: &[&str] = &[
    "Vladimir Putin",
    "Kim Jong Un",
    "Xi Jinping",
    "Olaf Scholz",
    "Emmanuel Macron",
    "Joe Biden",
    "Ursula von der Leyen",
    "Narendra Modi",
    "Lula da Silva",
    "Rishi Sunak",
];
const SITES: &[&str] = &[
    "reuters.com",
    "apnews.com",
    "bbc.com",
    "spiegel.de",
    "lemonde.fr",
    "elpais.com",
    "nytimes.com",
    "theguardian.com",
    "aljazeera.com",
    "dw.com",
];

fn next(seed: &mut u64) -> usize {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*seed >> 33) as usize
}

fn record(i: usize) -> Record {
    let mut seed = i as u64 + 1;
    let person = PEOPLE[next(&mut seed) % PEOPLE.len()];
    let site = SITES[next(&mut seed) % SITES.len()];
    let mut text = format!("{person} said on Monday that");
    for _ in 0..120 {
        text.push(' ');
        text.push_str(WORDS[next(&mut seed) % WORDS.len()]);
    }
    text.push('.');
    let title = format!(
        "{} {} and {}",
        person,
        WORDS[next(&mut seed) % WORDS.len()],
        WORDS[next(&mut seed) % WORDS.len()]
    );
    let day = 1 + next(&mut seed) % 28;
    let mut r = Record {
        origin: format!("bench#{i}"),
        title: Some(title),
        blocks: vec![Block::new(BlockKind::Paragraph, text)],
        canonical_url: Some(format!("https://{site}/news/{i}")),
        site: Some(site.to_string()),
        language: Some("en".into()),
        published: Some(format!("2024-06-{day:02}T10:00:00Z")),
        ..Record::default()
    };
    r.finish();
    r.entities.push(Entity {
        name: person.to_string(),
        kind: EntityType::Per,
        mentions: vec![Mention {
            start: 0,
            end: person.chars().count(),
            text: person.to_string(),
        }],
        count: 1,
    });
    r
}

fn dir_size(p: &Path) -> u64 {
    fs_err::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() {
                        dir_size(&path)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: bench_search DIR [RECORDS]");
    let n: usize = args
        .next()
        .map_or(1_000_000, |s| s.parse().expect("a number"));
    let store = Store::create(&dir).expect("store");
    let have = store.stats().expect("stats").articles as usize;
    if have < n {
        let started = Instant::now();
        let mut w = store.writer().expect("writer");
        for i in have..n {
            w.put(&record(i), &PutInfo::default()).expect("put");
            if w.uncommitted() >= 100_000 {
                w.commit().expect("commit");
            }
        }
        w.commit().expect("commit");
        w.close().expect("close");
        store.reload().expect("reload");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "indexed {} records in {secs:.1} s ({:.0} records/s)",
            n - have,
            (n - have) as f64 / secs
        );
    }
    let stats = store.stats().expect("stats");
    let bytes = dir_size(Path::new(&dir));
    println!(
        "{} records, {:.1} MB on disk, {:.0} bytes per record",
        stats.articles,
        bytes as f64 / 1e6,
        bytes as f64 / stats.articles.max(1) as f64
    );
    let queries: Vec<(&str, SearchRequest)> = vec![
        ("term", SearchRequest::new("wildfire")),
        ("two terms", SearchRequest::new("tariff summit")),
        ("phrase", SearchRequest::new("\"trade talks\"")),
        (
            "filtered",
            SearchRequest {
                since: Some("2024-06-10".into()),
                until: Some("2024-06-12".into()),
                language: Some("en".into()),
                ..SearchRequest::new("entity:\"Kim Jong Un\" AND site:reuters.com")
            },
        ),
        (
            "faceted",
            SearchRequest {
                facets: true,
                ..SearchRequest::new("inflation")
            },
        ),
    ];
    println!(
        "{:<10} {:>10} {:>10} {:>10}",
        "query", "hits", "p50 ms", "p99 ms"
    );
    for (name, q) in queries {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..200 {
            let t = Instant::now();
            let r = store.search(&q).expect("search");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = r.total;
            assert!(r.total > 0, "{name}: no hits");
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name:<10} {total:>10} {:>10.2} {:>10.2}",
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
    }
}
