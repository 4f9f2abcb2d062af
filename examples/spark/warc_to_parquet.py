#!/usr/bin/env python3
"""WARC archives to Parquet records with newsmill inside Spark.

    python examples/spark/warc_to_parquet.py --master local[2] WARC... --out DIR

1. Parallel part, one Spark task per WARC file: `newsmill.read_warc` reads its records (a bad
   record fails alone: it is reported and counted, the task goes on) and
   `newsmill.analyze_arrow` turns batches of them into records, in `mapInArrow`. Record ids
   are hashes of the canonical URL (else of the text), so a task that Spark retries gives the
   same rows.
2. Ordered part, on the driver: the records in input order (file, then offset) go through
   `newsmill.Stories`, the story stage as `newsmill ingest` runs it, which sets `story` and
   `duplicate_of` and keeps one row per article (re-fetches of an unchanged page are dropped,
   as the store does).
3. Parquet under DIR, partitioned by `language` and `day` (the publication day in the date's
   own offset, else the WARC-Date's, else `unknown`); the columns are `newsmill export
   --format parquet`'s (`newsmill.record_schema()`), the nested fields as JSON text
   (`newsmill.json_columns()`).

The ordered part holds the records on the driver: run one job per time window (a day of
CC-NEWS), carrying the story state from one to the next with `--state FILE`.
"""

import argparse
import os
import re
import sys
import time


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("warcs", nargs="+", metavar="WARC", help="WARC or WARC.gz files")
    ap.add_argument("--out", required=True, metavar="DIR", help="Parquet output directory")
    ap.add_argument("--master", default=None, help="Spark master, e.g. local[2] (default: spark-submit's)")
    ap.add_argument("--batch", type=int, default=64, help="documents per analyze_arrow call")
    ap.add_argument("--stages", default="all", choices=["all", "extract"])
    ap.add_argument("--state", metavar="FILE", help="story state: read if it exists, written after the pass")
    return ap.parse_args(argv)


def spark_ddl(schema):
    """An Arrow schema of strings and lists of strings as a Spark DDL string."""
    import pyarrow as pa

    cols = []
    for f in schema:
        kind = "array<string>" if pa.types.is_list(f.type) else "string"
        cols.append(f"`{f.name}` {kind}")
    return ", ".join(cols)


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def day_of(published, fetched_at):
    for t in (published, fetched_at):
        if t and DAY.match(t):
            return t[:10]
    return "unknown"


def analyze_files(stages, batch_size, failed, cpu, docs_read):
    """The mapInArrow function: batches of (file_index, path) to batches of records."""

    def run(batches):
        import time

        import pyarrow as pa

        start = time.process_time()

        import newsmill

        def flush(file_index, docs):
            batch = pa.RecordBatch.from_pydict(
                {
                    "content": pa.array([d["content"] for _, d in docs], pa.binary()),
                    "url": pa.array([d["url"] for _, d in docs], pa.string()),
                    "origin": pa.array([d["origin"] for _, d in docs], pa.string()),
                }
            )
            records, failures = newsmill.analyze_arrow(batch, stages=stages)
            for f in failures:
                print(f"newsmill: {f['origin']}: {f['stage']}: {f['reason']}", file=sys.stderr)
                failed.add(1)
            meta = {d["origin"]: (seq, d["fetched_at"]) for seq, d in docs}
            origins = records.column("origin").to_pylist()
            n = records.num_rows
            yield (
                records.append_column("file_index", pa.array([file_index] * n, pa.int32()))
                .append_column("seq", pa.array([meta[o][0] for o in origins], pa.int64()))
                .append_column("fetched_at", pa.array([meta[o][1] for o in origins], pa.string()))
            )

        for b in batches:
            for file_index, path in zip(b.column("file_index").to_pylist(), b.column("path").to_pylist()):
                docs = []
                try:
                    warc = newsmill.read_warc(path)
                except newsmill.RecordError as e:
                    print(f"newsmill: {e}", file=sys.stderr)
                    failed.add(1)
                    continue
                for seq, d in enumerate(warc):
                    if d["error"] is not None:
                        print(f"newsmill: {d['origin']}: {d['error']}", file=sys.stderr)
                        failed.add(1)
                        continue
                    docs.append((seq, d))
                    docs_read.add(1)
                    if len(docs) >= batch_size:
                        yield from flush(file_index, docs)
                        docs = []
                if docs:
                    yield from flush(file_index, docs)
        # CPU seconds of this Python worker in the task: reading the WARC, the wheel's work,
        # and the Arrow hand-over (not the JVM's share).
        cpu.add(time.process_time() - start)

    return run


def main(argv=None):
    args = parse_args(argv)
    # Local mode: the workers run this interpreter, which has the wheel.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import pyarrow as pa
    from pyspark.sql import SparkSession

    import newsmill

    builder = SparkSession.builder.appName("newsmill-warc-to-parquet")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    sc = spark.sparkContext

    record_schema = newsmill.record_schema()
    out_ddl = spark_ddl(record_schema) + ", file_index int, seq long, fetched_at string"
    failed = sc.accumulator(0)
    cpu = sc.accumulator(0.0)
    docs_read = sc.accumulator(0)
    # One partition, so one task, per WARC file.
    files = sc.parallelize(list(enumerate(args.warcs)), numSlices=len(args.warcs)).toDF(
        "file_index int, path string"
    )
    analyzed = files.mapInArrow(analyze_files(args.stages, args.batch, failed, cpu, docs_read), out_ddl)

    # The ordered pass: input order is file order, then record order in the file.
    # (Sorted here, not by Spark: a Spark sort samples its input first, running the analysis
    # twice.)
    started = time.monotonic()
    table = analyzed.toArrow().sort_by([("file_index", "ascending"), ("seq", "ascending")])
    wall = time.monotonic() - started
    per_core = docs_read.value / cpu.value if cpu.value > 0 else 0.0
    print(
        f"newsmill: analysis: {docs_read.value} documents in {wall:.1f} s wall "
        f"({docs_read.value / wall:.1f} docs/s), {cpu.value:.1f} s CPU in the Python workers "
        f"({per_core:.1f} docs/s per core)",
        file=sys.stderr,
    )
    state = None
    if args.state and os.path.exists(args.state):
        with open(args.state, encoding="utf-8") as f:
            state = f.read()
    stories = newsmill.Stories(state)
    records = table.select(record_schema.names).cast(record_schema).combine_chunks()
    fetched_at = table.column("fetched_at").to_pylist()
    batches = records.to_batches()
    assigned = (
        stories.assign_arrow(batches[0], fetched_at=fetched_at, distinct=True)
        if batches
        else pa.RecordBatch.from_pylist([], schema=record_schema)
    )
    if args.state:
        with open(args.state, "w", encoding="utf-8") as f:
            f.write(stories.state())

    out = pa.Table.from_batches([assigned])
    origin_time = dict(zip(table.column("origin").to_pylist(), fetched_at))
    days = [
        day_of(p, origin_time.get(o))
        for p, o in zip(out.column("published").to_pylist(), out.column("origin").to_pylist())
    ]
    out = out.append_column("day", pa.array(days, pa.string()))
    df = spark.createDataFrame(out)
    df.write.mode("overwrite").partitionBy("language", "day").parquet(args.out)
    print(
        f"newsmill: {out.num_rows} records ({stories.new_stories} stories, "
        f"{stories.duplicates} near-duplicates, {stories.unchanged} unchanged re-reads dropped), "
        f"{failed.value} failed, written to {args.out}",
        file=sys.stderr,
    )
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
