//! Parquet output of `newsmill export` (the `parquet` feature, on by default; a slim build
//! without arrow and parquet drops it).

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use newsmill_core::Record;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

/// Record fields exported as lists of strings.
const STRING_LISTS: &[&str] = &["byline", "tags", "sources_cited"];
/// Rows per Parquet row group (and per Arrow batch).
const ROWS: usize = 4096;

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

pub(super) fn write_parquet(
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
