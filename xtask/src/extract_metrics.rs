//! The metrics of ../shared/data/extraction/dev, as its README defines them and
//! ../shared/tools/extraction_eval.py computes them.
//!
//! * ScrapingHub shingle precision, recall and F1 on `body`: tokens are `\w+` (Unicode,
//!   case-sensitive), shingles the multiset of 4-token windows (a text of 1–3 tokens is one
//!   shingle); precision is averaged over pages with tp+fp > 0, recall over pages with
//!   tp+fn > 0, and F1 = 2PR/(P+R) of the two means.
//! * trafilatura snippet scores on `with`/`without`, pooled over pages.

use std::collections::HashMap;

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

pub(crate) fn shingles<'a>(toks: &[&'a str]) -> HashMap<Vec<&'a str>, usize> {
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

pub(crate) fn prec((tp, fp, fn_): (usize, usize, usize)) -> f64 {
    if fp == 0 && fn_ == 0 {
        1.0
    } else if tp == 0 && fp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp) as f64
    }
}

pub(crate) fn rec((tp, fp, fn_): (usize, usize, usize)) -> f64 {
    if fp == 0 && fn_ == 0 {
        1.0
    } else if tp == 0 && fn_ == 0 {
        0.0
    } else {
        tp as f64 / (tp + fn_) as f64
    }
}

pub(crate) fn page_f1((tp, fp, fn_): (usize, usize, usize)) -> f64 {
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

pub(crate) fn norm_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Snippet counts of one page: (tp, fp, fn, tn).
pub(crate) fn snippet_counts(
    with: &[String],
    without: &[String],
    text: &str,
) -> (usize, usize, usize, usize) {
    let t = norm_ws(text);
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    for w in with {
        if t.contains(&norm_ws(w)) {
            tp += 1;
        } else {
            fn_ += 1;
        }
    }
    for w in without {
        if t.contains(&norm_ws(w)) {
            fp += 1;
        } else {
            tn += 1;
        }
    }
    (tp, fp, fn_, tn)
}

/// Pooled snippet (P, R, F1).
pub(crate) fn snippet_prf(c: (usize, usize, usize, usize)) -> (f64, f64, f64) {
    let (tp, fp, fn_, _) = c;
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let p = ratio(tp, tp + fp);
    let r = ratio(tp, tp + fn_);
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_matches_the_reference_definition() {
        // One shingle short of the truth: precision 1, recall 4/5 (extraction_eval.py's
        // numbers for these two texts).
        let c = counts("a b c d e f g h", "a b c d e f g");
        assert_eq!(c, (4, 0, 1));
        assert!((prec(c) - 1.0).abs() < 1e-9);
        assert!((rec(c) - 0.8).abs() < 1e-9);
        assert_eq!(
            tokens("Don't stop, café-bar_x!"),
            ["Don", "t", "stop", "café", "bar_x"]
        );
        assert_eq!(counts("", "a b"), (0, 1, 0));
        let (p, r, f, _) = aggregate(&[(4, 0, 1), (0, 0, 5)]);
        assert!(
            (p - 1.0).abs() < 1e-9,
            "empty output costs recall, not precision"
        );
        assert!((r - 0.4).abs() < 1e-9);
        assert!(f > 0.5);
        let s = snippet_counts(
            &["keep this".into()],
            &["drop that".into()],
            "we keep  this and drop that",
        );
        assert_eq!(s, (1, 1, 0, 0));
    }
}
