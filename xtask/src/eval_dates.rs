//! `cargo xtask eval dates`: temporal expressions on TimeBank (../shared/data/time/timebank),
//! scored as TempEval-3 scores them.
//!
//! Each article becomes an HTML page (its paragraphs as `<p>`, its creation time as
//! `article:published_time`) and goes through what `newsmill analyze` runs: extraction, then
//! `newsmill_nlp::enrich`. The gold expressions are placed in the record's text by aligning the
//! article's paragraphs (white space aside); an expression whose text extraction dropped counts
//! as missed.
//!
//! Figures (TempEval-3): strict span F1 (same start and end), relaxed span F1 (any overlap, one
//! to one), value F1 (a relaxed match with the same TIMEX3 value), type accuracy over relaxed
//! matches, and per TimeML type.
//!
//! The articles are split by document: sorted by file name, the even-numbered ones (0, 2, ...)
//! are the development half the rules were written from, the odd-numbered ones the held-out half
//! that is only reported on. `--errors` lists mistakes, on the development half only.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_nlp::Nlp;

/// Arguments of `eval dates`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// List the first N mistakes (misses, false alarms, wrong values) of the development half.
    #[arg(long, value_name = "N")]
    errors: Option<usize>,
    /// Print the development half's figures only (for working on the rules).
    #[arg(long)]
    dev_only: bool,
}

/// One gold expression: characters of the article's plain text.
#[derive(Debug, Clone)]
struct Gold {
    start: usize,
    end: usize,
    kind: String,
    value: String,
}

/// One article of TimeBank, its text and its expressions.
struct Article {
    name: String,
    dct: String,
    text: String,
    gold: Vec<Gold>,
}

/// A span in the record's text (characters), with type and value.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    kind: String,
    value: String,
    text: String,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    gold: usize,
    sys: usize,
    strict: usize,
    relaxed_gold: usize,
    relaxed_sys: usize,
    value: usize,
    typed: usize,
    unaligned: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.gold += o.gold;
        self.sys += o.sys;
        self.strict += o.strict;
        self.relaxed_gold += o.relaxed_gold;
        self.relaxed_sys += o.relaxed_sys;
        self.value += o.value;
        self.typed += o.typed;
        self.unaligned += o.unaligned;
    }
}

fn prf(correct_sys: usize, sys: usize, correct_gold: usize, gold: usize) -> (f64, f64, f64) {
    let p = if sys == 0 {
        0.0
    } else {
        correct_sys as f64 / sys as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        correct_gold as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

pub(crate) fn run(data: &Path, args: &Args) -> anyhow::Result<()> {
    let dir = data.join("time/timebank");
    if !dir.is_dir() {
        println!(
            "xtask: eval dates: {} not found, nothing to do",
            dir.display()
        );
        return Ok(());
    }
    let mut names: Vec<String> = fs_err::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tml"))
        .collect();
    names.sort();
    let nlp = Nlp::embedded().context("loading the NLP stage")?;
    let config = ExtractConfig::default();
    // Per split (0: development, 1: held-out): totals, and per gold type.
    let mut totals = [Counts::default(); 2];
    let mut by_type: [std::collections::BTreeMap<String, Counts>; 2] = Default::default();
    let mut errors: Vec<String> = Vec::new();
    let t0 = Instant::now();
    let mut dates_secs = 0.0;
    for (k, name) in names.iter().enumerate() {
        let split = k % 2;
        let path = dir.join(name);
        let xml = fs_err::read_to_string(&path)?;
        let article = parse_timeml(name, &xml).with_context(|| path.display().to_string())?;
        let html = page(&article);
        let doc = RawDoc::new(
            Origin::Path(path.display().to_string()),
            InputHint::Html,
            html.into_bytes(),
        );
        let mut record = extract(&doc, &config).with_context(|| format!("extracting {name}"))?;
        newsmill_nlp::enrich(&mut record, &nlp);
        record
            .check_invariants()
            .with_context(|| format!("record of {name}"))?;
        // The date stage alone, timed on the same record.
        let t = Instant::now();
        let again = {
            let mut r = record.clone();
            r.dates.clear();
            newsmill_nlp::enrich_dates(&mut r, &nlp);
            r.dates.len()
        };
        dates_secs += t.elapsed().as_secs_f64();
        debug_assert_eq!(again, record.dates.len());
        let (gold, unaligned) = align(&article, &record);
        let sys: Vec<Span> = record
            .dates
            .iter()
            .map(|d| Span {
                start: d.start,
                end: d.end,
                kind: format!("{:?}", d.kind).to_uppercase(),
                value: d.value.clone(),
                text: d.text.clone(),
            })
            .collect();
        let c = score(&gold, &sys, unaligned, &mut by_type[split]);
        totals[split].add(&c);
        if split == 0 && args.errors.is_some() {
            list_errors(name, &article.dct, &record, &gold, &sys, &mut errors);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "TimeBank: {} articles through extract + enrich, the creation time as article:published_time",
        names.len()
    );
    println!(
        "{:<34} {:>5} {:>5} {:>5}  {:>17}  {:>17}  {:>17}  {:>5}",
        "split", "docs", "gold", "sys", "strict P/R/F1", "relaxed P/R/F1", "value P/R/F1", "type"
    );
    let splits: &[(usize, &str)] = if args.dev_only {
        &[(0, "dev (rules written from)")]
    } else {
        &[
            (0, "dev (rules written from)"),
            (1, "held-out (only reported)"),
        ]
    };
    for &(split, label) in splits {
        let c = &totals[split];
        let docs = names.len() / 2 + usize::from(split == 0 && names.len() % 2 == 1);
        let (sp, sr, sf) = prf(c.strict, c.sys, c.strict, c.gold);
        let (rp, rr, rf) = prf(c.relaxed_sys, c.sys, c.relaxed_gold, c.gold);
        let (vp, vr, vf) = prf(c.value, c.sys, c.value, c.gold);
        let ta = if c.relaxed_gold == 0 {
            0.0
        } else {
            c.typed as f64 / c.relaxed_gold as f64
        };
        println!(
            "{label:<34} {docs:>5} {:>5} {:>5}  {sp:.3} {sr:.3} {sf:.3}  {rp:.3} {rr:.3} {rf:.3}  {vp:.3} {vr:.3} {vf:.3}  {ta:.3}",
            c.gold, c.sys
        );
    }
    let splits: &[(usize, &str)] = if args.dev_only {
        &[(0, "dev")]
    } else {
        &[(0, "dev"), (1, "held-out")]
    };
    for &(split, label) in splits {
        println!(
            "per gold type, {label}: gold, relaxed recall, value recall; system, relaxed precision"
        );
        for (kind, c) in &by_type[split] {
            let rr = c.relaxed_gold as f64 / c.gold.max(1) as f64;
            let vr = c.value as f64 / c.gold.max(1) as f64;
            let rp = c.relaxed_sys as f64 / c.sys.max(1) as f64;
            println!(
                "  {kind:<9} gold {:>4}  R {rr:.3}  value R {vr:.3}   system {:>4}  P {rp:.3}",
                c.gold, c.sys
            );
        }
    }
    let unaligned: usize = totals.iter().map(|c| c.unaligned).sum();
    println!(
        "gold expressions in text extraction dropped (counted as missed): {unaligned}; {:.1} articles/s through extract + NLP, date stage {:.2} ms per article",
        names.len() as f64 / secs,
        dates_secs * 1000.0 / names.len() as f64
    );
    if let Some(n) = args.errors {
        println!("\nfirst {n} mistakes on the development half:");
        for e in errors.iter().take(n) {
            println!("{e}");
        }
    }
    Ok(())
}

/// Reads a TimeML file: the creation time and the text with its TIMEX3 spans (characters).
fn parse_timeml(name: &str, xml: &str) -> anyhow::Result<Article> {
    let dct_start = xml.find("<DCT>").context("no <DCT>")?;
    let dct = attr(&xml[dct_start..], "value").context("no DCT value")?;
    let body_start = xml.find("<TEXT>").context("no <TEXT>")? + "<TEXT>".len();
    let body_end = xml.find("</TEXT>").context("no </TEXT>")?;
    let body = &xml[body_start..body_end];
    let mut text = String::new();
    let mut n_chars = 0;
    let mut gold = Vec::new();
    let mut open: Option<Gold> = None;
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        n_chars += push_text(&mut text, &rest[..lt]);
        let gt = rest[lt..].find('>').context("unclosed tag")? + lt;
        let tag = &rest[lt + 1..gt];
        if tag.starts_with("TIMEX3") {
            open = Some(Gold {
                start: n_chars,
                end: n_chars,
                kind: attr(tag, "type").unwrap_or_default(),
                value: attr(tag, "value").unwrap_or_default(),
            });
        } else if tag.starts_with("/TIMEX3")
            && let Some(mut g) = open.take()
        {
            g.end = n_chars;
            gold.push(g);
        }
        rest = &rest[gt + 1..];
    }
    push_text(&mut text, rest);
    Ok(Article {
        name: name.trim_end_matches(".tml").to_string(),
        dct,
        text,
        gold,
    })
}

/// Appends XML text with its entities decoded; returns the characters added.
fn push_text(out: &mut String, s: &str) -> usize {
    let decoded = s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    out.push_str(&decoded);
    decoded.chars().count()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The paragraphs of the article's text (runs of lines between blank lines), as character
/// ranges.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            // A blank line: a newline, then only spaces up to another newline.
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '\n' && chars[j].is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '\n' {
                if let Some(s) = start.take() {
                    out.push((s, i));
                }
                i = j;
                continue;
            }
        }
        if start.is_none() && !chars[i].is_whitespace() {
            start = Some(i);
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push((s, chars.len()));
    }
    out
}

/// The HTML page an article becomes.
fn page(a: &Article) -> String {
    let chars: Vec<char> = a.text.chars().collect();
    let mut body = String::new();
    for (s, e) in paragraphs(&a.text) {
        let p: String = chars[s..e].iter().collect();
        body.push_str("<p>");
        body.push_str(&escape(p.trim()));
        body.push_str("</p>\n");
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{name}</title>\n<meta property=\"article:published_time\" content=\"{dct}\">\n</head><body><article>\n<h1>{name}</h1>\n{body}</article></body></html>\n",
        name = escape(&a.name),
        dct = escape(&a.dct),
    )
}

/// Non-white-space characters of `s` and, for each, its character index in `s`.
fn squeeze(s: &str) -> (Vec<char>, Vec<usize>) {
    let mut chars = Vec::new();
    let mut map = Vec::new();
    for (i, c) in s.chars().enumerate() {
        if !c.is_whitespace() {
            chars.push(c);
            map.push(i);
        }
    }
    (chars, map)
}

fn find_from(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

/// Places the gold expressions in the record's text: each paragraph is found (white space
/// aside) in the record's text, and its expressions move with it. Returns the placed
/// expressions and how many could not be placed.
fn align(a: &Article, record: &Record) -> (Vec<Span>, usize) {
    let (rec, rec_map) = squeeze(&record.text);
    let chars: Vec<char> = a.text.chars().collect();
    let mut out = Vec::new();
    let mut unaligned = 0;
    let mut from = 0;
    for (ps, pe) in paragraphs(&a.text) {
        let golds: Vec<&Gold> = a
            .gold
            .iter()
            .filter(|g| g.start >= ps && g.end <= pe)
            .collect();
        let para: String = chars[ps..pe].iter().collect();
        let (p, p_map) = squeeze(&para);
        let Some(pos) = find_from(&rec, &p, from).or_else(|| find_from(&rec, &p, 0)) else {
            unaligned += golds.len();
            continue;
        };
        from = pos + p.len();
        for g in golds {
            let first = p_map.iter().position(|&m| m + ps >= g.start);
            let last = p_map.iter().rposition(|&m| m + ps < g.end);
            let (Some(f), Some(l)) = (first, last) else {
                unaligned += 1;
                continue;
            };
            if l < f {
                unaligned += 1;
                continue;
            }
            let start = rec_map[pos + f];
            let end = rec_map[pos + l] + 1;
            out.push(Span {
                start,
                end,
                kind: g.kind.clone(),
                value: g.value.clone(),
                text: chars[g.start..g.end].iter().collect(),
            });
        }
    }
    (out, unaligned)
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end
}

/// One-to-one relaxed matching: each gold expression takes the first unmatched system
/// expression it overlaps. Returns, per gold expression, the index of its match.
fn relaxed_matches(gold: &[Span], sys: &[Span]) -> Vec<Option<usize>> {
    let mut used = vec![false; sys.len()];
    gold.iter()
        .map(|g| {
            let k = (0..sys.len()).find(|&k| !used[k] && overlaps(g, &sys[k]))?;
            used[k] = true;
            Some(k)
        })
        .collect()
}

fn score(
    gold: &[Span],
    sys: &[Span],
    unaligned: usize,
    by_type: &mut std::collections::BTreeMap<String, Counts>,
) -> Counts {
    let mut c = Counts {
        gold: gold.len() + unaligned,
        sys: sys.len(),
        unaligned,
        ..Counts::default()
    };
    c.strict = gold
        .iter()
        .filter(|g| sys.iter().any(|s| s.start == g.start && s.end == g.end))
        .count();
    let m = relaxed_matches(gold, sys);
    c.relaxed_gold = m.iter().flatten().count();
    c.relaxed_sys = c.relaxed_gold;
    for (g, k) in gold.iter().zip(&m) {
        let t = by_type.entry(g.kind.clone()).or_default();
        t.gold += 1;
        if let Some(k) = k {
            t.relaxed_gold += 1;
            if sys[*k].value == g.value {
                c.value += 1;
                t.value += 1;
            }
            if sys[*k].kind == g.kind {
                c.typed += 1;
            }
        }
    }
    let matched: Vec<usize> = m.iter().flatten().copied().collect();
    for (k, s) in sys.iter().enumerate() {
        let t = by_type.entry(s.kind.clone()).or_default();
        t.sys += 1;
        if matched.contains(&k) {
            t.relaxed_sys += 1;
        }
    }
    c
}

fn list_errors(
    name: &str,
    dct: &str,
    record: &Record,
    gold: &[Span],
    sys: &[Span],
    out: &mut Vec<String>,
) {
    let m = relaxed_matches(gold, sys);
    let context = |s: &Span| -> String {
        let chars: Vec<char> = record.text.chars().collect();
        let a = s.start.saturating_sub(40);
        let b = (s.end + 40).min(chars.len());
        let pre: String = chars[a..s.start].iter().collect();
        let post: String = chars[s.end..b].iter().collect();
        format!(
            "{}[{}]{}",
            pre.replace('\n', " "),
            s.text,
            post.replace('\n', " ")
        )
    };
    for (g, k) in gold.iter().zip(&m) {
        match k {
            None => out.push(format!(
                "{name} ({dct}) MISS  {} {:<14} {}",
                g.kind,
                g.value,
                context(g)
            )),
            Some(k) if sys[*k].value != g.value => out.push(format!(
                "{name} ({dct}) VALUE {} gold {:<14} sys {:<14} {}",
                g.kind,
                g.value,
                sys[*k].value,
                context(&sys[*k])
            )),
            _ => {}
        }
    }
    let matched: Vec<usize> = m.iter().flatten().copied().collect();
    for (k, s) in sys.iter().enumerate() {
        if !matched.contains(&k) {
            out.push(format!(
                "{name} ({dct}) FALSE {} {:<14} {}",
                s.kind,
                s.value,
                context(s)
            ));
        }
    }
}
