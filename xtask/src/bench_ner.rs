//! `cargo xtask bench-ner`: `newsmill ner --conll --lang L` end to end (the release binary:
//! reading, model load, features, decoding, output) on each language's dev split, one core,
//! in tokens per second of CPU time (user + system, best of `--repeat` runs), with peak memory.
//! Run `scripts/spacy_side_by_side.py` for spaCy on the same tokens.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::bench_ingest::{cargo, children_cpu_secs, target_dir, vm_hwm_mib};
use crate::train_ner::{read_docs, split_paths};

/// Arguments of `bench-ner`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Languages to measure.
    #[arg(long, value_delimiter = ',', default_value = "en,de,es,nl")]
    langs: Vec<String>,
    /// Runs per language; the best CPU time counts.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
}

pub(crate) fn run(data: &std::path::Path, args: &Args) -> anyhow::Result<()> {
    let status = cargo()
        .args(["build", "--release", "-p", "newsmill"])
        .status()
        .context("building newsmill (release)")?;
    anyhow::ensure!(status.success(), "cargo build failed");
    let bin = target_dir().join("release/newsmill");
    for lang in &args.langs {
        let (_, dev) = split_paths(data, lang);
        if !dev.exists() {
            println!("bench-ner: {} not found; {lang} skipped", dev.display());
            continue;
        }
        let tokens: usize = read_docs(&dev)?
            .iter()
            .flat_map(|d| &d.sents)
            .map(Vec::len)
            .sum();
        let (mut best_cpu, mut best_wall, mut peak) = (f64::INFINITY, f64::INFINITY, 0f64);
        for _ in 0..args.repeat.max(1) {
            let cpu_before = children_cpu_secs().unwrap_or(0.0);
            let started = Instant::now();
            let mut child = Command::new(&bin)
                .args(["ner", "--conll", "--lang", lang])
                .arg(&dev)
                .stdout(Stdio::null())
                .spawn()
                .with_context(|| format!("running {}", bin.display()))?;
            let pid = child.id();
            let status = loop {
                if let Some(s) = child.try_wait()? {
                    break s;
                }
                if let Some(m) = vm_hwm_mib(pid) {
                    peak = peak.max(m);
                }
                std::thread::sleep(Duration::from_millis(5));
            };
            anyhow::ensure!(status.success(), "newsmill ner --lang {lang} failed");
            best_wall = best_wall.min(started.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(children_cpu_secs().unwrap_or(0.0) - cpu_before);
        }
        println!(
            "bench-ner {lang}: {tokens} tokens ({}), {:.0} tokens/s/core of CPU time ({:.2} s CPU, {:.2} s wall, best of {}), peak RSS {:.0} MiB",
            dev.display(),
            tokens as f64 / best_cpu.max(1e-9),
            best_cpu,
            best_wall,
            args.repeat.max(1),
            peak
        );
    }
    Ok(())
}
