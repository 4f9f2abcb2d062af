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
}

/// Parses a feed. A document that is not a feed (an HTML page served as a feed) is an error
/// naming `input`.
pub fn parse_feed(input: &str, bytes: &[u8]) -> Result<Vec<FeedEntry>, IngestError> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| IngestError::Feed {
        input: input.to_string(),
        message: e.to_string(),
    })?;
    Ok(feed
        .entries
        .into_iter()
        .map(|e| {
            let url = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .map(|l| l.href.trim().to_string())
                .filter(|h| !h.is_empty());
            let content = e
                .content
                .and_then(|c| c.body)
                .or(e.summary.map(|s| s.content))
                .filter(|c| !c.trim().is_empty());
            FeedEntry {
                url,
                title: e.title.map(|t| t.content.trim().to_string()),
                published: e.published.or(e.updated).map(|d| d.to_rfc3339()),
                content,
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
    fn html_is_not_a_feed() {
        let e = parse_feed(
            "page.xml",
            b"<!DOCTYPE html><html><body><p>hi</p></body></html>",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("page.xml: not a feed"), "{e}");
    }
}
