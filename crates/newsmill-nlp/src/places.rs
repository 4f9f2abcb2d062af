//! One name per place across languages: "Russland", "Rusia" and "Russie" are the place
//! GeoNames calls "Russia".
//!
//! The table (`resources/places.tsv`, `name<TAB>canonical name`, made by
//! `resources/make_resources.py`) holds the country names of the Unicode CLDR in the languages
//! newsmill reads and the alternate names GeoNames gives big cities, each mapped to the English
//! name; a name that two places share is left out. Only entities typed LOC are renamed: people
//! keep their names, and an organisation named after a place ("Deutschland" the football team
//! is ORG when the tagger says so) is not a place.

use std::collections::HashMap;
use std::sync::OnceLock;

use newsmill_core::EntityType;

use crate::canon::Group;

static TABLE: &str = include_str!("../resources/places.tsv");

/// The lookup key of a name: lowercase, white space collapsed, periods dropped.
fn key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().filter(|&c| c != '.').flat_map(char::to_lowercase));
    }
    out
}

fn table() -> &'static HashMap<String, &'static str> {
    static MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(alias, canon)| (key(alias), canon))
            .collect()
    })
}

/// The canonical name of a place, if the table knows it under `name`.
pub fn canonical_place(name: &str) -> Option<&'static str> {
    table().get(&key(name)).copied()
}

/// Renames LOC groups to their canonical names and merges the groups that then share a name.
pub(crate) fn merge_places(groups: Vec<Group>) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::with_capacity(groups.len());
    for mut g in groups {
        if g.kind == EntityType::Loc
            && let Some(c) = canonical_place(&g.name)
        {
            g.name = c.to_string();
        }
        match out
            .iter_mut()
            .find(|o| o.kind == EntityType::Loc && g.kind == EntityType::Loc && o.name == g.name)
        {
            Some(o) => {
                o.mentions.extend(g.mentions);
                o.mentions
                    .sort_by_key(|m| (m.source.is_some(), m.source, m.start));
            }
            None => out.push(g),
        }
    }
    out
}
