//! Cue lexicons: reporting verbs and phrases per language, read from the data files in
//! `data/quotes/cues-LANG.txt` (compiled into the crate; each file says where its entries come
//! from).

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

/// What a cue says about where its source and content are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CueKind {
    /// A verb of saying: subject is the source, the clause after or before it the content.
    Say,
    /// A verb of thinking or believing: as `Say`, kept only with a clause after it.
    Belief,
    /// A verb that reports only with a complementizer after it ("found that").
    That,
    /// A preposition whose object is the source ("according to X").
    Prep,
    /// A postposition after its source ("X zufolge").
    Postp,
    /// German "so" after a quote: "…, so der Minister."
    So,
}

/// One language's cues, keyed by their first word (lowercase).
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    by_first: HashMap<String, Vec<(Vec<String>, CueKind)>>,
}

static EN: &str = include_str!("../../data/quotes/cues-en.txt");
static EN_LEARNED: &str = include_str!("../../data/quotes/cues-learned-en.txt");
static DE: &str = include_str!("../../data/quotes/cues-de.txt");
static ES: &str = include_str!("../../data/quotes/cues-es.txt");
static FR: &str = include_str!("../../data/quotes/cues-fr.txt");

impl Lexicon {
    /// Parses a lexicon file: `KIND<TAB>FORM|FORM|...`, `#` comments.
    pub(crate) fn parse(src: &str) -> Lexicon {
        let mut lex = Lexicon::default();
        for line in src.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((kind, forms)) = line.split_once('\t') else {
                continue;
            };
            let kind = match kind.trim() {
                "say" => CueKind::Say,
                "belief" => CueKind::Belief,
                "that" => CueKind::That,
                "prep" => CueKind::Prep,
                "postp" => CueKind::Postp,
                "so" => CueKind::So,
                _ => continue,
            };
            for form in forms.split('|') {
                let words: Vec<String> = form.split_whitespace().map(str::to_lowercase).collect();
                let Some((first, rest)) = words.split_first() else {
                    continue;
                };
                let entry = lex.by_first.entry(first.clone()).or_default();
                if !entry.iter().any(|(r, _)| r == rest) {
                    entry.push((rest.to_vec(), kind));
                }
            }
        }
        // Longest forms first, so "pointed out" wins over "pointed".
        for v in lex.by_first.values_mut() {
            v.sort_by_key(|(rest, _)| std::cmp::Reverse(rest.len()));
        }
        lex
    }

    /// A lexicon file and the learned cue words (`word<TAB>counts`, `say` cues; a word the
    /// file has keeps its kind).
    fn parse_with_learned(src: &str, learned: &str) -> Lexicon {
        let mut lex = Lexicon::parse(src);
        for line in learned.lines().filter(|l| !l.starts_with('#')) {
            let Some(w) = line
                .split('\t')
                .next()
                .map(str::trim)
                .filter(|w| !w.is_empty())
            else {
                continue;
            };
            let entry = lex.by_first.entry(w.to_lowercase()).or_default();
            if !entry.iter().any(|(r, _)| r.is_empty()) {
                entry.push((Vec::new(), CueKind::Say));
            }
        }
        lex
    }

    /// The lexicon of a language (ISO 639-1), if there is one.
    pub(crate) fn for_language(lang: &str) -> Option<&'static Lexicon> {
        static LEXICONS: OnceLock<[Lexicon; 4]> = OnceLock::new();
        let all = LEXICONS.get_or_init(|| {
            [
                Lexicon::parse_with_learned(EN, EN_LEARNED),
                Lexicon::parse(DE),
                Lexicon::parse(ES),
                Lexicon::parse(FR),
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

    /// The longest cue starting with `first` whose further words match `next` (lowercase
    /// words after it): its kind and how many words it spans.
    pub(crate) fn find<'a>(
        &self,
        first: &str,
        next: impl Fn(usize) -> Option<&'a str>,
    ) -> Option<(CueKind, usize)> {
        let entries = self.by_first.get(first)?;
        entries.iter().find_map(|(rest, kind)| {
            rest.iter()
                .enumerate()
                .all(|(k, w)| next(k).is_some_and(|n| n == w))
                .then_some((*kind, rest.len() + 1))
        })
    }

    /// Number of first words (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_first.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_parses() {
        for lang in ["en", "de", "es", "fr"] {
            let lex = Lexicon::for_language(lang).unwrap();
            assert!(lex.len() > 40, "{lang}: {}", lex.len());
        }
        assert!(Lexicon::for_language("nl").is_none());
    }

    #[test]
    fn learned_words_are_say_cues_and_do_not_override() {
        let lex = Lexicon::parse_with_learned(
            "say\tsay|said\nprep\taccording to\n",
            "# header\nblasted\t18\t19\naccording\t5\t9\n",
        );
        assert_eq!(lex.find("blasted", |_| None), Some((CueKind::Say, 1)));
        assert_eq!(
            lex.find("according", |k| ["to"].get(k).copied()),
            Some((CueKind::Prep, 2))
        );
        assert_eq!(lex.find("header", |_| None), None);
    }

    #[test]
    fn longest_form_wins() {
        let lex = Lexicon::for_language("en").unwrap();
        let words = ["out", "that"];
        assert_eq!(
            lex.find("pointed", |k| words.get(k).copied()),
            Some((CueKind::Say, 2))
        );
        assert_eq!(
            lex.find("according", |k| ["to"].get(k).copied()),
            Some((CueKind::Prep, 2))
        );
        assert_eq!(lex.find("according", |_| None), None);
        assert_eq!(lex.find("said", |_| None), Some((CueKind::Say, 1)));
    }
}
