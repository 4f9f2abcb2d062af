//! The JSON API under `/api/`, and its OpenAPI document.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use newsmill_core::{InputHint, Origin, RawDoc, Record};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::alerts::{Alert, AlertEvent, DeliveryStatus, NewAlert};
use crate::error::{ApiError, ErrorBody, ErrorDetail, rejection};
use crate::said::{Said, SaidIn, who_said_what};
use crate::store::{
    DayCount, EntityDetail, EventMention, FacetCount, Facets, Filters, Hit, SearchPage,
    SearchRequest, Sort, Store, StoryDetail, StorySummary, TimelineEvent,
};

/// Most hits per page.
pub(crate) const MAX_LIMIT: usize = 100;
/// Deepest offset a page may start at (deeper pages cost the index a top-k of that size).
pub(crate) const MAX_OFFSET: usize = 10_000;

pub(crate) fn routes(analyze_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/search", get(search))
        .route("/api/articles/{id}", get(article))
        .route("/api/stories", get(stories))
        .route("/api/stories/{id}", get(story))
        .route("/api/stories/{id}/quotes", get(story_quotes))
        .route("/api/entities/{name}", get(entity))
        .route("/api/entities/{name}/quotes", get(entity_quotes))
        .route("/api/attention", get(attention))
        .route(
            "/api/analyze",
            post(analyze).layer(DefaultBodyLimit::max(analyze_limit)),
        )
        .route("/api/alerts", get(list_alerts).post(create_alert))
        .route("/api/alerts/{id}", get(get_alert).delete(delete_alert))
}

/// Runs a blocking store call on tokio's blocking pool, once one of the read slots is free
/// ([`crate::ServeConfig::read_concurrency`]); 503 when none frees up in time.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> Result<T, ApiError> + Send + 'static,
{
    let slots = state.inner.read_slots.clone();
    let permit =
        match tokio::time::timeout(state.inner.config.read_wait, slots.acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(ApiError::busy("the server is busy; retry in a second")),
        };
    let store = state.inner.store.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(store.as_ref())
    })
    .await
    .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?
}

/// Ids are short and plain: letters, digits and `-_.:`.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), ApiError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!("malformed {what} id {id:?}")))
    }
}

fn path_rejection(r: PathRejection) -> ApiError {
    rejection(StatusCode::BAD_REQUEST, r.body_text())
}

fn query_rejection(r: QueryRejection) -> ApiError {
    rejection(StatusCode::BAD_REQUEST, r.body_text())
}

/// The query string of a search (shared by the API and the search page).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// The query in the store's query language; empty or absent matches everything.
    #[serde(default)]
    pub(crate) q: String,
    /// Only this site.
    pub(crate) site: Option<String>,
    /// Only this language (ISO 639-1).
    pub(crate) language: Option<String>,
    /// Only records mentioning this entity.
    pub(crate) entity: Option<String>,
    /// Only this story.
    pub(crate) story: Option<String>,
    /// Published on or after (`YYYY-MM-DD`).
    pub(crate) from: Option<String>,
    /// Published on or before (`YYYY-MM-DD`).
    pub(crate) to: Option<String>,
    /// Event time (when the article's main event happened) on or after (`YYYY-MM-DD`).
    pub(crate) event_from: Option<String>,
    /// Event time on or before (`YYYY-MM-DD`).
    pub(crate) event_to: Option<String>,
    /// `relevance` (default), `newest` or `oldest`; ties are broken by id.
    pub(crate) sort: Option<Sort>,
    /// Hits to skip (at most 10000).
    pub(crate) offset: Option<usize>,
    /// Hits per page (1 to 100, default 20).
    pub(crate) limit: Option<usize>,
    /// Count facets (default true).
    pub(crate) facets: Option<bool>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl SearchParams {
    pub(crate) fn filters(&self) -> Filters {
        Filters {
            site: nonempty(&self.site),
            language: nonempty(&self.language),
            entity: nonempty(&self.entity),
            story: nonempty(&self.story),
            from: nonempty(&self.from),
            to: nonempty(&self.to),
            event_from: nonempty(&self.event_from),
            event_to: nonempty(&self.event_to),
        }
    }

    pub(crate) fn request(&self) -> Result<SearchRequest, ApiError> {
        if self.q.chars().count() > 1000 {
            return Err(ApiError::bad_request("query longer than 1000 characters"));
        }
        let offset = self.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(ApiError::bad_request(format!(
                "offset {offset} beyond {MAX_OFFSET}; narrow the search instead"
            )));
        }
        let limit = self.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::bad_request(format!(
                "limit {limit} not in 1..={MAX_LIMIT}"
            )));
        }
        Ok(SearchRequest {
            query: self.q.trim().to_string(),
            filters: self.filters(),
            sort: self.sort.unwrap_or_default(),
            offset,
            limit,
            facets: self.facets.unwrap_or(true),
        })
    }
}

/// A page of search results.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct SearchResponse {
    /// The query as run.
    query: String,
    /// The filters as run.
    filters: Filters,
    /// The order.
    sort: Sort,
    /// Hits skipped.
    offset: usize,
    /// Page size.
    limit: usize,
    /// Matching records in all.
    total: u64,
    /// This page.
    hits: Vec<Hit>,
    /// Facet counts over all matching records (null when `facets=false`).
    facets: Option<Facets>,
}

#[utoipa::path(get, path = "/api/search", params(SearchParams),
    responses(
        (status = 200, description = "A page of hits, with facets", body = SearchResponse),
        (status = 400, description = "Malformed query, filter or paging", body = ErrorBody),
        (status = 401, description = "Token required", body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let req = params.request()?;
    let req2 = req.clone();
    let page: SearchPage = blocking(&state, move |s| Ok(s.search(&req2)?)).await?;
    Ok(Json(SearchResponse {
        query: req.query,
        filters: req.filters,
        sort: req.sort,
        offset: req.offset,
        limit: req.limit,
        total: page.total,
        hits: page.hits,
        facets: page.facets,
    }))
}

#[utoipa::path(get, path = "/api/articles/{id}",
    params(("id" = String, Path, description = "Record id")),
    responses(
        (status = 200, description = "The whole record, as `newsmill analyze` prints it", body = Object),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody)))]
async fn article(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Record>, ApiError> {
    let Path(id) = id.map_err(path_rejection)?;
    check_id("record", &id)?;
    let id2 = id.clone();
    blocking(&state, move |s| Ok(s.record(&id2)?))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no record {id:?}")))
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageParams {
    /// Items to skip.
    pub(crate) offset: Option<usize>,
    /// Items per page (1 to 100, default 20).
    pub(crate) limit: Option<usize>,
}

impl PageParams {
    pub(crate) fn checked(&self) -> Result<(usize, usize), ApiError> {
        let offset = self.offset.unwrap_or(0);
        let limit = self.limit.unwrap_or(20);
        if offset > MAX_OFFSET || limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::bad_request(format!(
                "offset must be at most {MAX_OFFSET} and limit in 1..={MAX_LIMIT}"
            )));
        }
        Ok((offset, limit))
    }
}

/// A page of stories.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct StoryList {
    /// Stories in all.
    total: u64,
    /// Skipped.
    offset: usize,
    /// Page size.
    limit: usize,
    /// Most recently active first.
    stories: Vec<StorySummary>,
}

#[utoipa::path(get, path = "/api/stories", params(PageParams),
    responses(
        (status = 200, description = "Stories, most recently active first", body = StoryList),
        (status = 400, description = "Bad paging", body = ErrorBody)))]
async fn stories(
    State(state): State<AppState>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<StoryList>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let (offset, limit) = params.checked()?;
    let (total, stories) = blocking(&state, move |s| Ok(s.stories(offset, limit)?)).await?;
    Ok(Json(StoryList {
        total,
        offset,
        limit,
        stories,
    }))
}

#[utoipa::path(get, path = "/api/stories/{id}",
    params(("id" = String, Path, description = "Story id (the id of a story merged into another answers with the story that absorbed it)")),
    responses(
        (status = 200, description = "The story and its articles, oldest first", body = StoryDetail),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "No such story", body = ErrorBody)))]
async fn story(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<StoryDetail>, ApiError> {
    let Path(id) = id.map_err(path_rejection)?;
    check_id("story", &id)?;
    let id2 = id.clone();
    blocking(&state, move |s| Ok(s.story(&id2)?))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no story {id:?}")))
}

/// The records of some ids (those still stored).
fn records_of<'a>(
    s: &dyn Store,
    ids: impl Iterator<Item = &'a str>,
) -> Result<Vec<Record>, ApiError> {
    let mut out = Vec::new();
    for id in ids {
        if let Some(r) = s.record(id)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Who said what in a story: each quote once, with the articles that carry it.
pub(crate) fn story_said(s: &dyn Store, id: &str) -> Result<Option<Vec<Said>>, ApiError> {
    let Some(d) = s.story(id)? else {
        return Ok(None);
    };
    let records = records_of(s, d.items.iter().map(|h| h.id.as_str()))?;
    Ok(Some(who_said_what(&records, None)))
}

/// What an entity said, in its newest articles: each quote once, with the articles.
pub(crate) fn entity_said(
    s: &dyn Store,
    name: &str,
    limit: usize,
) -> Result<Option<Vec<Said>>, ApiError> {
    let Some(d) = s.entity(name, limit)? else {
        return Ok(None);
    };
    let records = records_of(s, d.articles.iter().map(|h| h.id.as_str()))?;
    Ok(Some(who_said_what(&records, Some(name))))
}

#[utoipa::path(get, path = "/api/stories/{id}/quotes",
    params(("id" = String, Path, description = "Story id")),
    responses(
        (status = 200, description = "Who said what in the story: each quote once, with the articles carrying it, most carried first", body = Vec<Said>),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "No such story", body = ErrorBody)))]
async fn story_quotes(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<Said>>, ApiError> {
    let Path(id) = id.map_err(path_rejection)?;
    check_id("story", &id)?;
    let id2 = id.clone();
    blocking(&state, move |s| story_said(s, &id2))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no story {id:?}")))
}

#[utoipa::path(get, path = "/api/entities/{name}/quotes",
    params(("name" = String, Path, description = "Canonical entity name, percent-encoded"), PageParams),
    responses(
        (status = 200, description = "What the entity said in its newest articles (at most `limit` articles): each quote once, with the articles carrying it", body = Vec<Said>),
        (status = 400, description = "Malformed name", body = ErrorBody),
        (status = 404, description = "No record mentions it", body = ErrorBody)))]
async fn entity_quotes(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<Vec<Said>>, ApiError> {
    let Path(name) = name.map_err(path_rejection)?;
    let Query(params) = params.map_err(query_rejection)?;
    let (_, limit) = params.checked()?;
    check_entity(&name)?;
    let n2 = name.clone();
    blocking(&state, move |s| entity_said(s, &n2, limit))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no entity {name:?}")))
}

/// Entity names: 1 to 200 characters, no control characters.
pub(crate) fn check_entity(name: &str) -> Result<(), ApiError> {
    let n = name.chars().count();
    if n == 0 || n > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "entity name must have 1 to 200 characters and no control characters",
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/entities/{name}",
    params(("name" = String, Path, description = "Canonical entity name, percent-encoded"), PageParams),
    responses(
        (status = 200, description = "The entity, its newest articles, its stories and mentions per day", body = EntityDetail),
        (status = 400, description = "Malformed name", body = ErrorBody),
        (status = 404, description = "No record mentions it", body = ErrorBody)))]
async fn entity(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    params: Result<Query<PageParams>, QueryRejection>,
) -> Result<Json<EntityDetail>, ApiError> {
    let Path(name) = name.map_err(path_rejection)?;
    let Query(params) = params.map_err(query_rejection)?;
    let (_, limit) = params.checked()?;
    check_entity(&name)?;
    let n2 = name.clone();
    blocking(&state, move |s| Ok(s.entity(&n2, limit)?))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no entity {name:?}")))
}

/// Articles on one day: matching, all, and the share.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub(crate) struct AttentionPoint {
    /// `YYYY-MM-DD`.
    pub(crate) day: String,
    /// Matching articles that day.
    pub(crate) count: u64,
    /// All articles that day.
    pub(crate) total: u64,
    /// `count / total`.
    pub(crate) share: f64,
}

/// Attention over time for a query.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct Attention {
    /// The query.
    query: String,
    /// The filters.
    filters: Filters,
    /// One point per day with any article, ascending.
    days: Vec<AttentionPoint>,
}

/// Per-day counts of matching records, joined with the per-day totals.
pub(crate) fn attention_of(
    store: &dyn Store,
    req: &SearchRequest,
) -> Result<Vec<AttentionPoint>, ApiError> {
    let matching = store.per_day(&req.query, &req.filters)?;
    attention_from(store, req, matching)
}

/// Attention from per-day counts already known (the `day` facet of a search).
pub(crate) fn attention_from(
    store: &dyn Store,
    req: &SearchRequest,
    matching: Vec<DayCount>,
) -> Result<Vec<AttentionPoint>, ApiError> {
    let all = store.per_day("", &Filters::default())?;
    let matching: std::collections::HashMap<String, u64> =
        matching.into_iter().map(|d| (d.day, d.count)).collect();
    let (from, to) = (req.filters.from.as_deref(), req.filters.to.as_deref());
    Ok(all
        .into_iter()
        .filter(|d| {
            from.is_none_or(|f| d.day.as_str() >= f) && to.is_none_or(|t| d.day.as_str() <= t)
        })
        .map(|DayCount { day, count: total }| {
            let count = matching.get(&day).copied().unwrap_or(0);
            AttentionPoint {
                share: if total == 0 {
                    0.0
                } else {
                    count as f64 / total as f64
                },
                day,
                count,
                total,
            }
        })
        .collect())
}

#[utoipa::path(get, path = "/api/attention", params(SearchParams),
    responses(
        (status = 200, description = "Articles per day matching the query, and their share of all articles that day", body = Attention),
        (status = 400, description = "Malformed query or filter", body = ErrorBody)))]
async fn attention(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Attention>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let req = params.request()?;
    let req2 = req.clone();
    let days = blocking(&state, move |s| attention_of(s, &req2)).await?;
    Ok(Json(Attention {
        query: req.query,
        filters: req.filters,
        days,
    }))
}

/// How to read the posted body of `POST /api/analyze`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AnalyzeParams {
    /// `html`, `text` or `auto` (default: from the Content-Type, then the bytes).
    input: Option<String>,
    /// The page's URL, when known (sets `url`, `canonical_url`, `site` and the id).
    url: Option<String>,
}

#[utoipa::path(post, path = "/api/analyze", params(AnalyzeParams),
    request_body(content = String, description = "An HTML page or a plain-text article, as bytes", content_type = "text/html"),
    responses(
        (status = 200, description = "The record, not stored", body = Object),
        (status = 400, description = "Bad parameters", body = ErrorBody),
        (status = 408, description = "The body did not arrive in time", body = ErrorBody),
        (status = 413, description = "Body larger than the limit", body = ErrorBody),
        (status = 422, description = "Nothing extractable (empty, binary, no article text)", body = ErrorBody),
        (status = 503, description = "Every analysis slot stayed busy; retry after the `Retry-After` seconds", body = ErrorBody)))]
async fn analyze(
    State(state): State<AppState>,
    params: Result<Query<AnalyzeParams>, QueryRejection>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Json<Record>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let limit = state.inner.config.analyze_limit;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    // A slot first, then the body: a request waiting for a slot has read nothing yet, so
    // memory stays bounded by the slots, whatever the number of clients.
    let slots = state.inner.analyze_slots.clone();
    let permit =
        match tokio::time::timeout(state.inner.config.analyze_wait, slots.acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => {
                return Err(ApiError::busy(
                    "every analysis slot is busy; retry in a second",
                ));
            }
        };
    let body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| body_error(&e, limit))?;
    let hint = match params.input.as_deref() {
        None | Some("auto") => InputHint::Auto,
        Some("html") => InputHint::Html,
        Some("text") => InputHint::Text,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "input {other:?} is not html, text or auto"
            )));
        }
    };
    if let Some(url) = &params.url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(ApiError::bad_request(format!("url {url:?} is not http(s)")));
    }
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let origin = match &params.url {
        Some(u) => Origin::Url(u.clone()),
        None => Origin::Path("request".into()),
    };
    let mut doc = RawDoc::new(origin, hint, body.to_vec());
    doc.url = params.url;
    doc.content_type = content_type;
    let state2 = state.clone();
    tokio::task::spawn_blocking(move || {
        // The slot is held until the work is done, even when the client has gone.
        let _permit = permit;
        let record = (state2.inner.analyze)(&doc).map_err(|e| match e {
            crate::AnalyzeError::Unprocessable(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, m)
            }
            crate::AnalyzeError::Failed(m) => ApiError::internal(m),
        })?;
        Ok(Json(record))
    })
    .await
    .map_err(|e| ApiError::internal(format!("analyze task failed: {e}")))?
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("body larger than the {limit}-byte limit"),
    )
}

/// The answer to a body that could not be read: too large, too slow, or cut off.
fn body_error(e: &axum::Error, limit: usize) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return too_large(limit);
        }
        source = s.source();
    }
    if crate::limits::is_body_timeout(e) {
        return ApiError::new(StatusCode::REQUEST_TIMEOUT, e.to_string());
    }
    ApiError::bad_request(format!("could not read the body: {e}"))
}

#[utoipa::path(get, path = "/api/alerts",
    responses((status = 200, description = "Every alert, oldest first", body = [Alert])))]
async fn list_alerts(State(state): State<AppState>) -> Json<Vec<Alert>> {
    Json(
        state
            .inner
            .lock_alerts()
            .list()
            .iter()
            .map(Alert::public)
            .collect(),
    )
}

/// Creates an alert (shared by the API and the alerts page).
pub(crate) async fn create_alert_in(state: &AppState, new: NewAlert) -> Result<Alert, ApiError> {
    let state2 = state.clone();
    tokio::task::spawn_blocking(move || {
        let inner = &state2.inner;
        let mut book = inner.lock_alerts();
        book.create(new, inner.store.as_ref(), &inner.config.webhooks)
            .map(|a| a.public())
    })
    .await
    .map_err(|e| ApiError::internal(format!("alert task failed: {e}")))?
}

#[utoipa::path(post, path = "/api/alerts", request_body = NewAlert,
    responses(
        (status = 201, description = "Created; stories matching now are marked seen", body = Alert),
        (status = 400, description = "Bad name, query or webhook", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody)))]
async fn create_alert(
    State(state): State<AppState>,
    body: Result<Json<NewAlert>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(new) = body.map_err(|r| rejection(r.status(), r.body_text()))?;
    let alert = create_alert_in(&state, new).await?;
    Ok((StatusCode::CREATED, Json(alert)).into_response())
}

#[utoipa::path(get, path = "/api/alerts/{id}",
    params(("id" = String, Path, description = "Alert id")),
    responses(
        (status = 200, description = "The alert and its events, newest first", body = Alert),
        (status = 404, description = "No such alert", body = ErrorBody)))]
async fn get_alert(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Alert>, ApiError> {
    let Path(id) = id.map_err(path_rejection)?;
    check_id("alert", &id)?;
    state
        .inner
        .lock_alerts()
        .get(&id)
        .map(|a| Json(a.public()))
        .ok_or_else(|| ApiError::not_found(format!("no alert {id:?}")))
}

#[utoipa::path(delete, path = "/api/alerts/{id}",
    params(("id" = String, Path, description = "Alert id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such alert", body = ErrorBody)))]
async fn delete_alert(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id.map_err(path_rejection)?;
    check_id("alert", &id)?;
    if state.inner.lock_alerts().delete(&id)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no alert {id:?}")))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "newsmill", description = "Search, read and watch the news newsmill has ingested. Every error is `{\"error\": {\"status\", \"message\"}}`. When the server has a token, every request needs `Authorization: Bearer TOKEN`."),
    paths(search, article, stories, story, story_quotes, entity, entity_quotes, attention, analyze, list_alerts, create_alert, get_alert, delete_alert),
    components(schemas(SearchResponse, Hit, Facets, FacetCount, Filters, Sort, StoryList, StorySummary, StoryDetail, TimelineEvent, EventMention, EntityDetail, Said, SaidIn, DayCount, Attention, AttentionPoint, Alert, AlertEvent, DeliveryStatus, NewAlert, ErrorBody, ErrorDetail)),
    modifiers(&Security),
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of the API, as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    )
        .into_response()
}
