//! The story stage in input order, as `newsmill ingest` runs it: near-duplicates and story
//! assignment over records that are already extracted and enriched.
//!
//! `ingest` and the Python wheel's ordered pass share [`item`] and [`assign`]; [`StoryPass`] adds
//! what the store does for `ingest`: a record whose id was seen with the same content (an exact
//! re-fetch, the same page under a URL with tracking parameters) is *unchanged* and not fed to
//! the stage again, and it keeps the story of its first read. So a driver that runs extract and
//! NLP in parallel (Spark, Ray), then feeds the records here in input order, gets the stories
//! `ingest` gives on the same input.

use std::collections::HashMap;

use newsmill_core::Record;
use newsmill_stories::{Assignment, Clusterer, Config, Item, Model, Prepared};

/// The record as the stage sees it: its time is `published`, else when it was fetched.
pub fn item<'a>(record: &'a Record, fetched_at: Option<&str>) -> Item<'a> {
    let mut item = Item::from_record(record);
    if item.time.is_none() {
        item.time = fetched_at.and_then(newsmill_stories::input::parse_time);
    }
    item
}

/// Assigns `record` (in input order), from what `prepared` holds or else preparing it now, and
/// sets its `story` and `duplicate_of`. A new version of an article may match its own earlier
/// version: that is not a copy, so `duplicate_of` is never the record's own id.
pub fn assign(
    clusterer: &mut Clusterer,
    record: &mut Record,
    fetched_at: Option<&str>,
    prepared: Option<Prepared>,
) -> Assignment {
    let it = item(record, fetched_at);
    let prepared = prepared.unwrap_or_else(|| clusterer.prepare(&it));
    let mut a = clusterer.push_prepared(&it, prepared);
    a.duplicate_of = a.duplicate_of.filter(|d| *d != record.id);
    record.duplicate_of.clone_from(&a.duplicate_of);
    record.story = Some(a.story.clone());
    a
}

/// What the pass remembers of an id: the hashes of its versions' contents and where it went.
#[derive(Debug, Clone)]
struct Seen {
    contents: Vec<u64>,
    story: String,
    duplicate_of: Option<String>,
}

/// The ordered story pass of a driver: records in, `story` and `duplicate_of` set.
///
/// Memory: the stage's own bounded state (see newsmill-stories) plus one entry per distinct
/// id seen (about 100 bytes, and 8 per version): run one pass per time window (a day of an archive), or
/// carry the stage on with [`StoryPass::to_json`] / [`StoryPass::from_json`].
#[derive(Debug)]
pub struct StoryPass {
    clusterer: Clusterer,
    seen: HashMap<String, Seen>,
    /// Records that started a story.
    pub new_stories: u64,
    /// Records marked as near-duplicates of an earlier one.
    pub duplicates: u64,
    /// Records skipped as unchanged re-reads of an id already seen.
    pub unchanged: u64,
}

impl Default for StoryPass {
    fn default() -> StoryPass {
        StoryPass::new()
    }
}

/// A hash of the record's content (`Record::content_json`), stable within a process.
fn content_hash(record: &Record) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    record.content_json().hash(&mut h);
    h.finish()
}

impl StoryPass {
    /// A pass that has seen nothing, with the built-in model and settings `ingest` uses.
    pub fn new() -> StoryPass {
        StoryPass::with_clusterer(Clusterer::new(Config::default(), Model::builtin()))
    }

    fn with_clusterer(clusterer: Clusterer) -> StoryPass {
        StoryPass {
            clusterer,
            seen: HashMap::new(),
            new_stories: 0,
            duplicates: 0,
            unchanged: 0,
        }
    }

    /// Restores the stage from [`StoryPass::to_json`] (or from the state `ingest` keeps in a
    /// store). The ids seen before are not part of it: feed only records not assigned yet.
    pub fn from_json(json: &str) -> newsmill_stories::Result<StoryPass> {
        Clusterer::from_json(json, Model::builtin()).map(StoryPass::with_clusterer)
    }

    /// The stage's state, to continue in a later pass.
    pub fn to_json(&self) -> newsmill_stories::Result<String> {
        self.clusterer.to_json()
    }

    /// Assigns one record, in input order, and sets its `story` and `duplicate_of`; returns
    /// false when the record is an unchanged re-read of an id seen before (it gets that
    /// read's story, and the stage does not see it again).
    pub fn assign(&mut self, record: &mut Record, fetched_at: Option<&str>) -> bool {
        let content = content_hash(record);
        // As the store: equal to the stored version or to any earlier one is unchanged.
        if let Some(seen) = self.seen.get(&record.id)
            && seen.contents.contains(&content)
        {
            record.story = Some(seen.story.clone());
            record.duplicate_of.clone_from(&seen.duplicate_of);
            self.unchanged += 1;
            return false;
        }
        let a = assign(&mut self.clusterer, record, fetched_at, None);
        self.new_stories += u64::from(a.new_story);
        self.duplicates += u64::from(a.duplicate_of.is_some());
        let seen = self.seen.entry(record.id.clone()).or_insert_with(|| Seen {
            contents: Vec::new(),
            story: String::new(),
            duplicate_of: None,
        });
        seen.contents.push(content);
        seen.story = a.story;
        seen.duplicate_of = a.duplicate_of;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, url: &str, text: &str) -> Record {
        Record {
            id: id.into(),
            origin: format!("{url}#0"),
            url: Some(url.into()),
            title: Some("Storm hits the coast".into()),
            text: text.into(),
            published: Some("2024-06-19T10:00:00Z".into()),
            ..Record::default()
        }
    }

    const TEXT: &str = "A storm hit the northern coast on Tuesday, cutting power to forty \
        thousand homes and closing the harbour. Officials said repairs would take days, and \
        schools in three towns stayed shut while crews cleared fallen trees from the roads.";

    #[test]
    fn an_unchanged_reread_keeps_its_story_and_is_not_fed_again() {
        let mut pass = StoryPass::new();
        let mut a = record("a1", "https://x.test/a", TEXT);
        assert!(pass.assign(&mut a, None));
        let mut again = record("a1", "https://x.test/a?utm_source=rss", TEXT);
        assert!(!pass.assign(&mut again, None));
        assert_eq!(again.story, a.story);
        assert_eq!(pass.unchanged, 1);
        let mut copy = record("b2", "https://y.test/b", TEXT);
        assert!(pass.assign(&mut copy, None));
        assert_eq!(copy.duplicate_of.as_deref(), Some("a1"));
        assert_eq!(copy.story, a.story);
    }

    #[test]
    fn a_new_version_is_fed_again_but_is_no_copy_of_itself() {
        let mut pass = StoryPass::new();
        let mut a = record("a1", "https://x.test/a", TEXT);
        pass.assign(&mut a, None);
        let mut v2 = record(
            "a1",
            "https://x.test/a",
            &format!("{TEXT} Updated at noon."),
        );
        assert!(pass.assign(&mut v2, None));
        assert_eq!(v2.duplicate_of, None);
        assert_eq!(v2.story, a.story);
    }

    #[test]
    fn the_time_is_published_else_the_fetch_time() {
        let mut r = record("a1", "https://x.test/a", TEXT);
        r.published = None;
        assert_eq!(
            item(&r, Some("2024-06-19T10:00:00Z")).time,
            Some(1_718_791_200)
        );
        r.published = Some("2024-06-18T10:00:00Z".into());
        assert_eq!(
            item(&r, Some("2024-06-19T10:00:00Z")).time,
            Some(1_718_704_800)
        );
    }
}
