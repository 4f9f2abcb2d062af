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

    /// The IOB2 tag (`O`, `B-PER`, `I-LOC`, ...).
    pub fn iob2(self) -> &'static str {
        const TAGS: [&str; NL] = [
            "O", "B-PER", "I-PER", "I-PER", "B-PER", "B-ORG", "I-ORG", "I-ORG", "B-ORG", "B-LOC",
            "I-LOC", "I-LOC", "B-LOC", "B-MISC", "I-MISC", "I-MISC", "B-MISC",
        ];
        TAGS[usize::from(self.0)]
    }

    /// The labels that may follow `prev`, as a bit set over label numbers, when `last` says
    /// whether the next token ends the sentence (a table lookup: decoding asks for every token).
    #[inline]
    pub(crate) fn allowed_after(prev: Label, last: bool) -> u32 {
        ALLOWED[usize::from(last)][usize::from(prev.0)]
    }

    /// Whether `self` may follow `prev`, when `last` says whether it ends the sentence.
    pub(crate) const fn valid_after(self, prev: Label, last: bool) -> bool {
        // 0 is O; else (label - 1) % 4 is the position B, I, L, U and (label - 1) / 4 the type.
        let prev_open = prev.0 > 0 && (prev.0 - 1) % 4 < 2;
        let same_type = self.0 > 0 && prev.0 > 0 && (self.0 - 1) / 4 == (prev.0 - 1) / 4;
        if self.0 == 0 {
            return !prev_open;
        }
        match ((self.0 - 1) % 4, prev_open) {
            (1, true) => !last && same_type,
            (2, true) => same_type,
            (_, true) => false,
            (3, false) => true,
            (0, false) => !last,
            _ => false,
        }
    }
}

/// `ALLOWED[last][prev]`: the bit set of the labels allowed after `prev` (see
/// [`Label::allowed_after`]).
const ALLOWED: [[u32; NL]; 2] = {
    let mut t = [[0u32; NL]; 2];
    let mut last = 0;
    while last < 2 {
        let mut prev = 0;
        while prev < NL {
            let mut k = 0;
            while k < NL {
                if Label(k as u8).valid_after(Label(prev as u8), last == 1) {
                    t[last][prev] |= 1 << k;
                }
                k += 1;
            }
            prev += 1;
        }
        last += 1;
    }
    t
};

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
