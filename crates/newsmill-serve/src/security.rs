//! Request guards and response headers.
//!
//! - On a loopback bind, the `Host` header must name a loopback host, so a page on another
//!   site cannot reach the server through DNS rebinding.
//! - Writes (any method but GET and HEAD) from another origin are refused, by `Origin` and
//!   `Sec-Fetch-Site`, so a hostile page cannot post forms to a local server.
//! - With a token (required on any non-loopback bind), every `/api/` request and every write
//!   must carry `Authorization: Bearer TOKEN`; the page forms may send it as a `token` field.
//!   Reading a page needs it too: a bearer header, or the session cookie the server sets when a
//!   page is opened with `?token=TOKEN` (it then redirects to the same page without the token
//!   in the address). Without either, a page answers 401 with a sign-in form. The cookie holds
//!   a SHA-256 of the token, not the token, and is `HttpOnly; SameSite=Strict`. Only the
//!   compiled-in assets (`/assets/`) are served without it.
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

/// Name of the session cookie that carries a hash of the token for the pages.
pub(crate) const COOKIE: &str = "newsmill_session";

/// The cookie value for `token`: its SHA-256 in hex.
fn session_value(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(format!("newsmill-session:{token}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// True when the request carries the session cookie of the configured token.
fn session_ok(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(want) = &state.inner.config.token else {
        return true;
    };
    let want = session_value(want);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(k, v)| k == COOKIE && constant_time_eq(v.as_bytes(), want.as_bytes()))
}

/// The `token` parameter of a query string, and the query without it.
fn split_token(query: &str) -> (Option<String>, String) {
    let mut token = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("token=") {
            Some(t) => token = Some(percent_decode(t)),
            None => rest.push(pair),
        }
    }
    (token, rest.join("&"))
}

/// Decodes `%XX` escapes and `+` of a query value.
fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `path` as a local path to send a browser to: one leading `/` and no backslash. A request
/// path may start with `//` (or `/\`, which browsers read the same way), and as a `Location`
/// or a form's `action` that names another host: `//evil.example/` would send the signed-in
/// browser, or the token typed into the form, there.
pub(crate) fn local_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    format!("/{}", p.trim_start_matches('/'))
}

/// The 401 page of a server with a token: a sign-in form that reopens `path` with the token.
fn sign_in_page(path: &str, wrong: bool) -> Response {
    let path = html_escape(&local_path(path));
    let note = if wrong {
        "<p role=\"alert\">That token is not the right one.</p>"
    } else {
        ""
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>newsmill: sign in</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body><main><h1>newsmill</h1><p>This server asks for its access token.</p>{note}<form method=\"get\" action=\"{path}\"><label>Access token <input type=\"password\" name=\"token\" required autocomplete=\"off\" autofocus></label> <button type=\"submit\">Open</button></form></main></body></html>"
    );
    let mut resp = (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
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
    // Pages: a GET needs the token too (header, session cookie, or `?token=` to sign in);
    // page writes check the form's token in their handlers.
    let page = !api && !req.uri().path().starts_with("/assets/");
    if page && !write && !authorized && !session_ok(&state, headers) {
        let path = local_path(req.uri().path());
        let (token, rest) = split_token(req.uri().query().unwrap_or(""));
        return with_headers(match token {
            Some(t) if token_ok(&state, Some(&t)) => {
                let location = if rest.is_empty() {
                    path
                } else {
                    format!("{path}?{rest}")
                };
                let cookie = format!(
                    "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
                    session_value(&t)
                );
                let mut resp = StatusCode::SEE_OTHER.into_response();
                let h = resp.headers_mut();
                if let (Ok(l), Ok(c)) = (
                    HeaderValue::from_str(&location),
                    HeaderValue::from_str(&cookie),
                ) {
                    h.insert(header::LOCATION, l);
                    h.insert(header::SET_COOKIE, c);
                }
                resp
            }
            Some(_) => sign_in_page(&path, true),
            None => sign_in_page(&path, false),
        });
    }
    let authorized = authorized || (page && session_ok(&state, req.headers()));
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
    fn redirects_stay_on_this_host() {
        assert_eq!(local_path("//evil.example/"), "/evil.example/");
        assert_eq!(local_path("/\\evil.example"), "/evil.example");
        assert_eq!(local_path("///a//b"), "/a//b");
        assert_eq!(local_path("/stories/x"), "/stories/x");
        assert_eq!(local_path(""), "/");
    }

    #[test]
    fn token_in_the_query() {
        assert_eq!(
            split_token("q=a+b&token=abc%2Fd&page=2"),
            (Some("abc/d".to_string()), "q=a+b&page=2".to_string())
        );
        assert_eq!(split_token(""), (None, String::new()));
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn token_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
