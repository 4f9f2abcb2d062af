//! Dates inside [`crate::enrich`]: the temporal expressions of `text`, resolved against the
//! article's `published` time (or the caller's reference time), and the article's event time.
//!
//! The work is done by `newsmill-time`; this module decides, per record, which language's
//! vocabulary reads each block, the order of day and month in numeric dates, and the reference,
//! and turns byte offsets into the record's character offsets.

use newsmill_core::{CharIndex, DateAnchor, DateMention, Record};
use newsmill_time::{DateOrder, Lang, Options, Reference, Tagger, Timex, event_time};

/// How the date stage resolves relative expressions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DatesConfig {
    /// The reference time for records without a usable `published` time (`newsmill analyze
    /// --reference-time`); its expressions get the anchor `reference`. A record's own
    /// `published` time always wins: it is when that article's "yesterday" was written.
    pub reference: Option<Reference>,
}

/// Fills `record.dates`, `record.event_time` and `provenance.event_time`.
pub(crate) fn fill(record: &mut Record, tagger: &Tagger, config: &DatesConfig) {
    let reference = record
        .published
        .as_deref()
        .and_then(|p| Reference::parse(p, DateAnchor::Published).ok())
        .or(config.reference);
    let order = date_order(record);
    // Runs of blocks in one language are tagged together (the text joins blocks with blank
    // lines, which no expression crosses), so that what one paragraph says (the quarter an
    // earnings report is about) can inform the next.
    let mut found: Vec<Timex> = Vec::new();
    let mut offset = 0;
    let mut k = 0;
    while k < record.blocks.len() {
        let lang = block_language(record, k);
        let mut end = offset + record.blocks[k].text.len();
        let mut next = k + 1;
        while next < record.blocks.len() && block_language(record, next) == lang {
            end += 2 + record.blocks[next].text.len();
            next += 1;
        }
        let Some(segment) = record.text.get(offset..end) else {
            return;
        };
        let options = Options {
            lang: lang.and_then(Lang::from_code),
            reference,
            order,
        };
        found.extend(tagger.tag(segment, &options).into_iter().map(|mut t| {
            t.start += offset;
            t.end += offset;
            t
        }));
        offset = end + 2;
        k = next;
    }
    let text = &record.text;
    // The blocks joined by blank lines are the text (a record invariant); a record that breaks
    // it gets no dates rather than wrong offsets.
    if found.iter().any(|t| text.get(t.start..t.end).is_none()) {
        return;
    }
    let index = CharIndex::new(text);
    record.dates = found
        .iter()
        .map(|t| DateMention {
            text: text[t.start..t.end].to_string(),
            start: index.char_of(t.start),
            end: index.char_of(t.end),
            kind: t.kind,
            value: t.value.clone(),
            anchor: t.anchor,
        })
        .collect();
    match event_time(text, &found, reference.as_ref()) {
        Some(e) => {
            record.event_time = Some(e.value);
            record
                .provenance
                .insert("event_time".into(), e.source.as_str().into());
        }
        None => {
            record.event_time = None;
            record.provenance.remove("event_time");
        }
    }
}

/// The language of block `k`: the record's (blocks carry no language of their own yet).
fn block_language(record: &Record, _k: usize) -> Option<&str> {
    record.language.as_deref()
}

/// Month first in numeric dates for English pages outside the countries that write the day
/// first; day first for every other language.
fn date_order(record: &Record) -> DateOrder {
    if record.language.as_deref() != Some("en") {
        return DateOrder::DayMonth;
    }
    let tld = record
        .site
        .as_deref()
        .and_then(|s| s.rsplit('.').next())
        .unwrap_or("");
    match tld {
        "uk" | "ie" | "au" | "nz" | "za" | "in" | "pk" | "ng" | "ke" | "sg" | "my" | "hk" => {
            DateOrder::DayMonth
        }
        _ => DateOrder::MonthDay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmill_core::{Block, BlockKind};

    fn record(blocks: &[&str], language: &str, published: Option<&str>) -> Record {
        let mut r = Record {
            blocks: blocks
                .iter()
                .map(|t| Block::new(BlockKind::Paragraph, *t))
                .collect(),
            language: Some(language.into()),
            published: published.map(str::to_string),
            ..Record::default()
        };
        r.finish();
        r
    }

    #[test]
    fn offsets_are_characters_across_blocks() {
        let mut r = record(
            &[
                "Über Nacht änderte sich alles.",
                "Am Mittwoch, 19. Juni 2024, kam Putin.",
            ],
            "de",
            Some("2024-06-20T08:00:00+02:00"),
        );
        fill(&mut r, Tagger::shared().unwrap(), &DatesConfig::default());
        r.check_invariants().unwrap();
        assert!(
            r.dates.iter().any(|d| d.value == "2024-06-19"),
            "{:?}",
            r.dates
        );
    }

    #[test]
    fn published_wins_over_the_reference_time() {
        let config = DatesConfig {
            reference: Some(Reference::parse("2000-01-05", DateAnchor::Reference).unwrap()),
        };
        let mut r = record(&["It rained yesterday."], "en", Some("2024-06-19"));
        fill(&mut r, Tagger::shared().unwrap(), &config);
        assert_eq!(r.dates[0].value, "2024-06-18");
        assert_eq!(r.dates[0].anchor, DateAnchor::Published);
        let mut r = record(&["It rained yesterday."], "en", None);
        fill(&mut r, Tagger::shared().unwrap(), &config);
        assert_eq!(r.dates[0].value, "2000-01-04");
        assert_eq!(r.dates[0].anchor, DateAnchor::Reference);
        assert_eq!(r.event_time.as_deref(), Some("2000-01-04"));
        assert_eq!(r.provenance["event_time"], "lead");
    }
}
