"""The Ray Data example end to end on a local Ray instance: Parquet rows equal to the CLI's
records, stories equal to ingest's."""


import pytest

from conftest import run_example

pytest.importorskip("ray", reason="ray is not installed (pip install 'ray[data]')")



@pytest.fixture(scope="module")
def ray_rows(sample_rel, tmp_path_factory):
    out = tmp_path_factory.mktemp("ray") / "out"
    rows = run_example("examples/ray/warc_to_parquet.py", [sample_rel, "--num-cpus", "2"], out)
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
