//! `cargo xtask eval extract`: main-content extraction on ../shared/data/extraction/dev.
//!
//! Prints, per subset, the dev set's metrics ([`crate::extract_metrics`]: shingle P/R/F1 on
//! l3s-gn1, snippet P/R/F1 on trafilatura-eval), metadata accuracy per field
//! ([`crate::extract_meta`]), the pages that lose more than half their article text to
//! `removed`, and the time per page. Two kinds of figures, named as such:
//!
//! * **in-sample**: the shipped rules and thresholds on all dev pages, which they were
//!   written and tuned on;
//! * **leave-sites-out** ([`crate::extract_lso`]): the dev sites split into folds; on each
//!   fold the thresholds are tuned and each rule kept or dropped on the other folds' sites
//!   only, and the fold's pages are scored with that choice; every page is scored once,
//!   when its site was held out.
//!
//! `--save-predictions` writes one JSON line per page for ../shared/tools/extraction_eval.py
//! `--predictions` (to check these metrics against it); `--score FILE` scores another tool's
//! predictions the same way (scripts/compare_extract.py uses it for the metadata).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use newsmill_core::{InputHint, Origin, RawDoc};
use newsmill_extract::{ExtractConfig, extract};
use serde::Deserialize;

use crate::extract_meta::{self, Meta, MetaScore};
use crate::extract_metrics::{
    aggregate, counts, page_f1, prec, rec, shingles, snippet_counts, snippet_prf, tokens,
};

/// Options of `eval extract`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Write one JSON line per page ({id, text, title, byline, published}) for
    /// extraction_eval.py --predictions.
    #[arg(long)]
    save_predictions: Option<PathBuf>,
    /// Print the pages with the lowest F1 (for error analysis on the dev set).
    #[arg(long, default_value_t = 0)]
    worst: usize,
    /// Batch mode for extraction_eval.py --batch: read `PATH<TAB>URL` lines on stdin, print
    /// one JSON line per page, and compute nothing.
    #[arg(long)]
    batch: bool,
    /// Robustness and scale check instead of the dataset: extract a generated page of this
    /// many MB (nested markup, broken tags, binary noise, a long article) and report the time.
    #[arg(long)]
    stress_mb: Option<usize>,
    /// Audit the rule files instead: for every entry, the dev sites it fires on and the
    /// answers it would drop; lists the entries that fire on one site only (all entries with
    /// `--audit-all`).
    #[arg(long)]
    audit_rules: bool,
    /// With `--audit-rules`: list every entry.
    #[arg(long)]
    audit_all: bool,
    /// Skip the leave-sites-out estimate (it runs the extractor about 100 times).
    #[arg(long)]
    quick: bool,
    /// Print the table of every rule's effect (switched off alone, per site).
    #[arg(long)]
    rules: bool,
    /// Folds of sites for the leave-sites-out estimate.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Score another tool's predictions (JSON lines {id, text, title, byline, published}, `id`
    /// the page's path) instead of running newsmill; prints the same figures.
    #[arg(long)]
    score: Option<PathBuf>,
    /// A name for `--score`'s tool in the printed table.
    #[arg(long, default_value = "other")]
    tool: String,
    /// Try a threshold other than the shipped one (`NAME=VALUE`, repeatable; for experiments,
    /// the figures are then not the shipped extractor's).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Switch a rule off (repeatable; for experiments).
    #[arg(long = "off", value_name = "RULE")]
    off: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Truth {
    #[serde(default)]
    pub(crate) url: String,
    pub(crate) body: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) with: Option<Vec<String>>,
    pub(crate) without: Option<Vec<String>>,
    /// L3S-GN1 labels: captions, datelines and bylines (3), related links (4), comments (5).
    pub(crate) supplemental: Option<String>,
    pub(crate) related: Option<String>,
    pub(crate) comments: Option<String>,
}

pub(crate) struct Page {
    pub(crate) subset: String,
    pub(crate) html_path: PathBuf,
    pub(crate) truth: Truth,
}

/// The site of a page: its registrable domain ("news.bbc.co.uk" and "www.bbc.co.uk" are
/// one site), or the page itself when it has no URL.
pub(crate) fn site_of(p: &Page) -> String {
    let url = p.truth.url.trim();
    let host = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if host.is_empty() {
        return format!("page:{}", p.html_path.display());
    }
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let n = labels.len();
    // Blog hosts give each blog its own subdomain: a blog is a site.
    const HOSTS: &[&str] = &[
        "wordpress.com",
        "blogspot.com",
        "blogspot.de",
        "tumblr.com",
        "github.io",
        "typepad.com",
        "over-blog.com",
        "wixsite.com",
        "substack.com",
        "medium.com",
    ];
    let blog = n >= 3 && HOSTS.contains(&labels[n - 2..].join(".").as_str());
    // "bbc.co.uk": a second-level label under a country code.
    let country = n >= 3
        && labels[n - 1].len() == 2
        && ["co", "com", "org", "net", "gov", "ac", "edu", "or", "ne"].contains(&labels[n - 2]);
    let keep = if blog || country { 3 } else { 2 };
    labels[n.saturating_sub(keep)..].join(".")
}

/// What one run of a tool gave for a page.
#[derive(Debug, Default, Clone)]
pub(crate) struct Output {
    pub(crate) text: String,
    pub(crate) meta: Meta,
    /// `removed` entries (reason, text).
    pub(crate) removed: Vec<(String, String)>,
}

/// A page's scores under one run: shingle counts (l3s-gn1), snippet counts
/// (trafilatura-eval), and a hash of the text (to tell which pages a change touched).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PageScore {
    pub(crate) shingle: Option<(usize, usize, usize)>,
    pub(crate) snippet: Option<(usize, usize, usize, usize)>,
    pub(crate) hash: u64,
}

impl PageScore {
    /// One number per page for site-level comparisons: the page F1, or the share of the
    /// page's snippets that are right.
    pub(crate) fn value(&self) -> f64 {
        match (self.shingle, self.snippet) {
            (Some(c), _) => page_f1(c),
            (None, Some((tp, fp, fn_, tn))) => {
                let all = tp + fp + fn_ + tn;
                if all == 0 {
                    1.0
                } else {
                    (tp + tn) as f64 / all as f64
                }
            }
            _ => 1.0,
        }
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub(crate) fn score_page(p: &Page, text: &str) -> PageScore {
    PageScore {
        shingle: p.truth.body.as_deref().map(|b| counts(b, text)),
        snippet: (p.truth.with.is_some() || p.truth.without.is_some()).then(|| {
            snippet_counts(
                p.truth.with.as_deref().unwrap_or(&[]),
                p.truth.without.as_deref().unwrap_or(&[]),
                text,
            )
        }),
        hash: fnv(text),
    }
}

/// Shingle F1 and snippet F1 over some pages (`None` where the pages have no such truth).
pub(crate) fn metrics(scores: &[PageScore], idx: &[usize]) -> (Option<f64>, Option<f64>) {
    let triples: Vec<_> = idx.iter().filter_map(|&i| scores[i].shingle).collect();
    let mut snip = (0, 0, 0, 0);
    let mut any = false;
    for &i in idx {
        if let Some(c) = scores[i].snippet {
            any = true;
            snip = (snip.0 + c.0, snip.1 + c.1, snip.2 + c.2, snip.3 + c.3);
        }
    }
    (
        (!triples.is_empty()).then(|| aggregate(&triples).2),
        any.then(|| snippet_prf(snip).2),
    )
}

/// What tuning and rule choices maximise: the mean of the two subsets' headline metrics.
pub(crate) fn objective(scores: &[PageScore], idx: &[usize]) -> f64 {
    match metrics(scores, idx) {
        (Some(a), Some(b)) => (a + b) / 2.0,
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0.0,
    }
}

/// The dev pages and their bytes, read once.
pub(crate) struct Dev {
    pub(crate) pages: Vec<Page>,
    pub(crate) html: Vec<Vec<u8>>,
}

impl Dev {
    /// Extracts the pages `idx` with `config`.
    pub(crate) fn run(&self, config: &ExtractConfig, idx: &[usize]) -> Vec<(usize, Output)> {
        idx.iter()
            .map(|&i| (i, extract_page(&self.pages[i], &self.html[i], config)))
            .collect()
    }

    /// Scores of all pages under `config` (pages outside `idx` keep `base`'s scores).
    pub(crate) fn scores(
        &self,
        config: &ExtractConfig,
        idx: &[usize],
        base: &[PageScore],
    ) -> Vec<PageScore> {
        let mut out = base.to_vec();
        for (i, o) in self.run(config, idx) {
            out[i] = score_page(&self.pages[i], &o.text);
        }
        out
    }
}

pub(crate) fn extract_page(p: &Page, bytes: &[u8], config: &ExtractConfig) -> Output {
    let mut doc = RawDoc::new(
        Origin::Path(p.html_path.display().to_string()),
        InputHint::Html,
        bytes.to_vec(),
    );
    doc.url = Some(p.truth.url.clone()).filter(|u| !u.is_empty());
    match extract(&doc, config) {
        Ok(r) => Output {
            text: r.text,
            meta: Meta {
                title: r.title,
                byline: r.byline,
                published: r.published,
            },
            removed: r
                .removed
                .into_iter()
                .map(|x| (x.reason.as_str().to_string(), x.text))
                .collect(),
        },
        Err(_) => Output::default(),
    }
}

pub(crate) fn run(data: &Path, args: &Args) -> Result<()> {
    if args.batch {
        return batch();
    }
    if let Some(mb) = args.stress_mb {
        return stress(mb);
    }
    let dev = data.join("extraction/dev");
    if !dev.is_dir() {
        println!(
            "eval extract: {} not found, nothing to evaluate",
            dev.display()
        );
        return Ok(());
    }
    let pages = load(&dev)?;
    if args.audit_rules {
        crate::extract_audit::run(&pages, args.audit_all)?;
        return Ok(());
    }
    if let Some(path) = &args.score {
        let outputs = read_predictions(path, &pages)?;
        println!("{} predictions from {}", args.tool, path.display());
        report(&pages, &outputs, &args.tool);
        return Ok(());
    }
    let mut html = Vec::with_capacity(pages.len());
    let mut bytes_total = 0usize;
    for p in &pages {
        let b = fs_err::read(&p.html_path).with_context(|| format!("{}", p.html_path.display()))?;
        bytes_total += b.len();
        html.push(b);
    }
    let dev = Dev { pages, html };
    let pages = &dev.pages;
    let all: Vec<usize> = (0..pages.len()).collect();
    let mut config = ExtractConfig::default();
    for kv in &args.set {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--set {kv}: expected NAME=VALUE"))?;
        let v: f64 = v.parse().with_context(|| format!("--set {kv}"))?;
        config.tuning.set(k, v)?;
    }
    for r in &args.off {
        config.tuning.switch_off(r)?;
    }
    if !args.set.is_empty() || !args.off.is_empty() {
        println!(
            "experiment: --set {:?} --off {:?} (not the shipped settings)",
            args.set, args.off
        );
    }
    let cpu0 = process_cpu_seconds();
    let t = Instant::now();
    let outputs: Vec<Output> = dev.run(&config, &all).into_iter().map(|(_, o)| o).collect();
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu0.and_then(|c0| process_cpu_seconds().map(|c1| c1 - c0));
    if let Some(path) = &args.save_predictions {
        let mut f = std::io::BufWriter::new(fs_err::File::create(path)?);
        for (p, o) in pages.iter().zip(&outputs) {
            let line = serde_json::json!({
                "id": p.html_path.display().to_string(),
                "text": o.text,
                "title": o.meta.title.clone().unwrap_or_default(),
                "byline": o.meta.byline,
                "published": o.meta.published,
            });
            writeln!(f, "{line}")?;
        }
    }
    println!(
        "in-sample: the shipped rules and thresholds on every dev page (they were written and tuned on these pages)"
    );
    report(pages, &outputs, "newsmill");
    removed_check(pages, &outputs);
    let n = pages.len() as f64;
    let mb = bytes_total as f64 / 1e6;
    println!(
        "time: {:.2} ms wall/page{}, {:.1} MB/s, {} pages, {:.1} MB (one thread, extraction only, pages in memory)",
        wall * 1000.0 / n,
        cpu.map_or(String::new(), |c| format!(
            ", {:.2} ms CPU/page",
            c * 1000.0 / n
        )),
        mb / wall,
        pages.len(),
        mb
    );
    if args.worst > 0 {
        worst(pages, &outputs, args.worst);
    }
    if !args.quick {
        let base: Vec<PageScore> = pages
            .iter()
            .zip(&outputs)
            .map(|(p, o)| score_page(p, &o.text))
            .collect();
        crate::extract_lso::run(&dev, &base, args.folds, args.rules)?;
    }
    Ok(())
}

fn worst(pages: &[Page], outputs: &[Output], k: usize) {
    let mut scored: Vec<(f64, &Page, &Output)> = pages
        .iter()
        .zip(outputs)
        .filter_map(|(p, o)| {
            let body = p.truth.body.as_deref()?;
            Some((page_f1(counts(body, &o.text)), p, o))
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (f, p, o) in scored.iter().take(k) {
        let c = counts(p.truth.body.as_deref().unwrap_or(""), &o.text);
        println!(
            "{f:.3} P {:.2} R {:.2} {}",
            prec(c),
            rec(c),
            p.html_path.display()
        );
    }
}

/// Per subset: body metrics, snippets, metadata.
fn report(pages: &[Page], outputs: &[Output], tool: &str) {
    let mut subsets: Vec<&str> = pages.iter().map(|p| p.subset.as_str()).collect();
    subsets.dedup();
    println!(
        "{:<12} {:<17} {:>5} {:>6} {:>6} {:>6} {:>7} {:>6}  {:<21}  metadata (share right, pages with gold)",
        "tool", "subset", "pages", "F1", "P", "R", "pageF1", "empty", "snippets F1 (P/R)"
    );
    for s in subsets.iter().map(|s| Some(*s)).chain([None]) {
        let sel: Vec<usize> = (0..pages.len())
            .filter(|&i| s.is_none_or(|s| pages[i].subset == s))
            .collect();
        let mut triples = Vec::new();
        let mut snip = (0, 0, 0, 0);
        let mut any_snip = false;
        let mut empty = 0;
        let mut meta = MetaScore::default();
        for &i in &sel {
            let (p, o) = (&pages[i], &outputs[i]);
            if tokens(&o.text).is_empty() {
                empty += 1;
            }
            let sc = score_page(p, &o.text);
            if let Some(c) = sc.shingle {
                triples.push(c);
            }
            if let Some(c) = sc.snippet {
                any_snip = true;
                snip = (snip.0 + c.0, snip.1 + c.1, snip.2 + c.2, snip.3 + c.3);
            }
            meta += extract_meta::score(&extract_meta::gold(p), &o.meta);
        }
        let body = if triples.is_empty() {
            format!("{:>6} {:>6} {:>6} {:>7}", "-", "-", "-", "-")
        } else {
            let (p, r, f, pf) = aggregate(&triples);
            format!("{f:>6.4} {p:>6.3} {r:>6.3} {pf:>7.3}")
        };
        let snip = if any_snip {
            let (p, r, f) = snippet_prf(snip);
            format!("{f:.4} ({p:.3}/{r:.3})")
        } else {
            "-".to_string()
        };
        let meta = if meta.title.1 + meta.byline.1 + meta.date.1 == 0 {
            "-".to_string()
        } else {
            meta.line()
        };
        println!(
            "{tool:<12} {:<17} {:>5} {body} {empty:>6}  {snip:<21}  {meta}",
            s.unwrap_or("all"),
            sel.len(),
        );
    }
}

/// Pages whose article text went to `removed`: for l3s-gn1 the body shingles found in the
/// removed texts and not in the output; for trafilatura-eval the `with` snippets found there
/// and not in the output. A page that loses more than half is listed (the truth says that
/// text is the article, so the removal is wrong).
fn removed_check(pages: &[Page], outputs: &[Output]) {
    let mut flagged = Vec::new();
    for (p, o) in pages.iter().zip(outputs) {
        if o.removed.is_empty() {
            continue;
        }
        let removed: String = o
            .removed
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let lost = if let Some(body) = p.truth.body.as_deref() {
            let bt = tokens(body);
            let (bs, rs, os) = (
                shingles(&bt),
                shingles(&tokens(&removed)),
                shingles(&tokens(&o.text)),
            );
            let total: usize = bs.values().sum();
            let lost: usize = bs
                .iter()
                .map(|(k, &b)| {
                    let r = rs.get(k).copied().unwrap_or(0);
                    let kept = os.get(k).copied().unwrap_or(0);
                    b.min(r).min(b.saturating_sub(kept))
                })
                .sum();
            (total > 0).then(|| lost as f64 / total as f64)
        } else if let Some(with) = p.truth.with.as_deref().filter(|w| !w.is_empty()) {
            let (r, t) = (
                crate::extract_metrics::norm_ws(&removed),
                crate::extract_metrics::norm_ws(&o.text),
            );
            let lost = with
                .iter()
                .map(|w| crate::extract_metrics::norm_ws(w))
                .filter(|w| r.contains(w.as_str()) && !t.contains(w.as_str()))
                .count();
            Some(lost as f64 / with.len() as f64)
        } else {
            None
        };
        if let Some(l) = lost.filter(|&l| l > 0.5) {
            let mut reasons: Vec<&str> = o.removed.iter().map(|(r, _)| r.as_str()).collect();
            reasons.sort_unstable();
            reasons.dedup();
            flagged.push(format!(
                "  {:.0}% lost: {} (reasons: {})",
                l * 100.0,
                p.html_path.display(),
                reasons.join(", ")
            ));
        }
    }
    println!(
        "pages that lose more than half their article text to `removed` (their truth says it is article text): {}",
        flagged.len()
    );
    for f in flagged {
        println!("{f}");
    }
}

/// Another tool's predictions, by page.
fn read_predictions(path: &Path, pages: &[Page]) -> Result<Vec<Output>> {
    let text = fs_err::read_to_string(path)?;
    let mut by_id = std::collections::HashMap::new();
    for (k, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", path.display(), k + 1))?;
        let id = page_key(Path::new(v["id"].as_str().unwrap_or("")));
        let byline = match &v["byline"] {
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            serde_json::Value::String(s) => s
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        let published = v["published"]
            .as_str()
            .or_else(|| v["date"].as_str())
            .map(str::to_string);
        by_id.insert(
            id,
            Output {
                text: v["text"].as_str().unwrap_or("").to_string(),
                meta: Meta {
                    title: v["title"]
                        .as_str()
                        .map(str::to_string)
                        .filter(|t| !t.is_empty()),
                    byline,
                    published,
                },
                removed: Vec::new(),
            },
        );
    }
    Ok(pages
        .iter()
        .map(|p| by_id.remove(&page_key(&p.html_path)).unwrap_or_default())
        .collect())
}

/// `SUBSET/NAME.html` of a page path, however the path was written.
fn page_key(path: &Path) -> String {
    let mut parts: Vec<String> = path
        .components()
        .rev()
        .take(2)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.reverse();
    parts.join("/")
}

fn load(dev: &Path) -> Result<Vec<Page>> {
    let mut subsets: Vec<PathBuf> = fs_err::read_dir(dev)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subsets.sort();
    let mut pages = Vec::new();
    for dir in subsets {
        let subset = dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut files: Vec<PathBuf> = fs_err::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for json in files {
            let html_path = json.with_extension("html");
            if !html_path.exists() {
                continue;
            }
            let truth: Truth = serde_json::from_str(&fs_err::read_to_string(&json)?)
                .with_context(|| format!("{}", json.display()))?;
            pages.push(Page {
                subset: subset.clone(),
                html_path,
                truth,
            });
        }
    }
    Ok(pages)
}

/// The batch protocol of extraction_eval.py: `PATH<TAB>URL` in, one JSON line per page out.
/// `cpu_s` is the wall time of the extraction call on this one thread (it does no I/O).
fn batch() -> Result<()> {
    let config = ExtractConfig::default();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let (path, url) = line.split_once('\t').unwrap_or((line.as_str(), ""));
        if path.is_empty() {
            continue;
        }
        let bytes = match fs_err::read(path) {
            Ok(b) => b,
            Err(e) => {
                let j = serde_json::json!({"id": path, "text": "", "error": e.to_string()});
                writeln!(out, "{j}")?;
                continue;
            }
        };
        let mut doc = RawDoc::new(Origin::Path(path.to_string()), InputHint::Html, bytes);
        doc.url = Some(url.to_string()).filter(|u| !u.is_empty());
        let t = Instant::now();
        let result = extract(&doc, &config);
        let secs = t.elapsed().as_secs_f64();
        let j = match result {
            Ok(r) => serde_json::json!({
                "id": path, "text": r.text, "title": r.title.unwrap_or_default(),
                "byline": r.byline, "published": r.published,
                "wall_s": secs, "cpu_s": secs,
            }),
            Err(e) => serde_json::json!({
                "id": path, "text": "", "error": e.to_string(), "wall_s": secs, "cpu_s": secs,
            }),
        };
        writeln!(out, "{j}")?;
    }
    out.flush()?;
    Ok(())
}

/// Extracts one generated page of `mb` megabytes: an article whose paragraphs are spread
/// through deep nesting, unclosed tags, scripts, invalid bytes and 100,000 nested `<div>`s.
fn stress(mb: usize) -> Result<()> {
    let target = mb * 1_000_000;
    let mut page = String::with_capacity(target + 100_000);
    page.push_str("<html><head><title>Stress page</title></head><body>");
    page.push_str(&"<div>".repeat(100_000));
    let mut k = 0usize;
    while page.len() < target {
        k += 1;
        page.push_str(&format!(
            "<p>Paragraph {k} of the stress article, where the council met again on Tuesday to discuss the harbour, officials said.</p>"
        ));
        if k.is_multiple_of(7) {
            page.push_str(
                "<script>var x = '<p>not text</p>';</script><b><i>unclosed <a href=x>link ",
            );
        }
        if k.is_multiple_of(11) {
            page.push_str("<table><tr><td>1<td>2<tr><td>3</table></span></div></div>");
        }
        if k.is_multiple_of(13) {
            page.push_str("\u{fffd}\u{0} <!-- comment <p> --> &amp;&bogus; <<<>>>");
        }
    }
    let bytes = page.into_bytes();
    let doc = RawDoc::new(Origin::Path("stress.html".into()), InputHint::Html, bytes);
    let cpu0 = process_cpu_seconds();
    let t = Instant::now();
    let result = extract(&doc, &ExtractConfig::default());
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu0.and_then(|c0| process_cpu_seconds().map(|c1| c1 - c0));
    let record = result.map_err(|e| anyhow::anyhow!("stress page: {e}"))?;
    record
        .check_invariants()
        .map_err(|e| anyhow::anyhow!("stress page: {e}"))?;
    println!(
        "stress: {:.1} MB page, {} blocks, {} chars of text, {:.2} s wall{}, {:.1} MB/s",
        doc.bytes.len() as f64 / 1e6,
        record.blocks.len(),
        record.text.len(),
        wall,
        cpu.map_or(String::new(), |c| format!(", {c:.2} s CPU")),
        doc.bytes.len() as f64 / 1e6 / wall
    );
    Ok(())
}

/// User plus system CPU seconds of this process, from /proc/self/stat (Linux only).
fn process_cpu_seconds() -> Option<f64> {
    let stat = fs_err::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks are 100 per second on every Linux target we run on.
    Some((utime + stime) / 100.0)
}
