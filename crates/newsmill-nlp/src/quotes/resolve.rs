//! Speakers to entities: a source mention as written to the canonical name of an entity.

use newsmill_core::{CharIndex, Entity, EntityType};

use super::words::{Gender, Words, first_name_gender};

/// One entity mention in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct M {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) ent: usize,
    pub(crate) kind: EntityType,
}

/// The record's entities, their mentions as byte spans in text order.
#[derive(Debug)]
pub(crate) struct EntityIndex<'a> {
    pub(crate) mentions: Vec<M>,
    entities: &'a [Entity],
    /// For each entity, the lowercase words just before its mentions ("president" in
    /// "President Vladimir Putin") and inside its name: what a description may call it.
    titles: Vec<Vec<String>>,
    /// For each entity, the gender an honorific before a mention ("Mrs.", "Herr") or the first
    /// name says.
    gender: Vec<Option<Gender>>,
}

fn rank(kind: EntityType) -> u8 {
    match kind {
        EntityType::Per => 0,
        EntityType::Org => 1,
        EntityType::Loc => 2,
        EntityType::Misc => 3,
    }
}

impl<'a> EntityIndex<'a> {
    pub(crate) fn new(
        text: &str,
        index: &CharIndex,
        entities: &'a [Entity],
        words: &Words,
    ) -> EntityIndex<'a> {
        let n = index.len_chars();
        let mut mentions = Vec::new();
        let mut titles = vec![Vec::new(); entities.len()];
        let mut gender = vec![None; entities.len()];
        for (i, e) in entities.iter().enumerate() {
            for w in e.name.split_whitespace() {
                titles[i].push(w.to_lowercase());
            }
            for m in &e.mentions {
                if m.start >= m.end || m.end > n {
                    continue;
                }
                let (s, t) = (index.byte_of(m.start), index.byte_of(m.end));
                mentions.push(M {
                    start: s,
                    end: t,
                    ent: i,
                    kind: e.kind,
                });
                // Up to two words before the mention ("Russian President", "Sen.").
                let before = &text[..s];
                for (k, w) in before.split_whitespace().rev().take(2).enumerate() {
                    let w = w
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase();
                    if k == 0
                        && e.kind == EntityType::Per
                        && let Some(g) = words.gender(&w)
                    {
                        gender[i] = Some(g);
                    }
                    if !w.is_empty() {
                        titles[i].push(w);
                    }
                }
                for w in text[s..t].split_whitespace() {
                    titles[i].push(w.to_lowercase());
                }
            }
            titles[i].sort();
            titles[i].dedup();
            if e.kind == EntityType::Per && gender[i].is_none() && e.name.contains(' ') {
                gender[i] = e.name.split_whitespace().next().and_then(first_name_gender);
            }
        }
        mentions.sort_by_key(|m| (m.start, m.end));
        EntityIndex {
            mentions,
            entities,
            titles,
            gender,
        }
    }

    /// The canonical name of entity `i`.
    pub(crate) fn name(&self, i: usize) -> &str {
        &self.entities[i].name
    }

    /// Whether entity `i` may be called by a pronoun of gender `g`.
    pub(crate) fn gender_ok(&self, i: usize, g: Option<Gender>) -> bool {
        match (g, self.gender[i]) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// The type of entity `i`.
    pub(crate) fn kind(&self, i: usize) -> EntityType {
        self.entities[i].kind
    }

    /// The entity a source span names: of the mentions inside it, a person before an
    /// organisation before a place; the last of a type (the head of "Kremlin aide Yuri Ushakov").
    pub(crate) fn named_in(&self, start: usize, end: usize) -> Option<usize> {
        let lo = self.mentions.partition_point(|m| m.end <= start);
        self.mentions[lo..]
            .iter()
            .take_while(|m| m.start < end)
            .filter(|m| m.start >= start && m.end <= end && m.kind != EntityType::Misc)
            .min_by_key(|m| (rank(m.kind), std::cmp::Reverse(m.start)))
            .map(|m| m.ent)
    }

    /// A mention that ends at byte `end`.
    pub(crate) fn mention_ending_at(&self, end: usize) -> Option<&M> {
        let hi = self.mentions.partition_point(|m| m.start < end);
        self.mentions[..hi].iter().rev().find(|m| m.end == end)
    }

    /// The nearest mention before `pos` of an entity of one of `kinds` that `ok` accepts.
    pub(crate) fn nearest_before(
        &self,
        pos: usize,
        kinds: &[EntityType],
        ok: impl Fn(&M) -> bool,
    ) -> Option<&M> {
        let hi = self.mentions.partition_point(|m| m.start < pos);
        self.mentions[..hi]
            .iter()
            .rev()
            .find(|m| m.end <= pos && kinds.contains(&m.kind) && ok(m))
    }

    /// The entity a description ("the ministry", "the president", "la ministra") stands
    /// for: the nearest earlier person or organisation whose name, or the words just before
    /// one of its mentions, hold the description's head word.
    pub(crate) fn described(&self, head: &str, pos: usize, min_gap: usize) -> Option<usize> {
        if head.chars().count() < 3 {
            return None;
        }
        let hi = self.mentions.partition_point(|m| m.start < pos);
        self.mentions[..hi]
            .iter()
            .rev()
            .filter(|m| m.end + min_gap <= pos)
            .filter(|m| matches!(m.kind, EntityType::Per | EntityType::Org))
            .find(|m| {
                self.titles[m.ent]
                    .binary_search_by(|t| t.as_str().cmp(head))
                    .is_ok()
            })
            .map(|m| m.ent)
    }
}

/// What a source mention is, for resolving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// A pronoun for one person ("he", "sie", "il").
    Person,
    /// A pronoun for a group or organisation ("it", "they").
    Group,
    /// Anything else: a name or a description.
    Other,
}

/// Classifies a source by its words.
pub(crate) fn source_kind(lower: &str, words: &Words) -> SourceKind {
    if words.person.contains(lower) {
        SourceKind::Person
    } else if words.group.contains(lower) {
        SourceKind::Group
    } else {
        SourceKind::Other
    }
}
