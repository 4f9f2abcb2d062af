//! The learned cue model: an averaged perceptron that decides, from the cue's words, its
//! neighbours and the shape of the attribution the rules built around it, whether a match of
//! the cue lexicon is a real attribution ("the senator said" yes, "the states" no, "support
//! for the bill" no, "he supports the bill" yes).
//!
//! The weights (`data/quotes/cue-model-LANG.txt.zst`: zstd-compressed `feature<TAB>weight`
//! lines) are learned by
//! `cargo xtask train-quotes` on PolNeAR train (the part that is neither dev nor held out);
//! an attribution is kept when the sum of its features' weights is at least zero. A language
//! without a model keeps every attribution.
//!
//! The same format holds the cue tagger (`data/quotes/cue-tagger-en.txt.zst`), which reads
//! single tokens outside the cue lexicon and keeps those that are cues ("criticism", "made
//! clear", a colon); its `cand=WORD` lines list the only words it scores.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

static EN_MODEL: &[u8] = include_bytes!("../../data/quotes/cue-model-en.txt.zst");
static EN_TAGGER: &[u8] = include_bytes!("../../data/quotes/cue-tagger-en.txt.zst");

/// Feature weights of one language (the cue model or the cue tagger).
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct CueModel {
    weights: HashMap<String, f32>,
    /// The words a tagger scores (`cand=WORD` lines).
    cands: HashSet<String>,
}

impl CueModel {
    /// Parses `feature<TAB>weight` lines (`#` comments); bad lines are skipped.
    pub fn parse(src: &str) -> CueModel {
        let weights: HashMap<String, f32> = src
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (f, w) = l.rsplit_once('\t')?;
                Some((f.to_string(), w.trim().parse::<f32>().ok()?))
            })
            .collect();
        let cands = weights
            .keys()
            .filter_map(|k| k.strip_prefix("cand="))
            .map(str::to_string)
            .collect();
        CueModel { weights, cands }
    }

    /// Whether a tagger scores this (lowercase) word.
    pub(crate) fn is_candidate(&self, word: &str) -> bool {
        self.cands.contains(word)
    }

    /// The cue tagger of a language, when one was trained.
    pub(crate) fn tagger_for_language(lang: &str) -> Option<&'static CueModel> {
        static EN: OnceLock<CueModel> = OnceLock::new();
        match lang {
            "en" => Some(EN.get_or_init(|| CueModel::parse_compressed(EN_TAGGER)))
                .filter(|m| !m.is_empty()),
            _ => None,
        }
    }

    /// Decompresses and parses a zstd-compressed model file; a file that does not decompress
    /// to UTF-8 text gives an empty model (every attribution kept), never a panic.
    pub(crate) fn parse_compressed(bytes: &[u8]) -> CueModel {
        zstd::stream::decode_all(bytes)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .map(|text| CueModel::parse(&text))
            .unwrap_or_default()
    }

    /// The model of a language, when one was trained.
    pub(crate) fn for_language(lang: &str) -> Option<&'static CueModel> {
        static EN: OnceLock<CueModel> = OnceLock::new();
        match lang {
            "en" => Some(EN.get_or_init(|| CueModel::parse_compressed(EN_MODEL)))
                .filter(|m| !m.is_empty()),
            _ => None,
        }
    }

    fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The score of a feature set: the sum of the known features' weights.
    #[cfg(test)]
    pub(crate) fn score(&self, features: &[String]) -> f32 {
        features
            .iter()
            .filter_map(|f| self.weights.get(f.as_str()))
            .sum()
    }

    /// The weight of one feature (0 when unknown).
    pub(crate) fn weight(&self, feature: &str) -> f32 {
        self.weights.get(feature).copied().unwrap_or(0.0)
    }

    /// Whether an attribution with these features is kept (the stage scores its features
    /// one by one, `Ctx::model_keeps`).
    #[cfg(test)]
    pub(crate) fn keeps(&self, features: &[String]) -> bool {
        self.score(features) >= 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_scores() {
        let m = CueModel::parse("# c\nbias\t-0.5\nw=said\t2.0\nbad line\n");
        assert!(m.keeps(&["bias".into(), "w=said".into()]));
        assert!(!m.is_candidate("said"));
        let t = CueModel::parse("cand=criticism\t1\nbias\t-1\n");
        assert!(t.is_candidate("criticism"));
        assert!(!m.keeps(&["bias".into(), "w=states".into()]));
        assert_eq!(m.score(&[]), 0.0);
    }

    #[test]
    fn the_shipped_model_decompresses_and_bad_bytes_give_an_empty_model() {
        let m = CueModel::for_language("en").expect("the English model ships");
        assert!(m.weights.len() > 1000, "{} weights", m.weights.len());
        assert!(m.weights.contains_key("bias"));
        assert!(CueModel::parse_compressed(b"not zstd").is_empty());
        assert!(CueModel::for_language("xx").is_none());
    }
}
