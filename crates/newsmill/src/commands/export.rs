//! `newsmill export`: the stored records (every one, or those a query and filters match), sorted
//! by id, as JSON Lines or Parquet.
//!
//! Parquet columns follow the record's fields, in the record's order: the string fields (`id`,
//! `origin`, `url`, `title`, `text`, `story`, `duplicate_of`, ...) as nullable UTF-8 columns,
//! the lists of strings (`byline`, `tags`, `sources_cited`) as lists of UTF-8, and the nested
//! fields (`blocks`, `entities`, `quotes`, `dates`, `removed`, `provenance`, and any field a
//! later record version adds) as one JSON text per row. JSON keeps those columns stable while
//! their structs still change, and every Parquet reader (pandas, DuckDB, Spark) can parse it
//! (`json_extract`, `from_json`); the columns people filter on are plain. The choice is written
//! into the file's metadata (`newsmill.json_columns`). Rows go out in groups of 4,096, Snappy
//! compressed.

use std::io::{self, Write};
use std::sync::Arc;

use anyhow::Context;
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use newsmill_core::Record;
use newsmill_index::Store;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::ExitStatus;
use crate::args::{ExportArgs, ExportFormat};

/// Record fields exported as lists of strings.
const STRING_LISTS: &[&str] = &["byline", "tags", "sources_cited"];
/// Rows per Parquet row group (and per Arrow batch).
const ROWS: usize = 4096;

pub(crate) fn run(args: ExportArgs) -> anyhow::Result<ExitStatus> {
    use std::io::IsTerminal;
    check_destination(
        args.format,
        args.output.is_some(),
        io::stdout().is_terminal(),
    )?;
    let store = Store::open(&args.data.data)?;
    let (out, name): (Box<dyn Write + Send>, String) = match &args.output {
        Some(path) => (
            Box::new(io::BufWriter::new(
                fs_err::File::create(path).context("creating the output file")?,
            )),
            path.display().to_string(),
        ),
        None => (Box::new(io::BufWriter::new(io::stdout())), "stdout".into()),
    };
    let mut n = 0u64;
    let mut errored = false;
    // Every record, or those the query and filters match; sorted by id either way.
    let query = args.query.as_deref().unwrap_or("").trim();
    let all: Box<dyn Iterator<Item = _>> = if query.is_empty() && args.filters.is_empty() {
        Box::new(store.records_by_id()?)
    } else {
        Box::new(store.records_matching(&args.filters.request(query))?)
    };
    let records = all.filter_map(|item| match item {
        Ok((record, _meta)) => Some(record),
        Err(e) => {
            eprintln!("newsmill: {e}");
            errored = true;
            None
        }
    });
    match args.format {
        ExportFormat::Jsonl => {
            let mut out = out;
            for record in records {
                serde_json::to_writer(&mut out, &record)
                    .map_err(io::Error::from)
                    .and_then(|()| out.write_all(b"\n"))
                    .with_context(|| format!("writing to {name}"))?;
                n += 1;
            }
            out.flush().with_context(|| format!("writing to {name}"))?;
        }
        ExportFormat::Parquet => {
            n = write_parquet(out, records).with_context(|| format!("writing to {name}"))?;
        }
    }
    eprintln!("newsmill: export: {n} records");
    Ok(if errored {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Parquet is binary: written to a terminal it garbles the screen and helps no one. It goes
/// to a file (`-o`) or a pipe.
fn check_destination(
    format: ExportFormat,
    to_file: bool,
    stdout_is_terminal: bool,
) -> anyhow::Result<()> {
    if matches!(format, ExportFormat::Parquet) && !to_file && stdout_is_terminal {
        anyhow::bail!(
            "export --format parquet writes binary data; not writing it to a terminal: give -o FILE.parquet, or pipe it to a program that reads Parquet"
        );
    }
    Ok(())
}

/// Kind of a Parquet column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    TextList,
    Json,
}

/// The record's fields in order, with their column kinds (from an empty record: serde writes
/// every field).
fn columns() -> Vec<(String, Kind)> {
    let empty = serde_json::to_value(Record::default()).unwrap_or_default();
    let Some(obj) = empty.as_object() else {
        return Vec::new();
    };
    // serde_json's map is sorted by key unless `preserve_order` is on; the record's order
    // is wanted, so take it from the serialised text.
    let text = serde_json::to_string(&Record::default()).unwrap_or_default();
    let mut keys: Vec<&String> = obj.keys().collect();
    keys.sort_by_key(|k| text.find(&format!("\"{k}\":")).unwrap_or(usize::MAX));
    keys.into_iter()
        .map(|k| {
            let kind = if STRING_LISTS.contains(&k.as_str()) {
                Kind::TextList
            } else if matches!(
                obj[k],
                serde_json::Value::String(_) | serde_json::Value::Null
            ) {
                Kind::Text
            } else {
                Kind::Json
            };
            (k.clone(), kind)
        })
        .collect()
}

fn write_parquet(
    out: Box<dyn Write + Send>,
    records: impl Iterator<Item = Record>,
) -> anyhow::Result<u64> {
    let cols = columns();
    let fields: Vec<Field> = cols
        .iter()
        .map(|(name, kind)| match kind {
            Kind::Text | Kind::Json => Field::new(name, DataType::Utf8, true),
            Kind::TextList => Field::new(
                name,
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            ),
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let json_cols: Vec<&str> = cols
        .iter()
        .filter(|(_, k)| *k == Kind::Json)
        .map(|(n, _)| n.as_str())
        .collect();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROWS))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "newsmill.json_columns".to_string(),
            json_cols.join(","),
        )]))
        .build();
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
    let mut n = 0u64;
    let mut batch: Vec<serde_json::Value> = Vec::with_capacity(ROWS);
    let flush = |batch: &mut Vec<serde_json::Value>,
                 writer: &mut ArrowWriter<Box<dyn Write + Send>>|
     -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = cols
            .iter()
            .map(|(name, kind)| column(batch, name, *kind))
            .collect();
        writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
        batch.clear();
        Ok(())
    };
    for record in records {
        batch.push(serde_json::to_value(&record)?);
        n += 1;
        if batch.len() >= ROWS {
            flush(&mut batch, &mut writer)?;
        }
    }
    flush(&mut batch, &mut writer)?;
    let mut out = writer.into_inner()?;
    out.flush()?;
    Ok(n)
}

fn column(rows: &[serde_json::Value], name: &str, kind: Kind) -> ArrayRef {
    use serde_json::Value;
    match kind {
        Kind::Text => {
            let mut b = StringBuilder::new();
            for r in rows {
                match &r[name] {
                    Value::String(s) => b.append_value(s),
                    Value::Null => b.append_null(),
                    other => b.append_value(other.to_string()),
                }
            }
            Arc::new(b.finish())
        }
        Kind::TextList => {
            let mut b = ListBuilder::new(StringBuilder::new());
            for r in rows {
                match &r[name] {
                    Value::Array(items) => {
                        for i in items {
                            match i {
                                Value::String(s) => b.values().append_value(s),
                                other => b.values().append_value(other.to_string()),
                            }
                        }
                        b.append(true);
                    }
                    _ => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
        Kind::Json => {
            let mut b = StringBuilder::new();
            for r in rows {
                match &r[name] {
                    Value::Null => b.append_null(),
                    v => b.append_value(v.to_string()),
                }
            }
            Arc::new(b.finish())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 23 (`export --format parquet` wrote binary to a terminal).
    #[test]
    fn regression_23_parquet_is_not_written_to_a_terminal() {
        let refused = check_destination(ExportFormat::Parquet, false, true).unwrap_err();
        assert!(refused.to_string().contains("-o FILE.parquet"), "{refused}");
        assert!(check_destination(ExportFormat::Parquet, true, true).is_ok());
        assert!(
            check_destination(ExportFormat::Parquet, false, false).is_ok(),
            "a pipe"
        );
        assert!(check_destination(ExportFormat::Jsonl, false, true).is_ok());
    }
}
