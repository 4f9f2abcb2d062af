//! The article's event time: when its main event happened, from the dateline, the lead, the
//! first dates, or else the publication date.

use chrono::Days;
use newsmill_core::{DateAnchor, TimexType};

use crate::value::day_of;
use crate::{Reference, Timex};

/// Where an event time came from (`provenance.event_time` in the record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSource {
    /// A dateline opening the text: "WASHINGTON, June 19 (Reuters) -".
    Dateline,
    /// The first day-precise date of the first paragraph.
    Lead,
    /// The first day-precise date of the first three paragraphs.
    FirstDate,
    /// No date in the text: the publication date.
    Published,
}

impl EventSource {
    /// The code used in `provenance`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Dateline => "dateline",
            EventSource::Lead => "lead",
            EventSource::FirstDate => "first-date",
            EventSource::Published => "published",
        }
    }
}

/// An event time: a TIMEX3 value of at least a day's precision, and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTime {
    /// The TIMEX3 value (`2024-06-19`, `2024-06-19TMO`).
    pub value: String,
    /// Where it came from.
    pub source: EventSource,
}

/// Chooses the event time of a text from its expressions (as [`crate::Tagger::tag`] found them,
/// in text order): a dated dateline, else the lead's first day-precise date, else the first
/// day-precise date of the first three paragraphs, else the reference day when the reference is
/// the publication date. Dates after the reference day (plans, deadlines) are not events that
/// happened, so they are passed over; so are dates without known digits.
pub fn event_time(text: &str, dates: &[Timex], reference: Option<&Reference>) -> Option<EventTime> {
    let latest = reference.and_then(|r| r.day.checked_add_days(Days::new(1)));
    let usable = |t: &Timex| -> bool {
        matches!(t.kind, TimexType::Date | TimexType::Time)
            && day_of(&t.value).is_some_and(|d| latest.is_none_or(|l| d <= l))
    };
    let event = |t: &Timex, source| EventTime {
        value: t.value.clone(),
        source,
    };
    if let Some(first) = dates.first()
        && usable(first)
        && is_dateline(text, first)
    {
        return Some(event(first, EventSource::Dateline));
    }
    let paragraph_end = |n: usize| -> usize {
        let mut end = 0;
        for _ in 0..n {
            match text[end..].find("\n\n") {
                Some(k) => end += k + 2,
                None => return text.len(),
            }
        }
        end
    };
    let lead_end = paragraph_end(1);
    if let Some(t) = dates
        .iter()
        .take_while(|t| t.start < lead_end)
        .find(|t| usable(t))
    {
        return Some(event(t, EventSource::Lead));
    }
    let first_end = paragraph_end(3);
    if let Some(t) = dates
        .iter()
        .take_while(|t| t.start < first_end)
        .find(|t| usable(t))
    {
        return Some(event(t, EventSource::FirstDate));
    }
    let r = reference.filter(|r| r.anchor == DateAnchor::Published)?;
    Some(EventTime {
        value: r.day.format("%Y-%m-%d").to_string(),
        source: EventSource::Published,
    })
}

/// Whether `t` is the date of a dateline: at the very start of the text, or after a place in
/// capitals and a comma ("BERLIN, 19. Juni"), and followed by an agency in parentheses and a
/// dash, or a dash alone ("(Reuters) -", "--").
fn is_dateline(text: &str, t: &Timex) -> bool {
    if t.start > 80 {
        return false;
    }
    let before = text[..t.start].trim_end();
    let place_ok = before.is_empty()
        || (before.ends_with(',')
            && !before.contains(['.', '\n'])
            && before.split_whitespace().count() <= 6
            && before
                .split(|c: char| !c.is_alphabetic())
                .find(|w| !w.is_empty())
                .is_some_and(|w| w.chars().count() >= 2 && w.chars().all(char::is_uppercase)));
    if !place_ok {
        return false;
    }
    let mut after = text[t.end..].trim_start();
    if let Some(rest) = after.strip_prefix('(')
        && let Some(close) = rest.find(')')
        && close <= 40
    {
        after = rest[close + 1..].trim_start();
    }
    after.starts_with(['-', '–', '—', '_', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Lang, Options, Tagger};

    fn event(text: &str, published: Option<&str>) -> Option<(String, &'static str)> {
        let tagger = Tagger::embedded().unwrap();
        let reference = published.map(|p| Reference::parse(p, DateAnchor::Published).unwrap());
        let dates = tagger.tag(
            text,
            &Options {
                lang: Some(Lang::En),
                reference,
                ..Options::default()
            },
        );
        event_time(text, &dates, reference.as_ref()).map(|e| (e.value, e.source.as_str()))
    }

    #[test]
    fn dateline_lead_first_dates_published() {
        assert_eq!(
            event(
                "WASHINGTON, June 18 (Reuters) - The Senate voted on Monday.",
                Some("2024-06-19")
            ),
            Some(("2024-06-18".into(), "dateline"))
        );
        assert_eq!(
            event(
                "On Wednesday morning, Putin arrived. He left in 2000.",
                Some("2024-06-19")
            ),
            Some(("2024-06-19TMO".into(), "lead"))
        );
        assert_eq!(
            event("Talks go on.\n\nThey began on Monday.", Some("2024-06-19")),
            Some(("2024-06-17".into(), "first-date"))
        );
        assert_eq!(
            event("The vote is set for June 30.", Some("2024-06-19")),
            Some(("2024-06-19".into(), "published"))
        );
        assert_eq!(event("Talks go on.", None), None);
    }
}
