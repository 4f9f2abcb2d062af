//! Metadata fields from what the page declares, each with its provenance.

use std::sync::LazyLock;

use newsmill_core::{BlockKind, Record, RemovedReason};
use regex::Regex;

use super::content::{Content, fold, in_class, is_byline_line};
use super::dom::{Dom, Tag};
use super::meta::{PageMeta, absolute_url, clean, language_code, value_names, value_text};
use crate::Tuning;

/// The patterns of a family of `rules/titles.rules`.
fn title_list(id: &str) -> Vec<&'static str> {
    crate::rules::rules().family(id).patterns().collect()
}

/// Separators between a headline and the site or section name in `<title>` and `og:title`
/// (`title-separator`).
static SEPARATORS: LazyLock<Vec<&'static str>> = LazyLock::new(|| title_list("title-separator"));

/// Top-level domains by which a title segment names a web site (`site-tld`).
static SITE_TLDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| title_list("site-tld"));

/// Starts of page furniture that looks like a headline (`title-label-prefix`).
static LABEL_PREFIXES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| title_list("title-label-prefix"));

/// Words of site and section names (`site-name-word`): headlines seldom use them.
static SITE_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| title_list("site-name-word"));

/// Class names of the site's own name and menus (`site-name-class`).
static SITE_NAME_CLASSES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| super::content::class_list("site-name-class"));

fn segments(title: &str) -> Vec<&str> {
    // Guillemets that open and close a quotation («Nous sommes en guerre») are quotes, not
    // separators, and the colon before such a quote introduces it ("Le maire : « ... »").
    let quoted = title
        .find('«')
        .is_some_and(|open| title[open..].contains('»'));
    let mut parts = vec![title];
    for sep in SEPARATORS.iter() {
        if quoted && (sep.contains(['«', '»']) || *sep == " : ") {
            continue;
        }
        parts = parts.iter().flat_map(|p| p.split(sep)).collect();
    }
    // "Headline|Site", "Headline_English_Xinhua", "Headline- Section-Site": unspaced
    // separators in titles with spaces.
    if title.contains(' ') {
        parts = parts
            .iter()
            .flat_map(|p| p.split(['|', '_', '—']))
            .flat_map(|p| p.split("- "))
            .collect();
    }
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Cuts a trailing parenthesis ("(Update2)", "(from The Times)", "(14/01/2008)").
fn cut_paren(seg: &str) -> &str {
    match seg.rfind(" (") {
        Some(k) if seg.ends_with(')') && k > seg.len() / 2 => seg[..k].trim(),
        _ => seg.trim(),
    }
}

/// The main segment of a `<title>`: the headline once the site name is cut off. That is
/// the longest segment, unless a segment that names a web site ("Example.com: Headline") or
/// the section is longer.
fn main_segment(title: &str) -> &str {
    let segs = segments(title);
    let mut story: Vec<&str> = segs
        .iter()
        .copied()
        .filter(|s| !names_site(s) && !site_like(s))
        .collect();
    if story.is_empty() {
        story = segs.iter().copied().filter(|s| !names_site(s)).collect();
    }
    // The longest; of segments about as long, the first ("Headline | Site tagline").
    let longest = story.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    let seg = story
        .iter()
        .copied()
        .find(|s| s.chars().count() * 10 >= longest * 9)
        .or_else(|| segs.first().copied())
        .unwrap_or(title);
    // "Example.com: Headline", "HNO: Headline": a short site prefix before a colon.
    let seg = match seg.split_once(": ") {
        Some((head, rest)) if names_site(head) && rest.split_whitespace().count() >= 3 => rest,
        _ => seg,
    };
    cut_paren(seg)
}

/// Whether a title segment names a web site ("Reuters.com", "SignOnSanDiego.com").
fn names_site(seg: &str) -> bool {
    let lower = seg.trim().to_ascii_lowercase();
    lower.split_whitespace().count() <= 3
        && SITE_TLDS
            .iter()
            .any(|tld| lower.ends_with(tld) || lower.contains(&format!("{tld} ")))
}

/// How a visible heading relates to the titles a page declares.
#[derive(Clone, Debug, PartialEq)]
enum Confirm {
    No,
    Yes,
    /// The heading is a segment of the declared title other than its main one ("Coast
    /// Business Journal" in "Local boatyard closes - Coast Business Journal"): a headline
    /// only when no heading matches better.
    Segment,
    /// The heading carries the declared headline plus words around it (a date, a source):
    /// the declared headline is the title.
    Trim(String),
}

/// A title the page declares (JSON-LD, OpenGraph, `<title>` ...), cut into the forms that
/// headings are compared with, once per page: every heading candidate meets every declared
/// title, so these are not recomputed per pair.
struct Declared<'a> {
    source: &'static str,
    text: &'a str,
    /// The whole title, folded.
    folded: String,
    /// Its segments ([`segments`]).
    segs: Vec<&'a str>,
    /// Each segment folded.
    seg_folds: Vec<String>,
    /// Each segment without a trailing parenthesis, folded, and as written.
    cut_segs: Vec<(String, &'a str)>,
    /// The main segment ([`main_segment`]), as written and folded.
    main: &'a str,
    main_folded: String,
    /// Whether a segment names a web site.
    names_site: bool,
    /// Whether the title ends in an ellipsis (cut short).
    truncated: bool,
}

impl<'a> Declared<'a> {
    fn new(source: &'static str, text: &'a str) -> Self {
        let segs = segments(text);
        let main = main_segment(text);
        Declared {
            source,
            text,
            folded: fold(text),
            seg_folds: segs.iter().map(|s| fold(s)).collect(),
            cut_segs: segs
                .iter()
                .map(|s| {
                    let c = cut_paren(s);
                    (fold(c), c)
                })
                .collect(),
            names_site: segs.iter().any(|s| names_site(s)),
            segs,
            main,
            main_folded: fold(main),
            truncated: text.trim_end().ends_with("...") || text.trim_end().ends_with('…'),
        }
    }
}

/// Whether a visible heading is the headline that a declared title names: the whole title,
/// its main segment, or a long segment (a heading equal to a short segment is the site or
/// section name).
fn confirm(heading: &str, declared: &Declared<'_>) -> Confirm {
    let h = fold(heading);
    if h.is_empty() {
        return Confirm::No;
    }
    let hw = h.split(' ').count();
    let d = declared.folded.as_str();
    let m = declared.main_folded.as_str();
    // A one-word main segment ("Business") is a section name more often than a headline.
    if h == d || (h == m && m.contains(' ')) {
        return Confirm::Yes;
    }
    if hw >= 3 {
        // "Headline - Site", "Site : Section : Headline".
        if declared.cut_segs.iter().any(|(s, _)| *s == h)
            || d.starts_with(&format!("{h} "))
            || d.ends_with(&format!(" {h}"))
        {
            let main_like = m.contains(&h) || h.contains(m);
            return if main_like {
                Confirm::Yes
            } else {
                Confirm::Segment
            };
        }
    }
    let forms = [(m, declared.main), (d, declared.text)]
        .into_iter()
        .chain(declared.cut_segs.iter().map(|(s, t)| (s.as_str(), *t)));
    for (s, text) in forms {
        let sw = s.split(' ').count();
        if s.is_empty() || sw < 3 {
            continue;
        }
        if hw > sw && h.contains(s) && !declared.truncated {
            // A heading with a date, a byline or the source around the headline.
            let extra = h.replacen(s, " ", 1);
            let extra = extra.trim();
            let dated = extra.bytes().any(|b| b.is_ascii_digit())
                || ["by ", "published", "updated", "posted"]
                    .iter()
                    .any(|p| extra.starts_with(p));
            if dated && s.len() * 10 >= h.len() * 4 {
                return Confirm::Trim(clean(text));
            }
            if s.len() * 10 >= h.len() * 6 {
                return Confirm::Yes;
            }
        } else if hw >= 3 && s.contains(h.as_str()) && h.len() * 10 >= s.len() * 6 {
            // Titles cut short ("Council votes to reopen the...") or with a kicker.
            return Confirm::Yes;
        } else if hw > sw && declared.truncated && h.contains(s.trim_end_matches(' ')) {
            return Confirm::Yes;
        }
    }
    Confirm::No
}

/// Whether a heading merely repeats the site or section segment of a declared title:
/// "Sports Wire" in "example.com - Sports Wire", "The Daily" in "Harbour reopens | The
/// Daily".
fn is_declared_label(heading: &str, declared: &[Declared<'_>]) -> bool {
    let h = fold(heading);
    declared.iter().any(|d| {
        if d.segs.len() < 2 || !d.seg_folds.contains(&h) {
            return false;
        }
        let main = &d.main_folded;
        // The heading is a segment other than the headline, or the title has no headline
        // besides the site name and this short segment.
        let words = h.split(' ').count();
        (*main != h && main.split(' ').count() >= 3 && words <= 3) || (words <= 3 && d.names_site)
    })
}

/// A magazine's issue label ("DAS MAGAZIN 52/2020", "Heft 3/2021"): a few words around an
/// issue number and year.
fn issue_label(text: &str) -> bool {
    static ISSUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d{1,3}\s?/\s?(?:19|20)\d\d\b").expect("valid regex"));
    text.split_whitespace().count() <= 5 && ISSUE.is_match(text)
}

/// Whether a short text names a site or a section rather than a story.
fn site_like(text: &str) -> bool {
    let f = fold(text);
    let words = f.split(' ').count();
    let site = f.split(' ').filter(|w| SITE_WORDS.contains(w)).count();
    words <= 12 && (site >= 2 || (site == 1 && words <= 5))
}

/// Cuts a date, time or byline tail that a headline element carries ("Rowers agree terms
/// 28/03/2021 11:27", "Fears dismissed by Jane Roe, 30 March 2021").
fn cut_tail(title: &str) -> &str {
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\s+(?:[-–—|@(]\s*)?(?:by\s+\p{Lu}|published|posted|updated|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d|\d{1,2}(?:st|nd|rd|th)?[\s/.-]+(?:\d{1,2}[/.-]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{4}-\d\d-\d\d)",
        )
        .expect("valid regex")
    });
    static YEAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:19|20)\d\d\b|\d{1,2}/\d{1,2}/\d{2,4}").expect("valid regex")
    });
    for m in TAIL.find_iter(title) {
        let (head, tail) = (&title[..m.start()], &title[m.start()..]);
        if head.split_whitespace().count() >= 3
            && tail.split_whitespace().count() <= 14
            && YEAR.is_match(tail)
        {
            return head.trim_end_matches([' ', '-', '–', '—', '|', ',']);
        }
    }
    title
}

/// Whether a headline candidate is really a label: a link prompt, a date, boilerplate.
fn is_label(dom: &Dom, i: usize, text: &str, tuning: &Tuning) -> bool {
    let t = text.trim();
    t.ends_with(['>', '»', '›'])
        || issue_label(t)
        || crate::boilerplate::classify_line(t, tuning).is_some()
        || crate::dateline::parse_date_line(t).is_some()
        || {
            let lower = t.to_lowercase();
            lower.starts_with("posted") || LABEL_PREFIXES.iter().any(|p| lower.starts_with(p))
        }
        || is_byline_line(t)
        || dom.nodes[i].tag == Tag::A
        || dom.ancestor_with(i, &[Tag::A]).is_some()
}

/// Whether a plain text line reads like a headline: a few words, no closing full stop, not
/// a label, a byline, a date line or a breadcrumb.
fn headline_like(dom: &Dom, owner: usize, text: &str, words: usize, tuning: &Tuning) -> bool {
    let t = text.trim();
    (3..=20).contains(&words)
        && !t.ends_with(['.', ':', ',', ';'])
        && !t.contains(" | ")
        && !t.contains(" > ")
        && t.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric() || "'\"‘“".contains(c))
        && !is_label(dom, owner, t, tuning)
        && !t.to_lowercase().starts_with("published")
}

/// Picks the headline.
///
/// 1. A visible heading (h1–h3 or an element classed headline/title) that a declared title
///    (JSON-LD, OpenGraph, Twitter, `<title>`) confirms, the one closest above the body first.
/// 2. Else the heading-like element right above the body (at most a few blocks away): on old
///    pages `<title>` often names only the site or the section.
/// 3. Else a declared title that reads like a headline, without the site name.
/// 4. Else a short plain line right above the body that reads like a headline.
/// 5. Else the first line of the body if it reads like a headline.
/// 6. Else any declared title; 7. else the first `<h1>`; 8. else the body's first short line.
pub(super) fn title(
    dom: &Dom,
    page: &PageMeta,
    content: &Content,
    record: &mut Record,
    tuning: &Tuning,
) {
    let mut declared: Vec<(&'static str, String)> = Vec::new();
    if let Some(h) = page.ld_str("headline") {
        declared.push(("json-ld:headline", h));
    }
    // `WT.ti`: the page title old pages hand to their WebTrends tag, often without the site.
    for key in [
        "og:title",
        "twitter:title",
        "title",
        "dc.title",
        "headline",
        "wt.ti",
    ] {
        if let Some((k, v)) = page.meta(&[key]) {
            declared.push((k, v.to_string()));
        }
    }
    if let Some(t) = &page.title_tag {
        // Broken pages leave markup inside an unclosed <title>: that is no title.
        if !t.contains('<') && t.chars().count() <= 300 {
            declared.push(("title", t.clone()));
        }
    }
    if let Some(h) = page.itemprop("headline") {
        declared.push(("itemprop:headline", h.to_string()));
    }
    let declared: Vec<Declared<'_>> = declared
        .iter()
        .map(|(source, text)| Declared::new(source, text))
        .collect();
    let first_body = content.kept.first().map(|b| b.owner);
    // Blocks strictly between the end of a candidate and the start of the body.
    let gap = |i: usize, heading: &str| -> Option<usize> {
        let body = first_body?;
        let end = dom.nodes[i].end as usize;
        if i > body {
            // A heading among the first blocks of the body, before any prose ("Tue, 15 Jan
            // 2008 GMT", then the headline, then the story): right at the top.
            for (k, b) in content.kept.iter().take(4).enumerate() {
                // The heading holds the block, or the block (a cell) holds just the heading.
                let holds = (i..end.max(i + 1)).contains(&b.owner)
                    || (b.owner < i
                        && i < dom.nodes[b.owner].end as usize
                        && fold(&b.text) == fold(heading));
                if holds {
                    return (k <= 2).then_some(0);
                }
                // Prose, or a heading above it (then it is a subheading).
                if b.words > 15
                    || b.text.trim_end().ends_with(['.', '!', '?'])
                    || b.kind == BlockKind::Heading
                {
                    return None;
                }
            }
            return None;
        }
        let lo = content.owners.partition_point(|&o| o < end);
        let hi = content.owners.partition_point(|&o| o < body);
        Some(hi.saturating_sub(lo))
    };
    struct Cand<'a> {
        text: &'a str,
        source: &'static str,
        rank: usize,
        gap: Option<usize>,
        confirmed: Confirm,
    }
    let mut cands: Vec<Cand<'_>> = Vec::new();
    for (i, t) in &page.headings {
        let words = t.split_whitespace().count();
        if words == 0 || words > 40 {
            continue;
        }
        if in_class(dom, *i, &SITE_NAME_CLASSES) || is_label(dom, *i, t, tuning) {
            continue;
        }
        let (source, rank) = match dom.nodes[*i].tag {
            Tag::H1 => ("h1", 0),
            Tag::H2 => ("h2", 1),
            Tag::H3 => ("h3", 2),
            _ => ("headline-element", 1),
        };
        cands.push(Cand {
            text: t,
            source,
            rank,
            gap: gap(*i, t),
            confirmed: if is_declared_label(t, &declared) {
                Confirm::No
            } else {
                declared
                    .iter()
                    .map(|d| confirm(t, d))
                    .find(|c| *c != Confirm::No)
                    .unwrap_or(Confirm::No)
            },
        });
    }
    // 1. Confirmed by a declaration: the closest above the body, else the first.
    let confirmed = cands
        .iter()
        .filter(|c| c.confirmed != Confirm::No)
        .min_by_key(|c| {
            (
                c.confirmed == Confirm::Segment,
                c.gap.unwrap_or(usize::MAX / 2),
                c.rank,
                usize::MAX - c.text.len(),
            )
        });
    if let Some(c) = confirmed {
        let text = match &c.confirmed {
            Confirm::Trim(t) => t.clone(),
            _ => clean(c.text),
        };
        set(record, "title", c.source, text);
        return;
    }
    // 2. Right above the body.
    let near = cands
        .iter()
        .filter(|c| {
            c.gap.is_some_and(|g| g <= 8)
                && c.text.split_whitespace().count() >= 2
                && !is_declared_label(c.text, &declared)
                && !site_like(c.text)
        })
        .min_by_key(|c| (c.gap.unwrap_or(0) + c.rank, c.rank));
    if let Some(c) = near {
        set(record, "title", c.source, clean(c.text));
        return;
    }
    // 3. A declared title that reads like a headline (not only the site or section name).
    let headline_declared = declared.iter().find_map(|d| {
        let t = d.main;
        (t.split_whitespace().count() >= 4
            && !names_site(t)
            && !site_like(t)
            && !d.text.contains("-->"))
        .then_some((d.source, t))
    });
    if let Some((source, t)) = headline_declared {
        // "HNO: Rowers set for debuts" while the page shows "Rowers set for debuts": the
        // visible line, without the prefix the title adds.
        let f = fold(t);
        let shown = visible_lines(content).find(|v| {
            let fv = fold(v);
            fv.split(' ').count() >= 3 && fv.len() < f.len() && f.ends_with(&format!(" {fv}"))
        });
        match shown {
            Some(v) => set(record, "title", "visible-headline", clean(v)),
            None => set(record, "title", source, clean(t)),
        }
        return;
    }
    // 4. A short line right above the body that reads like a headline.
    let lead = content
        .lead
        .iter()
        .filter(|(b, d)| *d <= 6 && headline_like(dom, b.owner, &b.text, b.words, tuning))
        .filter(|(b, _)| b.link_chars * 10 < b.chars * 3)
        .find(|(b, _)| !is_declared_label(&b.text, &declared) && !site_like(&b.text));
    if let Some((b, _)) = lead {
        set(record, "title", "visible-headline", clean(&b.text));
        return;
    }
    // 5. The first line of the body when it reads like a headline and the page declares
    // only its site or section name.
    if let [first, _, ..] = content.kept.as_slice()
        && first.kind != BlockKind::ListItem
        && headline_like(dom, first.owner, &first.text, first.words, tuning)
        && first.link_chars * 10 < first.chars * 3
        && !site_like(&first.text)
        && !is_declared_label(&first.text, &declared)
    {
        set(record, "title", "first-block", clean(&first.text));
        return;
    }
    // 6. Declared.
    for d in &declared {
        let source = d.source;
        let t = if source == "title" || source == "og:title" || source == "twitter:title" {
            d.main.to_string()
        } else {
            d.text.to_string()
        };
        if !t.is_empty() {
            set(record, "title", source, clean(&t));
            return;
        }
    }
    // 7. The first h1, else the first other headline-like element.
    if let Some(c) = cands
        .iter()
        .find(|c| c.rank == 0)
        .or_else(|| cands.iter().find(|c| c.rank == 1))
    {
        set(record, "title", c.source, clean(c.text));
    }
    // 8. A page that declares nothing and marks no heading: its first short line.
    if record.title.is_none()
        && let Some(first) = content.kept.first()
        && first.words <= 15
        && content.kept.len() > 1
        && !first.text.trim_end().ends_with(['.', '!', '?', ':', ','])
    {
        record.title = Some(first.text.clone());
        record
            .provenance
            .insert("title".into(), "first-block".into());
    }
}

/// Short visible lines around the start of the body: the lead lines above it and its first
/// blocks.
fn visible_lines(content: &Content) -> impl Iterator<Item = &str> {
    content
        .lead
        .iter()
        .map(|(b, _)| b)
        .chain(content.kept.iter().take(3))
        .filter(|b| b.words <= 25)
        .map(|b| b.text.as_str())
}

fn set(record: &mut Record, field: &str, source: &str, value: String) {
    let value = value.trim().to_string();
    if value.is_empty() {
        return;
    }
    match field {
        "title" => record.title = Some(cut_tail(&value).to_string()),
        "dek" => record.dek = Some(value),
        "published" => record.published = Some(value),
        "modified" => record.modified = Some(value),
        "canonical_url" => record.canonical_url = Some(value),
        "site" => record.site = Some(value),
        "section" => record.section = Some(value),
        "language" => record.language = Some(value),
        _ => return,
    }
    record
        .provenance
        .insert(field.to_string(), source.to_string());
}

const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "originalpublicationdate",
    "og:pubdate",
    "created",
];

const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dc.date.modified",
    "dcterms.modified",
    "article.updated",
    "lastmod",
];

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2]|[1-9])[/_-]?(0[1-9]|[12]\d|3[01])(?:/|[_-]|$|\.)",
    )
    .expect("valid regex")
});

/// A date value in any of the forms pages use, as RFC 3339 with the precision it has.
fn parse_any_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    if let Some(d) = crate::dateline::parse_date(s) {
        return Some(d);
    }
    // ISO forms with a trailing zone name or fraction: keep the date part.
    if s.len() >= 10
        && s.as_bytes()[4] == b'-'
        && s.is_char_boundary(10)
        && let Some(d) = crate::dateline::parse_date(&s[..10])
    {
        return Some(d);
    }
    // RFC 2822: "Wed, 16 Jan 2008 10:00:00 GMT".
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.len() >= 3 {
        let guess = format!("{} {} {}", words[0], words[1], words[2]);
        if let Some(d) = crate::dateline::parse_date(&guess) {
            return Some(d);
        }
    }
    // Compact "20080116".
    if s.len() >= 8 && s.as_bytes()[..8].iter().all(u8::is_ascii_digit) {
        let iso = format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..8]);
        return crate::dateline::parse_date(&iso);
    }
    None
}

/// Date from the page URL (`/2024/06/19/`, `/20240619/`, `-2024-06-19-`).
fn url_date(url: &str) -> Option<String> {
    let c = URL_DATE.captures(url)?;
    let (y, m, d) = (c.get(1)?.as_str(), c.get(2)?.as_str(), c.get(3)?.as_str());
    let iso = format!("{y}-{m:0>2}-{d:0>2}");
    crate::dateline::parse_date(&iso)
}

/// Everything but the title and the language.
pub(super) fn metadata(
    dom: &Dom,
    page: &PageMeta,
    url: Option<&str>,
    content: &Content,
    record: &mut Record,
) {
    // Dek.
    if let Some(d) = page.ld_str("description") {
        set(record, "dek", "json-ld:description", d);
    } else if let Some((k, v)) = page.meta(&[
        "og:description",
        "twitter:description",
        "description",
        "dc.description",
    ]) {
        set(record, "dek", k, v.to_string());
    }
    // Canonical URL and site.
    let canonical = page
        .canonical
        .as_deref()
        .and_then(|h| absolute_url(h, url))
        .map(|u| (u, "link:canonical"))
        .or_else(|| {
            page.meta(&["og:url"])
                .and_then(|(_, v)| absolute_url(v, url))
                .map(|u| (u, "og:url"))
        })
        .or_else(|| {
            page.ld
                .iter()
                .find_map(|o| o.get("url").or_else(|| o.get("mainEntityOfPage")))
                .and_then(value_text)
                .and_then(|v| absolute_url(&v, url))
                .map(|u| (u, "json-ld:url"))
        });
    if let Some((u, source)) = canonical {
        set(record, "canonical_url", source, u);
    }
    let host = record
        .canonical_url
        .as_deref()
        .or(url)
        .and_then(newsmill_core::site_of);
    if let Some(h) = host {
        let source = if record.canonical_url.is_some() {
            "canonical_url"
        } else {
            "url"
        };
        set(record, "site", source, h);
    } else if let Some((k, v)) = page.meta(&["og:site_name", "application-name"]) {
        set(record, "site", k, v.to_string());
    } else if let Some(name) = page
        .ld
        .iter()
        .find_map(|o| o.get("publisher"))
        .and_then(value_text)
    {
        set(record, "site", "json-ld:publisher", name);
    }
    byline(page, content, record);
    // Dates.
    let published = page
        .ld_str("datePublished")
        .and_then(|v| parse_any_date(&v))
        .map(|d| (d, "json-ld:datePublished".to_string()))
        .or_else(|| {
            PUBLISHED_META.iter().find_map(|k| {
                page.meta_all(k)
                    .find_map(parse_any_date)
                    .map(|d| (d, format!("meta:{k}")))
            })
        })
        .or_else(|| {
            page.itemprop("datepublished")
                .and_then(parse_any_date)
                .map(|d| (d, "itemprop:datePublished".into()))
        })
        .or_else(|| {
            let marked = page.times.iter().find(|t| t.2).or(page.times.first());
            marked
                .and_then(|t| parse_any_date(&t.1))
                .map(|d| (d, "time".into()))
        })
        .or_else(|| {
            content
                .removed
                .iter()
                .filter(|(r, _)| *r == RemovedReason::Byline)
                .find_map(|(_, t)| crate::dateline::parse_date_line(t).or_else(|| date_in(t)))
                .map(|d| (d, "date-line".into()))
        })
        .or_else(|| visible_date(content).map(|d| (d, "visible-date".into())))
        .or_else(|| {
            record
                .canonical_url
                .as_deref()
                .or(url)
                .and_then(url_date)
                .map(|d| (d, "url".into()))
        });
    // A time stated in UTC near midnight falls on another calendar day than the one the
    // page prints in its own zone: the printed day is the publication's local date.
    let published = published.map(|(d, source)| match visible_date(content) {
        Some(local) if utc_day_off_by_one(&d, &local) => (local, "visible-date".to_string()),
        _ => (d, source),
    });
    if let Some((d, source)) = published {
        set(record, "published", &source, d);
    }
    let modified = page
        .ld_str("dateModified")
        .and_then(|v| parse_any_date(&v))
        .map(|d| (d, "json-ld:dateModified".to_string()))
        .or_else(|| {
            MODIFIED_META.iter().find_map(|k| {
                page.meta_all(k)
                    .find_map(parse_any_date)
                    .map(|d| (d, format!("meta:{k}")))
            })
        })
        .or_else(|| {
            page.itemprop("datemodified")
                .and_then(parse_any_date)
                .map(|d| (d, "itemprop:dateModified".into()))
        });
    if let Some((d, source)) = modified {
        set(record, "modified", &source, d);
    }
    // Section and tags.
    if let Some(s) = page.ld_str("articleSection") {
        set(record, "section", "json-ld:articleSection", s);
    } else if let Some((k, v)) = page.meta(&["article:section", "section", "parsely-section"]) {
        set(record, "section", k, v.to_string());
    }
    let mut tags: Vec<String> = Vec::new();
    let mut tag_source = None;
    for v in page.meta_all("article:tag") {
        tags.push(v.to_string());
        tag_source.get_or_insert("article:tag");
    }
    if tags.is_empty()
        && let Some(k) = page.ld.iter().find_map(|o| o.get("keywords"))
    {
        let mut names = Vec::new();
        value_names(k, &mut names);
        for n in names {
            tags.extend(n.split(',').map(str::to_string));
        }
        tag_source.get_or_insert("json-ld:keywords");
    }
    if tags.is_empty()
        && let Some((k, v)) = page.meta(&["news_keywords", "keywords", "parsely-tags"])
    {
        tags.extend(v.split([',', ';']).map(str::to_string));
        tag_source.get_or_insert(k);
    }
    let mut seen = std::collections::HashSet::new();
    for t in tags {
        let t = clean(&t);
        if !t.is_empty() && t.chars().count() <= 60 && seen.insert(t.to_lowercase()) {
            record.tags.push(t);
        }
        if record.tags.len() >= 25 {
            break;
        }
    }
    if let (false, Some(s)) = (record.tags.is_empty(), tag_source) {
        record.provenance.insert("tags".into(), s.into());
    }
    let _ = dom;
}

/// The date printed near the start of the body: the closest date line within a few blocks
/// above or below its first block (an update line only when there is nothing else), else
/// the first one in the body (a "Published on ..." line under the story).
fn visible_date(content: &Content) -> Option<String> {
    content
        .dates
        .iter()
        .filter(|(pos, _, _)| *pos <= 5)
        .min_by_key(|(pos, _, update)| (*update, pos.unsigned_abs() * 2 + usize::from(*pos > 0)))
        .or_else(|| content.dates.iter().find(|(_, _, update)| !update))
        .map(|(_, d, _)| d.clone())
}

/// Whether `stamp` is a UTC date-time within four hours of midnight whose calendar day is one
/// before or after `local` (a `YYYY-MM-DD` the page prints).
fn utc_day_off_by_one(stamp: &str, local: &str) -> bool {
    let utc = stamp.ends_with('Z') || stamp.ends_with("+00:00") || stamp.ends_with("-00:00");
    let hour: Option<u32> = stamp.get(11..13).and_then(|h| h.parse().ok());
    let (Some(day), Some(hour)) = (stamp.get(..10), hour) else {
        return false;
    };
    utc && !(4..20).contains(&hour) && day != local && {
        let next = next_day(day);
        next.as_deref() == Some(local) || next_day(local).as_deref() == Some(day)
    }
}

/// The calendar day after a `YYYY-MM-DD`.
fn next_day(day: &str) -> Option<String> {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(date.succ_opt()?.format("%Y-%m-%d").to_string())
}

/// A date inside a longer byline line ("By Ann Lee | June 19, 2024 10:32").
fn date_in(line: &str) -> Option<String> {
    line.split(['|', '•', '·', '—', '–'])
        .find_map(|part| crate::dateline::parse_date_line(part.trim()))
}

/// Authors, from the first source that names a person: JSON-LD `author` (people, not
/// organisations), author meta tags, microdata, a byline line near the start of the body, a
/// byline element, a byline line dropped from the body. "By" and roles are stripped, and a
/// name that is a label word, a date word or the publisher (`byline-label-word`,
/// `organisation-word`, the site's declared name) is no name.
fn byline(page: &PageMeta, content: &Content, record: &mut Record) {
    let publisher: Vec<String> = page
        .meta(&["og:site_name", "application-name"])
        .map(|(_, v)| v.to_lowercase())
        .into_iter()
        .chain(
            page.ld
                .iter()
                .chain(&page.ld_other)
                .filter_map(|o| o.get("publisher"))
                .filter_map(value_text)
                .map(|v| v.to_lowercase()),
        )
        .collect();
    // A name from the page's text needs two words (a one-word "name" there is a label:     // "Redaktion"); structured sources may give one.
    let people_from = |raw: &[String], structured: bool| -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for r in raw {
            for n in split_names(r) {
                if (structured || n.split_whitespace().count() >= 2)
                    && is_person_name(&n, &publisher)
                    && !names.iter().any(|m| m.eq_ignore_ascii_case(&n))
                    && names.len() < 10
                {
                    names.push(n);
                }
            }
        }
        names
    };
    let people = |raw: &[String]| people_from(raw, true);
    let text_people = |raw: &[String]| people_from(raw, false);
    let json_ld = || {
        let a = page.ld.iter().find_map(|o| o.get("author"))?;
        let mut raw = Vec::new();
        person_names(a, &mut raw);
        Some((people(&raw), "json-ld:author"))
    };
    let meta = || {
        [
            ("author", "meta:author"),
            ("article:author", "article:author"),
            ("dc.creator", "meta:dc.creator"),
            ("byl", "meta:byl"),
            ("parsely-author", "meta:parsely-author"),
            ("sailthru.author", "meta:sailthru.author"),
        ]
        .into_iter()
        .find_map(|(key, source)| {
            let vals: Vec<String> = page
                .meta_all(key)
                .filter(|v| !v.starts_with("http"))
                .map(str::to_string)
                .collect();
            let names = people(&vals);
            (!names.is_empty()).then_some((names, source))
        })
    };
    let microdata = || {
        let a = page.itemprop("author")?;
        Some((people(&[a.to_string()]), "itemprop:author"))
    };
    // The byline line closest to the start of the body (above it first).
    let visible = || {
        let line = content
            .bylines
            .iter()
            .min_by_key(|(pos, _)| pos.unsigned_abs() * 2 + usize::from(*pos > 0))?;
        Some((text_people(std::slice::from_ref(&line.1)), "byline-line"))
    };
    let element = || {
        let t = page
            .byline_texts
            .iter()
            .find(|t| t.split_whitespace().count() <= 12)?;
        Some((text_people(std::slice::from_ref(t)), "byline-element"))
    };
    let dropped = || {
        let (_, t) = content
            .removed
            .iter()
            .find(|(r, t)| *r == RemovedReason::Byline && is_byline_line(t))?;
        Some((text_people(std::slice::from_ref(t)), "byline-element"))
    };
    let found = [
        &json_ld as &dyn Fn() -> Option<(Vec<String>, &'static str)>,
        &meta,
        &microdata,
        &visible,
        &element,
        &dropped,
    ]
    .iter()
    .find_map(|step| step().filter(|(names, _)| !names.is_empty()));
    if let Some((names, source)) = found {
        record.byline = names;
        record.provenance.insert("byline".into(), source.into());
    }
}

/// The names of people in a JSON-LD `author` value: strings, and objects that are not
/// organisations.
fn person_names(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Array(a) => {
            for x in a.iter().take(20) {
                person_names(x, out);
            }
        }
        Value::Object(o) => {
            let org = o.get("@type").and_then(Value::as_str).is_some_and(|t| {
                t.eq_ignore_ascii_case("organization") || t.ends_with("Organization")
            });
            if !org && let Some(n) = o.get("name").and_then(value_text) {
                out.push(n);
            }
        }
        Value::String(s) => out.push(clean(s)),
        _ => {}
    }
}

/// Newsroom and media words (`media-word`).
static MEDIA_WORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    crate::rules::rules()
        .family("media-word")
        .patterns()
        .collect()
});

/// Whether a name from a byline names a person: not a label word, a weekday or a month,
/// not an organisation (a word of `organisation-word`, a web address), not the publisher.
fn is_person_name(name: &str, publisher: &[String]) -> bool {
    static LABELS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        crate::rules::rules()
            .family("byline-label-word")
            .patterns()
            .collect()
    });
    static FORMS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        crate::rules::rules()
            .family("organisation-form")
            .patterns()
            .collect()
    });
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '.')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || publisher.contains(&lower) {
        return false;
    }
    let date_word = |w: &str| crate::datefind::is_date_word(w);
    // A name ends in a capitalised word (a surname), not in a particle or a label's
    // preposition ("Posted on", "Veröffentlicht am").
    let last_capitalised = name
        .split_whitespace()
        .last()
        .and_then(|w| w.chars().find(|c| c.is_alphabetic()))
        .is_some_and(char::is_uppercase);
    if !last_capitalised {
        return false;
    }
    let media = words.iter().filter(|w| MEDIA_WORDS.contains(w)).count();
    !words.iter().all(|w| LABELS.contains(w) || date_word(w))
        && !words.iter().any(|w| FORMS.contains(&w.trim_matches('.')))
        && !(media >= 2 || (media == 1 && (words.len() == 1 || words[0] == "the")))
        && !SITE_TLDS
            .iter()
            .any(|t| lower.ends_with(t) || lower.contains(&format!("{t}/")))
}

use super::content::BYLINE_LEAD as BY_PREFIX;

/// A role or an agency after a name, and all after it (`byline-role`).
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    let f = crate::rules::rules().family("byline-role");
    Regex::new(&format!(r"(?i)\b(?:{})\b.*$", f.regex_source())).expect("valid regex")
});

/// What follows a name in a byline and is not part of it: a place ("in Sydney"), a date or
/// a source after a dash ("- Fri, Dec 28"), a date after "on".
static NAME_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+(?:in\s+\p{Lu}.*|[-–—]\s.*|on\s+\p{Lu}.*|on\s+\d.*)$").expect("valid regex")
});

/// "By Jane Doe and John Roe, Staff Writers" -> ["Jane Doe", "John Roe"].
pub(crate) fn split_names(raw: &str) -> Vec<String> {
    let s = clean(raw);
    let s = BY_PREFIX.replace(&s, "");
    // Dates, places and leftover markup after a separator are not names.
    let s = s
        .split(['|', '•', '·', '\n', '(', '<'])
        .next()
        .unwrap_or("");
    // "Jane Doe, Staff Writer, Harbour Bureau": after a comma come roles and desks, unless
    // the list ends in "and" ("Ann Lee, Max Muster and Jane Doe") or is split by semicolons.
    let listed = s
        .rsplit(',')
        .next()
        .is_some_and(|last| last.contains(" and ") || last.contains(" AND ") || last.contains('&'));
    let s = if listed || s.contains(';') {
        s
    } else {
        s.split(',').next().unwrap_or("")
    };
    let mut out = Vec::new();
    for part in s.split([',', ';', '&', '/']).flat_map(|p| {
        p.split(" and ")
            .flat_map(|q| q.split(" AND "))
            .flat_map(|q| q.split(" und "))
            .flat_map(|q| q.split(" y "))
            .flat_map(|q| q.split(" et "))
            .flat_map(|q| q.split(" e "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    }) {
        let p = ROLE.replace(part.trim(), "");
        let p = BY_PREFIX.replace(p.trim(), "");
        let p = NAME_TAIL.replace(p.trim(), "");
        let p = cut_publisher(p.trim().trim_matches(|c: char| !c.is_alphanumeric()).trim());
        let words = p.split_whitespace().count();
        let looks_like_name = (1..=5).contains(&words)
            && p.chars().count() <= 60
            && !p.chars().any(|c| c.is_ascii_digit())
            && !p.contains('@')
            && p.split_whitespace().all(|w| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
                    || w.len() <= 3
            });
        if looks_like_name && (words >= 2 || out.is_empty()) {
            out.push(p.to_string());
        }
    }
    out
}

/// A publisher's name written after the person's ("RICHARD ROE DAILY NEWS", "Ann Lee THE
/// COURIER", "Max MUSTER Tageblatt"): cut where the letter case changes between all-caps and
/// title case, at "The" or at a media word, once two words of a name are there.
fn cut_publisher(name: &str) -> &str {
    let words: Vec<(usize, &str)> = name
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - name.as_ptr() as usize, w))
        .collect();
    if words.len() <= 2 {
        return name;
    }
    let caps = |w: &str| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
    };
    // Initials ("B.") are neither case; the word before them decides.
    let initial = |w: &str| w.trim_end_matches('.').chars().count() <= 1;
    for k in 2..words.len() {
        let (at, w) = words[k];
        let before = words[..k]
            .iter()
            .rev()
            .map(|(_, x)| *x)
            .find(|x| !initial(x))
            .unwrap_or(words[k - 1].1);
        let changed = !initial(w) && caps(w) != caps(before);
        if changed
            || w.eq_ignore_ascii_case("the")
            || MEDIA_WORDS.contains(&w.to_lowercase().as_str())
        {
            return name[..at].trim_end();
        }
    }
    name
}

/// The fewest function words of one language that let a body's sample (2,000 characters, a
/// few hundred words) be given that language without whatlang.
const CONFIRM_DECLARED_WORDS: usize = 20;

/// The body's language: `<html lang>`, then meta, then the text; the text wins over a
/// declaration it clearly contradicts (templates often keep a default `lang`).
pub(super) fn language(page: &PageMeta, text: &str, record: &mut Record) {
    let declared = page
        .html_lang
        .as_deref()
        .and_then(language_code)
        .map(|l| (l, "html:lang"))
        .or_else(|| {
            page.meta(&["content-language", "language", "og:locale", "dc.language"])
                .and_then(|(k, v)| language_code(v).map(|l| (l, k)))
        })
        .or_else(|| {
            page.ld_str("inLanguage")
                .and_then(|v| language_code(&v))
                .map(|l| (l, "json-ld:inLanguage"))
        });
    let sample: String = text.chars().take(2000).collect();
    let detected = if sample.chars().count() < 200 {
        None
    } else if let Some(code) =
        newsmill_lang::function_words_language(&sample, CONFIRM_DECLARED_WORDS)
    {
        // The function words plainly name the language: whatlang (most of this function's
        // time) would only agree. When it is the declared one, the declaration stands below.
        Some(code)
    } else {
        crate::detect_language(&sample)
    };
    match (declared, detected) {
        (Some((d, _)), Some(t)) if d != t => set(record, "language", "text", t.to_string()),
        (Some((d, source)), _) => set(record, "language", source, d),
        (None, Some(t)) => set(record, "language", "text", t.to_string()),
        (None, None) => {
            if let Some(t) = crate::detect_language(&sample) {
                set(record, "language", "text", t.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            split_names("By Jane Doe and John Roe, Staff Writers"),
            ["Jane Doe", "John Roe"]
        );
        assert_eq!(split_names("Von Max Muster"), ["Max Muster"]);
        assert_eq!(
            split_names("By ANN LEE, Associated Press Writer"),
            ["ANN LEE"]
        );
        assert!(split_names("12 comments").is_empty());
        assert_eq!(split_names("By Jane Roe in Sydney"), ["Jane Roe"]);
        assert_eq!(split_names("RICHARD ROE NEWS TV"), ["RICHARD ROE"]);
        assert_eq!(split_names("Ann Lee THE HARBOUR COURIER"), ["Ann Lee"]);
        assert_eq!(split_names("ANN LEE<BR>The Harbour Courier"), ["ANN LEE"]);
        assert_eq!(split_names("Max Muster - Fri, Dec 28"), ["Max Muster"]);
        assert_eq!(
            split_names("ANN LEE AND MAX MUSTER"),
            ["ANN LEE", "MAX MUSTER"]
        );
        assert_eq!(
            split_names("By Jane Roe, Digital Desk, at CES"),
            ["Jane Roe"]
        );
        assert_eq!(
            split_names("Ann Lee, Max Muster and Jane Roe"),
            ["Ann Lee", "Max Muster", "Jane Roe"]
        );
        assert_eq!(split_names("By MAX B. MUSTER"), ["MAX B. MUSTER"]);
        let no_publisher = ["the daily planet".to_string()];
        for label in [
            "Posted on",
            "Veröffentlicht am",
            "Friday",
            "Harbour Media Ltd",
            "dailyplanet.com",
            "The Daily Planet",
        ] {
            assert!(!is_person_name(label, &no_publisher), "{label}");
        }
        assert!(is_person_name("Jane Roe", &no_publisher));
    }

    #[test]
    fn a_utc_time_near_midnight_gives_way_to_the_printed_local_day() {
        assert!(utc_day_off_by_one("2021-03-04T22:30:00Z", "2021-03-05"));
        assert!(utc_day_off_by_one(
            "2020-12-31T23:00:00+00:00",
            "2021-01-01"
        ));
        assert!(utc_day_off_by_one("2021-03-05T01:30:00Z", "2021-03-04"));
        assert!(!utc_day_off_by_one("2021-03-04T12:30:00Z", "2021-03-05"));
        assert!(!utc_day_off_by_one(
            "2021-03-04T22:30:00+02:00",
            "2021-03-05"
        ));
        assert!(!utc_day_off_by_one("2021-03-04", "2021-03-05"));
        assert_eq!(next_day("2024-02-28").as_deref(), Some("2024-02-29"));
        assert_eq!(next_day("2023-02-28").as_deref(), Some("2023-03-01"));
        let html = "<html><head><meta property=\"article:published_time\" \
            content=\"2021-03-04T23:15:00Z\"></head><body><h1>Ferry strike ends</h1>\
            <p>5. März 2021</p><p>The ferry strike ended on Friday after the union and the \
            company agreed on new shift rules, both sides said in a joint statement.</p>\
            <p>Boats will run on the normal timetable from Saturday morning.</p></body></html>";
        let r = super::super::extract_html(html, None, &crate::ExtractConfig::default());
        assert_eq!(r.published.as_deref(), Some("2021-03-05"));
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_any_date("2008-01-16T10:00:00+01:00").as_deref(),
            Some("2008-01-16T10:00:00+01:00")
        );
        assert_eq!(
            parse_any_date("Wed, 16 Jan 2008 10:00:00 GMT").as_deref(),
            Some("2008-01-16")
        );
        assert_eq!(parse_any_date("20080116").as_deref(), Some("2008-01-16"));
        // Found by the fuzzer: a multi-byte character across byte 8 of a short value.
        assert_eq!(parse_any_date("200801\u{fffd}x"), None);
        assert_eq!(
            parse_any_date("2008-01-16T10:00+\u{661}\u{662}:00").as_deref(),
            Some("2008-01-16")
        );
        assert_eq!(
            url_date("https://x.com/2008/01/16/story.html").as_deref(),
            Some("2008-01-16")
        );
        assert_eq!(url_date("https://x.com/news/12345"), None);
    }

    #[test]
    fn headline_matching() {
        let yes = |h: &str, d: &str| confirm(h, &Declared::new("title", d)) == Confirm::Yes;
        assert!(yes("Harbour reopens", "Harbour reopens | The Daily"));
        assert!(yes(
            "Council votes to reopen the harbour after storm",
            "Council votes to reopen the harbour - News"
        ));
        assert!(!yes(
            "The Daily",
            "Harbour reopens after a long storm | The Daily News"
        ));
        // Unspaced dash before the site name; site and section before the headline.
        assert!(yes(
            "Harbour Rowers Win Regional Final",
            "Harbour Rowers Win Regional Final - HarbourSports.com—Official Web Site"
        ));
        assert!(yes(
            "Ferry operator adds winter crossings",
            "The Courier : Business : Ferry operator adds winter crossings"
        ));
        // A heading with the date and source after the headline.
        assert_eq!(
            confirm(
                "Old lighthouse to be restored 15 Mar, 2021, 1130 hrs, Wire",
                &Declared::new(
                    "title",
                    "Old lighthouse to be restored- Travel-News-The Courier"
                )
            ),
            Confirm::Trim("Old lighthouse to be restored".to_string())
        );
    }

    #[test]
    fn title_tails() {
        assert_eq!(
            cut_tail("Mayor dismisses budget fears by Jane Roe, 30 March 2021"),
            "Mayor dismisses budget fears"
        );
        assert_eq!(
            cut_tail("Rowers, coach agree terms 28/03/2021 11:27 - (Wire)"),
            "Rowers, coach agree terms"
        );
        assert_eq!(
            cut_tail("Harbour hires a new pilot Thursday, 10, March, 2021, 09:14"),
            "Harbour hires a new pilot"
        );
        assert_eq!(
            cut_tail("Parking rule takes effect Published: Wednesday, 2 June, 2021, 02:42 AM"),
            "Parking rule takes effect"
        );
        // Dates that belong to the headline stay.
        assert_eq!(
            cut_tail("Boat makers show new models at the 2021 fair"),
            "Boat makers show new models at the 2021 fair"
        );
        assert_eq!(
            cut_tail("Stocks fall on May 5 as markets slide"),
            "Stocks fall on May 5 as markets slide"
        );
        assert!(site_like("Latest rowing news, results, reports"));
        assert!(!site_like("Harbour reopens after a long storm"));
        assert!(!site_like("Church holds service to condole a death"));
        assert_eq!(
            cut_tail("More ferries, fewer delays mark 2020 as a good year"),
            "More ferries, fewer delays mark 2020 as a good year"
        );
    }

    #[test]
    fn title_segments() {
        assert_eq!(
            main_segment("HarbourNews.com: Council, unions discuss ferry timetable"),
            "Council, unions discuss ferry timetable"
        );
        assert_eq!(
            main_segment("HarbourNews.com > News > Region -- Court allows new quay plans"),
            "Court allows new quay plans"
        );
        assert_eq!(
            main_segment("2,000 boats checked after storm (14/03/2021)"),
            "2,000 boats checked after storm"
        );
        let declared = [Declared::new("title", "harbourtv.com - Sports Wire")];
        assert!(is_declared_label("Sports Wire", &declared));
        // Guillemets around a quotation are no separators.
        assert_eq!(
            main_segment("Le maire : « Nous rouvrirons le port » | Le Courrier"),
            "Le maire : « Nous rouvrirons le port »"
        );
        assert!(issue_label("DAS MAGAZIN 52/2020"));
        assert!(!issue_label(
            "Council passes the 2021/2022 budget after a long debate"
        ));
        let declared = [Declared::new(
            "title",
            "Harbour reopens after storm | The Daily",
        )];
        assert!(is_declared_label("The Daily", &declared));
        assert!(!is_declared_label("Harbour reopens after storm", &declared));
    }

    fn title_of(html: &str) -> (Option<String>, String, String) {
        let r = super::super::extract_html(html, None, &crate::ExtractConfig::default());
        let source = r.provenance.get("title").cloned().unwrap_or_default();
        let text = newsmill_core::join_blocks(&r.blocks);
        (r.title, source, text)
    }

    const STORY: &str = "<p>The council voted on Tuesday to reopen the harbour after the storm, \
        officials said, and fishermen will be back at sea within the week.</p>\
        <p>Repairs to the quay walls cost more than expected, the mayor told reporters at the \
        town hall, but the work finished ahead of schedule.</p>";

    /// (page around STORY, expected title, expected source or "", whether the title line
    /// must be gone from the body).
    const TITLE_CASES: &[(&str, &str, &str, bool)] = &[
        // A heading among the first lines of the body, after a date line; the <h1> is the
        // section named in <title>.
        (
            "<title>example.com - Sports Wire</title><h1>Sports Wire</h1>\
             <div><p>Tue, 16 Mar 2021 09:12:00 GMT</p>\
             <h2>Harbour reopens after the winter storm</h2>{STORY}</div>",
            "Harbour reopens after the winter storm",
            "h2",
            true,
        ),
        // The heading matching the title's main segment beats the one matching its site.
        (
            "<title>Harbour reopens after storm - Coast Business Journal</title>\
             <h1>Harbour reopens after storm</h1><h3>Coast Business Journal</h3>\
             <div>{STORY}</div>",
            "Harbour reopens after storm",
            "h1",
            false,
        ),
        // The title's prefix goes when the page shows the headline without it ...
        (
            "<title>HNO: Three rowers set for regatta debuts</title>\
             <table><tr><td><b>Three rowers set for regatta debuts</b></td></tr></table><div>{STORY}</div>",
            "Three rowers set for regatta debuts",
            "visible-headline",
            false,
        ),
        // ... and stays when it does not.
        (
            "<title>Norway: Ferry union calls northern strike</title><div>{STORY}</div>",
            "Norway: Ferry union calls northern strike",
            "title",
            false,
        ),
        // The body's first line beats a title that names only the site.
        (
            "<title>The Courier News Update Service</title>\
             <div><p><b>Rescued seals return to the bay</b></p>{STORY}</div>",
            "Rescued seals return to the bay",
            "first-block",
            true,
        ),
        // WebTrends' title meta is a declared title.
        (
            "<title>Coast News Station - Fair. Accurate. Local. -Port promises \
             safe berths for visitors</title><meta name=\"WT.ti\" content=\"Port promises safe \
             berths for visitors\"><div>{STORY}</div>",
            "Port promises safe berths for visitors",
            "wt.ti",
            false,
        ),
    ];

    #[test]
    fn title_cases() {
        for (page, want, want_source, gone) in TITLE_CASES {
            let html = page.replace("{STORY}", STORY);
            let (title, source, text) = title_of(&html);
            assert_eq!(title.as_deref(), Some(*want), "{page}");
            assert_eq!(source, *want_source, "{page}");
            if *gone {
                assert!(!text.contains(want), "{text}");
            }
        }
    }
}
