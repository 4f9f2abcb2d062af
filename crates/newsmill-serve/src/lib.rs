//! `newsmill serve`: the HTTP API, the web pages and the alerts.
//!
//! This is the only async crate of newsmill (axum on tokio). It reads the store through the
//! small [`Store`] trait; [`IndexStore`] implements it over newsmill-index, for the binary and
//! the tests alike.
//!
//! What it serves:
//! - a JSON API under `/api/`, described by the OpenAPI document at `/api/openapi.json`
//!   (search with filters and facets, an article, stories, an entity, who said what in a
//!   story and what an entity said (each quote once, with the outlets carrying it), attention
//!   over time, `POST /api/analyze`, alerts);
//! - HTML pages rendered on the server with maud (auto-escaped), with CSS and a few lines of
//!   optional JavaScript embedded in the binary: search, article, story, stories, entity,
//!   alerts. Every page works without JavaScript;
//! - alerts: saved searches persisted in `DATA/state/alerts.json` (written through
//!   newsmill-index, the only crate that writes the data directory), checked whenever the store's
//!   generation changes, one event per new story, delivered to an Atom feed and, when asked,
//!   to a webhook the operator configured.
//!
//! What it deliberately does not do: write the index or any file itself, read files other
//! than its alerts file,
//! fetch anything but configured webhooks, or serve anything it has not compiled in.
//!
//! ```
//! use std::sync::Arc;
//! use newsmill_serve::{IndexStore, ServeConfig, Server};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("newsmill-serve-doc-{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&dir);
//! // A store `newsmill ingest --data DIR` filled; here an empty one.
//! newsmill_index::Store::create(&dir).unwrap();
//! let store = IndexStore::open(&dir).unwrap();
//! let mut config = ServeConfig::new(&dir);
//! config.addr = "127.0.0.1:0".parse().unwrap();
//! let server = Server::bind(config, Arc::new(store)).await.unwrap();
//! assert!(server.local_addr().ip().is_loopback());
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # });
//! ```

pub mod alerts;
mod api;
mod chart;
mod error;
mod index_store;
mod limits;
mod pages;
mod said;
mod security;
mod store;
mod when;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use newsmill_core::{RawDoc, Record};
use newsmill_extract::ExtractConfig;

pub use api::openapi_json;
pub use error::{ApiError, Error, ErrorBody, ErrorDetail, Result};
pub use index_store::{DATE_SORT_LIMIT, IndexStore};
pub use said::{Said, SaidIn, who_said_what};
pub use security::CSP;
pub use store::{
    DayCount, EntityDetail, EventMention, FacetCount, Facets, Filters, Hit, SearchPage,
    SearchRequest, Sort, Store, StoreError, StoreResult, StoryDetail, StorySummary, TimelineEvent,
    snippet, timeline,
};

/// A function the server runs on every record `POST /api/analyze` extracts (the NLP stage),
/// given by the binary so this crate does not depend on the models.
pub type Enricher = Arc<dyn Fn(&mut Record) + Send + Sync>;

/// Why `POST /api/analyze` made no record of a body.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// Nothing extractable (empty, binary, no article text): answered 422.
    #[error("{0}")]
    Unprocessable(String),
    /// A stage failed on a body it had accepted (the NLP stage panicked): answered 500.
    #[error("{0}")]
    Failed(String),
}

/// What `POST /api/analyze` runs on a posted document: the binary passes the pipeline `ingest`
/// runs (extraction, then entities, quotes, dates), so both paths give the same record.
pub type Analyzer = Arc<dyn Fn(&RawDoc) -> std::result::Result<Record, AnalyzeError> + Send + Sync>;

/// An [`Analyzer`] of extraction (default settings) followed by `enrich`, when given: for
/// callers without a pipeline of their own (tests, [`AppState::with_enricher`]).
pub fn extract_then(enrich: Option<Enricher>) -> Analyzer {
    let config = ExtractConfig::default();
    Arc::new(move |doc: &RawDoc| {
        let mut record = newsmill_extract::extract(doc, &config)
            .map_err(|e| AnalyzeError::Unprocessable(e.to_string()))?;
        if let Some(f) = &enrich {
            f(&mut record);
        }
        Ok(record)
    })
}

/// Settings of the server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to bind. A non-loopback address requires `token`.
    pub addr: SocketAddr,
    /// The data directory (alerts live in `DATA/serve/`).
    pub data_dir: PathBuf,
    /// The API token; required for every `/api/` request and every write when set.
    pub token: Option<String>,
    /// Webhook URLs alerts may deliver to; an alert can name only one of these.
    pub webhooks: Vec<String>,
    /// Largest request body, in bytes, for every route but `POST /api/analyze`.
    pub body_limit: usize,
    /// Largest body of `POST /api/analyze`.
    pub analyze_limit: usize,
    /// How often to look for new records to check alerts against.
    pub poll_interval: Duration,
    /// Delivery attempts per webhook event.
    pub webhook_attempts: u32,
    /// Wait before the second attempt; doubled before each next one.
    pub webhook_backoff: Duration,
    /// Longest a client may take to send a request's headers, counted from when the server
    /// starts waiting for them (a new connection, or an idle kept-alive one): half-sent and
    /// idle connections are closed after this.
    pub header_timeout: Duration,
    /// Longest a client may take to send a request's body, in all.
    pub body_timeout: Duration,
    /// Most connections open at once; one more is answered `503` and closed.
    pub max_connections: usize,
    /// Most `POST /api/analyze` requests read and run at once; the others wait for a slot.
    pub analyze_concurrency: usize,
    /// Longest a `POST /api/analyze` request waits for a slot before it is answered `503`
    /// with `Retry-After` (it sends no body until it has one, so waiting costs no memory).
    pub analyze_wait: Duration,
    /// Most store reads (searches, pages) run at once; the others wait for a slot. Each read
    /// holds its own buffers (facet counts, records), so this bounds their memory.
    pub read_concurrency: usize,
    /// Longest a read waits for a slot before it is answered `503` with `Retry-After`.
    pub read_wait: Duration,
}

impl ServeConfig {
    /// Defaults: `127.0.0.1:8080`, no token, no webhooks, 64 KiB bodies (8 MiB to analyze),
    /// alerts checked every 2 s, 5 webhook attempts starting 1 s apart; 20 s for headers and
    /// 60 s for a body, 512 connections, two analyses per core at once, waiting at most 10 s
    /// for a slot, and four store reads per core at once, waiting at most 30 s.
    pub fn new(data_dir: impl Into<PathBuf>) -> ServeConfig {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            token: None,
            webhooks: Vec::new(),
            body_limit: 64 * 1024,
            analyze_limit: 8 * 1024 * 1024,
            poll_interval: Duration::from_secs(2),
            webhook_attempts: 5,
            webhook_backoff: Duration::from_secs(1),
            header_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(60),
            max_connections: 512,
            analyze_concurrency: 2 * cores.max(1),
            analyze_wait: Duration::from_secs(10),
            read_concurrency: 4 * cores.max(1),
            read_wait: Duration::from_secs(30),
        }
    }

    /// Checks the security rules: a token on any non-loopback bind, webhooks absolute http(s).
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = &self.token
            && t.len() < 16
        {
            return Err(Error::WeakToken);
        }
        if !self.addr.ip().is_loopback() && self.token.is_none() {
            return Err(Error::TokenRequired { addr: self.addr });
        }
        for url in &self.webhooks {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.len() < 10
                || url.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(Error::BadWebhook { url: url.clone() });
            }
        }
        Ok(())
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: ServeConfig,
    pub(crate) loopback: bool,
    pub(crate) alerts: Mutex<alerts::AlertBook>,
    pub(crate) http: reqwest::Client,
    pub(crate) analyze: Analyzer,
    /// Slots of `POST /api/analyze`.
    pub(crate) analyze_slots: Arc<tokio::sync::Semaphore>,
    /// Slots of store reads.
    pub(crate) read_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// State over `store` with `config`; loads the alerts from the data directory.
    pub fn new(config: ServeConfig, store: Arc<dyn Store>) -> Result<AppState> {
        AppState::with_enricher(config, store, None)
    }

    /// State that also runs `enrich` (the NLP stage) on every record `POST /api/analyze`
    /// extracts.
    pub fn with_enricher(
        config: ServeConfig,
        store: Arc<dyn Store>,
        enrich: Option<Enricher>,
    ) -> Result<AppState> {
        AppState::with_analyzer(config, store, extract_then(enrich))
    }

    /// State whose `POST /api/analyze` runs `analyze` (the binary's ingest pipeline).
    pub fn with_analyzer(
        config: ServeConfig,
        store: Arc<dyn Store>,
        analyze: Analyzer,
    ) -> Result<AppState> {
        config.validate()?;
        let slots = config.analyze_concurrency.max(1);
        let reads = config.read_concurrency.max(1);
        let book = alerts::AlertBook::load(&config.data_dir)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Io {
                what: "webhook client".into(),
                source: std::io::Error::other(e),
            })?;
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                loopback: config.addr.ip().is_loopback(),
                config,
                alerts: Mutex::new(book),
                http,
                analyze,
                analyze_slots: Arc::new(tokio::sync::Semaphore::new(slots)),
                read_slots: Arc::new(tokio::sync::Semaphore::new(reads)),
            }),
        })
    }

    /// Checks every alert against the store now; delivers new events to their webhooks in the
    /// background. Returns the number of new events.
    pub async fn check_alerts(&self) -> usize {
        let state = self.clone();
        let deliveries = tokio::task::spawn_blocking(move || {
            let mut book = state.inner.lock_alerts();
            book.evaluate(state.inner.store.as_ref())
        })
        .await
        .unwrap_or_default();
        let n = deliveries.len();
        for d in deliveries {
            let state = self.clone();
            tokio::spawn(async move { alerts::deliver(&state, d).await });
        }
        n
    }
}

impl Inner {
    pub(crate) fn lock_alerts(&self) -> std::sync::MutexGuard<'_, alerts::AlertBook> {
        self.alerts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The whole application: API, pages and assets, behind the security guard.
pub fn router(state: AppState) -> Router {
    let analyze_limit = state.inner.config.analyze_limit;
    let body_limit = state.inner.config.body_limit;
    Router::new()
        .merge(api::routes(analyze_limit))
        .merge(pages::routes())
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::body_deadline,
        ))
        .with_state(state)
}

/// A bound server, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: AppState,
}

impl Server {
    /// Checks `config` (a token on any non-loopback address) and binds its address.
    pub async fn bind(config: ServeConfig, store: Arc<dyn Store>) -> Result<Server> {
        let addr = config.addr;
        let state = AppState::new(config, store)?;
        Server::bind_state(addr, state).await
    }

    /// Binds `addr` for an already built state (with an enricher, say).
    pub async fn bind_state(addr: SocketAddr, state: AppState) -> Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Io {
                what: format!("binding {addr}"),
                source,
            })?;
        Ok(Server { listener, state })
    }

    /// The address actually bound (the port, when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.state.inner.config.addr)
    }

    /// The handlers' state (to check alerts by hand in tests).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `shutdown` completes, checking alerts whenever the store changes.
    ///
    /// Each connection gets [`ServeConfig::header_timeout`] to send each request's headers and
    /// [`ServeConfig::body_timeout`] for its body; at most [`ServeConfig::max_connections`] are
    /// open at once (one more is answered `503` and closed). On shutdown, requests in flight
    /// finish (for at most 10 s) and idle connections are closed.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let poller = tokio::spawn(poll_alerts(self.state.clone()));
        let config = self.state.inner.config.clone();
        let app = router(self.state);
        limits::serve(self.listener, app, &config, shutdown).await;
        poller.abort();
        Ok(())
    }
}

/// Runs the server on its own tokio runtime until Ctrl-C (or SIGTERM), for callers that are not
/// async (the `newsmill` binary). `on_ready` gets the bound address once it is listening.
pub fn run_blocking(
    config: ServeConfig,
    store: Arc<dyn Store>,
    analyze: Analyzer,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let addr = config.addr;
    let state = AppState::with_analyzer(config, store, analyze)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            what: "starting the async runtime".into(),
            source,
        })?;
    runtime.block_on(async move {
        let server = Server::bind_state(addr, state).await?;
        on_ready(server.local_addr());
        server.run(shutdown_signal()).await
    })
}

/// Completes on Ctrl-C, or on SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Checks alerts at start, then whenever the store's generation changes.
async fn poll_alerts(state: AppState) {
    let mut last = None;
    let mut tick = tokio::time::interval(state.inner.config.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let store = state.inner.store.clone();
        let Ok(generation) = tokio::task::spawn_blocking(move || store.generation()).await else {
            continue;
        };
        if last != Some(generation) {
            last = Some(generation);
            state.check_alerts().await;
        }
    }
}
