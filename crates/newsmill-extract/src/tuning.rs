//! The thresholds of the extraction rules and a switch for every rule, so that an evaluation
//! can measure what each rule does and tune a threshold on some sites and score it on others.

use crate::rules::rules;

/// Rules written in the code (not vocabularies): each has a name and can be switched off.
/// The names are those `cargo xtask eval extract` reports.
pub(crate) const STEPS: &[(&str, &str)] = &[
    (
        "marked-element",
        "blocks inside an element named like boilerplate (by tag, class, id or role) are dropped",
    ),
    (
        "link-list",
        "a block whose text is mostly links (and under 40 words) is a related link",
    ),
    (
        "tail-cut",
        "below the story, the head of a comment section or of other stories drops all after it",
    ),
    (
        "byline-line",
        "a short line that opens with a byline lead and a name is a byline",
    ),
    (
        "date-line",
        "a short line that is only a date or a time stamp is a dateline",
    ),
    ("duplicate-block", "a block repeated verbatim is kept once"),
    (
        "second-story",
        "below the story, an element that starts with a heading and its own byline or date line is another story",
    ),
    (
        "announced-list",
        "a list that a line ending in a colon announces is kept, links or not, with its line",
    ),
    (
        "code-text",
        "a block that reads as program text (many ;{}=() in statements) is no prose",
    ),
    (
        "link-bar",
        "a line of three or more short segments joined by | is a bar of links (not a table row)",
    ),
    (
        "image-caption",
        "a short block in a small wrapper around an image is its caption",
    ),
    (
        "teaser-heading",
        "below the story, a heading that is a link starts a teaser of another story: it and its short lines go",
    ),
    (
        "orphan-heading",
        "a heading with no text under it is dropped",
    ),
    (
        "short-label-colon",
        "a line of at most three words ending in a colon is a label",
    ),
    (
        "prose-beats-name",
        "an element named like boilerplate (not comments) that holds more prose than the best unmarked element is not boilerplate",
    ),
    (
        "article-grow",
        "the container grows to the element the page marks as its article",
    ),
    (
        "sibling-step",
        "siblings of the container that score well join it (Readability)",
    ),
    (
        "recall-fallback",
        "when little is kept, the marked article is tried instead",
    ),
    (
        "json-ld-body",
        "when the body found is short and misses most of the page's JSON-LD articleBody, the declared text is the body",
    ),
    (
        "breadcrumb-shape",
        "a line of three or more short segments joined by > or » is a breadcrumb trail",
    ),
    (
        "tail-fragment",
        "short fragments after the article's last sentence are chrome",
    ),
    (
        "foreign-script",
        "a short line in another script than the body is boilerplate (text input)",
    ),
];

/// Thresholds and rule switches of the extractor.
///
/// [`Tuning::default`] is what newsmill ships. Evaluations change it: `cargo xtask eval
/// extract` switches rules off one at a time to show what each does, and tunes thresholds
/// on some sites to score them on others.
#[derive(Debug, Clone, PartialEq)]
pub struct Tuning {
    /// A weakly named element (a header, a sidebar) is boilerplate while it holds at most
    /// this share of the page's prose.
    pub weak_max_share: f32,
    /// The same for strongly named elements (share bars, related links).
    pub strong_max_share: f32,
    /// The same for comment sections, which often outgrow a short article.
    pub comments_max_share: f32,
    /// The element the page marks as its article replaces the best element inside it when
    /// it scores at least this share of it.
    pub article_up_share: f32,
    /// A sibling of the container joins it when it scores this share of the container ...
    pub sibling_share: f32,
    /// ... and at least this much.
    pub sibling_min: f32,
    /// Below this many words kept, the marked article is tried as the container too.
    pub fallback_words: usize,
    /// Fragments after the story's last sentence of at most this many words go.
    pub tail_words: usize,
    /// Rules switched off, by index (families first, then [`STEPS`]); empty means all on.
    off: Vec<bool>,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            weak_max_share: 0.6,
            strong_max_share: 0.6,
            comments_max_share: 0.85,
            article_up_share: 0.5,
            sibling_share: 0.2,
            sibling_min: 100.0,
            fallback_words: 500,
            tail_words: 8,
            off: Vec::new(),
        }
    }
}

/// A rule or threshold name that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("unknown rule or threshold {0:?}")]
pub struct UnknownSetting(pub String);

/// A rule that [`Tuning`] can switch off: a family of `rules/*.rules` or a step of the code.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// The family id or step name.
    pub name: &'static str,
    /// `labels.rules`, ... for a family; `code` for a step.
    pub file: &'static str,
    /// What the rule does or where its entries come from.
    pub source: &'static str,
    /// How many entries a family has (0 for a step).
    pub entries: usize,
}

impl Tuning {
    /// Every rule that can be switched off, families first, then steps.
    pub fn rules() -> Vec<RuleInfo> {
        let mut out: Vec<RuleInfo> = rules()
            .families
            .iter()
            .map(|f| RuleInfo {
                name: f.id,
                file: f.file,
                source: f.attr("source").unwrap_or(""),
                entries: f.entries.len(),
            })
            .collect();
        out.extend(STEPS.iter().map(|(name, what)| RuleInfo {
            name,
            file: "code",
            source: what,
            entries: 0,
        }));
        out
    }

    /// Switches a rule off by name.
    pub fn switch_off(&mut self, name: &str) -> Result<(), UnknownSetting> {
        let i = index_of(name).ok_or_else(|| UnknownSetting(name.to_string()))?;
        if self.off.is_empty() {
            self.off = vec![false; rules().families.len() + STEPS.len()];
        }
        self.off[i] = true;
        Ok(())
    }

    /// The thresholds by name, for tuning loops.
    pub fn thresholds() -> &'static [&'static str] {
        &[
            "weak_max_share",
            "strong_max_share",
            "comments_max_share",
            "article_up_share",
            "sibling_share",
            "sibling_min",
            "fallback_words",
            "tail_words",
        ]
    }

    /// Sets a threshold by name.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), UnknownSetting> {
        let v = value as f32;
        match name {
            "weak_max_share" => self.weak_max_share = v,
            "strong_max_share" => self.strong_max_share = v,
            "comments_max_share" => self.comments_max_share = v,
            "article_up_share" => self.article_up_share = v,
            "sibling_share" => self.sibling_share = v,
            "sibling_min" => self.sibling_min = v,
            "fallback_words" => self.fallback_words = value.max(0.0) as usize,
            "tail_words" => self.tail_words = value.max(0.0) as usize,
            _ => return Err(UnknownSetting(name.to_string())),
        }
        Ok(())
    }

    /// A threshold by name.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "weak_max_share" => self.weak_max_share.into(),
            "strong_max_share" => self.strong_max_share.into(),
            "comments_max_share" => self.comments_max_share.into(),
            "article_up_share" => self.article_up_share.into(),
            "sibling_share" => self.sibling_share.into(),
            "sibling_min" => self.sibling_min.into(),
            "fallback_words" => self.fallback_words as f64,
            "tail_words" => self.tail_words as f64,
            _ => return None,
        })
    }

    /// Whether the rule with this index (a family's `index`) is on.
    pub(crate) fn on(&self, index: usize) -> bool {
        self.off.get(index).is_none_or(|off| !off)
    }

    /// Whether the step of the code with this name is on.
    pub(crate) fn step(&self, name: &str) -> bool {
        if self.off.is_empty() {
            return true;
        }
        STEPS
            .iter()
            .position(|(n, _)| *n == name)
            .is_none_or(|k| self.on(rules().families.len() + k))
    }
}

fn index_of(name: &str) -> Option<usize> {
    let r = rules();
    r.families.iter().position(|f| f.id == name).or_else(|| {
        STEPS
            .iter()
            .position(|(n, _)| *n == name)
            .map(|k| r.families.len() + k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_and_thresholds_by_name() {
        let mut t = Tuning::default();
        assert!(t.step("link-list"));
        t.switch_off("link-list").unwrap();
        assert!(!t.step("link-list"));
        assert!(t.step("tail-cut"));
        assert!(t.switch_off("no-such-rule").is_err());
        for name in Tuning::thresholds() {
            let v = t.get(name).unwrap();
            t.set(name, v).unwrap();
        }
        assert_eq!(t.get("fallback_words"), Some(500.0));
        let names: Vec<&str> = Tuning::rules().iter().map(|r| r.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "rule names are unique");
    }
}
