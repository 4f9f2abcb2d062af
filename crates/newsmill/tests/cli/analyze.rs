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

// See: issue 23 (a short text came out as a title with empty text, no entities, `af`).
#[test]
fn regression_23_a_one_paragraph_text_is_the_body_and_its_language_unknown() {
    let text =
        b"Angela Merkel met Emmanuel Macron in Paris on Tuesday. \"We agree,\" Merkel said.\n";
    let out = newsmill(&["analyze", "-"], text);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let record: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(record["title"], Value::Null);
    assert_eq!(
        record["text"],
        "Angela Merkel met Emmanuel Macron in Paris on Tuesday. \"We agree,\" Merkel said."
    );
    assert_eq!(record["language"], Value::Null, "too short to tell");
    // ... but its function words say English, so the English tagger reads it.
    assert_eq!(record["provenance"]["entities"], "ner-en+language-guess:en");
    let names: Vec<&str> = record["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    for name in ["Angela Merkel", "Emmanuel Macron", "Paris"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    // A title over a paragraph is still a title.
    let out = newsmill(
        &["analyze", "--stages", "extract", "-"],
        b"Leaders meet in Paris\n\nAngela Merkel met Emmanuel Macron in Paris on Tuesday.\n",
    );
    let record: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(record["title"], "Leaders meet in Paris");
}

// See: issue 23 (`analyze DIR` emitted a record for `expectations.json`).
#[test]
fn regression_23_a_directory_skips_what_is_not_a_document_and_says_so() {
    let dir = tempdir();
    fs_err::write(
        dir.join("a.txt"),
        "First title\n\nFirst body paragraph that says something.\n",
    )
    .unwrap();
    fs_err::write(dir.join("expectations.json"), "{\"pages\": []}\n").unwrap();
    fs_err::write(
        dir.join("README.md"),
        "# Samples\n\nFrom [here](https://a.example).\n",
    )
    .unwrap();
    let out = newsmill(
        &["analyze", "--stages", "extract", dir.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert_eq!(
        out.stderr,
        "newsmill: analyze: 2 files in directories skipped as not documents (JSON data, Markdown, notes, binaries)\n"
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

/// The founding example's dates: "On Wednesday morning" is anchored to the reference time when
/// one is given, and left with unknown digits when none is; the years, the month and the
/// duration are found and typed either way. See: issue 18.
#[test]
fn regression_18_reference_time_anchors_the_founding_example() {
    let text = include_bytes!("../../../../examples/putin-north-korea.txt");
    let dates = |args: &[&str]| -> Vec<(String, String, String, String)> {
        let out = newsmill(args, text);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let record: Value = serde_json::from_str(&out.stdout).unwrap();
        record["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let s = |k: &str| d[k].as_str().unwrap().to_string();
                (s("text"), s("type"), s("value"), s("anchor"))
            })
            .collect()
    };
    let with = dates(&[
        "analyze",
        "--input",
        "text",
        "--reference-time",
        "2024-06-19",
        "-",
    ]);
    let find = |list: &[(String, String, String, String)], text: &str| {
        list.iter()
            .find(|d| d.0 == text)
            .cloned()
            .unwrap_or_else(|| panic!("{text:?} not found in {list:?}"))
    };
    let t = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        find(&with, "Wednesday morning"),
        t("Wednesday morning", "TIME", "2024-06-19TMO", "reference")
    );
    assert_eq!(
        find(&with, "24 years"),
        t("24 years", "DURATION", "P24Y", "none")
    );
    assert_eq!(find(&with, "1961"), t("1961", "DATE", "1961", "none"));
    assert_eq!(find(&with, "2000"), t("2000", "DATE", "2000", "none"));
    assert_eq!(
        find(&with, "September"),
        t("September", "DATE", "2023-09", "reference")
    );
    let without = dates(&["analyze", "--input", "text", "-"]);
    assert_eq!(
        find(&without, "Wednesday morning"),
        t("Wednesday morning", "TIME", "XXXX-XX-XXTMO", "none")
    );
    assert_eq!(
        find(&without, "September"),
        t("September", "DATE", "XXXX-09", "none")
    );

    let out = newsmill(&["analyze", "--reference-time", "next week", "-"], text);
    assert_eq!(out.code, 2, "a bad reference time is a usage error");
    assert!(out.stderr.contains("--reference-time"), "{}", out.stderr);
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

// See: issue 23 (feed items were stored from their summaries as if they were articles, feed
// authors were no bylines, and "Sat, Dec 16 2023 02:02:33 PM" gave `published: null`).
#[test]
fn regression_23_feed_items_say_they_are_summaries_and_keep_authors_and_dates() {
    let dir = tempdir();
    let feed = dir.join("feed.xml");
    fs_err::write(
        &feed,
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><title>Council approves the new bridge</title><link>https://n.example/bridge</link>
<dc:creator>Ana Souza</dc:creator><pubDate>Sat, Dec 16 2023 02:02:33 PM</pubDate>
<description>The city council approved the bridge on Friday after a long debate.</description></item>
<item><title>Storm closes schools</title><link>https://n.example/storm</link>
<content:encoded>&lt;p&gt;Schools across the region closed on Monday as the storm arrived with heavy rain and strong winds.&lt;/p&gt;&lt;p&gt;Officials said they would reopen when the roads were safe again.&lt;/p&gt;</content:encoded></item>
</channel></rss>"#,
    )
    .unwrap();
    let out = newsmill(
        &["analyze", "--stages", "extract", feed.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let records: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{}", out.stdout);
    assert_eq!(records[0]["provenance"]["text"], "feed:summary");
    assert_eq!(records[0]["byline"], serde_json::json!(["Ana Souza"]));
    assert_eq!(records[0]["provenance"]["byline"], "feed:author");
    assert_eq!(records[0]["published"], "2023-12-16T14:02:33+00:00");
    assert_eq!(records[1]["provenance"]["text"], "feed:content");
    assert_eq!(records[1]["byline"], serde_json::json!([]));
    assert_eq!(records[1]["provenance"].get("byline"), None);
    fs_err::remove_dir_all(&dir).unwrap();
}
