#!/usr/bin/env python3
"""Side-by-side extraction comparison on ../shared/data/extraction/dev: newsmill against
trafilatura and readability-lxml, scored by ../shared/tools/extraction_eval.py (imported, so
the metric is exactly the shared one), with per-subset figures and the ratios between tools.

Setup (once, outside the repository):
    python3 -m venv ../venv && ../venv/bin/pip install trafilatura readability-lxml
    cargo build --release -p xtask
Run from the repository root:
    python3 scripts/compare_extract.py [--venv ../venv] [--tools newsmill,trafilatura,readability]

Each tool runs once over all pages in one process (`--batch` protocol: the times are those of
the extraction calls, start-up excluded), pinned to one core when `taskset` exists.
Then each tool's predictions are scored by `xtask eval extract --score`, which prints the same
body figures and the metadata accuracy per field (title, byline, date) against the gold that
the dev labels give (see xtask/src/extract_meta.rs); readability-lxml gives no byline or date.
Exits 0 with a message when the data or the scorer is absent.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("NEWSMILL_SHARED_ROOT", str(ROOT.parent / "shared")))
    ap.add_argument("--venv", default=str(ROOT.parent / "venv"))
    ap.add_argument("--tools", default="newsmill,trafilatura,readability")
    ap.add_argument("--xtask", default=os.environ.get("NEWSMILL_XTASK"),
                    help="path of the release xtask binary (default: target/release/xtask)")
    args = ap.parse_args()
    shared = Path(args.shared)
    data = shared / "data/extraction/dev"
    tools_dir = shared / "tools"
    if not data.is_dir() or not (tools_dir / "extraction_eval.py").exists():
        print(f"compare_extract: {data} or the scorer is missing, nothing to compare")
        return 0
    sys.path.insert(0, str(tools_dir))
    import extraction_eval as ev  # noqa: E402

    xtask = args.xtask or str(Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release/xtask")
    py = str(Path(args.venv) / "bin/python")
    pin = "taskset -c 0 " if shutil.which("taskset") else ""
    commands = {
        "newsmill": f"{pin}{xtask} eval extract --batch",
        "trafilatura": f"{pin}{py} {ROOT}/scripts/extract_anchor.py trafilatura",
        "trafilatura-precision": f"{pin}{py} {ROOT}/scripts/extract_anchor.py trafilatura-precision",
        "readability": f"{pin}{py} {ROOT}/scripts/extract_anchor.py readability",
    }
    pages = ev.load_dataset(data)
    subsets = sorted({p["_subset"] for p in pages})
    results = {}
    for tool in args.tools.split(","):
        preds, info = ev.run_batch(commands[tool], pages)
        if info.get("returncode"):
            print(f"{tool}: exited {info['returncode']}: {info.get('stderr_tail', '')[-300:]}", file=sys.stderr)
        per = {s: ev.score([p for p in pages if p["_subset"] == s], preds, 0) for s in subsets}
        per["all"] = ev.score(pages, preds, 0)
        info["_preds"] = preds
        results[tool] = (per, info)

    print(f"{'tool':<22} {'subset':<17} {'F1':>6} {'P':>6} {'R':>6} {'snipF1':>7} {'snipP':>6} {'snipR':>6} {'title':>6} {'ms/page':>8} {'peak MiB':>8}")
    for tool, (per, info) in results.items():
        ms = 1000 * info["extract_cpu_s"] / len(pages) if info.get("extract_cpu_s") else float("nan")
        for s in subsets + ["all"]:
            m = per[s]
            sn = m.get("snippet", {})
            row = [f"{tool:<22}", f"{s:<17}",
                   f"{m['f1']:>6.3f}" if "f1" in m else f"{'-':>6}",
                   f"{m['precision']:>6.3f}" if "f1" in m else f"{'-':>6}",
                   f"{m['recall']:>6.3f}" if "f1" in m else f"{'-':>6}",
                   f"{sn['f1']:>7.4f}" if sn else f"{'-':>7}",
                   f"{sn['precision']:>6.3f}" if sn else f"{'-':>6}",
                   f"{sn['recall']:>6.3f}" if sn else f"{'-':>6}",
                   f"{m['title_exact']:>6.3f}" if "title_exact" in m else f"{'-':>6}",
                   f"{ms:>8.2f}" if s == "all" else f"{'':>8}",
                   f"{info.get('peak_rss_kb', 0) / 1024:>8.0f}" if s == "all" else f"{'':>8}"]
            print(" ".join(row))
    print()
    print("metadata, per field (share right on the dev pages whose labels give the field; xtask eval extract --score):")
    for tool, (per, info) in results.items():
        preds = info["_preds"]
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            for p in pages:
                j = dict(preds.get(p["_id"], {}))
                j["id"] = p["_html"]
                f.write(json.dumps(j, ensure_ascii=False) + "\n")
            tmp = f.name
        out = subprocess.run([xtask, "eval", "extract", "--data", str(shared / "data"), "--score", tmp, "--tool", tool],
                             capture_output=True, text=True)
        os.unlink(tmp)
        for line in out.stdout.splitlines():
            if line.startswith(tool) and " all " in line:
                print("  " + line)
    if "newsmill" in results:
        base_per, base_info = results["newsmill"]
        for tool, (per, info) in results.items():
            if tool == "newsmill":
                continue
            parts = []
            for s in subsets:
                a, b = base_per[s], per[s]
                if "f1" in a and b.get("f1"):
                    parts.append(f"{s} F1 {a['f1'] / b['f1']:.3f}x")
                if "snippet" in a and b.get("snippet", {}).get("f1"):
                    parts.append(f"{s} snippet F1 {a['snippet']['f1'] / b['snippet']['f1']:.4f}x")
            if base_info.get("extract_cpu_s") and info.get("extract_cpu_s"):
                parts.append(f"speed {info['extract_cpu_s'] / base_info['extract_cpu_s']:.1f}x faster")
            print(f"newsmill vs {tool}: " + ", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
