//! A damaged or unwritable store, by fault injection: a lost marker, flipped bytes in a
//! document-store file, a broken story state, a locked store, a full disk. Nothing that exists
//! is deleted, what can be read is exported, and each case has its exit code.
// See: issue 24.

use std::path::Path;
use std::process::Stdio;

use super::ingest::{
    COLTS, QUAKE, TempDir, article, cmd, jsonl, quake_colts_warc, run, synthetic_warc, warc_of,
};

fn ids(export: &str) -> Vec<String> {
    jsonl(export)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn regression_24_a_lost_marker_never_empties_the_store() {
    let tmp = TempDir::new("lost-marker");
    let data = tmp.path("data");
    let warc = tmp.path("s.warc");
    fs_err::write(&warc, synthetic_warc(30)).unwrap();
    let r = run(&["ingest", &warc, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = ids(&run(&["export", "--data", &data]).stdout);
    assert_eq!(before.len(), 30);
    fs_err::remove_file(tmp.0.join("data/newsmill-store.json")).unwrap();

    // Reading says how to recover, and does not send the user to `ingest`.
    let r = run(&["export", "--data", &data]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("check --repair"), "{}", r.stderr);
    assert!(!r.stderr.contains("ingest` first"), "{}", r.stderr);
    // Writing refuses instead of recreating an empty index.
    let page = tmp.path("one.html");
    fs_err::write(&page, article("Colts clinch playoff berth", &COLTS)).unwrap();
    let r = run(&["ingest", &page, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("refusing"), "{}", r.stderr);

    let r = run(&["check", "--repair", "--data", &data]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("marker was written again"),
        "{}",
        r.stderr
    );
    assert_eq!(ids(&run(&["export", "--data", &data]).stdout), before);
}

/// Flips bytes in the middle of the largest `.store` file of the store in `data`.
fn flip_store_bytes(data: &Path) {
    let path = fs_err::read_dir(data.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "store"))
        .max_by_key(|p| fs_err::metadata(p).unwrap().len())
        .expect("a .store file");
    let mut bytes = fs_err::read(&path).unwrap();
    let mid = bytes.len() / 3;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    fs_err::write(&path, bytes).unwrap();
}

#[test]
fn regression_24_bit_rot_exports_what_can_be_read_and_check_names_the_rest() {
    let tmp = TempDir::new("bit-rot");
    let data = tmp.path("data");
    let warc = tmp.path("s.warc");
    fs_err::write(&warc, synthetic_warc(300)).unwrap();
    let r = run(&["ingest", &warc, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = ids(&run(&["export", "--data", &data]).stdout);
    assert_eq!(run(&["check", "--data", &data]).code, 0);
    flip_store_bytes(&tmp.0.join("data"));

    let r = run(&["export", "--data", &data]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let exported = ids(&r.stdout);
    let named: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.split("stored record ").nth(1))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert!(!named.is_empty(), "{}", r.stderr);
    assert!(
        exported.len() > all.len() / 2,
        "{} exported",
        exported.len()
    );
    assert_eq!(exported.len() + named.len(), all.len(), "{}", r.stderr);
    assert!(named.iter().all(|id| all.contains(&id.to_string())));

    let r = run(&["check", "--data", &data]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("fails its checksum"), "{}", r.stderr);
    for id in &named {
        assert!(
            r.stderr.contains(&format!(": {id}: ")),
            "{id}: {}",
            r.stderr
        );
    }
}

#[test]
fn regression_24_a_broken_story_state_is_refused_then_rebuilt() {
    let tmp = TempDir::new("story-state");
    let data = tmp.path("data");
    let first = tmp.path("1.warc");
    fs_err::write(&first, quake_colts_warc(&QUAKE)).unwrap();
    let r = run(&["ingest", &first, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stories = run(&["stories", "--data", &data]).stdout;
    let export = run(&["export", "--data", &data]).stdout;

    // Damage the committed state: its gzip stream is cut in half.
    let state_dir = tmp.0.join("data/state/commit");
    for e in fs_err::read_dir(&state_dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = fs_err::read(&p).unwrap();
        fs_err::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    }
    let second = tmp.path("2.warc");
    fs_err::write(
        &second,
        warc_of(
            &[(
                "https://other.example/iran".into(),
                article("Iran quake: villages destroyed", &QUAKE[..2]),
            )],
            "2024-06-20T08:00:00Z",
        ),
    )
    .unwrap();
    let r = run(&["ingest", &second, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("stories --rebuild"), "{}", r.stderr);
    let r = run(&["check", "--data", &data]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("story state"), "{}", r.stderr);

    let r = run(&["stories", "--rebuild", "--data", &data]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("from 3 stored records: 2 stories, 1 near-duplicates"),
        "{}",
        r.stderr
    );
    assert_eq!(run(&["check", "--data", &data]).code, 0);
    // Stored in one run, the records come back in their arrival order: the same stories.
    assert_eq!(run(&["stories", "--data", &data]).stdout, stories);
    assert_eq!(run(&["export", "--data", &data]).stdout, export);
    // And ingest goes on from the rebuilt state.
    let r = run(&["ingest", &second, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let records = jsonl(&run(&["export", "--data", &data]).stdout);
    let story =
        |u: &str| records.iter().find(|r| r["canonical_url"] == u).unwrap()["story"].clone();
    assert_eq!(
        story("https://other.example/iran"),
        story("https://wire.example/quake")
    );
}

#[test]
fn exit_code_3_when_the_store_is_locked_or_the_disk_is_full() {
    let tmp = TempDir::new("exit-3");
    let data = tmp.path("data");
    let page = tmp.path("one.html");
    fs_err::write(&page, article("Colts clinch playoff berth", &COLTS)).unwrap();
    assert_eq!(
        run(&["ingest", &page, "--data", &data, "--stages", "extract"]).code,
        0
    );

    // Another writer holds the lock.
    {
        let store = newsmill_index::Store::create(tmp.0.join("data")).unwrap();
        let _writer = store.writer().unwrap();
        let r = run(&["ingest", &page, "--data", &data, "--stages", "extract"]);
        assert_eq!(r.code, 3, "{}", r.stderr);
        assert!(r.stderr.contains("another ingest"), "{}", r.stderr);
    }

    // A full disk: /dev/full answers every write with ENOSPC.
    let full = Path::new("/dev/full");
    assert!(
        full.exists(),
        "these tests run on Linux, which has /dev/full"
    );
    let r = run(&["export", "--data", &data, "--output", "/dev/full"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let out = cmd(&["analyze", "--stages", "extract", &page])
        .stdout(Stdio::from(
            fs_err::File::create(full).unwrap().into_parts().0,
        ))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Usage errors keep their code.
    assert_eq!(
        run(&["search", "x", "--data", &tmp.path("nothing")]).code,
        2
    );
}

#[test]
fn regression_24_a_deeply_nested_query_is_a_bad_query_not_a_crash() {
    let tmp = TempDir::new("nested");
    let data = tmp.path("data");
    let page = tmp.path("one.html");
    fs_err::write(&page, article("Colts clinch playoff berth", &COLTS)).unwrap();
    assert_eq!(
        run(&["ingest", &page, "--data", &data, "--stages", "extract"]).code,
        0
    );
    let deep = format!("{}colts{}", "(".repeat(12_000), ")".repeat(12_000));
    let r = run(&["search", &deep, "--data", &data]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nested deeper than 32"), "{}", r.stderr);
    let r = run(&["search", "((colts))", "--data", &data, "--format", "csv"]);
    assert_eq!((r.code, r.stdout.lines().count()), (0, 2), "{}", r.stderr);
}

// See: issue 23 ("Address already in use (os error 98): Address already in use (os error 98)";
// "opening the store in X: store: X: no newsmill store here").
#[test]
fn regression_23_serve_errors_say_each_thing_once() {
    let tmp = TempDir::new("serve-messages");
    let missing = tmp.path("nothing");
    let r = run(&["serve", "--data", &missing, "--stages", "extract"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches(missing.as_str()).count(),
        1,
        "the directory is named once: {}",
        r.stderr
    );
    assert!(r.stderr.contains("no newsmill store here"), "{}", r.stderr);

    let data = tmp.path("data");
    let page = tmp.path("one.html");
    fs_err::write(&page, article("Colts clinch playoff berth", &COLTS)).unwrap();
    assert_eq!(
        run(&["ingest", &page, "--data", &data, "--stages", "extract"]).code,
        0
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let r = run(&[
        "serve", "--data", &data, "--stages", "extract", "--addr", &addr,
    ]);
    assert_ne!(r.code, 0);
    let line = r.stderr.trim();
    assert!(line.contains(&format!("binding {addr}")), "{line}");
    let reason = line.rsplit(": ").next().unwrap();
    assert_eq!(line.matches(reason).count(), 1, "said twice: {line}");
}

/// `POST /api/analyze` runs the pipeline `ingest` and `analyze` run: the same record.
// See: issue 23 (serve built its own extraction beside ingest's pipeline).
#[test]
fn regression_23_the_api_analyzes_as_the_cli_does() {
    use std::io::{Read, Write};
    let tmp = TempDir::new("serve-analyze");
    let data = tmp.path("data");
    let page = tmp.path("one.html");
    let html = article("Colts clinch playoff berth", &COLTS);
    fs_err::write(&page, &html).unwrap();
    assert_eq!(
        run(&["ingest", &page, "--data", &data, "--stages", "extract"]).code,
        0
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = cmd(&["serve", "--data", &data, "--addr", &addr])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let post = |body: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(&addr).ok()?;
        write!(
            s,
            "POST /api/analyze HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    // The server is up once it answers (the models load first).
    let start = std::time::Instant::now();
    let answer = loop {
        if let Some(a) = post(&html) {
            break a;
        }
        assert!(start.elapsed().as_secs() < 120, "serve did not start");
        assert!(server.try_wait().unwrap().is_none(), "serve exited");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let mut api: serde_json::Value = serde_json::from_str(body).unwrap();
    let cli = run(&["analyze", &page]);
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    let mut cli: serde_json::Value = serde_json::from_str(&cli.stdout).unwrap();
    for v in [&mut api, &mut cli] {
        v.as_object_mut().unwrap().remove("origin");
    }
    assert!(!cli["entities"].as_array().unwrap().is_empty());
    assert_eq!(api, cli);
}
