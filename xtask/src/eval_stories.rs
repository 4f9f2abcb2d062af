//! `cargo xtask eval stories`, `cargo xtask train stories` and `cargo xtask bench stories`.
//!
//! - eval: runs the story stage over `clustering/dev/ecbplus_dev.jsonl` in file order (one pass,
//!   as a stream) and prints BCubed and pairwise P/R/F1 and documents/second; `--cv K` adds a
//!   leave-topics-out estimate (train on the other topics, cluster the held-out ones).
//! - train: fits the join/new-story model on the dev set and writes
//!   `crates/newsmill-stories/model/stories.json`.
//! - bench: synthesises a stream of N documents from the dev texts (rewritten articles plus
//!   near-duplicate copies, 5 s apart), runs dedup plus story assignment on one core and prints
//!   documents/second and the peak resident memory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use newsmill_stories::eval::{Scores, scores};
use newsmill_stories::{
    Clusterer, Config, Item, Model, df_prior, model, training_examples_with_prior,
};
use serde::Deserialize;

const DEV: &str = "clustering/dev/ecbplus_dev.jsonl";
const MODEL_PATH: &str = "crates/newsmill-stories/model/stories.json";

#[derive(Debug, Clone, Deserialize)]
struct DevDoc {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    cluster: String,
    topic: String,
    /// The record `newsmill ingest` would store: extraction of the title and text, then the
    /// NLP stage (entities, quotes, dates, event time). `None` with `NEWSMILL_STORIES_NLP=0`.
    #[serde(skip)]
    record: Option<std::sync::Arc<newsmill_core::Record>>,
}

impl DevDoc {
    fn item(&self) -> Item<'_> {
        match &self.record {
            Some(r) => {
                let mut item = Item::from_record(r);
                // The dev set has no publication times (`time` is null) and its order is a
                // shuffle, not a timeline: a date line the extractor reads is evidence of when
                // (through event_time), not an arrival time.
                item.time = None;
                item.id = &self.id;
                // The dev texts are extracted text already: the stage reads them as given (a
                // second extraction of plain text drops lines it takes for chrome), and the
                // NLP stage's fields of their record.
                item.title = self.title.as_deref().unwrap_or("");
                item.text = self.text.as_deref().unwrap_or("");
                if !use_evidence() {
                    item.entities = &[];
                    item.event_time = None;
                    item.event_source = None;
                    item.dates = &[];
                    item.quotes = &[];
                }
                item
            }
            None => Item::new(
                &self.id,
                self.title.as_deref().unwrap_or(""),
                self.text.as_deref().unwrap_or(""),
            ),
        }
    }
}

/// Reads the dev set, or `None` when it is absent (a fresh clone), with its records (see
/// [`use_nlp`]).
fn load(data: &Path) -> anyhow::Result<Option<Vec<DevDoc>>> {
    load_texts(data, use_nlp())
}

/// Reads the dev set; with `nlp`, runs extraction and the NLP stage over it too.
fn load_texts(data: &Path, nlp: bool) -> anyhow::Result<Option<Vec<DevDoc>>> {
    let path = data.join(DEV);
    if !path.exists() {
        eprintln!(
            "xtask: {}: not found; skipping (the dev data lives outside the repository)",
            path.display()
        );
        return Ok(None);
    }
    let text = fs_err::read_to_string(&path)?;
    let mut docs: Vec<DevDoc> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        docs.push(
            serde_json::from_str(line)
                .with_context(|| format!("{}: line {}", path.display(), i + 1))?,
        );
    }
    if nlp {
        let start = Instant::now();
        add_records(&mut docs)?;
        eprintln!(
            "xtask: extraction and NLP of {} documents in {:.1} s (NEWSMILL_STORIES_NLP=0 skips them)",
            docs.len(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(Some(docs))
}

/// Whether the evaluation runs extraction and the NLP stage first (on unless
/// `NEWSMILL_STORIES_NLP=0`, which gives the stage bare titles and texts).
fn use_nlp() -> bool {
    std::env::var("NEWSMILL_STORIES_NLP").map_or(true, |v| v != "0")
}

/// Whether the stage gets the NLP stage's fields (on unless `NEWSMILL_STORIES_EVIDENCE=0`,
/// which keeps the extracted text only: for measuring what the evidence adds).
fn use_evidence() -> bool {
    std::env::var("NEWSMILL_STORIES_EVIDENCE").map_or(true, |v| v != "0")
}

/// Runs extraction (the title and text as a plain-text article, one paragraph per line) and the
/// NLP stage over each document, as `newsmill ingest` does before the story stage.
fn add_records(docs: &mut [DevDoc]) -> anyhow::Result<()> {
    use newsmill_core::{InputHint, Origin, RawDoc};
    let nlp = newsmill_nlp::Nlp::embedded()?;
    let config = newsmill_extract::ExtractConfig::default();
    for d in docs {
        let title = d.title.as_deref().unwrap_or("");
        let text = d.text.as_deref().unwrap_or("");
        let mut page = String::with_capacity(title.len() + text.len() + 16);
        page.push_str(title);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            page.push_str("\n\n");
            page.push_str(line);
        }
        let raw = RawDoc::new(
            Origin::Path(format!("{DEV}#{}", d.id)),
            InputHint::Text,
            page.into_bytes(),
        );
        let mut record = match newsmill_extract::extract(&raw, &config) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("xtask: {}: {e}; the story stage gets the bare text", d.id);
                continue;
            }
        };
        newsmill_nlp::enrich(&mut record, &nlp);
        d.record = Some(std::sync::Arc::new(record));
    }
    Ok(())
}

/// What the NLP stage gave the story stage: how many records have each kind of evidence.
fn print_evidence(docs: &[DevDoc]) {
    let records: Vec<&newsmill_core::Record> =
        docs.iter().filter_map(|d| d.record.as_deref()).collect();
    if records.is_empty() {
        println!("evidence: none (NEWSMILL_STORIES_NLP=0: bare titles and texts)");
        return;
    }
    let with = |f: &dyn Fn(&newsmill_core::Record) -> bool| records.iter().filter(|r| f(r)).count();
    let full_date = |v: &str| {
        v.len() >= 10 && v.as_bytes()[..4].iter().all(u8::is_ascii_digit) && !v[..10].contains('X')
    };
    let actor = |r: &newsmill_core::Record| {
        r.entities.iter().any(|e| {
            matches!(
                e.kind,
                newsmill_core::EntityType::Per | newsmill_core::EntityType::Org
            )
        })
    };
    println!(
        "evidence: {} records; event_time {} (with a known year {}), a full calendar date {}, \
         PER/ORG entities {}, LOC entities {}, a quote speaker {}",
        records.len(),
        with(&|r| r.event_time.is_some()),
        with(&|r| r.event_time.as_deref().is_some_and(|v| v
            .as_bytes()
            .get(..4)
            .is_some_and(|y| y.iter().all(u8::is_ascii_digit)))),
        with(&|r| r.dates.iter().any(|d| full_date(&d.value))),
        with(&actor),
        with(&|r| r
            .entities
            .iter()
            .any(|e| e.kind == newsmill_core::EntityType::Loc)),
        with(&|r| r.quotes.iter().any(|q| q.entity.is_some())),
    );
}

/// Clusters `docs` in order with `model`; returns the story of each at the end of the
/// stream: the id it was given, followed through the merges that came after (the aliases a
/// store keeps), so the score is that of the stories a user sees once the stream is in.
fn cluster(docs: &[DevDoc], model: &Model) -> Vec<String> {
    let mut c = Clusterer::new(config(), model.clone());
    let mut alias: std::collections::HashMap<String, String> = Default::default();
    let trace = std::env::var_os("NEWSMILL_STORIES_TRACE").is_some();
    let given: Vec<String> = docs
        .iter()
        .map(|d| {
            let a = c.push(&d.item());
            if trace {
                // For looking at mistakes: each decision with the article's gold story.
                eprintln!(
                    "trace {} gold={} story={} new={} p={:.3} merged={:?}",
                    d.id, d.cluster, a.story, a.new_story, a.probability, a.merged
                );
            }
            for m in a.merged {
                alias.insert(m, a.story.clone());
            }
            a.story
        })
        .collect();
    given
        .into_iter()
        .map(|mut id| {
            // Chains are short; the bound only guards against a cycle.
            for _ in 0..64 {
                match alias.get(&id) {
                    Some(next) if *next != id => id = next.clone(),
                    _ => break,
                }
            }
            id
        })
        .collect()
}

fn score(docs: &[DevDoc], pred: &[String]) -> Scores {
    let gold: Vec<&str> = docs.iter().map(|d| d.cluster.as_str()).collect();
    let pred: Vec<&str> = pred.iter().map(String::as_str).collect();
    scores(&gold, &pred)
}

fn print_scores(label: &str, s: &Scores) {
    println!(
        "{label}: n={} gold_clusters={} pred_clusters={}",
        s.n, s.gold_clusters, s.pred_clusters
    );
    println!(
        "  BCubed   P={:.4} R={:.4} F1={:.4}",
        s.b3_p, s.b3_r, s.b3_f1
    );
    println!(
        "  pairwise P={:.4} R={:.4} F1={:.4}",
        s.pair_p, s.pair_r, s.pair_f1
    );
}

/// What training maximises: the mean BCubed F1 of the stream in its own order and in
/// [`tune_orders`] seeded shuffles of it (seeds apart from the evaluation's), so the limits
/// and thresholds chosen do not depend on one lucky order.
fn objective(orders: &[Vec<DevDoc>], model: &Model) -> f64 {
    let sum: f64 = orders
        .iter()
        .map(|docs| score(docs, &cluster(docs, model)).b3_f1)
        .sum();
    sum / orders.len().max(1) as f64
}

/// The training stream in its own order, then in [`tune_orders`] shuffles.
fn training_orders(docs: &[DevDoc]) -> Vec<Vec<DevDoc>> {
    let mut orders = vec![docs.to_vec()];
    orders.extend((0..tune_orders() as u64).map(|k| shuffle(docs, TUNE_SEED + k)));
    orders
}

/// First seed of the shuffles whose teacher-forced examples training adds
/// ([`train_orders`]).
const TRAIN_SEED: u64 = 2_000;

/// Shuffled orders whose examples the model is fitted on besides the file order's
/// (`NEWSMILL_STORIES_TRAIN_ORDERS`; default 0). Measured with 4: held out 0.899 in file order
/// and 0.877 over 16 orders, against 0.901 and 0.882 without.
fn train_orders() -> usize {
    env_count("NEWSMILL_STORIES_TRAIN_ORDERS")
}

/// A count from the environment variable `name` (0 when unset or not a number).
fn env_count(name: &str) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// First seed of the training shuffles (the evaluation's orders use seeds 1 to 16).
const TUNE_SEED: u64 = 1_000;

/// Shuffled orders training scores besides the file order (`NEWSMILL_STORIES_TUNE_ORDERS`;
/// default 0, the file order alone). Measured with 3: the held-out file-order figure rose and
/// the in-sample orders' fell, both within the spread of orders, and on the whole dev set no
/// merge threshold did strictly better, which would ship a stage that never repairs; so the
/// shipped model is tuned on the file order.
fn tune_orders() -> usize {
    env_count("NEWSMILL_STORIES_TUNE_ORDERS")
}

/// Fits the model's weights, join threshold and hard limits on `docs` (in their stream
/// order): everything but the young-story and merge settings.
fn fit_base(docs: &[DevDoc]) -> Model {
    let orders = training_orders(docs);
    let items: Vec<Item<'_>> = docs.iter().map(DevDoc::item).collect();
    let gold: Vec<&str> = docs.iter().map(|d| d.cluster.as_str()).collect();
    let prior = use_prior().then(|| df_prior(&items, &config(), 2));
    let mut examples =
        training_examples_with_prior(&items, &gold, &config(), hard_negatives(), prior.as_ref());
    // The same articles in other arrival orders: the model then sees each article against
    // stories of other sizes and makeups than the file order happens to give.
    for k in 0..train_orders() as u64 {
        let shuffled = shuffle(docs, TRAIN_SEED + k);
        let items: Vec<Item<'_>> = shuffled.iter().map(DevDoc::item).collect();
        let gold: Vec<&str> = shuffled.iter().map(|d| d.cluster.as_str()).collect();
        examples.extend(training_examples_with_prior(
            &items,
            &gold,
            &config(),
            hard_negatives(),
            prior.as_ref(),
        ));
    }
    // Experiments: `NEWSMILL_STORIES_DROP=story_title_miss` fits the model without it (its
    // weight stays 0).
    let drop = std::env::var("NEWSMILL_STORIES_DROP").unwrap_or_default();
    if drop.split(',').any(|name| name == "story_title_miss") {
        for e in &mut examples {
            e.features.story_title_miss = 0.0;
        }
    }
    let mut model = model::train(&examples, L2);
    model.df_prior = prior;
    // The logistic fit ranks well but is calibrated on all candidates, most of them easy
    // negatives; the join decision is made on the best candidate only, so its threshold is
    // tuned for BCubed F1 on the same (training) documents.
    model.threshold = tune_threshold(&orders, &model);
    // The hard limits (an event time too far away, actors that conflict) are chosen on the
    // same training documents, at that threshold, then the threshold again.
    // The limits are tried strictest first, and a looser one must do strictly better on the
    // training documents to be taken. The event-time limit is always set: "a story months
    // apart must not absorb the article" is the product's rule, and the dev set (a quarter of
    // its articles dated, gold stories spanning months, no publication times) can say how
    // loose it must be but not that a stream needs none.
    let mut best: Option<(f64, Option<u32>, Option<u32>)> = None;
    for gap in [Some(92), Some(182), Some(365), Some(730)] {
        for actors in [Some(3), Some(5), None] {
            let mut m = model.clone();
            m.max_event_gap_days = gap;
            m.min_conflicting_actors = actors;
            let f1 = objective(&orders, &m);
            if best.is_none_or(|b| f1 > b.0 + 1e-9) {
                best = Some((f1, gap, actors));
            }
        }
    }
    let best = best.unwrap_or((0.0, None, None));
    model.max_event_gap_days = best.1;
    model.min_conflicting_actors = best.2;
    model.threshold = tune_threshold(&orders, &model);
    model
}

/// Fits the model on `docs` (in their stream order): [`fit_base`], then the young-story
/// setting and the merge threshold, each kept only among the settings with which the model
/// passes the behaviour cases (`checks`; see [`Behaviour`]) when any does.
fn fit(docs: &[DevDoc], checks: &Behaviour) -> Model {
    let orders = training_orders(docs);
    let mut model = fit_base(docs);
    // A surer join of a young story: none first, then stories of one article, each size with
    // thresholds from the join threshold up; a stricter setting must do strictly better than
    // a looser one. Scored by leave-topics-out over [`young_cv`] folds of the training topics,
    // each fold clustered by a model fitted on the others: the model is surer of the articles it
    // was fitted on than of new ones, so the young threshold they ask for is too lax for a
    // stream (`NEWSMILL_STORIES_YOUNG_CV=0` scores on the training documents themselves).
    let mut candidates: Vec<Young> = vec![(None, None)];
    for size in young_sizes() {
        for y in young_grid() {
            candidates.push((Some(y), (size > 1).then_some(size)));
        }
    }
    // Only thresholds above the join threshold change anything (once it is chosen).
    if young_cv() <= 1 || !join_cv() {
        candidates.retain(|c| c.0.is_none_or(|y| y > model.threshold + 1e-9));
    }
    let scores: Vec<f64> = match young_cv() {
        k if k > 1 => {
            let inner = inner_folds(docs, k);
            let join = join_cv().then(|| {
                // The join threshold by the inner folds, before the young setting.
                let mut best = (f64::MIN, model.threshold);
                for i in 1..40 {
                    let t = f64::from(i) * 0.025;
                    let f1 = inner_score(&inner, |m| Model {
                        threshold: t,
                        ..m.clone()
                    });
                    if f1 > best.0 + 1e-9 {
                        best = (f1, t);
                    }
                }
                best.1
            });
            if let Some(t) = join {
                model.threshold = t;
            }
            candidates.retain(|c| c.0.is_none_or(|y| y > model.threshold + 1e-9));
            candidates
                .iter()
                .map(|&c| {
                    inner_score(&inner, |m| {
                        let mut m = with_young(m, c);
                        if let Some(t) = join {
                            m.threshold = t;
                        }
                        m
                    })
                })
                .collect()
        }
        _ => candidates
            .iter()
            .map(|&c| objective(&orders, &with_young(&model, c)))
            .collect(),
    };
    let passing: Vec<bool> = candidates
        .iter()
        .map(|&c| checks.failures(&with_young(&model, c)).is_empty())
        .collect();
    let any_passes = passing.iter().any(|&p| p);
    let mut best: Option<(f64, usize)> = None;
    for (i, &f1) in scores.iter().enumerate() {
        if any_passes && !passing[i] {
            continue;
        }
        if best.is_none_or(|b| f1 > b.0 + 1e-9) {
            best = Some((f1, i));
        }
    }
    if let Some((_, i)) = best {
        (model.young_threshold, model.young_size) = candidates[i];
    }
    // Repair (merging two stories an article joins as surely): chosen the same way, no
    // merging first; a merge threshold must do strictly better on the training documents.
    if merge_repair() {
        // The stories' own likeness is tried strictest first with each threshold, and a
        // looser check (or none) must do strictly better. Repair is always on (unless
        // `NEWSMILL_STORIES_MERGE_OPTIONAL=1`, where no merging competes too): the product
        // merges two stories an article shows to be one event, and the dev set can say how
        // sure the merge must be, not that a stream needs none (as with the event-time
        // limit above); without it a wrong split is never repaired.
        let none = if merge_optional() {
            objective(&orders, &model)
        } else {
            f64::MIN
        };
        let mut best = (none, None, None);
        // Once the model passes the behaviour cases, a merge setting must keep it passing.
        let must_pass = checks.failures(&model).is_empty();
        for p in [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3] {
            for min_cos in [Some(0.5), Some(0.4), Some(0.3), Some(0.2), None] {
                let mut m = model.clone();
                m.merge_threshold = Some(p);
                m.merge_min_cosine = min_cos;
                if must_pass && !checks.failures(&m).is_empty() {
                    continue;
                }
                let f1 = objective(&orders, &m);
                if f1 > best.0 + 1e-9 {
                    best = (f1, Some(p), min_cos);
                }
            }
        }
        model.merge_threshold = best.1;
        model.merge_min_cosine = best.2;
    }
    model
}

/// Whether training may also choose no merge threshold (`NEWSMILL_STORIES_MERGE_OPTIONAL=1`,
/// the choice before round 5; by default one is always set).
fn merge_optional() -> bool {
    std::env::var("NEWSMILL_STORIES_MERGE_OPTIONAL").is_ok_and(|v| v == "1")
}

/// The young thresholds training tries (those above the join threshold): 0.25 to 0.95 in
/// steps of 0.025 (`NEWSMILL_STORIES_YOUNG_GRID=coarse`: 0.3 to 0.9 in steps of 0.1, the grid
/// before round 6).
fn young_grid() -> Vec<f64> {
    if std::env::var("NEWSMILL_STORIES_YOUNG_GRID").is_ok_and(|v| v == "coarse") {
        return (3..=9).map(|i| f64::from(i) / 10.0).collect();
    }
    (10..=38).map(|i| f64::from(i) * 0.025).collect()
}

/// A young-story setting: `young_threshold` and `young_size`.
type Young = (Option<f64>, Option<u32>);

/// `m` with the young-story setting `(threshold, size)`.
fn with_young(m: &Model, (threshold, size): Young) -> Model {
    let mut m = m.clone();
    m.young_threshold = threshold;
    m.young_size = size;
    m
}

/// Folds of topics for scoring the young-story setting by leave-topics-out within the
/// training topics: 4 (`NEWSMILL_STORIES_YOUNG_CV=K` sets K; 0 or 1 scores it on the training
/// documents themselves, as before round 6).
fn young_cv() -> usize {
    std::env::var("NEWSMILL_STORIES_YOUNG_CV")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4)
}

/// The fold of each document: its topics, sorted by number, dealt round-robin into `k` folds.
fn topic_folds(docs: &[DevDoc], k: usize) -> Vec<usize> {
    let mut topics: Vec<u32> = docs.iter().filter_map(|d| d.topic.parse().ok()).collect();
    topics.sort_unstable();
    topics.dedup();
    docs.iter()
        .map(|d| {
            let t: u32 = d.topic.parse().unwrap_or(0);
            topics.iter().position(|&x| x == t).unwrap_or(0) % k.max(1)
        })
        .collect()
}

/// One inner fold of the training topics: the model [`fit_base`] fits on the other folds, and
/// the fold's documents in their training orders.
struct InnerFold {
    model: Model,
    orders: Vec<Vec<DevDoc>>,
    docs: usize,
}

/// The training topics of `docs` dealt into `k` folds, each with the model fitted without it.
fn inner_folds(docs: &[DevDoc], k: usize) -> Vec<InnerFold> {
    let folds = topic_folds(docs, k);
    let mut out = Vec::new();
    for fold in 0..k {
        let part = |inside: bool| -> Vec<DevDoc> {
            docs.iter()
                .zip(&folds)
                .filter(|&(_, &f)| (f == fold) == inside)
                .map(|(d, _)| d.clone())
                .collect()
        };
        let (train, test) = (part(false), part(true));
        if train.is_empty() || test.is_empty() {
            continue;
        }
        out.push(InnerFold {
            model: fit_base(&train),
            orders: training_orders(&test),
            docs: test.len(),
        });
    }
    out
}

/// The [`objective`] over `folds` of each fold's model changed by `change`, averaged over the
/// folds weighted by their documents: a leave-topics-out score within the training topics.
fn inner_score(folds: &[InnerFold], change: impl Fn(&Model) -> Model) -> f64 {
    let n: usize = folds.iter().map(|f| f.docs).sum();
    let sum: f64 = folds
        .iter()
        .map(|f| objective(&f.orders, &change(&f.model)) * f.docs as f64)
        .sum();
    sum / n.max(1) as f64
}

/// Whether the join threshold, too, is chosen by the inner folds of [`young_cv`]
/// (`NEWSMILL_STORIES_JOIN_CV=1`, an experiment of round 6; by default it is chosen on the
/// training documents themselves).
fn join_cv() -> bool {
    std::env::var("NEWSMILL_STORIES_JOIN_CV").is_ok_and(|v| v == "1")
}

/// The behaviour cases training keeps ([`newsmill_stories::behaviour`]): those that need no
/// NLP stage, and the story tests' fixtures of articles written for them, run through
/// extraction and the NLP stage as the tests run them. `NEWSMILL_STORIES_CHECKS=0` leaves them
/// out (the training of round 5).
pub(crate) struct Behaviour {
    on: bool,
    fixtures: Vec<(&'static str, Vec<(String, newsmill_core::Record)>)>,
}

/// The fixtures of the story tests that training checks: one week's politics (only the
/// president's trip is one story) and two derailments four years apart (the one of 2023 in
/// three languages).
const FIXTURES: [(&str, &str); 2] = [
    (
        "a week of news is not one story (tests/fixtures/same_week.txt)",
        include_str!("../../crates/newsmill-stories/tests/fixtures/same_week.txt"),
    ),
    (
        "one event in three languages is one story, another year another \
         (tests/fixtures/derailments.txt)",
        include_str!("../../crates/newsmill-stories/tests/fixtures/derailments.txt"),
    ),
];

impl Behaviour {
    /// The cases, with the fixtures' records made (unless `NEWSMILL_STORIES_CHECKS=0`).
    fn load() -> anyhow::Result<Behaviour> {
        if std::env::var("NEWSMILL_STORIES_CHECKS").is_ok_and(|v| v == "0") {
            return Ok(Behaviour {
                on: false,
                fixtures: Vec::new(),
            });
        }
        use newsmill_core::{InputHint, Origin, RawDoc};
        let nlp = newsmill_nlp::Nlp::embedded()?;
        let config = newsmill_extract::ExtractConfig::default();
        let mut fixtures = Vec::new();
        for (case, text) in FIXTURES {
            let mut articles = Vec::new();
            for (head, page) in newsmill_stories::behaviour::fixture_pages(text) {
                let id = head.first().cloned().unwrap_or_default();
                let raw = RawDoc::new(Origin::Path(id.clone()), InputHint::Text, page.into_bytes());
                let mut record = newsmill_extract::extract(&raw, &config)
                    .with_context(|| format!("fixture article {id}"))?;
                record.id = id;
                record.published = head.get(3).cloned();
                newsmill_nlp::enrich(&mut record, &nlp);
                articles.push((head.get(1).cloned().unwrap_or_default(), record));
            }
            fixtures.push((case, articles));
        }
        Ok(Behaviour { on: true, fixtures })
    }

    /// The cases `model` fails (none when the checks are off).
    fn failures(&self, model: &Model) -> Vec<newsmill_stories::behaviour::Failure> {
        use newsmill_stories::behaviour;
        if !self.on {
            return Vec::new();
        }
        let mut out = behaviour::check(model);
        for (case, articles) in &self.fixtures {
            let items: Vec<(&str, Item<'_>)> = articles
                .iter()
                .map(|(gold, r)| (gold.as_str(), Item::from_record(r)))
                .collect();
            if let Err(f) = behaviour::stream(case, model, &items, &behaviour::orders(items.len()))
            {
                out.push(f);
            }
        }
        out
    }
}

/// The young-story sizes training tries (`NEWSMILL_STORIES_YOUNG_SIZES`, comma-separated;
/// default 1, 2 and 3).
fn young_sizes() -> Vec<u32> {
    std::env::var("NEWSMILL_STORIES_YOUNG_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 2, 3])
}

/// Whether training may choose a merge threshold (`NEWSMILL_STORIES_MERGE=0` turns it off,
/// to compare).
fn merge_repair() -> bool {
    std::env::var("NEWSMILL_STORIES_MERGE").map_or(true, |v| v != "0")
}

/// The threshold with the best [`objective`] on `orders`.
fn tune_threshold(orders: &[Vec<DevDoc>], model: &Model) -> f64 {
    let mut model = model.clone();
    let mut best = (f64::MIN, 0.5);
    for i in 1..40 {
        let t = f64::from(i) * 0.025;
        model.threshold = t;
        let f1 = objective(orders, &model);
        if f1 > best.0 + 1e-9 {
            best = (f1, t);
        }
    }
    best.1
}

/// The stage's settings: the defaults, or `NEWSMILL_STORIES_CONFIG` (JSON, for experiments).
fn config() -> Config {
    std::env::var("NEWSMILL_STORIES_CONFIG")
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// L2 penalty of the model fit: small, only to keep Newton's method stable.
const L2: f64 = 1.0;

/// `cargo xtask eval stories`.
pub(crate) fn eval(
    data: &Path,
    cv: usize,
    pred_out: Option<PathBuf>,
    orders: usize,
) -> anyhow::Result<()> {
    let Some(docs) = load(data)? else {
        return Ok(());
    };
    // The shipped model is compiled in; `NEWSMILL_STORIES_MODEL=FILE` scores a model file
    // (one `train-stories --out FILE` wrote) without rebuilding.
    let model = match std::env::var_os("NEWSMILL_STORIES_MODEL") {
        Some(path) => {
            let path = PathBuf::from(path);
            Model::from_json(&fs_err::read_to_string(&path)?)
                .with_context(|| format!("{}: not a story model", path.display()))?
        }
        None => Model::builtin(),
    };
    print_evidence(&docs);
    // Time a few passes for a stable documents/second figure; every pass gives the same output.
    let start = Instant::now();
    let passes = 5;
    let mut pred = Vec::new();
    for _ in 0..passes {
        pred = cluster(&docs, &model);
    }
    let secs = start.elapsed().as_secs_f64();
    let s = score(&docs, &pred);
    print_scores(
        &format!("dev ({} docs, shipped model, file order)", docs.len()),
        &s,
    );
    println!(
        "  {:.0} docs/s on one core (dedup + story assignment, {} passes)",
        (docs.len() * passes) as f64 / secs,
        passes
    );
    if let Some(path) = pred_out {
        let mut out = std::io::BufWriter::new(fs_err::File::create(&path)?);
        for (d, p) in docs.iter().zip(&pred) {
            let mut line = serde_json::json!({"id": d.id, "cluster": p});
            if let Some(r) = &d.record {
                // What the stage read as evidence, for looking at its mistakes.
                line["event_time"] = serde_json::json!(r.event_time);
                line["entities"] = r
                    .entities
                    .iter()
                    .take(8)
                    .map(|e| format!("{}/{}", e.name, e.kind.as_str()))
                    .collect();
            }
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        println!(
            "  predictions written to {} (check: bcubed.py GOLD {})",
            path.display(),
            path.display()
        );
    }
    if orders > 0 {
        let f1: Vec<f64> = (1..=orders as u64)
            .map(|seed| {
                let shuffled = shuffle(&docs, seed);
                score(&shuffled, &cluster(&shuffled, &model)).b3_f1
            })
            .collect();
        print_spread(
            &format!("  BCubed F1 over {orders} other arrival orders"),
            &f1,
        );
    }
    if cv > 1 {
        cross_validate(&docs, cv, orders, &Behaviour::load()?);
    }
    Ok(())
}

/// `docs` in a seeded random order (Fisher-Yates with [`Rng`]).
fn shuffle(docs: &[DevDoc], seed: u64) -> Vec<DevDoc> {
    let mut out = docs.to_vec();
    let mut rng = Rng(seed);
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i + 1));
    }
    out
}

fn print_spread(label: &str, f1: &[f64]) {
    let mean = f1.iter().sum::<f64>() / f1.len().max(1) as f64;
    let min = f1.iter().copied().fold(f64::INFINITY, f64::min);
    let max = f1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!("{label}: mean {mean:.4} (min {min:.4}, max {max:.4})");
}

/// Leave-topics-out: topics are dealt round-robin (sorted by number) into `k` folds; each fold
/// is clustered by a model trained on the other folds. Scores are pooled over all documents
/// (each fold's clusters are disjoint from the others').
fn cross_validate(docs: &[DevDoc], k: usize, orders: usize, checks: &Behaviour) {
    let mut topics: Vec<u32> = docs.iter().filter_map(|d| d.topic.parse().ok()).collect();
    topics.sort_unstable();
    topics.dedup();
    let fold_of = |d: &DevDoc| {
        let t: u32 = d.topic.parse().unwrap_or(0);
        topics.iter().position(|&x| x == t).unwrap_or(0) % k
    };
    let mut gold_all: Vec<&str> = Vec::new();
    let mut pred_all: Vec<String> = Vec::new();
    // Per other arrival order: (gold, predicted) of every scored document.
    let mut shuffled_all: Vec<(Vec<String>, Vec<String>)> = vec![Default::default(); orders];
    for fold in 0..k {
        let train: Vec<DevDoc> = docs
            .iter()
            .filter(|d| fold_of(d) != fold)
            .cloned()
            .collect();
        let test: Vec<DevDoc> = docs
            .iter()
            .filter(|d| fold_of(d) == fold)
            .cloned()
            .collect();
        let model = fit(&train, checks);
        println!(
            "  fold {fold}: {} training docs, behaviour cases failed {} (not kept: {}), threshold {}, max_event_gap_days {:?}, min_conflicting_actors {:?}, merge_threshold {:?}, merge_min_cosine {:?}, young_threshold {:?}, young_size {:?}",
            train.len(),
            if checks.on {
                checks.failures(&model).len().to_string()
            } else {
                "(checks off)".into()
            },
            if newsmill_stories::behaviour::another_company(&model).is_ok() {
                "passes"
            } else {
                "fails"
            },
            model.threshold,
            model.max_event_gap_days,
            model.min_conflicting_actors,
            model.merge_threshold,
            model.merge_min_cosine,
            model.young_threshold,
            model.young_size
        );
        for (i, (g, p)) in shuffled_all.iter_mut().enumerate() {
            let shuffled = shuffle(&test, i as u64 + 1);
            for (d, c) in shuffled.iter().zip(cluster(&shuffled, &model)) {
                g.push(d.cluster.clone());
                p.push(format!("f{fold}:{c}"));
            }
        }
        let pred = cluster(&test, &model);
        for (d, p) in test.iter().zip(pred) {
            gold_all.push(
                docs.iter()
                    .find(|x| x.id == d.id)
                    .map_or("", |x| &x.cluster),
            );
            pred_all.push(format!("f{fold}:{p}"));
        }
    }
    if let Some(path) = std::env::var_os("NEWSMILL_STORIES_CV_PRED") {
        // For looking at the held-out mistakes: each scored article's story, as `--pred`.
        let ids = (0..k).flat_map(|fold| docs.iter().filter(move |d| fold_of(d) == fold));
        let lines: Vec<String> = ids
            .zip(&pred_all)
            .map(|(d, p)| serde_json::json!({"id": d.id, "cluster": p}).to_string())
            .collect();
        if let Err(e) = fs_err::write(&path, lines.join("\n") + "\n") {
            eprintln!("xtask: {e}");
        }
    }
    let pred: Vec<&str> = pred_all.iter().map(String::as_str).collect();
    let s = scores(&gold_all, &pred);
    print_scores(
        &format!("leave-topics-out, {k} folds (model trained without the scored topics)"),
        &s,
    );
    if orders > 0 {
        let f1: Vec<f64> = shuffled_all
            .iter()
            .map(|(g, p)| {
                let g: Vec<&str> = g.iter().map(String::as_str).collect();
                let p: Vec<&str> = p.iter().map(String::as_str).collect();
                scores(&g, &p).b3_f1
            })
            .collect();
        print_spread(
            &format!("  BCubed F1 over {orders} other arrival orders"),
            &f1,
        );
    }
}

/// `cargo xtask train stories`.
pub(crate) fn train(data: &Path, out: &Path) -> anyhow::Result<()> {
    let Some(docs) = load(data)? else {
        return Ok(());
    };
    let checks = Behaviour::load()?;
    let mut model = fit(&docs, &checks);
    let failures = checks.failures(&model);
    let pred = cluster(&docs, &model);
    let s = score(&docs, &pred);
    model.note = format!(
        "Logistic regression (Newton, L2 {L2}) over candidate (article, story) pairs, teacher-forced \
         online over {DEV} in file order, document frequencies started from those of the same \
         articles (df_prior, min df 2); made by `cargo xtask train-stories`. Dev BCubed F1 {:.4}, \
         pairwise F1 {:.4}.",
        s.b3_f1, s.pair_f1
    );
    println!(
        "  weights {:?} bias {:.4} threshold {} max_event_gap_days {:?} min_conflicting_actors {:?} merge_threshold {:?} merge_min_cosine {:?} young_threshold {:?} young_size {:?}",
        model.weights,
        model.bias,
        model.threshold,
        model.max_event_gap_days,
        model.min_conflicting_actors,
        model.merge_threshold,
        model.merge_min_cosine,
        model.young_threshold,
        model.young_size
    );
    print_scores("dev with the new model", &s);
    if checks.on {
        // A model that breaks a promise of the stage is not written (nor shipped).
        for f in &failures {
            println!("  behaviour case failed: {f}");
        }
        anyhow::ensure!(
            failures.is_empty(),
            "the fitted model fails {} behaviour case(s) of newsmill_stories::behaviour (listed \
             above); {} not written",
            failures.len(),
            out.display()
        );
        println!("  behaviour cases: all pass");
    }
    // A case of the same rule that training does not keep: whether the rule carries over.
    match newsmill_stories::behaviour::another_company(&model) {
        Ok(()) => println!("  case not kept by training: passes"),
        Err(f) => println!("  case not kept by training: fails: {f}"),
    }
    // Compact: the document-frequency prior is most of the file.
    let json = serde_json::to_string(&model)? + "\n";
    fs_err::write(out, json)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// Default output of `train stories`.
pub(crate) fn default_model_path() -> PathBuf {
    PathBuf::from(MODEL_PATH)
}

/// A small deterministic generator (SplitMix64) for the synthetic stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One synthetic document.
pub(crate) struct SynthDoc {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) text: String,
    /// True for a near-duplicate copy of a recent document.
    pub(crate) copy: bool,
}

/// Synthesises `n` documents from the dev texts: 80% rewritten articles (a random subset of a
/// dev article's sentences, a few from another article of its topic, and a tenth of the words
/// replaced by words of an open vocabulary, so the vocabulary grows like a real stream's) and
/// 20% near-duplicate copies of a recent one (boilerplate added, cut, or a sentence dropped).
pub(crate) fn synth_stream(
    docs: &[(String, String, String)],
    n: usize,
    seed: u64,
) -> Vec<SynthDoc> {
    let mut rng = Rng(seed);
    let mut out: Vec<SynthDoc> = Vec::with_capacity(n);
    let split = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    };
    let sentences: Vec<Vec<String>> = docs.iter().map(|d| split(&d.2)).collect();
    for i in 0..n {
        let id = format!("d{i}");
        if i > 10 && rng.below(5) == 0 {
            let src = &out[i - 1 - rng.below(10.min(i - 1))];
            let mut lines = split(&src.text);
            match rng.below(3) {
                0 => lines.push(
                    "Copyright 2024 Example Wire. All rights reserved. Sign up for our newsletter \
                     to get the top stories in your inbox every morning."
                        .into(),
                ),
                1 => {
                    let keep = (lines.len() * 2 / 3).max(1);
                    lines.truncate(keep);
                }
                _ => {
                    if lines.len() > 2 {
                        let k = rng.below(lines.len());
                        lines.remove(k);
                    }
                }
            }
            let (title, text) = (format!("Update: {}", src.title), lines.join("\n"));
            out.push(SynthDoc {
                id,
                title,
                text,
                copy: true,
            });
            continue;
        }
        let b = rng.below(docs.len());
        let o = rng.below(docs.len());
        let mut lines: Vec<String> = sentences[b]
            .iter()
            .filter(|_| rng.below(10) < 7)
            .cloned()
            .collect();
        for _ in 0..2 {
            if let Some(s) = sentences[o].get(rng.below(sentences[o].len().max(1))) {
                lines.push(s.clone());
            }
        }
        let mut text = String::with_capacity(docs[b].2.len());
        for line in &lines {
            for w in line.split_whitespace() {
                if rng.below(10) == 0 {
                    text.push_str(&format!("w{}", rng.below(2_000_000)));
                } else {
                    text.push_str(w);
                }
                text.push(' ');
            }
            text.push('\n');
        }
        out.push(SynthDoc {
            id,
            title: docs[b].1.clone(),
            text,
            copy: false,
        });
    }
    out
}

/// Peak resident memory of this process in MiB (Linux `VmHWM`), when readable.
fn peak_rss_mib() -> Option<f64> {
    let status = fs_err::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time (user + system) this thread has used, in seconds (Linux `/proc/thread-self/stat`,
/// clock ticks of 1/100 s), when readable. The machine is shared, so wall time is not a measure.
fn thread_cpu_secs() -> Option<f64> {
    let stat = fs_err::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// `cargo xtask bench stories --docs N`. Documents are generated in chunks as the stream goes,
/// so the peak memory is the stage's (plus one chunk), not the stream's.
pub(crate) fn bench(data: &Path, n: usize) -> anyhow::Result<()> {
    let Some(dev) = load_texts(data, false)? else {
        return Ok(());
    };
    let base: Vec<(String, String, String)> = dev
        .iter()
        .filter(|d| d.text.as_deref().is_some_and(|t| !t.is_empty()))
        .map(|d| {
            (
                d.id.clone(),
                d.title.clone().unwrap_or_default(),
                d.text.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut c = Clusterer::new(config(), Model::builtin());
    let rss_before = peak_rss_mib().unwrap_or(0.0);
    let chunk = 10_000;
    let mut busy = 0.0;
    let mut cpu = 0.0;
    let (mut dups, mut new_stories, mut bytes) = (0u64, 0u64, 0u64);
    // Made copies, those found, and other documents found to be copies.
    let (mut copies, mut copies_found, mut others_found) = (0u64, 0u64, 0u64);
    let mut done = 0;
    let mut chunk_no = 0u64;
    while done < n {
        let m = chunk.min(n - done);
        // Each chunk is its own generator run, offset so ids and times keep growing.
        let mut docs = synth_stream(&base, m + 11, chunk_no);
        docs.drain(..11);
        chunk_no += 1;
        let start = Instant::now();
        let cpu_start = thread_cpu_secs();
        for (k, d) in docs.iter().enumerate() {
            let id = format!("c{chunk_no}-{}", d.id);
            let mut item = Item::new(&id, &d.title, &d.text);
            item.time = Some(1_700_000_000 + 5 * (done + k) as i64);
            let a = c.push(&item);
            let dup = a.duplicate_of.is_some();
            dups += u64::from(dup);
            copies += u64::from(d.copy);
            copies_found += u64::from(d.copy && dup);
            others_found += u64::from(!d.copy && dup);
            new_stories += u64::from(a.new_story);
            bytes += (d.text.len() + d.title.len()) as u64;
        }
        busy += start.elapsed().as_secs_f64();
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_secs()) {
            cpu += b - a;
        }
        done += m;
    }
    println!(
        "stories bench: {n} docs ({:.1} MB of text), {:.0} docs/s per core in CPU time \
         ({cpu:.2} s user+sys; {:.1} MB/s); wall {busy:.2} s ({:.0} docs/s)",
        bytes as f64 / 1e6,
        n as f64 / cpu.max(1e-9),
        bytes as f64 / 1e6 / cpu.max(1e-9),
        n as f64 / busy
    );
    println!(
        "  duplicates {dups}, new stories {new_stories}, open stories at end {}, dedup window {} docs",
        c.stories().open_len(),
        c.dedup_len()
    );
    println!(
        "  made copies found {copies_found} of {copies}; rewritten articles taken for copies \
         {others_found} (two rewrites of one dev text can share most of it)"
    );
    if let Some(rss) = peak_rss_mib() {
        println!("  peak RSS {rss:.1} MiB (at start {rss_before:.1} MiB, dev texts loaded)");
    }
    Ok(())
}

/// `cargo xtask bench-minhash`: 128-permutation MinHash signatures of word 5-shingles of every
/// dev text (title and body), timed on one core; `scripts/datasketch_side_by_side.py` runs
/// datasketch on the same texts.
pub(crate) fn bench_minhash(data: &Path, repeat: usize) -> anyhow::Result<()> {
    let Some(dev) = load_texts(data, false)? else {
        return Ok(());
    };
    let texts: Vec<String> = dev
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d.title.as_deref().unwrap_or(""),
                d.text.as_deref().unwrap_or("")
            )
        })
        .collect();
    let hasher = newsmill_stories::MinHasher::new(128, 5);
    let start = Instant::now();
    let mut check = 0u64;
    for _ in 0..repeat.max(1) {
        for t in &texts {
            check = check.wrapping_add(u64::from(hasher.signature(t).mins[0]));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = texts.len() * repeat.max(1);
    println!(
        "newsmill minhash: {n} signatures (128 perms, word 5-shingles) in {secs:.3} s: {:.0} docs/s (check {check})",
        n as f64 / secs
    );
    Ok(())
}

/// Wrong candidates kept per article in training (`NEWSMILL_STORIES_NEGATIVES`, for experiments).
fn hard_negatives() -> usize {
    std::env::var("NEWSMILL_STORIES_NEGATIVES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Whether the model carries the training articles' document frequencies (on unless
/// `NEWSMILL_STORIES_PRIOR=0`, for experiments).
fn use_prior() -> bool {
    std::env::var("NEWSMILL_STORIES_PRIOR").map_or(true, |v| v != "0")
}
