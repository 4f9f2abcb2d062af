//! Boilerplate lines shared by the text and HTML extractors.
//!
//! A line is boilerplate when it is short and is, or starts with, a known site-chrome phrase:
//! share bars, "Read more" link lines, comment-box labels, newsletter and cookie prompts,
//! copyright lines. The phrases cover the languages newsmill meets most; lines in a script
//! other than the body's are caught separately by [`foreign_script`], so a comment label in a
//! language missing from these lists still goes.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use newsmill_core::RemovedReason;
use regex::RegexSet;

use crate::Tuning;
use crate::rules::{Family, rules};

/// Longest line (in characters) that a label-like pattern may match, unless its family
/// allows more (`@max-chars`). Longer lines are prose that merely contains the phrase.
const MAX_LABEL_CHARS: usize = 90;

/// A family of `labels.rules` compiled: its regex, reason, length bound and switch.
struct Label {
    family: &'static Family,
    reason: RemovedReason,
    max_chars: usize,
}

/// The label families of `rules/labels.rules`, in file order, and one `RegexSet` over them:
/// most prose lines match none, and the set says so in one pass.
static LABELS: LazyLock<(Vec<Label>, RegexSet)> = LazyLock::new(|| {
    let labels: Vec<Label> = rules()
        .in_file("labels.rules")
        .map(|f| Label {
            family: f,
            reason: f.reason().expect("label families have a reason"),
            max_chars: f.number("max-chars", MAX_LABEL_CHARS),
        })
        .collect();
    let set = RegexSet::new(labels.iter().map(|l| l.family.regex_source()))
        .expect("valid label patterns");
    (labels, set)
});

/// The notice families of `rules/notices.rules`: (family, reason, whether the phrase must
/// start the line), and one automaton over all their phrases with each phrase's family.
struct Notices {
    families: Vec<(&'static Family, RemovedReason, bool)>,
    automaton: AhoCorasick,
    family_of: Vec<usize>,
}

static NOTICES: LazyLock<Notices> = LazyLock::new(|| {
    let mut families = Vec::new();
    let mut phrases = Vec::new();
    let mut family_of = Vec::new();
    for f in rules().in_file("notices.rules") {
        let start = f.attr("match") == Some("start");
        families.push((f, f.reason().expect("notice families have a reason"), start));
        for p in f.patterns() {
            phrases.push(p.to_lowercase());
            family_of.push(families.len() - 1);
        }
    }
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&phrases)
        .expect("valid phrase list");
    Notices {
        families,
        automaton,
        family_of,
    }
});

/// Notices are short: a line of more words is prose that opens like one ("Already a member
/// of the party, she ..."), never dropped by its wording alone.
const MAX_NOTICE_WORDS: usize = 60;

/// A notice: a phrase of a `@match start` family at the start of the line, or of a
/// `@match near-start` family in its first 160 bytes, in a line of at most
/// [`MAX_NOTICE_WORDS`] words.
fn notice(line: &str, tuning: &Tuning) -> Option<RemovedReason> {
    let n = &*NOTICES;
    if line.split_whitespace().nth(MAX_NOTICE_WORDS).is_some() {
        return None;
    }
    // Lower-cased whole (the automaton folds ASCII only: "Únete" must meet "únete").
    let mut end = line.len().min(200);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let head = line[..end].to_lowercase();
    n.automaton.find_iter(&head).find_map(|m| {
        let (family, reason, start) = n.families[n.family_of[m.pattern().as_usize()]];
        let placed = if start {
            m.start() == 0
        } else {
            m.start() <= 160
        };
        (placed && tuning.on(family.index)).then_some(reason)
    })
}

/// Why `line` is boilerplate, or `None` when it may be article text.
pub(crate) fn classify_line(line: &str, tuning: &Tuning) -> Option<RemovedReason> {
    let line = line.trim();
    if line.is_empty() || line.chars().count() > MAX_LABEL_CHARS * 3 {
        return None;
    }
    if let Some(r) = notice(line, tuning) {
        return Some(r);
    }
    if tuning.step("breadcrumb-shape") && is_breadcrumb(line) {
        return Some(RemovedReason::Navigation);
    }
    let (labels, set) = &*LABELS;
    let matches = set.matches(line);
    if !matches.matched_any() {
        return None;
    }
    let chars = line.chars().count();
    matches
        .iter()
        .map(|i| &labels[i])
        .find(|l| chars <= l.max_chars && tuning.on(l.family.index))
        .map(|l| l.reason)
}

/// A breadcrumb trail by its shape, in any language: three to eight short segments (at most
/// four words each, no sentence punctuation) joined by the same arrow-like separator
/// ("Startseite > Wirtschaft > Verkehr", "Home » World » Europe").
pub(crate) fn is_breadcrumb(line: &str) -> bool {
    [" > ", " » ", " › ", " >> "].iter().any(|sep| {
        let segs: Vec<&str> = line.split(sep).map(str::trim).collect();
        (3..=8).contains(&segs.len())
            && segs.iter().all(|s| {
                let w = s.split_whitespace().count();
                (1..=4).contains(&w) && !s.ends_with(['.', '!', '?', ','])
            })
    })
}

/// The writing systems newsmill tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Bengali,
    Han,
    Kana,
    Hangul,
    Thai,
    Other,
}

/// The script of one character, `None` for digits, punctuation and spaces.
fn script_of(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None;
    }
    let s = match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x052F => Script::Cyrillic,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Arabic
        }
        0x0900..=0x097F => Script::Devanagari,
        0x0980..=0x09FF => Script::Bengali,
        0x0E00..=0x0E7F => Script::Thai,
        0x3040..=0x30FF => Script::Kana,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => Script::Han,
        0xAC00..=0xD7AF | 0x1100..=0x11FF => Script::Hangul,
        _ => Script::Other,
    };
    Some(s)
}

/// The script most letters of `text` are written in.
pub(crate) fn dominant_script(text: &str) -> Option<Script> {
    let mut counts: [usize; 12] = [0; 12];
    for c in text.chars() {
        if let Some(s) = script_of(c) {
            counts[s as usize] += 1;
        }
    }
    let (i, &n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))?;
    if n == 0 {
        return None;
    }
    Some(ALL_SCRIPTS[i])
}

const ALL_SCRIPTS: [Script; 12] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Greek,
    Script::Arabic,
    Script::Hebrew,
    Script::Devanagari,
    Script::Bengali,
    Script::Han,
    Script::Kana,
    Script::Hangul,
    Script::Thai,
    Script::Other,
];

/// True when a short `line` is written in another script than the body (`body_script`): site
/// chrome left in the page's own language around an article in another (the founding
/// example's Bengali comment label under an English article).
pub(crate) fn foreign_script(line: &str, body_script: Option<Script>) -> bool {
    let Some(body) = body_script else {
        return false;
    };
    let words = line.split_whitespace().count();
    if words == 0 || words > 8 {
        return false;
    }
    matches!(dominant_script(line), Some(s) if s != body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str, expect: Option<RemovedReason>) {
        assert_eq!(classify_line(line, &Tuning::default()), expect, "{line:?}");
    }

    /// Every family of `labels.rules` and `notices.rules` matches its own examples with its
    /// reason, and none of the families matches a counter-example.
    #[test]
    fn rule_families_match_their_examples() {
        let tuning = Tuning::default();
        for file in ["labels.rules", "notices.rules"] {
            for f in rules().in_file(file) {
                assert!(
                    !f.examples.is_empty(),
                    "{file} [{}] needs an @example",
                    f.id
                );
                for e in &f.examples {
                    assert_eq!(
                        classify_line(e, &tuning),
                        f.reason(),
                        "{file} [{}] example {e:?}",
                        f.id
                    );
                    // The family itself matches, not only another one with the same reason.
                    let mut without = Tuning::default();
                    without.switch_off(f.id).unwrap();
                    let others = classify_line(e, &without);
                    if others == f.reason() {
                        let own = if file == "labels.rules" {
                            regex::Regex::new(&f.regex_source())
                                .unwrap()
                                .is_match(e.trim())
                        } else {
                            let low = e.to_lowercase();
                            f.patterns().any(|p| low.contains(&p.to_lowercase()))
                        };
                        assert!(
                            own,
                            "{file} [{}] example {e:?} is matched by others only",
                            f.id
                        );
                    }
                }
                for c in &f.counters {
                    assert_eq!(
                        classify_line(c, &tuning),
                        None,
                        "{file} [{}] counter {c:?}",
                        f.id
                    );
                }
            }
        }
    }

    #[test]
    fn labels_in_many_languages() {
        use RemovedReason::*;
        check("পাঠকের মন্তব্য", Some(Comments));
        check("تعليقات القراء", Some(Comments));
        check("Reader comments (12)", Some(Comments));
        check("Share this article", Some(ShareBar));
        check("Share: Facebook | Twitter | Email", Some(ShareBar));
        check(
            "Read more: Putin arrives in Pyongyang for a rare visit",
            Some(RelatedLink),
        );
        check("Related: Kim inspects missile factory", Some(RelatedLink));
        check("Lesen Sie auch: Die Bahn streikt wieder", Some(RelatedLink));
        check("Sign up for our daily newsletter", Some(Promo));
        check("© 2024 The Daily Planet. All rights reserved.", Some(Legal));
        check("Advertisement", Some(Promo));
        check("Photo: Reuters/Kim Hong-Ji", Some(Caption));
        check("Jane Doe/Getty Images", Some(Caption));
        check("- Anzeige -", Some(Promo));
        check(
            "To read the full story, please subscribe to The Daily Planet.",
            Some(Promo),
        );
        check("Das könnte Sie auch interessieren", Some(RelatedLink));
        check("Schlagworte:", Some(RelatedLink));
        check("Aktuell wird die Strecke saniert.", None);
        check("Lesezeit: 4 Minuten", Some(Boilerplate));
        check("3 min", Some(Boilerplate));
        check(
            "This article does not constitute medical advice; ask your doctor.",
            Some(Legal),
        );
    }

    #[test]
    fn breadcrumbs_by_shape() {
        assert!(is_breadcrumb("Startseite > Wirtschaft > Verkehr"));
        assert!(is_breadcrumb("Inicio » Deportes » Fútbol » Liga"));
        assert!(!is_breadcrumb("Prices > costs > wages, the minister said."));
        assert!(!is_breadcrumb("Profits > losses"));
        assert!(!is_breadcrumb(
            "The long road > the short one > neither of them was ever built in the end"
        ));
    }

    #[test]
    fn prose_with_label_words_is_kept() {
        check(
            "The minister said she would support our journalism award next year.",
            None,
        );
        check(
            "He spent 11 minutes reading the statement to reporters.",
            None,
        );
    }

    #[test]
    fn prose_is_kept() {
        check(
            "Comments from the minister drew criticism from the opposition on Tuesday.",
            None,
        );
        check("Share prices fell sharply after the announcement.", None);
        check(
            "Read the full statement here, officials said, adding that the talks would go on for weeks.",
            None,
        );
        check(
            "Related talks between the two sides collapsed last year.",
            None,
        );
        check("Home prices rose 4% in the year to March.", None);
    }

    #[test]
    fn scripts() {
        assert_eq!(
            dominant_script("Putin visited Pyongyang"),
            Some(Script::Latin)
        );
        assert!(foreign_script("পাঠকের মন্তব্য", Some(Script::Latin)));
        assert!(!foreign_script("Moscow and Pyongyang", Some(Script::Latin)));
        assert!(!foreign_script("2024", Some(Script::Latin)));
    }
}
