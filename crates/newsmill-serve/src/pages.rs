//! The HTML pages, rendered with maud: every interpolated value is escaped, so article
//! content (hostile input) can never become markup. Links to outside pages are only written
//! for `http(s)` URLs.

use std::collections::BTreeMap;

use axum::Extension;
use axum::Router;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use newsmill_core::{BlockKind, CharIndex, Entity, Record};

use crate::when::{day_label, time_label};
use serde::Deserialize;

use crate::AppState;
use crate::alerts::{self, NewAlert, percent_encode};
use crate::api::{PageParams, SearchParams, attention_from, blocking, check_entity, check_id};
use crate::chart::{Bar, bar_chart, bar_chart_linked, calendar, period};
use crate::error::ApiError;
use crate::security::{Authorized, token_ok};
use crate::store::{Hit, Sort, StorySummary, TimelineEvent};

const CSS: &str = include_str!("../assets/style.css");
const JS: &str = include_str!("../assets/app.js");
const ICON: &str = include_str!("../assets/icon.svg");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/articles/{id}", get(article_page))
        .route("/stories", get(stories_page))
        .route("/stories/{id}", get(story_page))
        .route("/entities/{name}", get(entity_page))
        .route("/alerts", get(alerts_page).post(alerts_create))
        .route("/alerts/{id}/delete", post(alerts_delete))
        .route("/alerts/{id}/feed.atom", get(alert_feed))
        .route("/assets/{name}", get(asset))
        .fallback(not_found)
}

/// A page-level failure: the status and a message, shown in the page frame.
struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = self
            .0
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_string();
        let body = html! {
            section.error-page {
                h1 { (self.0.status.as_u16()) " " (title) }
                p.error { (self.0.message) }
                p { a href="/" { "Back to search" } }
            }
        };
        html_response(self.0.status, page(&title, "", Nav::None, body))
    }
}

type PageResult = Result<Response, PageError>;

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found(format!("no API endpoint {}", uri.path())).into_response()
    } else {
        PageError(ApiError::not_found(format!("no page {}", uri.path()))).into_response()
    }
}

async fn asset(Path(name): Path<String>) -> Response {
    let (body, ty) = match name.as_str() {
        "style.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON, "image/svg+xml"),
        _ => return PageError(ApiError::not_found(format!("no asset {name:?}"))).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[derive(Clone, Copy, PartialEq)]
enum Nav {
    Search,
    Stories,
    Alerts,
    None,
}

/// The frame of every page.
fn page(title: &str, q: &str, nav: Nav, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="referrer" content="no-referrer";
                title { (title) " · newsmill" }
                link rel="stylesheet" href="/assets/style.css";
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { span.logo aria-hidden="true" { "◧" } "newsmill" }
                    form.searchbox role="search" action="/" method="get" {
                        label.sr-only for="q" { "Search articles" }
                        input #q type="search" name="q" value=(q) placeholder="Search the news  ( / )"
                            autocomplete="off" spellcheck="false" accesskey="s";
                        button type="submit" { "Search" }
                    }
                    nav aria-label="Sections" {
                        a href="/" aria-current=[(nav == Nav::Search).then_some("page")] { "Search" }
                        a href="/stories" aria-current=[(nav == Nav::Stories).then_some("page")] { "Stories" }
                        a href="/alerts" aria-current=[(nav == Nav::Alerts).then_some("page")] { "Alerts" }
                    }
                }
                main #main { (body) }
                footer.bottom {
                    "newsmill · " a href="/api/openapi.json" { "API (OpenAPI)" }
                    " · keyboard: " kbd { "/" } " search, " kbd { "Esc" } " leave the box"
                }
            }
        }
    }
}

fn html_response(status: StatusCode, m: Markup) -> Response {
    (status, axum::response::Html(m.into_string())).into_response()
}

/// A query string from pairs, skipping empty values.
fn qs(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", percent_encode(v)))
        })
        .collect();
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", parts.join("&"))
    }
}

/// The search URL of `p` with some fields replaced.
fn search_url(p: &SearchParams, f: impl FnOnce(&mut SearchParams)) -> String {
    let mut p = p.clone();
    f(&mut p);
    let offset = p.offset.filter(|&o| o > 0).map(|o| o.to_string());
    let sort = p.sort.filter(|s| *s != Sort::Relevance).map(Sort::as_str);
    qs(&[
        ("q", Some(p.q.as_str())),
        ("site", p.site.as_deref()),
        ("language", p.language.as_deref()),
        ("entity", p.entity.as_deref()),
        ("story", p.story.as_deref()),
        ("from", p.from.as_deref()),
        ("to", p.to.as_deref()),
        ("sort", sort),
        ("offset", offset.as_deref()),
    ])
}

fn entity_url(name: &str) -> String {
    format!("/entities/{}", percent_encode(name))
}

fn story_url(id: &str) -> String {
    format!("/stories/{}", percent_encode(id))
}

fn article_url(id: &str) -> String {
    format!("/articles/{}", percent_encode(id))
}

/// Only absolute http(s) URLs become links; anything else (`javascript:`, `data:`) is text.
fn safe_href(url: &str) -> Option<&str> {
    let lower = url.trim_start().get(..8).unwrap_or("").to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(url.trim())
}

fn day(date: Option<&str>) -> Option<&str> {
    date.and_then(|d| d.get(..10))
}

/// The day (UTC) of a story's first or last time.
fn story_day(t: Option<i64>) -> Option<String> {
    t.and_then(newsmill_core::format_unix)
        .and_then(|d| d.get(..10).map(str::to_string))
}

fn hit_meta(h: &Hit) -> Markup {
    html! {
        p.meta {
            @if let Some(s) = &h.site { a.site href=(format!("/?site={}", percent_encode(s))) { (s) } }
            @if let Some(d) = day(h.published.as_deref()) { time datetime=(d) { (day_label(d)) } }
            @if let Some(l) = &h.language { span.lang { (l) } }
            @if let Some(s) = &h.story { a.story-link href=(story_url(s)) { "story" } }
        }
    }
}

fn hit_item(h: &Hit) -> Markup {
    html! {
        li.hit {
            h3 { a href=(article_url(&h.id)) { (h.title.as_deref().unwrap_or("(untitled)")) } }
            (hit_meta(h))
            p.snippet { (snippet_marked(h)) }
        }
    }
}

/// A hit's snippet with its matched words in `<mark>` (the text escaped as always).
fn snippet_marked(h: &Hit) -> Markup {
    let chars: Vec<char> = h.snippet.chars().collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut at = 0;
    for &[a, b] in &h.highlights {
        let (a, b) = (a.clamp(at, chars.len()), b.min(chars.len()));
        if a >= b {
            continue;
        }
        pieces.push((chars[at..a].iter().collect(), false));
        pieces.push((chars[a..b].iter().collect(), true));
        at = b;
    }
    pieces.push((chars[at..].iter().collect(), false));
    html! {
        @for (text, marked) in &pieces {
            @if *marked { mark { (text) } } @else { (text) }
        }
    }
}

// ---------------------------------------------------------------- search

async fn search_page(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> PageResult {
    let Query(mut params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    params.facets = Some(true);
    let req = match params.request() {
        Ok(r) => r,
        Err(e) => return Ok(search_error(&params, e)),
    };
    let req2 = req.clone();
    let result = blocking(&state, move |s| {
        let page = s.search(&req2)?;
        let days = page
            .facets
            .as_ref()
            .map_or(&[][..], |f| &f.day[..])
            .iter()
            .map(|f| crate::store::DayCount {
                day: f.value.clone(),
                count: f.count,
            })
            .collect();
        let attention = attention_from(s, &req2, days)?;
        Ok((page, attention))
    })
    .await;
    let (results, attention) = match result {
        Ok(v) => v,
        Err(e) if e.status == StatusCode::BAD_REQUEST => return Ok(search_error(&params, e)),
        Err(e) => return Err(e.into()),
    };
    let facets = results.facets.clone().unwrap_or_default();
    let filters = req.filters.clone();
    let active: Vec<(&str, &str)> = [
        ("site", filters.site.as_deref()),
        ("language", filters.language.as_deref()),
        ("entity", filters.entity.as_deref()),
        ("story", filters.story.as_deref()),
        ("from", filters.from.as_deref()),
        ("to", filters.to.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    let points: Vec<(String, u64, Option<u64>)> = attention
        .iter()
        .map(|p| (p.day.clone(), p.count, Some(p.total)))
        .collect();
    let bars = calendar(&points);
    let title = if req.query.is_empty() {
        "Search".to_string()
    } else {
        format!("{} — search", req.query)
    };
    let sort = req.sort;
    let day_link = |d: &str| {
        search_url(&params, |p| {
            p.from = Some(d.to_string());
            p.to = Some(d.to_string());
            p.offset = None;
        })
    };
    let body = html! {
        // Results first in the page (a phone shows them before the filters); on a wide screen
        // the grid puts the filters in the left column.
        div.search-layout {
            section.results {
                @if !active.is_empty() {
                    section.active {
                        h2 { "Filters" }
                        ul.chips {
                            @for (k, v) in &active {
                                li { a.chip href=(search_url(&params, |p| { clear(p, k); p.offset = None; }))
                                    title="Remove this filter" { span.k { (k) } " " (v) " ×" } }
                            }
                        }
                    }
                }
                (bar_chart_linked(&bars, "articles", &match (req.query.is_empty() && filters.is_empty(), period(&bars)) {
                    (true, "day") => "Articles per day (a bar narrows the search to its day)".to_string(),
                    (false, "day") => "Attention: matching articles per day (a bar narrows the search to its day)".to_string(),
                    (true, p) => format!("Articles per {p}"),
                    (false, p) => format!("Attention: matching articles per {p}"),
                }, Some(&day_link)))
                div.result-head {
                    p.count { strong { (results.total) } " article" @if results.total != 1 { "s" }
                        @if !req.query.is_empty() { " for " q { (req.query) } } }
                    nav.sort aria-label="Sort" {
                        "Sort: "
                        @for s in [Sort::Relevance, Sort::Newest, Sort::Oldest] {
                            @if s == sort { strong aria-current="true" { (s.as_str()) } }
                            @else { a href=(search_url(&params, |p| { p.sort = Some(s); p.offset = None; })) { (s.as_str()) } }
                            " "
                        }
                    }
                }
                @if results.hits.is_empty() {
                    p.empty { "Nothing matches. Try fewer words, or remove a filter." }
                }
                ol.hits start=(req.offset + 1) {
                    @for h in &results.hits { (hit_item(h)) }
                }
                nav.pager aria-label="Pages" {
                    @if req.offset > 0 {
                        a rel="prev" href=(search_url(&params, |p| p.offset = Some(req.offset.saturating_sub(req.limit)))) { "← Previous" }
                    }
                    @if (req.offset + req.limit) < results.total as usize && req.offset + req.limit <= crate::api::MAX_OFFSET {
                        a rel="next" href=(search_url(&params, |p| p.offset = Some(req.offset + req.limit))) { "Next →" }
                    }
                }
            }
            aside.facets aria-label="Filters" {
                section.facet {
                    h2 { "Dates" }
                    form.dates method="get" action="/" {
                        input type="hidden" name="q" value=(params.q);
                        @for (k, v) in [("site", &params.site), ("language", &params.language), ("entity", &params.entity), ("story", &params.story)] {
                            @if let Some(v) = v { input type="hidden" name=(k) value=(v); }
                        }
                        @if let Some(s) = params.sort { input type="hidden" name="sort" value=(s.as_str()); }
                        label { "From " input type="date" name="from" value=[params.from.as_deref()]; }
                        label { "To " input type="date" name="to" value=[params.to.as_deref()]; }
                        button type="submit" { "Apply" }
                    }
                }
                (facet_group("Sites", "site", &facets.site, &params))
                (facet_group("Languages", "language", &facets.language, &params))
                (facet_group("Entities", "entity", &facets.entity, &params))
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(&title, &req.query, Nav::Search, body),
    ))
}

fn clear(p: &mut SearchParams, key: &str) {
    match key {
        "site" => p.site = None,
        "language" => p.language = None,
        "entity" => p.entity = None,
        "story" => p.story = None,
        "from" => p.from = None,
        _ => p.to = None,
    }
}

fn facet_group(
    title: &str,
    key: &str,
    values: &[crate::store::FacetCount],
    params: &SearchParams,
) -> Markup {
    html! {
        @if !values.is_empty() {
            section.facet {
                h2 { (title) }
                ul {
                    @for f in values {
                        li { a href=(search_url(params, |p| {
                                let v = Some(f.value.clone());
                                match key { "site" => p.site = v, "language" => p.language = v, _ => p.entity = v }
                                p.offset = None;
                            })) {
                            span.v { (f.value) } span.n { (f.count) }
                        } }
                    }
                }
            }
        }
    }
}

fn search_error(params: &SearchParams, e: ApiError) -> Response {
    let body = html! {
        section.error-page {
            h1 { "That search did not work" }
            p.error role="alert" { (e.message) }
            p { "Words must all occur; use " code { "\"a phrase\"" } ", " code { "-word" } " to exclude, and "
                code { "site:" } ", " code { "lang:de" } ", " code { "entity:putin" } ", " code { "url:bbc" } " to filter. Words match their other forms (" code { "blackout" } " finds “blackouts”)." }
        }
    };
    html_response(e.status, page("Search error", &params.q, Nav::Search, body))
}

// ---------------------------------------------------------------- article

/// The blocks of `r` with each entity mention wrapped in a link to its entity page.
/// The dek to show above the body: not when the body opens with it already (extraction keeps
/// a standfirst that is also the first paragraph in both places), which would print it twice.
fn dek_shown(r: &Record) -> Option<&str> {
    let dek = r.dek.as_deref()?;
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let repeated = r
        .blocks
        .first()
        .is_some_and(|b| words(&b.text) == words(dek));
    (!repeated).then_some(dek)
}

fn body_with_entities(r: &Record) -> Markup {
    // Mentions in text order, each with its entity; overlapping mentions keep the first.
    let mut mentions: Vec<(usize, usize, &Entity)> = r
        .entities
        .iter()
        .flat_map(|e| e.mentions.iter().map(move |m| (m.start, m.end, e)))
        .collect();
    mentions.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let index = CharIndex::new(&r.text);
    let n_chars = index.len_chars();
    let mut blocks: Vec<(BlockKind, Markup)> = Vec::with_capacity(r.blocks.len());
    let mut start = 0usize;
    let mut mi = 0usize;
    for b in &r.blocks {
        let len = b.text.chars().count();
        let end = start + len;
        let mut parts: Vec<Markup> = Vec::new();
        let mut pos = start;
        // Only highlight when the block really is where `text` says (the invariant).
        let aligned = end <= n_chars
            && r.text.get(index.byte_of(start)..index.byte_of(end)) == Some(b.text.as_str());
        while aligned && mi < mentions.len() && mentions[mi].0 < end {
            let (ms, me, e) = mentions[mi];
            mi += 1;
            if ms < pos || me > end || ms >= me {
                continue;
            }
            let before = &r.text[index.byte_of(pos)..index.byte_of(ms)];
            let inner = &r.text[index.byte_of(ms)..index.byte_of(me)];
            parts.push(html! { (before) });
            parts.push(html! {
                a class=(format!("ent ent-{}", e.kind.as_str().to_lowercase())) href=(entity_url(&e.name))
                    title=(format!("{} ({})", e.name, e.kind.as_str())) { (inner) }
            });
            pos = me;
        }
        if aligned {
            parts.push(html! { (&r.text[index.byte_of(pos)..index.byte_of(end)]) });
        } else {
            parts.push(html! { (b.text) });
            while mi < mentions.len() && mentions[mi].0 < end {
                mi += 1;
            }
        }
        blocks.push((b.kind, html! { @for p in &parts { (p) } }));
        start = end + 2;
    }
    // Group consecutive list items and table rows.
    html! {
        @for group in group_blocks(&blocks) {
            @match group.0 {
                BlockKind::Heading => { @for m in group.1 { h2 { (m) } } }
                BlockKind::Paragraph => { @for m in group.1 { p { (m) } } }
                BlockKind::Blockquote => { @for m in group.1 { blockquote { p { (m) } } } }
                BlockKind::ListItem => { ul { @for m in group.1 { li { (m) } } } }
                BlockKind::TableRow => { div.table-rows { @for m in group.1 { p.row { (m) } } } }
            }
        }
    }
}

fn group_blocks(blocks: &[(BlockKind, Markup)]) -> Vec<(BlockKind, Vec<&Markup>)> {
    let mut out: Vec<(BlockKind, Vec<&Markup>)> = Vec::new();
    for (k, m) in blocks {
        match out.last_mut() {
            Some((lk, ms)) if lk == k && matches!(k, BlockKind::ListItem | BlockKind::TableRow) => {
                ms.push(m)
            }
            _ => out.push((*k, vec![m])),
        }
    }
    out
}

async fn article_page(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> PageResult {
    let Path(id) = id.map_err(|r| ApiError::bad_request(r.body_text()))?;
    check_id("record", &id)?;
    let id2 = id.clone();
    let record = blocking(&state, move |s| Ok(s.record(&id2)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no article {id:?}")))?;
    let r = &record;
    let title = r.title.clone().unwrap_or_else(|| "(untitled)".into());
    let mut by_type: BTreeMap<&str, Vec<&Entity>> = BTreeMap::new();
    for e in &r.entities {
        by_type.entry(e.kind.as_str()).or_default().push(e);
    }
    for v in by_type.values_mut() {
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    }
    let body = html! {
        div.article-layout {
            article.record {
                header {
                    @if let Some(s) = &r.section { p.kicker { (s) } }
                    h1 { (title) }
                    @if let Some(d) = dek_shown(r) { p.dek { (d) } }
                    p.meta {
                        @if !r.byline.is_empty() { span.byline { "By " (r.byline.join(", ")) } }
                        @if let Some(s) = &r.site { a.site href=(format!("/?site={}", percent_encode(s))) { (s) } }
                        @if let Some(d) = &r.published { time datetime=(d) { (time_label(d)) } }
                        @if let Some(l) = &r.language { span.lang { (l) } }
                        @if let Some(s) = &r.story { a.story-link href=(story_url(s)) { "Story" } }
                        @if let Some(dup) = &r.duplicate_of { a href=(article_url(dup)) { "Near-duplicate of another article" } }
                    }
                    @if let Some(u) = r.url.as_deref() {
                        p.source {
                            "Source: "
                            @if let Some(href) = safe_href(u) { a.original href=(href) rel="noopener noreferrer nofollow" { (u) } }
                            @else { code { (u) } }
                        }
                    }
                }
                div.body { (body_with_entities(r)) }
                @if !r.sources_cited.is_empty() {
                    section.cited { h2 { "Sources cited" } ol { @for s in &r.sources_cited { li { (s) } } } }
                }
                details.removed {
                    summary { "Removed by cleaning (" (r.removed.len()) ")" }
                    @if r.removed.is_empty() { p.muted { "Nothing was removed." } }
                    ul {
                        @for x in &r.removed {
                            li {
                                span.reason { (x.reason.as_str()) }
                                @if let Some(l) = &x.language { " " span.lang { (l) } }
                                " " span.removed-text { (x.text) }
                            }
                        }
                    }
                }
                @if !r.provenance.is_empty() {
                    details.provenance {
                        summary { "Where each field came from" }
                        dl { @for (k, v) in &r.provenance { dt { (k) } dd { (v) } } }
                    }
                }
                p.raw { a href=(format!("/api/articles/{}", percent_encode(&r.id))) { "This record as JSON" } }
            }
            aside.entities aria-label="Entities" {
                h2 { "Entities" }
                @if by_type.is_empty() { p.muted { "No entities (the NLP stage has not run on this record)." } }
                @for (kind, list) in &by_type {
                    section {
                        h3 { span class=(format!("badge ent-{}", kind.to_lowercase())) { (kind) } }
                        ul { @for e in list { li { a href=(entity_url(&e.name)) { (e.name) } " " span.n { (e.count) } } } }
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(&title, "", Nav::None, body),
    ))
}

// ---------------------------------------------------------------- stories

fn story_item(s: &StorySummary) -> Markup {
    html! {
        li.story {
            h3 { a href=(story_url(&s.id)) { (if s.title.is_empty() { "(untitled story)" } else { &s.title }) } }
            p.meta {
                span { (s.articles) " article" @if s.articles != 1 { "s" } }
                @if let (Some(f), Some(l)) = (story_day(s.first_seen), story_day(s.last_seen)) {
                    time datetime=(f) { (day_label(&f)) } @if f != l { " – " time datetime=(l) { (day_label(&l)) } }
                }
                @for site in s.sites.iter().take(4) { span.site { (site.value) } }
            }
        }
    }
}

async fn stories_page(
    State(state): State<AppState>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> PageResult {
    let Query(params) = params.map_err(|r| ApiError::bad_request(r.body_text()))?;
    let (offset, limit) = params.checked()?;
    let (total, list) = blocking(&state, move |s| Ok(s.stories(offset, limit)?)).await?;
    let body = html! {
        section.stories {
            h1 { "Stories" }
            p.count { (total) " stories, most recently active first" }
            ol.story-list { @for s in &list { (story_item(s)) } }
            nav.pager aria-label="Pages" {
                @if offset > 0 { a rel="prev" href=(format!("/stories?offset={}&limit={limit}", offset.saturating_sub(limit))) { "← Previous" } }
                @if offset + limit < total as usize && offset + limit <= crate::api::MAX_OFFSET {
                    a rel="next" href=(format!("/stories?offset={}&limit={limit}", offset + limit)) { "Next →" }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page("Stories", "", Nav::Stories, body),
    ))
}

async fn story_page(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> PageResult {
    let Path(id) = id.map_err(|r| ApiError::bad_request(r.body_text()))?;
    check_id("story", &id)?;
    let id2 = id.clone();
    let (story, said) = blocking(&state, move |s| {
        let Some(story) = s.story(&id2)? else {
            return Ok(None);
        };
        let said = crate::api::story_said(s, &id2)?.unwrap_or_default();
        Ok(Some((story, said)))
    })
    .await?
    .ok_or_else(|| ApiError::not_found(format!("no story {id:?}")))?;
    let s = &story.summary;
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    for h in &story.items {
        if let Some(d) = day(h.published.as_deref()) {
            *per_day.entry(d.to_string()).or_insert(0) += 1;
        }
    }
    let points: Vec<(String, u64, Option<u64>)> =
        per_day.into_iter().map(|(d, c)| (d, c, None)).collect();
    let bars: Vec<Bar> = calendar(&points);
    // Timeline: articles grouped by day, undated at the end.
    let mut days: Vec<(Option<&str>, Vec<&Hit>)> = Vec::new();
    for h in &story.items {
        let d = day(h.published.as_deref());
        match days.last_mut() {
            Some((ld, v)) if *ld == d => v.push(h),
            _ => days.push((d, vec![h])),
        }
    }
    // The languages its articles are in, most articles first.
    let mut languages: BTreeMap<&str, u64> = BTreeMap::new();
    for h in &story.items {
        if let Some(l) = h.language.as_deref() {
            *languages.entry(l).or_insert(0) += 1;
        }
    }
    let mut languages: Vec<(&str, u64)> = languages.into_iter().collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let title = if s.title.is_empty() {
        "(untitled story)".to_string()
    } else {
        s.title.clone()
    };
    let body = html! {
        section.story-page {
            p.kicker { "Story" }
            h1 { (title) }
            p.meta {
                span { (s.articles) " article" @if s.articles != 1 { "s" } }
                @if let (Some(f), Some(l)) = (story_day(s.first_seen), story_day(s.last_seen)) {
                    time datetime=(f) { (day_label(&f)) } @if f != l { " – " time datetime=(l) { (day_label(&l)) } }
                }
                a href=(format!("/?story={}&sort=oldest", percent_encode(&s.id))) { "Search within" }
            }
            section.outlets {
                h2 { "Outlets" }
                ul.chips { @for site in &s.sites { li { a.chip href=(format!("/?site={}", percent_encode(&site.value))) { (site.value) " " span.n { (site.count) } } } } }
            }
            @if !languages.is_empty() {
                section.languages {
                    h2 { "Languages" }
                    ul.chips { @for (lang, n) in &languages { li { a.chip href=(format!("/?story={}&language={}", percent_encode(&s.id), percent_encode(lang))) { (lang) " " span.n { (n) } } } } }
                }
            }
            (bar_chart(&bars, "articles", &format!("Articles per {}", period(&bars))))
            @if !said.is_empty() {
                h2 { "Who said what" }
                (said_list(&said, true))
            }
            h2 { "Timeline" }
            @if story.events.is_empty() {
                p.empty { "The articles name no dates." }
            } @else {
                p.legend { "What the articles date, in time order; " strong { "bold" } ": an article's main event." }
                ol.events {
                    @for e in &story.events {
                        (event_item(e))
                    }
                }
            }
            h2 { "Articles by day" }
            ol.timeline {
                @for (d, hits) in &days {
                    li.day {
                        h3 { @if let Some(d) = d { time datetime=(d) { (day_label(d)) } } @else { "Undated" } }
                        ul {
                            @for h in hits {
                                li.hit {
                                    p.when { @if let Some(p) = &h.published { (p.get(11..16).unwrap_or("")) } " " @if let Some(site) = &h.site { span.site { (site) } } }
                                    h4 { a href=(article_url(&h.id)) { (h.title.as_deref().unwrap_or("(untitled)")) } }
                                    p.snippet { (h.snippet) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(&title, "", Nav::Stories, body),
    ))
}

/// Who said what: each quote once, its speaker (linked to the entity page when resolved),
/// the reporting verb, and the outlets that carry it.
fn said_list(said: &[crate::said::Said], with_speaker: bool) -> Markup {
    html! {
        ol.said-list {
            @for q in said.iter().take(50) {
                li.said {
                    @if with_speaker {
                        p.who {
                            @match (&q.entity, &q.speaker) {
                                (Some(e), _) => { a href=(entity_url(e)) { (e) } }
                                (None, Some(s)) => { (s) }
                                (None, None) => {}
                            }
                            @if let Some(c) = &q.cue { " " span.cue { (c) } }
                        }
                    }
                    @if q.kind == "direct" {
                        blockquote.direct { "“" (q.text.trim_end_matches([',', ';', ':'])) "”" }
                    } @else {
                        blockquote.indirect { (q.text) }
                    }
                    p.outlets {
                        @if q.outlets.len() > 1 { (q.outlets.len()) " outlets: " }
                        @for (i, o) in q.outlets.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href=(article_url(&o.id)) {
                                (o.site.as_deref().or(o.title.as_deref()).unwrap_or(o.id.as_str()))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One event of a story's timeline: when, and the sentences that say so.
fn event_item(e: &TimelineEvent) -> Markup {
    html! {
        li class=(if e.main { "event main" } else { "event" }) {
            h3 { time datetime=(e.day) { (when_label(&e.value)) } }
            ul {
                @for m in &e.mentions {
                    li {
                        @if m.context.is_empty() {
                            span.context { "(published that day)" }
                        } @else {
                            q.context { (m.context) }
                        }
                        " "
                        a.source href=(article_url(&m.id)) { (m.title.as_deref().unwrap_or("(untitled)")) }
                    }
                }
            }
        }
    }
}

/// A TIMEX3 value for people: `2024-06-19TMO` reads "19 June 2024, morning", `199` "the
/// 1990s", `2024-Q3` "Q3 2024".
fn when_label(value: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (date, time) = match value.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (value, None),
    };
    let mut parts = date.split('-');
    let year = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let mut out = match (year.len(), rest.as_slice()) {
        (2, _) => format!("the {}00s", year),
        (3, _) => format!("the {}0s", year),
        (_, []) => year.to_string(),
        (_, [m]) if m.starts_with('Q') || m.starts_with('H') => format!("{m} {year}"),
        (_, [m]) if m.starts_with('W') => format!("week {} of {year}", m.trim_start_matches('W')),
        (_, [s @ ("SP" | "SU" | "FA" | "WI")]) => {
            let name = match *s {
                "SP" => "spring",
                "SU" => "summer",
                "FA" => "autumn",
                _ => "winter",
            };
            format!("{name} {year}")
        }
        (_, [m]) => match m.parse::<usize>() {
            Ok(k @ 1..=12) => format!("{} {year}", MONTHS[k - 1]),
            _ => value.to_string(),
        },
        (_, [w, d]) if w.starts_with('W') => {
            format!("{d} of week {} of {year}", w.trim_start_matches('W'))
        }
        (_, [m, d]) => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(k @ 1..=12), Ok(d)) => format!("{d} {} {year}", MONTHS[k - 1]),
            _ => value.to_string(),
        },
        _ => value.to_string(),
    };
    if let Some(t) = time {
        let part = match t {
            "MO" => "morning",
            "AF" => "afternoon",
            "EV" => "evening",
            "NI" => "night",
            "DT" => "daytime",
            t => t,
        };
        out.push_str(", ");
        out.push_str(part);
    }
    out
}

// ---------------------------------------------------------------- entity

async fn entity_page(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> PageResult {
    let Path(name) = name.map_err(|r| ApiError::bad_request(r.body_text()))?;
    check_entity(&name)?;
    let n2 = name.clone();
    let (e, said) = blocking(&state, move |s| {
        let Some(e) = s.entity(&n2, 30)? else {
            return Ok(None);
        };
        let said = crate::api::entity_said(s, &n2, 30)?.unwrap_or_default();
        Ok(Some((e, said)))
    })
    .await?
    .ok_or_else(|| ApiError::not_found(format!("no entity {name:?}")))?;
    let points: Vec<(String, u64, Option<u64>)> = e
        .articles_per_day
        .iter()
        .map(|d| (d.day.clone(), d.count, None))
        .collect();
    let bars = calendar(&points);
    let body = html! {
        section.entity-page {
            p.kicker { span class=(format!("badge ent-{}", e.kind.to_lowercase())) { (e.kind) } }
            h1 { (e.name) }
            p.meta { (e.total) " article" @if e.total != 1 { "s" } " mention it · "
                a href=(qs(&[("entity", Some(e.name.as_str())), ("sort", Some("newest"))])) { "Search its articles" } }
            (bar_chart(&bars, "articles", &format!("Articles mentioning it per {}", period(&bars))))
            @if !said.is_empty() {
                h2 { "What " (e.name) " said" }
                (said_list(&said, false))
            }
            div.two-col {
                section { h2 { "Stories" } ol.story-list { @for s in &e.stories { (story_item(s)) } } }
                section { h2 { "Newest articles" } ol.hits { @for h in &e.articles { (hit_item(h)) } } }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        page(&e.name, "", Nav::None, body),
    ))
}

// ---------------------------------------------------------------- alerts

fn alerts_body(state: &AppState, message: Option<&ApiError>) -> Markup {
    let book = state.inner.lock_alerts();
    let needs_token = state.inner.config.token.is_some();
    let webhooks = &state.inner.config.webhooks;
    html! {
        section.alerts-page {
            h1 { "Alerts" }
            p.muted { "An alert is a saved search. Each new story matching it appears once in its feed and, when chosen, is posted to a webhook the server was started with." }
            @if let Some(e) = message { p.error role="alert" { (e.message) } }
            form.new-alert method="post" action="/alerts" {
                h2 { "New alert" }
                label { "Name " input type="text" name="name" required maxlength="200"; }
                label { "Search " input type="text" name="query" required maxlength="1000" placeholder="entity:\"Kim Jong Un\" summit"; }
                label { "Webhook "
                    select name="webhook" {
                        option value="" { "none (feed only)" }
                        @for w in webhooks { option value=(w) { (w) } }
                    }
                }
                @if needs_token { label { "API token " input type="password" name="token" required autocomplete="off"; } }
                button type="submit" { "Create alert" }
            }
            @if book.list().is_empty() { p.empty { "No alerts yet." } }
            ul.alert-list {
                @for a in book.list() {
                    li.alert {
                        h3 { (a.name) }
                        p.meta {
                            a href=(qs(&[("q", Some(a.query.as_str())), ("sort", Some("newest"))])) { code { (a.query) } }
                            span { (a.events.len()) " event" @if a.events.len() != 1 { "s" } }
                            a href=(format!("/alerts/{}/feed.atom", percent_encode(&a.id))) { "Atom feed" }
                            @if let Some(w) = &a.webhook { span { "→ " (w) " (" (a.delivery.delivered) " delivered, " (a.delivery.failed) " failed)" } }
                        }
                        @if let Some(err) = &a.delivery.last_error { p.error { (err) } }
                        @if !a.events.is_empty() {
                            ul.events { @for ev in a.events.iter().take(5) {
                                li { a href=(story_url(&ev.story)) { (ev.title.as_deref().unwrap_or("(untitled story)")) }
                                     " " span.muted { "found " time datetime=(ev.detected) { (time_label(&ev.detected)) } } }
                            } }
                        }
                        form.inline method="post" action=(format!("/alerts/{}/delete", percent_encode(&a.id))) {
                            @if needs_token { input type="password" name="token" required placeholder="API token" autocomplete="off"; }
                            button.danger type="submit" { "Delete" }
                        }
                    }
                }
            }
        }
    }
}

async fn alerts_page(State(state): State<AppState>) -> Response {
    html_response(
        StatusCode::OK,
        page("Alerts", "", Nav::Alerts, alerts_body(&state, None)),
    )
}

#[derive(Debug, Deserialize)]
struct AlertForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    webhook: String,
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

fn alerts_error(state: &AppState, e: ApiError) -> Response {
    html_response(
        e.status,
        page("Alerts", "", Nav::Alerts, alerts_body(state, Some(&e))),
    )
}

async fn alerts_create(
    State(state): State<AppState>,
    Extension(Authorized(authorized)): Extension<Authorized>,
    form: Result<Form<AlertForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(f)) => f,
        Err(r) => return alerts_error(&state, ApiError::new(r.status(), r.body_text())),
    };
    if !authorized && !token_ok(&state, Some(&form.token)) {
        return alerts_error(
            &state,
            ApiError::new(StatusCode::UNAUTHORIZED, "wrong API token"),
        );
    }
    let new = NewAlert {
        name: form.name,
        query: form.query,
        webhook: Some(form.webhook).filter(|w| !w.is_empty()),
    };
    match crate::api::create_alert_in(&state, new).await {
        Ok(_) => Redirect::to("/alerts").into_response(),
        Err(e) => alerts_error(&state, e),
    }
}

async fn alerts_delete(
    State(state): State<AppState>,
    Extension(Authorized(authorized)): Extension<Authorized>,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    let token = form.map(|Form(f)| f.token).unwrap_or_default();
    if !authorized && !token_ok(&state, Some(&token)) {
        return alerts_error(
            &state,
            ApiError::new(StatusCode::UNAUTHORIZED, "wrong API token"),
        );
    }
    let Ok(Path(id)) = id else {
        return alerts_error(&state, ApiError::bad_request("bad alert id"));
    };
    if let Err(e) = check_id("alert", &id) {
        return alerts_error(&state, e);
    }
    let deleted = state.inner.lock_alerts().delete(&id);
    match deleted {
        Ok(true) => Redirect::to("/alerts").into_response(),
        Ok(false) => alerts_error(&state, ApiError::not_found(format!("no alert {id:?}"))),
        Err(e) => alerts_error(&state, e),
    }
}

async fn alert_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> PageResult {
    let Path(id) = id.map_err(|r| ApiError::bad_request(r.body_text()))?;
    check_id("alert", &id)?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let base = format!("http://{host}");
    let feed = {
        let book = state.inner.lock_alerts();
        let alert = book
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("no alert {id:?}")))?;
        alerts::atom(alert, &base)
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed,
    )
        .into_response())
}

#[cfg(test)]
mod tests_23 {
    use super::*;

    // See: issue 23 (the article page repeated the dek as the first paragraph).
    #[test]
    fn regression_23_a_dek_the_body_opens_with_is_shown_once() {
        use newsmill_core::Block;
        let mut r = Record {
            dek: Some("Storm closes the port.".into()),
            blocks: vec![Block::new(BlockKind::Paragraph, "Storm  closes the port.")],
            ..Record::default()
        };
        assert_eq!(dek_shown(&r), None);
        r.blocks[0].text = "The port closed on Monday.".into();
        assert_eq!(dek_shown(&r), Some("Storm closes the port."));
    }
}
