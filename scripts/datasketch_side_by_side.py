#!/usr/bin/env python3
"""MinHash signature speed: datasketch vs newsmill, on the same texts.

Both sides compute 128-permutation MinHash signatures of the word 5-shingles (lowercased \\w+
runs) of every article (title and body) of ../shared/data/clustering/dev/ecbplus_dev.jsonl,
on one core, and report documents per second. datasketch runs in a virtualenv outside the
repository (it is never a project dependency):

    python3 -m venv ../venv-ds && ../venv-ds/bin/pip install datasketch numpy
    ../venv-ds/bin/python scripts/datasketch_side_by_side.py

The newsmill side is `cargo xtask bench-minhash` (release build), run by this script.
Exits 0 with a message when the data is absent.
"""
import json
import os
import re
import subprocess
import sys
import time

DATA = os.environ.get("NEWSMILL_SHARED", "../shared/data")
DEV = os.path.join(DATA, "clustering/dev/ecbplus_dev.jsonl")
WORD = re.compile(r"\w+")


def shingles(text, k=5):
    words = WORD.findall(text.lower())
    if len(words) < k:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i:i + k]).encode() for i in range(len(words) - k + 1)]


def main():
    if not os.path.exists(DEV):
        print(f"{DEV}: not found; skipping")
        return 0
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch is not installed in this interpreter; see the docstring")
        return 0
    texts = []
    with open(DEV, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            texts.append(f"{d.get('title') or ''} {d.get('text') or ''}")
    repeat = 3
    start = time.perf_counter()
    check = 0
    for _ in range(repeat):
        for t in texts:
            m = MinHash(num_perm=128)
            m.update_batch(shingles(t))
            check ^= int(m.hashvalues[0])
    secs = time.perf_counter() - start
    ds = len(texts) * repeat / secs
    print(f"datasketch {__import__('datasketch').__version__} MinHash(num_perm=128).update_batch: "
          f"{len(texts) * repeat} signatures in {secs:.3f} s: {ds:.0f} docs/s")
    out = subprocess.run(
        ["cargo", "xtask", "--data", DATA, "bench-minhash"],
        capture_output=True, text=True, check=True,
    ).stdout
    print(out.strip())
    ours = float(re.search(r": (\d+) docs/s", out).group(1))
    print(f"ratio newsmill / datasketch: {ours / ds:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
