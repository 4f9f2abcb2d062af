//! Word lists and word clusters the tagger's features read: gazetteers (places from GeoNames,
//! company legal suffixes from cleanco) and Brown word clusters learned from unlabeled text.
//!
//! They travel inside the model file as one text blob, so a model always carries the resources
//! it was trained with. The blob is a list of sections, each a `#kind name` header line followed
//! by one entry per line: `#gaz NAME` sections hold phrases, `#clusters` holds `word<TAB>bits`.

use std::collections::HashMap;

/// Gazetteer kinds, in feature order. The name is the `#gaz NAME` section name.
pub(crate) const GAZ_KINDS: &[&str] = &[
    "country",
    "city",
    "region",
    "continent",
    "company-suffix",
    "title",
    "org-word",
    "demonym",
];

/// Loaded resources.
#[derive(Debug, Default, Clone)]
pub(crate) struct Resources {
    /// Lowercased phrase (tokens joined by one space) -> bit set of gazetteer kinds.
    pub(crate) phrases: HashMap<String, u16>,
    /// Longest phrase, in tokens.
    pub(crate) max_len: usize,
    /// Word -> Brown cluster bit string.
    pub(crate) clusters: HashMap<String, String>,
    /// The blob these were parsed from (written back into the model).
    pub(crate) blob: String,
}

impl Resources {
    /// Parses a blob (see the module docs).
    pub(crate) fn parse(blob: &str) -> Resources {
        let mut r = Resources {
            blob: blob.to_string(),
            ..Resources::default()
        };
        let mut section: Option<(bool, u16)> = None;
        for line in blob.lines() {
            if let Some(head) = line.strip_prefix('#') {
                let mut parts = head.split_whitespace();
                section = match (parts.next(), parts.next()) {
                    (Some("gaz"), Some(name)) => GAZ_KINDS
                        .iter()
                        .position(|k| *k == name)
                        .map(|i| (false, 1u16 << i)),
                    (Some("clusters"), _) => Some((true, 0)),
                    _ => None,
                };
                continue;
            }
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            match section {
                Some((true, _)) => {
                    if let Some((word, bits)) = line.split_once('\t') {
                        r.clusters.insert(word.to_string(), bits.to_string());
                    }
                }
                Some((false, bit)) => {
                    let key = phrase_key(line.split_whitespace());
                    let n = key.split(' ').count();
                    r.max_len = r.max_len.max(n);
                    *r.phrases.entry(key).or_insert(0) |= bit;
                }
                None => {}
            }
        }
        r
    }

    /// The cluster bit string of `word`, trying its exact form, then title case, then lowercase.
    pub(crate) fn cluster(&self, word: &str) -> Option<&str> {
        if let Some(c) = self.clusters.get(word) {
            return Some(c);
        }
        let lower = word.to_lowercase();
        let mut title = String::with_capacity(word.len());
        for (i, ch) in lower.chars().enumerate() {
            if i == 0 {
                title.extend(ch.to_uppercase());
            } else {
                title.push(ch);
            }
        }
        self.clusters
            .get(&title)
            .or_else(|| self.clusters.get(&lower))
            .map(String::as_str)
    }
}

/// The lookup key of a phrase: lowercased tokens joined by single spaces, periods dropped.
pub(crate) fn phrase_key<'a>(tokens: impl Iterator<Item = &'a str>) -> String {
    let mut key = String::new();
    for t in tokens {
        if !key.is_empty() {
            key.push(' ');
        }
        for c in t.chars() {
            if c != '.' {
                key.extend(c.to_lowercase());
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections() {
        let r = Resources::parse(
            "#gaz country\nNorth Korea\nRussia\n#gaz city\nMoscow\n#clusters\nPutin\t0110\n",
        );
        assert_eq!(r.phrases["north korea"], 1);
        assert_eq!(r.phrases["moscow"], 2);
        assert_eq!(r.max_len, 2);
        assert_eq!(r.cluster("PUTIN"), Some("0110"));
    }
}
