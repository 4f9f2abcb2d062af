//! The polite fetcher and URL sources against a small HTTP server on loopback.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use newsmill_ingest::fetch::{FetchConfig, FetchOutcome, Fetcher, Validators};
use newsmill_ingest::{IngestConfig, IngestError, read_sources};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server saw: (path, headers, when).
type Log = Arc<Mutex<Vec<(String, HashMap<String, String>, Instant)>>>;

struct Server {
    base: String,
    log: Log,
}

const PAGE: &str = "<!DOCTYPE html><html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1><p>The harbour reopened on Monday after a storm closed it for a week, officials said on Tuesday evening.</p></article></body></html>";

fn respond(
    path: &str,
    headers: &HashMap<String, String>,
    hits: &AtomicUsize,
    base: &str,
) -> Option<Vec<u8>> {
    let ok = |ct: &str, body: &str, extra: &str| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    Some(match path {
        "/robots.txt" => ok("text/plain", "User-agent: *\nDisallow: /private\n", ""),
        "/page" | "/a" | "/b" => {
            if headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
                b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n".to_vec()
            } else {
                ok(
                    "text/html; charset=utf-8",
                    &PAGE.replace("Harbour", &format!("Harbour {path}")),
                    "ETag: \"v1\"\r\nLast-Modified: Wed, 19 Jun 2024 10:00:00 GMT\r\n",
                )
            }
        }
        "/flaky" => {
            if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            } else {
                ok("text/html", PAGE, "")
            }
        }
        "/down" => b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        "/moved" => format!("HTTP/1.1 301 Moved\r\nLocation: {base}/page\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").into_bytes(),
        "/loop" => b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        "/declared-huge" => b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2147483648\r\nConnection: close\r\n\r\n<html>".to_vec(),
        "/streamed-huge" => {
            let mut r = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n".to_vec();
            r.extend(std::iter::repeat_n(b'x', 300_000));
            r
        }
        "/never" => return None,
        "/feed.xml" => ok(
            "application/rss+xml",
            &format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>A</title><link>{base}/a</link></item><item><title>B</title><link>{base}/b</link></item><item><title>P</title><link>{base}/private/c</link></item></channel></rss>"),
            "",
        ),
        "/html-feed.xml" => ok("application/rss+xml", "<rss version=\"2.0\"><channel><title>broken", ""),
        "/sitemap.xml" => ok(
            "application/xml",
            &format!("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{base}/a</loc></url></urlset>"),
            "",
        ),
        "/index.xml" => ok(
            "application/xml",
            &format!("<sitemapindex><sitemap><loc>{base}/index.xml</loc></sitemap><sitemap><loc>{base}/sitemap.xml</loc></sitemap></sitemapindex>"),
            "",
        ),
        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    })
}

async fn serve(listener: TcpListener, log: Log, base: String) {
    let hits = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let log = log.clone();
        let hits = hits.clone();
        let base = base.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).into_owned();
            let mut lines = head.lines();
            let path = lines
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_string();
            let headers: HashMap<String, String> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            log.lock()
                .unwrap()
                .push((path.clone(), headers.clone(), Instant::now()));
            match respond(&path, &headers, &hits, &base) {
                Some(resp) => {
                    let _ = sock.write_all(&resp).await;
                    let _ = sock.shutdown().await;
                }
                // A host that never answers: hold the connection open.
                None => std::future::pending::<()>().await,
            }
        });
    }
}

/// Starts the server on its own thread and runtime, so blocking callers can use it too.
fn start() -> Server {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", std_listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let (l2, b2) = (log.clone(), base.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::from_std(std_listener).unwrap();
            serve(listener, l2, b2).await;
        });
    });
    Server { base, log }
}

fn config() -> FetchConfig {
    FetchConfig {
        per_host_interval: Duration::from_millis(20),
        timeout: Duration::from_millis(500),
        backoff: Duration::from_millis(10),
        max_bytes: 100_000,
        ..FetchConfig::default()
    }
}

fn paths(log: &Log) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .map(|(p, _, _)| p.clone())
        .collect()
}

async fn get(f: &Fetcher, url: &str) -> Result<FetchOutcome, IngestError> {
    f.get(url, None).await
}

#[tokio::test]
async fn robots_user_agent_conditional_get_and_redirects() {
    let s = start();
    let f = Fetcher::new(config()).unwrap();
    let FetchOutcome::Fetched(page) = get(&f, &format!("{}/page", s.base)).await.unwrap() else {
        panic!("expected a page")
    };
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("Harbour /page"));
    assert_eq!(page.validators.etag.as_deref(), Some("\"v1\""));
    // robots.txt first, once per host.
    assert_eq!(paths(&s.log), vec!["/robots.txt", "/page"]);
    let ua = s.log.lock().unwrap()[1].1["user-agent"].clone();
    assert!(ua.starts_with("newsmill/"), "{ua}");

    let again = f
        .get(&format!("{}/page", s.base), Some(&page.validators))
        .await
        .unwrap();
    assert!(matches!(again, FetchOutcome::NotModified));
    assert_eq!(s.log.lock().unwrap()[2].1["if-none-match"], "\"v1\"");
    let _ = Validators::default();

    let e = get(&f, &format!("{}/private/x", s.base)).await.unwrap_err();
    assert!(e.to_string().contains("disallowed by robots.txt"), "{e}");
    assert!(!paths(&s.log).contains(&"/private/x".to_string()));

    let FetchOutcome::Fetched(moved) = get(&f, &format!("{}/moved", s.base)).await.unwrap() else {
        panic!()
    };
    assert_eq!(moved.redirects, vec![format!("{}/page", s.base)]);
    assert_eq!(moved.final_url, format!("{}/page", s.base));
    let e = get(&f, &format!("{}/loop", s.base)).await.unwrap_err();
    assert!(e.to_string().contains("more than 10 redirects"), "{e}");
}

#[tokio::test]
async fn retries_size_caps_and_timeouts() {
    let s = start();
    let f = Fetcher::new(config()).unwrap();
    // 429 with Retry-After, then 200.
    assert!(matches!(
        get(&f, &format!("{}/flaky", s.base)).await.unwrap(),
        FetchOutcome::Fetched(_)
    ));
    assert_eq!(paths(&s.log).iter().filter(|p| *p == "/flaky").count(), 2);
    // 503 forever: retried max_retries times, then an error naming the URL.
    let url = format!("{}/down", s.base);
    let e = get(&f, &url).await.unwrap_err();
    assert_eq!(e.input(), url);
    assert!(e.to_string().contains("503"), "{e}");
    assert_eq!(paths(&s.log).iter().filter(|p| *p == "/down").count(), 4);
    // A response that declares 2 GB, and one that streams past the cap.
    for p in ["/declared-huge", "/streamed-huge"] {
        let e = get(&f, &format!("{}{p}", s.base)).await.unwrap_err();
        assert!(
            matches!(e, IngestError::TooLarge { limit: 100_000, .. }),
            "{p}: {e}"
        );
    }
    // A host that never answers: a timeout, not a hang.
    let e = get(&f, &format!("{}/never", s.base)).await.unwrap_err();
    assert!(e.to_string().contains("timed out"), "{e}");
}

#[tokio::test]
async fn one_request_per_host_per_interval() {
    let s = start();
    let f = Fetcher::new(FetchConfig {
        per_host_interval: Duration::from_millis(300),
        ..config()
    })
    .unwrap();
    for p in ["/a", "/b", "/page"] {
        get(&f, &format!("{}{p}", s.base)).await.unwrap();
    }
    let log = s.log.lock().unwrap();
    assert_eq!(log.len(), 4, "robots.txt and three pages");
    for pair in log.windows(2) {
        let gap = pair[1].2.duration_since(pair[0].2);
        // Times are taken when the server reads each request, so allow for scheduling jitter.
        assert!(
            gap >= Duration::from_millis(200),
            "gap {gap:?} between {} and {}",
            pair[0].0,
            pair[1].0
        );
    }
}

#[test]
fn feeds_and_sitemaps_by_url_through_the_reader() {
    let s = start();
    let sources = vec![
        format!("{}/feed.xml", s.base),
        format!("{}/index.xml", s.base),
        format!("{}/html-feed.xml", s.base),
    ];
    let mut reader = read_sources(&sources, IngestConfig::online(config()));
    let items: Vec<_> = reader.by_ref().collect();
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for item in items {
        match item {
            Ok(d) => docs.push(d.url.unwrap()),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let b = &s.base;
    // The feed's two allowed entries; the sitemap's page is the feed's first entry, and the
    // index lists itself: both read once, counted as repeats (not failures).
    assert_eq!(docs, vec![format!("{b}/a"), format!("{b}/b")]);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("disallowed by robots.txt"), "{errors:?}");
    assert!(errors[1].contains("not a feed"), "{errors:?}");
    assert_eq!(reader.stats().repeated_urls, 2);
}

/// What a one-host server answers: bytes to send and close, or bytes to send and then hold
/// the connection open (a body that stops in the middle).
enum Reply {
    Close(Vec<u8>),
    Stall(Vec<u8>),
}

/// A server whose answers come from `reply(path)`, with its own request log.
fn start_with(reply: fn(&str) -> Reply) -> Server {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", std_listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let l2 = log.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::from_std(std_listener).unwrap();
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let log = l2.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).into_owned();
                    let path = head
                        .lines()
                        .next()
                        .and_then(|l| l.split_whitespace().nth(1))
                        .unwrap_or("/")
                        .to_string();
                    log.lock()
                        .unwrap()
                        .push((path.clone(), HashMap::new(), Instant::now()));
                    match reply(&path) {
                        Reply::Close(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                            let _ = sock.shutdown().await;
                        }
                        Reply::Stall(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                            let _ = sock.flush().await;
                            std::future::pending::<()>().await;
                        }
                    }
                });
            }
        });
    });
    Server { base, log }
}

fn reply(status: &str, body: &str) -> Reply {
    Reply::Close(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn page_or(path: &str, robots: impl FnOnce() -> Reply) -> Reply {
    match path {
        "/robots.txt" => robots(),
        "/page" => reply("200 OK", PAGE),
        _ => reply("404 Not Found", ""),
    }
}

/// Whether `/page` of the server may be fetched.
async fn page_allowed(s: &Server) -> Result<(), IngestError> {
    let f = Fetcher::new(config()).unwrap();
    get(&f, &format!("{}/page", s.base)).await.map(|_| ())
}

// See: issue 24 (a robots.txt that failed to read counted as allow-all).
#[tokio::test]
async fn regression_24_robots_txt_follows_rfc_9309() {
    // `Disallow: /` followed by 600 KB of comments: the first 512 KiB are read and obeyed.
    let long = start_with(|p| {
        page_or(p, || {
            let mut body = "User-agent: *\nDisallow: /\n".to_string();
            while body.len() < 600_000 {
                body.push_str("# a comment line to make the file long, as some sites do\n");
            }
            reply("200 OK", &body)
        })
    });
    let e = page_allowed(&long).await.unwrap_err();
    assert!(e.to_string().contains("disallowed by robots.txt"), "{e}");
    assert!(!paths(&long.log).contains(&"/page".to_string()));

    // A robots.txt whose body stops in the middle (the client's timeout ends it): the host is
    // off limits, and the error says it may pass.
    let stalled = start_with(|p| {
        page_or(p, || {
            Reply::Stall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\nUser-agent: *\nAllow: /\n"
                    .to_vec(),
            )
        })
    });
    let e = page_allowed(&stalled).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert!(
        e.to_string().contains("robots.txt could not be read"),
        "{e}"
    );
    assert!(!paths(&stalled.log).contains(&"/page".to_string()));

    // Server errors and 429 forbid; a missing robots.txt (404) allows.
    let down = start_with(|p| page_or(p, || reply("503 Service Unavailable", "")));
    let e = page_allowed(&down).await.unwrap_err();
    assert!(e.to_string().contains("robots.txt answered 503"), "{e}");
    let busy = start_with(|p| page_or(p, || reply("429 Too Many Requests", "")));
    assert!(page_allowed(&busy).await.is_err());
    let missing = start_with(|p| page_or(p, || reply("404 Not Found", "")));
    page_allowed(&missing).await.unwrap();

    // A redirected robots.txt is followed (http to https, or to another path, is common).
    let moved = start_with(|p| {
        match p {
        "/robots.txt" => Reply::Close(
            b"HTTP/1.1 301 Moved\r\nLocation: /real-robots.txt\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec(),
        ),
        "/real-robots.txt" => reply("200 OK", "User-agent: *\nDisallow: /page\n"),
        _ => reply("200 OK", PAGE),
    }
    });
    let e = page_allowed(&moved).await.unwrap_err();
    assert!(e.to_string().contains("disallowed by robots.txt"), "{e}");
}
