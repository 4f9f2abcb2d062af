//! `cargo xtask eval extract --audit-rules`: every entry of the extractor's rule files
//! against the dev pages.
//!
//! For each entry it counts the dev sites (registrable domains) whose pages it fires on, each
//! entry matched on its own ([`newsmill_extract::audit::hits`]), and whether it would drop a
//! line of the dev set's answers: a `without` snippet of trafilatura-eval, or a line that
//! L3S-GN1 labels as related links or comments. An entry that fires on one dev site only was
//! fitted to that site; an entry that only matches the answers of the site it fires on was
//! copied from them. Both are listed; the summary counts them.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use newsmill_extract::audit;

use crate::eval_extract::{Page, site_of};

/// Prints the audit; returns the number of entries that fire on exactly one dev site.
pub(crate) fn run(pages: &[Page], all: bool) -> Result<usize> {
    let entries = audit::entries();
    let mut sites: Vec<BTreeSet<String>> = vec![BTreeSet::new(); entries.len()];
    let mut pages_hit = vec![0usize; entries.len()];
    for p in pages {
        let html = String::from_utf8_lossy(&fs_err::read(&p.html_path)?).into_owned();
        let site = site_of(p);
        for i in audit::hits(&html) {
            sites[i].insert(site.clone());
            pages_hit[i] += 1;
        }
    }
    // Answers each entry would drop: (site, snippet).
    let mut answers: Vec<Vec<(String, String)>> = vec![Vec::new(); entries.len()];
    for p in pages {
        let site = site_of(p);
        let mut lines: Vec<&str> = p
            .truth
            .without
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        for label in [&p.truth.related, &p.truth.comments].into_iter().flatten() {
            lines.extend(label.lines().map(str::trim).filter(|l| !l.is_empty()));
        }
        for line in lines {
            for (i, hit) in answers.iter_mut().enumerate() {
                if audit::matches_line(i, line) {
                    hit.push((site.clone(), line.to_string()));
                }
            }
        }
    }
    let mut by_count: BTreeMap<usize, usize> = BTreeMap::new();
    let mut single = 0;
    let mut copied = 0;
    println!(
        "{:<16} {:<26} {:>5} {:>5} {:>5}  {:<40} answers it drops (site: line)",
        "file", "family", "line", "sites", "pages", "entry"
    );
    for (i, e) in entries.iter().enumerate() {
        let n = sites[i].len();
        *by_count.entry(n.min(3)).or_default() += 1;
        let answer_sites: BTreeSet<&str> = answers[i].iter().map(|(s, _)| s.as_str()).collect();
        // Copied from the answers: it drops answer lines, and fires on no site beyond the
        // ones whose answers it drops.
        let copy = !answers[i].is_empty()
            && sites[i].iter().all(|s| answer_sites.contains(s.as_str()))
            && n <= 1;
        if n == 1 {
            single += 1;
        }
        if copy {
            copied += 1;
        }
        if all || n == 1 || copy {
            let shown: Vec<String> = answers[i]
                .iter()
                .take(2)
                .map(|(s, l)| format!("{s}: {:?}", l.chars().take(50).collect::<String>()))
                .collect();
            println!(
                "{:<16} {:<26} {:>5} {:>5} {:>5}  {:<40} {}{}",
                e.file,
                e.family,
                e.line,
                n,
                pages_hit[i],
                format!("{} {}", e.lang, e.pattern)
                    .chars()
                    .take(40)
                    .collect::<String>(),
                if n == 1 {
                    format!("[{}] ", sites[i].iter().next().map_or("", |s| s.as_str()))
                } else {
                    String::new()
                },
                shown.join("; ")
            );
        }
    }
    println!(
        "rule audit: {} entries; fire on 0 dev sites: {}, on 1: {}, on 2: {}, on 3 or more: {}; \
         fire on one site only and drop its answers (copied): {copied}",
        entries.len(),
        by_count.get(&0).unwrap_or(&0),
        by_count.get(&1).unwrap_or(&0),
        by_count.get(&2).unwrap_or(&0),
        by_count.get(&3).unwrap_or(&0),
    );
    Ok(single)
}
