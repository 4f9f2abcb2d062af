//! Search: the query language, filters, pagination, snippets and facets.

use std::ops::Bound;

use newsmill_core::Record;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

use crate::write::parse_date;
use crate::{IndexError, KIND_ARTICLE, RecordMeta, Result, Store};

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
            offset: 0,
            limit: 10,
            facets: false,
            facet_limit: 10,
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

/// One matching record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The record id.
    pub id: String,
    /// Relevance score (BM25).
    pub score: f32,
    /// Headline.
    pub title: Option<String>,
    /// Site.
    pub site: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Language.
    pub language: Option<String>,
    /// Publication date, as stored.
    pub published: Option<String>,
    /// The day the record is filed under (published, else fetched), `YYYY-MM-DD`.
    pub day: Option<String>,
    /// When the article's main event happened (TIMEX3), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// Version of the article (1 for the first).
    pub version: u64,
    /// A short passage of the text around the matched words; matches inside `<b>` tags.
    pub snippet: String,
    /// The full record, when [`SearchRequest::with_records`] is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
}

/// A value and how many matching records have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (an entity name, a site, a language code, a day).
    pub value: String,
    /// Matching records with it.
    pub count: u64,
}

/// Facet counts over all matches of a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Most frequent entities, most first.
    pub entities: Vec<FacetCount>,
    /// Most frequent sites, most first.
    pub sites: Vec<FacetCount>,
    /// Languages, most first.
    pub languages: Vec<FacetCount>,
    /// Matches per day, in date order (every day that has any).
    pub days: Vec<FacetCount>,
}

impl Store {
    /// Builds the tantivy query of a request: the parsed query, restricted to current articles
    /// and to the filters.
    fn build_query(&self, req: &SearchRequest) -> Result<(Box<dyn Query>, Box<dyn Query>)> {
        let f = &self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.text]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        let rewritten = rewrite_not(req.query.trim());
        let q = rewritten.as_str();
        let user: Box<dyn Query> = if q.is_empty() || q == "*" {
            Box::new(tantivy::query::AllQuery)
        } else {
            match parser.parse_query(q) {
                Ok(query) => query,
                // A query of exclusions only (`NOT site:x`) excludes from everything.
                Err(tantivy::query::QueryParserError::AllButQueryForbidden) => parser
                    .parse_query(&format!("kind:{KIND_ARTICLE} {q}"))
                    .map_err(|e| IndexError::Query {
                        query: q.to_string(),
                        message: e.to_string(),
                    })?,
                Err(e) => {
                    return Err(IndexError::Query {
                        query: q.to_string(),
                        message: e.to_string(),
                    });
                }
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
        if let Some(lang) = &req.language {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.language, &lang.to_lowercase()),
                    IndexRecordOption::Basic,
                )),
            ));
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
                    query: q.to_string(),
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

    /// Runs a search on the last commit.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let f = self.fields;
        let (query, user) = self.build_query(req)?;
        let searcher = self.reader.searcher();
        let limit = req.limit.max(1);
        let top = TopDocs::with_limit(limit)
            .and_offset(req.offset)
            .order_by_score();
        let (top, total) = searcher.search(&query, &(top, Count)).map_err(self.err())?;
        let snippets = SnippetGenerator::create(&searcher, &*user, f.text).ok();
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(self.err())?;
            let (record, meta): (Record, RecordMeta) = self.record_of(&doc)?;
            let snippet = match &snippets {
                Some(g) => {
                    let mut s = g.snippet(&record.text);
                    s.set_snippet_prefix_postfix("<b>", "</b>");
                    if s.is_empty() {
                        lead(&record.text)
                    } else {
                        s.to_html()
                    }
                }
                None => lead(&record.text),
            };
            let day = record
                .published
                .as_deref()
                .and_then(parse_date)
                .or_else(|| meta.fetched_at.as_deref().and_then(parse_date))
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .map(|d| d.format("%Y-%m-%d").to_string());
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
                version: meta.version,
                snippet,
                record: req.with_records.then_some(record),
            });
        }
        let facets = if req.facets {
            Some(self.facets(&*query, req.facet_limit.max(1))?)
        } else {
            None
        };
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn facets(&self, query: &dyn Query, k: usize) -> Result<Facets> {
        let searcher = self.reader.searcher();
        let mut cols = Vec::new();
        for name in ["f_entity", "f_site", "f_language", "f_day"] {
            let mut c = FacetCollector::for_field(name);
            c.add_facet("/");
            cols.push(c);
        }
        let mut it = cols.into_iter();
        let (c1, c2, c3, c4) = (
            it.next().expect("four"),
            it.next().expect("four"),
            it.next().expect("four"),
            it.next().expect("four"),
        );
        let (e, (s, (l, d))) = searcher
            .search(query, &(c1, (c2, (c3, c4))))
            .map_err(self.err())?;
        let top = |counts: &tantivy::collector::FacetCounts, k: usize| -> Vec<FacetCount> {
            counts
                .top_k("/", k)
                .into_iter()
                .map(|(facet, count)| FacetCount {
                    value: facet_leaf(facet),
                    count,
                })
                .collect()
        };
        let mut days: Vec<FacetCount> = d
            .get("/")
            .map(|(facet, count)| FacetCount {
                value: facet_leaf(facet),
                count,
            })
            .collect();
        days.sort_by(|a, b| a.value.cmp(&b.value));
        Ok(Facets {
            entities: top(&e, k),
            sites: top(&s, k),
            languages: top(&l, k),
            days,
        })
    }
}

/// Rewrites the `NOT` operator into tantivy's `-` prefix: `a AND NOT b` becomes `a AND -b`,
/// `NOT (a OR b)` becomes `-(a OR b)`. Quoted phrases are left alone.
fn rewrite_not(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut in_quotes = false;
    let mut pending_not = false;
    let mut chars = q.char_indices().peekable();
    let bytes = q.as_bytes();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        let at_word_start = i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(';
        if !in_quotes
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
            while chars.peek().is_some_and(|(_, n)| n.is_whitespace()) {
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

fn facet_leaf(facet: &tantivy::schema::Facet) -> String {
    facet
        .to_path()
        .last()
        .map(|s| s.to_string())
        .unwrap_or_default()
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
    Ok(Term::from_field_date(
        field,
        tantivy::DateTime::from_timestamp_secs(secs),
    ))
}

#[cfg(test)]
mod tests {
    use super::rewrite_not;

    #[test]
    fn not_operator() {
        assert_eq!(rewrite_not("a AND NOT b"), "a AND -b");
        assert_eq!(rewrite_not("NOT (a OR b)"), "-(a OR b)");
        assert_eq!(rewrite_not("NOT site:x.com"), "-site:x.com");
        assert_eq!(rewrite_not("\"NOT this\" NOTE"), "\"NOT this\" NOTE");
        assert_eq!(rewrite_not("KNOT NOT"), "KNOT NOT");
    }
}
