//! `newsmill ingest`, `search` and `export` against a store in a temporary directory, and the
//! crash test: SIGKILL at many points, then a re-run, must equal an uninterrupted run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Fixtures shared with newsmill-ingest's own tests.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../newsmill-ingest/tests/fixtures")
}

pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("nm-cli-{name}-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&p);
        fs_err::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub(crate) fn path(&self, p: &str) -> String {
        self.0.join(p).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs_err::remove_dir_all(&self.0);
    }
}

pub(crate) fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_newsmill"));
    c.args(args)
        .env_remove("NEWSMILL_DATA")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn run(args: &[&str]) -> Run {
    let out: Output = cmd(args).output().expect("newsmill runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The last line of stderr: the summary.
fn summary(r: &Run) -> &str {
    r.stderr.lines().last().unwrap_or("")
}

// See: issue 23 (`export` took no query or date range; CLI and API named filters apart).
#[test]
fn regression_23_export_by_query_filters_and_date_range() {
    let tmp = TempDir::new("export-query");
    let data = tmp.path("data");
    let html = fixtures().join("html").to_string_lossy().into_owned();
    assert_eq!(run(&["ingest", &html, "--data", &data]).code, 0);
    let records = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["export", "--data", &data];
        all.extend_from_slice(args);
        let r = run(&all);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let every = records(&[]);
    assert_eq!(every.len(), 3);
    let waffen = records(&["Waffen"]);
    assert_eq!(waffen.len(), 1);
    assert_eq!(waffen[0]["site"], "www1.wdr.de");
    assert_eq!(records(&["*", "--language", "es"]).len(), 1);
    assert_eq!(records(&["--lang", "es"]).len(), 1, "--lang is --language");
    assert_eq!(records(&["--site", "www1.wdr.de"]).len(), 1);
    // A date range: the days of the records, one at a time.
    let mut days: Vec<&str> = every
        .iter()
        .filter_map(|r| r["published"].as_str().and_then(|p| p.get(..10)))
        .collect();
    days.sort();
    assert!(!days.is_empty());
    let first = days[0];
    let on_first = records(&["--since", first, "--until", first]);
    assert_eq!(
        on_first.len(),
        days.iter().filter(|d| **d == first).count(),
        "{first}"
    );
    assert_eq!(records(&["--from", first, "--to", first]), on_first);
    assert!(records(&["--since", "2999-01-01"]).is_empty());
    // Sorted by id, as a full export is.
    let ids: Vec<&str> = every.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn ingest_a_folder_search_it_and_reingest_adds_nothing() {
    let tmp = TempDir::new("folder");
    let data = tmp.path("data");
    let html = fixtures().join("html").to_string_lossy().into_owned();
    let r = run(&["ingest", &html, "--data", &data]);
    assert_eq!(
        summary(&r),
        "newsmill: ingest: read 3, stored 3, unchanged 0, failed 0"
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = run(&["ingest", &html, "--data", &data]);
    assert_eq!(
        summary(&again),
        "newsmill: ingest: read 3, stored 0, unchanged 3, failed 0"
    );

    // Words, a phrase, a filter, and the three output formats.
    let hits = run(&["search", "Waffen", "--data", &data, "--format", "jsonl"]);
    assert_eq!(hits.code, 0, "{}", hits.stderr);
    assert_eq!(hits.stdout.lines().count(), 1, "{}", hits.stdout);
    let hit: serde_json::Value = serde_json::from_str(hits.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(hit["site"], "www1.wdr.de");
    assert_eq!(hit["language"], "de");
    // The snippet is plain text; the matched word is marked by a character range.
    let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    let [a, b] = [0, 1].map(|i| hit["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(snippet[a..b].iter().collect::<String>(), "Waffen", "{hit}");
    let phrase = run(&[
        "search",
        "\"Guinée\" AND site:dw.com",
        "--data",
        &data,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&phrase.stdout).unwrap();
    assert_eq!(v["total"], 1, "{}", phrase.stdout);
    let all = run(&[
        "search", "*", "--data", &data, "--format", "json", "--facets",
    ]);
    let v: serde_json::Value = serde_json::from_str(&all.stdout).unwrap();
    assert_eq!(v["total"], 3);
    let langs: Vec<&str> = v["facets"]["language"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["value"].as_str().unwrap())
        .collect();
    assert_eq!(langs.len(), 3, "{langs:?}");
    let es = run(&[
        "search", "*", "--data", &data, "--format", "csv", "--lang", "es",
    ]);
    let mut lines = es.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("id,score,day,site,language,story,title,url")
    );
    assert!(
        lines.next().unwrap().contains(",24horas.cl,es,"),
        "{}",
        es.stdout
    );
    assert_eq!(lines.next(), None);

    // Export gives every record once, in full.
    let export = run(&["export", "--data", &data]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert_eq!(export.stdout.lines().count(), 3);
    // Export is sorted by id, so it is the same run after run.
    let records: Vec<serde_json::Value> = export
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "export is sorted by id, each once");
    assert!(
        records
            .iter()
            .all(|r| !r["text"].as_str().unwrap().is_empty())
    );
    assert!(
        records
            .iter()
            .any(|r| r["text"].as_str().unwrap().len() > 500)
    );
    assert_eq!(run(&["export", "--data", &data]).stdout, export.stdout);

    // Parquet: the same records in the same order, one column per field.
    if !cfg!(feature = "parquet") {
        return;
    }
    let parquet = tmp.path("out.parquet");
    let r = run(&[
        "export", "--data", &data, "--format", "parquet", "-o", &parquet,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (columns, rows) = read_parquet(&parquet);
    assert_eq!(rows.len(), 3);
    for (row, record) in rows.iter().zip(&records) {
        for (i, name) in columns.iter().enumerate() {
            let want = &record[name.as_str()];
            let got = &row[i];
            match (got, want) {
                // Nested fields are JSON text.
                (serde_json::Value::String(text), w) if !w.is_string() => assert_eq!(
                    &serde_json::from_str::<serde_json::Value>(text).unwrap(),
                    w,
                    "{name}"
                ),
                _ => assert_eq!(got, want, "{name}"),
            }
        }
    }
    for field in [
        "id",
        "title",
        "text",
        "story",
        "duplicate_of",
        "byline",
        "blocks",
        "entities",
        "removed",
    ] {
        assert!(
            columns.iter().any(|c| c == field),
            "no column {field}: {columns:?}"
        );
    }
}

/// Reads a Parquet file into column names and rows of JSON values (strings, nulls, and lists
/// of strings).
fn read_parquet(path: &str) -> (Vec<String>, Vec<Vec<serde_json::Value>>) {
    use arrow_array::{Array, ListArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = fs_err::File::open(path).unwrap().into_parts().0;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut names = Vec::new();
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.unwrap();
        names = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        for r in 0..batch.num_rows() {
            let row = batch
                .columns()
                .iter()
                .map(|col| {
                    if col.is_null(r) {
                        return serde_json::Value::Null;
                    }
                    if let Some(s) = col.as_any().downcast_ref::<StringArray>() {
                        return serde_json::Value::String(s.value(r).to_string());
                    }
                    let list = col.as_any().downcast_ref::<ListArray>().unwrap();
                    let items = list.value(r);
                    let items = items.as_any().downcast_ref::<StringArray>().unwrap();
                    serde_json::Value::Array(
                        (0..items.len())
                            .map(|i| serde_json::Value::String(items.value(i).to_string()))
                            .collect(),
                    )
                })
                .collect();
            rows.push(row);
        }
    }
    (names, rows)
}

#[test]
fn bad_inputs_are_quarantined_listed_and_the_rest_stored() {
    let tmp = TempDir::new("bad");
    let data = tmp.path("data");
    let page = fixtures().join("html/dw.com-elephants.html");
    let clipped = fixtures().join("warc/resiliparse-clipped.warc.gz");
    let binary = tmp.path("blob.bin");
    fs_err::write(&binary, b"\x00\x01\x02\x03binary").unwrap();
    let missing = tmp.path("missing.html");
    let r = run(&[
        "ingest",
        &missing,
        &binary,
        &clipped.to_string_lossy(),
        &page.to_string_lossy(),
        "--data",
        &data,
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        summary(&r),
        "newsmill: ingest: read 2, stored 1, unchanged 0, failed 3"
    );
    assert!(
        r.stderr
            .contains(&format!("newsmill: {missing}: no such file")),
        "{}",
        r.stderr
    );
    let failed = run(&["ingest", "--failed", "--data", &data, "--format", "jsonl"]);
    assert_eq!(failed.code, 0, "{}", failed.stderr);
    let rows: Vec<serde_json::Value> = failed
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stages: Vec<(&str, &str)> = rows
        .iter()
        .map(|f| (f["stage"].as_str().unwrap(), f["error"].as_str().unwrap()))
        .collect();
    assert_eq!(stages.len(), 3, "{stages:?}");
    assert!(
        stages.contains(&("extract", "binary input, not text or HTML")),
        "{stages:?}"
    );
    assert!(stages.contains(&("ingest", "no such file")), "{stages:?}");
    assert!(
        stages
            .iter()
            .any(|(s, e)| *s == "ingest" && e.starts_with("truncated record"))
    );
    // Running again does not grow the quarantine.
    run(&["ingest", &missing, "--data", &data]);
    let again = run(&["ingest", "--failed", "--data", &data, "--format", "jsonl"]);
    assert_eq!(again.stdout.lines().count(), 3);
}

/// A WARC of `n` synthetic articles (distinct URLs and words), then an exact re-fetch of the
/// first and a changed version of the second.
pub(crate) fn synthetic_warc(n: usize) -> Vec<u8> {
    let words = [
        "harbour", "council", "budget", "election", "storm", "court", "minister", "river",
        "school", "hospital", "bridge", "market", "festival", "police", "airport", "museum",
    ];
    let page = |i: usize, extra: &str| {
        let w = |k: usize| words[(i * 7 + k * 3) % words.len()];
        format!(
            "<!DOCTYPE html><html><head><title>The {a} and the {b}, report {i}</title></head><body><article><h1>The {a} and the {b}, report {i}</h1><p>Officials said on Monday that the {a} near the {b} would reopen after a review of the {c}, the {i}th such review this year.</p><p>Residents of the town welcomed the decision about the {c} and said the {a} mattered to them. {extra}</p></article></body></html>",
            a = w(0),
            b = w(1),
            c = w(2),
        )
    };
    let mut out = Vec::new();
    let mut record = |url: &str, body: &str| {
        let http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        out.extend_from_slice(
            format!(
                "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-06-19T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
                http.len()
            )
            .as_bytes(),
        );
    };
    for i in 0..n {
        record(&format!("https://news.example/a/{i}"), &page(i, ""));
    }
    record("https://news.example/a/0", &page(0, ""));
    record(
        "https://news.example/a/1",
        &page(1, "An update: the council voted again on Tuesday."),
    );
    out
}

#[test]
fn warc_duplicates_and_new_versions() {
    let tmp = TempDir::new("warc");
    let warc = tmp.path("s.warc");
    fs_err::write(&warc, synthetic_warc(5)).unwrap();
    let data = tmp.path("data");
    let r = run(&["ingest", &warc, "--data", &data, "--stages", "extract"]);
    assert_eq!(
        summary(&r),
        "newsmill: ingest: read 7, stored 6, unchanged 1, failed 0 (1 of the stored are new versions)",
        "{}",
        r.stderr
    );
    let v = run(&[
        "search", "*", "--data", &data, "--format", "json", "-n", "100",
    ]);
    let v: serde_json::Value = serde_json::from_str(&v.stdout).unwrap();
    assert_eq!(
        v["total"], 5,
        "five articles; the change is a version, not a sixth"
    );
    let again = run(&["ingest", &warc, "--data", &data, "--stages", "extract"]);
    assert_eq!(
        summary(&again),
        "newsmill: ingest: read 7, stored 0, unchanged 7, failed 0"
    );
}

/// Export lines (sorted by id by `export`): the store's content, independent of segments.
/// Sorted again here as text, for `binary_search`.
fn dump(data: &str) -> Vec<String> {
    let r = run(&["export", "--data", data]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut lines: Vec<String> = r.stdout.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn sigkill_at_many_points_then_a_rerun_equals_an_uninterrupted_run() {
    let tmp = TempDir::new("crash");
    let warc = tmp.path("c.warc");
    fs_err::write(&warc, synthetic_warc(150)).unwrap();
    let args = |data: &str| {
        vec![
            "ingest".to_string(),
            warc.clone(),
            "--data".into(),
            data.to_string(),
            "--stages".into(),
            "extract".into(),
            "--commit-every".into(),
            "2".into(),
            "-j".into(),
            "1".into(),
        ]
    };
    let reference = tmp.path("reference");
    let started = Instant::now();
    let r = run(&args(&reference)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    let full = started.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = dump(&reference);
    assert_eq!(expected.len(), 150);

    // Kill points: a quarter of the rounds at a pseudo-random time after the start (startup,
    // extraction, or a commit), the others just after the child's next commit lands (meta.json
    // changes) plus up to a millisecond, so most kills hit the write path and each round leaves
    // work for the next.
    let crashed = tmp.path("crashed");
    let meta = Path::new(&crashed).join("index/meta.json");
    let mut seed: u64 = 0x5eed;
    let mut rand = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    let (mut kills, mut rounds) = (0, 0);
    // A round whose child finished before its kill point leaves a complete store, and the
    // rounds after it would find no work to kill (on a loaded machine that happened often
    // enough to fail the count below): such a store is checked, then removed, so every round
    // has a run to kill.
    while kills < 24 && rounds < 200 {
        rounds += 1;
        let before = fs_err::read(&meta).ok();
        let mut child = cmd(&args(&crashed)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>())
        .spawn()
        .unwrap();
        let started = Instant::now();
        let at_random_time = rand() < 0.25;
        // Random kills fall in the first sixth of a full run (startup, extraction, the first
        // commits): later ones would let one round store most of the input, as each commit
        // also writes the story stage's state, and leave too few rounds with work to kill.
        let delay = if at_random_time {
            full.mul_f64(rand() / 6.0)
        } else {
            Duration::from_micros((rand() * 1_000.0) as u64)
        };
        let mut finished = false;
        let mut committed_at = None;
        loop {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            let now = Instant::now();
            if at_random_time && now >= started + delay {
                break;
            }
            if !at_random_time {
                if committed_at.is_none() && fs_err::read(&meta).ok() != before {
                    committed_at = Some(now);
                }
                if committed_at.is_some_and(|t| now >= t + delay) {
                    break;
                }
            }
            // Polling for the kill point; no result depends on timing.
            std::thread::sleep(Duration::from_micros(500));
        }
        if !finished {
            child.kill().unwrap(); // SIGKILL on Unix.
            kills += 1;
        }
        let _ = child.wait();
        // After every kill the store opens, and holds a subset of the reference, once each.
        if Path::new(&crashed).join("newsmill-store.json").exists() {
            let now = dump(&crashed);
            let mut ids: Vec<String> = now
                .iter()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
                .collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), now.len(), "duplicate ids after a kill");
            for line in &now {
                // The one article the input changes may still be at its first version.
                let url = serde_json::from_str::<serde_json::Value>(line).unwrap()["canonical_url"]
                    .to_string();
                assert!(
                    expected.binary_search(line).is_ok() || url == "\"https://news.example/a/1\"",
                    "a record not in the reference after a kill: {line:.80}"
                );
            }
        }
        if finished {
            fs_err::remove_dir_all(&crashed).unwrap();
        }
    }
    assert!(kills >= 20, "only {kills} kills in {rounds} rounds");
    let r = run(&args(&crashed)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        dump(&crashed),
        expected,
        "the store after kills and a re-run differs"
    );
    // The stories too (story ids and duplicate marks are in the exported records above).
    let stories = |d: &str| run(&["stories", "--data", d, "--format", "jsonl"]).stdout;
    let reference_stories = stories(&reference);
    assert!(!reference_stories.is_empty());
    assert_eq!(stories(&crashed), reference_stories);
    let failed = run(&[
        "ingest", "--failed", "--data", &crashed, "--format", "jsonl",
    ]);
    assert_eq!(failed.stdout, "");
}

/// A WARC of the given `(url, html)` pages, one record each, dated `date`.
pub(crate) fn warc_of(pages: &[(String, String)], date: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (url, body) in pages {
        let http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        out.extend_from_slice(
            format!(
                "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: {date}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
                http.len()
            )
            .as_bytes(),
        );
    }
    out
}

pub(crate) fn article(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )
}

pub(crate) const QUAKE: [&str; 3] = [
    "A powerful earthquake struck southern Iran on Sunday, destroying seven villages and killing ten people, state television reported on Sunday evening.",
    "Rescue teams reached the island of Qeshm by boat after the quake, which had a magnitude of 5.9 according to the geological survey in Tehran.",
    "Officials said hundreds of houses were damaged and that the number of dead could still rise as rescuers searched the rubble through the night.",
];
pub(crate) const COLTS: [&str; 2] = [
    "The Indianapolis Colts beat the Kansas City Chiefs 20-13 on Sunday to clinch a playoff berth with two games left in the regular season.",
    "Andrew Luck threw for two touchdowns in the win at Arrowhead Stadium, and the defence held the Chiefs to a single touchdown in the second half.",
];

/// A WARC of three articles of 2024-06-19: a quake report, a sports story, and a second quake
/// report whose paragraphs are `second_quake` (a copy of the first, or close to it).
pub(crate) fn quake_colts_warc(second_quake: &[&str]) -> Vec<u8> {
    warc_of(
        &[
            (
                "https://wire.example/quake".into(),
                article("Quake kills 10 in Iran", &QUAKE),
            ),
            (
                "https://sports.example/colts".into(),
                article("Colts clinch playoff berth", &COLTS),
            ),
            (
                "https://paper.example/iran-quake".into(),
                article("Iran earthquake: ten dead", second_quake),
            ),
        ],
        "2024-06-19T10:00:00Z",
    )
}

pub(crate) fn jsonl(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn stories_inside_ingest_are_stored_searchable_listed_and_continued() {
    let tmp = TempDir::new("stories");
    let data = tmp.path("data");
    let first = tmp.path("1.warc");
    let mut copy = QUAKE.to_vec();
    copy.push("Subscribe to our newsletter for the latest news from the region.");
    fs_err::write(&first, quake_colts_warc(&copy)).unwrap();
    let r = run(&["ingest", &first, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("stories: 2 new stories, 1 near-duplicates marked"),
        "{}",
        r.stderr
    );
    assert_eq!(
        summary(&r),
        "newsmill: ingest: read 3, stored 3, unchanged 0, failed 0",
        "the copy is stored, flagged"
    );
    let records = jsonl(&run(&["export", "--data", &data]).stdout);
    let by_url = |u: &str| {
        records
            .iter()
            .find(|r| r["canonical_url"] == u)
            .unwrap_or_else(|| panic!("{u} not exported"))
            .clone()
    };
    let wire = by_url("https://wire.example/quake");
    let paper = by_url("https://paper.example/iran-quake");
    let colts = by_url("https://sports.example/colts");
    assert_eq!(paper["duplicate_of"], wire["id"]);
    assert_eq!(paper["story"], wire["story"]);
    assert_eq!(
        wire["story"], wire["id"],
        "a story is named after its first article"
    );
    assert_ne!(colts["story"], wire["story"]);
    assert!(wire["duplicate_of"].is_null());

    // `story:ID` finds both copies, and `stories --data` lists the two stories.
    let story = wire["story"].as_str().unwrap();
    let found = run(&[
        "search",
        &format!("story:{story}"),
        "--data",
        &data,
        "--format",
        "json",
    ]);
    let found: serde_json::Value = serde_json::from_str(&found.stdout).unwrap();
    assert_eq!(found["total"], 2);
    let listed = run(&["stories", "--data", &data]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed = jsonl(&listed.stdout);
    assert_eq!(listed.len(), 2);
    let quake = listed.iter().find(|s| s["id"] == story).unwrap();
    assert_eq!(quake["articles"], 2);
    assert_eq!(quake["first_seen"], "2024-06-19T10:00:00Z");

    // A later ingest continues the same story from the stored state.
    let second = tmp.path("2.warc");
    let mut later = QUAKE.to_vec();
    later.reverse();
    fs_err::write(
        &second,
        warc_of(
            &[(
                "https://other.example/iran".into(),
                article("Iran quake: villages destroyed", &later[..2]),
            )],
            "2024-06-20T08:00:00Z",
        ),
    )
    .unwrap();
    let r = run(&["ingest", &second, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let records = jsonl(&run(&["export", "--data", &data]).stdout);
    let other = records
        .iter()
        .find(|r| r["canonical_url"] == "https://other.example/iran")
        .unwrap();
    assert_eq!(other["story"], story, "{}", r.stderr);
    let listed = jsonl(&run(&["stories", "--data", &data]).stdout);
    let quake = listed.iter().find(|s| s["id"] == story).unwrap();
    assert_eq!(quake["articles"], 3);
    assert_eq!(quake["last_seen"], "2024-06-20T08:00:00Z");
    assert_eq!(listed.len(), 2);

    // `newsmill serve` over this store shows the stored stories.
    let stories = http_get_json(&data, &["/api/stories", &format!("/api/stories/{story}")]);
    assert_eq!(stories[0]["total"], 2, "{}", stories[0]);
    let quake = &stories[1];
    assert_eq!(quake["articles"], 3, "{quake}");
    assert_eq!(quake["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(quake["title"], quake_title(&listed, story));
}

/// One vocabulary: `newsmill search --format json` and `/api/search` answer the same query
/// over the same store with the same hits and facets, key for key and value for value (the
/// API also echoes the request: query, filters, sort, offset, limit), and `newsmill stories`
/// lists what `/api/stories` returns.
#[test]
fn the_cli_and_the_api_answer_a_search_in_the_same_words() {
    let tmp = TempDir::new("vocabulary");
    let data = tmp.path("data");
    let warc = tmp.path("1.warc");
    let mut copy = QUAKE.to_vec();
    copy.push("Subscribe to our newsletter for the latest news from the region.");
    fs_err::write(&warc, quake_colts_warc(&copy)).unwrap();
    let r = run(&["ingest", &warc, "--data", &data]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let searches: [(&[&str], &str); 3] = [
        (&["quake OR Colts"], "/api/search?q=quake%20OR%20Colts"),
        (
            &["*", "--site", "paper.example"],
            "/api/search?q=*&site=paper.example",
        ),
        (
            &["rescuers", "--lang", "en"],
            "/api/search?q=rescuers&language=en",
        ),
    ];
    let mut paths: Vec<&str> = searches.iter().map(|(_, p)| *p).collect();
    paths.push("/api/stories");
    let api = http_get_json(&data, &paths);
    for ((args, path), api) in searches.iter().zip(&api) {
        let mut cli_args = vec!["search"];
        cli_args.extend_from_slice(args);
        cli_args.extend_from_slice(&["--data", &data, "--format", "json", "--facets"]);
        let out = run(&cli_args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let cli: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let cli = cli.as_object().unwrap();
        assert!(cli["total"].as_u64().unwrap() > 0, "{path}: {}", out.stdout);
        for key in ["total", "hits", "facets"] {
            assert_eq!(cli[key], api[key], "{path}: {key}");
        }
        let keys: Vec<&String> = cli.keys().collect();
        assert_eq!(keys, ["facets", "hits", "total"], "{path}");
        // Every facet is named by the filter it feeds, every hit names its story and day.
        for facet in ["entity", "site", "language", "day"] {
            assert!(cli["facets"][facet].is_array(), "{path}: {facet}");
        }
        for hit in cli["hits"].as_array().unwrap() {
            assert!(
                hit["story"].is_string() && hit["day"] == "2024-06-19",
                "{hit}"
            );
        }
    }
    assert!(
        !api[0]["facets"]["entity"].as_array().unwrap().is_empty(),
        "the NLP stage ran: {}",
        api[0]
    );
    let listed = jsonl(&run(&["stories", "--data", &data, "--format", "jsonl"]).stdout);
    assert_eq!(serde_json::json!(listed), api[3]["stories"]);
}

fn quake_title(listed: &[serde_json::Value], story: &str) -> serde_json::Value {
    listed.iter().find(|s| s["id"] == story).unwrap()["title"].clone()
}

/// `newsmill serve` on a loopback port, stopped when dropped.
struct Serve {
    child: std::process::Child,
    addr: String,
}

impl Serve {
    fn start(data: &str) -> Serve {
        use std::io::{BufRead, BufReader};
        let mut child = cmd(&[
            "serve",
            "--data",
            data,
            "--addr",
            "127.0.0.1:0",
            "--stages",
            "extract",
        ])
        .spawn()
        .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Serve { child, addr }
    }

    /// One request; the status and the JSON body.
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, serde_json::Value) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        let body = body.unwrap_or("");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let (head, body) = resp.split_once("\r\n\r\n").unwrap();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
        (status, json)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `newsmill serve` on a loopback port over `data`, GETs each path, stops it.
fn http_get_json(data: &str, paths: &[&str]) -> Vec<serde_json::Value> {
    let serve = Serve::start(data);
    paths
        .iter()
        .map(|path| {
            let (status, json) = serve.request("GET", path, None);
            assert_eq!(status, 200, "{path}: {json}");
            json
        })
        .collect()
}

#[test]
fn an_alert_fires_once_per_new_stored_story() {
    let tmp = TempDir::new("alert");
    let data = tmp.path("data");
    let first = tmp.path("1.warc");
    fs_err::write(
        &first,
        warc_of(
            &[(
                "https://wire.example/quake".into(),
                article("Quake kills 10 in Iran", &QUAKE),
            )],
            "2024-06-19T10:00:00Z",
        ),
    )
    .unwrap();
    let r = run(&["ingest", &first, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let serve = Serve::start(&data);
    let (status, alert) = serve.request(
        "POST",
        "/api/alerts",
        Some(r#"{"name": "rescue", "query": "rescue OR rescuers"}"#),
    );
    assert_eq!(status, 201, "{alert}");
    let id = alert["id"].as_str().unwrap().to_string();

    // Three articles on one new event (the wire copy, the same text elsewhere, and a copy with
    // a line added): one story, so one event.
    let mut copy = COLTS.to_vec();
    copy.push("Subscribe to our newsletter for the latest news from the region.");
    let rescue = [
        "Rescuers pulled eleven miners from a flooded coal mine in northern Shanxi on Tuesday after two days underground, state media reported.",
        "The rescue teams pumped water from the shaft through the night, and the miners were taken to hospital in Datong, officials said.",
    ];
    let mut rescue_copy = rescue.to_vec();
    rescue_copy.push("Subscribe to our newsletter for the latest news from the region.");
    let second = tmp.path("2.warc");
    fs_err::write(
        &second,
        warc_of(
            &[
                (
                    "https://wire.example/mine".into(),
                    article("Eleven miners rescued in Shanxi", &rescue),
                ),
                (
                    "https://paper.example/mine".into(),
                    article("Miners rescued after two days", &rescue),
                ),
                (
                    "https://blog.example/mine".into(),
                    article("Shanxi miners saved", &rescue_copy),
                ),
                (
                    "https://sports.example/colts".into(),
                    article("Colts clinch playoff berth", &copy),
                ),
            ],
            "2024-06-20T10:00:00Z",
        ),
    )
    .unwrap();
    let r = run(&["ingest", &second, "--data", &data, "--stages", "extract"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let deadline = Instant::now() + Duration::from_secs(60);
    let events = loop {
        let (status, alert) = serve.request("GET", &format!("/api/alerts/{id}"), None);
        assert_eq!(status, 200, "{alert}");
        let events = alert["events"].as_array().cloned().unwrap_or_default();
        if !events.is_empty() {
            break events;
        }
        assert!(Instant::now() < deadline, "no alert event: {alert}");
        // Polling for the server's next check; no result depends on timing.
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["articles"], 3, "{events:?}");
    let records = jsonl(&run(&["export", "--data", &data]).stdout);
    let wire = records
        .iter()
        .find(|r| r["canonical_url"] == "https://wire.example/mine")
        .unwrap();
    assert_eq!(events[0]["story"], wire["story"]);
}

/// Issue 22's repair end to end: two stories of one storm, started apart in two ingests, are
/// merged when a third article tells both sides; every story id given out still finds all
/// three articles through `search story:ID`, and `stories --data` lists one story with the
/// absorbed id as an alias.
#[test]
fn merged_stories_keep_every_id_searchable() {
    let tmp = TempDir::new("merge");
    let data = tmp.path("data");
    let articles = [
        (
            "Storm wrecks Port Elwin harbour wall",
            "Storm waves broke the harbour wall of Port Elwin overnight and sank eleven \
             trawlers moored at the quay. The harbour master closed the port until divers \
             inspect the broken wall.",
        ),
        (
            "Skarra Island ferry cancelled in gale",
            "The ferry to Skarra Island was cancelled after gale force winds tore the roof off \
             the terminal. Stranded passengers slept in the ferry terminal while the gale blew \
             through the night.",
        ),
        (
            "Storm hits Port Elwin harbour and Skarra Island ferry",
            "Gale force winds tore the roof off the ferry terminal for Skarra Island, where \
             stranded passengers slept, while storm waves broke the harbour wall of Port Elwin \
             and sank eleven trawlers; the harbour master closed the port.",
        ),
    ];
    for (i, (title, text)) in articles.iter().enumerate() {
        let file = tmp.path(&format!("{i}.txt"));
        fs_err::write(&file, format!("{title}\n\n{text}\n")).unwrap();
        let out = run(&["ingest", &file, "--data", &data]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let records = jsonl(&run(&["export", "--data", &data]).stdout);
    assert_eq!(records.len(), 3);
    let mut given: Vec<&str> = records
        .iter()
        .map(|r| r["story"].as_str().unwrap())
        .collect();
    given.sort();
    given.dedup();
    assert_eq!(given.len(), 2, "two stories were given out: {records:?}");
    let listed = jsonl(&run(&["stories", "--data", &data, "--format", "jsonl"]).stdout);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["articles"], 3);
    let survivor = listed[0]["id"].as_str().unwrap();
    let absorbed: Vec<&str> = given.iter().copied().filter(|g| *g != survivor).collect();
    assert_eq!(listed[0]["aliases"], serde_json::json!(absorbed));
    for id in &given {
        let found = run(&[
            "search",
            &format!("story:{id}"),
            "--data",
            &data,
            "--format",
            "json",
        ]);
        let found: serde_json::Value = serde_json::from_str(&found.stdout).unwrap();
        assert_eq!(found["total"], 3, "story:{id}");
    }
}
