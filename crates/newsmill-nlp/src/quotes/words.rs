//! The closed-class words the quote rules read (`data/quotes/words.txt`), per language.

use rustc_hash::FxHashSet as HashSet;
use std::sync::OnceLock;

static WORDS: &str = include_str!("../../data/quotes/words.txt");
static FIRST_NAMES: &str = include_str!("../../data/quotes/first-names.txt");

/// A person's gender as names and pronouns say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
}

/// The usual gender of a first name (`data/quotes/first-names.txt`).
pub(crate) fn first_name_gender(name: &str) -> Option<Gender> {
    static MAP: OnceLock<std::collections::HashMap<&'static str, Gender>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        FIRST_NAMES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (n, g) = l.split_once('\t')?;
                let g = match g.trim() {
                    "m" => Gender::Male,
                    "f" => Gender::Female,
                    _ => return None,
                };
                Some((n, g))
            })
            .collect()
    });
    map.get(name).copied()
}

/// The word classes of one language.
#[derive(Debug, Default)]
pub(crate) struct Words {
    pub(crate) pronoun: HashSet<String>,
    pub(crate) person: HashSet<String>,
    pub(crate) group: HashSet<String>,
    pub(crate) det: HashSet<String>,
    pub(crate) skip: HashSet<String>,
    pub(crate) stop: HashSet<String>,
    pub(crate) inner: HashSet<String>,
    pub(crate) comp: HashSet<String>,
    pub(crate) object: HashSet<String>,
    pub(crate) time: HashSet<String>,
    pub(crate) negation: HashSet<String>,
    pub(crate) finite: HashSet<String>,
    pub(crate) relative: HashSet<String>,
    pub(crate) coord: HashSet<String>,
    pub(crate) particle: HashSet<String>,
    pub(crate) aside: HashSet<String>,
    pub(crate) passive: HashSet<String>,
    pub(crate) male: HashSet<String>,
    pub(crate) female: HashSet<String>,
}

impl Words {
    fn parse(src: &str, lang: &str) -> Words {
        let mut w = Words::default();
        for line in src.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(class), Some(l), Some(words)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            if l != lang {
                continue;
            }
            let set = match class {
                "pronoun" => &mut w.pronoun,
                "person" => &mut w.person,
                "group" => &mut w.group,
                "det" => &mut w.det,
                "skip" => &mut w.skip,
                "stop" => &mut w.stop,
                "inner" => &mut w.inner,
                "comp" => &mut w.comp,
                "object" => &mut w.object,
                "time" => &mut w.time,
                "negation" => &mut w.negation,
                "finite" => &mut w.finite,
                "relative" => &mut w.relative,
                "coord" => &mut w.coord,
                "particle" => &mut w.particle,
                "aside" => &mut w.aside,
                "passive" => &mut w.passive,
                "male" => &mut w.male,
                "female" => &mut w.female,
                _ => continue,
            };
            set.extend(words.split_whitespace().map(str::to_string));
        }
        w
    }

    /// The word classes of a language with a cue lexicon (en, de, es, fr).
    pub(crate) fn for_language(lang: &str) -> Option<&'static Words> {
        static ALL: OnceLock<[Words; 4]> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            [
                Words::parse(WORDS, "en"),
                Words::parse(WORDS, "de"),
                Words::parse(WORDS, "es"),
                Words::parse(WORDS, "fr"),
            ]
        });
        match lang {
            "en" => Some(&all[0]),
            "de" => Some(&all[1]),
            "es" => Some(&all[2]),
            "fr" => Some(&all[3]),
            _ => None,
        }
    }
}

impl Words {
    /// The gender a pronoun or honorific says (lowercase, without a period).
    pub(crate) fn gender(&self, lower: &str) -> Option<Gender> {
        if self.male.contains(lower) {
            Some(Gender::Male)
        } else if self.female.contains(lower) {
            Some(Gender::Female)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_names() {
        assert_eq!(first_name_gender("Hillary"), Some(Gender::Female));
        assert_eq!(first_name_gender("Donald"), Some(Gender::Male));
        assert_eq!(first_name_gender("Xyzzy"), None);
    }

    #[test]
    fn classes_per_language() {
        let en = Words::for_language("en").unwrap();
        assert!(en.pronoun.contains("he") && en.det.contains("the") && en.comp.contains("that"));
        let fr = Words::for_language("fr").unwrap();
        assert!(fr.pronoun.contains("il") && !fr.pronoun.contains("he"));
        for lang in ["en", "de", "es", "fr"] {
            let w = Words::for_language(lang).unwrap();
            assert!(
                !w.stop.is_empty() && !w.person.is_empty() && !w.comp.is_empty(),
                "{lang}"
            );
        }
    }
}
