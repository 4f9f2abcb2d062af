"""The Python API against the CLI: the same records, the same stories, bad input failing alone."""

import json
import os

import pyarrow as pa
import pytest

import newsmill
from conftest import INGEST_WARC, REPO, SAMPLE, run_cli


def rows_to_records(table):
    """Arrow rows in `record_schema()` back to the dicts `newsmill analyze` prints."""
    json_cols = set(newsmill.json_columns())
    out = []
    for row in table.to_pylist():
        out.append({k: (json.loads(v) if k in json_cols and v is not None else v) for k, v in row.items()})
    return out


def docs_batch(docs):
    return pa.RecordBatch.from_pydict(
        {
            "content": pa.array([d["content"] for d in docs], pa.binary()),
            "url": pa.array([d["url"] for d in docs], pa.string()),
            "origin": pa.array([d["origin"] for d in docs], pa.string()),
        }
    )


@pytest.fixture(scope="module")
def sample_docs(sample_rel):
    old = os.getcwd()
    os.chdir(REPO)
    try:
        return list(newsmill.read_warc(sample_rel))
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def wheel_records(sample_docs):
    records, failures = newsmill.analyze_arrow(docs_batch(sample_docs))
    assert failures == []
    return records


def test_analyze_gives_the_record_the_cli_prints(newsmill_bin):
    path = "examples/putin-north-korea.txt"
    cli = json.loads(run_cli(newsmill_bin, "analyze", path))
    record = newsmill.analyze((REPO / path).read_text(), origin=path)
    assert record == cli
    assert record["title"] == "Putin on North Korea visit, eyes now on new deal"
    assert record["entities"] and record["quotes"]


def test_analyze_extract_only_has_no_entities():
    record = newsmill.analyze((REPO / "examples/putin-north-korea.txt").read_bytes(), stages="extract")
    assert record["text"] and record["entities"] == []


def test_published_is_the_reference_of_relative_dates(newsmill_bin, tmp_path):
    text = (
        "Talks resume in Geneva\n\nThe two delegations met in Geneva yesterday and agreed to meet "
        "again next week, officials from both governments said on Wednesday. The talks had "
        "stalled for months over the question of prisoners and the border crossings."
    )
    record = newsmill.analyze(text, published="2024-06-19", origin="t.txt")
    assert [d["value"] for d in record["dates"]][:3] == ["2024-06-18", "2024-W26", "2024-06-19"]
    assert record["published"] is None, "the page's own field is left as the page says"
    # The same as `analyze --reference-time`.
    (tmp_path / "t.txt").write_text(text)
    cli = json.loads(run_cli(newsmill_bin, "analyze", "--reference-time", "2024-06-19", "t.txt", cwd=tmp_path))
    assert record == cli
    without = newsmill.analyze(text, origin="t.txt")
    assert without["dates"][0]["value"] == "XXXX-XX-XX"


def test_a_document_with_nothing_to_extract_raises_record_error_naming_it():
    with pytest.raises(newsmill.RecordError) as err:
        newsmill.analyze("", origin="empty.txt")
    assert err.value.origin == "empty.txt"
    assert err.value.stage == "extract"
    assert "empty.txt" in str(err.value)
    assert isinstance(err.value, newsmill.NewsmillError)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"content": 3}, TypeError),
        ({"content": "x", "stages": "nlp"}, ValueError),
        ({"content": "x", "input": "pdf"}, ValueError),
        ({"content": "x", "published": "not a date"}, ValueError),
    ],
)
def test_bad_arguments_are_python_errors(kwargs, error):
    with pytest.raises(error):
        newsmill.analyze(**kwargs)


def test_read_warc_yields_the_documents_ingest_reads(sample_docs, cli_records):
    assert len(sample_docs) == 43
    assert all(d["error"] is None and d["content"] for d in sample_docs)
    assert [d["origin"] for d in sample_docs] == [r["origin"] for r in cli_records]
    assert all(d["url"].startswith("http") and d["fetched_at"] for d in sample_docs)
    records = newsmill.read_warc(str(SAMPLE))
    assert len(list(records)) == 43
    assert records.skipped == 1  # the warcinfo record


def test_read_warc_from_bytes_reads_as_from_the_file(sample_docs, sample_rel):
    from_bytes = list(newsmill.read_warc(SAMPLE.read_bytes(), name=sample_rel))
    assert from_bytes == sample_docs


def test_a_cut_warc_record_fails_alone_and_ends_the_file():
    items = list(newsmill.read_warc(str(INGEST_WARC / "resiliparse-clipped.warc.gz")))
    assert items, "the clipped record is reported"
    assert items[-1]["error"] and "truncated" in items[-1]["error"]
    assert items[-1]["content"] is None


def test_a_malformed_warc_is_read_leniently_without_raising():
    items = list(newsmill.read_warc(str(INGEST_WARC / "cc-main-2016-50-sparkwarc-malformed.warc.gz")))
    assert items and all(set(i) >= {"origin", "content", "error"} for i in items)


def warc_record(uri, body, extra=b""):
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + extra + b"\r\n" + body
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\n"
        "WARC-Date: 2024-06-19T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
        "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
        % (uri, abs(hash(uri)), len(http))
    ).encode()
    return head + http + b"\r\n\r\n"


def test_a_bad_warc_record_fails_alone():
    page = b"<html><body><p>" + b"A sentence about the harbour and the storm. " * 20 + b"</p></body></html>"
    warc = (
        warc_record("https://a.test/1", page)
        + warc_record("https://a.test/2", b"not gzip at all", b"Content-Encoding: gzip\r\n")
        + warc_record("https://a.test/3", page)
    )
    items = list(newsmill.read_warc(warc, name="t.warc"))
    assert [i["error"] is None for i in items] == [True, False, True]
    assert "gzip" in items[1]["error"] and items[1]["origin"].startswith("t.warc#")
    records, failures = newsmill.analyze_arrow(docs_batch([i for i in items if i["error"] is None]))
    assert records.num_rows == 2 and failures == []


def test_a_missing_warc_raises_naming_it():
    with pytest.raises(newsmill.RecordError) as err:
        newsmill.read_warc("no/such.warc.gz")
    assert err.value.origin == "no/such.warc.gz"


def test_analyze_arrow_gives_the_records_of_newsmill_analyze(wheel_records, cli_records):
    assert wheel_records.schema.equals(newsmill.record_schema())
    assert rows_to_records(wheel_records) == cli_records
    assert len({r["id"] for r in cli_records if r["text"]}) == 41
    # Every article in a language with a tagger has entities; the others say why not.
    for r in cli_records:
        assert r["entities"] or r["provenance"]["entities"].startswith("no-model:"), r["origin"]
    assert sum(1 for r in cli_records if r["entities"]) >= 38


def test_analyze_arrow_is_idempotent(sample_docs, wheel_records):
    again, _ = newsmill.analyze_arrow(docs_batch(sample_docs[:5]))
    assert again.equals(wheel_records.slice(0, 5))


def test_a_bad_row_fails_alone():
    good = (REPO / "examples/putin-north-korea.txt").read_bytes()
    batch = pa.RecordBatch.from_pydict(
        {"content": pa.array([good, b"", None, good], pa.binary())}
    )
    records, failures = newsmill.analyze_arrow(batch)
    assert records.num_rows == 2
    assert [(f["origin"], f["stage"]) for f in failures] == [("row 1", "extract"), ("row 2", "read")]
    # text content works too
    records, _ = newsmill.analyze_arrow(pa.RecordBatch.from_pydict({"content": [good.decode()]}))
    assert records.num_rows == 1


def test_the_ordered_story_pass_equals_ingest(sample_docs, wheel_records, cli_ingested):
    stories = newsmill.Stories()
    fetched = [d["fetched_at"] for d in sample_docs]
    out = stories.assign_arrow(wheel_records, fetched_at=fetched, distinct=True)
    got = {r["id"]: r for r in rows_to_records(out)}
    assert len(got) == 41
    assert got.keys() == cli_ingested.keys()
    assert {i: (r["story"], r["duplicate_of"]) for i, r in got.items()} == {
        i: (r["story"], r["duplicate_of"]) for i, r in cli_ingested.items()
    }
    # The stored records themselves, not only their stories.
    assert got == cli_ingested
    assert stories.unchanged == 2
    assert stories.new_stories == len({r["story"] for r in got.values()})


def test_the_story_pass_continues_from_its_state(wheel_records, sample_docs):
    fetched = [d["fetched_at"] for d in sample_docs]
    whole = newsmill.Stories().assign_arrow(wheel_records, fetched_at=fetched)
    first = newsmill.Stories()
    a = first.assign_arrow(wheel_records.slice(0, 20), fetched_at=fetched[:20])
    second = newsmill.Stories(first.state())
    b = second.assign_arrow(wheel_records.slice(20), fetched_at=fetched[20:])
    assert pa.Table.from_batches([a, b]).column("story").to_pylist() == whole.column("story").to_pylist()


def test_assign_one_record_dict():
    record = newsmill.analyze((REPO / "examples/putin-north-korea.txt").read_text())
    stories = newsmill.Stories()
    out = stories.assign(record)
    assert out["story"] == record["id"] and out["duplicate_of"] is None
