//! Batches of raw documents for the parallel stages, bounded by count and by bytes.
//!
//! Extraction and NLP run on all cores over a batch, so a batch is held in memory whole,
//! several times over (raw bytes, decoded text, records). A count alone does not bound that:
//! 256 records of 50 MB each are 12.8 GB. A batch closes at [`MAX_DOCS`] documents or once it
//! holds [`MAX_BYTES`] of raw input, whichever comes first.

/// Documents per batch, at most.
pub(crate) const MAX_DOCS: usize = 256;
/// Raw bytes per batch: a batch closes once it holds this much (so it holds at most this
/// plus one document).
pub(crate) const MAX_BYTES: usize = 64 << 20;

/// Takes the next batch from `items`: up to `max_docs` items, fewer once they hold `max_bytes`
/// (as `size` measures them). Empty when `items` is done.
pub(crate) fn next_batch<T>(
    items: &mut impl Iterator<Item = T>,
    max_docs: usize,
    max_bytes: usize,
    size: impl Fn(&T) -> usize,
) -> Vec<T> {
    let mut batch = Vec::new();
    let mut bytes = 0;
    while batch.len() < max_docs.max(1) && bytes < max_bytes {
        let Some(item) = items.next() else { break };
        bytes += size(&item);
        batch.push(item);
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(docs: &[usize], max_docs: usize, max_bytes: usize) -> Vec<Vec<usize>> {
        let mut it = docs.iter().copied();
        let mut out = Vec::new();
        loop {
            let b = next_batch(&mut it, max_docs, max_bytes, |n| *n);
            if b.is_empty() {
                return out;
            }
            out.push(b);
        }
    }

    // See: issue 24 (`analyze` batched 256 documents whatever their size: 40 records of 50 MB
    // peaked at 2.8 GB).
    #[test]
    fn regression_24_batches_close_on_bytes_as_well_as_on_count() {
        let mb = 1 << 20;
        let big = vec![50 * mb; 40];
        let batches = sizes(&big, MAX_DOCS, MAX_BYTES);
        assert_eq!(batches.len(), 20);
        assert!(
            batches
                .iter()
                .all(|b| b.iter().sum::<usize>() <= MAX_BYTES + 50 * mb)
        );
        let small = vec![1000; 600];
        let batches = sizes(&small, MAX_DOCS, MAX_BYTES);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [256, 256, 88]
        );
        // One document larger than the cap is a batch of its own.
        assert_eq!(sizes(&[10, 500, 10], 8, 100), [vec![10, 500], vec![10]]);
        assert!(sizes(&[], 8, 100).is_empty());
    }
}
