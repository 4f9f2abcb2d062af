//! When, who and where: the evidence of an article that does not depend on its wording.
//!
//! Two events of one kind (two hijackings, two earthquakes) share most of their words; what
//! tells them apart is when they happened and who took part. From the NLP stage's output an
//! article gives its event time (`record.event_time`, as a day interval), the calendar dates it
//! names, its actors (people and organisations, and the speakers of its quotes) and its places
//! (canonical across languages). All are hashed names or numbers, so they compare across
//! languages without translation. A story keeps the same, summed over its articles, bounded.

use chrono::NaiveDate;
use newsmill_core::{EntityType, TimexType};
use serde::{Deserialize, Serialize};

use crate::Item;
use crate::text::hash_bytes;

/// Most calendar dates an article contributes.
const MAX_DOC_DAYS: usize = 16;
/// Most names (actors or places) an article contributes.
const MAX_DOC_NAMES: usize = 32;
/// Most event intervals, dates and names a story keeps.
const MAX_STORY_EVENTS: usize = 32;
const MAX_STORY_DAYS: usize = 64;
const MAX_STORY_NAMES: usize = 64;

const SEED_ACTOR: u64 = 21;
const SEED_PLACE: u64 = 22;

/// Days since 1970-01-01 of a calendar date.
fn day(y: i32, m: u32, d: u32) -> Option<i32> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// The days a TIMEX3 value covers, `[first, last]`: `2024-06-19` one day, `2024-06` a month,
/// `2024` (or `2024-W25`, `2024-Q2`: only the year is read) a year. `None` when the year is
/// unknown (`XXXX-06-19`) or the value is no date (`P3D`, `PRESENT_REF`).
pub(crate) fn interval(value: &str) -> Option<(i32, i32)> {
    let b = value.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y: i32 = value[..4].parse().ok()?;
    let two = |at: usize| -> Option<u32> {
        let s = value.get(at..at + 2)?;
        if b.get(at - 1) != Some(&b'-') || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match (two(5), two(8)) {
        (Some(m), Some(d)) => {
            let x = day(y, m, d)?;
            Some((x, x))
        }
        (Some(m), None) => {
            let first = day(y, m, 1)?;
            let next = if m == 12 {
                day(y + 1, 1, 1)?
            } else {
                day(y, m + 1, 1)?
            };
            Some((first, next - 1))
        }
        _ => Some((day(y, 1, 1)?, day(y, 12, 31)?)),
    }
}

/// Days between two intervals (0 when they overlap).
pub(crate) fn gap(a: (i32, i32), b: (i32, i32)) -> i32 {
    (a.0 - b.1).max(b.0 - a.1).max(0)
}

/// An article's evidence, from [`Evidence::of`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Evidence {
    /// The event time as a day interval.
    pub(crate) event: Option<(i32, i32)>,
    /// Full calendar dates the text names (days since 1970), sorted, distinct.
    pub(crate) days: Vec<i32>,
    /// Hashes of the actors' canonical names (people, organisations, quote speakers), sorted.
    /// A person is keyed by the last word of the name, so "Vincent Jackson" in one article and
    /// "Jackson" in another are one actor.
    pub(crate) actors: Vec<u32>,
    /// The article's lead actors: the (at most [`MAX_LEADS`]) most mentioned people and
    /// organisations, named at least twice and at least half as often as the most named one,
    /// keyed as in `actors`.
    pub(crate) leads: Vec<u32>,
    /// The article's own year: its event time's, else the latest year (1950-2039) it names.
    pub(crate) year: Option<u16>,
    /// Hashes of the places' canonical names, sorted.
    pub(crate) places: Vec<u32>,
    /// Whether the event time tells more than the arrival does: the article has no arrival
    /// time, or its event lies more than [`ARRIVAL_DAYS`] from it. In a stream every article
    /// of the week has an event time near every story's (the day it was published), so only
    /// such an event time is evidence that the article and a story are one event.
    pub(crate) event_news: bool,
}

/// Days around an article's arrival within which its event time and the dates it names only
/// repeat when it was published (see [`Evidence::event_news`]).
const ARRIVAL_DAYS: i32 = 7;

/// Most lead actors an article has.
const MAX_LEADS: usize = 2;

/// The key of an actor: a person by the last word of the name (the surname, which later
/// mentions and other articles use alone), anything else by the whole name.
fn actor_hash(name: &str, person: bool) -> u32 {
    if person && let Some(last) = name.split_whitespace().last() {
        return name_hash(SEED_ACTOR, last);
    }
    name_hash(SEED_ACTOR, name)
}

fn name_hash(seed: u64, name: &str) -> u32 {
    let key: String = name
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ");
    hash_bytes(seed, key.as_bytes()) as u32
}

impl Evidence {
    /// The evidence of an item (empty when the NLP stage has not run).
    pub(crate) fn of(item: &Item<'_>) -> Evidence {
        // An event time read from a date deep in the first paragraphs may be a past event
        // the article recalls ("since the 1972 break-in"): only the dateline, the lead's date
        // and the publication date count.
        let event = item
            .event_time
            .filter(|_| item.event_source != Some("first-date"))
            .and_then(interval);
        let mut days: Vec<i32> = item
            .dates
            .iter()
            .filter(|d| matches!(d.kind, TimexType::Date | TimexType::Time))
            .filter_map(|d| interval(&d.value).filter(|(a, b)| a == b).map(|x| x.0))
            .collect();
        // A date within a week of the arrival ("on Monday" in Tuesday's paper) is one every
        // article of the week can name: no evidence that two of them are one event.
        let arrival = item
            .time
            .and_then(|t| i32::try_from(t.div_euclid(86_400)).ok());
        if let Some(a) = arrival {
            days.retain(|&d| (d - a).abs() > ARRIVAL_DAYS);
        }
        let event_news = match (event, arrival) {
            (Some(ev), Some(a)) => gap(ev, (a, a)) > ARRIVAL_DAYS,
            _ => true,
        };
        days.sort_unstable();
        days.dedup();
        days.truncate(MAX_DOC_DAYS);
        // The most mentioned names first, so a cap keeps the main ones.
        let mut ents: Vec<_> = item.entities.iter().collect();
        ents.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        let mut actors: Vec<u32> = Vec::new();
        let mut places: Vec<u32> = Vec::new();
        let mut leads: Vec<u32> = Vec::new();
        let mut top_actor: Option<usize> = None;
        for e in ents {
            match e.kind {
                EntityType::Per | EntityType::Org if actors.len() < MAX_DOC_NAMES => {
                    let a = actor_hash(&e.name, e.kind == EntityType::Per);
                    // Named twice or more, and at least half as often as the most named.
                    let top = *top_actor.get_or_insert(e.count);
                    if e.count >= 2
                        && 2 * e.count >= top
                        && leads.len() < MAX_LEADS
                        && !leads.contains(&a)
                    {
                        leads.push(a);
                    }
                    actors.push(a);
                }
                EntityType::Loc if places.len() < MAX_DOC_NAMES => {
                    places.push(name_hash(SEED_PLACE, &e.name));
                }
                _ => {}
            }
        }
        for q in item.quotes {
            if let Some(name) = &q.entity
                && actors.len() < MAX_DOC_NAMES
            {
                actors.push(actor_hash(name, true));
            }
        }
        for v in [&mut actors, &mut places, &mut leads] {
            v.sort_unstable();
            v.dedup();
        }
        Evidence {
            event,
            days,
            actors,
            leads,
            year: None,
            places,
            event_news,
        }
    }

    /// Sets the article's own year: its event time's year when it has one, else `latest`
    /// (the latest year its text names).
    pub(crate) fn set_year(&mut self, latest: Option<u16>) {
        let of_event = self
            .event
            .and_then(|(first, _)| {
                chrono::DateTime::from_timestamp(i64::from(first) * 86_400, 0)
                    .map(|t| chrono::Datelike::year(&t))
            })
            .and_then(|y| u16::try_from(y).ok());
        self.year = of_event.or(latest);
    }
}

/// A story's evidence: its articles' event intervals, dates and names, bounded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoryEvidence {
    /// Articles whose evidence was added.
    #[serde(default)]
    articles: u32,
    /// Distinct event intervals of its articles (the first [`MAX_STORY_EVENTS`]).
    #[serde(default)]
    events: Vec<(i32, i32)>,
    /// Distinct calendar dates named, sorted.
    #[serde(default)]
    days: Vec<i32>,
    /// `(name hash, articles naming it)`, sorted by hash.
    #[serde(default)]
    actors: Vec<(u32, u32)>,
    /// `(name hash, articles naming it)`, sorted by hash.
    #[serde(default)]
    places: Vec<(u32, u32)>,
    /// `(actor hash, articles having it as a lead actor)`, sorted by hash.
    #[serde(default)]
    leads: Vec<(u32, u32)>,
    /// `(own year, articles of that year)`, sorted by year (see [`Evidence::year`]).
    #[serde(default)]
    years: Vec<(u16, u32)>,
}

/// How an article's evidence compares with a story's: the features the model reads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Comparison {
    /// Days between the article's event and the story's nearest, when both are known.
    pub(crate) event_gap: Option<i32>,
    /// Share of the article's dates the story names too (within a day), when both name some.
    pub(crate) date_share: Option<f64>,
    /// Share of the article's actors the story has, when both have some.
    pub(crate) actor_share: Option<f64>,
    /// Share of the article's places the story has, when both have some.
    pub(crate) place_share: Option<f64>,
    /// How far the article's lead actors are from the story's centre: one minus the mean
    /// share of the story's articles that name each, when the article has lead actors and the
    /// story has actors.
    pub(crate) lead_miss: Option<f64>,
    /// Share of the story's core actors (named by at least half of its articles, and by two)
    /// that the article does not name, when the story has a core and the article has actors.
    pub(crate) core_miss: Option<f64>,
    /// Share of the story's articles with an own year whose year is not the article's, when
    /// both have one.
    pub(crate) year_miss: Option<f64>,
}

fn count_in(names: &[u32], story: &[(u32, u32)]) -> usize {
    names
        .iter()
        .filter(|&&n| story.binary_search_by_key(&n, |x| x.0).is_ok())
        .count()
}

/// Counts `n` articles of year `y` (at most [`MAX_STORY_EVENTS`] distinct years; a year past
/// that is not counted).
fn add_year(years: &mut Vec<(u16, u32)>, y: u16, n: u32) {
    match years.binary_search_by_key(&y, |x| x.0) {
        Ok(k) => years[k].1 = years[k].1.saturating_add(n),
        Err(k) if years.len() < MAX_STORY_EVENTS => years.insert(k, (y, n)),
        Err(_) => {}
    }
}

fn add_names(story: &mut Vec<(u32, u32)>, names: &[u32]) {
    for &n in names {
        match story.binary_search_by_key(&n, |x| x.0) {
            Ok(k) => story[k].1 += 1,
            Err(k) => story.insert(k, (n, 1)),
        }
    }
    if story.len() > 2 * MAX_STORY_NAMES {
        // Keep the names most of its articles share (ties: the smaller hash, deterministic).
        story.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        story.truncate(MAX_STORY_NAMES);
        story.sort_unstable_by_key(|x| x.0);
    }
}

impl StoryEvidence {
    /// Adds an article's evidence.
    pub(crate) fn add(&mut self, e: &Evidence) {
        self.articles = self.articles.saturating_add(1);
        if let Some(ev) = e.event
            && self.events.len() < MAX_STORY_EVENTS
            && !self.events.contains(&ev)
        {
            self.events.push(ev);
        }
        for &d in &e.days {
            if self.days.len() < MAX_STORY_DAYS
                && let Err(k) = self.days.binary_search(&d)
            {
                self.days.insert(k, d);
            }
        }
        add_names(&mut self.actors, &e.actors);
        add_names(&mut self.places, &e.places);
        add_names(&mut self.leads, &e.leads);
        if let Some(y) = e.year {
            add_year(&mut self.years, y, 1);
        }
    }

    /// Adds another story's evidence (when two stories turn out to be one event); the same
    /// bounds hold.
    pub(crate) fn absorb(&mut self, other: &StoryEvidence) {
        self.articles = self.articles.saturating_add(other.articles);
        for &ev in &other.events {
            if self.events.len() < MAX_STORY_EVENTS && !self.events.contains(&ev) {
                self.events.push(ev);
            }
        }
        for &d in &other.days {
            if self.days.len() < MAX_STORY_DAYS
                && let Err(k) = self.days.binary_search(&d)
            {
                self.days.insert(k, d);
            }
        }
        for &(y, c) in &other.years {
            add_year(&mut self.years, y, c);
        }
        for (mine, theirs) in [
            (&mut self.actors, &other.actors),
            (&mut self.places, &other.places),
            (&mut self.leads, &other.leads),
        ] {
            for &(n, c) in theirs {
                match mine.binary_search_by_key(&n, |x| x.0) {
                    Ok(k) => mine[k].1 = mine[k].1.saturating_add(c),
                    Err(k) => mine.insert(k, (n, c)),
                }
            }
            add_names(mine, &[]);
        }
    }

    /// Days between the nearest event times of two stories, when both have any.
    pub(crate) fn event_gap_to(&self, other: &StoryEvidence) -> Option<i32> {
        self.events
            .iter()
            .flat_map(|&a| other.events.iter().map(move |&b| gap(a, b)))
            .min()
    }

    /// The story's core actors: those named by at least half of its articles, and by two.
    fn core(&self) -> impl Iterator<Item = u32> + '_ {
        let articles = self.articles;
        self.actors
            .iter()
            .filter(move |&&(_, c)| c >= 2 && 2 * c >= articles)
            .map(|&(n, _)| n)
    }

    /// Whether two stories have each a core of actors and neither names any of the other's:
    /// two events of one kind with different protagonists.
    pub(crate) fn cores_conflict(&self, other: &StoryEvidence) -> bool {
        let named = |a: &StoryEvidence, b: &StoryEvidence| {
            a.core()
                .any(|n| b.actors.binary_search_by_key(&n, |x| x.0).is_ok())
        };
        self.core().next().is_some()
            && other.core().next().is_some()
            && !named(self, other)
            && !named(other, self)
    }

    /// Number of distinct actors listed.
    pub(crate) fn actor_count(&self) -> usize {
        self.actors.len()
    }

    /// Compares an article's evidence with this story's.
    pub(crate) fn compare(&self, e: &Evidence) -> Comparison {
        let event_gap = e
            .event
            .and_then(|a| self.events.iter().map(|&b| gap(a, b)).min());
        let date_share = (!e.days.is_empty() && !self.days.is_empty()).then(|| {
            let near = e
                .days
                .iter()
                .filter(|&&d| {
                    let k = self.days.partition_point(|&x| x < d - 1);
                    self.days.get(k).is_some_and(|&x| x <= d + 1)
                })
                .count();
            near as f64 / e.days.len() as f64
        });
        let share = |names: &[u32], story: &[(u32, u32)]| {
            (!names.is_empty() && !story.is_empty())
                .then(|| count_in(names, story) as f64 / names.len() as f64)
        };
        let articles = f64::from(self.articles.max(1));
        let lead_miss = (!e.leads.is_empty() && !self.leads.is_empty()).then(|| {
            let centrality: f64 = e
                .leads
                .iter()
                .map(|&n| {
                    self.leads
                        .binary_search_by_key(&n, |x| x.0)
                        .map_or(0.0, |k| (f64::from(self.leads[k].1) / articles).min(1.0))
                })
                .sum();
            1.0 - centrality / e.leads.len() as f64
        });
        let dated: u32 = self.years.iter().map(|x| x.1).sum();
        let year_miss = e.year.filter(|_| dated > 0).map(|y| {
            let same = self
                .years
                .binary_search_by_key(&y, |x| x.0)
                .map_or(0, |k| self.years[k].1);
            1.0 - f64::from(same) / f64::from(dated)
        });
        let core_miss = if e.actors.is_empty() {
            None
        } else {
            let (mut core, mut missed) = (0usize, 0usize);
            for n in self.core() {
                core += 1;
                missed += usize::from(e.actors.binary_search(&n).is_err());
            }
            (core > 0).then(|| missed as f64 / core as f64)
        };
        Comparison {
            event_gap,
            date_share,
            actor_share: share(&e.actors, &self.actors),
            place_share: share(&e.places, &self.places),
            lead_miss,
            core_miss,
            year_miss,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_of_timex_values() {
        let d = |y, m, dd| day(y, m, dd).unwrap();
        assert_eq!(
            interval("2024-06-19"),
            Some((d(2024, 6, 19), d(2024, 6, 19)))
        );
        assert_eq!(
            interval("2024-06-19T09:30"),
            Some((d(2024, 6, 19), d(2024, 6, 19)))
        );
        assert_eq!(interval("2024-02"), Some((d(2024, 2, 1), d(2024, 2, 29))));
        assert_eq!(interval("2024-12"), Some((d(2024, 12, 1), d(2024, 12, 31))));
        assert_eq!(interval("2024"), Some((d(2024, 1, 1), d(2024, 12, 31))));
        assert_eq!(interval("2024-W25"), Some((d(2024, 1, 1), d(2024, 12, 31))));
        for none in [
            "XXXX-06-19",
            "P3D",
            "PRESENT_REF",
            "",
            "20",
            "2024-13-01",
            "2024-02-30",
        ] {
            assert_eq!(interval(none), None, "{none}");
        }
        assert_eq!(gap((1, 3), (2, 9)), 0);
        assert_eq!(gap((1, 3), (10, 12)), 7);
        assert_eq!(gap((10, 12), (1, 3)), 7);
    }

    #[test]
    fn what_only_repeats_the_arrival_is_no_evidence_of_when() {
        let dates = [
            newsmill_core::DateMention {
                text: "Monday".into(),
                start: 0,
                end: 6,
                kind: TimexType::Date,
                value: "2025-11-03".into(),
                anchor: newsmill_core::DateAnchor::None,
            },
            newsmill_core::DateMention {
                text: "June 2".into(),
                start: 10,
                end: 16,
                kind: TimexType::Date,
                value: "2025-06-02".into(),
                anchor: newsmill_core::DateAnchor::None,
            },
        ];
        let mut item = Item::new("a", "t", "x");
        item.dates = &dates;
        item.event_time = Some("2025-11-04");
        item.event_source = Some("dateline");
        // No arrival time (an archive without dates): every date is evidence.
        let e = Evidence::of(&item);
        assert!(e.event_news);
        assert_eq!(e.days.len(), 2);
        // Published the day of its dateline: its event time and Monday say nothing more than
        // its arrival; the date months before still counts.
        item.time = Some(i64::from(day(2025, 11, 4).unwrap()) * 86_400 + 3_600);
        let e = Evidence::of(&item);
        assert!(!e.event_news);
        assert_eq!(e.days, [day(2025, 6, 2).unwrap()]);
        // An article about an event a month before it is published.
        item.event_time = Some("2025-10-01");
        assert!(Evidence::of(&item).event_news);
    }

    #[test]
    fn a_story_compares_dates_and_names() {
        let mut s = StoryEvidence::default();
        assert_eq!(s.compare(&Evidence::default()), Comparison::default());
        s.add(&Evidence {
            event: Some((100, 100)),
            days: vec![99, 100],
            actors: vec![1, 2],
            leads: vec![1],
            year: None,
            places: vec![7],
            event_news: true,
        });
        let c = s.compare(&Evidence {
            event: Some((400, 400)),
            days: vec![101, 300],
            actors: vec![2, 3, 4, 5],
            leads: vec![2],
            year: None,
            places: vec![],
            event_news: true,
        });
        assert_eq!(c.event_gap, Some(300));
        assert_eq!(c.date_share, Some(0.5));
        assert_eq!(c.actor_share, Some(0.25));
        assert_eq!(c.place_share, None);
    }

    fn person(name: &str, count: usize) -> newsmill_core::Entity {
        newsmill_core::Entity {
            name: name.into(),
            kind: EntityType::Per,
            mentions: Vec::new(),
            count,
        }
    }

    #[test]
    fn lead_actors_are_the_most_named_and_a_surname_names_a_person() {
        let entities = [
            person("Jamal Williams", 6),
            person("Vincent Jackson", 3),
            person("A. J. Smith", 2),
        ];
        let mut item = Item::new("a", "", "");
        item.entities = &entities;
        let e = Evidence::of(&item);
        assert_eq!(e.actors.len(), 3);
        // Smith is named twice but under half as often as Williams: not a lead.
        let mut leads = vec![actor_hash("Williams", true), actor_hash("Jackson", true)];
        leads.sort_unstable();
        assert_eq!(e.leads, leads);
        assert!(e.actors.contains(&actor_hash("Jackson", true)));
    }

    /// Actor hashes as `Evidence::actors` keeps them (sorted).
    fn sorted(mut v: Vec<u32>) -> Vec<u32> {
        v.sort_unstable();
        v
    }

    #[test]
    fn a_story_knows_its_protagonists_and_its_year() {
        let williams = actor_hash("Williams", true);
        let jackson = actor_hash("Jackson", true);
        let chargers = actor_hash("Chargers", false);
        let mut s = StoryEvidence::default();
        for _ in 0..3 {
            s.add(&Evidence {
                actors: sorted(vec![williams, chargers]),
                leads: vec![williams],
                year: Some(2009),
                ..Evidence::default()
            });
        }
        // An article led by the story's protagonist, of its year.
        let follow_up = s.compare(&Evidence {
            actors: vec![williams],
            leads: vec![williams],
            year: Some(2009),
            ..Evidence::default()
        });
        assert_eq!(follow_up.lead_miss, Some(0.0));
        assert_eq!(follow_up.core_miss, Some(0.5), "Chargers is core too");
        assert_eq!(follow_up.year_miss, Some(0.0));
        // The same kind of event, another protagonist and another year.
        let other = s.compare(&Evidence {
            actors: sorted(vec![jackson, chargers]),
            leads: vec![jackson],
            year: Some(2008),
            ..Evidence::default()
        });
        assert_eq!(other.lead_miss, Some(1.0));
        assert_eq!(other.core_miss, Some(0.5));
        assert_eq!(other.year_miss, Some(1.0));
        // Unknown is not a miss.
        assert_eq!(s.compare(&Evidence::default()).lead_miss, None);
        assert_eq!(s.compare(&Evidence::default()).year_miss, None);

        // Two stories with their own protagonists, neither naming the other's, conflict;
        // one that names the other's protagonist does not.
        let mut t = StoryEvidence::default();
        for _ in 0..2 {
            t.add(&Evidence {
                actors: vec![jackson],
                leads: vec![jackson],
                ..Evidence::default()
            });
        }
        assert!(s.cores_conflict(&t) && t.cores_conflict(&s));
        t.add(&Evidence {
            actors: vec![williams],
            ..Evidence::default()
        });
        assert!(!s.cores_conflict(&t));
        // A story of one article has no core yet.
        let mut u = StoryEvidence::default();
        u.add(&Evidence {
            actors: vec![jackson],
            ..Evidence::default()
        });
        assert!(!s.cores_conflict(&u));
    }

    #[test]
    fn an_own_year_is_the_event_time_year_else_the_latest_named() {
        let mut e = Evidence {
            event: interval("2013-09-17"),
            ..Evidence::default()
        };
        e.set_year(Some(2008));
        assert_eq!(e.year, Some(2013));
        let mut e = Evidence::default();
        e.set_year(Some(2008));
        assert_eq!(e.year, Some(2008));
        e.set_year(None);
        assert_eq!(e.year, None);
    }

    #[test]
    fn story_names_stay_bounded() {
        let mut s = StoryEvidence::default();
        for k in 0..100u32 {
            s.add(&Evidence {
                actors: (k * 10..k * 10 + 10).chain([7_000]).collect(),
                ..Evidence::default()
            });
        }
        assert!(s.actors.len() <= 2 * MAX_STORY_NAMES);
        assert!(s.actors.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(s.actors.iter().any(|&(n, c)| n == 7_000 && c == 100));
    }
}
