//! The date stage's share of `analyze`: the whole per-record path (extraction, then the NLP
//! stage with its entities and dates) beside the date stage alone (`enrich_dates`) on the same
//! records. Issue 18 asks the date stage to cost at most a tenth of `analyze`; compare the two
//! `analyze/` and `dates/` lines of one run (same machine, same load).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_nlp::{DateAnchor, DatesConfig, Nlp, Reference, enrich, enrich_dates};

fn load(name: &str) -> Vec<u8> {
    fs_err::read(format!("{}/{name}", newsmill_bench::RESOURCES)).expect("vendored resource")
}

fn bench_dates(c: &mut Criterion) {
    let config = ExtractConfig::default();
    let reference = Reference::parse("2024-06-19", DateAnchor::Reference).expect("valid");
    let nlp = Nlp::embedded()
        .expect("embedded models load")
        .with_dates(DatesConfig {
            reference: Some(reference),
        });
    let docs = [
        ("putin-north-korea.txt", InputHint::Text),
        ("bbc.com.52241221.html", InputHint::Html),
        ("spiegel.de.albtraum.html", InputHint::Html),
    ];
    for (name, hint) in docs {
        let doc = RawDoc::new(Origin::Path(name.into()), hint, load(name));
        let analyze = |doc: &RawDoc| -> Record {
            let mut r = extract(doc, &config).expect("extracts");
            enrich(&mut r, &nlp);
            r
        };
        // A broken stage must not look fast: check the output before timing it.
        let record = analyze(&doc);
        record.check_invariants().expect("a valid record");
        assert!(
            record.dates.len() >= 5,
            "{name}: {} dates",
            record.dates.len()
        );
        assert!(record.event_time.is_some(), "{name}: no event time");
        if name.starts_with("putin") {
            let wednesday = record
                .dates
                .iter()
                .find(|d| d.text == "Wednesday morning")
                .expect("Wednesday morning");
            assert_eq!(wednesday.value, "2024-06-19TMO");
        }

        let mut group = c.benchmark_group("analyze");
        group.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| analyze(&doc).dates.len()));
        group.finish();

        let mut group = c.benchmark_group("dates");
        group.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        let mut scratch = record.clone();
        group.bench_function(name, |b| {
            b.iter(|| {
                enrich_dates(&mut scratch, &nlp);
                scratch.dates.len()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_dates);
criterion_main!(benches);
