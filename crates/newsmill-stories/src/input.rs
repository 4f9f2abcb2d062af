//! The input of `newsmill stories`: JSON Lines `{id, time, title, text}`.
//!
//! `id` is a string (an integer is accepted and turned into one); `time` is RFC 3339, a date
//! (`2024-06-19`), a date and time without offset (read as UTC), Unix seconds, or `null`;
//! `title` and `text` may be missing or `null` (read as empty). Unknown fields are ignored, so
//! full newsmill records are valid input too. Parsing a line is pure: the caller reads the lines
//! and names the input and line number in its errors.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, Item, Result};

/// One parsed input line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryLine {
    /// The article's id.
    pub id: String,
    /// Unix seconds, when given.
    pub time: Option<i64>,
    /// Headline (empty when missing).
    pub title: String,
    /// Body (empty when missing).
    pub text: String,
    /// Canonical URL, when the line carries one (`canonical_url`, as in a record).
    pub canonical_url: Option<String>,
}

impl StoryLine {
    /// The line as an [`Item`] (no entities: this input has none).
    pub fn item(&self) -> Item<'_> {
        Item {
            time: self.time,
            canonical_url: self.canonical_url.as_deref(),
            ..Item::new(&self.id, &self.title, &self.text)
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    time: Value,
    #[serde(default)]
    title: Value,
    #[serde(default)]
    text: Value,
    #[serde(default)]
    canonical_url: Value,
}

/// Parses one line. Errors say what is wrong with it, without the line number.
pub fn parse_line(line: &str) -> Result<StoryLine> {
    // serde would read a JSON array as a struct too: only objects are records.
    if !line.trim_start().starts_with('{') {
        return Err(Error::Input("not a JSON object".into()));
    }
    let raw: Raw = serde_json::from_str(line)
        .map_err(|e| Error::Input(format!("not a JSON object with the expected fields: {e}")))?;
    let id = match raw.id {
        Value::String(s) if !s.is_empty() => s,
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Null => return Err(Error::Input("missing id".into())),
        other => {
            return Err(Error::Input(format!(
                "id must be a non-empty string or an integer, found {other}"
            )));
        }
    };
    let time = match raw.time {
        Value::Null => None,
        Value::String(s) => {
            Some(parse_time(&s).ok_or_else(|| Error::Input(format!("time {s:?} is not a date")))?)
        }
        Value::Number(n) => match n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)) {
            Some(t) => Some(t),
            None => return Err(Error::Input(format!("time {n} is out of range"))),
        },
        other => {
            return Err(Error::Input(format!(
                "time must be a string, a number or null, found {other}"
            )));
        }
    };
    let string = |v: Value, name: &str| match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s),
        other => Err(Error::Input(format!(
            "{name} must be a string or null, found {}",
            kind(&other)
        ))),
    };
    let canonical_url = match raw.canonical_url {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        _ => None,
    };
    Ok(StoryLine {
        id,
        time,
        title: string(raw.title, "title")?,
        text: string(raw.text, "text")?,
        canonical_url,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses RFC 3339, `YYYY-MM-DDTHH:MM:SS` (UTC), `YYYY-MM-DD HH:MM:SS` (UTC) or `YYYY-MM-DD`
/// into Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// Formats Unix seconds as RFC 3339 (UTC), as story summaries write their times.
pub fn format_time(t: i64) -> Option<String> {
    newsmill_core::format_unix(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let l = parse_line(r#"{"id":"a","time":null,"title":"T","text":"x","lang":"en"}"#).unwrap();
        assert_eq!((l.id.as_str(), l.time, l.title.as_str()), ("a", None, "T"));
        let l = parse_line(r#"{"id":7,"time":"2024-06-19T08:00:00+02:00"}"#).unwrap();
        assert_eq!((l.id.as_str(), l.time), ("7", Some(1_718_776_800)));
        assert_eq!(
            parse_line(r#"{"id":"b","time":1718776800}"#).unwrap().time,
            Some(1_718_776_800)
        );
        assert_eq!(parse_time("2024-06-19"), Some(1_718_755_200));
        for bad in [
            "",
            "[1]",
            r#"{"title":"no id"}"#,
            r#"{"id":"a","time":"yesterday"}"#,
            r#"{"id":"a","text":5}"#,
            r#"{"id":true}"#,
            "{\"id\":\"a\"",
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
        assert_eq!(
            format_time(1_718_776_800).as_deref(),
            Some("2024-06-19T06:00:00Z")
        );
    }
}
