//! Leave-sites-out estimate of the extractor's dev figures, and each rule's effect per site.
//!
//! The extractor is rules, so "training" is the choices made about them: the value of each
//! threshold of [`Tuning`] and whether each rule (a family of `rules/*.rules` or a step of
//! the code) is used at all. The dev sites (registrable domains) are split into folds by a
//! hash of their name. For each fold, every choice is made on the other folds' pages only:
//!
//! * a threshold takes the value of a small grid (the shipped value included) that scores best
//!   there, each threshold on its own with the others at their shipped value;
//! * a rule is dropped when the pages score better without it there.
//!
//! The fold's pages are then extracted with those choices and scored. Every page is scored
//! once, when its site was held out: that is the leave-sites-out figure, beside the in-sample
//! one (the shipped choices, made with every dev page in view). The objective is the mean of
//! the two subsets' headline metrics (shingle F1 on l3s-gn1, snippet F1 on trafilatura-eval).
//!
//! The rule table shows each rule's effect where it acts: switched off alone, on how many
//! sites the output changes, on how many it was right to have it (their pages score better
//! with it) and on how many wrong. A rule that changes one site only, or helps as many sites
//! as it hurts, has not earned its place on pages it was not written for.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use newsmill_extract::{ExtractConfig, Tuning};

use crate::eval_extract::{Dev, PageScore, metrics, objective, site_of};

/// Values tried for each threshold (the shipped value is always a candidate too).
const GRID: &[(&str, &[f64])] = &[
    ("weak_max_share", &[0.25, 0.4, 0.8]),
    ("strong_max_share", &[0.4, 0.8]),
    ("comments_max_share", &[0.6, 1.0]),
    ("article_up_share", &[0.3, 0.7, 0.9]),
    ("sibling_share", &[0.1, 0.35, 0.5]),
    ("sibling_min", &[50.0, 200.0]),
    ("fallback_words", &[0.0, 250.0, 1000.0]),
    ("tail_words", &[4.0, 12.0, 16.0]),
];

/// A change must gain this much of the objective on the training sites to be taken.
const EPS: f64 = 0.0002;

fn config(t: Tuning) -> ExtractConfig {
    ExtractConfig {
        tuning: t,
        ..ExtractConfig::default()
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

fn fmt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.4}"))
}

fn delta(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:+.4}", a - b),
        _ => "-".to_string(),
    }
}

/// Runs the estimate and prints it (and the rule table when `table`).
pub(crate) fn run(dev: &Dev, base: &[PageScore], folds: usize, table: bool) -> Result<()> {
    let n = dev.pages.len();
    let folds = folds.max(2);
    let sites: Vec<String> = dev.pages.iter().map(site_of).collect();
    let fold: Vec<usize> = sites
        .iter()
        .map(|s| (fnv(s) % folds as u64) as usize)
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let site_count = sites.iter().collect::<BTreeSet<_>>().len();

    // Every candidate choice, scored on every page once.
    let mut threshold_runs: Vec<(&str, f64, Vec<PageScore>)> = Vec::new();
    for (name, values) in GRID {
        for &v in *values {
            let mut t = Tuning::default();
            t.set(name, v)?;
            threshold_runs.push((name, v, dev.scores(&config(t), &all, base)));
        }
    }
    let rules = Tuning::rules();
    let mut rule_runs: Vec<Vec<PageScore>> = Vec::with_capacity(rules.len());
    for r in &rules {
        let mut t = Tuning::default();
        t.switch_off(r.name)?;
        rule_runs.push(dev.scores(&config(t), &all, base));
    }

    // Per fold: choose on the other folds, score the fold.
    let mut held = base.to_vec();
    let mut kept = vec![0usize; rules.len()];
    let mut picked: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for f in 0..folds {
        let train: Vec<usize> = all.iter().copied().filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = all.iter().copied().filter(|&i| fold[i] == f).collect();
        let base_obj = objective(base, &train);
        let mut t = Tuning::default();
        for (name, _) in GRID {
            let mut best = (Tuning::default().get(name).unwrap_or(0.0), base_obj);
            for (_, v, scores) in threshold_runs.iter().filter(|(n, _, _)| n == name) {
                let o = objective(scores, &train);
                if o > best.1 + EPS {
                    best = (*v, o);
                }
            }
            t.set(name, best.0)?;
            picked.entry(name).or_default().push(best.0);
        }
        for (k, r) in rules.iter().enumerate() {
            if objective(&rule_runs[k], &train) > base_obj + EPS {
                t.switch_off(r.name)?;
            } else {
                kept[k] += 1;
            }
        }
        held = dev.scores(&config(t), &test, &held);
    }

    let (in_l3s, in_snip) = metrics(base, &all);
    let (lo_l3s, lo_snip) = metrics(&held, &all);
    println!(
        "leave-sites-out: {folds} folds of {site_count} sites; per fold the thresholds are tuned and each rule kept or dropped on the other folds' sites, then the fold's pages are scored"
    );
    println!("{:<34} {:>13} {:>13}", "", "l3s-gn1 F1", "snippet F1");
    println!(
        "{:<34} {:>13} {:>13}",
        "in-sample (shipped choices)",
        fmt(in_l3s),
        fmt(in_snip)
    );
    println!(
        "{:<34} {:>13} {:>13}",
        "leave-sites-out (held-out sites)",
        fmt(lo_l3s),
        fmt(lo_snip)
    );
    let thresholds: Vec<String> = picked
        .iter()
        .map(|(name, v)| {
            let shipped = Tuning::default().get(name).unwrap_or(0.0);
            let vals: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
            format!("{name} {shipped} -> [{}]", vals.join(", "))
        })
        .collect();
    println!("thresholds chosen per fold: {}", thresholds.join("; "));
    let dropped: Vec<String> = rules
        .iter()
        .zip(&kept)
        .filter(|(_, k)| **k < folds)
        .map(|(r, k)| format!("{} (kept in {k}/{folds})", r.name))
        .collect();
    println!(
        "rules dropped on some fold's training sites: {}",
        if dropped.is_empty() {
            "none".to_string()
        } else {
            dropped.join(", ")
        }
    );

    // Each rule's effect, switched off alone, per site.
    let site_value = |scores: &[PageScore]| -> BTreeMap<&str, f64> {
        let mut sum: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
        for (i, s) in scores.iter().enumerate() {
            let e = sum.entry(sites[i].as_str()).or_default();
            e.0 += s.value();
            e.1 += 1;
        }
        sum.into_iter()
            .map(|(k, (v, c))| (k, v / c as f64))
            .collect()
    };
    let base_sites = site_value(base);
    let mut single_site = Vec::new();
    if table {
        println!(
            "{:<26} {:<14} {:>6} {:>7} {:>5} {:>9} {:>9} {:>6}",
            "rule", "file", "sites", "helped", "hurt", "dF1 l3s", "dF1 snip", "folds"
        );
    }
    for (k, r) in rules.iter().enumerate() {
        let runs = &rule_runs[k];
        let changed: BTreeSet<&str> = (0..n)
            .filter(|&i| runs[i].hash != base[i].hash)
            .map(|i| sites[i].as_str())
            .collect();
        let off_sites = site_value(runs);
        let (mut helped, mut hurt) = (0, 0);
        for s in &changed {
            let (b, o) = (base_sites[s], off_sites[s]);
            if b > o + 1e-9 {
                helped += 1;
            } else if o > b + 1e-9 {
                hurt += 1;
            }
        }
        if changed.len() == 1 {
            single_site.push(format!(
                "{} ({})",
                r.name,
                changed.iter().next().copied().unwrap_or("")
            ));
        }
        if table && !changed.is_empty() {
            let (l3s, snip) = metrics(runs, &all);
            println!(
                "{:<26} {:<14} {:>6} {:>7} {:>5} {:>9} {:>9} {:>6}",
                r.name,
                r.file,
                changed.len(),
                helped,
                hurt,
                delta(in_l3s, l3s),
                delta(in_snip, snip),
                format!("{}/{folds}", kept[k])
            );
        }
    }
    if table {
        println!(
            "(sites: dev sites whose output changes when the rule alone is switched off; helped/hurt: of those, the sites whose pages score better/worse with the rule; dF1: what the rule adds to the in-sample figure; folds: in how many folds the training sites keep it)"
        );
    }
    println!(
        "rules that change the output of one dev site only: {}",
        if single_site.is_empty() {
            "none".to_string()
        } else {
            single_site.join(", ")
        }
    );
    Ok(())
}
