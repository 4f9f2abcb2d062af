//! Parquet output of `newsmill export` (the `parquet` feature, on by default; a slim build
//! without parquet drops it). The columns are newsmill-pipeline's Arrow schema of the record,
//! the one the Python wheel's batch functions use.

use std::io::Write;

use newsmill_core::Record;
use newsmill_pipeline::arrow;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

/// Rows per Parquet row group (and per Arrow batch).
const ROWS: usize = 4096;

pub(super) fn write_parquet(
    out: Box<dyn Write + Send>,
    records: impl Iterator<Item = Record>,
) -> anyhow::Result<u64> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROWS))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            arrow::JSON_COLUMNS_KEY.to_string(),
            arrow::json_columns(),
        )]))
        .build();
    let mut writer = ArrowWriter::try_new(out, arrow::schema(), Some(props))?;
    let mut n = 0u64;
    let mut batch: Vec<serde_json::Value> = Vec::with_capacity(ROWS);
    let flush = |batch: &mut Vec<serde_json::Value>,
                 writer: &mut ArrowWriter<Box<dyn Write + Send>>|
     -> anyhow::Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        writer.write(&arrow::values_to_batch(batch)?)?;
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
