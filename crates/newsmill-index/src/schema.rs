//! The tantivy schema: one document per stored article, previous version or quarantined input.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer,
};

/// Tokenizer of `title` and `text`: words, lowercased, accents folded.
pub(crate) const TEXT_TOKENIZER: &str = "newsmill_text";
/// Tokenizer of exact-value fields (`entity`, `site`, `language`, `story`, `url`): the whole
/// value as one token, lowercased, so `entity:"kim jong un"` matches "Kim Jong Un".
pub(crate) const EXACT_TOKENIZER: &str = "newsmill_exact";
/// Tokenizer of `entity_words` and `host`: words (letters and digits), lowercased, accents
/// folded, so `entity:putin` matches "Vladimir Putin" and `url:bbc` matches `www.bbc.co.uk`.
pub(crate) const WORDS_TOKENIZER: &str = "newsmill_words";

/// The languages whose words are also indexed stemmed, one field each (`stem_en`, ...): the
/// ISO 639-1 code of a record's `language` and tantivy's (Snowball) stemmer for it.
pub(crate) const STEMMED: [(&str, Language); 18] = [
    ("ar", Language::Arabic),
    ("da", Language::Danish),
    ("de", Language::German),
    ("el", Language::Greek),
    ("en", Language::English),
    ("es", Language::Spanish),
    ("fi", Language::Finnish),
    ("fr", Language::French),
    ("hu", Language::Hungarian),
    ("it", Language::Italian),
    ("nb", Language::Norwegian),
    ("nl", Language::Dutch),
    ("pt", Language::Portuguese),
    ("ro", Language::Romanian),
    ("ru", Language::Russian),
    ("sv", Language::Swedish),
    ("ta", Language::Tamil),
    ("tr", Language::Turkish),
];

/// The stemmed field of a language code (`stem_en`).
fn stem_field_name(code: &str) -> String {
    format!("stem_{code}")
}

/// The stemming tokenizer of a language code.
fn stem_tokenizer_name(code: &str) -> String {
    format!("newsmill_stem_{code}")
}

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
    /// Entity names as words, for `entity:` queries that match any part of a name. `None` in a
    /// store made before it existed (`entity:` then matches whole names).
    pub(crate) entity_words: Option<Field>,
    /// The host names of the record's URLs as words, for `url:bbc`. `None` in older stores.
    pub(crate) host: Option<Field>,
    /// Title and text stemmed in the record's language: `(code, field)` for each language of
    /// [`STEMMED`] the store has a field for (none in a store made before stemming).
    pub(crate) stems: [Option<Field>; STEMMED.len()],
}

impl Fields {
    /// The stemmed field of a language code, when the store has one.
    pub(crate) fn stem_of(&self, code: &str) -> Option<Field> {
        let code = code.to_ascii_lowercase();
        // Norwegian is detected as `nb` (Bokmål); `no` names the same stemmer.
        let code = if code == "no" { "nb".to_string() } else { code };
        STEMMED
            .iter()
            .position(|(c, _)| *c == code)
            .and_then(|i| self.stems[i])
    }

    /// Every stemmed field the store has.
    pub(crate) fn stem_fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.stems.iter().flatten().copied()
    }
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
        entity_words: None,
        host: None,
        stems: [None; STEMMED.len()],
    };
    let fields = Fields {
        speaker: Some(b.add_text_field("speaker", exact)),
        quote: Some(b.add_text_field("quote", text)),
        event_start: Some(b.add_date_field("event_start", INDEXED | FAST)),
        event_end: Some(b.add_date_field("event_end", INDEXED | FAST)),
        ..fields
    };
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(WORDS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut stems = [None; STEMMED.len()];
    let entity_words = Some(b.add_text_field("entity_words", words.clone()));
    let host = Some(b.add_text_field("host", words));
    for (slot, (code, _)) in stems.iter_mut().zip(STEMMED) {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&stem_tokenizer_name(code))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        *slot = Some(b.add_text_field(&stem_field_name(code), options));
    }
    let fields = Fields {
        entity_words,
        host,
        stems,
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
    fields.entity_words = schema.get_field("entity_words").ok();
    fields.host = schema.get_field("host").ok();
    for (slot, (code, _)) in fields.stems.iter_mut().zip(STEMMED) {
        *slot = schema.get_field(&stem_field_name(code)).ok();
    }
    fields
}

/// Whether an existing index has the schema of a newsmill store: the fields of [`build`] in
/// order, or the first of them (a store made before later fields were added).
pub(crate) fn is_newsmill_schema(schema: &Schema) -> bool {
    let (current, _) = build();
    let have: Vec<_> = schema.fields().map(|(_, e)| e).collect();
    let want: Vec<_> = current.fields().map(|(_, e)| e).collect();
    // The fields every store has had: up to `raw`.
    let first = want
        .iter()
        .position(|e| e.name() == "raw")
        .map_or(want.len(), |i| i + 1);
    have.len() >= first && have.len() <= want.len() && want[..have.len()] == have[..]
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
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(TEXT_TOKENIZER, text);
    index.tokenizers().register(EXACT_TOKENIZER, exact);
    index.tokenizers().register(WORDS_TOKENIZER, words);
    for (code, language) in STEMMED {
        // Stemmed before accents are folded: the stemmers know their language's accents.
        let stem = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .filter(LowerCaser)
            .filter(Stemmer::new(language))
            .filter(AsciiFoldingFilter)
            .build();
        index
            .tokenizers()
            .register(&stem_tokenizer_name(code), stem);
    }
}
