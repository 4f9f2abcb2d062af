//! Extraction throughput on a scraped text article and on real news pages.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsmill_core::{InputHint, Origin, RawDoc};
use newsmill_extract::{ExtractConfig, extract};

fn load(name: &str) -> Vec<u8> {
    fs_err::read(format!("{}/{name}", newsmill_bench::RESOURCES)).expect("vendored resource")
}

fn bench_extract(c: &mut Criterion) {
    let config = ExtractConfig::default();
    let mut group = c.benchmark_group("extract");
    for (name, hint) in [
        ("putin-north-korea.txt", InputHint::Text),
        ("bbc.com.52241221.html", InputHint::Html),
        ("spiegel.de.albtraum.html", InputHint::Html),
    ] {
        let doc = RawDoc::new(Origin::Path(name.into()), hint, load(name));
        // A broken stage must not look fast: check the output before timing it.
        let record = extract(&doc, &config).expect("extracts");
        assert!(record.text.len() > 1000, "{name}: too little text");
        group.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| extract(&doc, &config).expect("extracts"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_extract);
criterion_main!(benches);
