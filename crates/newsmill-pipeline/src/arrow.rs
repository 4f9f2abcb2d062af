//! The record as Arrow columns: the one schema of `newsmill export --format parquet` and of the
//! Python wheel's batch functions.
//!
//! Columns follow the record's fields, in the record's order: the string fields (`id`,
//! `origin`, `url`, `title`, `text`, `story`, `duplicate_of`, ...) as nullable UTF-8 columns,
//! the lists of strings (`byline`, `tags`, `sources_cited`) as lists of UTF-8, and the nested
//! fields (`blocks`, `entities`, `quotes`, `dates`, `removed`, `provenance`, and any field a
//! later record version adds) as one JSON text per row. JSON keeps those columns stable while
//! their structs still change, and every Parquet reader (pandas, DuckDB, Spark) can parse it
//! (`json_extract`, `from_json`); the columns people filter on are plain. Writers name the
//! JSON columns in the file's metadata under [`JSON_COLUMNS_KEY`].
//!
//! [`to_batch`] and [`from_batch`] are inverses: a record read back from its row equals it.

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use newsmill_core::Record;
use serde_json::Value;

use crate::{Error, Result};

/// The metadata key under which a file names its JSON columns (comma-separated).
pub const JSON_COLUMNS_KEY: &str = "newsmill.json_columns";

/// Record fields written as lists of strings.
const STRING_LISTS: &[&str] = &["byline", "tags", "sources_cited"];

/// How a field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A nullable UTF-8 string.
    Text,
    /// A list of UTF-8 strings.
    TextList,
    /// The field's JSON, as UTF-8 text.
    Json,
}

/// The record's fields in order, with their kinds (from an empty record: serde writes every
/// field).
pub fn columns() -> &'static [(String, Kind)] {
    static COLUMNS: OnceLock<Vec<(String, Kind)>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
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
                } else if matches!(obj[k], Value::String(_) | Value::Null) {
                    Kind::Text
                } else {
                    Kind::Json
                };
                (k.clone(), kind)
            })
            .collect()
    })
}

/// The names of the JSON columns, comma-separated (the value for [`JSON_COLUMNS_KEY`]).
pub fn json_columns() -> String {
    columns()
        .iter()
        .filter(|(_, k)| *k == Kind::Json)
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The Arrow schema of records.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let fields: Vec<Field> = columns()
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
            Arc::new(Schema::new(fields))
        })
        .clone()
}

/// Records as one batch of [`schema`], one row per record, in order.
pub fn to_batch(records: &[Record]) -> Result<RecordBatch> {
    let rows = records
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<Value>, _>>()
        .map_err(|e| Error::Arrow(e.to_string()))?;
    values_to_batch(&rows)
}

/// Records already serialised to JSON values, as one batch of [`schema`].
pub fn values_to_batch(rows: &[Value]) -> Result<RecordBatch> {
    let arrays: Vec<ArrayRef> = columns()
        .iter()
        .map(|(name, kind)| column(rows, name, *kind))
        .collect();
    RecordBatch::try_new(schema(), arrays).map_err(|e| Error::Arrow(e.to_string()))
}

fn column(rows: &[Value], name: &str, kind: Kind) -> ArrayRef {
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

/// Reads records back from a batch of [`schema`] (or of a Parquet file written with it, read
/// by any Arrow reader: large strings and lists are accepted, extra columns ignored, a missing
/// column leaves its field empty). A row that does not read is an error naming its row and
/// column.
pub fn from_batch(batch: &RecordBatch) -> Result<Vec<Record>> {
    let mut rows: Vec<serde_json::Map<String, Value>> =
        vec![serde_json::Map::new(); batch.num_rows()];
    for (name, kind) in columns() {
        let Some(array) = batch.column_by_name(name) else {
            continue;
        };
        for (i, row) in rows.iter_mut().enumerate() {
            let value = cell(array, i, *kind)
                .map_err(|e| Error::Arrow(format!("row {i}, column {name}: {e}")))?;
            row.insert(name.clone(), value);
        }
    }
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            serde_json::from_value(Value::Object(row))
                .map_err(|e| Error::Arrow(format!("row {i}: not a record: {e}")))
        })
        .collect()
}

/// The string at row `i` of a UTF-8 or large UTF-8 array; `Ok(None)` for a null.
fn string_at(array: &dyn Array, i: usize) -> Result<Option<&str>, String> {
    if array.is_null(i) {
        return Ok(None);
    }
    if let Some(a) = array.as_string_opt::<i32>() {
        return Ok(Some(a.value(i)));
    }
    if let Some(a) = array.as_string_opt::<i64>() {
        return Ok(Some(a.value(i)));
    }
    if let Some(a) = array.as_string_view_opt() {
        return Ok(Some(a.value(i)));
    }
    Err(format!("expected strings, found {}", array.data_type()))
}

fn cell(array: &ArrayRef, i: usize, kind: Kind) -> Result<Value, String> {
    match kind {
        Kind::Text => Ok(string_at(array.as_ref(), i)?.map_or(Value::Null, |s| s.into())),
        Kind::Json => match string_at(array.as_ref(), i)? {
            None => Ok(Value::Null),
            Some(s) => serde_json::from_str(s).map_err(|e| format!("not JSON: {e}")),
        },
        Kind::TextList => {
            if array.is_null(i) {
                return Ok(Value::Array(Vec::new()));
            }
            let items = if let Some(a) = array.as_list_opt::<i32>() {
                a.value(i)
            } else if let Some(a) = array.as_list_opt::<i64>() {
                a.value(i)
            } else {
                return Err(format!("expected a list, found {}", array.data_type()));
            };
            (0..items.len())
                .map(|j| Ok(string_at(items.as_ref(), j)?.map_or(Value::Null, |s| s.into())))
                .collect::<Result<Vec<Value>, String>>()
                .map(Value::Array)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsmill_core::{InputHint, Origin, RawDoc};

    fn record(text: &str) -> Record {
        let doc = RawDoc::new(
            Origin::Path("a.txt".into()),
            InputHint::Text,
            text.as_bytes().to_vec(),
        );
        let pipeline = crate::Pipeline::new(crate::Stages::All, Default::default()).unwrap();
        pipeline.run(&doc).unwrap()
    }

    #[test]
    fn the_schema_follows_the_records_fields_in_order() {
        let names: Vec<&str> = columns().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.first(), Some(&"id"));
        assert!(names.contains(&"entities"));
        assert_eq!(schema().fields().len(), names.len());
        assert!(json_columns().split(',').any(|c| c == "entities"));
        assert!(!json_columns().split(',').any(|c| c == "title"));
    }

    #[test]
    fn a_record_read_back_from_its_row_equals_it() {
        let mut a = record(
            "Putin meets Kim in Pyongyang\n\nVladimir Putin met Kim Jong Un in Pyongyang on \
             Wednesday, the Kremlin said. \"We will help each other,\" Putin told reporters.",
        );
        a.story = Some(a.id.clone());
        let b = record("A second, shorter text about the weather in Berlin on Monday.");
        assert!(!a.entities.is_empty(), "{a:?}");
        let batch = to_batch(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(from_batch(&batch).unwrap(), vec![a, b]);
    }

    #[test]
    fn a_bad_json_cell_names_its_row_and_column() {
        let batch = to_batch(&[Record::default()]).unwrap();
        let idx = batch.schema().index_of("entities").unwrap();
        let mut cols = batch.columns().to_vec();
        cols[idx] = Arc::new(arrow_array::StringArray::from(vec!["[not json"]));
        let bad = RecordBatch::try_new(batch.schema(), cols).unwrap();
        let err = from_batch(&bad).unwrap_err().to_string();
        assert!(err.contains("row 0, column entities"), "{err}");
    }
}
