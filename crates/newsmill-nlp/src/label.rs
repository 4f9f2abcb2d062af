//! Tag labels: BILOU inside the tagger, IOB2 outside.

use newsmill_core::EntityType;

/// Number of labels: `O` plus B, I, L, U for each of the four types.
pub(crate) const NL: usize = 17;

/// The entity types in label order.
pub(crate) const TYPES: [EntityType; 4] = [
    EntityType::Per,
    EntityType::Org,
    EntityType::Loc,
    EntityType::Misc,
];

/// A BILOU label: 0 is `O`, else `1 + type * 4 + position` with positions B, I, L, U.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Label(pub(crate) u8);

/// Position of a token in its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    B = 0,
    I = 1,
    L = 2,
    U = 3,
}

impl Label {
    /// Outside any entity.
    pub const O: Label = Label(0);

    pub(crate) fn new(t: usize, p: Pos) -> Label {
        Label(1 + (t as u8) * 4 + p as u8)
    }

    /// The type index (0..4), or `None` for `O`.
    pub(crate) fn type_index(self) -> Option<usize> {
        (self.0 > 0).then(|| usize::from((self.0 - 1) / 4))
    }

    /// The entity type, or `None` for `O`.
    pub fn entity_type(self) -> Option<EntityType> {
        self.type_index().map(|t| TYPES[t])
    }

    pub(crate) fn pos(self) -> Option<Pos> {
        (self.0 > 0).then(|| match (self.0 - 1) % 4 {
            0 => Pos::B,
            1 => Pos::I,
            2 => Pos::L,
            _ => Pos::U,
        })
    }

    /// True when this label continues into the next token (B or I).
    pub(crate) fn is_open(self) -> bool {
        matches!(self.pos(), Some(Pos::B | Pos::I))
    }

    /// The IOB2 tag (`O`, `B-PER`, `I-LOC`, ...).
    pub fn iob2(self) -> &'static str {
        const TAGS: [&str; NL] = [
            "O", "B-PER", "I-PER", "I-PER", "B-PER", "B-ORG", "I-ORG", "I-ORG", "B-ORG", "B-LOC",
            "I-LOC", "I-LOC", "B-LOC", "B-MISC", "I-MISC", "I-MISC", "B-MISC",
        ];
        TAGS[usize::from(self.0)]
    }

    /// Whether `self` may follow `prev`, when `last` says whether it ends the sentence.
    pub(crate) fn valid_after(self, prev: Label, last: bool) -> bool {
        match (prev.is_open(), self.pos()) {
            (true, Some(Pos::I)) => !last && self.type_index() == prev.type_index(),
            (true, Some(Pos::L)) => self.type_index() == prev.type_index(),
            (true, _) => false,
            (false, None | Some(Pos::U)) => true,
            (false, Some(Pos::B)) => !last,
            (false, _) => false,
        }
    }
}

fn type_of(name: &str) -> Option<usize> {
    match name {
        "PER" => Some(0),
        "ORG" => Some(1),
        "LOC" => Some(2),
        "MISC" => Some(3),
        _ => None,
    }
}

/// Converts one sentence of IOB1 or IOB2 tags to BILOU labels. Unknown tags become `O`.
pub fn from_iob(tags: &[&str]) -> Vec<Label> {
    // First find the entity spans (start, end, type), conlleval-style.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut cur: Option<(usize, usize)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, ty) = match tag.split_once('-') {
            Some((p, t)) => (p, type_of(t)),
            None => ("O", None),
        };
        match (prefix, ty) {
            ("I", Some(t)) if cur.is_some_and(|(_, ct)| ct == t) => {}
            ("B" | "I", Some(t)) => {
                if let Some((s, ct)) = cur.take() {
                    spans.push((s, i, ct));
                }
                cur = Some((i, t));
            }
            _ => {
                if let Some((s, ct)) = cur.take() {
                    spans.push((s, i, ct));
                }
            }
        }
    }
    if let Some((s, ct)) = cur {
        spans.push((s, tags.len(), ct));
    }
    let mut out = vec![Label::O; tags.len()];
    for (s, e, t) in spans {
        if e - s == 1 {
            out[s] = Label::new(t, Pos::U);
        } else {
            out[s] = Label::new(t, Pos::B);
            for l in &mut out[s + 1..e - 1] {
                *l = Label::new(t, Pos::I);
            }
            out[e - 1] = Label::new(t, Pos::L);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iob_round_trip() {
        let tags = [
            "B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-MISC", "I-MISC", "I-MISC",
        ];
        let labels = from_iob(&tags);
        let back: Vec<&str> = labels.iter().map(|l| l.iob2()).collect();
        assert_eq!(back, tags);
        // IOB1: I- after O starts an entity.
        let labels = from_iob(&["O", "I-ORG", "I-ORG"]);
        assert_eq!(labels[1].iob2(), "B-ORG");
        assert_eq!(labels[2].pos(), Some(Pos::L));
    }

    #[test]
    fn transitions() {
        let b_per = Label::new(0, Pos::B);
        assert!(Label::new(0, Pos::L).valid_after(b_per, true));
        assert!(!Label::new(1, Pos::L).valid_after(b_per, false));
        assert!(!Label::O.valid_after(b_per, false));
        assert!(!b_per.valid_after(Label::O, true));
        assert!(Label::new(2, Pos::U).valid_after(Label::O, true));
    }
}
