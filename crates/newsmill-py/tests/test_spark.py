"""The Spark example end to end in local mode: Parquet rows equal to the CLI's records."""

import os
import shutil
import sys

import pytest

from conftest import run_example

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark pandas)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime: the Spark example cannot run", allow_module_level=True)



@pytest.fixture(scope="module")
def spark_rows(sample_rel, tmp_path_factory):
    out = tmp_path_factory.mktemp("spark") / "out"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    rows = run_example("examples/spark/warc_to_parquet.py", ["--master", "local[2]", sample_rel], out, env)
    return out, rows


def test_the_parquet_rows_are_the_41_articles_as_newsmill_analyze_gives_them(spark_rows, cli_records):
    _, rows = spark_rows
    assert len(rows) == 41
    assert len({r["id"] for r in rows}) == 41
    assert all(r["text"] for r in rows)
    by_origin = {r["origin"]: r for r in cli_records}
    for row in rows:
        row = dict(row)
        row.pop("day")
        cli = dict(by_origin[row["origin"]])
        assert row["entities"] or cli["provenance"]["entities"].startswith("no-model:")
        # The story stage's fields come from the ordered pass (compared with ingest below).
        for k in ("story", "duplicate_of"):
            row.pop(k)
            cli.pop(k)
        assert row == cli, row["origin"]


def test_the_stories_of_the_ordered_pass_equal_ingest(spark_rows, cli_ingested):
    _, rows = spark_rows
    got = {r["id"]: (r["story"], r["duplicate_of"]) for r in rows}
    assert got == {i: (r["story"], r["duplicate_of"]) for i, r in cli_ingested.items()}


def test_the_parquet_is_partitioned_by_language_and_day(spark_rows):
    out, rows = spark_rows
    languages = {p.name for p in out.iterdir() if p.is_dir()}
    assert {"language=en", "language=de"} <= languages
    for r in rows:
        if r["published"]:
            assert r["day"] == r["published"][:10]
        assert r["day"] == "unknown" or len(r["day"]) == 10
