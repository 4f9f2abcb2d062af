//! Articles written for the story tests: a fixture of `=== FIELDS...` headers, each followed by
//! the page text (the first line is the headline), run through extraction and the NLP stage as
//! `newsmill ingest` runs them.

use newsmill_core::{InputHint, Origin, RawDoc, Record};

/// `(header fields, record)` of each article of `fixture`, in file order. The first field is
/// the article's id; a fourth field, when there is one, is its publication time (what a feed,
/// a WARC record or the page's metadata gives `newsmill ingest`), set before the NLP stage runs.
pub(crate) fn articles(fixture: &str) -> Vec<(Vec<String>, Record)> {
    let nlp = newsmill_nlp::Nlp::embedded().expect("embedded NLP models");
    let config = newsmill_extract::ExtractConfig::default();
    let mut out = Vec::new();
    for (head, page) in newsmill_stories::behaviour::fixture_pages(fixture) {
        let id = head.first().expect("id").clone();
        let raw = RawDoc::new(Origin::Path(id.clone()), InputHint::Text, page.into_bytes());
        let mut record = newsmill_extract::extract(&raw, &config).expect("extracts");
        record.id = id;
        if let Some(time) = head.get(3) {
            record.published = Some(time.clone());
        }
        newsmill_nlp::enrich(&mut record, &nlp);
        out.push((head, record));
    }
    out
}
