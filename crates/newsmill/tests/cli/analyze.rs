//! `newsmill analyze`: the contract in PRODUCT.md.

use serde_json::Value;

use crate::util::newsmill;

#[test]
fn one_input_prints_one_pretty_json_object() {
    let out = newsmill(&["analyze", "--stages", "extract", "good.txt"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert!(out.stdout.starts_with("{\n"), "pretty JSON expected");
    let record: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(record["origin"], "good.txt");
    assert_eq!(
        record["title"],
        "Wildfire forces thousands to flee in northern Greece"
    );
}

#[test]
fn several_inputs_print_json_lines_in_input_order() {
    let out = newsmill(
        &["analyze", "--stages", "extract", "good2.txt", "good.txt"],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["origin"], "good2.txt");
    assert_eq!(lines[1]["origin"], "good.txt");
}

#[test]
fn format_flag_overrides_the_default() {
    let out = newsmill(
        &[
            "analyze", "--stages", "extract", "--format", "jsonl", "good.txt",
        ],
        b"",
    );
    assert_eq!(out.stdout.lines().count(), 1);
    let out = newsmill(
        &[
            "analyze",
            "--stages",
            "extract",
            "--format",
            "json",
            "good.txt",
            "good2.txt",
        ],
        b"",
    );
    assert!(out.stdout.starts_with("{\n"));
}

#[test]
fn bad_inputs_are_reported_skipped_and_set_exit_code_1() {
    let out = newsmill(
        &[
            "analyze",
            "--stages",
            "extract",
            "--input",
            "text",
            "missing.txt",
            "good.txt",
            "binary.png",
            "empty.txt",
            "latin1.txt",
            "good2.txt",
        ],
        b"",
    );
    assert_eq!(out.code, 1);
    let origins: Vec<String> = out
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["origin"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(origins, ["good.txt", "good2.txt"]);
    assert_eq!(
        out.stderr,
        "newsmill: missing.txt: no such file\n\
         newsmill: binary.png: binary input, not text or HTML\n\
         newsmill: empty.txt: empty input\n\
         newsmill: latin1.txt: not UTF-8 (invalid byte at offset 20)\n"
    );
}

#[test]
fn stdin_is_read_with_dash_and_by_default() {
    let text = b"Harbour reopens after storm\n\nThe harbour reopened on Monday after a storm closed it for a week.\n";
    for args in [
        &["analyze", "--stages", "extract", "-"][..],
        &["analyze", "--stages", "extract"][..],
    ] {
        let out = newsmill(args, text);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let record: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(record["origin"], "-");
        assert_eq!(record["title"], "Harbour reopens after storm");
    }
}

#[test]
fn directory_means_every_file_in_it() {
    let dir = tempdir();
    fs_err::write(
        dir.join("a.txt"),
        "First title\n\nFirst body paragraph that says something.\n",
    )
    .unwrap();
    fs_err::create_dir(dir.join("sub")).unwrap();
    fs_err::write(
        dir.join("sub/b.txt"),
        "Second title\n\nSecond body paragraph that says something.\n",
    )
    .unwrap();
    let out = newsmill(
        &["analyze", "--stages", "extract", dir.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().count(),
        2,
        "a directory defaults to JSON Lines"
    );
    fs_err::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2() {
    let out = newsmill(&["analyze", "--format", "xml", "good.txt"], b"");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid value 'xml'"), "{}", out.stderr);
    let out = newsmill(&["no-such-command"], b"");
    assert_eq!(out.code, 2);
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "newsmill-cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    fs_err::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn url_flag_gives_the_page_its_address() {
    let out = newsmill(
        &[
            "analyze",
            "--stages",
            "extract",
            "--url",
            "https://courier.example/2024/06/19/harbour-reopens.html",
            "harbour.html",
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let record: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(record["origin"], "harbour.html");
    assert_eq!(
        record["url"],
        "https://courier.example/2024/06/19/harbour-reopens.html"
    );
    assert_eq!(record["site"], "courier.example");
    // The date in the address, as ingest reads it.
    assert_eq!(record["published"], "2024-06-19");
    assert_eq!(record["provenance"]["published"], "url");
    // Without the address the page has no site and no date.
    let out = newsmill(&["analyze", "--stages", "extract", "harbour.html"], b"");
    let record: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(record["site"], Value::Null);
    assert_eq!(record["published"], Value::Null);
}

#[test]
fn url_flag_names_one_input_only() {
    let out = newsmill(
        &[
            "analyze",
            "--url",
            "https://courier.example/a",
            "good.txt",
            "good2.txt",
        ],
        b"",
    );
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "newsmill: --url gives the address of one input document, not of several\n"
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn json_lines_of_pages_are_read_with_their_url() {
    let out = newsmill(&["analyze", "--stages", "extract", "crawl.jsonl"], b"");
    // The last line is no page: reported, skipped, exit code 1.
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "newsmill: crawl.jsonl#4: not JSON: expected ident at line 1 column 2\n"
    );
    let records: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["origin"], "crawl.jsonl#1");
    assert_eq!(
        records[0]["url"],
        "https://courier.example/2024/03/05/ferry-timetable.html"
    );
    assert_eq!(records[0]["title"], "New ferry timetable");
    assert_eq!(records[0]["published"], "2024-03-05");
    assert_eq!(records[1]["origin"], "crawl.jsonl#3");
    assert_eq!(records[1]["site"], "courier.example");
    assert_eq!(records[1]["title"], "Harbour notes");
}
