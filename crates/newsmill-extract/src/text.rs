//! Plain-text articles as scrapers leave them.

use newsmill_core::{Block, BlockKind, Record};

use crate::ExtractConfig;

pub(crate) fn extract_text(text: &str, config: &ExtractConfig) -> Record {
    let mut record = Record::default();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    record.title = lines.next().map(str::to_string);
    record.blocks = lines.map(|l| Block::new(BlockKind::Paragraph, l)).collect();
    if config.detect_language {
        record.language = crate::detect_language(text).map(str::to_string);
    }
    record
}
