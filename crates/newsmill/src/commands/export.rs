//! `newsmill export`: every stored record, sorted by id, as JSON Lines or Parquet.
//!
//! Parquet columns are newsmill-pipeline's Arrow schema of the record (`newsmill_pipeline::arrow`,
//! shared with the Python wheel's batch functions): plain columns for the string fields and the
//! lists of strings, one JSON text per row for the nested fields, named in the file's metadata
//! (`newsmill.json_columns`). Rows go out in groups of 4,096, Snappy compressed.

use anyhow::Context;
use newsmill_core::Record;
use newsmill_index::Store;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::io::{self, Write};

use crate::ExitStatus;
use crate::args::{ExportArgs, ExportFormat};

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
    let records = store.records_by_id()?.filter_map(|item| match item {
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

fn write_parquet(
    out: Box<dyn Write + Send>,
    records: impl Iterator<Item = Record>,
) -> anyhow::Result<u64> {
    use newsmill_pipeline::arrow;
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
