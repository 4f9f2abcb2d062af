//! Page metadata with provenance: title, dek, byline, dates, canonical URL, site name, language,
//! section and tags, from JSON-LD, OpenGraph and `article:*` meta, microdata, `<time>`, the URL
//! and visible elements. Every value records where it came from (`"title": "og:title"`).

use std::sync::LazyLock;

use serde_json::Value;

use super::dom::{Dom, Tag, push_collapsed};

/// Everything the page declares about itself, gathered in one pass over the arena.
#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    /// `<meta property|name|itemprop=K content=V>`, keys lowercase, in page order.
    pub(crate) meta: Vec<(String, String)>,
    pub(crate) title_tag: Option<String>,
    pub(crate) html_lang: Option<String>,
    pub(crate) canonical: Option<String>,
    /// Headline-like elements: (node, text) of h1–h3 and elements classed title/headline.
    pub(crate) headings: Vec<(usize, String)>,
    /// `<time datetime>` values (node, value, has `pubdate` or `itemprop=datePublished`).
    pub(crate) times: Vec<(usize, String, bool)>,
    /// Microdata values: (itemprop lowercase, value).
    pub(crate) itemprops: Vec<(String, String)>,
    /// Texts of elements classed as bylines or authors, and of `rel=author` links.
    pub(crate) byline_texts: Vec<String>,
    /// Article-like JSON-LD objects (NewsArticle, Article, BlogPosting, ...), best first.
    pub(crate) ld: Vec<Value>,
    /// Other JSON-LD objects (WebPage, Organization, ...), for site name and the like.
    pub(crate) ld_other: Vec<Value>,
}

/// Class names of headline elements (`headline-class` in `rules/classes.rules`).
static HEADLINE_CLASSES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| super::content::class_list("headline-class"));
/// Class names of sub-headlines (`subheadline-class`).
static SUBHEADLINE_CLASSES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| super::content::class_list("subheadline-class"));
/// Class names of byline elements (`byline-element-class`).
static BYLINE_CLASSES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| super::content::class_list("byline-element-class"));

/// The schema.org types of articles.
const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "report",
    "scholarlyarticle",
    "techarticle",
];

impl PageMeta {
    pub(crate) fn gather(dom: &Dom) -> PageMeta {
        let mut m = PageMeta::default();
        let n = dom.len();
        let mut i = 0;
        while i < n {
            if dom.text(i) {
                i += 1;
                continue;
            }
            let node = &dom.nodes[i];
            match node.tag {
                Tag::Html if m.html_lang.is_none() => {
                    m.html_lang = node.attr("lang").map(str::to_string);
                }
                Tag::Title
                    if m.title_tag.is_none() && dom.ancestor_with(i, &[Tag::Svg]).is_none() =>
                {
                    let t = dom.text_of(i);
                    if !t.is_empty() {
                        m.title_tag = Some(t);
                    }
                }
                Tag::Meta => {
                    let key = node
                        .attr("property")
                        .or_else(|| node.attr("name"))
                        .or_else(|| node.attr("itemprop"))
                        .or_else(|| node.attr("http-equiv"));
                    if let (Some(k), Some(v)) = (key, node.attr("content")) {
                        let v = clean(v);
                        if !v.is_empty() {
                            m.meta.push((k.trim().to_ascii_lowercase(), v));
                        }
                    }
                }
                Tag::Link => {
                    let rel = node.attr("rel").unwrap_or("").to_ascii_lowercase();
                    if rel.split_whitespace().any(|r| r == "canonical") && m.canonical.is_none() {
                        m.canonical = node.attr("href").map(|h| h.trim().to_string());
                    }
                }
                Tag::Script => {
                    let ty = node.attr("type").unwrap_or("").to_ascii_lowercase();
                    if ty.contains("ld+json") {
                        let mut text = String::new();
                        for c in dom.children(i) {
                            if dom.text(c) {
                                text.push_str(&dom.nodes[c].text);
                            }
                        }
                        m.add_json_ld(&text);
                    }
                    i = node.end as usize;
                    continue;
                }
                Tag::Style | Tag::Svg | Tag::Noscript | Tag::Template => {
                    i = node.end as usize;
                    continue;
                }
                Tag::Time => {
                    if let Some(dt) = node.attr("datetime") {
                        let marked = node.attr("pubdate").is_some()
                            || node
                                .attr("itemprop")
                                .is_some_and(|p| p.eq_ignore_ascii_case("datepublished"));
                        if m.times.len() < 20 {
                            m.times.push((i, dt.trim().to_string(), marked));
                        }
                    }
                }
                _ => {}
            }
            if let Some(prop) = node.attr("itemprop")
                && node.tag != Tag::Meta
                && m.itemprops.len() < 50
            {
                let prop = prop.trim().to_ascii_lowercase();
                let value = node
                    .attr("content")
                    .or_else(|| node.attr("datetime"))
                    .map(clean)
                    .unwrap_or_else(|| short_text(dom, i, 300));
                if !value.is_empty() {
                    m.itemprops.push((prop, value));
                }
            }
            if node.tag.heading_level().is_some_and(|l| l <= 3) && m.headings.len() < 200 {
                let t = short_text(dom, i, 400);
                if !t.is_empty() {
                    m.headings.push((i, t));
                }
            } else if node.tag != Tag::Body
                && node.tag != Tag::Html
                && m.headings.len() < 200
                && class_has(node.attr("class"), &HEADLINE_CLASSES)
                && !class_has(node.attr("class"), &SUBHEADLINE_CLASSES)
            {
                let t = short_text(dom, i, 400);
                if word_count(&t) >= 2 {
                    m.headings.push((i, t));
                }
            }
            let rel_author = node.tag == Tag::A
                && node
                    .attr("rel")
                    .is_some_and(|r| r.to_ascii_lowercase().contains("author"));
            if (rel_author || class_has(node.attr("class"), &BYLINE_CLASSES))
                && m.byline_texts.len() < 10
            {
                let t = short_text(dom, i, 200);
                if !t.is_empty() && !m.byline_texts.contains(&t) {
                    m.byline_texts.push(t);
                }
            }
            i += 1;
        }
        m
    }

    fn add_json_ld(&mut self, text: &str) {
        let Ok(value) = serde_json::from_str::<Value>(text.trim()) else {
            return;
        };
        // Flatten arrays and @graph one level at a time, without recursion.
        let mut queue = vec![value];
        let mut seen = 0;
        while let Some(v) = queue.pop() {
            seen += 1;
            if seen > 200 {
                break;
            }
            match v {
                Value::Array(items) => queue.extend(items.into_iter().rev()),
                Value::Object(mut obj) => {
                    if let Some(graph) = obj.remove("@graph") {
                        queue.push(graph);
                    }
                    let types = type_names(obj.get("@type"));
                    let v = Value::Object(obj);
                    if types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                        self.ld.push(v);
                    } else if !types.is_empty() && self.ld_other.len() < 20 {
                        self.ld_other.push(v);
                    }
                }
                _ => {}
            }
        }
    }

    /// The first meta value for any of `keys` (in the order of `keys`), with its key.
    pub(crate) fn meta(&self, keys: &[&'static str]) -> Option<(&'static str, &str)> {
        keys.iter().find_map(|k| {
            self.meta
                .iter()
                .find(|(mk, _)| mk == k)
                .map(|(_, v)| (*k, v.as_str()))
        })
    }

    /// All meta values for `key`.
    pub(crate) fn meta_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.meta
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn itemprop(&self, prop: &str) -> Option<&str> {
        self.itemprops
            .iter()
            .find(|(p, _)| p == prop)
            .map(|(_, v)| v.as_str())
    }

    /// The article text the page declares (JSON-LD `articleBody`), as paragraphs: split at
    /// line breaks, markup stripped, white space collapsed. Empty when there is none.
    pub(crate) fn article_body(&self) -> Vec<String> {
        let Some(raw) = self
            .ld
            .iter()
            .filter_map(|o| o.get("articleBody").and_then(Value::as_str))
            .max_by_key(|s| s.len())
        else {
            return Vec::new();
        };
        // Some CMSs put HTML in the field: block tags become breaks, other tags go.
        let mut text = String::with_capacity(raw.len());
        let mut in_tag = false;
        let mut tag = String::new();
        for c in raw.chars() {
            match (in_tag, c) {
                (false, '<') => {
                    in_tag = true;
                    tag.clear();
                }
                (true, '>') => {
                    in_tag = false;
                    let name: String = tag
                        .trim_start_matches('/')
                        .chars()
                        .take_while(char::is_ascii_alphanumeric)
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if matches!(
                        name.as_str(),
                        "p" | "br" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "blockquote"
                    ) {
                        text.push('\n');
                    } else {
                        text.push(' ');
                    }
                }
                (true, c) => tag.push(c),
                (false, c) => text.push(c),
            }
        }
        text.split('\n')
            .map(clean)
            .filter(|p| p.chars().any(char::is_alphanumeric))
            .collect()
    }

    /// A string field of the first article JSON-LD object that has it.
    pub(crate) fn ld_str(&self, field: &str) -> Option<String> {
        self.ld
            .iter()
            .find_map(|o| o.get(field).and_then(value_text))
    }
}

fn type_names(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// The text of a JSON-LD value: a string, the first string of an array, or an object's
/// `name` (or `@id` for URLs).
pub(crate) fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(clean(s)).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(value_text),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("@id"))
            .or_else(|| o.get("url"))
            .and_then(value_text),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// All names in a JSON-LD value (authors: a string, an object, or a list of either).
pub(crate) fn value_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(clean(s)),
        Value::Array(a) => {
            for x in a.iter().take(20) {
                match x {
                    Value::String(s) => out.push(clean(s)),
                    Value::Object(o) => {
                        if let Some(n) = o.get("name").and_then(value_text) {
                            out.push(n);
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(o) => {
            if let Some(n) = o.get("name").and_then(value_text) {
                out.push(n);
            }
        }
        _ => {}
    }
}

/// White space collapsed and trimmed, HTML entities left by double encoding decoded.
pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_collapsed(&mut out, s);
    let out = out.trim().to_string();
    if out.contains('&') {
        out.replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&#039;", "'")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&nbsp;", " ")
    } else {
        out
    }
}

/// The text of a subtree, or nothing when it is longer than `max` bytes (not a label).
fn short_text(dom: &Dom, i: usize, max: usize) -> String {
    let node = &dom.nodes[i];
    // A large subtree is a container, not a label: skip it cheaply.
    if (node.end as usize - i) > 60 {
        return String::new();
    }
    let t = dom.text_of(i);
    if t.len() > max { String::new() } else { t }
}

/// True when a class (or id) attribute has a token containing any of `words`.
pub(crate) fn class_has(class: Option<&str>, words: &[&str]) -> bool {
    let Some(class) = class else { return false };
    if class.len() > 300 {
        return false;
    }
    let lower = class.to_ascii_lowercase();
    words.iter().any(|w| lower.contains(w))
}

pub(crate) fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A language tag (`en-US`, `de_DE`, `EN`) as an ISO 639-1 code, if it is one.
pub(crate) fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase())).then_some(primary)
}

/// Resolves `href` against the page URL (absolute URLs pass, `//host/x` and `/x` are joined);
/// `None` for anything that is not http(s).
pub(crate) fn absolute_url(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    if href.starts_with("http://") || href.starts_with("https://") {
        return Some(href.to_string());
    }
    let base = base?;
    let (scheme, rest) = base.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    if let Some(h) = href.strip_prefix("//") {
        return Some(format!("{scheme}://{h}"));
    }
    if href.starts_with('/') {
        return Some(format!("{scheme}://{host}{href}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_head_and_json_ld() {
        let dom = Dom::parse(
            r#"<html lang="en-GB"><head><title>Hello | Site</title>
            <meta property="og:title" content="Hello &amp; bye">
            <link rel="canonical" href="https://x.org/a">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},{"@type":["NewsArticle"],"headline":"Hello","author":[{"@type":"Person","name":"Ann Lee"}]}]}</script>
            </head><body><h1>Hello</h1><p class="byline">By Ann Lee</p><time datetime="2024-01-02" pubdate>2 Jan</time></body></html>"#,
        );
        let m = PageMeta::gather(&dom);
        assert_eq!(m.title_tag.as_deref(), Some("Hello | Site"));
        assert_eq!(m.meta(&["og:title"]), Some(("og:title", "Hello & bye")));
        assert_eq!(m.canonical.as_deref(), Some("https://x.org/a"));
        assert_eq!(m.html_lang.as_deref(), Some("en-GB"));
        assert_eq!(m.ld.len(), 1);
        assert_eq!(m.ld_str("headline").as_deref(), Some("Hello"));
        assert_eq!(m.ld_other.len(), 1);
        assert_eq!(m.headings[0].1, "Hello");
        assert_eq!(m.byline_texts, ["By Ann Lee"]);
        assert_eq!(m.times[0].1, "2024-01-02");
        assert!(m.times[0].2);
    }

    #[test]
    fn urls_and_languages() {
        assert_eq!(language_code("en-US").as_deref(), Some("en"));
        assert_eq!(language_code("deu"), None);
        assert_eq!(
            absolute_url("/a/b", Some("https://x.org/c?d")).as_deref(),
            Some("https://x.org/a/b")
        );
        assert_eq!(absolute_url("javascript:void(0)", None), None);
    }
}
