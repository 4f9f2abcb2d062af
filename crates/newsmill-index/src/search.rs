//! Search: the query language, filters, pagination, snippets and facets.

use std::ops::Bound;

use newsmill_core::{FacetCount, Facets, Hit, Record};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, Occur, Query, QueryParser, QueryParserError, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{UserInputAst, UserInputLeaf};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::write::{day_of, index_date, parse_date};
use crate::{IndexError, KIND_ARTICLE, RecordMeta, Result, Store};

/// How many entities, sites and languages a facet lists unless asked otherwise (the CLI and
/// the API alike).
pub const DEFAULT_FACET_LIMIT: usize = 20;

/// One search: a query plus filters, a page, and whether to count facets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The query, in the language described in the crate docs. Empty or `*` matches all.
    pub query: String,
    /// Only records dated on or after this (RFC 3339 or `YYYY-MM-DD`). The date of a record is
    /// its `published` date, else when it was fetched.
    pub since: Option<String>,
    /// Only records dated before the end of this day (or before this instant, when a time is given).
    pub until: Option<String>,
    /// Only records whose event time (`Record::event_time`, the time their main event
    /// happened) reaches into this day or later (`YYYY-MM-DD` or RFC 3339). Records without an
    /// event time are left out when an event filter is given.
    pub event_since: Option<String>,
    /// Only records whose event time begins on or before this day (or before this instant).
    pub event_until: Option<String>,
    /// Only records in this language (ISO 639-1).
    pub language: Option<String>,
    /// Only records of this site, matched whole (case-insensitively).
    pub site: Option<String>,
    /// Only records naming this entity, matched whole (its canonical name, case-insensitively),
    /// unlike `entity:` in the query, which matches any word of a name.
    pub entity: Option<String>,
    /// Only records of this story.
    pub story: Option<String>,
    /// Hits to skip (pagination).
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Count facets (top entities, sites, languages, and hits per day) over all matches.
    pub facets: bool,
    /// How many entities, sites and languages to list when counting facets.
    pub facet_limit: usize,
    /// Put the full record in each hit.
    pub with_records: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            since: None,
            until: None,
            event_since: None,
            event_until: None,
            language: None,
            site: None,
            entity: None,
            story: None,
            offset: 0,
            limit: 10,
            facets: false,
            facet_limit: DEFAULT_FACET_LIMIT,
            with_records: false,
        }
    }
}

impl SearchRequest {
    /// A request for `query` with the defaults (first 10 hits, no facets).
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// How many records match in all (not only on this page).
    pub total: usize,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
    /// Facet counts over all matches, when asked for.
    pub facets: Option<Facets>,
}

impl Store {
    /// Parses the user's query: tantivy's grammar, with the field names people type mapped to
    /// the fields that answer them (`lang:` is `language:`; `entity:` matches words of a name;
    /// `url:` without a `/` matches the host).
    fn parse_user(
        &self,
        parser: &QueryParser,
        q: &str,
    ) -> std::result::Result<Box<dyn Query>, QueryParserError> {
        let ast = tantivy::query_grammar::parse_query(q)
            .map_err(|_| QueryParserError::SyntaxError(q.to_string()))?;
        parser.build_query_from_user_input_ast(self.rewrite_fields(ast))
    }

    fn rewrite_fields(&self, ast: UserInputAst) -> UserInputAst {
        match ast {
            UserInputAst::Clause(clauses) => UserInputAst::Clause(
                clauses
                    .into_iter()
                    .map(|(occur, a)| (occur, self.rewrite_fields(a)))
                    .collect(),
            ),
            UserInputAst::Boost(a, boost) => {
                UserInputAst::Boost(Box::new(self.rewrite_fields(*a)), boost)
            }
            UserInputAst::Leaf(leaf) => match self.story_alternatives(&leaf) {
                Some(any) => any,
                None => UserInputAst::Leaf(Box::new(self.rewrite_leaf(*leaf))),
            },
        }
    }

    /// `story:ID` matches every id that names the story now (a story merged into another
    /// keeps its id as an alias): the literal becomes an OR of them. `None` when the leaf is
    /// not such a literal or the story has no other id.
    fn story_alternatives(&self, leaf: &UserInputLeaf) -> Option<UserInputAst> {
        let UserInputLeaf::Literal(lit) = leaf else {
            return None;
        };
        if lit.field_name.as_deref() != Some("story") || lit.prefix {
            return None;
        }
        let ids = self.story_ids(&lit.phrase).ok()?;
        if ids.len() < 2 {
            return None;
        }
        Some(UserInputAst::Clause(
            ids.into_iter()
                .map(|id| {
                    let mut l = lit.clone();
                    l.phrase = id;
                    (
                        Some(tantivy::query_grammar::Occur::Should),
                        UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(l))),
                    )
                })
                .collect(),
        ))
    }

    fn rewrite_leaf(&self, leaf: UserInputLeaf) -> UserInputLeaf {
        let f = &self.fields;
        let alias = |name: String| {
            if name == "lang" {
                "language".to_string()
            } else {
                name
            }
        };
        match leaf {
            UserInputLeaf::Literal(mut lit) => {
                lit.field_name = lit.field_name.map(|name| match alias(name).as_str() {
                    "entity" if f.entity_words.is_some() => "entity_words".to_string(),
                    "url" if f.host.is_some() && !lit.phrase.contains('/') => "host".to_string(),
                    other => other.to_string(),
                });
                UserInputLeaf::Literal(lit)
            }
            UserInputLeaf::Range {
                field,
                lower,
                upper,
            } => UserInputLeaf::Range {
                field: field.map(alias),
                lower,
                upper,
            },
            UserInputLeaf::Set { field, elements } => UserInputLeaf::Set {
                field: field.map(alias),
                elements,
            },
            UserInputLeaf::Exists { field } => UserInputLeaf::Exists {
                field: alias(field),
            },
            UserInputLeaf::Regex { field, pattern } => UserInputLeaf::Regex {
                field: field.map(alias),
                pattern,
            },
            other => other,
        }
    }

    /// Builds the tantivy query of a request: the parsed query, restricted to current articles
    /// and to the filters.
    fn build_query(&self, req: &SearchRequest) -> Result<(Box<dyn Query>, Box<dyn Query>)> {
        let f = &self.fields;
        // Words match as written (title boosted) or stemmed in the record's language.
        let mut defaults = vec![f.title, f.text];
        defaults.extend(f.stem_fields());
        let mut parser = QueryParser::for_index(&self.index, defaults);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        // Errors name the query as the user gave it, not as rewritten here.
        let bad = |e: QueryParserError| IndexError::Query {
            query: req.query.chars().take(200).collect(),
            message: query_message(&e),
        };
        check_nesting(req.query.trim())?;
        let rewritten = rewrite_not(req.query.trim());
        let q = rewritten.as_str();
        let user: Box<dyn Query> = if q.is_empty() || q == "*" {
            Box::new(tantivy::query::AllQuery)
        } else {
            match self.parse_user(&parser, q) {
                Ok(query) => query,
                // A query of exclusions only (`NOT site:x`) excludes from everything.
                Err(QueryParserError::AllButQueryForbidden) => self
                    .parse_user(&parser, &format!("kind:{KIND_ARTICLE} {q}"))
                    .map_err(bad)?,
                Err(e) => return Err(bad(e)),
            }
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, user.box_clone()),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, KIND_ARTICLE),
                    IndexRecordOption::Basic,
                )),
            ),
        ];
        if let Some(story) = &req.story {
            // Every id of the story (its own and the ids merged into it).
            let ids = self.story_ids(story)?;
            let any: Vec<(Occur, Box<dyn Query>)> = ids
                .iter()
                .map(|id| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.story, &id.to_lowercase()),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        for (field, value) in [
            (f.language, &req.language),
            (f.site, &req.site),
            (f.entity, &req.entity),
        ] {
            if let Some(v) = value {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, &v.to_lowercase()),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
        }
        let since = match &req.since {
            Some(s) => Bound::Included(date_term(f.date, s, "--since", false)?),
            None => Bound::Unbounded,
        };
        let until = match &req.until {
            Some(s) => Bound::Excluded(date_term(f.date, s, "--until", true)?),
            None => Bound::Unbounded,
        };
        if !matches!((&since, &until), (Bound::Unbounded, Bound::Unbounded)) {
            clauses.push((Occur::Must, Box::new(RangeQuery::new(since, until))));
        }
        // Event time: the record's event interval overlaps the asked one.
        if req.event_since.is_some() || req.event_until.is_some() {
            let (Some(fs), Some(fe)) = (f.event_start, f.event_end) else {
                return Err(IndexError::Query {
                    query: req.query.chars().take(200).collect(),
                    message: "this store predates event times; ingest into a new --data directory to filter by them".into(),
                });
            };
            // A record without an event time has no terms in these fields, so either clause
            // leaves it out.
            if let Some(s) = &req.event_since {
                let since = Bound::Included(date_term(fe, s, "--event-since", false)?);
                clauses.push((
                    Occur::Must,
                    Box::new(RangeQuery::new(since, Bound::Unbounded)),
                ));
            }
            if let Some(s) = &req.event_until {
                let until = Bound::Excluded(date_term(fs, s, "--event-until", true)?);
                clauses.push((
                    Occur::Must,
                    Box::new(RangeQuery::new(Bound::Unbounded, until)),
                ));
            }
        }
        Ok((Box::new(BooleanQuery::new(clauses)), user))
    }

    /// An error running a query: one the query itself causes (`id:*` asks whether a field
    /// exists, which only fast fields can tell) is a bad query, not a store failure.
    fn query_err(&self, query: &str, e: tantivy::TantivyError) -> IndexError {
        match e {
            tantivy::TantivyError::SchemaError(message)
            | tantivy::TantivyError::InvalidArgument(message) => IndexError::Query {
                query: query.chars().take(200).collect(),
                message,
            },
            other => crate::tantivy_err(&self.dir)(other),
        }
    }

    /// Every record matching `req`'s query and filters (its paging and facets are ignored),
    /// sorted by id, read one at a time: `newsmill export QUERY`. A stored record that does not
    /// read is one `Err` naming its id, and the iteration goes on.
    pub fn records_matching(
        &self,
        req: &SearchRequest,
    ) -> Result<impl Iterator<Item = Result<(Record, RecordMeta)>> + '_> {
        let (query, _) = self.build_query(req)?;
        let searcher = self.reader.searcher();
        let matching = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| self.query_err(&req.query, e))?;
        let keyed: Vec<_> = self
            .keys_of_kind(KIND_ARTICLE)?
            .into_iter()
            .filter(|(_, addr)| matching.contains(addr))
            .collect();
        Ok(keyed.into_iter().map(move |(key, addr)| {
            let doc = self.read_doc(&searcher, &key, addr)?;
            self.record_of(&doc)
        }))
    }

    /// Runs a search on the last commit.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let f = self.fields;
        let (query, user) = self.build_query(req)?;
        let searcher = self.reader.searcher();
        let limit = req.limit.max(1);
        let top = TopDocs::with_limit(limit)
            .and_offset(req.offset)
            .order_by_score();
        let (top, total) = searcher
            .search(&query, &(top, Count))
            .map_err(|e| self.query_err(&req.query, e))?;
        let snippets = SnippetGenerator::create(&searcher, &*user, f.text).ok();
        // A record in a stemmed language is highlighted by its stemmed field, so `blackout`
        // marks "blackouts"; one generator per language met on the page.
        let mut stemmed: HashMap<Field, Option<SnippetGenerator>> = HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        let mut resolved: HashMap<String, String> = HashMap::new();
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            let (record, meta): (Record, RecordMeta) = self.record_of(&doc)?;
            let stem_gen = record
                .language
                .as_deref()
                .and_then(|l| f.stem_of(l))
                .and_then(|field| {
                    stemmed
                        .entry(field)
                        .or_insert_with(|| SnippetGenerator::create(&searcher, &*user, field).ok())
                        .as_ref()
                });
            let snippet = [stem_gen, snippets.as_ref()]
                .into_iter()
                .flatten()
                .map(|g| g.snippet(&record.text))
                .find(|s| !s.is_empty())
                .map_or_else(
                    || (lead(&record.text), Vec::new()),
                    |s| plain_snippet(s.fragment(), s.highlighted()),
                );
            let day = day_of(record.published.as_deref(), meta.fetched_at.as_deref());
            // The story the record names now: merged stories answer with the survivor.
            let story = record.story.as_ref().map(|id| {
                resolved
                    .entry(id.clone())
                    .or_insert_with(|| self.resolve_story(id).unwrap_or_else(|_| id.clone()))
                    .clone()
            });
            hits.push(Hit {
                id: record.id.clone(),
                score,
                title: record.title.clone(),
                site: record.site.clone(),
                url: record.canonical_url.clone().or(record.url.clone()),
                language: record.language.clone(),
                published: record.published.clone(),
                day,
                event_time: record.event_time.clone(),
                story,
                version: meta.version,
                snippet: snippet.0,
                highlights: snippet.1,
                record: req.with_records.then_some(record),
            });
        }
        let everything = (req.query.trim().is_empty() || req.query.trim() == "*")
            && req.since.is_none()
            && req.until.is_none()
            && req.language.is_none()
            && req.site.is_none()
            && req.entity.is_none()
            && req.story.is_none()
            && req.event_since.is_none()
            && req.event_until.is_none();
        let facets = if req.facets {
            Some(self.facets(&*query, req.facet_limit.max(1), everything)?)
        } else {
            None
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn facets(&self, query: &dyn Query, k: usize, everything: bool) -> Result<Facets> {
        let searcher = self.reader.searcher();
        if !everything {
            return self.count_facets(&searcher, query, k);
        }
        // Counts over the whole store change only with a commit: the home page, and every
        // search of `*`, read them from the cache. The lock is held while they are counted, so
        // a crowd arriving after a commit counts once, not once each.
        let generation = searcher.generation().generation_id();
        let mut cache = self.facet_cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.as_ref().is_none_or(|(g, _)| *g != generation) {
            *cache = Some((generation, HashMap::new()));
        }
        let Some((_, by_k)) = cache.as_mut() else {
            return self.count_facets(&searcher, query, k);
        };
        if let Some(f) = by_k.get(&k) {
            return Ok(f.clone());
        }
        let facets = self.count_facets(&searcher, query, k)?;
        by_k.insert(k, facets.clone());
        Ok(facets)
    }

    fn count_facets(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        k: usize,
    ) -> Result<Facets> {
        let collectors = (
            FlatFacets("f_entity"),
            (
                FlatFacets("f_site"),
                (FlatFacets("f_language"), FlatFacets("f_day")),
            ),
        );
        let (e, (s, (l, d))) = searcher
            .search(query, &collectors)
            .map_err(|e| self.query_err("", e))?;
        let mut days = top(d, usize::MAX);
        // Records without a date are filed under no day.
        days.retain(|d| is_day(&d.value));
        days.sort_by(|a, b| a.value.cmp(&b.value));
        Ok(Facets {
            entity: top(e, k),
            site: top(s, k),
            language: top(l, k),
            day: days,
        })
    }
}

/// The `k` largest counts, most first, ties by value.
fn top(counts: HashMap<String, u64>, k: usize) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(k);
    v
}

/// Counts the values of a one-level facet field (`/value`) over the matching documents.
///
/// tantivy's `FacetCollector` turns each counted ordinal into its facet with a lookup of its
/// own, which decompresses a block of the term dictionary every time: with 20,000 distinct
/// entities that was a second per search. Here the counted ordinals of a segment are turned
/// into values in one ordered pass over the dictionary.
struct FlatFacets(&'static str);

struct FlatFacetsSegment {
    reader: tantivy::fastfield::FacetReader,
    counts: Vec<u64>,
    /// The last document (plus one) counted for each value: a value a document holds twice
    /// counts once, as documents are what facets count.
    last: Vec<u32>,
}

impl Collector for FlatFacets {
    type Fruit = HashMap<String, u64>;
    type Child = FlatFacetsSegment;

    fn for_segment(
        &self,
        _segment: tantivy::SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<FlatFacetsSegment> {
        let facets = reader.facet_reader(self.0)?;
        let n = facets.num_facets();
        Ok(FlatFacetsSegment {
            reader: facets,
            counts: vec![0; n],
            last: vec![0; n],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut all = HashMap::new();
        for f in fruits {
            for (value, n) in f {
                *all.entry(value).or_insert(0) += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for FlatFacetsSegment {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: tantivy::DocId, _score: tantivy::Score) {
        let mark = doc + 1;
        for ord in self.reader.facet_ords(doc) {
            let o = ord as usize;
            if o < self.counts.len() && self.last[o] != mark {
                self.last[o] = mark;
                self.counts[o] += 1;
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let ords: Vec<u64> = (0..self.counts.len() as u64)
            .filter(|&o| self.counts[o as usize] > 0)
            .collect();
        let mut values = Vec::with_capacity(ords.len());
        let dict = self.reader.facet_dict();
        let all = dict.sorted_ords_to_term_cb(&ords, |bytes| values.push(facet_leaf_bytes(bytes)));
        if !matches!(all, Ok(true)) || values.len() != ords.len() {
            // Not expected; fall back to one lookup per ordinal, skipping what fails.
            values.clear();
            let mut bytes = Vec::new();
            for &o in &ords {
                let found = dict.ord_to_term(o, &mut bytes).unwrap_or(false);
                values.push(if found {
                    facet_leaf_bytes(&bytes)
                } else {
                    String::new()
                });
            }
        }
        ords.iter()
            .zip(values)
            .map(|(&o, v)| (v, self.counts[o as usize]))
            .collect()
    }
}

/// The last segment of an encoded facet (segments are separated by a 0 byte).
fn facet_leaf_bytes(encoded: &[u8]) -> String {
    let leaf = encoded.rsplit(|&b| b == 0).next().unwrap_or(encoded);
    String::from_utf8_lossy(leaf).into_owned()
}

/// The parser's complaint in words a user can act on.
fn query_message(e: &QueryParserError) -> String {
    match e {
        QueryParserError::SyntaxError(_) => {
            "syntax error (unbalanced parentheses or quotes? put a quoted phrase in \"...\")".into()
        }
        QueryParserError::FieldDoesNotExist(field) => format!(
            "unknown field {field:?}; fields are title, text, entity, speaker, quote, site, language (or lang), story, url, id, date"
        ),
        other => other.to_string(),
    }
}

/// Deepest nesting of parentheses a query may have. tantivy's query grammar recurses once per
/// level, so thousands of `(` overflow the stack; people nest a few levels.
pub const MAX_QUERY_DEPTH: usize = 32;

/// What each character of a query is to the grammar: inside a quoted phrase (`"..."` or
/// `'...'`, where `\` escapes the next character), an escaped character outside one, or
/// plain query syntax.
fn scan(q: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    q.char_indices().map(move |(i, c)| {
        if escaped {
            escaped = false;
            return (i, c, false);
        }
        match (quote, c) {
            (_, '\\') => {
                escaped = true;
                (i, c, false)
            }
            (Some(open), c) if c == open => {
                quote = None;
                (i, c, false)
            }
            (Some(_), _) => (i, c, false),
            (None, '"' | '\'') => {
                quote = Some(c);
                (i, c, false)
            }
            (None, _) => (i, c, true),
        }
    })
}

/// Refuses a query nested deeper than [`MAX_QUERY_DEPTH`] parentheses (outside phrases).
fn check_nesting(q: &str) -> Result<()> {
    let mut depth = 0usize;
    for (_, c, syntax) in scan(q) {
        match c {
            '(' if syntax => {
                depth += 1;
                if depth > MAX_QUERY_DEPTH {
                    return Err(IndexError::Query {
                        query: q.chars().take(200).collect(),
                        message: format!("parentheses nested deeper than {MAX_QUERY_DEPTH} levels"),
                    });
                }
            }
            ')' if syntax => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Rewrites the `NOT` operator into tantivy's `-` prefix: `a AND NOT b` becomes `a AND -b`,
/// `NOT (a OR b)` becomes `-(a OR b)`. Quoted phrases and escaped characters are left alone.
fn rewrite_not(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut pending_not = false;
    let bytes = q.as_bytes();
    let mut chars = scan(q).peekable();
    while let Some((i, c, syntax)) = chars.next() {
        let at_word_start = i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(';
        if syntax
            && at_word_start
            && q[i..].starts_with("NOT")
            && q[i + 3..]
                .chars()
                .next()
                .is_some_and(|n| n.is_whitespace() || n == '(')
        {
            // Skip "NOT" and the white space after it; mark the next clause as excluded.
            chars.next();
            chars.next();
            while chars.peek().is_some_and(|(_, n, _)| n.is_whitespace()) {
                chars.next();
            }
            pending_not = true;
            continue;
        }
        if pending_not {
            out.push('-');
            pending_not = false;
        }
        out.push(c);
    }
    out
}

/// `YYYY-MM-DD`.
fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A snippet's fragment with every run of white space one space (trimmed), and its
/// highlighted byte ranges as character ranges of that text.
fn plain_snippet(fragment: &str, ranges: &[std::ops::Range<usize>]) -> (String, Vec<[usize; 2]>) {
    let mut out = String::with_capacity(fragment.len());
    let mut n = 0usize;
    // (byte in the fragment, character in `out`) of every character kept.
    let mut kept: Vec<(usize, usize)> = Vec::with_capacity(fragment.len());
    let mut gap = false;
    for (i, c) in fragment.char_indices() {
        if c.is_whitespace() {
            gap = true;
            continue;
        }
        if gap && n > 0 {
            out.push(' ');
            n += 1;
        }
        gap = false;
        kept.push((i, n));
        out.push(c);
        n += 1;
    }
    let highlights = ranges
        .iter()
        .filter_map(|r| {
            let mut inside = kept.iter().filter(|(b, _)| r.contains(b)).map(|&(_, k)| k);
            let first = inside.next()?;
            let last = inside.next_back().unwrap_or(first);
            Some([first, last + 1])
        })
        .collect();
    (out, highlights)
}

/// The first ~160 characters of the text, cut at a word boundary.
fn lead(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() > 160 {
            out.push_str(" …");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn date_term(field: Field, s: &str, what: &'static str, end_of_day: bool) -> Result<Term> {
    let bad = || IndexError::BadDate {
        what,
        value: s.to_string(),
    };
    let mut secs = parse_date(s).ok_or_else(bad)?;
    // `--until 2024-06-19` includes that whole day.
    if end_of_day && s.trim().len() == 10 {
        secs += 86_400;
    }
    Ok(Term::from_field_date(field, index_date(secs)))
}

#[cfg(test)]
mod tests {
    use super::{check_nesting, plain_snippet, rewrite_not};

    #[test]
    fn snippets_are_plain_text_with_character_ranges() {
        let frag = "Rolling  blackouts\nhit Zürich; blackouts again";
        let (text, marks) = plain_snippet(frag, &[9..18, 32..41]);
        assert_eq!(text, "Rolling blackouts hit Zürich; blackouts again");
        let chars: Vec<char> = text.chars().collect();
        let words: Vec<String> = marks
            .iter()
            .map(|[a, b]| chars[*a..*b].iter().collect())
            .collect();
        assert_eq!(words, ["blackouts", "blackouts"]);
        assert_eq!(plain_snippet("  ", &[0..1, 1..2]), (String::new(), vec![]));
    }

    /// The flat facet collector counts what tantivy's `FacetCollector` counts, over several
    /// segments and a query that matches part of the store.
    #[test]
    fn flat_facets_count_what_the_facet_collector_counts() {
        use newsmill_core::{Block, BlockKind, Entity, EntityType, Record};
        use tantivy::collector::FacetCollector;
        use tantivy::query::{AllQuery, Query, TermQuery};

        let dir = std::env::temp_dir().join(format!("nm-index-facets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = crate::Store::create(&dir).unwrap();
        let mut w = store.writer().unwrap();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for i in 0..600 {
            let word = if i % 3 == 0 { "harbour" } else { "market" };
            let mut r = Record {
                title: Some(format!("Story {i}")),
                blocks: vec![Block::new(
                    BlockKind::Paragraph,
                    format!("The {word} report {i}."),
                )],
                canonical_url: Some(format!("https://s{}.example/{i}", next(7))),
                site: Some(format!("s{}.example", next(7))),
                language: Some(["en", "de", "fr"][next(3) as usize].into()),
                published: Some(format!("2024-06-{:02}T08:00:00Z", 1 + next(28))),
                ..Record::default()
            };
            r.finish();
            for _ in 0..(1 + next(6)) {
                r.entities.push(Entity {
                    name: format!("Name {} \"{}\"", next(400), next(3)),
                    kind: EntityType::Per,
                    mentions: vec![],
                    count: 0,
                });
            }
            r.entities.dedup_by(|a, b| a.name == b.name);
            w.put(&r, &crate::PutInfo::default()).unwrap();
            if i % 200 == 199 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        let searcher = store.reader.searcher();
        assert!(searcher.segment_readers().len() > 1, "several segments");
        let word = TermQuery::new(
            tantivy::Term::from_field_text(store.fields.text, "harbour"),
            tantivy::schema::IndexRecordOption::Basic,
        );
        for query in [&AllQuery as &dyn Query, &word] {
            for field in ["f_entity", "f_site", "f_language", "f_day"] {
                let mut oracle = FacetCollector::for_field(field);
                oracle.add_facet("/");
                let want: std::collections::HashMap<String, u64> = searcher
                    .search(query, &oracle)
                    .unwrap()
                    .get("/")
                    .map(|(f, n)| (f.to_path().last().unwrap().to_string(), n))
                    .collect();
                let got = searcher.search(query, &super::FlatFacets(field)).unwrap();
                assert!(!want.is_empty());
                assert_eq!(got, want, "{field}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn nesting_is_limited_outside_phrases_only() {
        let deep = format!("{}a{}", "(".repeat(12_000), ")".repeat(12_000));
        assert!(check_nesting(&deep).is_err());
        assert!(check_nesting(&"-(".repeat(6_000)).is_err());
        let ok = format!("{}a{}", "(".repeat(32), ")".repeat(32));
        assert!(check_nesting(&ok).is_ok());
        assert!(check_nesting(&format!("\"{}\"", "(".repeat(100))).is_ok());
        assert!(check_nesting(&"\\(".repeat(100)).is_ok());
        assert!(
            check_nesting(&"(a) ".repeat(1000)).is_ok(),
            "depth, not count"
        );
    }

    #[test]
    fn not_operator() {
        assert_eq!(rewrite_not("a AND NOT b"), "a AND -b");
        assert_eq!(rewrite_not("NOT (a OR b)"), "-(a OR b)");
        assert_eq!(rewrite_not("NOT site:x.com"), "-site:x.com");
        assert_eq!(rewrite_not("\"NOT this\" NOTE"), "\"NOT this\" NOTE");
        assert_eq!(rewrite_not("KNOT NOT"), "KNOT NOT");
        assert_eq!(
            rewrite_not(r#"entity:"say \"NOT now\"" NOT b"#),
            r#"entity:"say \"NOT now\"" -b"#
        );
    }
}
