//! [`MemoryStore`]: the [`Store`] over records held in memory.
//!
//! It exists for tests and for small corpora, and as a reference for what the index must
//! answer. Its query language is a subset of the index's: words (all must occur), `"phrases"`,
//! `-word` to exclude, and `field:value` for `title`, `site`, `lang`, `entity` and `story`.
//! `AND` between clauses is accepted and ignored; `OR` and parentheses are rejected as
//! malformed, so a test never silently gets different semantics.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use newsmill_core::Record;

use crate::store::{
    DayCount, EntityDetail, FacetCount, Facets, Filters, Hit, SearchPage, SearchRequest, Sort,
    Store, StoreError, StoreResult, StoryDetail, StorySummary, hit_of_record, newest_first,
    summary_of,
};

/// A [`Store`] over records in memory. Adding records bumps its generation.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    docs: Vec<Doc>,
    by_id: HashMap<String, usize>,
    generation: u64,
}

#[derive(Debug)]
struct Doc {
    record: Record,
    title_tokens: Vec<String>,
    body_tokens: Vec<String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store holding `records`.
    pub fn with_records(records: impl IntoIterator<Item = Record>) -> MemoryStore {
        let store = MemoryStore::new();
        store.add(records);
        store
    }

    /// Adds a batch of records (a record with a known id replaces the old one) and bumps the
    /// generation once.
    pub fn add(&self, records: impl IntoIterator<Item = Record>) {
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        for record in records {
            let doc = Doc {
                title_tokens: tokens(record.title.as_deref().unwrap_or("")),
                body_tokens: tokens(&format!(
                    "{}\n{}",
                    record.dek.as_deref().unwrap_or(""),
                    record.text
                )),
                record,
            };
            match inner.by_id.get(&doc.record.id) {
                Some(&i) => inner.docs[i] = doc,
                None => {
                    let i = inner.docs.len();
                    inner.by_id.insert(doc.record.id.clone(), i);
                    inner.docs.push(doc);
                }
            }
        }
        inner.generation += 1;
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.read().docs.len()
    }

    /// True when the store holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Lowercased alphanumeric words.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// One clause of a parsed query.
#[derive(Debug, Clone, PartialEq)]
enum Clause {
    Words(Vec<String>),
    Field(Field, String),
    Not(Box<Clause>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Title,
    Site,
    Lang,
    Entity,
    Story,
}

fn parse_query(query: &str) -> StoreResult<Vec<Clause>> {
    let err = |message: &str| StoreError::Query {
        query: query.to_string(),
        message: message.to_string(),
    };
    let mut clauses = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        let negate = rest.starts_with('-');
        if negate {
            rest = &rest[1..];
        }
        let (clause, tail) = if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').ok_or_else(|| err("unbalanced quote"))?;
            let words = tokens(&after[..end]);
            if words.is_empty() {
                return Err(err("empty phrase"));
            }
            (Clause::Words(words), &after[end + 1..])
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            if word.contains(['(', ')']) {
                return Err(err("parentheses are not supported"));
            }
            if word == "OR" {
                return Err(err("OR is not supported"));
            }
            if word == "AND" && !negate {
                rest = rest[end..].trim_start();
                continue;
            }
            let clause = match word.split_once(':') {
                Some((name, value)) => {
                    let field = match name {
                        "title" => Field::Title,
                        "site" => Field::Site,
                        "lang" | "language" => Field::Lang,
                        "entity" => Field::Entity,
                        "story" => Field::Story,
                        _ => return Err(err(&format!("unknown field {name:?}"))),
                    };
                    let (value, tail) = if value.starts_with('"') {
                        // A quoted value may hold spaces: `entity:"Kim Jong Un"`.
                        let after_all = &rest[word.len() - value.len() + 1..];
                        let close = after_all.find('"').ok_or_else(|| err("unbalanced quote"))?;
                        (after_all[..close].to_string(), &after_all[close + 1..])
                    } else {
                        (value.to_string(), &rest[end..])
                    };
                    if value.is_empty() {
                        return Err(err(&format!("empty value for {name}:")));
                    }
                    rest = tail;
                    let clause = Clause::Field(field, value);
                    clauses.push(if negate {
                        Clause::Not(Box::new(clause))
                    } else {
                        clause
                    });
                    rest = rest.trim_start();
                    continue;
                }
                None => {
                    let words = tokens(word);
                    if words.is_empty() {
                        rest = rest[end..].trim_start();
                        continue;
                    }
                    Clause::Words(words)
                }
            };
            (clause, &rest[end..])
        };
        clauses.push(if negate {
            Clause::Not(Box::new(clause))
        } else {
            clause
        });
        rest = tail.trim_start();
    }
    Ok(clauses)
}

fn count_seq(hay: &[String], needle: &[String]) -> usize {
    if needle.is_empty() || needle.len() > hay.len() {
        return 0;
    }
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// The score of `doc` for one clause; 0 means no match (negations score 1 when they hold).
fn clause_score(doc: &Doc, clause: &Clause) -> f32 {
    let r = &doc.record;
    match clause {
        Clause::Words(words) => {
            let title = count_seq(&doc.title_tokens, words);
            let body = count_seq(&doc.body_tokens, words);
            (3 * title + body) as f32
        }
        Clause::Field(field, value) => {
            let hit = match field {
                Field::Title => {
                    let words = tokens(value);
                    count_seq(&doc.title_tokens, &words) > 0
                }
                Field::Site => r.site.as_deref() == Some(value.as_str()),
                Field::Lang => r.language.as_deref() == Some(value.as_str()),
                Field::Entity => r.entities.iter().any(|e| e.name == *value),
                Field::Story => story_of(r) == value,
            };
            if hit { 1.0 } else { 0.0 }
        }
        Clause::Not(inner) => {
            if clause_score(doc, inner) > 0.0 {
                0.0
            } else {
                1.0
            }
        }
    }
}

fn score(doc: &Doc, clauses: &[Clause]) -> Option<f32> {
    let mut total = 0.0;
    for c in clauses {
        let s = clause_score(doc, c);
        if s <= 0.0 {
            return None;
        }
        if !matches!(c, Clause::Not(_)) {
            total += s;
        }
    }
    Some(total)
}

/// The story a record belongs to: its `story`, else its own id.
pub(crate) fn story_of(r: &Record) -> &str {
    r.story.as_deref().unwrap_or(&r.id)
}

/// `YYYY-MM-DD` of an RFC 3339 date, when it starts with one.
pub(crate) fn day_of(date: Option<&str>) -> Option<&str> {
    let d = date?.get(..10)?;
    let b = d.as_bytes();
    let ok = b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        _ => c.is_ascii_digit(),
    });
    ok.then_some(d)
}

fn check_day(name: &str, value: &Option<String>) -> StoreResult<()> {
    if let Some(v) = value
        && (v.len() != 10 || day_of(Some(v)).is_none())
    {
        return Err(StoreError::Filter {
            name: name.to_string(),
            message: format!("{v:?} is not a day (YYYY-MM-DD)"),
        });
    }
    Ok(())
}

fn passes(r: &Record, f: &Filters) -> bool {
    let eq =
        |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
    if !eq(&f.site, r.site.as_deref()) || !eq(&f.language, r.language.as_deref()) {
        return false;
    }
    if let Some(s) = &f.story
        && story_of(r) != s
    {
        return false;
    }
    if let Some(e) = &f.entity
        && !r.entities.iter().any(|x| x.name == *e)
    {
        return false;
    }
    if f.from.is_some() || f.to.is_some() {
        let Some(day) = day_of(r.published.as_deref()) else {
            return false;
        };
        if f.from.as_deref().is_some_and(|from| day < from)
            || f.to.as_deref().is_some_and(|to| day > to)
        {
            return false;
        }
    }
    if f.event_from.is_some() || f.event_to.is_some() {
        // The event time's days overlap the asked ones.
        let Some((first, last)) = r
            .event_time
            .as_deref()
            .and_then(|v| newsmill_time::Value::parse(v).ok())
            .and_then(|v| v.interval())
        else {
            return false;
        };
        let (first, last) = (first.to_string(), last.to_string());
        if f.event_from
            .as_deref()
            .is_some_and(|from| last.as_str() < from)
            || f.event_to.as_deref().is_some_and(|to| first.as_str() > to)
        {
            return false;
        }
    }
    true
}

/// Orders by date (undated last), then id.
fn by_date(a: &Record, b: &Record, newest: bool) -> std::cmp::Ordering {
    let (da, db) = (a.published.as_deref(), b.published.as_deref());
    let ord = match (da, db) {
        (Some(x), Some(y)) => {
            if newest {
                y.cmp(x)
            } else {
                x.cmp(y)
            }
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    ord.then_with(|| a.id.cmp(&b.id))
}

fn top(counts: HashMap<String, u64>, n: usize) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(n);
    v
}

impl Inner {
    fn matching(&self, query: &str, filters: &Filters) -> StoreResult<Vec<(usize, f32)>> {
        check_day("from", &filters.from)?;
        check_day("to", &filters.to)?;
        check_day("event_from", &filters.event_from)?;
        check_day("event_to", &filters.event_to)?;
        let clauses = parse_query(query)?;
        Ok(self
            .docs
            .iter()
            .enumerate()
            .filter(|(_, d)| passes(&d.record, filters))
            .filter_map(|(i, d)| score(d, &clauses).map(|s| (i, s)))
            .collect())
    }

    fn summary(&self, id: &str, members: &[usize]) -> StorySummary {
        let mut recs: Vec<&Record> = members.iter().map(|&i| &self.docs[i].record).collect();
        recs.sort_by(|a, b| by_date(a, b, false));
        let hits: Vec<Hit> = recs.iter().map(|r| hit_of_record(r, 0.0)).collect();
        summary_of(id, &hits.iter().collect::<Vec<_>>())
    }

    fn groups(&self, docs: impl Iterator<Item = usize>) -> BTreeMap<String, Vec<usize>> {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in docs {
            groups
                .entry(story_of(&self.docs[i].record).to_string())
                .or_default()
                .push(i);
        }
        groups
    }

    fn summaries_newest(&self, groups: BTreeMap<String, Vec<usize>>) -> Vec<StorySummary> {
        let mut v: Vec<StorySummary> = groups
            .iter()
            .map(|(id, members)| self.summary(id, members))
            .collect();
        newest_first(&mut v);
        v
    }
}

impl Store for MemoryStore {
    fn search(&self, req: &SearchRequest) -> StoreResult<SearchPage> {
        let inner = self.read();
        let mut hits = inner.matching(&req.query, &req.filters)?;
        let facets = req.facets.then(|| {
            let (mut site, mut language, mut entity) =
                (HashMap::new(), HashMap::new(), HashMap::new());
            let mut day: BTreeMap<String, u64> = BTreeMap::new();
            for &(i, _) in &hits {
                let r = &inner.docs[i].record;
                if let Some(d) = day_of(r.published.as_deref()) {
                    *day.entry(d.to_string()).or_insert(0) += 1;
                }
                if let Some(s) = &r.site {
                    *site.entry(s.clone()).or_insert(0) += 1;
                }
                if let Some(l) = &r.language {
                    *language.entry(l.clone()).or_insert(0) += 1;
                }
                let mut seen: Vec<&str> = r.entities.iter().map(|e| e.name.as_str()).collect();
                seen.sort_unstable();
                seen.dedup();
                for e in seen {
                    *entity.entry(e.to_string()).or_insert(0) += 1;
                }
            }
            Facets {
                site: top(site, 20),
                language: top(language, 20),
                entity: top(entity, 20),
                day: day
                    .into_iter()
                    .map(|(value, count)| FacetCount { value, count })
                    .collect(),
            }
        });
        let docs = &inner.docs;
        match req.sort {
            Sort::Relevance => hits.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| docs[a.0].record.id.cmp(&docs[b.0].record.id))
            }),
            Sort::Newest | Sort::Oldest => hits.sort_by(|a, b| {
                by_date(
                    &docs[a.0].record,
                    &docs[b.0].record,
                    req.sort == Sort::Newest,
                )
            }),
        }
        Ok(SearchPage {
            total: hits.len() as u64,
            hits: hits
                .iter()
                .skip(req.offset)
                .take(req.limit)
                .map(|&(i, s)| hit_of_record(&docs[i].record, s))
                .collect(),
            facets,
        })
    }

    fn record(&self, id: &str) -> StoreResult<Option<Record>> {
        let inner = self.read();
        Ok(inner.by_id.get(id).map(|&i| inner.docs[i].record.clone()))
    }

    fn stories(&self, offset: usize, limit: usize) -> StoreResult<(u64, Vec<StorySummary>)> {
        let inner = self.read();
        let groups = inner.groups(0..inner.docs.len());
        let all = inner.summaries_newest(groups);
        Ok((
            all.len() as u64,
            all.into_iter().skip(offset).take(limit).collect(),
        ))
    }

    fn story(&self, id: &str) -> StoreResult<Option<StoryDetail>> {
        let inner = self.read();
        let members: Vec<usize> = (0..inner.docs.len())
            .filter(|&i| story_of(&inner.docs[i].record) == id)
            .collect();
        if members.is_empty() {
            return Ok(None);
        }
        let summary = inner.summary(id, &members);
        let mut recs: Vec<&Record> = members.iter().map(|&i| &inner.docs[i].record).collect();
        recs.sort_by(|a, b| by_date(a, b, false));
        Ok(Some(StoryDetail {
            summary,
            events: crate::store::timeline(&recs),
            items: recs.into_iter().map(|r| hit_of_record(r, 0.0)).collect(),
        }))
    }

    fn stories_matching(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> StoreResult<Vec<StorySummary>> {
        let inner = self.read();
        let hits = inner.matching(query, filters)?;
        let groups = inner.groups(hits.iter().map(|h| h.0));
        let mut v = inner.summaries_newest(groups);
        v.truncate(limit);
        Ok(v)
    }

    fn entity(&self, name: &str, limit: usize) -> StoreResult<Option<EntityDetail>> {
        let inner = self.read();
        let mut kinds: HashMap<&'static str, u64> = HashMap::new();
        let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
        let mut members = Vec::new();
        for (i, d) in inner.docs.iter().enumerate() {
            let mut found = false;
            for e in d.record.entities.iter().filter(|e| e.name == name) {
                found = true;
                *kinds.entry(e.kind.as_str()).or_insert(0) += e.count as u64;
            }
            if found {
                if let Some(day) = day_of(d.record.published.as_deref()) {
                    *per_day.entry(day.to_string()).or_insert(0) += 1;
                }
                members.push(i);
            }
        }
        if members.is_empty() {
            return Ok(None);
        }
        let mut kinds: Vec<(&str, u64)> = kinds.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut recs: Vec<&Record> = members.iter().map(|&i| &inner.docs[i].record).collect();
        recs.sort_by(|a, b| by_date(a, b, true));
        let mut stories = inner.summaries_newest(inner.groups(members.iter().copied()));
        stories.sort_by(|a, b| b.articles.cmp(&a.articles).then_with(|| a.id.cmp(&b.id)));
        stories.truncate(limit);
        Ok(Some(EntityDetail {
            name: name.to_string(),
            kind: kinds[0].0.to_string(),
            total: members.len() as u64,
            articles: recs
                .into_iter()
                .take(limit)
                .map(|r| hit_of_record(r, 0.0))
                .collect(),
            stories,
            articles_per_day: per_day
                .into_iter()
                .map(|(day, count)| DayCount { day, count })
                .collect(),
        }))
    }

    fn per_day(&self, query: &str, filters: &Filters) -> StoreResult<Vec<DayCount>> {
        let inner = self.read();
        let hits = inner.matching(query, filters)?;
        let mut days: BTreeMap<&str, u64> = BTreeMap::new();
        for (i, _) in hits {
            if let Some(d) = day_of(inner.docs[i].record.published.as_deref()) {
                *days.entry(d).or_insert(0) += 1;
            }
        }
        Ok(days
            .into_iter()
            .map(|(day, count)| DayCount {
                day: day.to_string(),
                count,
            })
            .collect())
    }

    fn generation(&self) -> u64 {
        self.read().generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, title: &str, text: &str, site: &str, day: &str, story: &str) -> Record {
        Record {
            id: id.into(),
            title: Some(title.into()),
            text: text.into(),
            site: Some(site.into()),
            language: Some("en".into()),
            published: Some(format!("{day}T10:00:00Z")),
            story: Some(story.into()),
            ..Record::default()
        }
    }

    fn store() -> MemoryStore {
        MemoryStore::with_records([
            rec(
                "a",
                "Harbour reopens",
                "The harbour reopened on Monday.",
                "x.com",
                "2024-06-01",
                "s1",
            ),
            rec(
                "b",
                "Storm hits coast",
                "A storm closed the harbour.",
                "y.com",
                "2024-06-02",
                "s1",
            ),
            rec(
                "c",
                "Election results",
                "Votes were counted.",
                "x.com",
                "2024-06-02",
                "s2",
            ),
        ])
    }

    fn ids(page: &SearchPage) -> Vec<&str> {
        page.hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn query_language() {
        let s = store();
        let q = |q: &str| s.search(&SearchRequest::new(q, 10)).unwrap();
        assert_eq!(ids(&q("harbour")), ["a", "b"]);
        assert_eq!(ids(&q("harbour -storm")), ["a"]);
        assert_eq!(ids(&q("\"harbour reopened\"")), ["a"]);
        assert_eq!(ids(&q("site:x.com")), ["a", "c"]);
        assert_eq!(ids(&q("harbour AND site:y.com")), ["b"]);
        assert_eq!(q("").total, 3);
        for bad in ["\"open", "a OR b", "(a)", "nope:x", "site:"] {
            assert!(matches!(
                s.search(&SearchRequest::new(bad, 10)),
                Err(StoreError::Query { .. })
            ));
        }
    }

    #[test]
    fn stories_and_days() {
        let s = store();
        let (n, list) = s.stories(0, 10).unwrap();
        assert_eq!(n, 2);
        assert_eq!(list[0].id, "s1");
        let st = s.story("s1").unwrap().unwrap();
        assert_eq!(
            st.items.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let days = s.per_day("", &Filters::default()).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].count, 2);
        let m = s
            .stories_matching("harbour", &Filters::default(), 10)
            .unwrap();
        assert_eq!(m.len(), 1);
    }
}
