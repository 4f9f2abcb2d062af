//! Near-duplicates and online story clustering: newsmill's one stateful stage.
//!
//! A [`Clusterer`] takes articles one at a time, in arrival order, and says for each which story
//! it belongs to and, when it is a copy, which earlier article it copies ([`Assignment`]). It
//! never looks ahead and never revisits a decision, so it runs on an endless stream; what it
//! remembers is bounded by a [`Window`] (closed stories and old documents are forgotten).
//!
//! - Duplicates ([`dedup`]): same canonical URL, same normalised text, or MinHash containment of
//!   word 5-shingles above a threshold, found through LSH banding. `duplicate_of` names the
//!   first copy, and a copy joins its original's story.
//! - Stories ([`cluster`]): TF-IDF vectors over title, body and names with document frequencies
//!   learned online; candidate stories from an inverted index; a logistic [`Model`] trained on
//!   the dev set decides between the best candidate and a new story.
//!
//! The whole state is serde-serialisable, so a store can persist it and resume. The same input
//! in the same order gives the same output. The crate does no I/O: the caller reads the input
//! ([`input::parse_line`] parses the `newsmill stories` JSON Lines) and passes the model in.
//!
//! What it does not do: read files, talk to the index, or detect duplicates across the window
//! boundary (a copy arriving after its original was forgotten starts afresh).
//!
//! # Example
//!
//! ```
//! use newsmill_stories::{Clusterer, Config, Item, Model};
//!
//! let mut c = Clusterer::new(Config::default(), Model::builtin());
//! let quake = "A powerful earthquake struck southern Iran on Sunday, destroying seven villages \
//!              and killing ten people, state television reported. Rescue teams reached Qeshm.";
//! let a = c.push(&Item::new("a", "Quake kills 10 in Iran", quake));
//! let b = c.push(&Item::new("b", "Iran earthquake: ten dead", quake));
//! assert_eq!(b.duplicate_of.as_deref(), Some("a"));
//! assert_eq!(b.story, a.story);
//! ```

pub mod behaviour;
pub mod cluster;
pub mod dedup;
pub mod eval;
mod evidence;
pub mod input;
pub mod minhash;
pub mod model;
mod text;

use newsmill_core::{DateMention, Entity, Quote, Record};
use serde::{Deserialize, Serialize};

pub use cluster::{MAX_ALIASES, Stories, StoryConfig, StoryCount, StoryMerge};
pub use dedup::{DedupConfig, Deduper, MatchKind};
pub use minhash::{MinHasher, Signature};
pub use model::{DfPrior, Example, Features, Model};
pub use newsmill_core::{StoryEntity, StorySummary};

/// Errors of the story stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A line of `newsmill stories` input could not be read.
    #[error("{0}")]
    Input(String),
    /// A model file is malformed.
    #[error("story model: {0}")]
    Model(String),
    /// A saved state could not be read.
    #[error("story state: {0}")]
    State(String),
}

/// Result with the stories [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One article as the stage sees it. Borrowed, so wrapping a [`Record`] costs nothing.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// The article's id.
    pub id: &'a str,
    /// Publication (or arrival) time in Unix seconds, when known.
    pub time: Option<i64>,
    /// Headline.
    pub title: &'a str,
    /// Body text.
    pub text: &'a str,
    /// Canonical URL, when known.
    pub canonical_url: Option<&'a str>,
    /// Entities from the NLP stage (empty when it has not run).
    pub entities: &'a [Entity],
    /// When the article's main event happened (a TIMEX3 value, `record.event_time`).
    pub event_time: Option<&'a str>,
    /// Where the event time came from (`provenance.event_time`: `dateline`, `lead`,
    /// `first-date`, `published`); a date found deeper in the text (`first-date`) may be a
    /// past event the article recalls, so it is weaker evidence.
    pub event_source: Option<&'a str>,
    /// Temporal expressions of the text (`record.dates`); full calendar dates are evidence.
    pub dates: &'a [DateMention],
    /// Quotes with their speakers (`record.quotes`); a speaker is an actor of the event.
    pub quotes: &'a [Quote],
    /// ISO 639-1 code of the body's language, when known.
    pub language: Option<&'a str>,
    /// The outlet (the record's `site`), when known.
    pub site: Option<&'a str>,
}

impl<'a> Item<'a> {
    /// An item with an id, a title and a text only.
    pub fn new(id: &'a str, title: &'a str, text: &'a str) -> Item<'a> {
        Item {
            id,
            time: None,
            title,
            text,
            canonical_url: None,
            entities: &[],
            event_time: None,
            event_source: None,
            dates: &[],
            quotes: &[],
            language: None,
            site: None,
        }
    }

    /// A record as an item: `published` (RFC 3339) becomes the time when it parses; the
    /// entities, quotes, dates, event time, language and site come along as evidence.
    pub fn from_record(r: &'a Record) -> Item<'a> {
        Item {
            id: &r.id,
            time: r.published.as_deref().and_then(input::parse_time),
            title: r.title.as_deref().unwrap_or(""),
            text: &r.text,
            canonical_url: r.canonical_url.as_deref(),
            entities: &r.entities,
            event_time: r.event_time.as_deref(),
            event_source: r.provenance.get("event_time").map(String::as_str),
            dates: &r.dates,
            quotes: &r.quotes,
            language: r.language.as_deref(),
            site: r.site.as_deref(),
        }
    }
}

/// How long the stage remembers: whichever limit comes first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Seconds without a new article after which a story closes (or a document is forgotten).
    pub secs: i64,
    /// Articles arrived without a new article for it after which a story closes (or a document
    /// is forgotten); this bounds memory when times are missing or the stream is dense.
    pub docs: u64,
}

/// Settings of the whole stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Near-duplicate settings.
    pub dedup: DedupConfig,
    /// How long documents stay in the near-duplicate index.
    pub dedup_window: Window,
    /// Story settings.
    pub stories: StoryConfig,
    /// How long a story stays open without new articles.
    pub story_window: Window,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            dedup: DedupConfig::default(),
            dedup_window: Window {
                secs: 2 * 86_400,
                docs: 50_000,
            },
            stories: StoryConfig::default(),
            story_window: Window {
                secs: 3 * 86_400,
                docs: 200_000,
            },
        }
    }
}

/// Where one article went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// The story id (the id of the story's first article).
    pub story: String,
    /// The id of the first copy when this article is a duplicate.
    pub duplicate_of: Option<String>,
    /// How the duplicate was recognised.
    pub match_kind: Option<MatchKind>,
    /// True when the article started a new story.
    pub new_story: bool,
    /// The model's probability for the best candidate story (1 for duplicates, 0 without one).
    pub probability: f64,
    /// Story ids that, from this article on, name `story` (the article showed their stories
    /// to be one event and they were merged); empty almost always.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<String>,
}

/// What [`Clusterer::prepare`] computes for an item: pure, so it can run on any core.
#[derive(Debug, Clone)]
pub struct Prepared {
    dedup: dedup::Prepared,
    terms: cluster::DocTerms,
}

/// The story stage: dedup plus online clustering. See the crate docs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Clusterer {
    config: Config,
    #[serde(skip, default = "Model::builtin")]
    model: Model,
    seq: u64,
    now: Option<i64>,
    dedup: Deduper,
    stories: Stories,
}

impl Clusterer {
    /// An empty stage.
    pub fn new(config: Config, model: Model) -> Clusterer {
        let mut stories = Stories::new(config.stories.clone());
        stories.seed(model.df_prior.as_ref());
        Clusterer {
            dedup: Deduper::new(config.dedup.clone()),
            stories,
            config,
            model,
            seq: 0,
            now: None,
        }
    }

    /// Restores a state saved with [`Clusterer::to_json`]; the model is passed in again.
    pub fn from_json(json: &str, model: Model) -> Result<Clusterer> {
        let mut c: Clusterer =
            serde_json::from_str(json).map_err(|e| Error::State(e.to_string()))?;
        c.model = model;
        Ok(c)
    }

    /// Saves the state (everything but the model) as JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::State(e.to_string()))
    }

    /// Writes the JSON of [`Clusterer::to_json`] to `out` as it is made (a large state never
    /// sits in memory as one string).
    pub fn write_json(&self, out: impl std::io::Write) -> Result<()> {
        serde_json::to_writer(out, self).map_err(|e| Error::State(e.to_string()))
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Articles seen so far.
    pub fn seen(&self) -> u64 {
        self.seq
    }

    /// The story state (open stories, closed ones when collected).
    pub fn stories(&self) -> &Stories {
        &self.stories
    }

    /// Mutable story state: `collect_closed(true)` and `take_closed()` are for a store.
    pub fn stories_mut(&mut self) -> &mut Stories {
        &mut self.stories
    }

    /// Documents in the near-duplicate window.
    pub fn dedup_len(&self) -> usize {
        self.dedup.len()
    }

    /// Computes an item's signature and vectors. Pure: callers may run it in parallel and feed
    /// the results to [`Clusterer::push_prepared`] in arrival order.
    pub fn prepare(&self, item: &Item<'_>) -> Prepared {
        // One tokenising pass for both: dedup hashes the body's words as the story stage
        // reads them (the body is the text, or the title when the text is empty).
        let mut words = dedup::WordHashes::with_capacity(item.text.len() / 5);
        let terms = self.stories.prepare_with(item, |w| words.push(w));
        Prepared {
            dedup: self.dedup.prepare_words(words, item.canonical_url),
            terms,
        }
    }

    /// Assigns one article (prepare and push).
    pub fn push(&mut self, item: &Item<'_>) -> Assignment {
        let p = self.prepare(item);
        self.push_prepared(item, p)
    }

    /// Assigns one article from what [`Clusterer::prepare`] computed for it.
    pub fn push_prepared(&mut self, item: &Item<'_>, prepared: Prepared) -> Assignment {
        let seq = self.seq;
        self.seq += 1;
        if let Some(t) = item.time {
            self.now = Some(self.now.map_or(t, |n| n.max(t)));
        }
        let now = self.now;
        self.evict(seq, now);

        let found = self.dedup.find(&prepared.dedup);
        let mut assignment = None;
        if let Some(m) = &found
            && let Some(story) = self.stories.add_copy(m.tag, item, seq)
        {
            self.stories.learn_only(&prepared.terms);
            assignment = Some((
                m.tag,
                Assignment {
                    story,
                    duplicate_of: Some(m.first_copy.clone()),
                    match_kind: Some(m.kind),
                    new_story: false,
                    probability: 1.0,
                    merged: Vec::new(),
                },
            ));
        }
        let (tag, assignment) = match assignment {
            Some(a) => a,
            None => {
                let d = self.stories.assign(
                    item,
                    prepared.terms,
                    seq,
                    &self.config.story_window,
                    &self.model,
                );
                (
                    d.story_seq,
                    Assignment {
                        story: d.story_id,
                        duplicate_of: found.as_ref().map(|m| m.first_copy.clone()),
                        match_kind: found.as_ref().map(|m| m.kind),
                        new_story: d.new_story,
                        probability: d.probability,
                        merged: d.merged,
                    },
                )
            }
        };
        self.dedup.insert(
            seq,
            item.time,
            item.id,
            prepared.dedup,
            assignment.duplicate_of.clone(),
            tag,
        );
        assignment
    }

    fn evict(&mut self, seq: u64, now: Option<i64>) {
        let dw = &self.config.dedup_window;
        self.dedup
            .evict(seq.saturating_sub(dw.docs), now.map(|n| n - dw.secs));
        // Sweeping all open stories costs O(open); every 64 articles keeps it negligible, and
        // candidates idle past the window are skipped in between.
        if seq.is_multiple_of(64) {
            self.stories.sweep(seq, now, &self.config.story_window);
        }
    }
}

/// Runs the story stage with gold stories (teacher forcing) and returns the model's training
/// examples: for each article, the features of every candidate story and whether it is the
/// gold one. `gold[i]` is the gold story label of `items[i]`. Of the wrong candidates only the
/// `hard_negatives` closest by body cosine are kept (`usize::MAX` keeps all): the decision is
/// made between the best candidates, so the easy ones would only blur it.
pub fn training_examples(
    items: &[Item<'_>],
    gold: &[&str],
    config: &Config,
    hard_negatives: usize,
) -> Vec<Example> {
    training_examples_with_prior(items, gold, config, hard_negatives, None)
}

/// The document frequencies of `items` as a model prior ([`Model::df_prior`]), keeping the
/// terms found in at least `min_df` of them.
pub fn df_prior(items: &[Item<'_>], config: &Config, min_df: u32) -> DfPrior {
    let stories = Stories::new(config.stories.clone());
    let docs: Vec<cluster::DocTerms> = items.iter().map(|i| stories.prepare(i)).collect();
    stories.df_of(&docs, min_df)
}

/// [`training_examples`] with the stage's document frequencies started from `prior`, as a
/// [`Clusterer`] built with a model carrying that prior starts.
pub fn training_examples_with_prior(
    items: &[Item<'_>],
    gold: &[&str],
    config: &Config,
    hard_negatives: usize,
    prior: Option<&DfPrior>,
) -> Vec<Example> {
    let model = Model::untrained();
    let mut stories = Stories::new(config.stories.clone());
    stories.seed(prior);
    let mut by_label: rustc_hash::FxHashMap<&str, u64> = Default::default();
    let mut out = Vec::new();
    for (seq, (item, label)) in items.iter().zip(gold).enumerate() {
        let seq = seq as u64;
        let doc = stories.prepare(item);
        let g = by_label.get(label).copied();
        let (examples, story) =
            stories.assign_gold(item, doc, seq, g, &config.story_window, &model);
        by_label.insert(label, story);
        let mut negatives: Vec<Features> = examples.iter().filter(|e| !e.1).map(|e| e.0).collect();
        negatives.sort_by(|a, b| b.cos_body.total_cmp(&a.cos_body));
        negatives.truncate(hard_negatives);
        out.extend(
            examples
                .iter()
                .filter(|e| e.1)
                .map(|&(features, _)| Example {
                    features,
                    positive: true,
                }),
        );
        out.extend(negatives.into_iter().map(|features| Example {
            features,
            positive: false,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tokenising_pass_gives_dedup_what_its_own_pass_gives() {
        let c = Clusterer::new(Config::default(), Model::builtin());
        let long = "Rescuers searched the rubble of Bam on Friday. ".repeat(12);
        for (title, text) in [
            ("Quake hits Iran", long.as_str()),
            (
                "Quake hits Iran, killing 10 near the ancient city of Bam",
                "",
            ),
            ("Quake hits Iran", "  \n "),
            ("", "Only a body here."),
            ("", ""),
        ] {
            let mut item = Item::new("1", title, text);
            item.canonical_url = Some("https://example.org/quake");
            let body = if text.trim().is_empty() { title } else { text };
            assert_eq!(
                c.prepare(&item).dedup,
                c.dedup.prepare(body, item.canonical_url),
                "{title:?} / {text:?}"
            );
        }
    }

    #[test]
    fn df_prior_seeds_a_new_stage() {
        let items = [
            Item::new(
                "1",
                "Quake hits Iran",
                "An earthquake struck Iran near Bam.",
            ),
            Item::new(
                "2",
                "Iran quake toll",
                "The earthquake near Bam killed ten.",
            ),
        ];
        let config = Config::default();
        let prior = df_prior(&items, &config, 1);
        assert_eq!(prior.docs, 2);
        assert!(prior.df.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            prior.df.iter().any(|&(_, n)| n == 2),
            "shared terms count twice"
        );
        assert!(df_prior(&items, &config, 2).df.iter().all(|&(_, n)| n == 2));
        let mut model = Model::builtin();
        model.df_prior = Some(prior);
        let model = Model::from_json(&serde_json::to_string(&model).unwrap()).unwrap();
        let mut c = Clusterer::new(config, model);
        assert_eq!(c.stories.docs, 2);
        c.push(&items[0]);
        assert_eq!(c.stories.docs, 3);
    }

    /// The shipped model keeps the stage's promises ([`behaviour`]): an earthquake told again
    /// years later (past its event-time limit) is another story, the same words undated one.
    #[test]
    fn an_event_years_apart_is_not_absorbed_however_alike_the_words() {
        behaviour::years_apart(&Model::builtin()).unwrap();
    }

    /// Two arrests of one kind told in the same words: the article whose protagonist is the
    /// story's joins it, the one led by another person is less probable and starts its own.
    #[test]
    fn a_same_kind_event_led_by_another_actor_is_not_absorbed() {
        behaviour::another_actor(&Model::builtin()).unwrap();
    }

    /// The same rule on a case `train-stories` does not keep (two factory fires, the second
    /// article about another company).
    #[test]
    fn a_same_kind_event_of_another_company_is_not_absorbed() {
        behaviour::another_company(&Model::builtin()).unwrap();
    }

    /// Two stories of one event, started apart (each from one side of it), and an article
    /// that tells both sides: the stories merge, the absorbed id becomes an alias.
    #[test]
    fn an_article_that_joins_two_stories_as_surely_merges_them() {
        let harbour = "Storm waves broke the harbour wall of Port Elwin overnight and sank \
                       eleven trawlers moored at the quay. The harbour master closed the port \
                       until divers inspect the broken wall.";
        let ferry = "The ferry to Skarra Island was cancelled after gale force winds tore the \
                     roof off the terminal. Stranded passengers slept in the ferry terminal \
                     while the gale blew through the night.";
        let both = "Gale force winds tore the roof off the ferry terminal for Skarra Island, \
                    where stranded passengers slept, while storm waves broke the harbour wall \
                    and sank eleven trawlers; the harbour master closed the port.";
        let harbour_again = "Divers inspected the broken harbour wall of Port Elwin, where storm \
                             waves sank eleven trawlers at the quay; the harbour master keeps \
                             the port closed.";
        let ferry_again = "Passengers stranded at the Skarra Island ferry terminal after gale \
                           force winds tore off its roof; the ferry stays cancelled while the \
                           gale blows.";
        let entity = |name: &str, count: usize| Entity {
            name: name.into(),
            kind: newsmill_core::EntityType::Per,
            mentions: Vec::new(),
            count,
        };
        let mut model = Model::untrained();
        model.merge_threshold = Some(0.5);
        let mut c = Clusterer::new(Config::default(), model.clone());
        c.stories_mut().collect_closed(true);
        let a = c.push(&Item::new("a", "Storm wrecks harbour wall", harbour));
        let b = c.push(&Item::new("b", "Ferry cancelled in gale", ferry));
        assert!(a.new_story && b.new_story, "{a:?} {b:?}");
        let m = c.push(&Item::new("m", "Storm hits harbour and ferry", both));
        assert!(!m.new_story && m.duplicate_of.is_none(), "{m:?}");
        assert_eq!(m.story, "a", "the older of two equal stories survives");
        assert_eq!(m.merged, vec!["b".to_string()]);
        assert_eq!(c.stories().open_len(), 1);
        let merges = c.stories_mut().take_merges();
        assert_eq!(
            merges,
            vec![StoryMerge {
                from: vec!["b".into()],
                into: "a".into()
            }]
        );
        let s: Vec<StorySummary> = c.stories().open_stories().collect();
        assert_eq!(s[0].articles, 3);
        assert_eq!(s[0].aliases, vec!["b".to_string()]);
        // The absorbed story's words now find the survivor, and the state round-trips.
        let mut c2 = Clusterer::from_json(&c.to_json().unwrap(), model.clone()).unwrap();
        let f = Item::new(
            "f",
            "Ferry terminal roof torn off",
            "Passengers stranded at the ferry terminal for Skarra Island after gale force \
             winds tore off the roof; the ferry stays cancelled.",
        );
        let a1 = c.push(&f);
        assert_eq!(a1.story, "a", "{a1:?}");
        assert_eq!(c2.push(&f), a1);

        // Two stories whose own event times are years apart are two events, however well an
        // undated article fits both.
        let mut limited = model.clone();
        limited.max_event_gap_days = Some(365);
        let mut c = Clusterer::new(Config::default(), limited);
        for (id, title, text, event) in [
            ("a", "Storm wrecks harbour wall", harbour, "2019-03-01"),
            ("b", "Ferry cancelled in gale", ferry, "2023-03-01"),
        ] {
            let mut item = Item::new(id, title, text);
            item.event_time = Some(event);
            item.event_source = Some("dateline");
            c.push(&item);
        }
        let m = c.push(&Item::new("m", "Storm hits harbour and ferry", both));
        assert!(!m.new_story && m.merged.is_empty(), "{m:?}");
        assert_eq!(c.stories().open_len(), 2);

        // Nor are two stories merged whose own words are far apart when the model asks the
        // stories themselves to be alike.
        let mut strict = model.clone();
        strict.merge_min_cosine = Some(0.9);
        let mut c = Clusterer::new(Config::default(), strict);
        c.push(&Item::new("a", "Storm wrecks harbour wall", harbour));
        c.push(&Item::new("b", "Ferry cancelled in gale", ferry));
        let m = c.push(&Item::new("m", "Storm hits harbour and ferry", both));
        assert!(!m.new_story && m.merged.is_empty(), "{m:?}");
        assert_eq!(c.stories().open_len(), 2);

        // Nor two stories that each have their own protagonists (named by most of their
        // articles), neither naming the other's: two events of one kind.
        // (The same stories with one protagonist, the harbour master Ann Lee, do merge.)
        let lee = [entity("Ann Lee", 3)];
        let roe = [entity("Tom Roe", 3)];
        for (other, merges) in [(&roe, false), (&lee, true)] {
            let mut c = Clusterer::new(Config::default(), model.clone());
            for (id, title, text, who) in [
                ("a", "Storm wrecks harbour wall", harbour, &lee),
                ("a2", "Harbour wall broken", harbour_again, &lee),
                ("b", "Ferry cancelled in gale", ferry, other),
                ("b2", "Ferry terminal roof torn off", ferry_again, other),
            ] {
                let mut item = Item::new(id, title, text);
                item.entities = who;
                let a = c.push(&item);
                assert!(a.duplicate_of.is_none(), "{a:?}");
            }
            assert_eq!(c.stories().open_len(), 2);
            let m = c.push(&Item::new("m", "Storm hits harbour and ferry", both));
            assert!(!m.new_story, "{m:?}");
            assert_eq!(m.merged.is_empty(), !merges, "{m:?}");
            assert_eq!(c.stories().open_len(), if merges { 1 } else { 2 });
        }

        // Without a merge threshold the stage never merges.
        let mut c = Clusterer::new(Config::default(), Model::untrained());
        c.push(&Item::new("a", "Storm wrecks harbour wall", harbour));
        c.push(&Item::new("b", "Ferry cancelled in gale", ferry));
        let m = c.push(&Item::new("m", "Storm hits harbour and ferry", both));
        assert!(m.merged.is_empty(), "{m:?}");
        assert_eq!(c.stories().open_len(), 2);
    }

    #[test]
    fn state_round_trips() {
        let mut a = Clusterer::new(Config::default(), Model::builtin());
        let texts = [
            (
                "1",
                "Quake hits Iran",
                "An earthquake struck Iran on Sunday near Bam.",
            ),
            (
                "2",
                "Colts beat Chiefs",
                "The Colts beat the Chiefs 20-13 in Kansas City.",
            ),
        ];
        for (id, t, x) in texts {
            a.push(&Item::new(id, t, x));
        }
        let mut b = Clusterer::from_json(&a.to_json().unwrap(), Model::builtin()).unwrap();
        let next = Item::new(
            "3",
            "Iran quake toll rises",
            "The earthquake near Bam in Iran.",
        );
        assert_eq!(a.push(&next), b.push(&next));
    }
}
