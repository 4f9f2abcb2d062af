//! The data the server reads, behind one small trait.
//!
//! [`Store`] is what the HTTP API and the pages need from the embedded index: search with
//! filters and facets, a record by id, stories, entities and per-day counts.
//! [`crate::IndexStore`] implements it over newsmill-index, for the binary and the tests alike
//! (tests wrap it to hold searches, as the concurrency limits' tests do).
//! Every method is blocking: the server calls them on tokio's blocking pool.

use newsmill_core::Record;
pub use newsmill_core::{FacetCount, Facets, Hit, StorySummary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The query does not parse; the message says where.
    #[error("malformed query {query:?}: {message}")]
    Query {
        /// The query as given.
        query: String,
        /// What is wrong with it.
        message: String,
    },
    /// A filter value is invalid (a date that is not `YYYY-MM-DD`, say).
    #[error("invalid filter {name}: {message}")]
    Filter {
        /// The filter's name.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// The store failed (I/O, a corrupt index). The message names the data directory.
    #[error("{0}")]
    Backend(String),
}

/// Result with [`StoreError`].
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// How search results are ordered. Ties are always broken by record id, so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Most recently published first (records without a date last).
    Newest,
    /// Oldest first (records without a date last).
    Oldest,
}

impl Sort {
    /// The name used in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }
}

/// Filters that narrow a search; each is an exact match on a stored field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Filters {
    /// Only records of this site (`bbc.com`).
    pub site: Option<String>,
    /// Only records in this language (ISO 639-1).
    pub language: Option<String>,
    /// Only records mentioning this entity (canonical name).
    pub entity: Option<String>,
    /// Only records of this story.
    pub story: Option<String>,
    /// Only records published on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only records published on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Only records whose event time (when their main event happened) reaches into this day
    /// or later (`YYYY-MM-DD`); records without an event time are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_from: Option<String>,
    /// Only records whose event time begins on or before this day (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_to: Option<String>,
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }
}

/// One search: a query in the store's query language, filters, order and a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// The query; empty matches everything.
    pub query: String,
    /// Exact-match filters.
    pub filters: Filters,
    /// Result order.
    pub sort: Sort,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Count facets over all matching records.
    pub facets: bool,
}

impl SearchRequest {
    /// A request for the first `limit` hits of `query`, by relevance, without facets.
    pub fn new(query: impl Into<String>, limit: usize) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            offset: 0,
            limit,
            facets: false,
        }
    }
}

/// The hit for a whole record (score as given, version 1, no highlights), with the first
/// 240 characters of its text as the snippet: for lists that show records, not matches.
pub(crate) fn hit_of_record(r: &Record, score: f32) -> Hit {
    Hit {
        id: r.id.clone(),
        score,
        title: r.title.clone(),
        site: r.site.clone(),
        url: r.canonical_url.clone().or_else(|| r.url.clone()),
        language: r.language.clone(),
        published: r.published.clone(),
        day: day_of(r.published.as_deref()).map(str::to_string),
        event_time: r.event_time.clone(),
        story: r.story.clone(),
        version: 1,
        snippet: snippet(&r.text, 240),
        highlights: Vec::new(),
        record: None,
    }
}

/// The day of an RFC 3339 date as written (in its own offset), when it starts with one.
fn day_of(date: Option<&str>) -> Option<&str> {
    let d = date?.get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    ok.then_some(d)
}

/// A story's summary computed from its articles (oldest first), for a story the story stage
/// left no summary of: the first titled article's title, no entities, sites and languages
/// counted over the articles (at most 50 each), first and last publication times.
pub(crate) fn summary_of(id: &str, members: &[&Hit]) -> StorySummary {
    let count = |value: fn(&Hit) -> Option<&String>| {
        let mut n: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
        for h in members {
            if let Some(v) = value(h) {
                *n.entry(v).or_insert(0) += 1;
            }
        }
        let mut v: Vec<FacetCount> = n
            .into_iter()
            .map(|(value, count)| FacetCount {
                value: value.to_string(),
                count,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        v.truncate(50);
        v
    };
    let times: Vec<i64> = members
        .iter()
        .filter_map(|h| h.published.as_deref())
        .filter_map(|p| chrono::DateTime::parse_from_rfc3339(p.trim()).ok())
        .map(|t| t.timestamp())
        .collect();
    StorySummary {
        id: id.to_string(),
        title: members
            .iter()
            .find_map(|h| h.title.clone())
            .unwrap_or_default(),
        articles: u32::try_from(members.len()).unwrap_or(u32::MAX),
        first_seen: times.iter().min().copied(),
        last_seen: times.iter().max().copied(),
        entities: Vec::new(),
        sites: count(|h| h.site.as_ref()),
        languages: count(|h| h.language.as_ref()),
        aliases: Vec::new(),
    }
}

/// Orders stories most recently active first (undated last), ties by id.
pub(crate) fn newest_first(v: &mut [StorySummary]) {
    v.sort_by(|a, b| match (a.last_seen, b.last_seen) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
}

/// The first `max` characters of `text`, cut at a word boundary, with an ellipsis when cut.
pub fn snippet(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{cut}…")
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SearchPage {
    /// Matching records in all.
    pub total: u64,
    /// This page's hits.
    pub hits: Vec<Hit>,
    /// Facets, when asked for.
    pub facets: Option<Facets>,
}

/// A story with its articles in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoryDetail {
    /// The summary.
    #[serde(flatten)]
    pub summary: StorySummary,
    /// Its articles, oldest first (undated last, by id).
    pub items: Vec<Hit>,
    /// The events its articles date, in time order (see [`timeline`]).
    #[serde(default)]
    pub events: Vec<TimelineEvent>,
}

/// One point of a story's timeline: a time the articles name (a day, a month, a year), with
/// the sentences that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimelineEvent {
    /// The TIMEX3 value (`2024-06-19`, `2024-06-19TMO`, `2024-06`, `1961`).
    pub value: String,
    /// The first day it covers (`YYYY-MM-DD`), for ordering.
    pub day: String,
    /// Whether an article gives it as its event time (when its main event happened).
    pub main: bool,
    /// Where the articles name it (at most five).
    pub mentions: Vec<EventMention>,
}

/// A sentence of an article that names a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventMention {
    /// The article.
    pub id: String,
    /// Its headline.
    pub title: Option<String>,
    /// The expression as written ("on Monday morning" gives "Monday morning").
    pub text: String,
    /// The sentence around it.
    pub context: String,
}

/// The events a story's articles date, in time order: every date or time an article names
/// whose year is known (durations, sets and vague references aside), merged by value, with
/// the sentences that name it; an article's event time is marked `main`. At most 100 events,
/// the articles' main events first when there are more.
pub fn timeline(records: &[&Record]) -> Vec<TimelineEvent> {
    use newsmill_core::TimexType;
    use std::collections::BTreeMap;
    let mut by_value: BTreeMap<String, TimelineEvent> = BTreeMap::new();
    for r in records {
        let chars: Vec<(usize, char)> = r.text.char_indices().collect();
        for d in &r.dates {
            if !matches!(d.kind, TimexType::Date | TimexType::Time) {
                continue;
            }
            let Some((first, _)) = newsmill_time::Value::parse(&d.value)
                .ok()
                .and_then(|v| v.interval())
            else {
                continue;
            };
            let e = by_value
                .entry(d.value.clone())
                .or_insert_with(|| TimelineEvent {
                    value: d.value.clone(),
                    day: first.format("%Y-%m-%d").to_string(),
                    main: false,
                    mentions: Vec::new(),
                });
            if r.event_time.as_deref() == Some(d.value.as_str()) {
                e.main = true;
            }
            if e.mentions.len() < 5 && !e.mentions.iter().any(|m| m.id == r.id) {
                e.mentions.push(EventMention {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    text: d.text.clone(),
                    context: sentence_around(&r.text, &chars, d.start, d.end),
                });
            }
        }
        // An event time taken from the publication date names no sentence.
        if let Some(v) = &r.event_time
            && !by_value.contains_key(v)
            && let Some((first, _)) = newsmill_time::Value::parse(v)
                .ok()
                .and_then(|x| x.interval())
        {
            by_value.insert(
                v.clone(),
                TimelineEvent {
                    value: v.clone(),
                    day: first.format("%Y-%m-%d").to_string(),
                    main: true,
                    mentions: vec![EventMention {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        text: String::new(),
                        context: String::new(),
                    }],
                },
            );
        }
    }
    let mut events: Vec<TimelineEvent> = by_value.into_values().collect();
    if events.len() > 100 {
        // Keep the main events and the most named others.
        events.sort_by_key(|e| {
            (
                std::cmp::Reverse(e.main),
                std::cmp::Reverse(e.mentions.len()),
            )
        });
        events.truncate(100);
    }
    // Time order; a coarser period (a year) before the days inside it.
    events.sort_by(|a, b| {
        a.day
            .cmp(&b.day)
            .then(a.value.len().cmp(&b.value.len()))
            .then(a.value.cmp(&b.value))
    });
    events
}

/// The sentence of `text` around characters `start..end`, at most about 240 characters.
fn sentence_around(text: &str, chars: &[(usize, char)], start: usize, end: usize) -> String {
    let n = chars.len();
    let (start, end) = (start.min(n), end.min(n));
    let is_stop = |k: usize| {
        let c = chars[k].1;
        (c == '.' || c == '!' || c == '?') && chars.get(k + 1).is_none_or(|x| x.1.is_whitespace())
            || c == '\n'
    };
    let mut a = start;
    while a > 0 && !is_stop(a - 1) && start - a < 160 {
        a -= 1;
    }
    let mut b = end;
    while b < n && !is_stop(b) && b - end < 160 {
        b += 1;
    }
    if b < n && chars[b].1 != '\n' {
        b += 1;
    }
    let byte = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let mut s = text[byte(a)..byte(b)].trim().to_string();
    if a > 0 && !is_stop(a - 1) {
        s.insert_str(0, "… ");
    }
    if b < n && !is_stop(b.saturating_sub(1)) {
        s.push_str(" …");
    }
    s
}

/// Articles per day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DayCount {
    /// The day, `YYYY-MM-DD`.
    pub day: String,
    /// Count.
    pub count: u64,
}

/// An entity, its articles, its stories and its mentions over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EntityDetail {
    /// Canonical name.
    pub name: String,
    /// Type (`PER`, `ORG`, `LOC`, `MISC`), the most frequent one when records disagree.
    #[serde(rename = "type")]
    pub kind: String,
    /// Records mentioning it.
    pub total: u64,
    /// The newest records mentioning it (at most the requested limit).
    pub articles: Vec<Hit>,
    /// Stories of those records, most articles first.
    pub stories: Vec<StorySummary>,
    /// Records mentioning it per publication day.
    pub articles_per_day: Vec<DayCount>,
}

/// What the server needs from the embedded index.
///
/// Implementations must be cheap to call concurrently (`&self`) and return results in a
/// stable order: equal keys are broken by id.
pub trait Store: Send + Sync + 'static {
    /// Searches with filters, order, paging and (when asked) facets.
    fn search(&self, request: &SearchRequest) -> StoreResult<SearchPage>;
    /// The whole record with this id.
    fn record(&self, id: &str) -> StoreResult<Option<Record>>;
    /// Stories, most recently active first; returns the total too.
    fn stories(&self, offset: usize, limit: usize) -> StoreResult<(u64, Vec<StorySummary>)>;
    /// One story with its articles in time order.
    fn story(&self, id: &str) -> StoreResult<Option<StoryDetail>>;
    /// Stories with at least one record matching `query` (and `filters`), newest first.
    /// A record without a story counts as a story of its own, with the record's id.
    fn stories_matching(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> StoreResult<Vec<StorySummary>>;
    /// An entity by canonical name, with at most `limit` articles.
    fn entity(&self, name: &str, limit: usize) -> StoreResult<Option<EntityDetail>>;
    /// Records per publication day matching `query` and `filters`; all records when the query
    /// is empty and there are no filters. Days in ascending order; undated records are left out.
    fn per_day(&self, query: &str, filters: &Filters) -> StoreResult<Vec<DayCount>>;
    /// A number that changes whenever new records become visible (a commit, a batch).
    fn generation(&self) -> u64;
}
