//! RSS 0.9x/1.0/2.0, Atom and JSON Feed (with `feed-rs`) to feed entries.

use crate::IngestError;

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The entry's link (the article URL), when it has one.
    pub url: Option<String>,
    /// The entry's title.
    pub title: Option<String>,
    /// Publication (or last update) date, RFC 3339.
    pub published: Option<String>,
    /// The entry's HTML content (`content:encoded`, Atom `content`), else its summary.
    pub content: Option<String>,
    /// True when `content` is the entry's summary (RSS `description`, Atom `summary`, JSON
    /// Feed `summary`): the feed gives a teaser, not the article.
    pub summary_only: bool,
    /// The entry's authors (`author`, `dc:creator`, JSON Feed `author(s)`), names only.
    pub authors: Vec<String>,
}

/// Parses a feed. A document that is not a feed (an HTML page served as a feed) is an error
/// naming `input`.
///
/// Dates are read as feed-rs reads them (RFC 3339, RFC 2822 and their common deviations); when
/// an entry's date does not read that way, the feed is read again with [`lenient_timestamp`]
/// for the entries that still lack one ("Sat, Dec 16 2023 02:02:33 PM").
pub fn parse_feed(input: &str, bytes: &[u8]) -> Result<Vec<FeedEntry>, IngestError> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| IngestError::Feed {
        input: input.to_string(),
        message: e.to_string(),
    })?;
    let undated = |e: &feed_rs::model::Entry| e.published.is_none() && e.updated.is_none();
    let mut lenient_dates: Vec<Option<chrono::DateTime<chrono::Utc>>> = Vec::new();
    if feed.entries.iter().any(undated)
        && let Ok(again) = feed_rs::parser::Builder::new()
            .timestamp_parser(lenient_timestamp)
            .build()
            .parse(bytes)
    {
        lenient_dates = again
            .entries
            .iter()
            .map(|e| e.published.or(e.updated))
            .collect();
    }
    Ok(feed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let published = e
                .published
                .or(e.updated)
                .or_else(|| lenient_dates.get(i).copied().flatten())
                .map(|d| d.to_rfc3339());
            let url = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .map(|l| l.href.trim().to_string())
                .filter(|h| !h.is_empty());
            let nonempty = |c: &String| !c.trim().is_empty();
            let full = e.content.and_then(|c| c.body).filter(nonempty);
            let summary_only = full.is_none();
            let content = full.or(e.summary.map(|s| s.content).filter(nonempty));
            let mut authors: Vec<String> = Vec::new();
            for p in &e.authors {
                let name = p.name.as_deref().unwrap_or_default().trim();
                if !name.is_empty() && name != "unknown" && !authors.iter().any(|a| a == name) {
                    authors.push(name.to_string());
                }
            }
            FeedEntry {
                url,
                title: e.title.map(|t| t.content.trim().to_string()),
                published,
                summary_only: summary_only && content.is_some(),
                content,
                authors,
            }
        })
        .collect())
}

/// Wraps an entry's content as a small HTML page (title, date and URL in the head), so that
/// extract reads it like any page.
pub fn entry_html(entry: &FeedEntry) -> Option<String> {
    let content = entry.content.as_deref()?;
    let mut html = String::with_capacity(content.len() + 256);
    html.push_str("<!DOCTYPE html><html><head>");
    if let Some(t) = &entry.title {
        html.push_str("<title>");
        html.push_str(&escape(t));
        html.push_str("</title>");
    }
    for a in &entry.authors {
        html.push_str("<meta name=\"dc.creator\" content=\"");
        html.push_str(&escape(a));
        html.push_str("\">");
    }
    if let Some(p) = &entry.published {
        html.push_str("<meta property=\"article:published_time\" content=\"");
        html.push_str(&escape(p));
        html.push_str("\">");
    }
    if let Some(u) = &entry.url {
        html.push_str("<link rel=\"canonical\" href=\"");
        html.push_str(&escape(u));
        html.push_str("\">");
    }
    html.push_str("</head><body><article>");
    if let Some(t) = &entry.title {
        html.push_str("<h1>");
        html.push_str(&escape(t));
        html.push_str("</h1>");
    }
    // Content that is plain text (no tags) becomes one paragraph per blank-line-separated chunk.
    if content.contains('<') {
        html.push_str(content);
    } else {
        for para in content.split("\n\n").filter(|p| !p.trim().is_empty()) {
            html.push_str("<p>");
            html.push_str(&escape(para.trim()));
            html.push_str("</p>");
        }
    }
    html.push_str("</article></body></html>");
    Some(html)
}

/// Reads the feed dates that RFC 3339 and RFC 2822 do not: a weekday, month and day in either
/// order, a 12-hour clock ("Sat, Dec 16 2023 02:02:33 PM"), a missing or named zone. A date
/// without a zone is read as UTC, as feed-rs and Python's feedparser read one.
pub fn lenient_timestamp(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let text = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(text) {
        return Some(d.with_timezone(&Utc));
    }
    // Drop the weekday and the commas, then split off a zone at the end.
    let cleaned = text.replace(',', " ");
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| w.len() >= 3 && w.chars().all(char::is_alphabetic) && weekday(w))
    {
        words.remove(0);
    }
    let mut offset = None;
    if let Some(last) = words.last() {
        if matches!(
            last.to_ascii_uppercase().as_str(),
            "GMT" | "UTC" | "UT" | "Z"
        ) {
            offset = Some(0);
        } else if let Ok(o) =
            DateTime::parse_from_str(&format!("2000-01-01 00:00 {last}"), "%F %R %z")
        {
            offset = Some(o.offset().local_minus_utc());
        }
        if offset.is_some() {
            words.pop();
        }
    }
    let rest = words.join(" ");
    const FORMATS: [&str; 10] = [
        "%B %d %Y %I:%M:%S %p",
        "%B %d %Y %I:%M %p",
        "%d %B %Y %I:%M:%S %p",
        "%d %B %Y %I:%M %p",
        "%B %d %Y %H:%M:%S",
        "%B %d %Y %H:%M",
        "%d %B %Y %H:%M:%S",
        "%d %B %Y %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ];
    let naive = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&rest, f).ok())?;
    let offset = chrono::FixedOffset::east_opt(offset.unwrap_or(0))?;
    Some(
        naive
            .and_local_timezone(offset)
            .single()?
            .with_timezone(&Utc),
    )
}

/// True for an English weekday name or its abbreviation ("Sat", "Thurs", "Saturday").
fn weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = word.to_lowercase();
    DAYS.iter().any(|d| d.starts_with(&w))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_entries() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>First</title><link>https://n.example/a</link><pubDate>Wed, 19 Jun 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Hello there.&lt;/p&gt;</description></item>
<item><title>Second</title><link>https://n.example/b</link></item></channel></rss>"#;
        let entries = parse_feed("f.xml", rss).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].url.as_deref(), Some("https://n.example/a"));
        assert_eq!(
            entries[0].published.as_deref(),
            Some("2024-06-19T10:00:00+00:00")
        );
        assert_eq!(entries[0].content.as_deref(), Some("<p>Hello there.</p>"));
        let html = entry_html(&entries[0]).unwrap();
        assert!(html.contains("<title>First</title>"), "{html}");
        assert_eq!(entries[1].content, None);
        assert_eq!(entry_html(&entries[1]), None);
    }

    #[test]
    fn summary_only_entries_are_marked_and_authors_kept() {
        let rss =
            br#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><title>Teaser</title><link>https://n.example/a</link><dc:creator>Ana Souza</dc:creator>
<description>Two lines about it.</description></item>
<item><title>Full</title><link>https://n.example/b</link><description>Short.</description>
<content:encoded>&lt;p&gt;The whole article.&lt;/p&gt;</content:encoded></item></channel></rss>"#;
        let entries = parse_feed("f.xml", rss).unwrap();
        assert!(entries[0].summary_only);
        assert_eq!(entries[0].authors, ["Ana Souza"]);
        assert!(!entries[1].summary_only);
        assert_eq!(
            entries[1].content.as_deref(),
            Some("<p>The whole article.</p>")
        );
        let html = entry_html(&entries[0]).unwrap();
        assert!(
            html.contains(r#"<meta name="dc.creator" content="Ana Souza">"#),
            "{html}"
        );
        let json = br#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
"items": [{"id": "1", "url": "https://n.example/c", "summary": "A teaser.",
"authors": [{"name": "Li Wei"}]}]}"#;
        let entries = parse_feed("f.json", json).unwrap();
        assert!(entries[0].summary_only);
        assert_eq!(entries[0].authors, ["Li Wei"]);
    }

    #[test]
    fn lenient_dates() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>https://n.example/a</link><pubDate>Sat, Dec 16 2023 02:02:33 PM</pubDate></item>
<item><title>B</title><link>https://n.example/b</link><pubDate>Wed, 19 Jun 2024 10:00:00 GMT</pubDate></item>
</channel></rss>"#;
        let entries = parse_feed("f.xml", rss).unwrap();
        assert_eq!(
            entries[0].published.as_deref(),
            Some("2023-12-16T14:02:33+00:00")
        );
        assert_eq!(
            entries[1].published.as_deref(),
            Some("2024-06-19T10:00:00+00:00")
        );
        let t = |s: &str| lenient_timestamp(s).map(|d| d.to_rfc3339());
        assert_eq!(
            t("Monday, June 3, 2024 9:05 AM +0200").as_deref(),
            Some("2024-06-03T07:05:00+00:00")
        );
        assert_eq!(
            t("16 Dec 2023 12:30 AM EST"),
            None,
            "an unknown zone name is no date"
        );
        assert_eq!(
            t("3 June 2024 21:00 UTC").as_deref(),
            Some("2024-06-03T21:00:00+00:00")
        );
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("Dec 32 2023 10:00"), None);
    }

    #[test]
    fn html_is_not_a_feed() {
        let e = parse_feed(
            "page.xml",
            b"<!DOCTYPE html><html><body><p>hi</p></body></html>",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("page.xml: not a feed"), "{e}");
    }
}
