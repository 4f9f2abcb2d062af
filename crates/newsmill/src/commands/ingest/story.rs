//! The story stage inside `ingest`: near-duplicates and online story assignment, after extract
//! and NLP, in input order.
//!
//! The stage's state (newsmill-stories' `Clusterer`, serialised) is saved by the store with
//! every commit (`Writer::set_state`), atomically with the records it has seen, so the next
//! ingest continues the same stories, and a re-run after a crash feeds the stage exactly the
//! records the last commit lacks (records already stored are `Unchanged` and skipped). The
//! summaries of the stories touched since the last commit are stored with it too.

use std::collections::BTreeSet;

use anyhow::Context;
use newsmill_core::Record;
use newsmill_index::{Store, Writer};
use newsmill_stories::{Clusterer, Config, Model, Prepared};

use crate::output::BrokenStoryState;

/// Name of the stage's state in the store.
pub(crate) const STATE: &str = "stories";

/// The story stage of one ingest run.
pub(crate) struct StoryStage {
    clusterer: Clusterer,
    touched: BTreeSet<String>,
    /// Articles that started a story, in this run.
    pub(crate) new_stories: u64,
    /// Articles marked as near-duplicates (or exact copies under another URL), in this run.
    pub(crate) duplicates: u64,
}

impl StoryStage {
    /// The stage as the store's last commit left it, or a fresh one. A state the commit names
    /// but that cannot be read is a [`BrokenStoryState`] (exit code 3), never silently
    /// replaced by a fresh one: stories would restart and split.
    pub(crate) fn load(store: &Store) -> anyhow::Result<StoryStage> {
        let dir = store.dir().display().to_string();
        let broken = |message: String| BrokenStoryState {
            dir: dir.clone(),
            message,
        };
        let clusterer = match store.committed_state(STATE) {
            Err(e) => return Err(broken(e.to_string()).into()),
            Ok(Some(bytes)) => {
                let json = String::from_utf8(bytes).map_err(|_| broken("not UTF-8".into()))?;
                Clusterer::from_json(&json, Model::builtin()).map_err(|e| broken(e.to_string()))?
            }
            Ok(None) => StoryStage::fresh(),
        };
        Ok(StoryStage {
            clusterer,
            touched: BTreeSet::new(),
            new_stories: 0,
            duplicates: 0,
        })
    }

    /// A stage that has seen nothing (for `newsmill stories --rebuild`).
    pub(crate) fn new() -> StoryStage {
        StoryStage {
            clusterer: StoryStage::fresh(),
            touched: BTreeSet::new(),
            new_stories: 0,
            duplicates: 0,
        }
    }

    /// A clusterer that has seen nothing, collecting the stories it closes.
    fn fresh() -> Clusterer {
        let mut c = Clusterer::new(Config::default(), Model::builtin());
        c.stories_mut().collect_closed(true);
        c
    }

    /// The pure part (signatures and vectors): any core may run it.
    pub(crate) fn prepare(&self, record: &Record, fetched_at: Option<&str>) -> Prepared {
        self.clusterer
            .prepare(&newsmill_pipeline::story::item(record, fetched_at))
    }

    /// The stage's pure half, for the threads that extract while this stage stores: it
    /// prepares records exactly as [`StoryStage::prepare`] does (preparing reads only the
    /// settings, never what the stage has seen).
    pub(crate) fn preparer(&self) -> Preparer {
        Preparer(Clusterer::new(
            self.clusterer.config().clone(),
            Model::builtin(),
        ))
    }

    /// Assigns `record` (in input order) and sets its `story` and `duplicate_of`.
    pub(crate) fn assign(&mut self, record: &mut Record, fetched_at: Option<&str>, p: Prepared) {
        let a = newsmill_pipeline::story::assign(&mut self.clusterer, record, fetched_at, Some(p));
        self.new_stories += u64::from(a.new_story);
        self.duplicates += u64::from(a.duplicate_of.is_some());
        self.touched.insert(a.story);
    }

    /// Saves the stage's state with the next commit, whether or not it saw anything since the
    /// last one (a rebuild over an empty store replaces a broken state too).
    pub(crate) fn save_state(&self, writer: &mut Writer<'_>) -> anyhow::Result<()> {
        self.write_state(writer)
    }

    /// Gives the writer the stage's state, serialised straight into its gzip stream.
    fn write_state(&self, writer: &mut Writer<'_>) -> anyhow::Result<()> {
        writer
            .set_state_with(STATE, |w| {
                self.clusterer.write_json(w).map_err(std::io::Error::other)
            })
            .context("serialising the story state")
    }

    /// Stores the summaries of the stories touched since the last commit, the aliases of the
    /// stories merged since (each absorbed id, and the ids merged into it before, now name
    /// the survivor; the absorbed summary is deleted) and the stage's state, then commits the
    /// store: records, stories, aliases and state land together.
    pub(crate) fn commit(&mut self, writer: &mut Writer<'_>) -> anyhow::Result<()> {
        let closed = self.clusterer.stories_mut().take_closed();
        let merges = self.clusterer.stories_mut().take_merges();
        if !self.touched.is_empty() {
            for s in closed.iter().filter(|s| self.touched.contains(&s.id)) {
                writer.put_story(s).context("storing a story")?;
            }
            let open: Vec<_> = self
                .clusterer
                .stories()
                .open_stories()
                .filter(|s| self.touched.contains(&s.id))
                .collect();
            for s in &open {
                writer.put_story(s).context("storing a story")?;
            }
            for m in &merges {
                for from in &m.from {
                    writer.put_alias(from, &m.into).with_context(|| {
                        format!("storing story {from} as an alias of {}", m.into)
                    })?;
                }
            }
            self.write_state(writer)?;
            self.touched.clear();
        }
        writer.commit().context("committing to the store")
    }
}

/// What [`StoryStage::preparer`] returns: prepares records on any thread.
pub(crate) struct Preparer(Clusterer);

impl Preparer {
    /// Same as [`StoryStage::prepare`].
    pub(crate) fn prepare(&self, record: &Record, fetched_at: Option<&str>) -> Prepared {
        self.0
            .prepare(&newsmill_pipeline::story::item(record, fetched_at))
    }
}
