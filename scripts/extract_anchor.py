#!/usr/bin/env python3
"""Batch adapter that runs an anchor extractor (trafilatura or readability-lxml) the way
../shared/tools/extraction_eval.py drives a `--batch` command.

Reads lines "PATH<TAB>URL" on stdin, writes one JSON line per page:
{"id": PATH, "text": ..., "title": ..., "byline": ..., "published": ..., "wall_s": ...,
"cpu_s": ...}; the times cover the extraction call only (parsing included, start-up
excluded), measured with time.process_time. `byline` and `published` are trafilatura's
`author` and `date` (readability-lxml gives neither).

Run it from a virtualenv that has the tools (never a project dependency), e.g.
  python3 -m venv ../venv && ../venv/bin/pip install trafilatura readability-lxml
  ../venv/bin/python scripts/extract_anchor.py trafilatura < pages.tsv
Tools: trafilatura (default settings), trafilatura-precision (favor_precision=True),
readability (readability-lxml Document.summary(), text per block element).
"""
import json
import sys
import time

BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
    "table", "tr", "td", "th", "br", "section", "article", "header", "footer", "figure",
    "figcaption", "dd", "dt", "dl", "hr",
}


def readability_text(html_fragment):
    """Text of readability's summary HTML with a newline at every block boundary, so words
    of adjacent paragraphs are not glued together."""
    import lxml.html

    root = lxml.html.fromstring(html_fragment)
    parts = []

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in BLOCK_TAGS:
            parts.append("\n")

    walk(root)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def make_extractor(tool):
    if tool.startswith("trafilatura"):
        import trafilatura

        precision = tool == "trafilatura-precision"

        def run(html, url):
            doc = trafilatura.bare_extraction(
                html, url=url or None, favor_precision=precision, with_metadata=True
            )
            if doc is None:
                return "", None, None, None
            return doc.text or "", doc.title, doc.author, doc.date
        return run
    if tool == "readability":
        from readability import Document

        def run(html, url):
            doc = Document(html, url=url or None)
            return readability_text(doc.summary(html_partial=True)), doc.short_title(), None, None
        return run
    sys.exit(f"unknown tool {tool!r}: trafilatura, trafilatura-precision or readability")


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else "trafilatura"
    run = make_extractor(tool)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        path, _, url = line.partition("\t")
        with open(path, "rb") as f:
            raw = f.read()
        html = raw.decode("utf-8", "replace")
        out = {"id": path}
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            text, title, author, date = run(html, url)
            out["text"], out["title"] = text, title or ""
            if author:
                out["byline"] = author  # trafilatura joins several authors with "; "
            if date:
                out["published"] = date
        except Exception as e:  # an anchor failing on a page scores as empty, not as a crash
            out["text"], out["error"] = "", f"{type(e).__name__}: {e}"
        out["wall_s"], out["cpu_s"] = time.perf_counter() - w0, time.process_time() - c0
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
