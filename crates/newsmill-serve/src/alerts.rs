//! Alerts: saved searches that report each new story matching them.
//!
//! An alert is a query. When it is created, the stories already matching it are marked seen,
//! so it reports only what comes after. Every check (at start, then whenever the store's
//! generation changes: after each ingest batch, including `ingest --follow`) asks the store for
//! the stories matching each alert's query; every story not seen before becomes one event, so
//! a story that gains ten articles alerts once, not ten times. When the story stage merges
//! two stories (one event after all), the survivor lists the absorbed ids as its `aliases`:
//! a story any of whose ids was reported is not reported again, so an alert fires once per
//! real story.
//!
//! Events go to the alert's Atom feed (`/alerts/{id}/feed.atom`) and, when the alert names one,
//! to a webhook: a JSON POST, retried with doubling back-off. An alert may only name a webhook
//! URL the operator configured (`--webhook`), so the API cannot make the server post anywhere
//! else.
//!
//! Alerts persist in `DATA/state/alerts.json`, written by newsmill-index (the only crate that
//! writes the data directory) to a temporary file, synced and renamed, so a crash leaves the
//! old file or the new one, never half of one. A book saved by an older newsmill in
//! `DATA/serve/alerts.json` is read when there is no new one (and saved to the new place).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::error::{Error, Result};
use crate::store::{Filters, Store, StorySummary};
use crate::{ApiError, AppState};

/// Events kept per alert (the feed shows them; older ones are dropped).
pub const MAX_EVENTS: usize = 200;
/// Stories asked of the store per alert and check.
const STORIES_PER_CHECK: usize = 500;
/// Alerts at most (each costs a query per check).
pub const MAX_ALERTS: usize = 200;

/// What a client sends to create an alert.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAlert {
    /// A name for people (1 to 200 characters).
    pub name: String,
    /// The saved search, in the store's query language.
    pub query: String,
    /// A webhook URL to POST events to; must be one of the server's configured webhooks.
    #[serde(default)]
    pub webhook: Option<String>,
}

/// One new story reported by an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AlertEvent {
    /// The story.
    pub story: String,
    /// Its title.
    pub title: Option<String>,
    /// Articles in it when found.
    pub articles: u64,
    /// Sites that carried it.
    pub sites: Vec<String>,
    /// Publication date of its first article.
    pub published: Option<String>,
    /// When the alert found it (RFC 3339, UTC).
    pub detected: String,
}

/// The state of an alert's webhook deliveries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryStatus {
    /// Events delivered.
    pub delivered: u64,
    /// Events given up on after every attempt failed.
    pub failed: u64,
    /// The last error, when the last delivery failed.
    pub last_error: Option<String>,
}

/// A saved search.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Alert {
    /// Id (12 hex digits).
    pub id: String,
    /// Name.
    pub name: String,
    /// Query.
    pub query: String,
    /// Webhook URL, one of the configured ones.
    pub webhook: Option<String>,
    /// When it was created (RFC 3339, UTC).
    pub created: String,
    /// Newest events first (at most [`MAX_EVENTS`]).
    pub events: Vec<AlertEvent>,
    /// Webhook deliveries.
    #[serde(default)]
    pub delivery: DeliveryStatus,
    /// Stories already reported (or present when the alert was created).
    #[serde(default)]
    #[schema(ignore)]
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub(crate) seen: BTreeSet<String>,
}

impl Alert {
    /// The alert without its seen set (what the API shows).
    pub fn public(&self) -> Alert {
        Alert {
            seen: BTreeSet::new(),
            ..self.clone()
        }
    }
}

/// One webhook POST to make.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    alert: String,
    url: String,
    body: String,
}

/// The alerts and the file they live in.
#[derive(Debug, Clone, Default)]
pub(crate) struct AlertBook {
    data_dir: PathBuf,
    alerts: Vec<Alert>,
}

/// Name of the alerts' state file (`DATA/state/alerts.json`).
const STATE: &str = "alerts";

#[derive(Serialize, Deserialize)]
struct File {
    alerts: Vec<Alert>,
}

/// Now as RFC 3339 UTC, to the second.
pub(crate) fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

impl AlertBook {
    /// Loads `DATA/state/alerts.json` (or an older `DATA/serve/alerts.json`); a missing file
    /// is an empty book.
    pub(crate) fn load(data_dir: &Path) -> Result<AlertBook> {
        let failed = |path: String, message: String| Error::Alerts { path, message };
        let file = match newsmill_index::load_state_in::<File>(data_dir, STATE) {
            Ok(Some(f)) => Some(f),
            Ok(None) => {
                let old = data_dir.join("serve").join("alerts.json");
                match fs_err::read(&old) {
                    Ok(bytes) => Some(
                        serde_json::from_slice::<File>(&bytes)
                            .map_err(|e| failed(old.display().to_string(), e.to_string()))?,
                    ),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(failed(old.display().to_string(), e.to_string())),
                }
            }
            Err(e) => {
                return Err(failed(
                    data_dir
                        .join("state")
                        .join("alerts.json")
                        .display()
                        .to_string(),
                    e.to_string(),
                ));
            }
        };
        Ok(AlertBook {
            data_dir: data_dir.to_path_buf(),
            alerts: file.map(|f| f.alerts).unwrap_or_default(),
        })
    }

    fn save(&self) -> std::result::Result<(), ApiError> {
        newsmill_index::save_state_in(
            &self.data_dir,
            STATE,
            &File {
                alerts: self.alerts.clone(),
            },
        )
        .map_err(|e| ApiError::internal(format!("saving alerts: {e}")))
    }

    /// Every alert, oldest first.
    pub(crate) fn list(&self) -> &[Alert] {
        &self.alerts
    }

    /// One alert.
    pub(crate) fn get(&self, id: &str) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.id == id)
    }

    /// Creates an alert after checking it; marks the stories matching it now as seen.
    pub(crate) fn create(
        &mut self,
        new: NewAlert,
        store: &dyn Store,
        webhooks: &[String],
    ) -> std::result::Result<Alert, ApiError> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ApiError::bad_request("name must have 1 to 200 characters"));
        }
        let query = new.query.trim();
        if query.is_empty() || query.chars().count() > 1000 {
            return Err(ApiError::bad_request(
                "query must have 1 to 1000 characters",
            ));
        }
        let webhook = new.webhook.filter(|w| !w.trim().is_empty());
        if let Some(w) = &webhook
            && !webhooks.iter().any(|c| c == w)
        {
            return Err(ApiError::bad_request(format!(
                "webhook {w:?} is not one of the server's configured webhooks (start the server with --webhook URL)"
            )));
        }
        if self.alerts.len() >= MAX_ALERTS {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                format!("at most {MAX_ALERTS} alerts"),
            ));
        }
        let seen = store
            .stories_matching(query, &Filters::default(), usize::MAX)?
            .into_iter()
            .flat_map(|s| std::iter::once(s.id).chain(s.aliases))
            .collect();
        let created = now_rfc3339();
        let mut h = Sha256::new();
        h.update(name.as_bytes());
        h.update(b"\0");
        h.update(query.as_bytes());
        h.update(b"\0");
        h.update(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
                .to_le_bytes(),
        );
        h.update(self.alerts.len().to_le_bytes());
        let id: String = h.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let alert = Alert {
            id,
            name: name.to_string(),
            query: query.to_string(),
            webhook,
            created,
            events: Vec::new(),
            delivery: DeliveryStatus::default(),
            seen,
        };
        self.alerts.push(alert.clone());
        if let Err(e) = self.save() {
            self.alerts.pop();
            return Err(e);
        }
        Ok(alert)
    }

    /// Deletes an alert; false when there is none with this id.
    pub(crate) fn delete(&mut self, id: &str) -> std::result::Result<bool, ApiError> {
        let Some(i) = self.alerts.iter().position(|a| a.id == id) else {
            return Ok(false);
        };
        let removed = self.alerts.remove(i);
        if let Err(e) = self.save() {
            self.alerts.insert(i, removed);
            return Err(e);
        }
        Ok(true)
    }

    /// Checks every alert against the store; records new events and returns the webhook
    /// deliveries to make.
    pub(crate) fn evaluate(&mut self, store: &dyn Store) -> Vec<Delivery> {
        let mut deliveries = Vec::new();
        let mut changed = false;
        let detected = now_rfc3339();
        for alert in &mut self.alerts {
            let Ok(stories) =
                store.stories_matching(&alert.query, &Filters::default(), STORIES_PER_CHECK)
            else {
                continue;
            };
            // Oldest first, so the feed (newest first) reads in arrival order.
            for s in stories.into_iter().rev() {
                // Reported already, under this id or under one merged into it.
                let reported = std::iter::once(&s.id)
                    .chain(&s.aliases)
                    .any(|id| alert.seen.contains(id));
                alert.seen.insert(s.id.clone());
                if reported {
                    continue;
                }
                let event = event_of(&s, &detected);
                if let Some(url) = &alert.webhook {
                    deliveries.push(Delivery {
                        alert: alert.id.clone(),
                        url: url.clone(),
                        body: serde_json::json!({
                            "alert": {"id": alert.id, "name": alert.name, "query": alert.query},
                            "event": event,
                        })
                        .to_string(),
                    });
                }
                alert.events.insert(0, event);
                changed = true;
            }
            alert.events.truncate(MAX_EVENTS);
        }
        if changed {
            // A failed save loses nothing in memory; the next change retries it.
            let _ = self.save();
        }
        deliveries
    }

    fn record_delivery(&mut self, alert: &str, outcome: std::result::Result<(), String>) {
        if let Some(a) = self.alerts.iter_mut().find(|a| a.id == alert) {
            match outcome {
                Ok(()) => {
                    a.delivery.delivered += 1;
                    a.delivery.last_error = None;
                }
                Err(e) => {
                    a.delivery.failed += 1;
                    a.delivery.last_error = Some(e);
                }
            }
            let _ = self.save();
        }
    }
}

fn event_of(s: &StorySummary, detected: &str) -> AlertEvent {
    AlertEvent {
        story: s.id.clone(),
        title: Some(s.title.clone()).filter(|t| !t.is_empty()),
        articles: u64::from(s.articles),
        sites: s.sites.iter().map(|f| f.value.clone()).collect(),
        published: s.first_seen.and_then(newsmill_core::format_unix),
        detected: detected.to_string(),
    }
}

/// POSTs one event, retrying with doubling back-off; records the outcome on the alert.
pub(crate) async fn deliver(state: &AppState, d: Delivery) {
    let config = &state.inner.config;
    let mut wait = config.webhook_backoff;
    let mut last_error = String::new();
    let attempts = config.webhook_attempts.max(1);
    for attempt in 1..=attempts {
        let result = state
            .inner
            .http
            .post(&d.url)
            .header("content-type", "application/json")
            .header("user-agent", "newsmill-alerts")
            .body(d.body.clone())
            .send()
            .await;
        match result {
            Ok(resp) if resp.status().is_success() => {
                state.inner.lock_alerts().record_delivery(&d.alert, Ok(()));
                return;
            }
            Ok(resp) => last_error = format!("{}: HTTP {}", d.url, resp.status().as_u16()),
            Err(e) => last_error = format!("{}: {e}", d.url),
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(300));
        }
    }
    state.inner.lock_alerts().record_delivery(
        &d.alert,
        Err(format!("{last_error} (after {attempts} attempts)")),
    );
}

/// Escapes text for XML content and attribute values.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped, not escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The Atom feed of an alert; `base` is the server's own origin (`http://127.0.0.1:8080`).
pub(crate) fn atom(alert: &Alert, base: &str) -> String {
    let updated = alert
        .events
        .first()
        .map_or(alert.created.as_str(), |e| e.detected.as_str());
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>urn:newsmill:alert:{}</id>\n  <title>newsmill alert: {}</title>\n  <subtitle>{}</subtitle>\n  <updated>{}</updated>\n",
        xml_escape(&alert.id),
        xml_escape(&alert.name),
        xml_escape(&alert.query),
        xml_escape(updated)
    ));
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}/alerts/{}/feed.atom\"/>\n  <generator>newsmill</generator>\n",
        xml_escape(base),
        xml_escape(&alert.id)
    ));
    for e in &alert.events {
        let title = e.title.as_deref().unwrap_or("(untitled story)");
        let summary = entry_summary(e);
        let story_path = format!("{base}/stories/{}", percent_encode(&e.story));
        out.push_str(&format!(
            "  <entry>\n    <id>urn:newsmill:alert:{}:story:{}</id>\n    <title>{}</title>\n    <link href=\"{}\"/>\n    <updated>{}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            xml_escape(&alert.id),
            xml_escape(&e.story),
            xml_escape(title),
            xml_escape(&story_path),
            xml_escape(&e.detected),
            xml_escape(&summary)
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// What an alert's Atom entry says of its story: which story, how many articles from which
/// outlets, since when ("New story “Floods in Valencia”: 3 articles from elpais.com,
/// bbc.co.uk; first published 30 October 2024.").
fn entry_summary(e: &AlertEvent) -> String {
    let title = e.title.as_deref().unwrap_or("(untitled story)");
    let n = e.articles;
    let s = if n == 1 { "" } else { "s" };
    let outlets = match e.sites.len() {
        0 => String::new(),
        k if k <= 5 => format!(" from {}", e.sites.join(", ")),
        k => format!(
            " from {} and {} more outlets",
            e.sites[..4].join(", "),
            k - 4
        ),
    };
    let first = e
        .published
        .as_deref()
        .map(|p| format!("; first published {}", crate::when::day_label(p)))
        .unwrap_or_default();
    format!("New story “{title}”: {n} article{s}{outlets}{first}.")
}

/// Percent-encodes a path segment (everything but unreserved characters).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmill_core::Record;

    fn rec(id: &str, title: &str, story: &str) -> Record {
        Record {
            id: id.into(),
            title: Some(title.into()),
            text: format!("{title} body text"),
            story: Some(story.into()),
            site: Some("x.com".into()),
            ..Record::default()
        }
    }

    /// An alert on "harbour", created in `book` over `store`.
    fn harbour_alert(book: &mut AlertBook, store: &dyn Store) -> Alert {
        book.create(
            NewAlert {
                name: "harbour".into(),
                query: "harbour".into(),
                webhook: None,
            },
            store,
            &[],
        )
        .unwrap()
    }

    /// The store `newsmill serve` runs on, in `dir`, holding `records`.
    fn index_with(dir: &std::path::Path, records: &[Record]) -> crate::IndexStore {
        let index = newsmill_index::Store::create(dir.join("store")).unwrap();
        let mut w = index.writer().unwrap();
        for r in records {
            w.put(r, &Default::default()).unwrap();
        }
        w.commit().unwrap();
        crate::IndexStore::open(dir.join("store")).unwrap()
    }

    #[test]
    fn one_event_per_new_story_and_persistence() {
        let dir = std::env::temp_dir().join(format!("nm-alerts-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&dir);
        let store = index_with(&dir, &[rec("a", "Harbour news", "s0")]);
        let mut book = AlertBook::load(&dir).unwrap();
        let alert = harbour_alert(&mut book, &store);
        assert!(book.evaluate(&store).is_empty());
        assert!(
            book.get(&alert.id).unwrap().events.is_empty(),
            "backlog must not alert"
        );
        {
            let index = newsmill_index::Store::create(dir.join("store")).unwrap();
            let mut w = index.writer().unwrap();
            for r in [
                rec("b", "Harbour closed", "s1"),
                rec("c", "Harbour closed again", "s1"),
                rec("d", "Election", "s2"),
            ] {
                w.put(&r, &Default::default()).unwrap();
            }
            w.commit().unwrap();
        }
        store.inner().reload().unwrap();
        book.evaluate(&store);
        let events = &book.get(&alert.id).unwrap().events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].story, "s1");
        assert_eq!(events[0].articles, 2);
        book.evaluate(&store);
        assert_eq!(book.get(&alert.id).unwrap().events.len(), 1);
        let reloaded = AlertBook::load(&dir).unwrap();
        assert_eq!(reloaded.get(&alert.id).unwrap().events.len(), 1);
        assert!(reloaded.get(&alert.id).unwrap().seen.contains("s0"));
        let feed = atom(reloaded.get(&alert.id).unwrap(), "http://127.0.0.1:1");
        assert!(feed.contains("<title>Harbour closed</title>"));
        let _ = fs_err::remove_dir_all(&dir);
    }

    /// Stories the story stage merges (one event after all) alert once: the survivor lists
    /// the absorbed ids as aliases, and a story any of whose ids was reported is not reported
    /// again, whichever of them survives.
    #[test]
    fn a_merged_story_does_not_alert_twice() {
        use crate::IndexStore;
        let dir = std::env::temp_dir().join(format!("nm-alerts-m-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&dir);
        let index = newsmill_index::Store::create(&dir).unwrap();
        let mut w = index.writer().unwrap();
        w.put(&rec("x", "Election turnout", "sx"), &Default::default())
            .unwrap();
        w.commit().unwrap();
        let store = IndexStore::open(&dir).unwrap();
        let mut book = AlertBook::load(&dir).unwrap();
        let alert = harbour_alert(&mut book, &store);
        let events = |book: &AlertBook| -> Vec<String> {
            book.get(&alert.id)
                .unwrap()
                .events
                .iter()
                .map(|e| e.story.clone())
                .collect()
        };
        let step = |w: &mut newsmill_index::Writer<'_>, book: &mut AlertBook| {
            w.commit().unwrap();
            store.inner().reload().unwrap();
            book.evaluate(&store);
        };
        // A harbour story: one event.
        w.put(&rec("a", "Harbour wall breaks", "sa"), &Default::default())
            .unwrap();
        step(&mut w, &mut book);
        assert_eq!(events(&book), ["sa"]);
        // A second story of the same event, merged into the first in the same commit.
        w.put(
            &rec("b", "Harbour closed after storm", "sb"),
            &Default::default(),
        )
        .unwrap();
        w.put_alias("sb", "sa").unwrap();
        step(&mut w, &mut book);
        assert_eq!(events(&book), ["sa"], "merged before it was seen");
        // The reported story is absorbed by a new, larger one: still the same event.
        w.put(&rec("c", "Harbour reopens", "sc"), &Default::default())
            .unwrap();
        w.put(
            &rec("d", "Harbour repairs begin", "sc"),
            &Default::default(),
        )
        .unwrap();
        w.put(&rec("e", "Harbour repair money", "sc"), &Default::default())
            .unwrap();
        w.put_alias("sa", "sc").unwrap();
        w.put_alias("sb", "sc").unwrap();
        step(&mut w, &mut book);
        assert_eq!(events(&book), ["sa"], "the survivor was reported as sa");
        let listed = store
            .stories_matching("harbour", &Filters::default(), 10)
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, "sc");
        assert_eq!(listed[0].articles, 5);
        assert_eq!(listed[0].aliases, ["sa", "sb"]);
        // A harbour story of another event still alerts.
        w.put(&rec("f", "Harbour strike", "sf"), &Default::default())
            .unwrap();
        step(&mut w, &mut book);
        assert_eq!(events(&book), ["sf", "sa"]);
        drop(w);
        let _ = fs_err::remove_dir_all(&dir);
    }

    #[test]
    fn webhooks_must_be_configured() {
        let dir = std::env::temp_dir().join(format!("nm-alerts-w-{}", std::process::id()));
        let _ = fs_err::remove_dir_all(&dir);
        let store = index_with(&dir, &[]);
        let mut book = AlertBook::load(&dir).unwrap();
        let err = book
            .create(
                NewAlert {
                    name: "x".into(),
                    query: "x".into(),
                    webhook: Some("http://169.254.169.254/".into()),
                },
                &store,
                &["http://127.0.0.1:9/hook".into()],
            )
            .unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        let _ = fs_err::remove_dir_all(&dir);
    }

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml_escape("<a href='x'>&\u{1}"),
            "&lt;a href=&apos;x&apos;&gt;&amp;"
        );
    }
}
