//! NLP throughput: tokenizing and sentence splitting, entity tagging and language detection
//! (the record's, and each block's as the entity stage checks them) on the founding example
//! article (text only, as `analyze` passes it after extraction).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsmill_core::{Block, BlockKind, Record, join_blocks};
use newsmill_nlp::Nlp;
use newsmill_nlp::entities::block_languages;
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
    // 626 words and their punctuation.
    assert!(n_tokens > 626, "{n_tokens} tokens");

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

    // Language: the record's (extraction detects it once, on the first 2,000 bytes), and the
    // blocks' (the entity stage checks windows of blocks, then blocks one by one where a window
    // is not clearly in the record's language).
    let mut record = Record {
        blocks: text
            .split("\n\n")
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(|b| Block::new(BlockKind::Paragraph, b))
            .collect(),
        ..Record::default()
    };
    record.text = join_blocks(&record.blocks);
    record.language = newsmill_lang::detect_language(&record.text).map(str::to_string);
    assert_eq!(record.language.as_deref(), Some("en"));
    let langs = block_languages(&record);
    assert!(langs.len() > 10 && langs.iter().all(|(_, _, l)| l.as_deref() == Some("en")));
    let mut group = c.benchmark_group("language");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("record", |b| {
        b.iter(|| newsmill_lang::detect_language(&record.text))
    });
    group.bench_function("blocks", |b| b.iter(|| block_languages(&record).len()));
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
