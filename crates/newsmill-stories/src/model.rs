//! The decision whether an article joins a story: a logistic model over similarity features.
//!
//! For an article and a candidate story the features are the cosines of TF-IDF sub-vectors
//! (body, title, names, title against body, numbers, bigrams), the story's size (after Miranda
//! et al., EMNLP 2018), whether the years they name conflict, and the evidence of when and who
//! (the `evidence` module: how far apart their event times are, the share of dates, actors and
//! places they have in common). The model gives the probability that the article belongs to the story; the article
//! joins its most probable candidate when that probability reaches [`Model::threshold`], and
//! starts a new story otherwise. The weights are learned on the dev set by
//! `cargo xtask train-stories` and shipped as `model/stories.json`, with the document
//! frequencies of the training articles ([`DfPrior`]) that a new stage starts its IDF from.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Names of the features, in the order of [`Features::to_array`].
pub const FEATURE_NAMES: [&str; NUM_FEATURES] = [
    "cos_body",
    "cos_title",
    "cos_names",
    "cos_title_body",
    "log_size",
    "cos_numbers",
    "cos_bigrams",
    "year_conflict",
    "event_gap",
    "event_near",
    "date_share",
    "cos_actors",
    "actor_conflict",
    "place_share",
    "lead_miss",
    "core_miss",
    "year_miss",
    "story_title_miss",
];

/// Number of features.
pub const NUM_FEATURES: usize = 18;

/// Similarity of one article to one candidate story.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Features {
    /// Cosine of the article's body vector and the story's body centroid.
    pub cos_body: f64,
    /// Cosine of the article's title vector and the story's title centroid.
    pub cos_title: f64,
    /// Cosine of the article's names (proper nouns, numbers, entities) and the story's.
    pub cos_names: f64,
    /// Cosine of the article's title vector and the story's body centroid.
    pub cos_title_body: f64,
    /// `ln(1 + members)` of the story.
    pub log_size: f64,
    /// Cosine of the article's numbers (counts, ages, scores, years) and the story's: two
    /// events of one kind share their words but rarely their figures.
    pub cos_numbers: f64,
    /// Cosine of the article's body bigrams (consecutive content words) and the story's.
    pub cos_bigrams: f64,
    /// 1 when both the article and the story name years (1950-2039) and none in common: the
    /// same kind of event in another year is another event.
    pub year_conflict: f64,
    /// Days between the article's event time and the story's nearest, over a year (capped at
    /// 1); 0 when either is unknown.
    pub event_gap: f64,
    /// 1 when both event times are known and at most a week apart.
    pub event_near: f64,
    /// Share of the full calendar dates the article names that the story names too (within a
    /// day); 0 when either names none.
    pub date_share: f64,
    /// Cosine of the article's actors (canonical names of people and organisations, by
    /// mentions, and quote speakers) and the story's actor centroid.
    pub cos_actors: f64,
    /// 1 when both have actors and share none.
    pub actor_conflict: f64,
    /// Share of the article's places (canonical names) the story has; 0 when either has none.
    pub place_share: f64,
    /// How far the article's lead actors (its most mentioned people and organisations) are
    /// from the story's centre: one minus the mean share of the story's articles naming each;
    /// 0 when either has no such actors. A follow-up is about the story's protagonists, another
    /// event of the same kind about its own.
    pub lead_miss: f64,
    /// Share of the story's core actors (named by at least half of its articles) the article
    /// does not name; 0 when the story has no core or the article no actors.
    pub core_miss: f64,
    /// Share of the story's articles with an own year (their event time's, else the latest
    /// year they name) whose year is not the article's; 0 when either has none.
    pub year_miss: f64,
    /// Share of the story's title names (named by at least half of its articles' titles: its
    /// protagonists) the article does not name; 0 when the story has none.
    pub story_title_miss: f64,
}

impl Features {
    /// The features as an array, in [`FEATURE_NAMES`] order.
    pub fn to_array(&self) -> [f64; NUM_FEATURES] {
        [
            self.cos_body,
            self.cos_title,
            self.cos_names,
            self.cos_title_body,
            self.log_size,
            self.cos_numbers,
            self.cos_bigrams,
            self.year_conflict,
            self.event_gap,
            self.event_near,
            self.date_share,
            self.cos_actors,
            self.actor_conflict,
            self.place_share,
            self.lead_miss,
            self.core_miss,
            self.year_miss,
            self.story_title_miss,
        ]
    }
}

/// A logistic model over [`Features`], with the probability from which an article joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Feature names, checked against [`FEATURE_NAMES`] when loading.
    pub features: Vec<String>,
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Join the best story when its probability reaches this.
    pub threshold: f64,
    /// How the model was made (command, data, figures).
    #[serde(default)]
    pub note: String,
    /// Document frequencies learned from the training articles, which a new stage starts from
    /// (so the IDF of a young stream is not that of its first few articles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub df_prior: Option<DfPrior>,
    /// A candidate whose nearest event time is more than this many days from the article's is
    /// never joined, however similar the words (`None`: no such limit). Chosen on the training
    /// articles with the threshold.
    #[serde(default)]
    pub max_event_gap_days: Option<u32>,
    /// A candidate is never joined when the article and the story each have at least this many
    /// actors and share none (`None`: no such rule). Chosen on the training articles.
    #[serde(default)]
    pub min_conflicting_actors: Option<u32>,
    /// Repair: when an article joins a story and the runner-up candidate reaches this
    /// probability too (and the join threshold), the two stories are merged (`None`: never).
    /// Chosen on the training articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_threshold: Option<f64>,
    /// Repair: two stories are merged only when their body centroids themselves have at least
    /// this cosine (`None`: no such check); one article that fits both is not enough. Chosen on
    /// the training articles with `merge_threshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_min_cosine: Option<f64>,
    /// A young story (of at most [`Model::young_size`] articles) is joined only when the
    /// probability reaches this too (`None`: [`Model::threshold`] alone). Chosen on the
    /// training articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub young_threshold: Option<f64>,
    /// The most articles a story has while [`Model::young_threshold`] applies to it (`None`:
    /// 1, a story of a single article). Chosen on the training articles with the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub young_size: Option<u32>,
}

/// Document frequencies a stage starts from: `docs` articles, and for the hashed terms that
/// occurred in at least two of them, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DfPrior {
    /// `hash_bits` of the vocabulary the term ids belong to (the prior is ignored otherwise).
    pub hash_bits: u32,
    /// Articles counted.
    pub docs: u64,
    /// `(term id, document frequency)`, sorted by term id.
    pub df: Vec<(u32, u32)>,
}

const BUILTIN: &str = include_str!("../model/stories.json");

impl Model {
    /// The model shipped with the crate (`model/stories.json`).
    pub fn builtin() -> Model {
        // The file is checked by a unit test; the fallback only guards a broken build.
        Model::from_json(BUILTIN).unwrap_or_else(|_| Model::untrained())
    }

    /// A hand-set model: join when the body cosine is above about 0.3.
    pub fn untrained() -> Model {
        Model {
            features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
            weights: {
                let mut w = vec![0.0; NUM_FEATURES];
                w[0] = 10.0;
                w
            },
            bias: -3.0,
            threshold: 0.5,
            note: "untrained".into(),
            df_prior: None,
            max_event_gap_days: None,
            min_conflicting_actors: None,
            merge_threshold: None,
            merge_min_cosine: None,
            young_threshold: None,
            young_size: None,
        }
    }

    /// Parses and checks a model file.
    pub fn from_json(json: &str) -> Result<Model> {
        let m: Model = serde_json::from_str(json).map_err(|e| Error::Model(e.to_string()))?;
        if m.features != FEATURE_NAMES || m.weights.len() != NUM_FEATURES {
            return Err(Error::Model(format!(
                "expected features {FEATURE_NAMES:?}, found {:?}",
                m.features
            )));
        }
        if !(m.bias.is_finite() && m.weights.iter().all(|w| w.is_finite())) {
            return Err(Error::Model("non-finite weight".into()));
        }
        Ok(m)
    }

    /// The linear score (log-odds) of `f`.
    pub fn logit(&self, f: &Features) -> f64 {
        self.bias
            + f.to_array()
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f64>()
    }

    /// The log-odds of [`Model::young_threshold`], when set.
    pub fn young_logit(&self) -> Option<f64> {
        self.young_threshold.map(logit_of)
    }

    /// Whether a story of `size` articles is young ([`Model::young_size`]).
    pub fn is_young(&self, size: u32) -> bool {
        size <= self.young_size.unwrap_or(1)
    }

    /// The log-odds of [`Model::merge_threshold`], when set.
    pub fn merge_logit(&self) -> Option<f64> {
        self.merge_threshold.map(|t| {
            let p = t.clamp(1e-9, 1.0 - 1e-9);
            (p / (1.0 - p)).ln()
        })
    }

    /// The log-odds at which an article joins (the logit of [`Model::threshold`]).
    pub fn threshold_logit(&self) -> f64 {
        let p = self.threshold.clamp(1e-9, 1.0 - 1e-9);
        (p / (1.0 - p)).ln()
    }
}

/// `ln(p / (1 - p))`, with `p` kept off 0 and 1.
fn logit_of(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

/// One training example: features of (article, story) and whether the article belongs to it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// The features.
    pub features: Features,
    /// True when the story is the article's gold story.
    pub positive: bool,
}

/// Fits a logistic model by Newton's method with an L2 penalty `l2` on the weights (not the
/// bias). Deterministic: the same examples give the same model.
pub fn train(examples: &[Example], l2: f64) -> Model {
    const D: usize = NUM_FEATURES + 1;
    let mut w = [0.0f64; D];
    for _ in 0..50 {
        let mut grad = [0.0f64; D];
        let mut hess = [[0.0f64; D]; D];
        for ex in examples {
            let x = extend(&ex.features);
            let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if ex.positive { 1.0 } else { 0.0 };
            for i in 0..D {
                grad[i] += (p - y) * x[i];
                for j in 0..D {
                    hess[i][j] += p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 1..D {
            grad[i] += l2 * w[i];
            hess[i][i] += l2;
        }
        hess[0][0] += 1e-9;
        let Some(step) = solve(hess, grad) else { break };
        let mut size = 0.0;
        for i in 0..D {
            w[i] -= step[i];
            size += step[i].abs();
        }
        if size < 1e-10 {
            break;
        }
    }
    Model {
        features: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
        weights: w[1..].to_vec(),
        bias: w[0],
        threshold: 0.5,
        note: String::new(),
        df_prior: None,
        max_event_gap_days: None,
        min_conflicting_actors: None,
        merge_threshold: None,
        merge_min_cosine: None,
        young_threshold: None,
        young_size: None,
    }
}

fn extend(f: &Features) -> [f64; NUM_FEATURES + 1] {
    let mut x = [1.0; NUM_FEATURES + 1];
    x[1..].copy_from_slice(&f.to_array());
    x
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> Option<[f64; D]> {
    for col in 0..D {
        let pivot = (col..D).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..D {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; D];
    for row in (0..D).rev() {
        let s: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_parses() {
        Model::from_json(BUILTIN).unwrap();
    }

    #[test]
    fn a_young_story_is_one_of_at_most_young_size_articles() {
        let mut m = Model::untrained();
        assert!(m.is_young(1) && !m.is_young(2));
        m.young_size = Some(3);
        assert!(m.is_young(3) && !m.is_young(4));
    }

    #[test]
    fn learns_a_separable_rule() {
        let ex = |c: f64, positive| Example {
            features: Features {
                cos_body: c,
                ..Features::default()
            },
            positive,
        };
        let examples: Vec<_> = (0..100)
            .map(|i| {
                let c = f64::from(i) / 100.0;
                ex(c, c > 0.4)
            })
            .collect();
        let m = train(&examples, 1e-3);
        let at = |c| m.logit(&ex(c, false).features);
        assert!(at(0.3) < 0.0 && at(0.5) > 0.0, "{m:?}");
        assert_eq!(train(&examples, 1e-3), m);
    }
}
