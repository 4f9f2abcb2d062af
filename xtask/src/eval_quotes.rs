//! `cargo xtask eval quotes`: who said what, on PolNeAR (../shared/data/quotes/polnear).
//!
//! # The split
//!
//! PolNeAR gives 840 training and 84 development articles (its test split is held out from
//! this project). Quote rules are written looking at `dev` and at the part of `train` that
//! [`held_out`] does not pick; the part it picks (157 articles, 1 in 5 by a hash of the file
//! name, fixed before any rule was written) is reported as held out and never looked at.
//! Anything learned (weights, thresholds) is learned on the rest of `train` only.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Whether a PolNeAR training article (its file name without `.txt`) belongs to the held-out
/// part of train: FNV-1a (64 bits) of the name is a multiple of 5.
pub(crate) fn held_out(stem: &str) -> bool {
    held_out_hash(stem).is_multiple_of(5)
}

/// The parts of PolNeAR the evaluation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Part {
    /// The 84 development articles.
    Dev,
    /// The held-out part of train (never looked at while writing rules).
    Heldout,
    /// The rest of train (where rules are written and anything is learned).
    Train,
}

/// The article files (`.txt` paths) of one part, sorted by name.
pub(crate) fn part_files(root: &Path, part: Part) -> Result<Vec<PathBuf>> {
    let dir = match part {
        Part::Dev => root.join("dev/text"),
        Part::Heldout | Part::Train => root.join("train/text"),
    };
    let mut out = Vec::new();
    for entry in fs_err::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .with_context(|| format!("{}: file name is not UTF-8", path.display()))?;
        let keep = match part {
            Part::Dev => true,
            Part::Heldout => held_out(stem),
            Part::Train => !held_out(stem),
        };
        if keep {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// A character span (Unicode scalar values) of an article's text.
pub(crate) type Span = (usize, usize);

/// One gold attribution: its content (one or more fragments), source and cue, if any.
#[derive(Debug, Clone, Default)]
pub(crate) struct GoldAttribution {
    /// The content's fragments (a discontinuous content has several).
    pub(crate) content: Vec<Span>,
    /// The source's fragments, empty for an unattributed claim.
    pub(crate) source: Vec<Span>,
    /// The cue's fragments.
    pub(crate) cue: Vec<Span>,
}

/// One article: its text and its gold attributions.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) gold: Vec<GoldAttribution>,
}

/// Parses `12 30;35 40` into spans.
fn parse_spans(s: &str) -> Option<Vec<Span>> {
    s.split(';')
        .map(|frag| {
            let (a, b) = frag.trim().split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

/// Reads a brat standoff file: `T` lines give typed spans, `E` lines tie an attribution's
/// Content (and Content2), Cue and Source together. Attributions without a content are
/// skipped (a handful of annotation stubs).
pub(crate) fn read_ann(ann: &str) -> Vec<GoldAttribution> {
    let mut spans: std::collections::HashMap<&str, Vec<Span>> = Default::default();
    let mut events = Vec::new();
    for line in ann.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(body)) = (cols.next(), cols.next()) else {
            continue;
        };
        if id.starts_with('T') {
            if let Some((_, offsets)) = body.split_once(' ')
                && let Some(s) = parse_spans(offsets)
            {
                spans.insert(id, s);
            }
        } else if id.starts_with('E') {
            events.push(body);
        }
    }
    let mut out = Vec::new();
    for body in events {
        let mut g = GoldAttribution::default();
        for arg in body.split_whitespace() {
            let Some((role, t)) = arg.split_once(':') else {
                continue;
            };
            let Some(s) = spans.get(t) else { continue };
            match role {
                "Content" | "Content2" => g.content.extend(s),
                "Source" => g.source.extend(s),
                "Cue" => g.cue.extend(s),
                _ => {}
            }
        }
        if !g.content.is_empty() {
            g.content.sort_unstable();
            out.push(g);
        }
    }
    out
}

/// Reads the articles of one part with their gold attributions.
pub(crate) fn read_part(root: &Path, part: Part) -> Result<Vec<Article>> {
    let mut out = Vec::new();
    for path in part_files(root, part)? {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let ann_path = path
            .parent()
            .and_then(Path::parent)
            .map(|p| p.join("attributions").join(format!("{name}.ann")))
            .with_context(|| format!("{}: no parent folder", path.display()))?;
        let text = fs_err::read_to_string(&path)?;
        let gold = read_ann(&fs_err::read_to_string(&ann_path)?);
        out.push(Article { name, text, gold });
    }
    Ok(out)
}

/// Options of `eval quotes`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Which parts to score (default: dev and the held-out part of train).
    #[arg(long, value_enum)]
    part: Vec<Part>,
    /// Print up to N missed gold contents and N wrong predictions per part, for error
    /// analysis (refused on the held-out part).
    #[arg(long, default_value_t = 0)]
    show: usize,
    /// Print the predictions for articles whose name contains this (not on the held-out part).
    #[arg(long)]
    doc: Option<String>,
    /// Write every prediction as JSON Lines (`{doc, start, end, kind, speaker, entity, cue}`,
    /// character offsets) to this file, for error analysis (refused on the held-out part).
    #[arg(long)]
    dump: Option<PathBuf>,
    /// Run the rules without the learned cue model (what `train-quotes` learns from).
    #[arg(long)]
    no_cue_model: bool,
    /// Do not list a quote inside a reported clause beside the clause
    /// (`QuoteConfig::nested_quotes` off; PolNeAR annotates such a quote as part of the
    /// clause only).
    #[arg(long)]
    no_nested_quotes: bool,
    /// Run without the cues of the learned cue tagger (`QuoteConfig::cue_tagger` off).
    #[arg(long)]
    no_cue_tagger: bool,
    /// Run without the fallback reading of unread lexicon cues (`QuoteConfig::fallback` off).
    #[arg(long)]
    no_fallback: bool,
}

/// Word positions (char offsets of the words' starts) inside the given spans; a word is a
/// maximal run of letters and digits.
fn words_in(words: &[Span], spans: &[Span]) -> Vec<usize> {
    let mut out: Vec<usize> = words
        .iter()
        .filter(|w| spans.iter().any(|s| w.0 >= s.0 && w.1 <= s.1))
        .map(|w| w.0)
        .collect();
    out.dedup();
    out
}

/// The words of a text as char spans.
fn word_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = None;
    let mut n = 0;
    for (i, c) in text.chars().enumerate() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((s, i));
        }
        n = i + 1;
    }
    if let Some(s) = start {
        out.push((s, n));
    }
    out
}

fn overlap(a: &[usize], b: &[usize]) -> usize {
    // Both sorted.
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

const PRONOUNS: &[&str] = &[
    "he", "she", "they", "i", "we", "it", "you", "him", "her", "them", "us", "me",
];

/// Words that do not name anyone: function words and titles.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "his",
    "her",
    "their",
    "its",
    "our",
    "this",
    "that",
    "these",
    "those",
    "some",
    "many",
    "he",
    "she",
    "they",
    "it",
    "i",
    "we",
    "you",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "senator",
    "rep",
    "gov",
    "governor",
    "president",
    "former",
    "secretary",
    "of",
    "and",
    "for",
    "in",
    "on",
    "at",
    "to",
    "presidential",
    "candidate",
    "democratic",
    "republican",
    "gop",
    "said",
    "r",
    "d",
];

/// The name words of a source, if it is a name: the part before any comma or parenthesis
/// ends with a capitalised word and holds no lowercase word but function words and titles
/// ("Sen. Maria Lopez", "The Daily Courier", "Chancellor Anna Berg" are names; "the Ohio
/// senator", "a farmer in Leeds", "The Anna Berg campaign" are not). Lowercase name words,
/// without titles and function words.
fn name_words(s: &str) -> Vec<String> {
    let head = s.split([',', '(']).next().unwrap_or("");
    let words: Vec<&str> = head
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return Vec::new();
    };
    if !last.chars().next().is_some_and(char::is_uppercase) {
        return Vec::new();
    }
    // A determiner followed by a lowercase word is a description.
    let lower_content = words.iter().enumerate().any(|(i, w)| {
        let lw = w.to_lowercase();
        w.chars().next().is_some_and(char::is_lowercase)
            && !NOT_NAMES.contains(&lw.as_str())
            && words[..i]
                .iter()
                .any(|d| ["the", "a", "an", "another", "one"].contains(&d.to_lowercase().as_str()))
    });
    if lower_content {
        return Vec::new();
    }
    words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(|w| w.to_lowercase())
        .filter(|w| w.chars().count() >= 2 && !NOT_NAMES.contains(&w.as_str()))
        .collect()
}

fn slice(text: &str, s: Span) -> String {
    text.chars()
        .skip(s.0)
        .take(s.1.saturating_sub(s.0))
        .collect()
}

/// Whether a gold content is a direct quote: inside quotation marks.
fn in_quotation_marks(chars: &[char], content: &[Span]) -> bool {
    let (Some(first), Some(last)) = (content.first(), content.last()) else {
        return false;
    };
    let is_open = |c: char| matches!(c, '“' | '"' | '‘' | '„' | '«');
    let is_close = |c: char| matches!(c, '”' | '"' | '’' | '“' | '»');
    let mut s = first.0;
    let mut e = last.1.min(chars.len());
    while s < e && chars[s].is_whitespace() {
        s += 1;
    }
    while e > s
        && (chars[e - 1].is_whitespace()
            || matches!(chars[e - 1], '.' | ',' | ';' | ':' | '!' | '?'))
    {
        e -= 1;
    }
    if s >= e {
        return false;
    }
    let opens = is_open(chars[s]) || (s > 0 && is_open(chars[s - 1]));
    let mut after = last.1.min(chars.len());
    while after < chars.len() && matches!(chars[after], '.' | ',' | ';' | ':' | '!' | '?') {
        after += 1;
    }
    let closes = is_close(chars[e - 1])
        || (e < chars.len() && is_close(chars[e]))
        || (after < chars.len() && is_close(chars[after]));
    opens && closes
}

/// Counts of one part.
#[derive(Debug, Default)]
struct Score {
    docs: usize,
    gold: usize,
    pred: usize,
    matched: usize,
    named: usize,
    speaker_right: usize,
    /// Of those, the gold sources that are names themselves (not pronouns).
    named_itself: usize,
    right_itself: usize,
    direct_gold: usize,
    direct_found: usize,
    cpu: f64,
    chars: usize,
}

/// Scores one article's predictions; pushes examples for `--show`.
fn score_article(
    a: &Article,
    quotes: &[newsmill_core::Quote],
    sc: &mut Score,
    missed: &mut Vec<String>,
    wrong: &mut Vec<String>,
) -> Vec<bool> {
    let words = word_spans(&a.text);
    let chars: Vec<char> = a.text.chars().collect();
    let gold_words: Vec<Vec<usize>> = a
        .gold
        .iter()
        .map(|g| words_in(&words, &g.content))
        .collect();
    let pred_words: Vec<Vec<usize>> = quotes
        .iter()
        .map(|q| words_in(&words, &[(q.start, q.end)]))
        .collect();
    // Candidate pairs where each covers at least half of the other's words, best first.
    let mut pairs = Vec::new();
    for (gi, gw) in gold_words.iter().enumerate() {
        for (pi, pw) in pred_words.iter().enumerate() {
            let o = overlap(gw, pw);
            if o > 0 && 2 * o >= gw.len() && 2 * o >= pw.len() {
                pairs.push((o, gi, pi));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut g_used = vec![None; a.gold.len()];
    let mut p_used = vec![false; quotes.len()];
    for (_, gi, pi) in pairs {
        if g_used[gi].is_none() && !p_used[pi] {
            g_used[gi] = Some(pi);
            p_used[pi] = true;
        }
    }
    // Gold names: a named source is itself; a pronoun takes the nearest named gold source
    // before it.
    let mut named_sources: Vec<(usize, Vec<String>)> = a
        .gold
        .iter()
        .filter_map(|g| {
            let s = g.source.first()?;
            let text = g
                .source
                .iter()
                .map(|&sp| slice(&a.text, sp))
                .collect::<Vec<_>>()
                .join(" ");
            let n = name_words(&text);
            (!n.is_empty()).then_some((s.0, n))
        })
        .collect();
    named_sources.sort();
    sc.docs += 1;
    sc.gold += a.gold.len();
    sc.pred += quotes.len();
    for (gi, g) in a.gold.iter().enumerate() {
        let direct = in_quotation_marks(&chars, &g.content);
        if direct {
            sc.direct_gold += 1;
        }
        let Some(pi) = g_used[gi] else {
            if missed.len() < 100_000 {
                let c: String = g
                    .content
                    .iter()
                    .map(|&s| slice(&a.text, s))
                    .collect::<Vec<_>>()
                    .join(" … ");
                let src: String = g.source.iter().map(|&s| slice(&a.text, s)).collect();
                let cue: String = g
                    .cue
                    .iter()
                    .map(|&s| slice(&a.text, s))
                    .collect::<Vec<_>>()
                    .join(" ");
                let d = if direct { "D" } else { "I" };
                missed.push(format!("{d} {}: [{src}] [{cue}] {c}", a.name));
            }
            continue;
        };
        sc.matched += 1;
        if direct {
            sc.direct_found += 1;
        }
        // The gold source's name.
        let Some(src) = g.source.first() else {
            continue;
        };
        let src_text = g
            .source
            .iter()
            .map(|&sp| slice(&a.text, sp))
            .collect::<Vec<_>>()
            .join(" ");
        let is_pronoun = PRONOUNS.contains(&src_text.trim().to_lowercase().as_str());
        let gold_name: Vec<String> = if is_pronoun {
            match named_sources.iter().rev().find(|(p, _)| *p < src.0) {
                Some((_, n)) => n.clone(),
                None => continue,
            }
        } else {
            let n = name_words(&src_text);
            if n.is_empty() {
                continue;
            }
            n
        };
        sc.named += 1;
        let q = &quotes[pi];
        let pred_name: Vec<String> = match (&q.entity, &q.speaker) {
            (Some(e), _) => e
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect(),
            (None, Some(sp)) if !is_pronoun => name_words(&sp.text),
            _ => Vec::new(),
        };
        let right = pred_name
            .iter()
            .any(|w| w.chars().count() >= 2 && gold_name.contains(w));
        if !is_pronoun {
            sc.named_itself += 1;
            sc.right_itself += usize::from(right);
        }
        if right {
            sc.speaker_right += 1;
        } else if wrong.len() < 100_000 {
            wrong.push(format!(
                "{}: speaker {:?} -> {:?}, gold {src_text:?} ({gold_name:?}) for {:?}",
                a.name,
                q.speaker.as_ref().map(|s| &s.text),
                q.entity,
                q.text.chars().take(60).collect::<String>()
            ));
        }
    }
    for (pi, q) in quotes.iter().enumerate() {
        if !p_used[pi] && wrong.len() < 100_000 {
            wrong.push(format!(
                "{}: extra {:?} [{}] [{}] {}",
                a.name,
                q.kind,
                q.speaker.as_ref().map_or("", |s| s.text.as_str()),
                q.cue.as_ref().map_or("", |s| s.text.as_str()),
                q.text
            ));
        }
    }
    p_used
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

pub(crate) fn run(data: &Path, args: &Args) -> Result<()> {
    let root = data.join("quotes/polnear");
    if !root.join("train/text").is_dir() {
        println!(
            "eval quotes: {} not found, nothing to evaluate",
            root.display()
        );
        return Ok(());
    }
    let parts = if args.part.is_empty() {
        vec![Part::Dev, Part::Heldout]
    } else {
        args.part.clone()
    };
    if args.show > 0 && parts.contains(&Part::Heldout) {
        anyhow::bail!("--show is refused on the held-out part: it is never looked at");
    }
    if args.dump.is_some() && parts.contains(&Part::Heldout) {
        anyhow::bail!("--dump is refused on the held-out part: it is never looked at");
    }
    let mut dump = match &args.dump {
        Some(p) => Some(std::io::BufWriter::new(fs_err::File::create(p)?)),
        None => None,
    };
    let nlp = newsmill_nlp::Nlp::embedded().context("embedded NER model")?;
    println!(
        "part      docs   gold   pred  | attribution P / R / F1  | speaker acc (named) | direct-quote recall | quotes ms/doc (wall, 1 thread)"
    );
    for part in parts {
        let articles = read_part(&root, part)?;
        let mut sc = Score::default();
        let mut missed = Vec::new();
        let mut wrong = Vec::new();
        for a in &articles {
            let mut record = newsmill_core::Record {
                text: a.text.clone(),
                language: Some("en".into()),
                ..Default::default()
            };
            newsmill_nlp::enrich(&mut record, &nlp);
            let t = std::time::Instant::now();
            let config = newsmill_nlp::quotes::QuoteConfig {
                cue_filter: !args.no_cue_model,
                nested_quotes: !args.no_nested_quotes,
                cue_tagger: !args.no_cue_tagger,
                fallback: !args.no_fallback,
            };
            let quotes = newsmill_nlp::quotes::find_quotes_with(
                &record.text,
                Some("en"),
                &record.entities,
                &config,
            );
            sc.cpu += t.elapsed().as_secs_f64();
            sc.chars += a.text.len();
            let _ = score_article(a, &quotes, &mut sc, &mut missed, &mut wrong);
            if let Some(out) = dump.as_mut() {
                use std::io::Write as _;
                for q in &quotes {
                    let line = serde_json::json!({
                        "doc": a.name,
                        "start": q.start,
                        "end": q.end,
                        "kind": q.kind,
                        "speaker": q.speaker,
                        "entity": q.entity,
                        "cue": q.cue,
                    });
                    writeln!(out, "{line}")?;
                }
            }
            if part != Part::Heldout
                && args
                    .doc
                    .as_ref()
                    .is_some_and(|d| a.name.contains(d.as_str()))
            {
                for q in &quotes {
                    println!(
                        "{:?} [{}] [{}] -> {:?}: {}",
                        q.kind,
                        q.speaker.as_ref().map_or("", |s| s.text.as_str()),
                        q.cue.as_ref().map_or("", |s| s.text.as_str()),
                        q.entity,
                        q.text
                    );
                }
            }
        }
        let p = ratio(sc.matched, sc.pred);
        let r = ratio(sc.matched, sc.gold);
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!(
            "{:<8} {:>5} {:>6} {:>6}  | {:.3} / {:.3} / {:.3}     | {:.3} ({:>4} of {:>4}) | {:.3} ({:>4} of {:>4}) | {:.2}",
            format!("{part:?}").to_lowercase(),
            sc.docs,
            sc.gold,
            sc.pred,
            p,
            r,
            f,
            ratio(sc.speaker_right, sc.named),
            sc.speaker_right,
            sc.named,
            ratio(sc.direct_found, sc.direct_gold),
            sc.direct_found,
            sc.direct_gold,
            sc.cpu * 1000.0 / sc.docs.max(1) as f64,
        );
        println!(
            "          speaker accuracy where the gold source is a name itself: {:.3} ({} of {}); a pronoun resolved by the gold: {:.3} ({} of {})",
            ratio(sc.right_itself, sc.named_itself),
            sc.right_itself,
            sc.named_itself,
            ratio(
                sc.speaker_right - sc.right_itself,
                sc.named - sc.named_itself
            ),
            sc.speaker_right - sc.right_itself,
            sc.named - sc.named_itself,
        );
        if args.show > 0 {
            println!("-- missed (sample) --");
            for m in missed
                .iter()
                .step_by(missed.len().checked_div(args.show).unwrap_or(1).max(1))
                .take(args.show)
            {
                println!("  {m}");
            }
            println!("-- wrong (sample) --");
            for m in wrong
                .iter()
                .step_by(wrong.len().checked_div(args.show).unwrap_or(1).max(1))
                .take(args.show)
            {
                println!("  {m}");
            }
        }
    }
    Ok(())
}

/// The file `train-quotes` writes.
pub(crate) fn cue_model_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/newsmill-nlp/data/quotes/cue-model-en.txt.zst")
}

/// One training sample of the cue model: an attribution's features and whether any quote it
/// gave matched a gold attribution; `fold` is the inner fold (0..5) of its article.
struct Sample {
    features: Vec<String>,
    label: bool,
    fold: u64,
    /// Quotes it gave, and of those, matched.
    quotes: usize,
    matched: usize,
}

/// An averaged perceptron over string features.
#[derive(Default)]
struct Perceptron {
    w: std::collections::HashMap<String, (f64, f64, u64)>, // weight, summed weight, last step
    step: u64,
}

impl Perceptron {
    fn score(&self, f: &[String]) -> f64 {
        f.iter().filter_map(|x| self.w.get(x)).map(|e| e.0).sum()
    }

    fn update(&mut self, f: &[String], y: f64) {
        let step = self.step;
        for x in f {
            let e = self.w.entry(x.clone()).or_default();
            e.1 += e.0 * (step - e.2) as f64;
            e.2 = step;
            e.0 += y;
        }
    }

    fn train(samples: &[&Sample], epochs: usize) -> std::collections::BTreeMap<String, f64> {
        let mut p = Perceptron::default();
        let mut order: Vec<usize> = (0..samples.len()).collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..epochs {
            // Fisher-Yates with a fixed xorshift: the same model on every run.
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            for &i in &order {
                let s = samples[i];
                p.step += 1;
                let y = if s.label { 1.0 } else { -1.0 };
                if p.score(&s.features) * y <= 0.0 {
                    p.update(&s.features, y);
                }
            }
        }
        let step = p.step;
        p.w.into_iter()
            .map(|(k, (w, sum, last))| (k, (sum + w * (step - last) as f64) / step as f64))
            .collect()
    }
}

fn model_score(m: &std::collections::BTreeMap<String, f64>, f: &[String]) -> f64 {
    f.iter().filter_map(|x| m.get(x)).sum()
}

/// Options of `train-quotes`.
#[derive(Debug, clap::Args)]
pub(crate) struct TrainArgs {
    /// What to learn: `cues` (the learned cue words, `data/quotes/cues-learned-en.txt`;
    /// rebuild before `model`) or `model` (the cue model).
    #[arg(value_enum, default_value = "model")]
    what: TrainWhat,
    /// Passes over the training samples.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// `model`: run the rules with the cue tagger (`data/quotes/cue-tagger-en.txt.zst`) so
    /// the model also learns which of the tagger's cues to keep.
    #[arg(long)]
    with_tagger: bool,
}

/// The things `train-quotes` learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TrainWhat {
    Cues,
    Model,
    Tagger,
}

/// A learned cue word occurs at least this often in gold cues of the training part...
const LEARNED_CUE_MIN: usize = 5;
/// ...and is part of a gold cue at least this share of the times it occurs.
const LEARNED_CUE_RATE: f64 = 0.3;

/// `train-quotes cues`: single words that PolNeAR's annotators mark as (part of) a cue often
/// enough, outside the hand-written lexicon: lowercase verb forms (ending in -ed, -ing or -s,
/// no -ly adverb), at least [`LEARNED_CUE_MIN`] times in gold cues and in a gold cue at least
/// [`LEARNED_CUE_RATE`] of the times they occur. The cue model then learns which of their
/// uses are attributions.
fn train_cues(root: &Path) -> Result<()> {
    let articles = read_part(root, Part::Train)?;
    let lexicon = fs_err::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/newsmill-nlp/data/quotes/cues-en.txt"),
    )?;
    let known: std::collections::HashSet<&str> = lexicon
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .flat_map(|(_, forms)| forms.split('|'))
        .filter_map(|f| f.split_whitespace().next())
        .collect();
    let mut in_cue: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total: std::collections::HashMap<String, usize> = Default::default();
    for a in &articles {
        let chars: Vec<char> = a.text.chars().collect();
        let word = |(s, e): Span| chars[s..e].iter().collect::<String>();
        for w in word_spans(&a.text) {
            *total.entry(word(w)).or_default() += 1;
        }
        for g in &a.gold {
            let cue_words = word_spans(&a.text)
                .into_iter()
                .filter(|w| g.cue.iter().any(|c| w.0 >= c.0 && w.1 <= c.1));
            for w in cue_words {
                *in_cue.entry(word(w)).or_default() += 1;
            }
        }
    }
    let mut out = String::from(
        "# Cue words learned from PolNeAR train (the articles that are neither dev nor the\n\
         # held-out part; research-only texts, see README.md beside it): lowercase verb forms\n\
         # not in cues-en.txt that the annotators mark as (part of) a cue at least 5 times and\n\
         # at least 30% of the times they occur. Written by `cargo xtask train-quotes cues`;\n\
         # the cue model (cue-model-en.txt.zst) decides which of their uses are attributions.\n\
         # word<TAB>times in a gold cue<TAB>times in the text\n",
    );
    let mut n = 0;
    for (w, &c) in &in_cue {
        let t = total.get(w).copied().unwrap_or(c).max(c);
        let verb_like = (w.ends_with("ed") || w.ends_with("ing") || w.ends_with('s'))
            && !w.ends_with("ly")
            && !w.ends_with("ss");
        if c >= LEARNED_CUE_MIN
            && c as f64 >= LEARNED_CUE_RATE * t as f64
            && w.chars().all(|ch| ch.is_lowercase())
            && w.chars().count() >= 4
            && verb_like
            && !known.contains(w.as_str())
        {
            out.push_str(&format!("{w}\t{c}\t{t}\n"));
            n += 1;
        }
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/newsmill-nlp/data/quotes/cues-learned-en.txt");
    fs_err::write(&path, out)?;
    println!(
        "train quotes: {n} learned cue words written to {} (rebuild, then train the model)",
        path.display()
    );
    Ok(())
}

/// `cargo xtask train-quotes`: learns the cue model (`data/quotes/cue-model-en.txt.zst`) on the
/// training part of PolNeAR train (never dev, never the held-out part). The quote rules run
/// without the model; each attribution they build is a sample, positive when a quote it gave
/// matches a gold attribution. An averaged perceptron (fixed shuffling seed) learns the
/// weights; first it is trained on four fifths of the articles and checked on the fifth left
/// out (printed, for choosing), then trained on all and written.
pub(crate) fn train(data: &Path, args: &TrainArgs) -> Result<()> {
    let root = data.join("quotes/polnear");
    if !root.join("train/text").is_dir() {
        println!("train quotes: {} not found, nothing to do", root.display());
        return Ok(());
    }
    if args.what == TrainWhat::Cues {
        return train_cues(&root);
    }
    if args.what == TrainWhat::Tagger {
        return train_tagger(&root, args);
    }
    let nlp = newsmill_nlp::Nlp::embedded().context("embedded NER model")?;
    let articles = read_part(&root, Part::Train)?;
    let records: Vec<newsmill_core::Record> = articles.iter().map(|a| enriched(a, &nlp)).collect();
    // With the tagger, each inner fold's articles get a tagger that never saw them (fold 0
    // the one shipped, fit on folds 1-4; fold k of 1-4 one fit on the other three), so the
    // model learns how far to trust the tagger's cues on unseen text.
    let taggers: Vec<newsmill_nlp::quotes::CueModel> = if args.with_tagger {
        let tokens = token_samples(&articles, &records);
        let threshold = choose_tagger_threshold(&tokens, args.epochs);
        (0..5u64)
            .map(|k| {
                let folds: Vec<u64> = (1..5).filter(|&f| f != k).collect();
                let (cands, m) = fit_tagger(&tokens, &folds, args.epochs);
                newsmill_nlp::quotes::CueModel::parse(&tagger_text(&cands, m, threshold))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut samples: Vec<Sample> = Vec::new();
    // Each inner fold's counts without the model: gold, predicted, matched.
    let mut folds: [Score; 5] = Default::default();
    for (a, record) in articles.iter().zip(&records) {
        let fold = (held_out_hash(&a.name) / 5) % 5;
        let tagger = taggers.get(fold as usize);
        let sc = &mut folds[fold as usize];
        let found = newsmill_nlp::quotes::quotes_with_cue_features(
            &record.text,
            Some("en"),
            &record.entities,
            tagger,
        );
        let quotes: Vec<newsmill_core::Quote> = found.iter().map(|(q, _)| q.clone()).collect();
        let used = score_article(a, &quotes, sc, &mut Vec::new(), &mut Vec::new());
        // One sample per attribution (its cue), positive when any of its quotes matched.
        let mut by_cue: std::collections::BTreeMap<(usize, usize), usize> = Default::default();
        for ((q, f), ok) in found.into_iter().zip(used) {
            let Some(c) = &q.cue else { continue };
            if f.is_empty() {
                continue;
            }
            match by_cue.get(&(c.start, c.end)) {
                Some(&k) => {
                    samples[k].label |= ok;
                    samples[k].quotes += 1;
                    samples[k].matched += usize::from(ok);
                }
                None => {
                    by_cue.insert((c.start, c.end), samples.len());
                    samples.push(Sample {
                        features: f,
                        label: ok,
                        fold,
                        quotes: 1,
                        matched: usize::from(ok),
                    });
                }
            }
        }
    }
    let positives = samples.iter().filter(|s| s.label).count();
    println!(
        "train quotes: {} attributions from {} articles, {} matched a gold one",
        samples.len(),
        articles.len(),
        positives
    );
    // Three thresholds, one for the lexicon's cues (`bias`), one for the fallback readings of
    // lexicon cues no pattern reads (`f|bias`) and one for the tagger's (`t|bias`), chosen on
    // inner fold 1 with the model fit on folds 2-4; then the model is fit on folds 1-4 and
    // inner fold 0 (never chosen on) is reported; the model written is fit on all.
    let lex_grid = [-30.0, -20.0, -15.0, -10.0, -7.0, -5.0, -3.0, 0.0];
    let fb_grid = [-10.0, -5.0, -3.0, 0.0, 3.0, 5.0, 10.0, f64::INFINITY];
    let tag_grid: &[f64] = if args.with_tagger {
        &[-10.0, -5.0, -3.0, 0.0, 3.0, 5.0, 10.0, f64::INFINITY]
    } else {
        &[f64::INFINITY]
    };
    // Which threshold a sample answers to: 0 the lexicon's, 1 a fallback's, 2 the tagger's.
    let group = |s: &Sample| match s.features.first().map(|f| f.get(..2)) {
        Some(Some("f|")) => 1,
        Some(Some("t|")) => 2,
        _ => 0,
    };
    // P/R/F1 of one fold with the samples' scores under a model and the three thresholds.
    let counts = |scores: &[f64], fold: u64, t: [f64; 3]| {
        let sc = &folds[fold as usize];
        let (mut pred, mut matched) = (sc.pred, sc.matched);
        for (s, &x) in samples.iter().zip(scores) {
            if s.fold == fold && x < t[group(s)] {
                pred -= s.quotes;
                matched -= s.matched;
            }
        }
        let (p, r) = (ratio(matched, pred), ratio(matched, sc.gold));
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    };
    let scored = |m: &std::collections::BTreeMap<String, f64>| -> Vec<f64> {
        samples
            .iter()
            .map(|s| model_score(m, &s.features))
            .collect()
    };
    let fit = |fs: &[u64]| {
        let fit: Vec<&Sample> = samples.iter().filter(|s| fs.contains(&s.fold)).collect();
        Perceptron::train(&fit, args.epochs)
    };
    let zeros = vec![0.0; samples.len()];
    let scores = scored(&fit(&[2, 3, 4]));
    let none = counts(&zeros, 1, [f64::MIN; 3]);
    println!(
        "choosing (model fit on inner folds 2-4, {} epochs; P/R/F1 on fold 1): without the model {:.3} / {:.3} / {:.3}",
        args.epochs, none.0, none.1, none.2
    );
    let mut best = (f64::MIN, [0.0; 3]);
    for &tl in &lex_grid {
        for &tf in &fb_grid {
            for &tt in tag_grid {
                let t = [tl, tf, tt];
                let (p, r, f) = counts(&scores, 1, t);
                println!(
                    "  keeping scores >= {tl:>5} / {tf:>5} / {tt:>5} (lexicon / fallback / tagger): {p:.3} / {r:.3} / {f:.3}"
                );
                if f > best.0 {
                    best = (f, t);
                }
            }
        }
    }
    let t = best.1;
    let scores = scored(&fit(&[1, 2, 3, 4]));
    let none = counts(&zeros, 0, [f64::MIN; 3]);
    let (p, r, f) = counts(&scores, 0, t);
    println!(
        "thresholds {} / {} / {} (lexicon / fallback / tagger); inner fold 0 (held out; model fit on folds 1-4): without the model {:.3} / {:.3} / {:.3}, with it {p:.3} / {r:.3} / {f:.3}",
        t[0], t[1], t[2], none.0, none.1, none.2
    );
    let all: Vec<&Sample> = samples.iter().collect();
    let mut m = Perceptron::train(&all, args.epochs);
    // A group no threshold kept is dropped whole.
    let folded = |x: f64| if x.is_finite() { x } else { 1e6 };
    *m.entry("bias".to_string()).or_default() -= t[0];
    *m.entry("f|bias".to_string()).or_default() -= folded(t[1]);
    if args.with_tagger {
        *m.entry("t|bias".to_string()).or_default() -= folded(t[2]);
    }
    let mut out = String::from(
        "# The English cue model of the quotes stage: averaged-perceptron weights over the\n\
         # features of an attribution the rules built (src/quotes/attribute.rs, Ctx::features),\n\
         # learned on PolNeAR train (the articles that are neither dev nor the held-out part;\n\
         # research-only texts, see README.md beside it for the licence note). Written by\n\
         # `cargo xtask train-quotes`. feature<TAB>weight; weights under 0.001 left out; the\n\
         # thresholds chosen on inner fold 1 of those articles (the model fit on folds 2-4)\n\
         # are in `bias` (the lexicon's cues), `f|bias` (the fallback readings of lexicon\n\
         # cues no pattern reads) and `t|bias` (the cue tagger's, when trained with it).\n",
    );
    let mut n = 0;
    for (f, w) in &m {
        if w.abs() >= 0.001 {
            out.push_str(&format!("{f}\t{w:.3}\n"));
            n += 1;
        }
    }
    let path = cue_model_path();
    let compressed = zstd::stream::encode_all(out.as_bytes(), 19)?;
    fs_err::write(&path, compressed)?;
    println!("train quotes: {n} weights written to {}", path.display());
    Ok(())
}

/// The file `train-quotes tagger` writes.
pub(crate) fn tagger_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/newsmill-nlp/data/quotes/cue-tagger-en.txt.zst")
}

/// A word is a tagger candidate when it is part of a gold cue at least this often in the
/// articles the tagger is fit on...
const TAGGER_CAND_MIN: usize = 3;
/// ...and at least this share of the times it is a candidate token.
const TAGGER_CAND_RATE: f64 = 0.05;

/// One token sample of the tagger: its word, features, whether it is part of a gold cue, and
/// its article's inner fold.
struct TokenSample {
    word: String,
    features: Vec<String>,
    label: bool,
    fold: u64,
}

/// The candidate words of the samples in `folds`: part of a gold cue often enough.
fn tagger_candidates(samples: &[TokenSample], folds: &[u64]) -> std::collections::BTreeSet<String> {
    let mut counts: std::collections::HashMap<&str, (usize, usize)> = Default::default();
    for s in samples.iter().filter(|s| folds.contains(&s.fold)) {
        let e = counts.entry(s.word.as_str()).or_default();
        e.0 += usize::from(s.label);
        e.1 += 1;
    }
    counts
        .into_iter()
        .filter(|&(_, (c, t))| c >= TAGGER_CAND_MIN && c as f64 >= TAGGER_CAND_RATE * t as f64)
        .map(|(w, _)| w.to_string())
        .collect()
}

/// Fits the tagger on the samples of `folds` (their candidate words only).
fn fit_tagger(
    samples: &[TokenSample],
    folds: &[u64],
    epochs: usize,
) -> (
    std::collections::BTreeSet<String>,
    std::collections::BTreeMap<String, f64>,
) {
    let cands = tagger_candidates(samples, folds);
    let fit: Vec<Sample> = samples
        .iter()
        .filter(|s| folds.contains(&s.fold) && cands.contains(&s.word))
        .map(|s| Sample {
            features: s.features.clone(),
            label: s.label,
            fold: s.fold,
            quotes: 1,
            matched: usize::from(s.label),
        })
        .collect();
    let refs: Vec<&Sample> = fit.iter().collect();
    (cands, Perceptron::train(&refs, epochs))
}

/// Token precision, recall and F1 of a tagger on the samples of one fold at threshold `t`
/// (every gold cue token of the fold counts for recall, candidate or not).
fn tagger_check(
    samples: &[TokenSample],
    fold: u64,
    cands: &std::collections::BTreeSet<String>,
    m: &std::collections::BTreeMap<String, f64>,
    t: f64,
) -> (f64, f64, f64) {
    let (mut tp, mut pred, mut gold) = (0, 0, 0);
    for s in samples.iter().filter(|s| s.fold == fold) {
        gold += usize::from(s.label);
        if cands.contains(&s.word) && model_score(m, &s.features) >= t {
            pred += 1;
            tp += usize::from(s.label);
        }
    }
    let (p, r) = (ratio(tp, pred), ratio(tp, gold));
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// `cargo xtask train-quotes tagger`: learns the cue tagger (`data/quotes/cue-tagger-en.txt.zst`)
/// on the training part of PolNeAR train. Every token outside quotes and outside the
/// lexicon's cues is a sample, positive when it lies in a gold cue. The threshold is chosen
/// on inner fold 1 with the tagger fit on folds 2-4; the tagger written is fit on folds 1-4,
/// so inner fold 0 stays unseen by it and by every choice (the cue model's inner check,
/// `train-quotes --with-tagger`, reports it).
fn train_tagger(root: &Path, args: &TrainArgs) -> Result<()> {
    let nlp = newsmill_nlp::Nlp::embedded().context("embedded NER model")?;
    let articles = read_part(root, Part::Train)?;
    let records: Vec<newsmill_core::Record> = articles.iter().map(|a| enriched(a, &nlp)).collect();
    let samples = token_samples(&articles, &records);
    println!(
        "train quotes tagger: {} candidate-word tokens from {} articles, {} in a gold cue",
        samples.len(),
        articles.len(),
        samples.iter().filter(|s| s.label).count()
    );
    let threshold = choose_tagger_threshold(&samples, args.epochs);
    let (cands, m) = fit_tagger(&samples, &[1, 2, 3, 4], args.epochs);
    let (p, r, f) = tagger_check(&samples, 0, &cands, &m, threshold);
    println!(
        "threshold {threshold}; fit on folds 1-4 ({} candidate words), token P/R/F1 on inner fold 0 (held out): {p:.3} / {r:.3} / {f:.3}",
        cands.len()
    );
    let out = tagger_text(&cands, m, threshold);
    let path = tagger_path();
    fs_err::write(&path, zstd::stream::encode_all(out.as_bytes(), 19)?)?;
    println!(
        "train quotes tagger: {} candidate words written to {}",
        cands.len(),
        path.display()
    );
    Ok(())
}

/// An article's record with the NLP stage's entities (what the quotes stage reads).
fn enriched(a: &Article, nlp: &newsmill_nlp::Nlp) -> newsmill_core::Record {
    let mut record = newsmill_core::Record {
        text: a.text.clone(),
        language: Some("en".into()),
        ..Default::default()
    };
    newsmill_nlp::enrich(&mut record, nlp);
    record
}

/// The tagger's samples of the articles: the tokens whose word is ever part of a gold cue,
/// positive when they lie in a gold cue the lexicon misses entirely.
fn token_samples(articles: &[Article], records: &[newsmill_core::Record]) -> Vec<TokenSample> {
    // Words that are ever part of a gold cue: the only samples worth keeping.
    let mut cue_words: std::collections::HashSet<String> = Default::default();
    for a in articles {
        let chars: Vec<char> = a.text.chars().collect();
        for w in word_spans(&a.text) {
            if a.gold
                .iter()
                .any(|g| g.cue.iter().any(|c| w.0 >= c.0 && w.1 <= c.1))
            {
                cue_words.insert(chars[w.0..w.1].iter().collect::<String>().to_lowercase());
            }
        }
    }
    cue_words.insert(":".to_string());
    let mut samples = Vec::new();
    for (a, record) in articles.iter().zip(records) {
        let fold = (held_out_hash(&a.name) / 5) % 5;
        let (tokens, lexicon_cues) =
            newsmill_nlp::quotes::cue_token_samples(&record.text, Some("en"), &record.entities);
        // The gold cues the lexicon misses entirely: what the tagger is for (a word beside a
        // lexicon cue, "has" in "has said", is part of that cue, not one of its own).
        let missed: Vec<&GoldAttribution> = a
            .gold
            .iter()
            .filter(|g| {
                !g.cue
                    .iter()
                    .any(|c| lexicon_cues.iter().any(|l| l.0 < c.1 && l.1 > c.0))
            })
            .collect();
        for ((s, e), word, features) in tokens {
            if !cue_words.contains(&word) {
                continue;
            }
            let label = missed
                .iter()
                .any(|g| g.cue.iter().any(|c| s < c.1 && e > c.0));
            samples.push(TokenSample {
                word,
                features,
                label,
                fold,
            });
        }
    }
    samples
}

/// The tagger's threshold: the best token F1 on inner fold 1 with the tagger fit on folds
/// 2-4 (printed).
fn choose_tagger_threshold(samples: &[TokenSample], epochs: usize) -> f64 {
    let (cands, m) = fit_tagger(samples, &[2, 3, 4], epochs);
    println!(
        "choosing (fit on inner folds 2-4, {} candidate words; token P/R/F1 on fold 1):",
        cands.len()
    );
    let mut best = (f64::MIN, 0.0);
    for t in [-20.0, -15.0, -10.0, -5.0, -3.0, -1.0, 0.0, 1.0, 3.0, 5.0] {
        let (p, r, f) = tagger_check(samples, 1, &cands, &m, t);
        println!("  keeping score >= {t:>5}: {p:.3} / {r:.3} / {f:.3}");
        if f > best.0 {
            best = (f, t);
        }
    }
    best.1
}

/// The tagger file's text: its candidate words and weights, the threshold in the bias.
fn tagger_text(
    cands: &std::collections::BTreeSet<String>,
    mut m: std::collections::BTreeMap<String, f64>,
    threshold: f64,
) -> String {
    *m.entry("bias".to_string()).or_default() -= threshold;
    let mut out = String::from(
        "# The English cue tagger of the quotes stage: averaged-perceptron weights over the\n\
         # features of a token outside the cue lexicon (src/quotes/attribute.rs,\n\
         # Ctx::token_features), learned on inner folds 1-4 of PolNeAR train (the articles that\n\
         # are neither dev nor the held-out part; research-only texts, see README.md beside it\n\
         # for the licence note). Written by `cargo xtask train-quotes tagger`. cand=WORD lines\n\
         # list the only words it scores; feature<TAB>weight; weights under 0.001 left out;\n\
         # the threshold chosen on fold 1 is in the bias.\n",
    );
    for c in cands {
        out.push_str(&format!("cand={c}\t1\n"));
    }
    for (f, w) in &m {
        if w.abs() >= 0.001 {
            out.push_str(&format!("{f}\t{w:.3}\n"));
        }
    }
    out
}

/// FNV-1a (64 bits) of an article name, as [`held_out`] uses it.
fn held_out_hash(stem: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in stem.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; of "" the offset basis.
        assert!(!held_out(""));
        assert_eq!(0xaf63_dc4c_8601_ec8c_u64 % 5, 1);
        assert!(!held_out("a"));
    }
}
