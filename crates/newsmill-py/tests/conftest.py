"""Shared fixtures: the repository, the `newsmill` binary the wheel is compared with, and the
sample WARC's records as the CLI and the wheel give them (computed once per session)."""

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "news-sample.warc.gz"
INGEST_WARC = REPO / "crates" / "newsmill-ingest" / "tests" / "fixtures" / "warc"


@pytest.fixture(scope="session")
def newsmill_bin():
    """The CLI the wheel must agree with: $NEWSMILL_BIN, else target/debug/newsmill."""
    path = pathlib.Path(os.environ.get("NEWSMILL_BIN", REPO / "target" / "debug" / "newsmill"))
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `cargo build -p newsmill` or set NEWSMILL_BIN")
    return str(path)


def run_cli(newsmill_bin, *args, cwd=None):
    out = subprocess.run(
        [newsmill_bin, *args], capture_output=True, check=True, cwd=cwd or REPO
    )
    return out.stdout.decode()


@pytest.fixture(scope="session")
def sample_rel():
    """The sample WARC's path as given to both the CLI and the wheel (origins carry it)."""
    return os.path.relpath(SAMPLE, REPO)


@pytest.fixture(scope="session")
def cli_records(newsmill_bin, sample_rel):
    """`newsmill analyze` of the sample WARC: one record per response record, in file order."""
    text = run_cli(newsmill_bin, "analyze", "--format", "jsonl", sample_rel)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def cli_ingested(newsmill_bin, sample_rel, tmp_path_factory):
    """`newsmill ingest` of the sample WARC, exported: the stored records by id."""
    data = tmp_path_factory.mktemp("store")
    subprocess.run(
        [newsmill_bin, "ingest", "--offline", "--data", str(data), sample_rel],
        capture_output=True,
        check=True,
        cwd=REPO,
    )
    text = run_cli(newsmill_bin, "export", "--data", str(data))
    return {r["id"]: r for r in (json.loads(l) for l in text.splitlines() if l.strip())}


def run_example(script, args, out, env=None):
    """Runs an example job (`examples/.../warc_to_parquet.py`) writing Parquet to `out`, checks
    it reported the sample's 41 records, and returns the rows, partition columns included and
    the JSON columns parsed."""
    import sys

    import pyarrow as pa
    import pyarrow.dataset as ds

    import newsmill

    run = subprocess.run(
        [sys.executable, script, *args, "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "41 records" in run.stderr
    partitioning = ds.HivePartitioning(
        pa.schema([("language", pa.string()), ("day", pa.string())]),
        null_fallback="__HIVE_DEFAULT_PARTITION__",
    )
    table = ds.dataset(str(out), format="parquet", partitioning=partitioning).to_table()
    json_cols = set(newsmill.json_columns())
    return [
        {k: (json.loads(v) if k in json_cols and v is not None else v) for k, v in row.items()}
        for row in table.to_pylist()
    ]
