//! Byte to character offset conversion, done in one place.
//!
//! Inside newsmill spans are byte ranges into `text` (cheap to slice in Rust); in JSON they are
//! Unicode scalar value indexes (as Python indexes a `str`). [`CharIndex`] converts between the
//! two for one text in O(log n) per lookup.

/// Maps byte offsets of one text to character offsets and back.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offset of every character, plus the text length as a sentinel.
    /// Empty when the text is pure ASCII (bytes and characters coincide).
    starts: Vec<u32>,
    len_bytes: usize,
}

impl CharIndex {
    /// Builds the index for `text`.
    pub fn new(text: &str) -> CharIndex {
        let starts = if text.is_ascii() {
            Vec::new()
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            v
        };
        CharIndex {
            starts,
            len_bytes: text.len(),
        }
    }

    /// The character offset of byte offset `byte`, which must lie on a character boundary
    /// (offsets inside a character round down; offsets past the end clamp to the end).
    pub fn char_of(&self, byte: usize) -> usize {
        let byte = byte.min(self.len_bytes);
        if self.starts.is_empty() {
            return byte;
        }
        match self.starts.binary_search(&(byte as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The byte offset of character offset `ch` (clamped to the end of the text).
    pub fn byte_of(&self, ch: usize) -> usize {
        if self.starts.is_empty() {
            return ch.min(self.len_bytes);
        }
        self.starts.get(ch).map_or(self.len_bytes, |&b| b as usize)
    }

    /// Number of characters in the text.
    pub fn len_chars(&self) -> usize {
        if self.starts.is_empty() {
            self.len_bytes
        } else {
            self.starts.len() - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_and_bengali() {
        let text = "ab পাঠক cd";
        let idx = CharIndex::new(text);
        let byte = text.find("cd").unwrap();
        assert_eq!(idx.char_of(byte), 8);
        assert_eq!(idx.byte_of(8), byte);
        assert_eq!(idx.len_chars(), text.chars().count());
    }

    proptest! {
        // The oracle is the naive count of characters before each boundary.
        #[test]
        fn matches_naive_count(text in "\\PC{0,60}") {
            let idx = CharIndex::new(&text);
            for (byte, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                let naive = text[..byte].chars().count();
                prop_assert_eq!(idx.char_of(byte), naive);
                prop_assert_eq!(idx.byte_of(naive), byte);
            }
            prop_assert_eq!(idx.len_chars(), text.chars().count());
        }
    }
}
