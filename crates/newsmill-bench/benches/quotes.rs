//! The cost of the quotes stage against the whole of `analyze` (extraction and NLP, quotes
//! included) on the vendored pages: `quotes/analyze/PAGE` and `quotes/find_quotes/PAGE` time
//! the same page, so their ratio is the share of `analyze` that quotes take;
//! `quotes/find_quotes_no_tagger/PAGE` runs the stage without the learned cue tagger
//! (`QuoteConfig::cue_tagger` off), so the difference is what the tagger costs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsmill_core::{InputHint, Origin, QuoteKind, RawDoc};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_nlp::Nlp;
use newsmill_nlp::quotes::{QuoteConfig, find_quotes, find_quotes_with};

fn load(name: &str) -> Vec<u8> {
    fs_err::read(format!("{}/{name}", newsmill_bench::RESOURCES)).expect("vendored resource")
}

fn bench_quotes(c: &mut Criterion) {
    let config = ExtractConfig::default();
    let nlp = Nlp::embedded().expect("embedded model loads");
    let mut group = c.benchmark_group("quotes");
    for (name, hint) in [
        ("putin-north-korea.txt", InputHint::Text),
        ("bbc.com.52241221.html", InputHint::Html),
        ("spiegel.de.albtraum.html", InputHint::Html),
    ] {
        let doc = RawDoc::new(Origin::Path(name.into()), hint, load(name));
        let analyze = || {
            let mut record = extract(&doc, &config).expect("extracts");
            newsmill_nlp::enrich(&mut record, &nlp);
            record
        };
        // A broken stage must not look fast: check the output before timing it.
        let record = analyze();
        assert!(!record.quotes.is_empty(), "{name}: no quotes found");
        if name.starts_with("putin") {
            assert!(record.quotes.iter().any(|q| q.kind == QuoteKind::Direct
                && q.text.starts_with("illegal unilateral restrictions")
                && q.entity.as_deref() == Some("Vladimir Putin")));
        }
        record.check_invariants().expect("valid record");
        let lang = record.language.clone();
        group.throughput(Throughput::Bytes(doc.bytes.len() as u64));
        group.bench_function(format!("analyze/{name}"), |b| b.iter(analyze));
        group.bench_function(format!("find_quotes/{name}"), |b| {
            b.iter(|| find_quotes(&record.text, lang.as_deref(), &record.entities).len())
        });
        let no_tagger = QuoteConfig {
            cue_tagger: false,
            ..QuoteConfig::default()
        };
        group.bench_function(format!("find_quotes_no_tagger/{name}"), |b| {
            b.iter(|| {
                find_quotes_with(&record.text, lang.as_deref(), &record.entities, &no_tagger).len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_quotes);
criterion_main!(benches);
