//! Story stage throughput: MinHash signatures, and dedup plus story assignment on a stream.
//!
//! The texts are the 24 ECB+ articles of the stories test fixtures. The stream repeats them
//! with a tenth of the words replaced (so most are new articles of known stories) and every
//! fifth one an exact copy. The dataset-scale figures (100,000 to 1,000,000 documents, peak
//! memory) come from `cargo xtask bench-stories`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsmill_stories::{Clusterer, Config, Item, MinHasher, Model};

const FIXTURE: &str = include_str!("../../newsmill-stories/tests/fixtures/ecbplus_sample.jsonl");

fn texts() -> Vec<(String, String)> {
    FIXTURE
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("fixture line");
            (
                v["title"].as_str().unwrap_or("").to_string(),
                v["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// `n` documents: rewritten fixture articles, every fifth an exact copy of the previous one.
fn stream(n: usize) -> Vec<(String, String, String)> {
    let base = texts();
    let mut state = 7u64;
    let mut rand = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize
    };
    let mut out: Vec<(String, String, String)> = Vec::with_capacity(n);
    for i in 0..n {
        if i % 5 == 4 {
            let prev = out[i - 1].clone();
            out.push((format!("d{i}"), prev.1, prev.2));
            continue;
        }
        let (title, text) = &base[rand() % base.len()];
        let body: Vec<String> = text
            .split_whitespace()
            .map(|w| {
                if rand() % 10 == 0 {
                    format!("w{}", rand() % 100_000)
                } else {
                    w.to_string()
                }
            })
            .collect();
        out.push((format!("d{i}"), title.clone(), body.join(" ")));
    }
    out
}

fn bench_minhash(c: &mut Criterion) {
    let texts = texts();
    let hasher = MinHasher::new(128, 5);
    let bytes: usize = texts.iter().map(|t| t.1.len()).sum();
    let mut group = c.benchmark_group("stories");
    group.throughput(Throughput::Bytes(bytes as u64));
    assert!(texts.iter().all(|t| hasher.signature(&t.1).shingles > 20));
    group.bench_function("minhash-128-signatures", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| hasher.signature(&t.1).mins[0])
                .fold(0u32, u32::wrapping_add)
        })
    });
    group.finish();
}

fn bench_stream(c: &mut Criterion) {
    let docs = stream(2_000);
    // A broken stage must not look fast: the copies must be found and stories formed.
    let mut check = Clusterer::new(Config::default(), Model::builtin());
    let out: Vec<_> = docs
        .iter()
        .map(|d| check.push(&Item::new(&d.0, &d.1, &d.2)))
        .collect();
    let dups = out.iter().filter(|a| a.duplicate_of.is_some()).count();
    let stories = out.iter().filter(|a| a.new_story).count();
    assert!(dups >= docs.len() / 5, "only {dups} duplicates");
    assert!(stories < docs.len() / 4, "{stories} stories");
    let mut group = c.benchmark_group("stories");
    group.sample_size(10);
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.bench_function("dedup-and-assign-2000-docs", |b| {
        b.iter(|| {
            let mut c = Clusterer::new(Config::default(), Model::builtin());
            docs.iter()
                .filter(|d| c.push(&Item::new(&d.0, &d.1, &d.2)).new_story)
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_minhash, bench_stream);
criterion_main!(benches);
