//! Fault injection: a store whose marker is lost or truncated, and one with flipped bytes in a
//! document-store file. Nothing that exists is deleted, what can be read is read, and what
//! cannot is named.

use std::path::{Path, PathBuf};

use newsmill_core::{Block, BlockKind, Record};
use newsmill_index::{IndexError, PutInfo, Store};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("nm-damage-{name}-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs_err::remove_dir_all(&self.0);
    }
}

/// A record with `n` distinct paragraphs (so the document store holds many blocks).
fn record(i: usize) -> Record {
    let blocks = (0..6)
        .map(|p| {
            Block::new(
                BlockKind::Paragraph,
                format!(
                    "Paragraph {p} of article {i}: the harbour council met on day {i} and voted {} to {} on the repair plan for pier {}.",
                    i * 7 % 13,
                    i * 3 % 11,
                    i % 17
                ),
            )
        })
        .collect();
    let mut r = Record {
        origin: format!("test:{i}"),
        title: Some(format!("Article {i}")),
        canonical_url: Some(format!("https://news.example/{i}")),
        site: Some("news.example".into()),
        blocks,
        ..Record::default()
    };
    r.finish();
    r
}

fn filled(dir: &Path, n: usize) -> Vec<Record> {
    let store = Store::create(dir).unwrap();
    let mut w = store.writer().unwrap();
    let records: Vec<Record> = (0..n).map(record).collect();
    for r in &records {
        w.put(r, &PutInfo::default()).unwrap();
    }
    w.commit().unwrap();
    w.close().unwrap();
    records
}

fn index_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs_err::read_dir(dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

#[test]
fn a_missing_marker_is_refused_not_recreated_and_repair_brings_the_store_back() {
    let dir = TempDir::new("marker");
    filled(&dir.0, 20);
    let files = index_files(&dir.0);
    fs_err::remove_file(dir.0.join("newsmill-store.json")).unwrap();

    // Writing (what `ingest` does first) refuses instead of making a new, empty index.
    let err = Store::create(&dir.0).unwrap_err();
    assert!(matches!(err, IndexError::NoMarker { .. }), "{err}");
    assert!(err.to_string().contains("newsmill check --repair"), "{err}");
    // Reading does not send the user to `ingest` either.
    let err = Store::open(&dir.0).unwrap_err();
    assert!(matches!(err, IndexError::NoMarker { .. }), "{err}");
    assert_eq!(index_files(&dir.0), files, "nothing in index/ was touched");

    assert!(Store::repair_marker(&dir.0).unwrap());
    assert!(
        !Store::repair_marker(&dir.0).unwrap(),
        "a second repair has nothing to do"
    );
    let store = Store::open(&dir.0).unwrap();
    assert_eq!(store.stats().unwrap().articles, 20);
}

#[test]
fn a_truncated_marker_is_refused_and_repaired() {
    let dir = TempDir::new("truncated");
    filled(&dir.0, 5);
    let marker = dir.0.join("newsmill-store.json");
    let body = fs_err::read(&marker).unwrap();
    fs_err::write(&marker, &body[..body.len() / 2]).unwrap();
    let err = Store::create(&dir.0).unwrap_err();
    assert!(matches!(err, IndexError::NoMarker { .. }), "{err}");
    assert!(Store::repair_marker(&dir.0).unwrap());
    assert_eq!(Store::create(&dir.0).unwrap().stats().unwrap().articles, 5);
}

#[test]
fn a_store_whose_creation_was_cut_short_is_finished() {
    // A crash between creating index/ and writing the marker: no document was ever committed,
    // so `create` may recreate the index.
    let dir = TempDir::new("half-made");
    drop(Store::create(&dir.0).unwrap());
    fs_err::remove_file(dir.0.join("newsmill-store.json")).unwrap();
    let store = Store::create(&dir.0).unwrap();
    assert_eq!(store.stats().unwrap().articles, 0);
    assert!(dir.0.join("newsmill-store.json").exists());
}

#[test]
fn repair_refuses_an_index_that_is_not_a_newsmill_store() {
    let dir = TempDir::new("foreign");
    fs_err::create_dir_all(dir.0.join("index")).unwrap();
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field("body", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(dir.0.join("index"), b.build()).unwrap();
    let err = Store::repair_marker(&dir.0).unwrap_err();
    assert!(err.to_string().contains("schema"), "{err}");
    assert!(!dir.0.join("newsmill-store.json").exists());
}

/// Flips bytes in the middle of the largest `.store` file (the full records).
fn flip_store_bytes(dir: &Path) -> String {
    let (path, len) = fs_err::read_dir(dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "store"))
        .map(|p| {
            let len = fs_err::metadata(&p).unwrap().len();
            (p, len)
        })
        .max_by_key(|(_, len)| *len)
        .expect("a .store file");
    let mut bytes = fs_err::read(&path).unwrap();
    let mid = (len / 3) as usize;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    fs_err::write(&path, bytes).unwrap();
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn bit_rot_in_a_store_file_is_found_named_and_the_rest_still_reads() {
    let dir = TempDir::new("bitrot");
    let records = filled(&dir.0, 400);
    let file = flip_store_bytes(&dir.0);

    let store = Store::open(&dir.0).unwrap();
    // Export's walk: every readable record comes out, each unreadable one is an error
    // naming its id, and the walk goes on.
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for item in store.records_by_id().unwrap() {
        match item {
            Ok((r, _)) => good.push(r.id),
            Err(IndexError::Corrupt { key, .. }) => bad.push(key),
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(!bad.is_empty(), "the flipped bytes hit some record");
    assert_eq!(
        good.len() + bad.len(),
        records.len(),
        "every record is accounted for"
    );
    assert!(good.len() > records.len() / 2, "{} readable", good.len());
    let mut ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    let mut seen: Vec<String> = good.iter().chain(&bad).cloned().collect();
    seen.sort();
    assert_eq!(seen, ids, "bad records are named by their real ids");

    // Verification names the damaged file and the same records.
    let v = store.verify().unwrap();
    assert!(!v.is_whole());
    assert_eq!(v.documents, records.len() as u64);
    assert_eq!(v.readable, good.len() as u64);
    assert!(
        v.problems
            .iter()
            .any(|p| p.key.is_none() && p.message.contains(&file)),
        "{:?}",
        v.problems
    );
    let mut named: Vec<String> = v.problems.iter().filter_map(|p| p.key.clone()).collect();
    named.sort();
    bad.sort();
    assert_eq!(named, bad);
}

#[test]
fn a_whole_store_verifies_clean() {
    let dir = TempDir::new("whole");
    filled(&dir.0, 30);
    let v = Store::open(&dir.0).unwrap().verify().unwrap();
    assert!(v.is_whole(), "{:?}", v.problems);
    assert_eq!((v.documents, v.readable), (30, 30));
}
