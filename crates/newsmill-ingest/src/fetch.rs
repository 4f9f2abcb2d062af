//! The polite fetcher: robots.txt, a per-host rate limit, conditional GET, retries with backoff,
//! recorded redirects, a size cap, gzip/brotli, a clear user agent and a timeout.
//!
//! [`Fetcher`] is async (reqwest on tokio); [`BlockingFetcher`] runs it on a private
//! current-thread runtime for the synchronous [`crate::Reader`].
//!
//! Politeness rules, in order, for every request (redirect hops included):
//! 1. `robots.txt` of the host is fetched (through the same rate limit), kept for a day, and
//!    obeyed for our user agent, as RFC 9309 says: its first 512 KiB are read (the RFC asks for
//!    at least 500 KiB; a longer file is cut at a line end, not refused), up to 5 redirects are
//!    followed; a missing one (4xx) allows everything, and one that cannot be read (5xx, 429, a
//!    network error, a timeout, even in the middle of its body) forbids the host until it is
//!    asked again, 5 minutes later.
//! 2. At most one request per host per [`FetchConfig::per_host_interval`] (or the host's
//!    `Crawl-delay`, when longer).
//! 3. 429 and 5xx are retried up to [`FetchConfig::max_retries`] times, waiting `Retry-After`
//!    (seconds or an HTTP date, capped at [`FetchConfig::max_retry_wait`]) or else an
//!    exponential backoff from [`FetchConfig::backoff`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use newsmill_core::{InputHint, Origin, RawDoc};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use texting_robots::Robot;
use tokio::time::Instant;

use crate::IngestError;

/// The default user agent: names the tool and where to read about it.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "newsmill/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/newsmill/newsmill)"
);

/// The fetcher's settings.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// The `User-Agent` header, and the name robots.txt rules are matched against.
    pub user_agent: String,
    /// Smallest gap between two requests to one host.
    pub per_host_interval: Duration,
    /// Timeout of one request (connect + headers + body).
    pub timeout: Duration,
    /// Largest body accepted, in bytes (after decompression).
    pub max_bytes: u64,
    /// Retries on 429, 5xx and connection errors.
    pub max_retries: u32,
    /// First backoff delay; doubled at each retry.
    pub backoff: Duration,
    /// Longest wait honoured from a `Retry-After` header.
    pub max_retry_wait: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Obey robots.txt (on by default; off only for tests and hosts you own).
    pub obey_robots: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: DEFAULT_USER_AGENT.to_string(),
            per_host_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
            max_bytes: crate::DEFAULT_MAX_BYTES,
            max_retries: 3,
            backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(120),
            max_redirects: 10,
            obey_robots: true,
        }
    }
}

/// Validators from an earlier fetch, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    /// The `ETag` seen last time.
    pub etag: Option<String>,
    /// The `Last-Modified` seen last time.
    pub last_modified: Option<String>,
}

/// A fetched response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL asked for.
    pub url: String,
    /// The URL the body came from, after redirects.
    pub final_url: String,
    /// Every URL redirected to, in order (empty without redirects).
    pub redirects: Vec<String>,
    /// The final HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// Validators for the next conditional GET.
    pub validators: Validators,
    /// When it was fetched (RFC 3339, UTC).
    pub fetched_at: String,
    /// The body, decompressed.
    pub body: Vec<u8>,
}

impl Fetched {
    /// The raw document for this response; the origin is the URL asked for (`asked`).
    pub fn into_raw_doc(self, asked: &str) -> RawDoc {
        RawDoc {
            origin: Origin::Url(asked.to_string()),
            url: Some(self.final_url),
            fetched_at: Some(self.fetched_at),
            content_type: self.content_type,
            hint: InputHint::Auto,
            bytes: self.body,
            provenance: Default::default(),
        }
    }
}

/// What a GET returned.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// A 2xx response with its body.
    Fetched(Fetched),
    /// `304 Not Modified` to a conditional GET.
    NotModified,
}

/// When each host may be asked next: a pure schedule, driven by an explicit clock.
#[derive(Debug, Default)]
pub struct HostSchedule {
    next: HashMap<String, Instant>,
}

impl HostSchedule {
    /// Reserves the next slot for `host` at or after `now`, `interval` after the previous one,
    /// and returns it.
    pub fn reserve(&mut self, host: &str, now: Instant, interval: Duration) -> Instant {
        let slot = self.next.get(host).map_or(now, |&n| n.max(now));
        self.next.insert(host.to_string(), slot + interval);
        slot
    }

    /// Pushes `host`'s next slot to at least `at` (a `Retry-After` from the host).
    pub fn defer(&mut self, host: &str, at: Instant) {
        let e = self.next.entry(host.to_string()).or_insert(at);
        *e = (*e).max(at);
    }
}

#[derive(Debug)]
enum RobotsRule {
    AllowAll,
    /// robots.txt could not be read: the host is off limits for now (RFC 9309 2.3.1.4).
    Unreachable(String),
    Rules(Box<Robot>),
}

/// How much of a robots.txt is read (RFC 9309 asks for at least 500 KiB).
pub const ROBOTS_MAX_BYTES: usize = 512 << 10;
/// How long a robots.txt is kept (RFC 9309: no longer than 24 hours).
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a robots.txt that could not be read keeps its host off limits before it is asked
/// again.
const ROBOTS_RETRY: Duration = Duration::from_secs(300);
/// Redirects of a robots.txt followed (RFC 9309: at least five).
const ROBOTS_REDIRECTS: usize = 5;

/// The async polite fetcher. Cheap to share behind an `Arc`; all state is internal.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    schedule: Mutex<HostSchedule>,
    robots: tokio::sync::Mutex<HashMap<String, (std::sync::Arc<RobotsRule>, Instant)>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn fetch_err(url: &str, message: impl Into<String>) -> IngestError {
    IngestError::Fetch {
        url: url.to_string(),
        message: message.into(),
    }
}

/// An error that may pass: see [`IngestError::Unavailable`].
fn unavailable(url: &str, message: impl Into<String>) -> IngestError {
    IngestError::Unavailable {
        url: url.to_string(),
        message: message.into(),
    }
}

/// Host and port of a URL: the unit of politeness.
fn host_key(url: &reqwest::Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    }
}

impl Fetcher {
    /// A fetcher with `config`.
    pub fn new(config: FetchConfig) -> Result<Fetcher, IngestError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| fetch_err("(client)", format!("cannot build HTTP client: {e}")))?;
        Ok(Fetcher {
            client,
            config,
            schedule: Mutex::new(HostSchedule::default()),
            robots: tokio::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The settings.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    async fn wait_turn(&self, host: &str, extra: Duration) {
        let slot = {
            let mut s = self.schedule.lock().unwrap_or_else(|p| p.into_inner());
            s.reserve(
                host,
                Instant::now(),
                self.config.per_host_interval.max(extra),
            )
        };
        tokio::time::sleep_until(slot).await;
    }

    async fn robots_for(&self, url: &reqwest::Url) -> std::sync::Arc<RobotsRule> {
        let key = format!("{}://{}", url.scheme(), host_key(url));
        let mut cache = self.robots.lock().await;
        if let Some((rule, expires)) = cache.get(&key)
            && *expires > Instant::now()
        {
            return rule.clone();
        }
        let rule = self.fetch_robots(&format!("{key}/robots.txt")).await;
        let ttl = match rule {
            RobotsRule::Unreachable(_) => ROBOTS_RETRY,
            _ => ROBOTS_TTL,
        };
        let rule = std::sync::Arc::new(rule);
        cache.insert(key, (rule.clone(), Instant::now() + ttl));
        rule
    }

    /// Fetches and reads one robots.txt, following its redirects (RFC 9309 2.3.1).
    async fn fetch_robots(&self, first: &str) -> RobotsRule {
        let Ok(mut robots_url) = reqwest::Url::parse(first) else {
            return RobotsRule::AllowAll;
        };
        for _ in 0..=ROBOTS_REDIRECTS {
            self.wait_turn(&host_key(&robots_url), Duration::ZERO).await;
            let resp = match self.client.get(robots_url.clone()).send().await {
                Ok(resp) => resp,
                Err(e) => {
                    return RobotsRule::Unreachable(format!(
                        "robots.txt unreachable: {}",
                        short(&e)
                    ));
                }
            };
            let status = resp.status();
            if status.is_redirection() {
                let next = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| robots_url.join(l).ok());
                match next {
                    Some(next) if matches!(next.scheme(), "http" | "https") => {
                        robots_url = next;
                        continue;
                    }
                    // A redirect to nowhere: as if there were no robots.txt.
                    _ => return RobotsRule::AllowAll,
                }
            }
            if status.is_success() {
                return match read_prefix(resp, ROBOTS_MAX_BYTES).await {
                    Ok(body) => match Robot::new(&self.config.user_agent, &body) {
                        Ok(r) => RobotsRule::Rules(Box::new(r)),
                        // Nothing parses as a rule: no rule forbids anything.
                        Err(_) => RobotsRule::AllowAll,
                    },
                    Err(e) => RobotsRule::Unreachable(format!(
                        "robots.txt could not be read: {}",
                        short(&e)
                    )),
                };
            }
            if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
                return RobotsRule::AllowAll;
            }
            return RobotsRule::Unreachable(format!("robots.txt answered {status}"));
        }
        // More redirects than the RFC asks to follow: robots.txt is unavailable, which allows.
        RobotsRule::AllowAll
    }

    /// GETs `url` politely; with `validators`, as a conditional GET.
    pub async fn get(
        &self,
        url: &str,
        validators: Option<&Validators>,
    ) -> Result<FetchOutcome, IngestError> {
        let mut current =
            reqwest::Url::parse(url).map_err(|e| fetch_err(url, format!("bad URL: {e}")))?;
        let mut redirects = Vec::new();
        loop {
            if !matches!(current.scheme(), "http" | "https") {
                return Err(fetch_err(
                    url,
                    format!("unsupported scheme {}", current.scheme()),
                ));
            }
            let mut crawl_delay = Duration::ZERO;
            if self.config.obey_robots {
                let rule = self.robots_for(&current).await;
                match &*rule {
                    RobotsRule::AllowAll => {}
                    RobotsRule::Unreachable(why) => return Err(unavailable(url, why.clone())),
                    RobotsRule::Rules(robot) => {
                        if !robot.allowed(current.as_str()) {
                            return Err(fetch_err(
                                url,
                                format!("disallowed by robots.txt: {current}"),
                            ));
                        }
                        if let Some(d) = robot.delay {
                            crawl_delay = Duration::from_secs_f32(d.clamp(0.0, 60.0));
                        }
                    }
                }
            }
            let resp = self
                .send_with_retries(url, &current, validators, crawl_delay)
                .await?;
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(loc) = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                else {
                    return Err(fetch_err(url, format!("{status} without a Location")));
                };
                let next = current
                    .join(loc)
                    .map_err(|e| fetch_err(url, format!("bad redirect {loc:?}: {e}")))?;
                if redirects.len() >= self.config.max_redirects {
                    return Err(fetch_err(
                        url,
                        format!("more than {} redirects", self.config.max_redirects),
                    ));
                }
                redirects.push(next.to_string());
                current = next;
                continue;
            }
            if status == StatusCode::NOT_MODIFIED {
                return Ok(FetchOutcome::NotModified);
            }
            if status == StatusCode::REQUEST_TIMEOUT {
                return Err(unavailable(url, format!("HTTP {status}")));
            }
            if !status.is_success() {
                return Err(fetch_err(url, format!("HTTP {status}")));
            }
            let headers = resp.headers().clone();
            let body = read_capped(resp, self.config.max_bytes, url).await?;
            return Ok(FetchOutcome::Fetched(Fetched {
                url: url.to_string(),
                final_url: current.to_string(),
                redirects,
                status: status.as_u16(),
                content_type: header_str(&headers, header::CONTENT_TYPE),
                validators: Validators {
                    etag: header_str(&headers, header::ETAG),
                    last_modified: header_str(&headers, header::LAST_MODIFIED),
                },
                fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                body,
            }));
        }
    }

    async fn send_with_retries(
        &self,
        asked: &str,
        url: &reqwest::Url,
        validators: Option<&Validators>,
        crawl_delay: Duration,
    ) -> Result<reqwest::Response, IngestError> {
        let host = host_key(url);
        let mut attempt = 0;
        loop {
            self.wait_turn(&host, crawl_delay).await;
            let mut req = self.client.get(url.clone());
            if let Some(v) = validators {
                if let Some(e) = &v.etag {
                    req = req.header(header::IF_NONE_MATCH, e);
                }
                if let Some(m) = &v.last_modified {
                    req = req.header(header::IF_MODIFIED_SINCE, m);
                }
            }
            let result = req.send().await;
            let retry_after = match &result {
                Ok(resp)
                    if resp.status() == StatusCode::TOO_MANY_REQUESTS
                        || resp.status().is_server_error() =>
                {
                    Some(
                        retry_after(resp.headers())
                            .unwrap_or(self.config.backoff * 2u32.saturating_pow(attempt)),
                    )
                }
                Ok(_) => None,
                // A timeout is not retried: a host that never answers must not hold us up.
                Err(e) if e.is_timeout() => {
                    return Err(unavailable(
                        asked,
                        format!("timed out after {:?}", self.config.timeout),
                    ));
                }
                Err(_) => Some(self.config.backoff * 2u32.saturating_pow(attempt)),
            };
            match (result, retry_after) {
                (Ok(resp), None) => return Ok(resp),
                (result, Some(wait)) if attempt < self.config.max_retries => {
                    let _ = result;
                    if wait > self.config.max_retry_wait {
                        return Err(unavailable(
                            asked,
                            format!("asked to retry after {wait:?}, longer than the limit"),
                        ));
                    }
                    attempt += 1;
                    let at = Instant::now() + wait;
                    self.schedule
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .defer(&host, at);
                }
                (Ok(resp), Some(_)) => {
                    return Err(unavailable(
                        asked,
                        format!("HTTP {} after {attempt} retries", resp.status()),
                    ));
                }
                (Err(e), _) => {
                    return Err(unavailable(
                        asked,
                        format!("{} after {attempt} retries", short(&e)),
                    ));
                }
            }
        }
    }
}

fn short(e: &reqwest::Error) -> String {
    let mut msg = if e.is_connect() {
        "connection failed".to_string()
    } else if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Parses `Retry-After`: delta seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v: &HeaderValue = headers.get(header::RETRY_AFTER)?;
    let s = v.to_str().ok()?.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(s).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// Reads a body, failing as soon as it passes `cap` bytes (declared or actual).
async fn read_capped(
    mut resp: reqwest::Response,
    cap: u64,
    url: &str,
) -> Result<Vec<u8>, IngestError> {
    if resp.content_length().is_some_and(|n| n > cap) {
        return Err(IngestError::TooLarge {
            input: url.to_string(),
            limit: cap,
        });
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > cap {
                    return Err(IngestError::TooLarge {
                        input: url.to_string(),
                        limit: cap,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(unavailable(url, format!("reading body: {}", short(&e)))),
        }
    }
}

/// Reads at most `cap` bytes of a body, cut after its last line end when the body is longer
/// (what is past the cap is not read). Fails when the body cannot be read (a timeout, a reset).
async fn read_prefix(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        body.extend_from_slice(&chunk);
        if body.len() >= cap {
            body.truncate(cap);
            if let Some(end) = body.iter().rposition(|&b| b == b'\n') {
                body.truncate(end + 1);
            }
            break;
        }
    }
    Ok(body)
}

/// [`Fetcher`] behind a blocking call, on its own current-thread tokio runtime.
pub struct BlockingFetcher {
    runtime: tokio::runtime::Runtime,
    inner: Fetcher,
}

impl std::fmt::Debug for BlockingFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl BlockingFetcher {
    /// A blocking fetcher with `config`.
    pub fn new(config: FetchConfig) -> Result<BlockingFetcher, IngestError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| IngestError::io("(runtime)", e))?;
        let inner = {
            let _guard = runtime.enter();
            Fetcher::new(config)?
        };
        Ok(BlockingFetcher { runtime, inner })
    }

    /// See [`Fetcher::get`].
    pub fn get(
        &self,
        url: &str,
        validators: Option<&Validators>,
    ) -> Result<FetchOutcome, IngestError> {
        self.runtime.block_on(self.inner.get(url, validators))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_spaces_requests_per_host() {
        let mut s = HostSchedule::default();
        let t0 = Instant::now();
        let sec = Duration::from_secs(1);
        assert_eq!(s.reserve("a", t0, sec), t0);
        assert_eq!(s.reserve("a", t0, sec), t0 + sec);
        assert_eq!(s.reserve("b", t0, sec), t0, "hosts are independent");
        assert_eq!(s.reserve("a", t0 + 5 * sec, sec), t0 + 5 * sec);
        s.defer("a", t0 + 30 * sec);
        assert_eq!(s.reserve("a", t0 + 6 * sec, sec), t0 + 30 * sec);
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO), "a past date: now");
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
