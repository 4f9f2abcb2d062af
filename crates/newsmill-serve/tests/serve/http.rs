//! Every endpoint over HTTP on loopback, including bad requests.

use std::io::{Read, Write};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, corpus};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get_json(url: &str) -> (StatusCode, Value) {
    let resp = client().get(url).send().await.unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    (status, body)
}

/// Asserts an error body `{"error": {"status", "message"}}` with this status.
fn assert_error(status: StatusCode, body: &Value, want: u16) {
    assert_eq!(status.as_u16(), want, "{body}");
    assert_eq!(body["error"]["status"], want, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// A raw HTTP/1.1 request, for headers a client would not let us forge.
fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[tokio::test]
async fn openapi_lists_every_endpoint() {
    let srv = TestServer::start(corpus());
    let (status, doc) = get_json(&srv.url("/api/openapi.json")).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/search",
        "/api/articles/{id}",
        "/api/stories",
        "/api/stories/{id}",
        "/api/entities/{name}",
        "/api/attention",
        "/api/analyze",
        "/api/alerts",
        "/api/alerts/{id}",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn search_filters_facets_sort_and_paging() {
    let srv = TestServer::start(corpus());
    let (status, body) = get_json(&srv.url("/api/search?q=harbour")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3);
    let sites = body["facets"]["site"].as_array().unwrap();
    assert_eq!(
        sites[0],
        json!({"value": "coastal-courier.example", "count": 2})
    );
    assert!(
        body["facets"]["entity"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "Ines Okafor" && f["count"] == 3)
    );

    let (_, newest) = get_json(&srv.url("/api/search?q=harbour&sort=newest")).await;
    let days: Vec<&str> = newest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["published"].as_str().unwrap()[..10])
        .collect();
    assert_eq!(days, ["2024-06-05", "2024-06-04", "2024-06-03"]);

    // Paging is stable: pages of one concatenate to the full list.
    let mut paged = Vec::new();
    for offset in 0..3 {
        let (_, p) = get_json(&srv.url(&format!(
            "/api/search?q=harbour&sort=newest&limit=1&offset={offset}"
        )))
        .await;
        paged.push(p["hits"][0]["id"].clone());
    }
    let all: Vec<Value> = newest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    assert_eq!(paged, all);

    let (_, f) = get_json(
        &srv.url("/api/search?q=harbour&site=northern-times.example&from=2024-06-04&to=2024-06-04"),
    )
    .await;
    assert_eq!(f["total"], 1);
    let (_, e) = get_json(&srv.url("/api/search?q=entity:%22Kim%20Jong%20Un%22")).await;
    assert_eq!(e["total"], 1, "{e}");
}

#[tokio::test]
async fn search_bad_requests() {
    let srv = TestServer::start(corpus());
    for q in [
        "/api/search?q=%22unbalanced",
        "/api/search?q=nofield:x",
        "/api/search?limit=0",
        "/api/search?limit=1000",
        "/api/search?limit=abc",
        "/api/search?offset=999999",
        "/api/search?sort=sideways",
        "/api/search?from=2024-13",
        "/api/attention?q=%22x",
        "/api/stories?limit=0",
    ] {
        let (status, body) = get_json(&srv.url(q)).await;
        assert_error(status, &body, 400);
    }
}

#[tokio::test]
async fn article_story_entity_attention() {
    let records = corpus();
    let id = records[0].id.clone();
    let srv = TestServer::start(records.clone());

    let (status, body) = get_json(&srv.url(&format!("/api/articles/{id}"))).await;
    assert_eq!(status, 200);
    let back: newsmill_core::Record = serde_json::from_value(body).unwrap();
    assert_eq!(back, records[0]);
    let (status, body) = get_json(&srv.url("/api/articles/0000000000000000")).await;
    assert_error(status, &body, 404);
    let (status, body) = get_json(&srv.url("/api/articles/bad%20id%3Cx%3E")).await;
    assert_error(status, &body, 400);

    let (status, list) = get_json(&srv.url("/api/stories")).await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 3);
    assert_eq!(list["stories"][0]["id"], "putin-pyongyang");
    let (_, story) = get_json(&srv.url("/api/stories/storm-port-elwin")).await;
    assert_eq!(story["articles"], 3);
    assert_eq!(
        story["events"][0]["value"], "2024-06-03TMO",
        "{}",
        story["events"]
    );
    assert_eq!(story["events"][0]["main"], true);
    let items: Vec<&str> = story["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["published"].as_str().unwrap())
        .collect();
    let mut sorted = items.clone();
    sorted.sort();
    assert_eq!(items, sorted, "articles in time order");
    assert_eq!(story["sites"][0]["value"], "coastal-courier.example");
    let (status, body) = get_json(&srv.url("/api/stories/nope")).await;
    assert_error(status, &body, 404);

    let (status, ent) = get_json(&srv.url("/api/entities/Ines%20Okafor")).await;
    assert_eq!(status, 200, "{ent}");
    assert_eq!(ent["type"], "PER");
    assert_eq!(ent["total"], 3);
    assert_eq!(ent["stories"][0]["id"], "storm-port-elwin");
    assert_eq!(ent["articles_per_day"].as_array().unwrap().len(), 3);
    let (status, body) = get_json(&srv.url("/api/entities/Nobody%20Known")).await;
    assert_error(status, &body, 404);
    let (status, body) = get_json(&srv.url("/api/entities/a%01b")).await;
    assert_error(status, &body, 400);

    let (status, att) = get_json(&srv.url("/api/attention?q=harbour")).await;
    assert_eq!(status, 200);
    let days = att["days"].as_array().unwrap();
    let june4 = days.iter().find(|d| d["day"] == "2024-06-04").unwrap();
    assert_eq!(june4["count"], 1);
    assert_eq!(june4["total"], 2);
    assert_eq!(june4["share"], 0.5);
}

#[tokio::test]
async fn analyze_returns_a_record_without_storing_it() {
    let srv = TestServer::start_with(corpus(), |c| c.analyze_limit = 64 * 1024);
    let html = fs_err::read(crate::common::fixtures().join("election.html")).unwrap();
    let resp = client()
        .post(srv.url("/api/analyze?url=https://valdoria-daily.example/other"))
        .header("content-type", "text/html")
        .body(html)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let r: newsmill_core::Record = resp.json().await.unwrap();
    assert_eq!(
        r.title.as_deref(),
        Some("Turnout rises in Valdoria local elections")
    );
    assert_eq!(r.site.as_deref(), Some("valdoria-daily.example"));
    assert_eq!(srv.stored(), 5, "analyze must not store");

    let resp = client()
        .post(srv.url("/api/analyze?input=text"))
        .body("A headline\n\nThe text of the article, long enough to be a paragraph.")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let cases: Vec<(String, Vec<u8>, u16)> = vec![
        ("/api/analyze".into(), b"   ".to_vec(), 422),
        ("/api/analyze?input=pdf".into(), b"x".to_vec(), 400),
        (
            "/api/analyze?url=file:///etc/passwd".into(),
            b"x".to_vec(),
            400,
        ),
        ("/api/analyze".into(), vec![b'a'; 65 * 1024], 413),
    ];
    for (path, body, want) in cases {
        let resp = client()
            .post(srv.url(&path))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_error(status, &body, want);
    }
}

#[tokio::test]
async fn alerts_crud_and_bad_requests() {
    let srv = TestServer::start_with(corpus(), |c| {
        c.webhooks = vec!["http://127.0.0.1:9/hook".into()];
    });
    let c = client();
    let resp = c
        .post(srv.url("/api/alerts"))
        .json(&json!({"name": "Harbour", "query": "harbour"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let alert: Value = resp.json().await.unwrap();
    let id = alert["id"].as_str().unwrap().to_string();
    assert!(alert.get("seen").is_none(), "internal state stays internal");

    let (status, list) = get_json(&srv.url("/api/alerts")).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, one) = get_json(&srv.url(&format!("/api/alerts/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(one["query"], "harbour");

    // Persisted in the data directory, through newsmill-index (its state folder).
    let saved = fs_err::read_to_string(srv.dir.join("state/alerts.json")).unwrap();
    assert!(saved.contains(&id));
    assert!(
        !srv.dir.join("serve").exists(),
        "serve writes no files itself"
    );

    let bad: Vec<(reqwest::RequestBuilder, u16)> = vec![
        (
            c.post(srv.url("/api/alerts"))
                .json(&json!({"name": "", "query": "x"})),
            400,
        ),
        (
            c.post(srv.url("/api/alerts"))
                .json(&json!({"name": "x", "query": "\"x"})),
            400,
        ),
        (
            c.post(srv.url("/api/alerts")).json(
                &json!({"name": "x", "query": "x", "webhook": "http://169.254.169.254/latest"}),
            ),
            400,
        ),
        (
            c.post(srv.url("/api/alerts")).json(&json!({"name": "x"})),
            422,
        ),
        (
            c.post(srv.url("/api/alerts"))
                .body("{\"name\": \"x\", \"query\": \"x\"}"),
            415,
        ),
        (
            c.post(srv.url("/api/alerts"))
                .header("content-type", "application/json")
                .body("{not json"),
            400,
        ),
        (
            c.post(srv.url("/api/alerts"))
                .header("content-type", "application/json")
                .body(vec![b' '; 70 * 1024]),
            413,
        ),
        (c.get(srv.url("/api/alerts/ffffffffffff")), 404),
        (c.delete(srv.url("/api/alerts/bad%20id")), 400),
    ];
    for (req, want) in bad {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_error(status, &body, want);
    }

    let resp = c
        .delete(srv.url(&format!("/api/alerts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = c
        .delete(srv.url(&format!("/api/alerts/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn token_is_required_for_the_api_and_writes() {
    let token = "0123456789abcdef-test-token";
    let srv = TestServer::start_with(corpus(), |c| c.token = Some(token.into()));
    let c = client();
    for path in ["/api/search?q=harbour", "/api/openapi.json", "/api/alerts"] {
        let resp = c.get(srv.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let resp = c
            .get(srv.url(path))
            .header("authorization", "Bearer wrong-token-wrong-token")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        let resp = c
            .get(srv.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let resp = c
        .post(srv.url("/api/analyze"))
        .body("Title\n\nSome text of an article here.")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Pages need the token too: a sign-in form without it, a session cookie after
    // `?token=`, or a bearer header. Page writes need the token in the form.
    for path in ["/", "/stories", "/alerts", "/articles/x"] {
        let resp = c.get(srv.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("name=\"token\""), "{path}: {body}");
        assert!(!body.contains("harbour"), "{path} leaks content");
    }
    let resp = c
        .get(srv.url("/?q=harbour&token=wrong-token-wrong-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("set-cookie").is_none());
    let resp = c
        .get(srv.url(&format!("/?q=harbour&token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/?q=harbour");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(
        !cookie.contains(token),
        "the cookie holds a hash, not the token"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let resp = c
        .get(srv.url("/?q=harbour"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = c
        .get(srv.url("/?q=harbour"))
        .header("cookie", "newsmill_session=0000")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = c
        .get(srv.url("/stories"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = c.get(srv.url("/assets/style.css")).send().await.unwrap();
    assert_eq!(resp.status(), 200, "assets are compiled in, not data");
    let resp = c
        .post(srv.url("/alerts"))
        .form(&[("name", "x"), ("query", "harbour")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = c
        .post(srv.url("/alerts"))
        .form(&[("name", "x"), ("query", "harbour"), ("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
}

#[test]
fn non_loopback_bind_needs_a_strong_token() {
    let mut config = newsmill_serve::ServeConfig::new("unused");
    config.addr = "0.0.0.0:8080".parse().unwrap();
    assert!(matches!(
        config.validate(),
        Err(newsmill_serve::Error::TokenRequired { .. })
    ));
    config.token = Some("short".into());
    assert!(matches!(
        config.validate(),
        Err(newsmill_serve::Error::WeakToken)
    ));
    config.token = Some("a-long-enough-secret-token".into());
    assert!(config.validate().is_ok());
    config.webhooks = vec!["file:///etc/passwd".into()];
    assert!(matches!(
        config.validate(),
        Err(newsmill_serve::Error::BadWebhook { .. })
    ));
}

#[test]
fn host_origin_headers_and_paths() {
    let srv = TestServer::start(corpus());
    let addr = srv.addr;
    // DNS rebinding: a foreign Host is refused on a loopback bind.
    let r = raw(
        addr,
        "GET /api/search HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 403"), "{r}");
    let r = raw(
        addr,
        &format!(
            "GET / HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            addr.port()
        ),
    );
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    let lower = r.to_ascii_lowercase();
    assert!(lower.contains("content-security-policy: default-src 'none'; script-src 'self'"));
    assert!(lower.contains("x-content-type-options: nosniff"));
    assert!(lower.contains("x-frame-options: deny"));
    // A cross-site form post is refused.
    let body = "name=x&query=harbour";
    let r = raw(
        addr,
        &format!(
            "POST /alerts HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(r.starts_with("HTTP/1.1 403"), "{r}");
    let r = raw(
        addr,
        &format!(
            "POST /alerts HTTP/1.1\r\nHost: {addr}\r\nSec-Fetch-Site: cross-site\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(r.starts_with("HTTP/1.1 403"), "{r}");
    // No path reaches files: traversal attempts are plain 404s.
    for path in [
        "/assets/../../../../etc/passwd",
        "/assets/..%2F..%2FCargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/../Cargo.toml",
        "/alerts/..%2F..%2Fetc%2Fpasswd/feed.atom",
    ] {
        let r = raw(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        );
        assert!(
            r.starts_with("HTTP/1.1 404") || r.starts_with("HTTP/1.1 400"),
            "{path}: {r}"
        );
        assert!(!r.contains("root:") && !r.contains("[workspace]"), "{path}");
    }
}

#[tokio::test]
async fn pages_render_and_unknown_paths_are_404() {
    let records = corpus();
    let seed_id = records[4].id.clone();
    let srv = TestServer::start(records);
    let c = client();
    let text = |path: &str| {
        let c = c.clone();
        let url = srv.url(path);
        async move {
            let resp = c.get(url).send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    let (s, home) = text("/").await;
    assert_eq!(s, 200);
    assert!(home.contains("<svg") && home.contains("Articles per day"));
    let (s, res) = text("/?q=harbour&sort=newest").await;
    assert_eq!(s, 200);
    assert!(res.contains("<strong>3</strong> articles"), "{res}");
    assert!(res.contains("Storm closes Port Elwin harbour for the week"));
    let (s, art) = text(&format!("/articles/{seed_id}")).await;
    assert_eq!(s, 200);
    assert!(
        art.contains("class=\"ent ent-per\""),
        "entities highlighted"
    );
    assert!(art.contains("href=\"/entities/Vladimir%20Putin\""));
    assert!(art.contains("<details class=\"removed\">"));
    let (s, story) = text("/stories/storm-port-elwin").await;
    assert_eq!(s, 200);
    assert!(story.contains("class=\"timeline\"") && story.contains("northern-times.example"));
    // The languages of its articles (issue 22).
    assert!(
        story.contains("<h2>Languages</h2>") && story.contains("&amp;language=en\""),
        "{story}"
    );
    // The events the articles date, in time order, the articles' main events marked
    // (issue 18): the harbour closed on Monday morning, divers inspected on Tuesday.
    // (Search the events list only: the chart's table and the day headings name days too.)
    let events = &story[story.find("class=\"events\"").expect("events")..];
    let monday = events
        .find("3 June 2024, morning")
        .expect("Monday morning on the timeline");
    let tuesday = events
        .find(">4 June 2024<")
        .expect("Tuesday on the timeline");
    assert!(monday < tuesday, "in time order");
    assert!(story.contains("<li class=\"event main\">"), "{story}");
    let (s, ent) = text("/entities/Port%20Elwin").await;
    assert_eq!(s, 200);
    assert!(ent.contains("<h1>Port Elwin</h1>"));
    let (s, _) = text("/stories").await;
    assert_eq!(s, 200);
    let (s, _) = text("/alerts").await;
    assert_eq!(s, 200);
    let (s, css) = text("/assets/style.css").await;
    assert_eq!(s, 200);
    assert!(css.contains("prefers-color-scheme: dark"));
    let (s, bad) = text("/?q=%22open").await;
    assert_eq!(s, 400);
    assert!(
        bad.contains("malformed query") && bad.contains("unbalanced parentheses or quotes"),
        "{bad}"
    );
    let (s, nf) = text("/no/such/page").await;
    assert_eq!(s, 404);
    assert!(nf.contains("<html"));
    let (s, nf) = text("/api/no/such").await;
    assert_eq!(s, 404);
    assert!(nf.starts_with("{\"error\""));
    let (s, _) = text("/articles/0000000000000000").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn alert_fires_once_per_new_story_with_webhook_retries_and_feed() {
    use axum::routing::post;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // A webhook receiver on loopback that fails twice, then accepts.
    let hits = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let hits2 = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |body: String| {
            let hits = hits2.clone();
            let tx = tx.clone();
            async move {
                if hits.fetch_add(1, Ordering::SeqCst) < 2 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    let _ = tx.send(body);
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let hook2 = hook.clone();
    let srv = TestServer::start_with(corpus(), move |c| c.webhooks = vec![hook2]);
    let c = client();
    let resp = c
        .post(srv.url("/api/alerts"))
        .json(&json!({"name": "Harbour watch", "query": "harbour", "webhook": hook}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        srv.state.check_alerts().await,
        0,
        "the backlog does not alert"
    );

    // A batch: two articles of one new story, one of an old story, one unrelated.
    let mut batch = corpus();
    let mut a = batch[0].clone();
    a.id = "new-1".into();
    a.story = Some("harbour-reopens".into());
    a.title = Some("Port Elwin harbour reopens".into());
    a.published = Some("2024-06-08T08:00:00Z".into());
    let mut b = a.clone();
    b.id = "new-2".into();
    let mut old = batch.remove(1);
    old.id = "old-story-more".into();
    srv.add(&[a, b, old]);
    assert_eq!(srv.state.check_alerts().await, 1, "one alert per new story");
    assert_eq!(srv.state.check_alerts().await, 0);

    let body = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("webhook delivered")
        .unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 3, "two failures, then success");
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["alert"]["id"], id.as_str());
    assert_eq!(event["event"]["story"], "harbour-reopens");
    assert_eq!(event["event"]["articles"], 2);

    // The delivery is recorded right after the receiver answers.
    let mut delivered = 0;
    for _ in 0..500 {
        let (_, a) = get_json(&srv.url(&format!("/api/alerts/{id}"))).await;
        delivered = a["delivery"]["delivered"].as_u64().unwrap();
        if delivered == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(delivered, 1);

    let resp = c
        .get(srv.url(&format!("/alerts/{id}/feed.atom")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = resp.text().await.unwrap();
    assert_eq!(feed.matches("<entry>").count(), 1);
    assert!(feed.contains("<title>Port Elwin harbour reopens</title>"));
    assert!(feed.contains("/stories/harbour-reopens"));
    // Which story, from which outlets, since when (issue 23: was "2 article(s) from ...").
    let summary = &feed[feed.find("<summary>").unwrap()..feed.find("</summary>").unwrap()];
    assert!(
        summary.starts_with("<summary>New story “Port Elwin harbour reopens”: 2 articles from ")
            && summary.ends_with("; first published 8 June 2024."),
        "{summary}"
    );
}
