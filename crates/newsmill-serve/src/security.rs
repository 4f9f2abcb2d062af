//! Request guards and response headers.
//!
//! - On a loopback bind, the `Host` header must name a loopback host, so a page on another
//!   site cannot reach the server through DNS rebinding.
//! - Writes (any method but GET and HEAD) from another origin are refused, by `Origin` and
//!   `Sec-Fetch-Site`, so a hostile page cannot post forms to a local server.
//! - With a token (required on any non-loopback bind), every `/api/` request and every write
//!   must carry `Authorization: Bearer TOKEN`; the page forms may send it as a `token` field.
//! - Every response carries a strict Content-Security-Policy and related headers.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;

/// The Content-Security-Policy of every response: only this origin's own script and style,
/// no inline script, no plugins, no framing, forms only to this origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Whether the request carried the right bearer token (or none is required).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Authorized(pub(crate) bool);

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when `token` is the configured one (or no token is configured).
pub(crate) fn token_ok(state: &AppState, token: Option<&str>) -> bool {
    match &state.inner.config.token {
        None => true,
        Some(want) => token.is_some_and(|t| constant_time_eq(t.as_bytes(), want.as_bytes())),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The host part of a `Host` header value (`[::1]:8080` → `[::1]`, `localhost:80` → `localhost`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..h.len() + 1]);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let h = host_name(host).to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") || h == "[::1]" {
        return true;
    }
    h.parse::<std::net::Ipv4Addr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// The guard every request passes through, and the headers every response gets.
pub(crate) async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    if state.inner.loopback && !is_loopback_host(&host) {
        return with_headers(
            ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "host {host:?} is not a loopback name; this server only answers on loopback"
                ),
            )
            .into_response(),
        );
    }
    let write = !matches!(*req.method(), Method::GET | Method::HEAD);
    if write && cross_origin(headers, &host) {
        return with_headers(
            ApiError::new(StatusCode::FORBIDDEN, "cross-origin write refused").into_response(),
        );
    }
    let authorized = token_ok(&state, bearer(headers));
    let api = req.uri().path().starts_with("/api/");
    if api && !authorized {
        let mut resp = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing or wrong API token (send Authorization: Bearer TOKEN)",
        )
        .into_response();
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return with_headers(resp);
    }
    req.extensions_mut().insert(Authorized(authorized));
    with_headers(next.run(req).await)
}

/// True when the request says it comes from another origin.
fn cross_origin(headers: &HeaderMap, host: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && matches!(site, "cross-site" | "same-site")
    {
        return true;
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let rest = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        return rest != Some(host);
    }
    false
}

fn with_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost:8080",
            "127.0.0.1",
            "127.1.2.3:80",
            "[::1]:8080",
            "a.localhost",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "evil.com",
            "10.0.0.1:8080",
            "localhost.evil.com",
            "",
            "[::2]",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn token_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
