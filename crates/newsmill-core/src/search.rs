//! The shapes a search answers with, and a story's summary: one vocabulary for the store,
//! `newsmill search`, `newsmill stories` and the HTTP API.
//!
//! # Naming
//!
//! - A facet is named by the filter its values feed (`site`, `language`, `entity`, `day`), as
//!   `--site`/`site=`/`site:` take them: `facets.site[0].value` is a valid `--site`.
//! - A list an object holds is a plural noun, as in the record (`entities`, `sites`,
//!   `languages`, `aliases`).
//! - Every counted value is a [`FacetCount`] `{value, count}`, where `count` counts articles.
//! - Times are RFC 3339 in UTC (`2024-06-19T10:00:00Z`); days are `YYYY-MM-DD`, the day of
//!   the record's own UTC offset.

use serde::{Deserialize, Serialize};

use crate::{EntityType, Record};

/// A value and how many articles have it (a facet's entry, a story's site or language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetCount {
    /// The value (an entity name, a site, a language code, a day).
    #[serde(alias = "name")]
    pub value: String,
    /// Articles with it.
    #[serde(alias = "articles")]
    pub count: u64,
}

/// Facet counts over all matches of a search, each named by the filter its values feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facets {
    /// Most frequent entities (canonical names), most first, ties by value; a record counts
    /// once however often it names one.
    pub entity: Vec<FacetCount>,
    /// Most frequent sites, most first, ties by value.
    pub site: Vec<FacetCount>,
    /// Languages (ISO 639-1), most first, ties by value.
    pub language: Vec<FacetCount>,
    /// Matches per day (`YYYY-MM-DD`), in date order, every day that has any (undated records
    /// are not counted).
    pub day: Vec<FacetCount>,
}

/// One matching article, as `newsmill search` prints it and `/api/search` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// The record id.
    pub id: String,
    /// Relevance score (BM25; the same for a query whatever the order asked for).
    pub score: f32,
    /// Headline.
    pub title: Option<String>,
    /// Site.
    pub site: Option<String>,
    /// URL (the canonical one when the page names it).
    pub url: Option<String>,
    /// Language (ISO 639-1).
    pub language: Option<String>,
    /// Publication date, as the page gives it (RFC 3339).
    pub published: Option<String>,
    /// The day the record is filed under (published, else fetched), `YYYY-MM-DD`.
    pub day: Option<String>,
    /// When the article's main event happened (TIMEX3), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// The story the article belongs to now (a story merged into another answers with the
    /// survivor's id), when it has one.
    pub story: Option<String>,
    /// Version of the article (1 for the first).
    pub version: u64,
    /// A short passage of the text around the matched words (else the text's start), plain
    /// text with white space collapsed.
    pub snippet: String,
    /// Where the matched words are in `snippet`: `[start, end)` in characters (Unicode scalar
    /// values, as the record's offsets), in order.
    #[serde(default)]
    pub highlights: Vec<[usize; 2]>,
    /// The full record, when asked for (library callers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub record: Option<Record>,
}

/// An entity of a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoryEntity {
    /// Canonical name.
    pub name: String,
    /// Type (`PER`, `ORG`, `LOC`, `MISC`).
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: EntityType,
    /// Articles of the story that name it.
    pub articles: u32,
}

/// One story as the story stage reports it, the store keeps it, `newsmill stories` lists it
/// and the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StorySummary {
    /// Story id: the id of its first article.
    pub id: String,
    /// Title of its most central article.
    pub title: String,
    /// Number of articles, near-duplicates included.
    #[serde(alias = "size")]
    pub articles: u32,
    /// Time of its first article (published, else fetched), RFC 3339 in UTC.
    #[serde(default, with = "unix_rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub first_seen: Option<i64>,
    /// Time of its last article, RFC 3339 in UTC.
    #[serde(default, with = "unix_rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub last_seen: Option<i64>,
    /// Its most frequent entities, with how many of its articles name them, most first.
    #[serde(default)]
    pub entities: Vec<StoryEntity>,
    /// The sites of its articles, with how many articles each has, most first.
    #[serde(default, alias = "outlets")]
    pub sites: Vec<FacetCount>,
    /// The languages of its articles, with how many articles are in each, most first.
    #[serde(default)]
    pub languages: Vec<FacetCount>,
    /// Ids of stories merged into this one (emitted earlier, they now name this story and
    /// still resolve: `story:ID`, `/api/stories/ID`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// RFC 3339 (UTC, whole seconds) of a Unix time; `None` when out of range.
pub fn format_unix(secs: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Unix seconds written as RFC 3339; read from RFC 3339 or (as stores kept them before) from
/// a number.
mod unix_rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match t.and_then(super::format_unix) {
            Some(text) => s.serialize_str(&text),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Secs(i64),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<Either>::deserialize(d)? {
            None => Ok(None),
            Some(Either::Secs(n)) => Ok(Some(n)),
            Some(Either::Text(t)) => chrono::DateTime::parse_from_rfc3339(&t)
                .map(|x| Some(x.timestamp()))
                .map_err(|e| serde::de::Error::custom(format!("{t:?} is not RFC 3339: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn story_times_are_rfc3339_and_old_numbers_still_read() {
        let s = StorySummary {
            id: "a".into(),
            title: "T".into(),
            articles: 2,
            first_seen: Some(1_718_791_200),
            last_seen: None,
            entities: vec![],
            sites: vec![FacetCount {
                value: "x.example".into(),
                count: 2,
            }],
            languages: vec![],
            aliases: vec![],
        };
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["first_seen"], "2024-06-19T10:00:00Z");
        assert_eq!(json["last_seen"], serde_json::Value::Null);
        assert_eq!(json["sites"][0]["value"], "x.example");
        assert_eq!(serde_json::from_value::<StorySummary>(json).unwrap(), s);
        // The shape stores kept before one vocabulary: size, outlets {name, articles}, numbers.
        let old = r#"{"id":"a","title":"T","entities":[],"first_seen":1718791200,
            "last_seen":null,"size":2,"outlets":[{"name":"x.example","articles":2}]}"#;
        assert_eq!(serde_json::from_str::<StorySummary>(old).unwrap(), s);
        let bad = r#"{"id":"a","title":"","articles":1,"first_seen":"yesterday"}"#;
        assert!(serde_json::from_str::<StorySummary>(bad).is_err());
    }
}
