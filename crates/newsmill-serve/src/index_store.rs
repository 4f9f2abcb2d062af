//! [`IndexStore`]: the [`Store`] over newsmill-index (tantivy), what `newsmill serve` runs on.
//!
//! Search, records, facets and per-day counts go straight to the index, whose hits and facets
//! are returned as they are (the same JSON `newsmill search` prints). Filters become the
//! index's exact-term filters. Two things the index does not offer yet are done here:
//! - **stories**: `newsmill ingest` stores each record's story and the story stage's summary
//!   of each story (listed as stored, as `newsmill stories` lists it); a catalog of every
//!   record's story, date, site and title is built by one walk over the store and rebuilt
//!   whenever the store's generation changes (a cost linear in the corpus, paid once per
//!   commit, not per request). A record without a story (a store written before stories were
//!   part of ingest) is a story of its own, and a story without a stored summary is summed up
//!   from its articles;
//! - **date order**: the index sorts by relevance only, so `newest`/`oldest` fetch every match's
//!   id and sort them here, refused (400) when more than [`DATE_SORT_LIMIT`] records match.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use newsmill_core::Record;
use newsmill_index::{IndexError, SearchRequest as IndexRequest};

use crate::store::{
    DayCount, EntityDetail, Filters, Hit, SearchPage, SearchRequest, Sort, Store, StoreError,
    StoreResult, StoryDetail, StorySummary, hit_of_record, newest_first, summary_of,
};

/// Most matches a `newest`/`oldest` search may have.
pub const DATE_SORT_LIMIT: usize = 5_000;
/// Most records one story or entity page, or one alert check, reads from the index.
const MEMBER_LIMIT: usize = 2_000;

/// The [`Store`] over an opened newsmill-index store.
pub struct IndexStore {
    store: newsmill_index::Store,
    catalog: Mutex<Option<Arc<Catalog>>>,
    /// Articles per day over the whole store, for one generation (every chart needs it).
    all_days: Mutex<Option<(u64, Vec<DayCount>)>>,
}

impl std::fmt::Debug for IndexStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// What the catalog keeps of each record.
#[derive(Debug, Clone)]
struct Entry {
    story: String,
    hit: Hit,
}

/// Every record's story and list fields, for one generation of the store.
#[derive(Debug, Default)]
struct Catalog {
    generation: u64,
    by_id: HashMap<String, Entry>,
    /// Story id → member ids, oldest first.
    members: HashMap<String, Vec<String>>,
    /// A merged story's id → the id of the story that absorbed it, as of now (chains
    /// followed).
    aliases: HashMap<String, String>,
    /// Summaries, most recently active first.
    stories: Vec<StorySummary>,
}

fn store_err(e: IndexError) -> StoreError {
    match e {
        IndexError::Query { query, message } => StoreError::Query { query, message },
        IndexError::BadDate { what, value } => StoreError::Filter {
            name: what.trim_start_matches('-').to_string(),
            message: format!("{value:?} is not a date"),
        },
        other => StoreError::Backend(other.to_string()),
    }
}

fn by_date(a: &Hit, b: &Hit, newest: bool) -> std::cmp::Ordering {
    let ord = match (a.published.as_deref(), b.published.as_deref()) {
        (Some(x), Some(y)) if newest => y.cmp(x),
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    ord.then_with(|| a.id.cmp(&b.id))
}

impl IndexStore {
    /// Opens the store in `data_dir` read-only.
    pub fn open(data_dir: impl AsRef<std::path::Path>) -> StoreResult<IndexStore> {
        let store = newsmill_index::Store::open(data_dir).map_err(store_err)?;
        Ok(IndexStore {
            store,
            catalog: Mutex::new(None),
            all_days: Mutex::new(None),
        })
    }

    /// The underlying index store.
    pub fn inner(&self) -> &newsmill_index::Store {
        &self.store
    }

    /// The catalog of the current generation, rebuilt when the store changed.
    fn catalog(&self) -> StoreResult<Arc<Catalog>> {
        let generation = self.generation();
        let mut slot = self.catalog.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = slot.as_ref()
            && c.generation == generation
        {
            return Ok(c.clone());
        }
        let mut by_id = HashMap::new();
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        // Stories merged into others: a record keeps the story id it was given, and is
        // listed under the story that id names now.
        let direct: HashMap<String, String> = self
            .store
            .story_aliases()
            .map_err(store_err)?
            .into_iter()
            .map(|a| (a.from, a.into))
            .collect();
        let aliases: HashMap<String, String> = direct
            .keys()
            .map(|from| {
                let mut id = from;
                for _ in 0..newsmill_index::MAX_ALIAS_HOPS {
                    match direct.get(id) {
                        Some(next) if next != id => id = next,
                        _ => break,
                    }
                }
                (from.clone(), id.clone())
            })
            .collect();
        let mut merged_into: HashMap<&str, Vec<String>> = HashMap::new();
        for (from, into) in &aliases {
            merged_into.entry(into).or_default().push(from.clone());
        }
        for item in self.store.records().map_err(store_err)? {
            // A corrupt document is skipped here; `get` reports it when it is asked for.
            let Ok((record, _meta)) = item else { continue };
            let given = record.story.clone().unwrap_or_else(|| record.id.clone());
            let story = aliases.get(&given).cloned().unwrap_or(given);
            members
                .entry(story.clone())
                .or_default()
                .push(record.id.clone());
            by_id.insert(
                record.id.clone(),
                Entry {
                    story,
                    hit: hit_of_record(&record, 0.0),
                },
            );
        }
        // The story stage's summaries, where stored: what `newsmill stories` lists.
        let mut stored: HashMap<String, StorySummary> = self
            .store
            .stories()
            .map_err(store_err)?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut stories = Vec::with_capacity(members.len());
        for (id, ids) in &mut members {
            let mut hits: Vec<&Hit> = ids
                .iter()
                .filter_map(|i| by_id.get(i).map(|e: &Entry| &e.hit))
                .collect();
            hits.sort_by(|a, b| by_date(a, b, false));
            *ids = hits.iter().map(|h| h.id.clone()).collect();
            let mut summary = stored.remove(id).unwrap_or_else(|| summary_of(id, &hits));
            if let Some(from) = merged_into.get(id.as_str()) {
                summary.aliases.clone_from(from);
                summary.aliases.sort();
            }
            stories.push(summary);
        }
        newest_first(&mut stories);
        let catalog = Arc::new(Catalog {
            generation,
            by_id,
            members,
            aliases,
            stories,
        });
        *slot = Some(catalog.clone());
        Ok(catalog)
    }

    fn request(
        query: &str,
        f: &Filters,
        offset: usize,
        limit: usize,
        facets: bool,
    ) -> IndexRequest {
        IndexRequest {
            query: query.to_string(),
            since: f.from.clone(),
            until: f.to.clone(),
            event_since: f.event_from.clone(),
            event_until: f.event_to.clone(),
            language: f.language.clone(),
            site: f.site.clone(),
            entity: f.entity.clone(),
            story: f.story.clone(),
            offset,
            limit,
            facets,
            facet_limit: newsmill_index::DEFAULT_FACET_LIMIT,
            with_records: false,
        }
    }

    /// The index's hit; a record stored without a story (before stories were part of
    /// ingest) is listed as a story of its own.
    fn hit(&self, mut h: Hit, catalog: Option<&Catalog>) -> Hit {
        if h.story.is_none() {
            h.story = catalog
                .and_then(|c| c.by_id.get(&h.id))
                .map(|e| e.story.clone());
        }
        h
    }

    /// Ids of every match (at most `cap`), best first.
    fn all_ids(&self, query: &str, f: &Filters, cap: usize) -> StoreResult<(usize, Vec<Hit>)> {
        let r = self
            .store
            .search(&IndexStore::request(query, f, 0, cap, false))
            .map_err(store_err)?;
        Ok((r.total, r.hits))
    }
}

impl Store for IndexStore {
    fn search(&self, req: &SearchRequest) -> StoreResult<SearchPage> {
        let catalog = self.catalog().ok();
        let (total, hits, facets) = match req.sort {
            Sort::Relevance => {
                let r = self
                    .store
                    .search(&IndexStore::request(
                        &req.query,
                        &req.filters,
                        req.offset,
                        req.limit,
                        req.facets,
                    ))
                    .map_err(store_err)?;
                let hits = r
                    .hits
                    .into_iter()
                    .map(|h| self.hit(h, catalog.as_deref()))
                    .collect();
                (r.total, hits, r.facets)
            }
            Sort::Newest | Sort::Oldest => {
                let r = self
                    .store
                    .search(&IndexStore::request(
                        &req.query,
                        &req.filters,
                        0,
                        DATE_SORT_LIMIT,
                        req.facets,
                    ))
                    .map_err(store_err)?;
                if r.total > DATE_SORT_LIMIT {
                    return Err(StoreError::Query {
                        query: req.query.clone(),
                        message: format!(
                            "{} matches: sorting by date works on at most {DATE_SORT_LIMIT}; add words or filters, or sort by relevance",
                            r.total
                        ),
                    });
                }
                let mut hits: Vec<Hit> = r
                    .hits
                    .into_iter()
                    .map(|h| self.hit(h, catalog.as_deref()))
                    .collect();
                hits.sort_by(|a, b| by_date(a, b, req.sort == Sort::Newest));
                let hits = hits.into_iter().skip(req.offset).take(req.limit).collect();
                (r.total, hits, r.facets)
            }
        };
        Ok(SearchPage {
            total: total as u64,
            hits,
            facets,
        })
    }

    fn record(&self, id: &str) -> StoreResult<Option<Record>> {
        self.store.get(id).map_err(store_err)
    }

    fn stories(&self, offset: usize, limit: usize) -> StoreResult<(u64, Vec<StorySummary>)> {
        let c = self.catalog()?;
        Ok((
            c.stories.len() as u64,
            c.stories.iter().skip(offset).take(limit).cloned().collect(),
        ))
    }

    fn story(&self, id: &str) -> StoreResult<Option<StoryDetail>> {
        let c = self.catalog()?;
        // An id merged into another story answers with the story that absorbed it.
        let id = c.aliases.get(id).map_or(id, String::as_str);
        let Some(ids) = c.members.get(id) else {
            return Ok(None);
        };
        let hits: Vec<&Hit> = ids
            .iter()
            .filter_map(|i| c.by_id.get(i).map(|e| &e.hit))
            .collect();
        let summary = c
            .stories
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .unwrap_or_else(|| summary_of(id, &hits));
        // The timeline needs the articles' dates: their full records.
        let mut records = Vec::new();
        for h in hits.iter().take(MEMBER_LIMIT) {
            if let Some(r) = self.store.get(&h.id).map_err(store_err)? {
                records.push(r);
            }
        }
        let refs: Vec<&Record> = records.iter().collect();
        Ok(Some(StoryDetail {
            summary,
            events: crate::store::timeline(&refs),
            items: hits.into_iter().take(MEMBER_LIMIT).cloned().collect(),
        }))
    }

    fn stories_matching(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> StoreResult<Vec<StorySummary>> {
        let c = self.catalog()?;
        let (_, hits) = self.all_ids(query, filters, MEMBER_LIMIT)?;
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        for h in &hits {
            if let Some(e) = c.by_id.get(&h.id) {
                seen.insert(e.story.as_str(), ());
            }
        }
        let mut v: Vec<StorySummary> = c
            .stories
            .iter()
            .filter(|s| seen.contains_key(s.id.as_str()))
            .cloned()
            .collect();
        newest_first(&mut v);
        v.truncate(limit);
        Ok(v)
    }

    fn entity(&self, name: &str, limit: usize) -> StoreResult<Option<EntityDetail>> {
        let f = Filters {
            entity: Some(name.to_string()),
            ..Filters::default()
        };
        let r = self
            .store
            .search(&IndexStore::request("", &f, 0, MEMBER_LIMIT, true))
            .map_err(store_err)?;
        if r.total == 0 {
            return Ok(None);
        }
        let c = self.catalog()?;
        // The type and the canonical spelling come from the newest record that names it.
        let mut hits: Vec<Hit> = r.hits.into_iter().map(|h| self.hit(h, Some(&c))).collect();
        hits.sort_by(|a, b| by_date(a, b, true));
        let mut kind = "MISC".to_string();
        let mut canonical = name.to_string();
        if let Some(first) = hits.first()
            && let Some(rec) = self.store.get(&first.id).map_err(store_err)?
            && let Some(e) = rec
                .entities
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(name))
        {
            kind = e.kind.as_str().to_string();
            canonical = e.name.clone();
        }
        let mut groups: BTreeMap<&str, ()> = BTreeMap::new();
        for h in &hits {
            if let Some(e) = c.by_id.get(&h.id) {
                groups.insert(e.story.as_str(), ());
            }
        }
        let mut stories: Vec<StorySummary> = c
            .stories
            .iter()
            .filter(|s| groups.contains_key(s.id.as_str()))
            .cloned()
            .collect();
        stories.sort_by(|a, b| b.articles.cmp(&a.articles).then_with(|| a.id.cmp(&b.id)));
        stories.truncate(limit);
        let days = r.facets.map(|f| f.day).unwrap_or_default();
        Ok(Some(EntityDetail {
            name: canonical,
            kind,
            total: r.total as u64,
            articles: hits.into_iter().take(limit).collect(),
            stories,
            articles_per_day: days
                .into_iter()
                .map(|d| DayCount {
                    day: d.value,
                    count: d.count,
                })
                .collect(),
        }))
    }

    fn per_day(&self, query: &str, filters: &Filters) -> StoreResult<Vec<DayCount>> {
        let everything = (query.trim().is_empty() || query.trim() == "*") && filters.is_empty();
        let generation = if everything { self.generation() } else { 0 };
        if everything
            && let Some((g, days)) = self
                .all_days
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
            && *g == generation
        {
            return Ok(days.clone());
        }
        let days = self.per_day_uncached(query, filters)?;
        if everything {
            *self.all_days.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((generation, days.clone()));
        }
        Ok(days)
    }

    fn generation(&self) -> u64 {
        // Articles plus earlier versions: grows with every commit that stores anything
        // (the index reloads a new commit on its own within a second).
        self.store
            .stats()
            .map(|s| s.articles.wrapping_mul(1_000_003).wrapping_add(s.versions))
            .unwrap_or(0)
    }
}

impl IndexStore {
    fn per_day_uncached(&self, query: &str, filters: &Filters) -> StoreResult<Vec<DayCount>> {
        let r = self
            .store
            .search(&IndexStore::request(query, filters, 0, 1, true))
            .map_err(store_err)?;
        Ok(r.facets
            .map(|f| f.day)
            .unwrap_or_default()
            .into_iter()
            .map(|d| DayCount {
                day: d.value,
                count: d.count,
            })
            .collect())
    }
}
