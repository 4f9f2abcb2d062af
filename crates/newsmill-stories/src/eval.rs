//! Clustering scores: BCubed and pairwise precision, recall and F1.
//!
//! With `N` items and `n_cl` items in predicted cluster `c` and gold cluster `l`:
//! BCubed `P = (1/N) Σ n_cl² / |c|`, `R = (1/N) Σ n_cl² / |l|` (Bagga and Baldwin 1998);
//! pairwise `TP = Σ C(n_cl, 2)`, `P = TP / Σ_c C(|c|, 2)`, `R = TP / Σ_l C(|l|, 2)` (the
//! "standard F1" of Miranda et al. 2018). Same definitions as `bcubed.py` of the dev data.

use rustc_hash::FxHashMap;
use serde::Serialize;

/// Scores of a predicted clustering against a gold one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Items scored.
    pub n: usize,
    /// Gold clusters.
    pub gold_clusters: usize,
    /// Predicted clusters.
    pub pred_clusters: usize,
    /// BCubed precision.
    pub b3_p: f64,
    /// BCubed recall.
    pub b3_r: f64,
    /// BCubed F1.
    pub b3_f1: f64,
    /// Pairwise precision.
    pub pair_p: f64,
    /// Pairwise recall.
    pub pair_r: f64,
    /// Pairwise F1.
    pub pair_f1: f64,
}

/// Scores `pred` against `gold`; `gold[i]` and `pred[i]` label the same item.
pub fn scores(gold: &[&str], pred: &[&str]) -> Scores {
    let n = gold.len().min(pred.len());
    let mut cell: FxHashMap<(&str, &str), u64> = FxHashMap::default();
    let mut csize: FxHashMap<&str, u64> = FxHashMap::default();
    let mut lsize: FxHashMap<&str, u64> = FxHashMap::default();
    for (g, p) in gold.iter().zip(pred) {
        *cell.entry((p, g)).or_default() += 1;
        *csize.entry(p).or_default() += 1;
        *lsize.entry(g).or_default() += 1;
    }
    let f1 = |p: f64, r: f64| {
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    };
    let c2 = |k: u64| (k * k.saturating_sub(1) / 2) as f64;
    let nf = n.max(1) as f64;
    // Sum in a fixed order so the figures are the same run after run.
    let mut cells: Vec<_> = cell.into_iter().collect();
    cells.sort_unstable();
    let (mut p, mut r, mut tp) = (0.0, 0.0, 0.0);
    for ((c, l), v) in &cells {
        let v2 = (*v * *v) as f64;
        p += v2 / csize[c] as f64;
        r += v2 / lsize[l] as f64;
        tp += c2(*v);
    }
    let (p, r) = (p / nf, r / nf);
    let tpfp: f64 = csize.values().map(|&k| c2(k)).sum();
    let tpfn: f64 = lsize.values().map(|&k| c2(k)).sum();
    let pp = if tpfp > 0.0 { tp / tpfp } else { 0.0 };
    let pr = if tpfn > 0.0 { tp / tpfn } else { 0.0 };
    Scores {
        n,
        gold_clusters: lsize.len(),
        pred_clusters: csize.len(),
        b3_p: p,
        b3_r: r,
        b3_f1: f1(p, r),
        pair_p: pp,
        pair_r: pr,
        pair_f1: f1(pp, pr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked() {
        // The README's hand check: gold {a,b,c}{d,e}, predicted {a,b}{c,d,e}.
        let s = scores(
            &["G1", "G1", "G1", "G2", "G2"],
            &["P1", "P1", "P2", "P2", "P2"],
        );
        assert!((s.b3_p - 11.0 / 15.0).abs() < 1e-12 && (s.b3_r - 11.0 / 15.0).abs() < 1e-12);
        assert!((s.pair_f1 - 0.5).abs() < 1e-12);
        let all = scores(&["G1", "G1", "G1", "G2", "G2"], &["X"; 5]);
        assert!((all.b3_p - 13.0 / 25.0).abs() < 1e-12 && (all.pair_p - 0.4).abs() < 1e-12);
    }
}
