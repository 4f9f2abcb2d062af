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
