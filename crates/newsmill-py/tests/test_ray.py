"""The Ray Data example end to end on a local Ray instance: Parquet rows equal to the CLI's
records, stories equal to ingest's."""

import json
import subprocess
import sys

import pytest

from conftest import REPO

pytest.importorskip("ray", reason="ray is not installed (pip install 'ray[data]')")

import pyarrow as pa  # noqa: E402
import pyarrow.dataset as ds  # noqa: E402

import newsmill  # noqa: E402


@pytest.fixture(scope="module")
def ray_rows(sample_rel, tmp_path_factory):
    out = tmp_path_factory.mktemp("ray") / "out"
    run = subprocess.run(
        [sys.executable, "examples/ray/warc_to_parquet.py", sample_rel, "--out", str(out), "--num-cpus", "2"],
        cwd=REPO,
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
    rows = [
        {k: (json.loads(v) if k in json_cols and v is not None else v) for k, v in row.items()}
        for row in table.to_pylist()
    ]
    return out, rows


def test_the_ray_rows_are_the_41_articles_as_newsmill_analyze_gives_them(ray_rows, cli_records):
    _, rows = ray_rows
    assert len(rows) == 41
    assert len({r["id"] for r in rows}) == 41
    by_origin = {r["origin"]: r for r in cli_records}
    for row in rows:
        row = dict(row)
        day = row.pop("day")
        cli = dict(by_origin[row["origin"]])
        if cli["published"]:
            assert day == cli["published"][:10]
        for k in ("story", "duplicate_of"):
            row.pop(k)
            cli.pop(k)
        assert row == cli, row["origin"]


def test_the_stories_of_the_ray_job_equal_ingest(ray_rows, cli_ingested):
    _, rows = ray_rows
    got = {r["id"]: (r["story"], r["duplicate_of"]) for r in rows}
    assert got == {i: (r["story"], r["duplicate_of"]) for i, r in cli_ingested.items()}
