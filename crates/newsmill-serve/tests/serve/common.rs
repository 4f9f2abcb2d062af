//! Shared fixtures: a small corpus extracted from committed pages, and a server on loopback.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use newsmill_core::{CharIndex, Entity, EntityType, InputHint, Mention, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_index::PutInfo;
use newsmill_serve::{AppState, IndexStore, ServeConfig, Server, Store};
use newsmill_time::{DateAnchor, Lang, Options, Reference, Tagger, event_time};

pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A small gazetteer standing in for the NLP stage: canonical name, type, surface forms.
const GAZETTEER: &[(&str, EntityType, &[&str])] = &[
    ("Port Elwin", EntityType::Loc, &["Port Elwin"]),
    ("Ines Okafor", EntityType::Per, &["Ines Okafor"]),
    ("Tomas Reyes", EntityType::Per, &["Tomas Reyes"]),
    ("Skarra Island", EntityType::Loc, &["Skarra Island"]),
    (
        "Port Elwin Fishermen's Association",
        EntityType::Org,
        &["Port Elwin Fishermen's Association"],
    ),
    ("Valdoria", EntityType::Loc, &["Valdoria"]),
    ("Green Alliance", EntityType::Org, &["Green Alliance"]),
    (
        "Vladimir Putin",
        EntityType::Per,
        &["Vladimir Putin", "Putin"],
    ),
    ("Kim Jong Un", EntityType::Per, &["Kim Jong Un", "Kim"]),
    ("North Korea", EntityType::Loc, &["North Korea"]),
    ("Pyongyang", EntityType::Loc, &["Pyongyang"]),
    ("Tass", EntityType::Org, &["Tass"]),
];

/// Adds gazetteer entities to `r`, longest surface forms first, without overlaps.
pub(crate) fn add_entities(r: &mut Record) {
    let index = CharIndex::new(&r.text);
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut forms: Vec<(&str, EntityType, &str)> = GAZETTEER
        .iter()
        .flat_map(|(name, kind, forms)| forms.iter().map(move |f| (*name, *kind, *f)))
        .collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.2.len()));
    let mut found: Vec<(&str, EntityType, Mention)> = Vec::new();
    for (name, kind, form) in forms {
        for (b, _) in r.text.match_indices(form) {
            let e = b + form.len();
            if taken.iter().any(|&(s, t)| b < t && s < e) {
                continue;
            }
            taken.push((b, e));
            found.push((
                name,
                kind,
                Mention {
                    start: index.char_of(b),
                    end: index.char_of(e),
                    text: form.to_string(),
                },
            ));
        }
    }
    found.sort_by_key(|f| f.2.start);
    for (name, kind, m) in found {
        match r.entities.iter_mut().find(|e| e.name == name) {
            Some(e) => {
                e.mentions.push(m);
                e.count += 1;
            }
            None => r.entities.push(Entity {
                name: name.to_string(),
                kind,
                mentions: vec![m],
                count: 1,
            }),
        }
    }
}

/// The date stage as `newsmill_nlp::enrich` runs it: the record's language, its published time
/// as the reference, the expressions and the event time.
pub(crate) fn add_dates(r: &mut Record) {
    let reference = r
        .published
        .as_deref()
        .and_then(|p| Reference::parse(p, DateAnchor::Published).ok());
    let options = Options {
        lang: r.language.as_deref().and_then(Lang::from_code),
        reference,
        ..Options::default()
    };
    let found = Tagger::shared().unwrap().tag(&r.text, &options);
    let index = CharIndex::new(&r.text);
    r.dates = found
        .iter()
        .map(|t| newsmill_core::DateMention {
            text: r.text[t.start..t.end].to_string(),
            start: index.char_of(t.start),
            end: index.char_of(t.end),
            kind: t.kind,
            value: t.value.clone(),
            anchor: t.anchor,
        })
        .collect();
    if let Some(e) = event_time(&r.text, &found, reference.as_ref()) {
        r.event_time = Some(e.value);
        r.provenance
            .insert("event_time".into(), e.source.as_str().into());
    }
}

fn page(file: &str, url: &str, published: &str, story: &str) -> Record {
    let bytes = fs_err::read(fixtures().join(file)).unwrap();
    let mut doc = RawDoc::new(Origin::Path(file.into()), InputHint::Html, bytes);
    doc.url = Some(url.into());
    let mut r = extract(&doc, &ExtractConfig::default()).unwrap();
    r.published = Some(published.into());
    r.story = Some(story.into());
    add_entities(&mut r);
    add_dates(&mut r);
    r.check_invariants().unwrap();
    r
}

/// The fixture corpus: a three-article story, a single article, and the seed example.
pub(crate) fn corpus() -> Vec<Record> {
    let mut out = vec![
        page(
            "harbour-1.html",
            "https://coastal-courier.example/2024/06/storm-harbour",
            "2024-06-03T07:30:00Z",
            "storm-port-elwin",
        ),
        page(
            "harbour-2.html",
            "https://northern-times.example/harbour-damage",
            "2024-06-04T12:10:00Z",
            "storm-port-elwin",
        ),
        page(
            "harbour-3.html",
            "https://coastal-courier.example/2024/06/repair-money",
            "2024-06-05T09:00:00Z",
            "storm-port-elwin",
        ),
        page(
            "election.html",
            "https://valdoria-daily.example/turnout",
            "2024-06-04T20:00:00Z",
            "valdoria-elections",
        ),
    ];
    let seed =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/putin-north-korea.txt");
    let bytes = fs_err::read(&seed).unwrap();
    let doc = RawDoc::new(
        Origin::Path("examples/putin-north-korea.txt".into()),
        InputHint::Text,
        bytes,
    );
    let mut r = extract(&doc, &ExtractConfig::default()).unwrap();
    r.published = Some("2024-06-19T06:00:00Z".into());
    r.site = Some("daily-star.example".into());
    r.story = Some("putin-pyongyang".into());
    add_entities(&mut r);
    add_dates(&mut r);
    r.check_invariants().unwrap();
    out.push(r);
    out
}

/// Records whose every field carries a script payload.
pub(crate) fn xss_records() -> Vec<Record> {
    let set = |what: &str| format!("document.documentElement.setAttribute('data-xss','{what}')");
    let mut a = page(
        "xss-1.html",
        "https://evil.example/x",
        "2024-06-05T10:00:00Z",
        "storm-port-elwin",
    );
    a.url = Some(format!("javascript:{}", set("url")));
    a.canonical_url = a.url.clone();
    a.byline = vec![format!("<script>{}</script>", set("byline2"))];
    a.site = Some(format!("\"><script>{}</script>", set("site")));
    a.id = "xss-a".into();
    a.removed.push(newsmill_core::Removed {
        reason: newsmill_core::RemovedReason::Boilerplate,
        text: format!("<img src=x onerror=\"{}\">", set("removed")),
        language: None,
    });
    let mut b = a.clone();
    b.id = "xss-b".into();
    b.url = Some(format!(
        "https://evil.example/\"><script>{}</script>",
        set("url2")
    ));
    b.story = Some("xss-story".into());
    b.entities.push(Entity {
        name: format!("<script>{}</script>", set("entity")),
        kind: EntityType::Per,
        mentions: vec![],
        count: 0,
    });
    vec![a, b]
}

static N: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty data directory for one test.
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "newsmill-serve-test-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs_err::remove_dir_all(&dir);
    fs_err::create_dir_all(&dir).unwrap();
    dir
}

/// Stores `records` in the newsmill-index store in `dir` (created when missing) in one
/// commit; a record whose id is stored already becomes its new version.
pub(crate) fn add_records(dir: &Path, records: &[Record]) {
    let store = newsmill_index::Store::create(dir).unwrap();
    let mut w = store.writer().unwrap();
    for r in records {
        w.put(r, &PutInfo::default()).unwrap();
    }
    w.commit().unwrap();
}

/// The store `newsmill serve` runs on (newsmill-index, read through [`IndexStore`]) in a new
/// temporary directory, holding `records`; the directory is returned too.
pub(crate) fn index_store(records: &[Record]) -> (Arc<IndexStore>, PathBuf) {
    let dir = temp_dir("store");
    add_records(&dir, records);
    (Arc::new(IndexStore::open(&dir).unwrap()), dir)
}

/// A server on 127.0.0.1 (a free port) over a store in a temporary directory, in its own
/// runtime thread.
pub(crate) struct TestServer {
    pub(crate) base: String,
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) state: AppState,
    /// The store served (for [`TestServer::start_store`], an unused empty one).
    pub(crate) store: Arc<IndexStore>,
    store_dir: PathBuf,
    pub(crate) dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub(crate) fn start(records: Vec<Record>) -> TestServer {
        TestServer::start_with(records, |_| {})
    }

    pub(crate) fn start_with(
        records: Vec<Record>,
        tweak: impl FnOnce(&mut ServeConfig),
    ) -> TestServer {
        let (store, store_dir) = index_store(&records);
        TestServer::start_inner(store.clone(), (store, store_dir), tweak)
    }

    /// A server over any store (`store` of the result is then an unused empty one).
    pub(crate) fn start_store(
        store: Arc<dyn Store>,
        tweak: impl FnOnce(&mut ServeConfig),
    ) -> TestServer {
        TestServer::start_inner(store, index_store(&[]), tweak)
    }

    /// Stores `records` in the served store in one commit, and makes them visible at once.
    pub(crate) fn add(&self, records: &[Record]) {
        add_records(&self.store_dir, records);
        self.store.inner().reload().unwrap();
    }

    /// Current articles in the served store.
    pub(crate) fn stored(&self) -> u64 {
        self.store.inner().stats().unwrap().articles
    }

    fn start_inner(
        served: Arc<dyn Store>,
        (store, store_dir): (Arc<IndexStore>, PathBuf),
        tweak: impl FnOnce(&mut ServeConfig),
    ) -> TestServer {
        let dir = temp_dir("srv");
        let mut config = ServeConfig::new(&dir);
        config.addr = "127.0.0.1:0".parse().unwrap();
        // Tests check alerts by hand; the poller must not race them.
        config.poll_interval = Duration::from_secs(3600);
        config.webhook_backoff = Duration::from_millis(10);
        tweak(&mut config);
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let store2 = served;
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = Server::bind(config, store2).await.unwrap();
                tx.send((server.local_addr(), server.state())).unwrap();
                server
                    .run(async move {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let (addr, state) = rx.recv().unwrap();
        TestServer {
            base: format!("http://{addr}"),
            addr,
            state,
            store,
            store_dir,
            dir,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = fs_err::remove_dir_all(&self.dir);
        let _ = fs_err::remove_dir_all(&self.store_dir);
    }
}
