//! The rule vocabularies of `rules/*.rules`, compiled into the crate.
//!
//! Each file holds *families*: phrases, patterns or words that sites print for one purpose
//! (a comment-box label, a share prompt, a paywall notice), each family with its source, its
//! reason and its own examples (`rules/README.md` gives the format). The code that uses a
//! family asks for it by id; every family can be switched off for an evaluation through
//! [`crate::Tuning`], and [`crate::audit`] matches each entry on its own to count the pages
//! it fires on.

use std::sync::LazyLock;

use newsmill_core::RemovedReason;

/// The rule files, in the order their families are numbered.
const FILES: &[(&str, &str)] = &[
    ("labels.rules", include_str!("../rules/labels.rules")),
    ("heads.rules", include_str!("../rules/heads.rules")),
    ("lines.rules", include_str!("../rules/lines.rules")),
    ("notices.rules", include_str!("../rules/notices.rules")),
    ("classes.rules", include_str!("../rules/classes.rules")),
    ("bylines.rules", include_str!("../rules/bylines.rules")),
    ("titles.rules", include_str!("../rules/titles.rules")),
    ("words.rules", include_str!("../rules/words.rules")),
];

/// One entry of a family: a pattern and the language it is written in (`*` for any).
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) lang: &'static str,
    pub(crate) pattern: &'static str,
    /// Line in the rule file (1-based).
    pub(crate) line: usize,
}

/// A family of entries with its attributes and examples.
#[derive(Debug)]
pub(crate) struct Family {
    pub(crate) file: &'static str,
    pub(crate) id: &'static str,
    /// Position among all families: its switch in [`crate::Tuning`].
    pub(crate) index: usize,
    attrs: Vec<(&'static str, &'static str)>,
    pub(crate) examples: Vec<&'static str>,
    pub(crate) counters: Vec<&'static str>,
    pub(crate) entries: Vec<Entry>,
}

impl Family {
    pub(crate) fn attr(&self, key: &str) -> Option<&'static str> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The `removed` reason of what the family drops.
    pub(crate) fn reason(&self) -> Option<RemovedReason> {
        self.attr("reason").and_then(reason_of)
    }

    /// A numeric attribute, or `default`.
    pub(crate) fn number(&self, key: &str, default: usize) -> usize {
        self.attr(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }

    pub(crate) fn patterns(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.iter().map(|e| e.pattern)
    }

    /// The family's regular expression: its entries joined into one alternation and put in
    /// its `@shape` (the bare alternation without one).
    pub(crate) fn regex_source(&self) -> String {
        let alts: Vec<&str> = self.patterns().collect();
        self.shaped(&alts.join("|"))
    }

    /// One entry's pattern put in the family's shape (for audits).
    pub(crate) fn shaped(&self, alternation: &str) -> String {
        match self.attr("shape") {
            Some(shape) => shape.replacen("{}", alternation, 1),
            None => alternation.to_string(),
        }
    }
}

/// All families of all rule files.
#[derive(Debug)]
pub(crate) struct Rules {
    pub(crate) families: Vec<Family>,
}

impl Rules {
    /// The family with this id. The ids are fixed by the compiled-in files, and a test looks
    /// up every id the code uses, so a missing one is a bug caught before release.
    pub(crate) fn family(&self, id: &str) -> &Family {
        self.families
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("rule family {id} is not in rules/*.rules"))
    }

    /// The families of one file, in file order.
    pub(crate) fn in_file<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a Family> + 'a {
        self.families.iter().filter(move |f| f.file == file)
    }
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let mut families = Vec::new();
    for (file, text) in FILES {
        parse(file, text, &mut families).unwrap_or_else(|e| panic!("rules/{file}: {e}"));
    }
    Rules { families }
});

/// The compiled-in rules.
pub(crate) fn rules() -> &'static Rules {
    &RULES
}

/// The kebab-case reason names of `removed`.
pub(crate) fn reason_of(name: &str) -> Option<RemovedReason> {
    use RemovedReason::*;
    [
        DuplicateLine,
        ShareBar,
        RelatedLink,
        Comments,
        Promo,
        Navigation,
        Legal,
        Caption,
        Byline,
        SourceList,
        Boilerplate,
    ]
    .into_iter()
    .find(|r| r.as_str() == name)
}

fn unquote(s: &'static str) -> &'static str {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn parse(file: &'static str, text: &'static str, out: &mut Vec<Family>) -> Result<(), String> {
    let start = out.len();
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(id) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            if out[start..].iter().any(|f| f.id == id) {
                return Err(format!("line {line}: family {id} twice"));
            }
            out.push(Family {
                file,
                id,
                index: out.len(),
                attrs: Vec::new(),
                examples: Vec::new(),
                counters: Vec::new(),
                entries: Vec::new(),
            });
            continue;
        }
        if out.len() == start {
            return Err(format!("line {line}: entry before any [family]"));
        }
        let Some(family) = out.last_mut() else {
            return Err(format!("line {line}: entry before any [family]"));
        };
        if let Some(rest) = t.strip_prefix('@') {
            let (key, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let value = value.trim();
            match key {
                "example" => family.examples.push(value),
                "counter" => family.counters.push(value),
                _ => family.attrs.push((key, value)),
            }
            continue;
        }
        let (lang, pattern) = if t.starts_with('"') {
            ("*", unquote(t))
        } else {
            let (lang, rest) = t
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("line {line}: entry without a pattern: {t}"))?;
            (lang, unquote(rest))
        };
        if pattern.is_empty() {
            return Err(format!("line {line}: empty pattern"));
        }
        family.entries.push(Entry {
            lang,
            pattern,
            line,
        });
    }
    for f in &out[start..] {
        if f.attr("source").is_none() {
            return Err(format!("family {} has no @source", f.id));
        }
        if let Some(r) = f.attr("reason")
            && reason_of(r).is_none()
        {
            return Err(format!("family {}: unknown reason {r}", f.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_every_family_names_its_source() {
        let r = rules();
        assert!(r.families.len() > 30);
        for (k, f) in r.families.iter().enumerate() {
            assert_eq!(f.index, k);
            assert!(!f.entries.is_empty(), "{} has no entries", f.id);
            assert!(f.attr("source").is_some_and(|s| s.len() > 20), "{}", f.id);
        }
    }

    #[test]
    fn shaped_regexes_compile() {
        for f in &rules().families {
            if f.attr("shape").is_some() {
                regex::Regex::new(&f.regex_source()).unwrap_or_else(|e| panic!("{}: {e}", f.id));
                for e in &f.entries {
                    regex::Regex::new(&f.shaped(e.pattern))
                        .unwrap_or_else(|err| panic!("{}:{}: {err}", f.file, e.line));
                }
            }
        }
    }

    #[test]
    fn parse_errors_name_the_line() {
        let mut out = Vec::new();
        let e = parse("x.rules", "en  orphan\n", &mut out).unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        let e = parse("x.rules", "[a]\n@source s\n@reason nope\nen x\n", &mut out).unwrap_err();
        assert!(e.contains("unknown reason"), "{e}");
    }
}
