//! The tantivy schema: one document per stored article, previous version or quarantined input.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

/// Tokenizer of `title` and `text`: words, lowercased, accents folded.
pub(crate) const TEXT_TOKENIZER: &str = "newsmill_text";
/// Tokenizer of exact-value fields (`entity`, `site`, `language`, `story`, `url`): the whole
/// value as one token, lowercased, so `entity:"kim jong un"` matches "Kim Jong Un".
pub(crate) const EXACT_TOKENIZER: &str = "newsmill_exact";

/// The fields, by handle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) kind: Field,
    pub(crate) key: Field,
    pub(crate) id: Field,
    pub(crate) version: Field,
    pub(crate) hash: Field,
    pub(crate) title: Field,
    pub(crate) text: Field,
    pub(crate) entity: Field,
    pub(crate) site: Field,
    pub(crate) language: Field,
    pub(crate) story: Field,
    pub(crate) url: Field,
    pub(crate) date: Field,
    pub(crate) f_site: Field,
    pub(crate) f_language: Field,
    pub(crate) f_entity: Field,
    pub(crate) f_day: Field,
    pub(crate) record: Field,
    pub(crate) meta: Field,
    pub(crate) raw: Field,
    /// Who is quoted: the entity a quote's speaker resolves to (or the speaker as written
    /// when it is a name but no entity). `None` in a store made before quotes were indexed.
    pub(crate) speaker: Option<Field>,
    /// The words of the article's quotes. `None` in a store made before quotes were indexed.
    pub(crate) quote: Option<Field>,
    /// First and last instant of the record's event time (`Record::event_time`), for event-time
    /// filters; `None` in a store created before they existed (it still opens; event filters
    /// then say so).
    pub(crate) event_start: Option<Field>,
    pub(crate) event_end: Option<Field>,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EXACT_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        key: b.add_text_field("key", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        version: b.add_u64_field("version", STORED | FAST),
        hash: b.add_text_field("hash", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        text: b.add_text_field("text", text.clone()),
        entity: b.add_text_field("entity", exact.clone()),
        site: b.add_text_field("site", exact.clone()),
        language: b.add_text_field("language", exact.clone()),
        story: b.add_text_field("story", exact.clone()),
        url: b.add_text_field("url", exact.clone()),
        date: b.add_date_field("date", INDEXED | FAST | STORED),
        f_site: b.add_facet_field("f_site", FacetOptions::default()),
        f_language: b.add_facet_field("f_language", FacetOptions::default()),
        f_entity: b.add_facet_field("f_entity", FacetOptions::default()),
        f_day: b.add_facet_field("f_day", FacetOptions::default()),
        record: b.add_text_field("record", STORED),
        meta: b.add_text_field("meta", STORED),
        raw: b.add_bytes_field("raw", STORED),
        // Added after the first stores were made: last, so the fields above keep their ids.
        speaker: None,
        quote: None,
        event_start: None,
        event_end: None,
    };
    let fields = Fields {
        speaker: Some(b.add_text_field("speaker", exact)),
        quote: Some(b.add_text_field("quote", text)),
        event_start: Some(b.add_date_field("event_start", INDEXED | FAST)),
        event_end: Some(b.add_date_field("event_end", INDEXED | FAST)),
        ..fields
    };
    (b.build(), fields)
}

/// The fields of an existing index: those of [`build`], without the ones its schema lacks.
pub(crate) fn fields_of(schema: &Schema) -> Fields {
    let (_, mut fields) = build();
    fields.speaker = schema.get_field("speaker").ok();
    fields.quote = schema.get_field("quote").ok();
    fields.event_start = schema.get_field("event_start").ok();
    fields.event_end = schema.get_field("event_end").ok();
    fields
}

pub(crate) fn register_tokenizers(index: &tantivy::Index) {
    let text = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let exact = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(TEXT_TOKENIZER, text);
    index.tokenizers().register(EXACT_TOKENIZER, exact);
}
