#!/usr/bin/env python3
"""Checks that no text of a research-only dataset sits in the repository.

L3S-GN1's licence (research use only) forbids committing its pages, even a quoted line in a
test. This script reads every string literal of the Rust sources and every committed fixture
(golden pages, texts, JSON) and looks each piece up in the L3S-GN1 pages of
../shared/data/extraction/dev/l3s-gn1 (their visible text and their ground-truth labels):

* a literal or fixture line of 4+ words (or 25+ characters) found verbatim, case and white
  space folded, is reported;
* a piece of 3 words found in at most 2 pages is reported (a rare phrase names a page, a
  common one is a generic label);
* a longer piece is also cut into 6-word windows, each looked up, so an edited quote is
  still found.

Run from the repository root: `python3 scripts/audit_test_text.py [--shared ../shared]`.
It prints one line per hit (file:line, the piece, how many L3S pages hold it) and exits 1
when there is any; it exits 0 with a message when the data is absent.
Generic phrases (UI labels such as "Read more", "Most read") are short and fall under the
4-word floor; a hit of 4+ words is reviewed by hand.
"""
import argparse
import glob
import html
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"\w+")


def norm(s):
    return " ".join(WORD.findall(s.lower()))


def page_text(raw):
    raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
    raw = re.sub(r"(?s)<[^>]*>", "\n", raw)
    return html.unescape(raw)


def rust_literals(path):
    """(line, text) of each string literal (raw strings included) and each comment line."""
    src = path.read_text(encoding="utf-8", errors="replace")
    out = []
    char_lit = re.compile(r"'(?:\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'")
    raw = re.compile(r'r(#*)"(.*?)"\1', re.S)
    plain = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        text, start = None, i
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            text, i = src[i + 2:j].lstrip("/!"), j
            # Quotes inside a comment are pieces of their own.
            text = "\n".join([text] + re.findall(r'"([^"]+)"', text))
        elif c == "'":
            m = char_lit.match(src, i)
            i = m.end() if m else i + 1
        elif c == "r" and (m := raw.match(src, i)) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            text, i = m.group(2), m.end()
        elif c == '"':
            m = plain.match(src, i)
            if not m:
                break
            text = m.group(1).replace("\\n", "\n").replace('\\"', '"')
            text = re.sub(r"\\\s*\n\s*", "", text)
            i = m.end()
        else:
            i += 1
        if text is None:
            continue
        if "<" in text:
            text = page_text(text)
        line = src.count("\n", 0, start) + 1
        for piece in text.split("\n"):
            out.append((line, piece))
    return out


def fixture_lines(path):
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        raw = page_text(raw)
    if path.suffix == ".json":
        try:
            strings = []

            def walk(v):
                if isinstance(v, str):
                    strings.append(v)
                elif isinstance(v, list):
                    for x in v:
                        walk(x)
                elif isinstance(v, dict):
                    for x in v.values():
                        walk(x)

            walk(json.loads(raw))
            return [(0, s) for s in strings]
        except ValueError:
            pass
    return [(i + 1, l) for i, l in enumerate(raw.splitlines())]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("NEWSMILL_SHARED_ROOT", str(ROOT.parent / "shared")))
    args = ap.parse_args()
    l3s = Path(args.shared) / "data/extraction/dev/l3s-gn1"
    if not l3s.is_dir():
        print(f"audit_test_text: {l3s} not found, nothing to check")
        return 0
    pages = []
    for h in sorted(l3s.glob("*.html")):
        text = norm(page_text(h.read_text(encoding="utf-8", errors="replace")))
        truth = json.loads(h.with_suffix(".json").read_text(encoding="utf-8"))
        labels = " ".join(str(truth.get(k) or "") for k in ("title", "body", "supplemental", "related", "comments"))
        pages.append(text + " \n " + norm(labels))
    corpus = "\n".join(pages)

    files = []
    for pattern in ("crates/**/*.rs", "xtask/**/*.rs", "fuzz/**/*.rs", "crates/**/tests/**/*"):
        files += [Path(p) for p in glob.glob(str(ROOT / pattern), recursive=True)]
    files = sorted({f for f in files if f.is_file() and "/target/" not in str(f)
                    and f.suffix in (".rs", ".html", ".htm", ".txt", ".json", ".url")})
    hits = 0
    checked = 0
    for f in files:
        pieces = rust_literals(f) if f.suffix == ".rs" else fixture_lines(f)
        for line, piece in pieces:
            n = norm(piece)
            words = n.split()
            if len(words) < 3:
                continue
            checked += 1
            found = f" {n} " in corpus or corpus.startswith(n + " ")
            if found and len(words) == 3 and len(n) < 25:
                found = sum(1 for p in pages if f" {n} " in p) <= 2
            window = None
            if not found and len(words) >= 6:
                for k in range(len(words) - 5):
                    w = " ".join(words[k:k + 6])
                    if w in corpus:
                        found, window = True, w
                        break
            if found:
                hits += 1
                key = window or n
                count = sum(1 for p in pages if key in p)
                rel = f.relative_to(ROOT)
                print(f"{rel}:{line}: {piece.strip()[:100]!r} ({count} L3S pages{', window ' + repr(window) if window else ''})")
    print(f"audit_test_text: {checked} pieces of 3+ words checked in {len(files)} files, {hits} found in L3S-GN1")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
