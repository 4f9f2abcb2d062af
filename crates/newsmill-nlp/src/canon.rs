//! Canonicalisation: tagged mentions of one article grouped into entities.
//!
//! Titles ("President", "Mr.", "Professor") are stripped from person mentions; mentions with the
//! same words (ignoring case and periods) form one group; a person group whose words appear, in
//! order, inside a longer person name ("Putin" in "Vladimir Putin", "Kim" in "Kim Jong Un") joins
//! the longest such name. The group's type is the majority of its mentions' types and its name is
//! its longest mention (the most frequent one among equally long ones).

use std::collections::HashMap;

use newsmill_core::EntityType;

/// Words stripped from the front of person names (lowercase, without periods).
const TITLES: &[&str] = &[
    "president",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "gen",
    "general",
    "col",
    "colonel",
    "lt",
    "lieutenant",
    "capt",
    "captain",
    "sgt",
    "sergeant",
    "adm",
    "admiral",
    "sen",
    "senator",
    "rep",
    "representative",
    "gov",
    "governor",
    "mayor",
    "judge",
    "justice",
    "minister",
    "premier",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "rev",
    "reverend",
    "father",
    "prime",
    "foreign",
    "defence",
    "defense",
    "finance",
    "secretary",
    "ambassador",
    "envoy",
    "chairman",
    "chief",
    "vice",
    "deputy",
    "former",
    "leader",
    "aide",
    "diplomat",
    "coach",
    "striker",
    "midfielder",
    "goalkeeper",
    "manager",
    "spokesman",
    "spokeswoman",
    "dean",
];

/// One mention as the tagger found it: a byte span of some string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanMention {
    /// Start byte in the string it was found in.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Type the tagger gave it.
    pub kind: EntityType,
    /// Where it was found: `None` for the record's `text`, `Some(i)` for `sources_cited[i]`.
    pub source: Option<usize>,
}

/// A group of mentions: one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Canonical name.
    pub name: String,
    /// Type by vote.
    pub kind: EntityType,
    /// The members, title-stripped, in input order (spans of the strings they came from).
    pub mentions: Vec<SpanMention>,
}

/// Removes title words from the front of a person mention; returns the new start byte.
fn strip_titles(s: &str, start: usize, end: usize) -> usize {
    let mut start = start;
    loop {
        let rest = &s[start..end];
        let Some(first) = rest.split_whitespace().next() else {
            return start;
        };
        let word: String = first
            .chars()
            .filter(|c| *c != '.')
            .flat_map(char::to_lowercase)
            .collect();
        let after = rest[first.len()..].trim_start();
        if after.is_empty() || !TITLES.contains(&word.as_str()) {
            return start;
        }
        start = end - after.len();
    }
}

fn words_key(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| *c != '.')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn contains_seq(hay: &[String], needle: &[String]) -> bool {
    needle.len() < hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

fn type_rank(t: EntityType) -> usize {
    match t {
        EntityType::Per => 0,
        EntityType::Org => 1,
        EntityType::Loc => 2,
        EntityType::Misc => 3,
    }
}

/// Groups mentions. `text_of(source)` gives the string a mention's offsets point into.
pub fn group<'a>(
    mentions: &[SpanMention],
    text_of: impl Fn(Option<usize>) -> &'a str,
) -> Vec<Group> {
    // Strip titles from person mentions, then key every mention by its words.
    let mut stripped: Vec<SpanMention> = Vec::with_capacity(mentions.len());
    let mut keys: Vec<Vec<String>> = Vec::with_capacity(mentions.len());
    for m in mentions {
        let s = text_of(m.source);
        let mut m = m.clone();
        if m.kind == EntityType::Per {
            m.start = strip_titles(s, m.start, m.end);
        }
        let key = words_key(&s[m.start..m.end]);
        if key.is_empty() {
            continue;
        }
        keys.push(key);
        stripped.push(m);
    }
    // Exact groups, in order of first appearance.
    let mut by_key: HashMap<Vec<String>, usize> = HashMap::new();
    let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let g = *by_key.entry(key.clone()).or_insert_with(|| {
            groups.push((key.clone(), Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    let votes = |members: &[usize]| -> [usize; 4] {
        let mut v = [0; 4];
        for &i in members {
            v[type_rank(stripped[i].kind)] += 1;
        }
        v
    };
    let majority = |v: [usize; 4]| -> usize { (0..4).max_by_key(|&k| (v[k], 4 - k)).unwrap_or(0) };
    // Link partial person names into the longest person name containing them.
    let mut parent: Vec<usize> = (0..groups.len()).collect();
    for a in 0..groups.len() {
        // A partial name joins a person when the tagger called it a person at least once, or
        // called it MISC (the catch-all) while it starts or ends that person's name.
        let va = votes(&groups[a].1);
        let misc = majority(va) == 3;
        if va[0] == 0 && !misc {
            continue;
        }
        let mut best: Option<usize> = None;
        for b in 0..groups.len() {
            if a == b || majority(votes(&groups[b].1)) != 0 {
                continue;
            }
            if !contains_seq(&groups[b].0, &groups[a].0) {
                continue;
            }
            let (long, short) = (&groups[b].0, &groups[a].0);
            if va[0] == 0 && !(long.starts_with(short) || long.ends_with(short)) {
                continue;
            }
            best = match best {
                None => Some(b),
                Some(x) => {
                    let better = (groups[b].0.len(), groups[b].1.len())
                        > (groups[x].0.len(), groups[x].1.len());
                    Some(if better { b } else { x })
                }
            };
        }
        if let Some(b) = best {
            parent[a] = b;
        }
    }
    let root = |mut g: usize| {
        for _ in 0..groups.len() {
            if parent[g] == g {
                break;
            }
            g = parent[g];
        }
        g
    };
    let mut merged: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (g, (_, members)) in groups.iter().enumerate() {
        merged[root(g)].extend(members.iter().copied());
    }
    let mut out = Vec::new();
    for members in merged.iter_mut().filter(|m| !m.is_empty()) {
        members.sort_unstable();
        let v = votes(members);
        let kind = [
            EntityType::Per,
            EntityType::Org,
            EntityType::Loc,
            EntityType::Misc,
        ][majority(v)];
        // Name: the longest form, most frequent among the longest, first seen among those.
        let mut forms: Vec<(usize, usize, usize, String)> = Vec::new();
        for &i in members.iter() {
            let m = &stripped[i];
            let text = text_of(m.source)[m.start..m.end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            match forms.iter_mut().find(|f| f.3 == text) {
                Some(f) => f.1 += 1,
                None => forms.push((keys[i].len(), 1, forms.len(), text)),
            }
        }
        forms.sort_by(|x, y| (y.0, y.1).cmp(&(x.0, x.1)).then(x.2.cmp(&y.2)));
        out.push(Group {
            name: forms.swap_remove(0).3,
            kind,
            mentions: members.iter().map(|&i| stripped[i].clone()).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mentions(text: &str, spans: &[(&str, EntityType)]) -> Vec<SpanMention> {
        let mut from = 0;
        spans
            .iter()
            .map(|(s, kind)| {
                let start = from + text[from..].find(s).unwrap();
                from = start + s.len();
                SpanMention {
                    start,
                    end: start + s.len(),
                    kind: *kind,
                    source: None,
                }
            })
            .collect()
    }

    #[test]
    fn putin_is_one_person() {
        use EntityType::*;
        let text = "President Vladimir Putin met Kim Jong Un. Putin and Kim spoke. \
                    Mr. Putin left Russia. North Korea and Korea.";
        let ms = mentions(
            text,
            &[
                ("President Vladimir Putin", Per),
                ("Kim Jong Un", Per),
                ("Putin", Per),
                ("Kim", Per),
                ("Mr. Putin", Per),
                ("Russia", Loc),
                ("North Korea", Loc),
                ("Korea", Loc),
            ],
        );
        let groups = group(&ms, |_| text);
        let names: Vec<(&str, EntityType, usize)> = groups
            .iter()
            .map(|g| (g.name.as_str(), g.kind, g.mentions.len()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Vladimir Putin", Per, 3),
                ("Kim Jong Un", Per, 2),
                ("Russia", Loc, 1),
                ("North Korea", Loc, 1),
                ("Korea", Loc, 1),
            ]
        );
        // Titles are cut from the mention spans too.
        assert_eq!(
            &text[groups[0].mentions[0].start..groups[0].mentions[0].end],
            "Vladimir Putin"
        );
        assert_eq!(
            &text[groups[0].mentions[2].start..groups[0].mentions[2].end],
            "Putin"
        );
    }

    #[test]
    fn type_by_vote() {
        use EntityType::*;
        let text = "Tass said. Tass added. Tass wrote.";
        let ms = mentions(text, &[("Tass", Org), ("Tass", Per), ("Tass", Org)]);
        let groups = group(&ms, |_| text);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].kind, Org);
    }
}
