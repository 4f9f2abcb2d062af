//! Load test of `newsmill serve`: concurrent clients on loopback (128 by default) against an
//! index of synthetic records (100,000 by default, each naming 3 to 8 of 20,000 entities, as
//! real news does), first reading (the home page, API searches with facets, an entity filter,
//! the search page), then posting 2 MB pages to `POST /api/analyze` with the NLP stage on.
//! Prints requests/second, latency percentiles and the peak RSS of each phase.
//!
//! ```text
//! cargo bench -p newsmill-serve --bench load
//! NEWSMILL_LOAD_RECORDS=100000 NEWSMILL_LOAD_REQUESTS=4000 NEWSMILL_LOAD_CONCURRENCY=128 \
//!   NEWSMILL_LOAD_ANALYZE=512 NEWSMILL_LOAD_DATA=/tmp/newsmill-load \
//!   cargo bench -p newsmill-serve --bench load
//! ```
//!
//! `NEWSMILL_LOAD_ONLY=reads` or `=analyze` runs one of the two parts (each part's memory is
//! then its own: what one phase allocates, the allocator keeps for the next).
//! `NEWSMILL_LOAD_SLOTS=N` and `NEWSMILL_LOAD_READ_SLOTS=N` set the server's analysis and read
//! slots (`ServeConfig::analyze_concurrency`, `read_concurrency`); a large N shows the server
//! without its bounds, as it was before them.
//! `NEWSMILL_LOAD_WIDE=1` draws most words from a larger vocabulary, so queries are selective
//! (by default every query word occurs in nearly every record: the worst case for facets).
//! `NEWSMILL_LOAD_DATA` keeps the built index between runs (it is reused when it holds the
//! asked number of records). Every response is checked (status 200 and a JSON total for reads;
//! a record, or a 503 with `Retry-After`, for analyses), so a broken server cannot look fast.
//! The run is bounded: a fixed number of requests, each with a timeout.
//!
//! Server and clients share the process; the clients send one shared 2 MB body, so the peak
//! RSS of a phase (the kernel's high-water mark, reset before each phase through
//! `/proc/self/clear_refs`) is the server's, plus a few MB.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use newsmill_core::{Block, BlockKind, Entity, EntityType, Mention, Record};
use newsmill_index::PutInfo;
use newsmill_serve::{AppState, IndexStore, ServeConfig, Server, Store};

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

/// Distinct entity names in the corpus.
const ENTITY_POOL: usize = 20_000;

/// The name of the `k`th pooled entity (a made-up person, place or organisation).
fn pooled(k: usize) -> (String, EntityType) {
    const FIRST: &[&str] = &[
        "Ana", "Tomas", "Ines", "Kofi", "Mara", "Jonas", "Lea", "Omar",
    ];
    const LAST: &[&str] = &[
        "Duarte",
        "Reyes",
        "Okafor",
        "Mensah",
        "Lindqvist",
        "Berg",
        "Sato",
    ];
    match k % 3 {
        0 => (
            format!("{} {} {k}", FIRST[k % FIRST.len()], LAST[k % LAST.len()]),
            EntityType::Per,
        ),
        1 => (format!("Port {k}"), EntityType::Loc),
        _ => (format!("Union {k} Council"), EntityType::Org),
    }
}

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
    // A long tail: a few names in many records, most in a handful.
    for _ in 0..(2 + rng.below(6)) {
        let bound = rng.below(ENTITY_POOL) + 1;
        let k = rng.below(bound);
        let (name, kind) = pooled(k);
        if r.entities.iter().all(|e| e.name != name) {
            r.entities.push(Entity {
                name,
                kind,
                mentions: Vec::new(),
                count: 0,
            });
        }
    }
    r
}

/// The peak RSS since the last reset, and the current RSS, in MiB (Linux; 0 elsewhere).
fn rss() -> (u64, u64) {
    let status = fs_err::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (kb("VmHWM:") / 1024, kb("VmRSS:") / 1024)
}

/// Starts a new peak-RSS measurement (writing 5 to clear_refs resets the high-water mark).
fn reset_peak() {
    let _ = fs_err::write("/proc/self/clear_refs", "5");
}

/// A 2 MB HTML page: a real article (a test fixture of this crate) inside the bulk a news page
/// carries (inline scripts and JSON, menus of links).
fn big_page() -> bytes::Bytes {
    let article = include_str!("../tests/fixtures/harbour-1.html");
    let mut page = String::with_capacity(2 << 20);
    let (head, body) = article.split_once("<body>").unwrap_or((article, ""));
    page.push_str(head);
    page.push_str("<body><nav><ul>");
    for i in 0..2_000 {
        page.push_str(&format!(
            "<li><a href=\"/section/{i}\">Section {i} of the site</a></li>"
        ));
    }
    page.push_str("</ul></nav><script>window.__STATE__ = [");
    while page.len() < (2 << 20) - body.len() - 64 {
        page.push_str("{\"id\":12345,\"kind\":\"teaser\",\"title\":\"More from the harbour\"},");
    }
    page.push_str("{}];</script>");
    page.push_str(body);
    bytes::Bytes::from(page)
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

/// One timed request's result.
struct Timed {
    took: Duration,
    status: u16,
}

/// Runs `requests` requests with `concurrency` clients; `make(i)` sends the `i`th and checks it.
async fn phase<F, Fut>(requests: usize, concurrency: usize, make: F) -> (Vec<Timed>, f64)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let make = Arc::new(make);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let next = next.clone();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let t = Instant::now();
                let status = make(i).await;
                out.push(Timed {
                    took: t.elapsed(),
                    status,
                });
            }
            out
        }));
    }
    let mut all = Vec::with_capacity(requests);
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    (all, start.elapsed().as_secs_f64())
}

fn report(label: &str, n: usize, concurrency: usize, timed: &[Timed], secs: f64) {
    let mut lat: Vec<Duration> = timed.iter().map(|t| t.took).collect();
    lat.sort();
    let (peak, now) = rss();
    let mut statuses: Vec<(u16, usize)> = Vec::new();
    for t in timed {
        match statuses.iter_mut().find(|(s, _)| *s == t.status) {
            Some((_, c)) => *c += 1,
            None => statuses.push((t.status, 1)),
        }
    }
    statuses.sort();
    let statuses: Vec<String> = statuses.iter().map(|(s, c)| format!("{s}x{c}")).collect();
    println!(
        "{label:30} records={n} clients={concurrency} requests={} req/s={:.0} p50={:.1}ms p90={:.1}ms p99={:.1}ms max={:.1}ms peak_rss={peak}MiB rss_after={now}MiB status={}",
        lat.len(),
        lat.len() as f64 / secs,
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
        statuses.join(","),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing to skip on.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env_usize("NEWSMILL_LOAD_RECORDS", 100_000);
    let requests = env_usize("NEWSMILL_LOAD_REQUESTS", 4_000);
    let analyses = env_usize("NEWSMILL_LOAD_ANALYZE", 512);
    let concurrency = env_usize("NEWSMILL_LOAD_CONCURRENCY", 128).max(1);
    let dir = match std::env::var("NEWSMILL_LOAD_DATA") {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => std::env::temp_dir().join(format!("newsmill-load-{n}")),
    };
    build(&dir, n);
    let store: Arc<dyn Store> = Arc::new(IndexStore::open(&dir).expect("open index"));
    let nlp = newsmill_nlp::Nlp::embedded().expect("the NLP model");
    let enrich: newsmill_serve::Enricher =
        Arc::new(move |r: &mut Record| newsmill_nlp::enrich(r, &nlp));
    // The server runs on its own runtime (a worker per core, as `newsmill serve` does), the
    // clients on another, as if they were separate processes.
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server_thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let mut config = ServeConfig::new(&dir);
            config.addr = "127.0.0.1:0".parse().expect("addr");
            if let Ok(n) = std::env::var("NEWSMILL_LOAD_SLOTS") {
                config.analyze_concurrency = n.parse().expect("NEWSMILL_LOAD_SLOTS");
            }
            if let Ok(n) = std::env::var("NEWSMILL_LOAD_READ_SLOTS") {
                config.read_concurrency = n.parse().expect("NEWSMILL_LOAD_READ_SLOTS");
            }
            let addr = config.addr;
            let state = AppState::with_enricher(config, store, Some(enrich)).expect("state");
            let server = Server::bind_state(addr, state).await.expect("bind");
            tx.send(server.local_addr()).expect("address");
            server
                .run(async move {
                    let _ = stopped.await;
                })
                .await
                .expect("server");
        });
    });
    let base = format!("http://{}", rx.recv().expect("server started"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    runtime.block_on(async move {
        // Idle connections are dropped before the server's header timeout closes them, as
        // HTTP/1.1 clients must (else a request may race the server's close).
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(5))
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
        eprintln!(
            "load: warm-up (story catalog) {:.1} s",
            warm.elapsed().as_secs_f64()
        );

        println!(
            "RSS before the phases: {} MiB (index open, NLP model loaded, story catalog built)",
            rss().1
        );
        let only = std::env::var("NEWSMILL_LOAD_ONLY").unwrap_or_default();
        let reads: &[(&str, usize)] = if only == "analyze" {
            &[]
        } else {
            &[
                ("home page (facets of all)", 0usize),
                ("api search, 1 word + facets", 1),
                ("api search, 2 words, page 2", 2),
                ("api search, entity filter", 3),
                ("search page (HTML + chart)", 4),
            ]
        };
        for &(label, kind) in reads {
            reset_peak();
            let (client, base) = (client.clone(), base.clone());
            let (timed, secs) = phase(requests, concurrency, move |i| {
                let client = client.clone();
                let w = WORDS[i % WORDS.len()];
                let w2 = WORDS[(i * 7 + 3) % WORDS.len()];
                let url = match kind {
                    0 => format!("{base}/"),
                    1 => format!("{base}/api/search?q={w}"),
                    2 => format!("{base}/api/search?q={w}%20{w2}&offset=20&facets=false"),
                    3 => format!(
                        "{base}/api/search?q={w}&entity={}",
                        NAMES[i % NAMES.len()].0.replace(' ', "%20")
                    ),
                    _ => format!("{base}/?q={w}"),
                };
                async move {
                    // A connection the server closed as the request went out is tried once
                    // more, as browsers do for a GET; a second failure counts as status 0.
                    let resp = match client.get(&url).send().await {
                        Ok(r) => r,
                        Err(_) => match client.get(&url).send().await {
                            Ok(r) => r,
                            Err(_) => return 0,
                        },
                    };
                    let status = resp.status();
                    let Ok(body) = resp.bytes().await else {
                        return 0;
                    };
                    assert_eq!(status, 200, "{url}");
                    if kind == 0 || kind == 4 {
                        assert!(body.len() > 1000);
                    } else {
                        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                        assert!(v["total"].is_u64(), "{url}");
                    }
                    status.as_u16()
                }
            })
            .await;
            report(label, n, concurrency, &timed, secs);
        }

        if only == "reads" {
            return;
        }
        // Analyses: 2 MB pages, extraction and NLP, as many clients at once.
        let page = big_page();
        reset_peak();
        let (c2, b2) = (client.clone(), base.clone());
        let (timed, secs) = phase(analyses, concurrency, move |_| {
            let client = c2.clone();
            let url = format!("{b2}/api/analyze");
            let body = page.clone();
            async move {
                let Ok(resp) = client
                    .post(&url)
                    .header("content-type", "text/html")
                    .body(body)
                    .send()
                    .await
                else {
                    return 0;
                };
                let status = resp.status();
                let retry = resp.headers().get("retry-after").is_some();
                let Ok(body) = resp.bytes().await else {
                    return 0;
                };
                match status.as_u16() {
                    200 => {
                        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                        assert!(
                            v["title"].is_string()
                                && !v["entities"].as_array().is_none_or(Vec::is_empty)
                        );
                    }
                    503 => assert!(retry, "503 without Retry-After"),
                    s => panic!("analyze answered {s}"),
                }
                status.as_u16()
            }
        })
        .await;
        report("api analyze, 2 MB pages", n, concurrency, &timed, secs);
        let served: Vec<Timed> = timed.into_iter().filter(|t| t.status == 200).collect();
        if !served.is_empty() {
            report("  (of which served, 200)", n, concurrency, &served, secs);
        }
    });
    let _ = stop.send(());
    let _ = server_thread.join();
}
