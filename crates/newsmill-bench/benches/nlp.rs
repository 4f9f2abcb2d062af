//! NLP throughput: tokenizing and sentence splitting, and entity tagging, on the founding
//! example article (text only, as `analyze` passes it after extraction).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsmill_nlp::Nlp;
use newsmill_nlp::sentences::split_sentences;
use newsmill_nlp::tokenize::tokenize;

fn bench_nlp(c: &mut Criterion) {
    let text = fs_err::read_to_string(format!(
        "{}/putin-north-korea.txt",
        newsmill_bench::RESOURCES
    ))
    .expect("vendored resource");
    let nlp = Nlp::embedded().expect("embedded model loads");
    // A broken stage must not look fast: check the output before timing it.
    let found = nlp.entities("en", &text).expect("English model");
    assert!(
        found
            .iter()
            .any(|e| &text[e.start..e.end] == "Vladimir Putin"),
        "the tagger finds Vladimir Putin"
    );
    let n_tokens = tokenize(&text).len();
    assert!(n_tokens > 800);

    let mut group = c.benchmark_group("nlp");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("tokenize+sentences", |b| {
        b.iter(|| {
            let toks = tokenize(&text);
            split_sentences(&text, &toks).len()
        })
    });
    group.bench_function("entities", |b| {
        b.iter(|| nlp.entities("en", &text).map(|e| e.len()))
    });
    group.finish();

    // Model loading, which every `analyze` and `ner` run pays once.
    c.bench_function("nlp/load_model", |b| {
        b.iter(|| {
            Nlp::embedded()
                .expect("loads")
                .model("en")
                .map(|m| m.n_features())
        })
    });
}

criterion_group!(benches, bench_nlp);
criterion_main!(benches);
