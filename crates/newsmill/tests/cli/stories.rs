//! `newsmill stories`: JSON Lines in, `{id, story, duplicate_of}` out, bad lines skipped.

use crate::util::newsmill;

const QUAKE: &str = "A powerful earthquake struck southern Iran on Sunday, destroying seven villages and killing ten people. Rescue teams reached the island of Qeshm by boat. The quake had a magnitude of 5.9, the geological survey said.";
const COLTS: &str = "The Indianapolis Colts beat the Kansas City Chiefs 20-13 on Sunday to clinch a playoff berth. Andrew Luck threw for two touchdowns in the win at Arrowhead Stadium.";

fn line(id: &str, title: &str, text: &str) -> String {
    serde_json::json!({"id": id, "time": null, "title": title, "text": text, "extra": 1})
        .to_string()
}

#[test]
fn assigns_stories_and_duplicates() {
    let input = [
        line("a", "Quake kills 10 in Iran", QUAKE),
        line("b", "Colts clinch playoff berth", COLTS),
        line(
            "c",
            "Iran earthquake: ten dead",
            &format!("{QUAKE} Subscribe to our newsletter."),
        ),
    ]
    .join("\n");
    let out = newsmill(&["stories", "-"], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        concat!(
            "{\"id\":\"a\",\"story\":\"a\",\"duplicate_of\":null}\n",
            "{\"id\":\"b\",\"story\":\"b\",\"duplicate_of\":null}\n",
            "{\"id\":\"c\",\"story\":\"a\",\"duplicate_of\":\"a\"}\n",
        )
    );
}

#[test]
fn bad_lines_are_reported_and_skipped() {
    let input = format!(
        "{}\nnot json\n\n{{\"title\":\"no id\"}}\n{}\n",
        line("a", "Quake kills 10 in Iran", QUAKE),
        line("b", "Colts clinch playoff berth", COLTS),
    );
    let out = newsmill(&["stories"], input.as_bytes());
    assert_eq!(out.code, 1);
    let ids: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(ids.len(), 2, "{}", out.stdout);
    assert!(
        out.stderr.contains("newsmill: -: line 2: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("newsmill: -: line 4: missing id"),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_file_is_an_error() {
    let out = newsmill(&["stories", "no-such-file.jsonl"], b"");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no-such-file.jsonl"), "{}", out.stderr);
}
