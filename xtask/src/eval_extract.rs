//! `cargo xtask eval extract`: main-content extraction on ../shared/data/extraction/dev.
//!
//! The metrics are the ones that folder's README defines, as ../shared/tools/extraction_eval.py
//! computes them (`--save-predictions` writes a file that script scores with `--predictions`,
//! to check this implementation against it):
//!
//! * ScrapingHub shingle precision, recall and F1 on `body`: tokens are `\w+` (Unicode,
//!   case-sensitive), shingles the multiset of 4-token windows (a text of 1–3 tokens is one
//!   shingle); precision is averaged over pages with tp+fp > 0, recall over pages with
//!   tp+fn > 0, and F1 = 2PR/(P+R) of the two means.
//! * trafilatura snippet scores on `with`/`without`, pooled over pages.
//! * Title accuracy: the token sequences of our title and the labelled headline are equal
//!   (the script's rule), the same with case folded, and "folded-line": equal to the whole
//!   label or to one line of it (84 labels hold kicker, headline and subheadline as lines).
//! * Time: CPU (user+system, from /proc/self/stat) and wall time of the extraction calls,
//!   in one thread, per page; MB/s over the HTML bytes.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use newsmill_core::{InputHint, Origin, RawDoc};
use newsmill_extract::{ExtractConfig, extract};
use serde::Deserialize;

/// Options of `eval extract`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Write one JSON line per page ({id, text, title}) for extraction_eval.py --predictions.
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
}

#[derive(Debug, Deserialize)]
pub(crate) struct Truth {
    #[serde(default)]
    pub(crate) url: String,
    #[serde(default)]
    pub(crate) id: String,
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
    let keep = if n >= 3 && HOSTS.contains(&labels[n - 2..].join(".").as_str()) {
        3
    } else if n >= 3
        && labels[n - 1].len() == 2
        && ["co", "com", "org", "net", "gov", "ac", "edu", "or", "ne"].contains(&labels[n - 2])
    {
        3
    } else {
        2
    };
    labels[n.saturating_sub(keep)..].join(".")
}

struct Output {
    text: String,
    title: Option<String>,
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
    let config = ExtractConfig::default();
    let mut outputs = Vec::with_capacity(pages.len());
    let mut bytes_total = 0usize;
    let mut wall = 0f64;
    let cpu0 = process_cpu_seconds();
    for p in &pages {
        let bytes =
            fs_err::read(&p.html_path).with_context(|| format!("{}", p.html_path.display()))?;
        bytes_total += bytes.len();
        let mut doc = RawDoc::new(
            Origin::Path(p.html_path.display().to_string()),
            InputHint::Html,
            bytes,
        );
        doc.url = Some(p.truth.url.clone()).filter(|u| !u.is_empty());
        let t = Instant::now();
        let out = match extract(&doc, &config) {
            Ok(r) => Output {
                text: r.text,
                title: r.title,
            },
            Err(_) => Output {
                text: String::new(),
                title: None,
            },
        };
        wall += t.elapsed().as_secs_f64();
        outputs.push(out);
    }
    let cpu = cpu0.and_then(|c0| process_cpu_seconds().map(|c1| c1 - c0));
    if let Some(path) = &args.save_predictions {
        let mut f = std::io::BufWriter::new(fs_err::File::create(path)?);
        for (p, o) in pages.iter().zip(&outputs) {
            let line = serde_json::json!({
                "id": p.html_path.display().to_string(),
                "text": o.text,
                "title": o.title.clone().unwrap_or_default(),
            });
            writeln!(f, "{line}")?;
        }
    }
    let mut subsets: Vec<&str> = pages.iter().map(|p| p.subset.as_str()).collect();
    subsets.dedup();
    println!(
        "{:<18} {:>5} {:>6} {:>6} {:>6} {:>7} {:>7}  {:<28} {:>7}",
        "subset", "pages", "F1", "P", "R", "pageF1", "empty", "snippets F1 (P/R)", "title"
    );
    for s in subsets.iter().map(|s| Some(*s)).chain([None]) {
        let sel: Vec<(&Page, &Output)> = pages
            .iter()
            .zip(&outputs)
            .filter(|(p, _)| s.is_none_or(|s| p.subset == s))
            .collect();
        report(s.unwrap_or("all"), &sel);
    }
    let n = pages.len() as f64;
    let mb = bytes_total as f64 / 1e6;
    println!(
        "time: {:.2} ms wall/page{}, {:.1} MB/s, {} pages, {:.1} MB (one thread, extraction only)",
        wall * 1000.0 / n,
        cpu.map_or(String::new(), |c| format!(
            ", {:.2} ms CPU/page (whole process, reading included)",
            c * 1000.0 / n
        )),
        mb / wall,
        pages.len(),
        mb
    );
    if args.worst > 0 {
        let mut scored: Vec<(f64, &Page, &Output)> = pages
            .iter()
            .zip(&outputs)
            .filter_map(|(p, o)| {
                let body = p.truth.body.as_deref()?;
                let c = counts(body, &o.text);
                Some((page_f1(c), p, o))
            })
            .collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (f, p, o) in scored.iter().take(args.worst) {
            let c = counts(p.truth.body.as_deref().unwrap_or(""), &o.text);
            println!(
                "{f:.3} P {:.2} R {:.2} {}",
                prec(c),
                rec(c),
                p.html_path.display()
            );
        }
    }
    Ok(())
}

fn report(name: &str, sel: &[(&Page, &Output)]) {
    let mut triples = Vec::new();
    let mut empty = 0;
    let (mut stp, mut sfp, mut sfn, mut stn) = (0usize, 0usize, 0usize, 0usize);
    let (mut titles, mut exact, mut folded, mut line) = (0usize, 0usize, 0usize, 0usize);
    for (p, o) in sel {
        if tokens(&o.text).is_empty() {
            empty += 1;
        }
        if let Some(body) = &p.truth.body {
            triples.push(counts(body, &o.text));
        }
        if p.truth.with.is_some() || p.truth.without.is_some() {
            let t = norm_ws(&o.text);
            for w in p.truth.with.iter().flatten() {
                if t.contains(&norm_ws(w)) {
                    stp += 1;
                } else {
                    sfn += 1;
                }
            }
            for w in p.truth.without.iter().flatten() {
                if t.contains(&norm_ws(w)) {
                    sfp += 1;
                } else {
                    stn += 1;
                }
            }
        }
        if let Some(gold) = p.truth.title.as_deref().filter(|t| !t.is_empty()) {
            titles += 1;
            let ours = o.title.as_deref().unwrap_or("");
            exact += usize::from(tokens(gold) == tokens(ours));
            let ours_f = tokens(&ours.to_lowercase()).join(" ");
            folded += usize::from(tokens(&gold.to_lowercase()).join(" ") == ours_f);
            // 84 labels hold a kicker, headline and subheadline on separate lines: the
            // title is right there if it is the whole label or one of its lines.
            line += usize::from(
                tokens(&gold.to_lowercase()).join(" ") == ours_f
                    || gold.lines().any(|l| {
                        tokens(&l.to_lowercase()).join(" ") == ours_f && !ours_f.is_empty()
                    }),
            );
        }
    }
    let body = if triples.is_empty() {
        format!("{:>6} {:>6} {:>6} {:>7}", "-", "-", "-", "-")
    } else {
        let (p, r, f, pf) = aggregate(&triples);
        format!("{f:>6.3} {p:>6.3} {r:>6.3} {pf:>7.3}")
    };
    let snip = if stp + sfp + sfn + stn == 0 {
        "-".to_string()
    } else {
        let sp = ratio(stp, stp + sfp);
        let sr = ratio(stp, stp + sfn);
        let f = if sp + sr > 0.0 {
            2.0 * sp * sr / (sp + sr)
        } else {
            0.0
        };
        format!("{f:.3} ({sp:.3}/{sr:.3})")
    };
    let title = if titles == 0 {
        "-".to_string()
    } else {
        format!(
            "{:.3} exact, {:.3} folded, {:.3} folded-line ({titles})",
            ratio(exact, titles),
            ratio(folded, titles),
            ratio(line, titles)
        )
    };
    println!(
        "{name:<18} {:>5} {body} {:>7}  {snip:<28} {title}",
        sel.len(),
        empty
    );
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// `re.findall(r"\w+", text)` with Python's Unicode `\w` (alphanumeric or `_`).
pub(crate) fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn shingles<'a>(toks: &[&'a str]) -> HashMap<Vec<&'a str>, usize> {
    let mut out = HashMap::new();
    if toks.is_empty() {
        return out;
    }
    if toks.len() < 4 {
        *out.entry(toks.to_vec()).or_insert(0) += 1;
        return out;
    }
    for w in toks.windows(4) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// (tp, fp, fn) shingle counts of one page.
pub(crate) fn counts(truth: &str, pred: &str) -> (usize, usize, usize) {
    let (tt, pt) = (tokens(truth), tokens(pred));
    let (ts, ps) = (shingles(&tt), shingles(&pt));
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for (k, &t) in &ts {
        let p = ps.get(k).copied().unwrap_or(0);
        tp += t.min(p);
        fn_ += t.saturating_sub(p);
    }
    for (k, &p) in &ps {
        let t = ts.get(k).copied().unwrap_or(0);
        fp += p.saturating_sub(t);
    }
    (tp, fp, fn_)
}

fn prec((tp, fp, fn_): (usize, usize, usize)) -> f64 {
    if fp == 0 && fn_ == 0 {
        1.0
    } else if tp == 0 && fp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp) as f64
    }
}

fn rec((tp, fp, fn_): (usize, usize, usize)) -> f64 {
    if fp == 0 && fn_ == 0 {
        1.0
    } else if tp == 0 && fn_ == 0 {
        0.0
    } else {
        tp as f64 / (tp + fn_) as f64
    }
}

fn page_f1((tp, fp, fn_): (usize, usize, usize)) -> f64 {
    let d = 2 * tp + fp + fn_;
    if d == 0 {
        1.0
    } else {
        2.0 * tp as f64 / d as f64
    }
}

/// (P, R, F1 of the means, mean page F1), as the benchmark aggregates.
pub(crate) fn aggregate(triples: &[(usize, usize, usize)]) -> (f64, f64, f64, f64) {
    let mean = |v: Vec<f64>| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let p = mean(
        triples
            .iter()
            .filter(|t| t.0 + t.1 > 0)
            .map(|&t| prec(t))
            .collect(),
    );
    let r = mean(
        triples
            .iter()
            .filter(|t| t.0 + t.2 > 0)
            .map(|&t| rec(t))
            .collect(),
    );
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    let pf = mean(triples.iter().map(|&t| page_f1(t)).collect());
    (p, r, f, pf)
}

fn norm_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_matches_the_reference_definition() {
        assert_eq!(
            tokens("Kosovo?s future, status_1 é"),
            ["Kosovo", "s", "future", "status_1", "é"]
        );
        // Identical texts: all shingles match.
        assert_eq!(counts("a b c d e", "a b c d e"), (2, 0, 0));
        // Short texts are one shingle.
        assert_eq!(counts("a b", "a b"), (1, 0, 0));
        assert_eq!(counts("a b c d e", ""), (0, 0, 2));
        let (p, r, f, _) = aggregate(&[(2, 0, 0), (0, 0, 2)]);
        // The empty output counts for recall only.
        assert_eq!((p, r), (1.0, 0.5));
        assert!((f - 2.0 / 3.0).abs() < 1e-9);
    }
}
