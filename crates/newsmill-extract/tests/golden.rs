//! Golden tests: every `tests/golden/<case>.txt` or `<case>.html` is extracted and compared
//! with `<case>.json` (pretty, key-stable JSON of the record).
//!
//! A missing `.json` is written; `UPDATE_EXPECT=1 cargo test -p newsmill-extract --test golden`
//! rewrites them all. Review the changes with `git diff`.
//! An optional `<case>.url` holds the page's URL (what a crawler would know).
//!
//! Every case also checks the record invariants: blocks joined equal `text`, removed text is
//! gone from `text`, mentions slice `text`, and the id is stable across runs.

use std::path::Path;

use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};

fn golden(path: &Path, bytes: Vec<u8>) -> datatest_stable::Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("bad file name")?;
    let url_path = path.with_extension("url");
    let url = url_path
        .exists()
        .then(|| fs_err::read_to_string(&url_path))
        .transpose()?
        .map(|s| s.trim().to_string());
    let mut doc = RawDoc::new(
        Origin::Path(format!("golden/{name}")),
        InputHint::Auto,
        bytes,
    );
    doc.url = url;
    let config = ExtractConfig::default();
    let record = extract(&doc, &config)?;
    record.check_invariants()?;
    assert_eq!(record.text, newsmill_core::join_blocks(&record.blocks));
    let again: Record = extract(&doc, &config)?;
    assert_eq!(record.id, again.id, "id must be stable");

    let actual = serde_json::to_string_pretty(&record)? + "\n";
    let expected_path = path.with_extension("json");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    match fs_err::read_to_string(&expected_path) {
        Ok(expected) if !update => {
            if expected != actual {
                let first = expected
                    .lines()
                    .zip(actual.lines())
                    .position(|(a, b)| a != b);
                return Err(format!(
                    "{} differs from the extraction (first differing line: {:?}); run `UPDATE_EXPECT=1 cargo test -p newsmill-extract --test golden` and review `git diff`",
                    expected_path.display(),
                    first.map(|i| i + 1)
                )
                .into());
            }
        }
        _ => fs_err::write(&expected_path, actual)?,
    }
    Ok(())
}

datatest_stable::harness! {
    { test = golden, root = "tests/golden", pattern = r"^.*\.(txt|html)$" },
}
