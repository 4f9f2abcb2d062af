//! `cargo xtask bench-ingest`: documents per second per core from WARC to stored and
//! searchable (extract + NLP + stories + index), and peak memory.
//!
//! Builds a WARC of `--records` response records (default 10,000) from the HTML pages of
//! ../shared/data/extraction/dev (L3S-GN1 and trafilatura-eval), repeated in name order with
//! distinct URLs (`https://bench.example/REPEAT/NAME`), in a temporary folder (the pages never
//! leave it), then runs the release `newsmill ingest` on it into a fresh data directory and
//! prints:
//! - documents/second/core: records read (each goes through extract and NLP), and records
//!   stored (also through the story stage and the index), per CPU second (user + sys of the
//!   ingest process, from `/proc/self/stat`'s children times, so other load on the machine does
//!   not count). Some dev pages name a canonical URL, so their repeats have the same id and
//!   come out "unchanged";
//! - wall time and CPU time; peak RSS of the ingest (its `VmHWM`, polled every 50 ms);
//! - index size on disk per record.
//!
//! With `--search N` it then runs the index's search-latency benchmark on N synthetic records
//! (`cargo run --release -p newsmill-index --example bench_search`): p50/p99 for term, phrase,
//! filtered and faceted queries. Exits 0 when the data is absent. Linux only (procfs).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;

/// Arguments of `cargo xtask bench-ingest`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// WARC records to build and ingest.
    #[arg(long, default_value_t = 10_000)]
    records: usize,
    /// Worker threads of the ingest (`-j`); CPU time is what is reported either way.
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Pipeline stages (`all` or `extract`).
    #[arg(long, default_value = "all")]
    stages: String,
    /// Where to build the WARC and the store (default: a folder under the system temp dir,
    /// removed at the end).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Also run the search-latency benchmark on this many synthetic records (e.g. 1000000).
    #[arg(long)]
    search: Option<usize>,
    /// Run this `newsmill` binary instead of building the release one (to compare two builds
    /// on the same WARC, e.g. a copy of an earlier build).
    #[arg(long)]
    bin: Option<PathBuf>,
}

fn dev_pages(data: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut pages = Vec::new();
    for subset in ["l3s-gn1", "trafilatura-eval"] {
        let dir = data.join("extraction/dev").join(subset);
        let mut names: Vec<PathBuf> = fs_err::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .collect();
        names.sort();
        for p in names {
            let name = format!(
                "{subset}/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
            pages.push((name, fs_err::read(&p)?));
        }
    }
    Ok(pages)
}

/// Writes a WARC of `n` response records cycling through `pages`.
fn build_warc(path: &Path, pages: &[(String, Vec<u8>)], n: usize) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::new(fs_err::File::create(path)?);
    let mut bytes = 0u64;
    for i in 0..n {
        let (name, body) = &pages[i % pages.len()];
        let url = format!("https://bench.example/{}/{name}", i / pages.len());
        let mut http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        http.extend_from_slice(body);
        let head = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:bench-{i}>\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-06-19T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            http.len()
        );
        out.write_all(head.as_bytes())?;
        out.write_all(&http)?;
        out.write_all(b"\r\n\r\n")?;
        bytes += (head.len() + http.len() + 4) as u64;
    }
    out.flush()?;
    Ok(bytes)
}

/// CPU seconds (user + sys) of this process's waited-for children (`/proc/self/stat`).
pub(crate) fn children_cpu_secs() -> Option<f64> {
    let stat = fs_err::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 (1-based), i.e. 13 and 14 here; in clock ticks
    // (USER_HZ, 100 on Linux).
    let ticks: f64 = f.get(13)?.parse::<f64>().ok()? + f.get(14)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

pub(crate) fn vm_hwm_mib(pid: u32) -> Option<f64> {
    let status = fs_err::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn dir_size(p: &Path) -> u64 {
    let Ok(entries) = fs_err::read_dir(p) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

pub(crate) fn run(data: &Path, args: &Args) -> anyhow::Result<()> {
    if !data.join("extraction/dev").exists() {
        println!(
            "bench-ingest: {} not found; nothing to measure",
            data.join("extraction/dev").display()
        );
        return Ok(());
    }
    let pages = dev_pages(data)?;
    anyhow::ensure!(!pages.is_empty(), "no dev pages");
    let (work, remove) = match &args.work {
        Some(w) => (w.clone(), false),
        None => (
            std::env::temp_dir().join(format!("newsmill-bench-ingest-{}", std::process::id())),
            true,
        ),
    };
    let _ = fs_err::remove_dir_all(work.join("data"));
    fs_err::create_dir_all(&work)?;
    let warc = work.join("bench.warc");
    let bytes = build_warc(&warc, &pages, args.records)?;
    println!(
        "bench-ingest: {} records ({} dev pages repeated), {:.1} MB WARC",
        args.records,
        pages.len(),
        bytes as f64 / 1e6
    );
    let bin = match &args.bin {
        Some(b) => b.clone(),
        None => {
            let status = cargo()
                .args(["build", "--release", "-p", "newsmill"])
                .status()
                .context("building newsmill (release)")?;
            anyhow::ensure!(status.success(), "cargo build failed");
            target_dir().join("release/newsmill")
        }
    };
    let store = work.join("data");
    let cpu_before = children_cpu_secs().unwrap_or(0.0);
    let started = Instant::now();
    let mut cmd = Command::new(&bin);
    cmd.arg("ingest")
        .arg(&warc)
        .arg("--data")
        .arg(&store)
        .args(["--stages", &args.stages, "--offline"]);
    if let Some(j) = args.threads {
        cmd.args(["-j", &j.to_string()]);
    }
    let mut child = cmd
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", bin.display()))?;
    let pid = child.id();
    let mut peak = 0.0f64;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if let Some(m) = vm_hwm_mib(pid) {
            peak = peak.max(m);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let wall = started.elapsed().as_secs_f64();
    let cpu = children_cpu_secs().unwrap_or(0.0) - cpu_before;
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    anyhow::ensure!(status.success(), "ingest failed: {err}");
    for line in err.lines() {
        println!("  {line}");
    }
    let stored = err
        .lines()
        .rev()
        .find_map(|l| l.split("stored ").nth(1))
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.trim().parse::<f64>().ok())
        .unwrap_or(args.records as f64);
    let read = err
        .lines()
        .rev()
        .find_map(|l| l.split("read ").nth(1))
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.trim().parse::<f64>().ok())
        .unwrap_or(args.records as f64);
    let index = dir_size(&store);
    // Every record read goes through extract and NLP; records whose id (canonical URL) was
    // stored already are "unchanged" and skip the story stage and the index.
    println!(
        "bench-ingest: {read} records read, {stored} stored, in {wall:.1} s wall, {cpu:.1} s CPU: {:.0} docs/s/core read, {:.0} stored (CPU time); {:.0} docs/s wall",
        read / cpu.max(1e-9),
        stored / cpu.max(1e-9),
        read / wall.max(1e-9)
    );
    println!(
        "bench-ingest: peak RSS {peak:.0} MiB; store {:.1} MB, {:.1} KB per record",
        index as f64 / 1e6,
        index as f64 / stored.max(1.0) / 1e3
    );
    if let Some(n) = args.search {
        let dir = work.join("search");
        println!(
            "bench-ingest: search latency on {n} synthetic records in {}",
            dir.display()
        );
        let status = cargo()
            .args([
                "run",
                "--release",
                "-p",
                "newsmill-index",
                "--example",
                "bench_search",
                "--",
            ])
            .arg(&dir)
            .arg(n.to_string())
            .status()
            .context("running the search benchmark")?;
        anyhow::ensure!(status.success(), "search benchmark failed");
    }
    if remove {
        let _ = fs_err::remove_dir_all(&work);
    }
    Ok(())
}
