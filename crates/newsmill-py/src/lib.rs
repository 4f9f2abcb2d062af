//! `newsmill` for Python: a PyO3 extension module over the crates the binary uses (no second
//! implementation), made for Spark and Ray workers.
//!
//! - `analyze(content, url=None, published=None, stages="all", origin=None, input="auto")`:
//!   one document to its record, as a `dict` equal to what `newsmill analyze` prints.
//! - `read_warc(path_or_bytes)`: the documents of a WARC file, as newsmill-ingest reads them.
//! - `analyze_arrow(batch)`: a `pyarrow.RecordBatch` of documents (`content`, `url`,
//!   `published`, `origin`) to a batch of records in `record_schema()`, the schema of
//!   `newsmill export --format parquet`, plus the failures.
//! - `Stories`: the story stage in input order (the second, ordered pass of a driver).
//!
//! Work runs with the GIL released. A document that gives no record raises `RecordError` (or
//! is listed among the failures, in the batch functions), naming the document.

use std::sync::OnceLock;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_ingest::warc::{WarcItem, WarcReader};
use newsmill_nlp::{DateAnchor, DatesConfig, Reference};
use newsmill_pipeline::story::StoryPass;
use newsmill_pipeline::{Pipeline, StageError, Stages, arrow};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

create_exception!(
    newsmill,
    NewsmillError,
    PyException,
    "Base class of newsmill's errors."
);
create_exception!(
    newsmill,
    RecordError,
    NewsmillError,
    "A document gave no record: `origin`, `stage` (`extract`, `nlp`, `read`) and `reason` say which, where and why."
);

/// WARC records and documents larger than this are errors (as `IngestConfig::max_bytes`).
const MAX_BYTES: u64 = 64 << 20;

/// One pipeline per stage setting, per process, shared by every thread.
fn pipeline(stages: Stages) -> PyResult<&'static Pipeline> {
    static ALL: OnceLock<Result<Pipeline, String>> = OnceLock::new();
    static EXTRACT: OnceLock<Result<Pipeline, String>> = OnceLock::new();
    let cell = match stages {
        Stages::All => &ALL,
        Stages::Extract => &EXTRACT,
    };
    cell.get_or_init(|| Pipeline::new(stages, DatesConfig::default()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| NewsmillError::new_err(e.clone()))
}

fn parse_stages(stages: Option<&str>) -> PyResult<Stages> {
    let s = stages.unwrap_or("all");
    Stages::parse(s).ok_or_else(|| {
        PyValueError::new_err(format!("stages must be 'all' or 'extract', not {s:?}"))
    })
}

fn parse_hint(input: Option<&str>) -> PyResult<InputHint> {
    match input.unwrap_or("auto") {
        "auto" => Ok(InputHint::Auto),
        "html" => Ok(InputHint::Html),
        "text" => Ok(InputHint::Text),
        other => Err(PyValueError::new_err(format!(
            "input must be 'auto', 'html' or 'text', not {other:?}"
        ))),
    }
}

/// `published` as the date stage's reference time; `None` when not given.
fn parse_published(published: Option<&str>) -> Result<Option<DatesConfig>, String> {
    match published.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Reference::parse(s, DateAnchor::Reference)
            .map(|r| Some(DatesConfig { reference: Some(r) }))
            .map_err(|e| format!("published {s:?}: {e}")),
    }
}

fn record_error(py: Python<'_>, stage: &str, origin: &str, reason: &str) -> PyErr {
    let err = RecordError::new_err(format!("{origin}: {stage}: {reason}"));
    let value = err.value(py);
    // Setting attributes on a fresh exception object cannot fail in practice; if it did, the
    // message still names everything.
    let _ = value.setattr("origin", origin);
    let _ = value.setattr("stage", stage);
    let _ = value.setattr("reason", reason);
    err
}

fn stage_error(py: Python<'_>, e: &StageError) -> PyErr {
    record_error(py, e.stage(), e.origin(), &e.reason())
}

/// A record as Python objects: the JSON `newsmill analyze` prints, read by Python's `json`.
fn to_py(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
    let loads = py.import("json")?.getattr("loads")?;
    Ok(loads.call1((json,))?.unbind())
}

/// Text or bytes as bytes.
fn content_bytes(content: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = content.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = content.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "content must be str or bytes, not {}",
        content.get_type().name()?
    )))
}

/// Analyzes one document: the record `newsmill analyze` prints for it, as a `dict`.
///
/// `content` is the page's HTML or the article's text (`str` or `bytes`); `url` the address
/// it was fetched from (canonical URL, site, dates in the URL); `published` (RFC 3339 or
/// `YYYY-MM-DD`) when the article was published, known outside the page: relative dates of
/// a page that declares no publication time resolve against it (`analyze --reference-time`);
/// `stages` is `"all"` or `"extract"`; `origin` names the document in the record and in
/// errors; `input` is `"auto"`, `"html"` or `"text"`. Raises `RecordError` when nothing can be
/// extracted.
#[pyfunction]
#[pyo3(signature = (content, url=None, published=None, stages=None, origin=None, input=None))]
fn analyze(
    py: Python<'_>,
    content: &Bound<'_, PyAny>,
    url: Option<String>,
    published: Option<&str>,
    stages: Option<&str>,
    origin: Option<String>,
    input: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let pipeline = pipeline(parse_stages(stages)?)?;
    let dates = parse_published(published).map_err(PyValueError::new_err)?;
    let mut doc = RawDoc::new(
        Origin::Path(origin.unwrap_or_else(|| "<python>".to_string())),
        parse_hint(input)?,
        content_bytes(content)?,
    );
    doc.url = url.filter(|u| !u.trim().is_empty());
    let out = py.detach(|| {
        pipeline
            .run_with(&doc, dates.as_ref())
            .map(|r| serde_json::to_string(&r))
    });
    match out {
        Ok(Ok(json)) => to_py(py, &json),
        Ok(Err(e)) => Err(NewsmillError::new_err(format!("{}: {e}", doc.origin))),
        Err(e) => Err(stage_error(py, &e)),
    }
}

/// The Arrow schema of records (`pyarrow.Schema`): the columns of `newsmill export --format
/// parquet` and of `analyze_arrow`'s output. The nested fields are JSON text columns, named by
/// `json_columns()`.
#[pyfunction]
fn record_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    arrow::schema().as_ref().to_pyarrow(py)
}

/// The names of the record columns that hold JSON text (`entities`, `blocks`, ...).
#[pyfunction]
fn json_columns() -> Vec<String> {
    arrow::json_columns()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One input row of `analyze_arrow`.
struct Row {
    origin: String,
    url: Option<String>,
    published: Option<String>,
    content: Option<Vec<u8>>,
}

/// The string at row `i` of an optional string column (UTF-8, large UTF-8 or view).
fn opt_string(col: Option<&dyn Array>, i: usize) -> Option<String> {
    let a = col?;
    if a.is_null(i) {
        return None;
    }
    if let Some(s) = a.as_string_opt::<i32>() {
        return Some(s.value(i).to_string());
    }
    if let Some(s) = a.as_string_opt::<i64>() {
        return Some(s.value(i).to_string());
    }
    a.as_string_view_opt().map(|s| s.value(i).to_string())
}

/// The bytes at row `i` of the content column (binary or string, any offset width).
fn content_at(a: &dyn Array, i: usize) -> Option<Vec<u8>> {
    if a.is_null(i) {
        return None;
    }
    if let Some(b) = a.as_binary_opt::<i32>() {
        return Some(b.value(i).to_vec());
    }
    if let Some(b) = a.as_binary_opt::<i64>() {
        return Some(b.value(i).to_vec());
    }
    if let Some(b) = a.as_binary_view_opt() {
        return Some(b.value(i).to_vec());
    }
    opt_string(Some(a), i).map(String::into_bytes)
}

fn rows_of(batch: &RecordBatch) -> PyResult<Vec<Row>> {
    let content = batch
        .column_by_name("content")
        .ok_or_else(|| PyValueError::new_err("the batch has no `content` column"))?;
    let col = |name: &str| batch.column_by_name(name).map(|c| c.as_ref());
    let (url, published, origin) = (col("url"), col("published"), col("origin"));
    Ok((0..batch.num_rows())
        .map(|i| Row {
            origin: opt_string(origin, i).unwrap_or_else(|| format!("row {i}")),
            url: opt_string(url, i).filter(|u| !u.trim().is_empty()),
            published: opt_string(published, i),
            content: content_at(content.as_ref(), i),
        })
        .collect())
}

/// Analyzes a `pyarrow.RecordBatch` of documents; returns `(records, failures)`.
///
/// Input columns: `content` (binary or string, required), `url`, `published` (as in
/// `analyze`) and `origin` (what the record's `origin` says; default `row N`), all optional.
/// `records` is a `pyarrow.RecordBatch` in `record_schema()`, one row per document that gave
/// a record, in input order; `failures` a list of `{"origin", "stage", "reason"}` dicts for the
/// others (a bad document fails alone). Ids are hashes of the canonical URL or the text, so
/// the same input gives the same rows (a retried Spark task writes the same ids).
#[pyfunction]
#[pyo3(signature = (batch, stages=None))]
fn analyze_arrow<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
    stages: Option<&str>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyList>)> {
    let pipeline = pipeline(parse_stages(stages)?)?;
    let batch = RecordBatch::from_pyarrow_bound(batch)?;
    let rows = rows_of(&batch)?;
    let (records, failures) = py.detach(|| {
        let mut records: Vec<Record> = Vec::with_capacity(rows.len());
        let mut failures: Vec<(String, String, String)> = Vec::new();
        for row in rows {
            let Some(bytes) = row.content else {
                failures.push((row.origin, "read".into(), "no content".into()));
                continue;
            };
            let dates = match parse_published(row.published.as_deref()) {
                Ok(d) => d,
                Err(e) => {
                    failures.push((row.origin, "read".into(), e));
                    continue;
                }
            };
            let mut doc = RawDoc::new(Origin::Path(row.origin), InputHint::Auto, bytes);
            doc.url = row.url;
            match pipeline.run_with(&doc, dates.as_ref()) {
                Ok(r) => records.push(r),
                Err(e) => {
                    failures.push((e.origin().to_string(), e.stage().to_string(), e.reason()))
                }
            }
        }
        (arrow::to_batch(&records), failures)
    });
    let records = records.map_err(|e| NewsmillError::new_err(e.to_string()))?;
    let list = PyList::empty(py);
    for (origin, stage, reason) in failures {
        let d = PyDict::new(py);
        d.set_item("origin", origin)?;
        d.set_item("stage", stage)?;
        d.set_item("reason", reason)?;
        list.append(d)?;
    }
    Ok((records.to_pyarrow(py)?, list))
}

/// The documents of a WARC file, in file order, as newsmill-ingest reads them for `newsmill
/// analyze` and `ingest` (fastwarc, lenient; gzip, zstd or plain).
///
/// Each item is a `dict`: `origin` (`FILE#OFFSET`), `url` (`WARC-Target-URI`), `fetched_at`
/// (`WARC-Date`), `content_type` (the HTTP `Content-Type`), `content` (`bytes`, the HTTP body)
/// and `error`: `None`, or why this record gave no document (its other fields are then
/// `None`). A bad record fails alone; after a record whose bytes are cut short the stream
/// cannot be resynchronised and the iteration ends there, with that error as its last item.
/// Records without a document (`warcinfo`, `request`, non-2xx responses) are skipped and
/// counted in `skipped`.
#[pyclass(unsendable, module = "newsmill")]
struct WarcRecords {
    reader: WarcReader,
    /// Records that carry no document, skipped so far.
    #[pyo3(get)]
    skipped: u64,
}

#[pymethods]
impl WarcRecords {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(mut slf: PyRefMut<'_, Self>, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        loop {
            let item = match slf.reader.next() {
                None => return Ok(None),
                Some(item) => item,
            };
            let d = PyDict::new(py);
            match item {
                Ok(WarcItem::Skipped { .. }) => {
                    slf.skipped += 1;
                    continue;
                }
                Ok(WarcItem::Doc(doc)) => {
                    d.set_item("origin", doc.origin.to_string())?;
                    d.set_item("url", doc.url)?;
                    d.set_item("fetched_at", doc.fetched_at)?;
                    d.set_item("content_type", doc.content_type)?;
                    d.set_item("content", PyBytes::new(py, &doc.bytes))?;
                    d.set_item("error", py.None())?;
                }
                Err(e) => {
                    d.set_item("origin", e.input().to_string())?;
                    d.set_item("url", py.None())?;
                    d.set_item("fetched_at", py.None())?;
                    d.set_item("content_type", py.None())?;
                    d.set_item("content", py.None())?;
                    d.set_item("error", e.reason())?;
                }
            }
            return Ok(Some(d.into_any().unbind()));
        }
    }
}

/// Opens a WARC file (a path: `str` or `os.PathLike`) or reads one held in memory (`bytes`,
/// named `name` in the origins); see `WarcRecords`.
#[pyfunction]
#[pyo3(signature = (source, name=None))]
fn read_warc(source: &Bound<'_, PyAny>, name: Option<String>) -> PyResult<WarcRecords> {
    let reader = if let Ok(b) = source.cast::<PyBytes>() {
        WarcReader::from_bytes(
            name.as_deref().unwrap_or("<bytes>"),
            b.as_bytes().to_vec(),
            MAX_BYTES,
        )
    } else {
        let path: std::path::PathBuf = source.extract().map_err(|_| {
            PyTypeError::new_err("read_warc takes a path (str or os.PathLike) or bytes")
        })?;
        let path = path.to_string_lossy().into_owned();
        WarcReader::open(&path, MAX_BYTES).map_err(|e| {
            let py = source.py();
            record_error(py, "read", e.input(), &e.reason())
        })?
    };
    Ok(WarcRecords { reader, skipped: 0 })
}

/// The story stage, in input order, as `newsmill ingest` runs it: feed records (from
/// `analyze`, `analyze_arrow` or a Parquet file in `record_schema()`) in the order they
/// arrived, and each gets its `story` and `duplicate_of`. A record whose id was seen with the
/// same content (a re-fetch, the page under a URL with tracking parameters) is not fed to the
/// stage again and keeps its first read's story, as the store does for `ingest`.
#[pyclass(module = "newsmill")]
struct Stories {
    pass: StoryPass,
}

fn records_from_pyarrow(batch: &Bound<'_, PyAny>) -> PyResult<Vec<Record>> {
    let batch = RecordBatch::from_pyarrow_bound(batch)?;
    arrow::from_batch(&batch).map_err(|e| PyValueError::new_err(e.to_string()))
}

#[pymethods]
impl Stories {
    /// A stage that has seen nothing; or, given `state` (from `state()`, or the state
    /// `ingest` keeps), the stage as it was then.
    #[new]
    #[pyo3(signature = (state=None))]
    fn new(state: Option<&str>) -> PyResult<Stories> {
        let pass = match state {
            None => StoryPass::new(),
            Some(json) => {
                StoryPass::from_json(json).map_err(|e| PyValueError::new_err(e.to_string()))?
            }
        };
        Ok(Stories { pass })
    }

    /// Assigns the records of a `pyarrow.RecordBatch` in `record_schema()`, in row order;
    /// returns the batch with `story` and `duplicate_of` set. `fetched_at` (a list, one
    /// RFC 3339 time or `None` per row) is the time of a record without `published`. With
    /// `distinct=True` the batch holds one row per id, the rows a store keeps (as `newsmill
    /// ingest` then `export` give them): the last version read of each article, at the place
    /// of its first read; an unchanged re-read replaces nothing.
    #[pyo3(signature = (batch, fetched_at=None, distinct=false))]
    fn assign_arrow<'py>(
        &mut self,
        py: Python<'py>,
        batch: &Bound<'py, PyAny>,
        fetched_at: Option<Vec<Option<String>>>,
        distinct: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let records = records_from_pyarrow(batch)?;
        if let Some(f) = &fetched_at
            && f.len() != records.len()
        {
            return Err(PyValueError::new_err(format!(
                "fetched_at has {} items for {} rows",
                f.len(),
                records.len()
            )));
        }
        let pass = &mut self.pass;
        let out = py.detach(|| {
            let mut kept: Vec<Record> = Vec::new();
            let mut at: std::collections::HashMap<String, usize> = Default::default();
            for (i, mut r) in records.into_iter().enumerate() {
                let f = fetched_at.as_ref().and_then(|f| f[i].as_deref());
                let fed = pass.assign(&mut r, f);
                match at.get(&r.id) {
                    Some(&j) if distinct => {
                        if fed {
                            kept[j] = r;
                        }
                    }
                    _ => {
                        at.insert(r.id.clone(), kept.len());
                        kept.push(r);
                    }
                }
            }
            arrow::to_batch(&kept)
        });
        out.map_err(|e| NewsmillError::new_err(e.to_string()))?
            .to_pyarrow(py)
    }

    /// Assigns one record (a `dict` as `analyze` returns it); returns it with `story` and
    /// `duplicate_of` set.
    #[pyo3(signature = (record, fetched_at=None))]
    fn assign(
        &mut self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        fetched_at: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let dumps = py.import("json")?.getattr("dumps")?;
        let json: String = dumps.call1((record,))?.extract()?;
        let mut r: Record = serde_json::from_str(&json)
            .map_err(|e| PyValueError::new_err(format!("not a record: {e}")))?;
        let pass = &mut self.pass;
        let json = py.detach(|| {
            pass.assign(&mut r, fetched_at);
            serde_json::to_string(&r)
        });
        to_py(
            py,
            &json.map_err(|e| NewsmillError::new_err(e.to_string()))?,
        )
    }

    /// The stage's state (JSON), to continue in a later pass: `Stories(state)`.
    fn state(&self) -> PyResult<String> {
        self.pass
            .to_json()
            .map_err(|e| NewsmillError::new_err(e.to_string()))
    }

    /// Records that started a story.
    #[getter]
    fn new_stories(&self) -> u64 {
        self.pass.new_stories
    }

    /// Records marked as near-duplicates of an earlier one.
    #[getter]
    fn duplicates(&self) -> u64 {
        self.pass.duplicates
    }

    /// Records skipped as unchanged re-reads of an id already seen.
    #[getter]
    fn unchanged(&self) -> u64 {
        self.pass.unchanged
    }
}

/// The `newsmill` Python module.
#[pymodule(name = "newsmill")]
fn newsmill_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NewsmillError", m.py().get_type::<NewsmillError>())?;
    m.add("RecordError", m.py().get_type::<RecordError>())?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(read_warc, m)?)?;
    m.add_function(wrap_pyfunction!(record_schema, m)?)?;
    m.add_function(wrap_pyfunction!(json_columns, m)?)?;
    m.add_class::<WarcRecords>()?;
    m.add_class::<Stories>()?;
    Ok(())
}
