//! `newsmill export`: the stored records (every one, or those a query and filters match), sorted
//! by id, as JSON Lines or Parquet.
//!
//! Parquet columns (the `parquet` feature, on by default) are newsmill-pipeline's Arrow schema of the record (`newsmill_pipeline::arrow`,
//! shared with the Python wheel's batch functions): plain columns for the string fields and the
//! lists of strings, one JSON text per row for the nested fields, named in the file's metadata
//! (`newsmill.json_columns`). Rows go out in groups of 4,096, Snappy compressed.

use std::io::{self, Write};

use anyhow::Context;
use newsmill_index::Store;

use crate::ExitStatus;
use crate::args::{ExportArgs, ExportFormat};

#[cfg(feature = "parquet")]
mod to_parquet;

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
        #[cfg(feature = "parquet")]
        ExportFormat::Parquet => {
            n = to_parquet::write_parquet(out, records)
                .with_context(|| format!("writing to {name}"))?;
        }
        // Refused above (`check_destination`), before the store was opened.
        #[cfg(not(feature = "parquet"))]
        ExportFormat::Parquet => anyhow::bail!("this newsmill was built without Parquet support"),
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
    if matches!(format, ExportFormat::Parquet) && !cfg!(feature = "parquet") {
        anyhow::bail!(
            "this newsmill was built without Parquet support (cargo's `parquet` feature, on by default): export --format jsonl, or build with default features"
        );
    }
    if matches!(format, ExportFormat::Parquet) && !to_file && stdout_is_terminal {
        anyhow::bail!(
            "export --format parquet writes binary data; not writing it to a terminal: give -o FILE.parquet, or pipe it to a program that reads Parquet"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // See: issue 23 (`export --format parquet` wrote binary to a terminal).
    #[cfg(feature = "parquet")]
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

    // A slim build (`--no-default-features`) says why it writes no Parquet.
    #[cfg(not(feature = "parquet"))]
    #[test]
    fn a_slim_build_refuses_parquet_and_says_why() {
        let refused = check_destination(ExportFormat::Parquet, true, false).unwrap_err();
        assert!(
            refused.to_string().contains("without Parquet support"),
            "{refused}"
        );
        assert!(check_destination(ExportFormat::Jsonl, false, true).is_ok());
    }
}
