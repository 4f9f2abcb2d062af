//! `cargo xtask eval lang-short`: how `newsmill_lang::guess_short` names the language of short
//! sentences (40 to 199 letters) of the NER dev sets, where `detect_language` says unknown or
//! not. Prints, per language, the share named right, named wrong and left unknown. Dev
//! figures: the margin was chosen on them.

use std::collections::BTreeMap;
use std::path::Path;

use newsmill_nlp::conll::{LineKind, parse};

pub(crate) fn run(data: &Path) -> anyhow::Result<()> {
    let sets = [
        ("en", data.join("ner/conll2003/dev.txt")),
        ("de", data.join("ner/multilingual/de/dev.txt")),
        ("es", data.join("ner/multilingual/es/dev.txt")),
        ("nl", data.join("ner/multilingual/nl/dev.txt")),
    ];
    println!("lang  sentences  right  wrong  unknown  (detect_language alone: right, unknown)");
    for (lang, path) in sets {
        if !path.exists() {
            println!("{lang}: {} not found, skipped", path.display());
            continue;
        }
        let bytes = fs_err::read(&path)?;
        let lines = parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut sentences: Vec<String> = Vec::new();
        let mut cur: Vec<&str> = Vec::new();
        for l in &lines {
            match l.kind {
                LineKind::Token => cur.push(l.token),
                LineKind::Blank | LineKind::DocStart => {
                    if !cur.is_empty() {
                        sentences.push(cur.join(" "));
                        cur.clear();
                    }
                }
            }
        }
        if !cur.is_empty() {
            sentences.push(cur.join(" "));
        }
        let (mut n, mut right, mut wrong, mut alone_right, mut alone_unknown) = (0, 0, 0, 0, 0);
        let mut wrong_as: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &sentences {
            let letters = s.chars().filter(|c| c.is_alphabetic()).count();
            if !(40..200).contains(&letters) {
                continue;
            }
            n += 1;
            match newsmill_lang::detect_language(s) {
                Some(l) if l == lang => alone_right += 1,
                None => alone_unknown += 1,
                Some(_) => {}
            }
            match newsmill_lang::guess_short(s) {
                Some(l) if l == lang => right += 1,
                Some(l) => {
                    wrong += 1;
                    *wrong_as.entry(l).or_default() += 1;
                }
                None => {}
            }
        }
        let pct = |k: usize| 100.0 * k as f64 / n.max(1) as f64;
        println!(
            "{lang}    {n:>9}  {:>4.1}%  {:>4.1}%  {:>6.1}%  ({:.1}%, {:.1}%) {wrong_as:?}",
            pct(right),
            pct(wrong),
            pct(n - right - wrong),
            pct(alone_right),
            pct(alone_unknown),
        );
    }
    Ok(())
}
