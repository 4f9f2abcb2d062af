//! What one client cannot do to the server: hold sockets with half-sent or idle requests, open
//! connections without end, trickle a body, run analyses without end, or be sent to another
//! host after signing in. Timeouts here are small ones configured for the test; every wait is
//! on an event (a response, a closed socket, a signal from inside the handler).
// See: issue 24.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use newsmill_core::Record;
use newsmill_serve::{AppState, IndexStore, ServeConfig, Server};

use crate::common::{TestServer, corpus, index_store, temp_dir};

/// A guard against a server that never answers: the test fails instead of hanging.
const GUARD: Duration = Duration::from_secs(30);

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(GUARD)).unwrap();
    s
}

/// Reads until the server closes the connection; panics if the guard runs out first.
fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the connection open: {e}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

#[test]
fn regression_24_sign_in_redirects_only_to_local_paths() {
    let token = "0123456789abcdef-test-token";
    let srv = TestServer::start_with(corpus(), |c| c.token = Some(token.into()));
    let get = |path: &str| {
        let mut s = connect(srv.addr);
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        read_to_close(&mut s)
    };
    let r = get(&format!("//evil.example/?token={token}"));
    assert!(r.starts_with("HTTP/1.1 303"), "{r}");
    assert_eq!(header(&r, "location"), Some("/evil.example/"), "{r}");
    let r = get("//evil.example/");
    assert!(r.starts_with("HTTP/1.1 401"), "{r}");
    assert!(r.contains("action=\"/evil.example/\""), "{r}");
    assert!(!r.contains("action=\"//"), "{r}");
    // A path the browser would read as `//`.
    let r = get(&format!("/%5Cevil.example/?token={token}"));
    let location = header(&r, "location").unwrap_or("/");
    assert!(
        !location.starts_with("//") && !location.starts_with("/\\"),
        "{r}"
    );
}

#[test]
fn regression_24_half_sent_and_idle_connections_are_closed_after_the_header_timeout() {
    let srv = TestServer::start_with(corpus(), |c| {
        c.header_timeout = Duration::from_millis(200);
    });
    // Headers started, never finished.
    let mut half = connect(srv.addr);
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    read_to_close(&mut half);
    // Nothing sent at all.
    let mut idle = connect(srv.addr);
    read_to_close(&mut idle);
    // A kept-alive connection that goes quiet after its first request.
    let mut kept = connect(srv.addr);
    kept.write_all(b"GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let r = read_to_close(&mut kept);
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    // A prompt client is unaffected.
    let mut ok = connect(srv.addr);
    ok.write_all(b"GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert!(read_to_close(&mut ok).starts_with("HTTP/1.1 200"));
}

#[test]
fn regression_24_connections_beyond_the_limit_are_answered_503() {
    let srv = TestServer::start_with(corpus(), |c| {
        c.max_connections = 4;
        c.header_timeout = Duration::from_secs(60);
    });
    // Four idle connections hold every slot (accepted in order, before the fifth).
    let held: Vec<TcpStream> = (0..4).map(|_| connect(srv.addr)).collect();
    let request = b"GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut fifth = connect(srv.addr);
    fifth.write_all(request).unwrap();
    let r = read_to_close(&mut fifth);
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert_eq!(header(&r, "retry-after"), Some("1"), "{r}");
    // Closing them frees the slots (the server notices each close on its own time).
    drop(held);
    let deadline = std::time::Instant::now() + GUARD;
    loop {
        let mut s = connect(srv.addr);
        s.write_all(request).unwrap();
        let r = read_to_close(&mut s);
        if r.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(r.starts_with("HTTP/1.1 503"), "{r}");
        assert!(std::time::Instant::now() < deadline, "slots never freed");
        std::thread::yield_now();
    }
}

#[test]
fn regression_24_a_body_that_never_arrives_is_answered_408() {
    let srv = TestServer::start_with(corpus(), |c| {
        c.body_timeout = Duration::from_millis(300);
    });
    let mut s = connect(srv.addr);
    s.write_all(
        b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\nConnection: close\r\n\r\nThe harbour",
    )
    .unwrap();
    let r = read_to_close(&mut s);
    assert!(r.starts_with("HTTP/1.1 408"), "{r}");
}

/// A server whose NLP stage (the enricher) tells when it starts and waits to be released.
struct Gated {
    addr: SocketAddr,
    entered: mpsc::Receiver<()>,
    release: mpsc::Sender<()>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Gated {
    fn start(tweak: impl FnOnce(&mut ServeConfig)) -> Gated {
        let (entered_tx, entered) = mpsc::channel::<()>();
        let (release, release_rx) = mpsc::channel::<()>();
        let entered_tx = Mutex::new(entered_tx);
        let release_rx = Mutex::new(release_rx);
        let enrich: newsmill_serve::Enricher = Arc::new(move |_r: &mut Record| {
            let _ = entered_tx.lock().unwrap().send(());
            let _ = release_rx.lock().unwrap().recv_timeout(GUARD);
        });
        let mut config = ServeConfig::new(temp_dir("gated"));
        config.addr = "127.0.0.1:0".parse().unwrap();
        config.poll_interval = Duration::from_secs(3600);
        tweak(&mut config);
        let (tx, rx) = mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let addr = config.addr;
                let state =
                    AppState::with_enricher(config, index_store(&[]).0, Some(enrich)).unwrap();
                let server = Server::bind_state(addr, state).await.unwrap();
                tx.send(server.local_addr()).unwrap();
                server
                    .run(async move {
                        let _ = stop_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Gated {
            addr: rx.recv().unwrap(),
            entered,
            release,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Gated {
    fn drop(&mut self) {
        for _ in 0..8 {
            let _ = self.release.send(());
        }
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn post_analyze(addr: SocketAddr) -> String {
    let body = "Harbour reopens\n\nThe harbour reopened on Monday after a storm closed it for a week, officials said.";
    let mut s = connect(addr);
    write!(
        s,
        "POST /api/analyze?input=text HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_to_close(&mut s)
}

#[test]
fn regression_24_analyze_runs_a_bounded_number_at_once_and_answers_503_beyond() {
    let srv = Gated::start(|c| {
        c.analyze_concurrency = 1;
        c.analyze_wait = Duration::ZERO;
    });
    let addr = srv.addr;
    let first = std::thread::spawn(move || post_analyze(addr));
    srv.entered
        .recv_timeout(GUARD)
        .expect("the first analysis started");
    // The only slot is taken: the next request is turned away at once, its body unread.
    let r = post_analyze(addr);
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert_eq!(header(&r, "retry-after"), Some("1"), "{r}");
    srv.release.send(()).unwrap();
    let r = first.join().unwrap();
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    // The slot is free again once the first analysis is done.
    let second = std::thread::spawn(move || post_analyze(addr));
    srv.entered.recv_timeout(GUARD).expect("the slot was freed");
    srv.release.send(()).unwrap();
    assert!(second.join().unwrap().starts_with("HTTP/1.1 200"));
}

/// A store whose searches tell when they start and wait to be released.
struct GatedStore {
    inner: Arc<IndexStore>,
    entered: Mutex<mpsc::Sender<()>>,
    release: Mutex<mpsc::Receiver<()>>,
}

impl newsmill_serve::Store for GatedStore {
    fn search(
        &self,
        r: &newsmill_serve::SearchRequest,
    ) -> newsmill_serve::StoreResult<newsmill_serve::SearchPage> {
        let _ = self.entered.lock().unwrap().send(());
        let _ = self.release.lock().unwrap().recv_timeout(GUARD);
        self.inner.search(r)
    }
    fn record(&self, id: &str) -> newsmill_serve::StoreResult<Option<Record>> {
        self.inner.record(id)
    }
    fn stories(
        &self,
        offset: usize,
        limit: usize,
    ) -> newsmill_serve::StoreResult<(u64, Vec<newsmill_serve::StorySummary>)> {
        self.inner.stories(offset, limit)
    }
    fn story(&self, id: &str) -> newsmill_serve::StoreResult<Option<newsmill_serve::StoryDetail>> {
        self.inner.story(id)
    }
    fn stories_matching(
        &self,
        query: &str,
        filters: &newsmill_serve::Filters,
        limit: usize,
    ) -> newsmill_serve::StoreResult<Vec<newsmill_serve::StorySummary>> {
        self.inner.stories_matching(query, filters, limit)
    }
    fn entity(
        &self,
        name: &str,
        limit: usize,
    ) -> newsmill_serve::StoreResult<Option<newsmill_serve::EntityDetail>> {
        self.inner.entity(name, limit)
    }
    fn per_day(
        &self,
        query: &str,
        filters: &newsmill_serve::Filters,
    ) -> newsmill_serve::StoreResult<Vec<newsmill_serve::DayCount>> {
        self.inner.per_day(query, filters)
    }
    fn generation(&self) -> u64 {
        self.inner.generation()
    }
}

fn get(addr: SocketAddr, path: &str) -> String {
    let mut s = connect(addr);
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_to_close(&mut s)
}

/// Store reads (searches, pages) run a bounded number at once, each with its own buffers; one
/// more waits for a slot, and is answered 503 when none frees up in time.
#[test]
fn regression_24_store_reads_run_a_bounded_number_at_once() {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let (inner, store_dir) = index_store(&corpus());
    let store = Arc::new(GatedStore {
        inner,
        entered: Mutex::new(entered_tx),
        release: Mutex::new(release_rx),
    });
    let srv = TestServer::start_store(store, |c| {
        c.read_concurrency = 1;
        c.read_wait = Duration::ZERO;
    });
    let addr = srv.addr;
    let first = std::thread::spawn(move || get(addr, "/api/search?q=harbour&facets=false"));
    entered
        .recv_timeout(GUARD)
        .expect("the first search started");
    let r = get(addr, "/api/search?q=storm&facets=false");
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert_eq!(header(&r, "retry-after"), Some("1"), "{r}");
    release.send(()).unwrap();
    assert!(first.join().unwrap().starts_with("HTTP/1.1 200"));
    let second = std::thread::spawn(move || get(addr, "/api/search?q=storm&facets=false"));
    entered.recv_timeout(GUARD).expect("the slot was freed");
    release.send(()).unwrap();
    assert!(second.join().unwrap().starts_with("HTTP/1.1 200"));
    drop(srv);
    let _ = fs_err::remove_dir_all(&store_dir);
}
