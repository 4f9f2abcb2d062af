//! The index stage: storing analysed records (tantivy documents, the stored record, the
//! commit) and searching them. The records are the vendored pages through extraction and NLP,
//! each stored under many distinct URLs, so the index holds real text and entities.

use std::path::PathBuf;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_index::{PutInfo, PutOutcome, SearchRequest, Store};
use newsmill_nlp::{Nlp, enrich};

/// Records stored per timed iteration.
const RECORDS: usize = 300;

fn load(name: &str) -> Vec<u8> {
    fs_err::read(format!("{}/{name}", newsmill_bench::RESOURCES)).expect("vendored resource")
}

/// The vendored pages, analysed, as `RECORDS` records with distinct URLs.
fn records() -> Vec<Record> {
    let nlp = Nlp::embedded().expect("embedded models load");
    let config = ExtractConfig::default();
    let base: Vec<Record> = [
        ("putin-north-korea.txt", InputHint::Text),
        ("bbc.com.52241221.html", InputHint::Html),
        ("spiegel.de.albtraum.html", InputHint::Html),
    ]
    .into_iter()
    .map(|(name, hint)| {
        let doc = RawDoc::new(Origin::Path(name.into()), hint, load(name));
        let mut r = extract(&doc, &config).expect("extracts");
        enrich(&mut r, &nlp);
        r
    })
    .collect();
    (0..RECORDS)
        .map(|i| {
            let mut r = base[i % base.len()].clone();
            r.canonical_url = Some(format!("https://bench.example/{i}"));
            r.url = r.canonical_url.clone();
            r.finish();
            r
        })
        .collect()
}

/// A fresh directory under the system temp dir for one store.
fn fresh_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("newsmill-bench-index-{}-{tag}", std::process::id()));
    let _ = fs_err::remove_dir_all(&dir);
    dir
}

/// Stores `records` in a new store at `dir` and commits.
fn store_all(dir: &PathBuf, records: &[Record]) -> usize {
    let store = Store::create(dir).expect("creates the store");
    let mut writer = store.writer().expect("a writer");
    let mut stored = 0;
    for r in records {
        if writer.put(r, &PutInfo::default()).expect("stores") == PutOutcome::Stored {
            stored += 1;
        }
    }
    writer.commit().expect("commits");
    stored
}

fn bench_index(c: &mut Criterion) {
    let records = records();
    // A broken stage must not look fast: check the output before timing it.
    let dir = fresh_dir("check");
    assert_eq!(store_all(&dir, &records), RECORDS);
    let store = Store::open(&dir).expect("opens");
    let found = store
        .search(&SearchRequest::new("\"Kim Jong Un\""))
        .expect("searches");
    assert!(
        found.total >= RECORDS / 3,
        "{} hits for Kim Jong Un",
        found.total
    );
    let some = &records[RECORDS / 2];
    assert_eq!(
        store
            .get(&some.id)
            .expect("reads")
            .as_ref()
            .map(|r| &r.text),
        Some(&some.text)
    );

    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS as u64));
    let mut n = 0;
    group.bench_function("store+commit", |b| {
        b.iter_batched(
            || {
                n += 1;
                fresh_dir(&n.to_string())
            },
            |dir| {
                let stored = store_all(&dir, &records);
                let _ = fs_err::remove_dir_all(&dir);
                stored
            },
            BatchSize::PerIteration,
        )
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("search", |b| {
        b.iter(|| {
            store
                .search(&SearchRequest::new("\"Kim Jong Un\" Putin"))
                .map(|r| r.total)
        })
    });
    group.finish();
    drop(store);
    let _ = fs_err::remove_dir_all(&dir);
}

criterion_group!(benches, bench_index);
criterion_main!(benches);
