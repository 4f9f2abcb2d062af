#!/usr/bin/env python3
"""WARC archives to Parquet records with newsmill inside Ray Data.

    python examples/ray/warc_to_parquet.py WARC... --out DIR [--num-cpus 2]

The same job as examples/spark/warc_to_parquet.py, in Ray Data's shape:

1. Parallel part, one Ray task per WARC file (`map_batches` with a batch of one file):
   `newsmill.read_warc` reads its records (a bad record fails alone: it is reported and
   counted, the task goes on) and `newsmill.analyze_arrow` turns batches of them into
   records. Ids hash the canonical URL (else the text), so a retried task gives the same rows.
2. Ordered part, on the driver: the records in input order (file, then offset) go through
   `newsmill.Stories`, the story stage as `newsmill ingest` runs it.
3. Parquet under DIR, partitioned by `language` and `day`, in `newsmill.record_schema()`.
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
    ap.add_argument("--num-cpus", type=int, default=None, help="CPUs of the local Ray instance")
    ap.add_argument("--batch", type=int, default=64, help="documents per analyze_arrow call")
    ap.add_argument("--stages", default="all", choices=["all", "extract"])
    ap.add_argument("--state", metavar="FILE", help="story state: read if it exists, written after the pass")
    return ap.parse_args(argv)


DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def day_of(published, fetched_at):
    for t in (published, fetched_at):
        if t and DAY.match(t):
            return t[:10]
    return "unknown"


def analyze_files(stages, batch_size):
    """The map_batches function: a table of (file_index, path) rows to tables of records."""

    def run(files):
        import pyarrow as pa

        import newsmill

        start = time.process_time()
        out, failed, read = [], 0, 0

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
            meta = {d["origin"]: (seq, d["fetched_at"]) for seq, d in docs}
            origins = records.column("origin").to_pylist()
            n = records.num_rows
            out.append(
                pa.Table.from_batches([records])
                .append_column("file_index", pa.array([file_index] * n, pa.int32()))
                .append_column("seq", pa.array([meta[o][0] for o in origins], pa.int64()))
                .append_column("fetched_at", pa.array([meta[o][1] for o in origins], pa.string()))
            )
            return len(failures)

        for file_index, path in zip(files["file_index"].to_pylist(), files["path"].to_pylist()):
            docs = []
            try:
                warc = newsmill.read_warc(path)
            except newsmill.RecordError as e:
                print(f"newsmill: {e}", file=sys.stderr)
                failed += 1
                continue
            for seq, d in enumerate(warc):
                if d["error"] is not None:
                    print(f"newsmill: {d['origin']}: {d['error']}", file=sys.stderr)
                    failed += 1
                    continue
                docs.append((seq, d))
                read += 1
                if len(docs) >= batch_size:
                    failed += flush(file_index, docs)
                    docs = []
            if docs:
                failed += flush(file_index, docs)
        cpu = time.process_time() - start
        table = pa.concat_tables(out) if out else None
        # The task's counters ride along as columns of its first row (Ray Data has no
        # accumulators); the driver sums them.
        n = table.num_rows if table is not None else 0
        stats = pa.table(
            {
                "task_read": pa.array([read] + [0] * max(n - 1, 0), pa.int64()),
                "task_failed": pa.array([failed] + [0] * max(n - 1, 0), pa.int64()),
                "task_cpu": pa.array([cpu] + [0.0] * max(n - 1, 0), pa.float64()),
            }
        )
        if table is None:
            # No record from these files: one row of counters only (the driver drops it).
            return stats
        for name in stats.column_names:
            table = table.append_column(name, stats.column(name))
        return table

    return run


def main(argv=None):
    args = parse_args(argv)
    import pyarrow as pa
    import pyarrow.parquet as pq
    import ray

    import newsmill

    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=True)
    files = ray.data.from_items(
        [{"file_index": i, "path": p} for i, p in enumerate(args.warcs)],
        override_num_blocks=len(args.warcs),
    )
    analyzed = files.map_batches(
        analyze_files(args.stages, args.batch), batch_size=1, batch_format="pyarrow"
    )
    started = time.monotonic()
    tables = [t for t in ray.get(analyzed.to_arrow_refs()) if t.num_rows]
    wall = time.monotonic() - started
    table = pa.concat_tables(tables, promote_options="default") if tables else None
    read = failed = 0
    cpu = 0.0
    if table is not None:
        read = int(pa.compute.sum(table.column("task_read")).as_py() or 0)
        failed = int(pa.compute.sum(table.column("task_failed")).as_py() or 0)
        cpu = float(pa.compute.sum(table.column("task_cpu")).as_py() or 0.0)
        if "origin" in table.column_names:
            table = table.filter(pa.compute.is_valid(table.column("origin")))
        else:
            table = None
    per_core = read / cpu if cpu > 0 else 0.0
    print(
        f"newsmill: analysis: {read} documents in {wall:.1f} s wall, {cpu:.1f} s CPU in the "
        f"Ray workers ({per_core:.1f} docs/s per core)",
        file=sys.stderr,
    )
    record_schema = newsmill.record_schema()
    state = None
    if args.state and os.path.exists(args.state):
        with open(args.state, encoding="utf-8") as f:
            state = f.read()
    stories = newsmill.Stories(state)
    if table is None or table.num_rows == 0:
        assigned = pa.RecordBatch.from_pylist([], schema=record_schema)
        fetched_at = []
        table = pa.table({"origin": pa.array([], pa.string())})
    else:
        table = table.sort_by([("file_index", "ascending"), ("seq", "ascending")])
        records = table.select(record_schema.names).cast(record_schema).combine_chunks()
        fetched_at = table.column("fetched_at").to_pylist()
        assigned = stories.assign_arrow(records.to_batches()[0], fetched_at=fetched_at, distinct=True)
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
    pq.write_to_dataset(out, args.out, partition_cols=["language", "day"])
    print(
        f"newsmill: {out.num_rows} records ({stories.new_stories} stories, "
        f"{stories.duplicates} near-duplicates, {stories.unchanged} unchanged re-reads dropped), "
        f"{failed} failed, written to {args.out}",
        file=sys.stderr,
    )
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
