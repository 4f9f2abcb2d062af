//! Load test of `newsmill serve`: bounded concurrent searches on loopback against an index of
//! synthetic records (100,000 by default); prints requests/second and latency percentiles.
//!
//! ```text
//! cargo bench -p newsmill-serve --bench load
//! NEWSMILL_LOAD_RECORDS=100000 NEWSMILL_LOAD_REQUESTS=4000 NEWSMILL_LOAD_CONCURRENCY=16 \
//!   NEWSMILL_LOAD_DATA=/tmp/newsmill-load cargo bench -p newsmill-serve --bench load
//! ```
//!
//! `NEWSMILL_LOAD_WIDE=1` draws most words from a larger vocabulary, so queries are selective
//! (by default every query word occurs in nearly every record: the worst case for facets).
//! `NEWSMILL_LOAD_DATA` keeps the built index between runs (it is reused when it holds the
//! asked number of records). Every response is checked (status 200, a JSON total), so a broken
//! server cannot look fast. The run is bounded: a fixed number of requests, each with a timeout.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use newsmill_core::{Block, BlockKind, Entity, EntityType, Mention, Record};
use newsmill_index::PutInfo;
use newsmill_serve::{IndexStore, ServeConfig, Server, Store};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (xorshift), so every run indexes the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "harbour",
    "storm",
    "election",
    "minister",
    "budget",
    "court",
    "ruling",
    "strike",
    "union",
    "energy",
    "prices",
    "inflation",
    "bank",
    "rates",
    "summit",
    "treaty",
    "border",
    "police",
    "protest",
    "school",
    "hospital",
    "doctors",
    "nurses",
    "flood",
    "drought",
    "harvest",
    "farmers",
    "exports",
    "imports",
    "tariff",
    "factory",
    "workers",
    "wages",
    "housing",
    "rent",
    "mayor",
    "council",
    "transport",
    "railway",
    "airport",
    "ferry",
    "bridge",
    "road",
    "climate",
    "emissions",
    "solar",
    "wind",
    "coal",
    "gas",
    "oil",
    "pipeline",
    "army",
    "ceasefire",
    "talks",
    "sanctions",
    "vote",
    "parliament",
    "senate",
    "reform",
    "pension",
    "tax",
    "debt",
    "market",
    "shares",
    "company",
    "merger",
    "profit",
    "loss",
    "report",
    "inquiry",
    "scandal",
    "resigns",
    "appointed",
    "festival",
    "museum",
    "football",
    "final",
    "championship",
    "coach",
    "injury",
    "season",
    "science",
    "vaccine",
    "virus",
    "study",
    "university",
    "research",
    "satellite",
    "launch",
];

const NAMES: &[(&str, EntityType)] = &[
    ("Ines Okafor", EntityType::Per),
    ("Tomas Reyes", EntityType::Per),
    ("Mara Lindqvist", EntityType::Per),
    ("Ana Duarte", EntityType::Per),
    ("Kofi Mensah", EntityType::Per),
    ("Port Elwin", EntityType::Loc),
    ("Valdoria", EntityType::Loc),
    ("Merrow", EntityType::Loc),
    ("Northby", EntityType::Loc),
    ("Green Alliance", EntityType::Org),
    ("Farmers' Party", EntityType::Org),
    ("Central Bank", EntityType::Org),
];

fn record(i: usize, rng: &mut Rng) -> Record {
    let story = i / 5 + rng.below(3);
    let day = 1 + (i * 365 / 100_000).min(364);
    let date = chrono::NaiveDate::from_yo_opt(2024, day as u32).unwrap_or_default();
    // With NEWSMILL_LOAD_WIDE=1, four words in five come from 5,000 rarer pseudo-words, so a
    // query word matches about a fifth of the corpus instead of nearly all of it.
    let wide = std::env::var("NEWSMILL_LOAD_WIDE").is_ok_and(|v| v == "1");
    let sentence = |rng: &mut Rng| {
        let n = 8 + rng.below(12);
        let mut s: Vec<String> = (0..n)
            .map(|_| {
                if wide && rng.below(5) != 0 {
                    format!("w{}", rng.below(5000))
                } else {
                    WORDS[rng.below(WORDS.len())].to_string()
                }
            })
            .collect();
        s[0] = "The".into();
        format!("{}.", s.join(" "))
    };
    let title = format!(
        "{} {} {}",
        WORDS[story % WORDS.len()],
        WORDS[(story / 7) % WORDS.len()],
        WORDS[rng.below(WORDS.len())]
    );
    let (name, kind) = NAMES[story % NAMES.len()];
    let mut blocks = Vec::new();
    for _ in 0..(4 + rng.below(6)) {
        let mut p = String::new();
        for _ in 0..(2 + rng.below(3)) {
            p.push_str(&sentence(rng));
            p.push(' ');
        }
        blocks.push(Block::new(BlockKind::Paragraph, p.trim()));
    }
    blocks[0].text = format!("{name} said on Monday. {}", blocks[0].text);
    let site = format!("site{}.example", rng.below(40));
    let mut r = Record {
        title: Some(title),
        blocks,
        canonical_url: Some(format!("https://{site}/a/{i}")),
        url: Some(format!("https://{site}/a/{i}")),
        site: Some(site),
        language: Some("en".into()),
        published: Some(format!(
            "{}T{:02}:00:00Z",
            date.format("%Y-%m-%d"),
            rng.below(24)
        )),
        story: Some(format!("s{story}")),
        ..Record::default()
    };
    r.finish();
    let len = name.chars().count();
    r.entities.push(Entity {
        name: name.into(),
        kind,
        mentions: vec![Mention {
            start: 0,
            end: len,
            text: name.into(),
        }],
        count: 1,
    });
    r
}

fn build(dir: &std::path::Path, n: usize) {
    if let Ok(s) = newsmill_index::Store::open(dir)
        && s.stats().map(|s| s.articles as usize).unwrap_or(0) == n
    {
        eprintln!(
            "load: reusing the index of {n} records in {}",
            dir.display()
        );
        return;
    }
    let _ = fs_err::remove_dir_all(dir);
    let start = Instant::now();
    let store = newsmill_index::Store::create(dir).expect("create store");
    let mut w = store.writer().expect("writer");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..n {
        w.put(&record(i, &mut rng), &PutInfo::default())
            .expect("put");
        if (i + 1) % 20_000 == 0 {
            w.commit().expect("commit");
            eprintln!("load: indexed {} records", i + 1);
        }
    }
    w.commit().expect("commit");
    eprintln!(
        "load: indexed {n} records in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to skip on.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env_usize("NEWSMILL_LOAD_RECORDS", 100_000);
    let requests = env_usize("NEWSMILL_LOAD_REQUESTS", 4_000);
    let concurrency = env_usize("NEWSMILL_LOAD_CONCURRENCY", 16).max(1);
    let dir = match std::env::var("NEWSMILL_LOAD_DATA") {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("newsmill-load-{n}")),
    };
    build(&dir, n);
    let store: Arc<dyn Store> = Arc::new(IndexStore::open(&dir).expect("open index"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let mut config = ServeConfig::new(&dir);
        config.addr = "127.0.0.1:0".parse().expect("addr");
        let server = Server::bind(config, store).await.expect("bind");
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("client");
        // Warm up: the first request builds the story catalog.
        let warm = Instant::now();
        let r = client
            .get(format!("{base}/api/search?q=harbour"))
            .send()
            .await
            .expect("warm-up");
        assert_eq!(r.status(), 200);
        eprintln!("load: warm-up (story catalog) {:.1} s", warm.elapsed().as_secs_f64());

        for (label, path_of) in [
            ("api search, 1 word + facets", 0usize),
            ("api search, 2 words, page 2", 1),
            ("api search, entity filter", 2),
            ("search page (HTML + chart)", 3),
        ] {
            let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let start = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..concurrency {
                let client = client.clone();
                let base = base.clone();
                let next = next.clone();
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= requests {
                            break;
                        }
                        let w = WORDS[i % WORDS.len()];
                        let w2 = WORDS[(i * 7 + 3) % WORDS.len()];
                        let url = match path_of {
                            0 => format!("{base}/api/search?q={w}"),
                            1 => format!("{base}/api/search?q={w}%20{w2}&offset=20&facets=false"),
                            2 => format!(
                                "{base}/api/search?q={w}&entity={}",
                                NAMES[i % NAMES.len()].0.replace(' ', "%20")
                            ),
                            _ => format!("{base}/?q={w}"),
                        };
                        let t = Instant::now();
                        let resp = client.get(&url).send().await.expect("request");
                        let status = resp.status();
                        let body = resp.bytes().await.expect("body");
                        lat.push(t.elapsed());
                        assert_eq!(status, 200, "{url}");
                        if path_of < 3 {
                            let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                            assert!(v["total"].is_u64(), "{url}");
                        } else {
                            assert!(body.len() > 1000);
                        }
                    }
                    lat
                }));
            }
            let mut lat = Vec::with_capacity(requests);
            for t in tasks {
                lat.extend(t.await.expect("task"));
            }
            let secs = start.elapsed().as_secs_f64();
            lat.sort();
            println!(
                "{label:32} records={n} concurrency={concurrency} requests={} req/s={:.0} p50={:.1}ms p90={:.1}ms p99={:.1}ms max={:.1}ms",
                lat.len(),
                lat.len() as f64 / secs,
                percentile(&lat, 0.50),
                percentile(&lat, 0.90),
                percentile(&lat, 0.99),
                percentile(&lat, 1.0),
            );
        }
        let _ = stop.send(());
        let _ = handle.await;
    });
}
