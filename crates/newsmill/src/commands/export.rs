//! `newsmill export`: every stored record, as JSON Lines.

use std::io::{self, Write};

use anyhow::Context;
use newsmill_index::Store;

use crate::ExitStatus;
use crate::args::{ExportArgs, ExportFormat};

pub(crate) fn run(args: ExportArgs) -> anyhow::Result<ExitStatus> {
    let store = Store::open(&args.data.data)?;
    let (mut out, name): (Box<dyn Write>, String) = match &args.output {
        Some(path) => (
            Box::new(io::BufWriter::new(
                fs_err::File::create(path).context("creating the output file")?,
            )),
            path.display().to_string(),
        ),
        None => (
            Box::new(io::BufWriter::new(io::stdout().lock())),
            "stdout".into(),
        ),
    };
    let mut n = 0u64;
    let mut errored = false;
    match args.format {
        ExportFormat::Jsonl => {
            for item in store.records()? {
                match item {
                    Ok((record, _meta)) => {
                        serde_json::to_writer(&mut out, &record)
                            .map_err(io::Error::from)
                            .and_then(|()| out.write_all(b"\n"))
                            .with_context(|| format!("writing to {name}"))?;
                        n += 1;
                    }
                    Err(e) => {
                        eprintln!("newsmill: {e}");
                        errored = true;
                    }
                }
            }
        }
    }
    out.flush().with_context(|| format!("writing to {name}"))?;
    eprintln!("newsmill: export: {n} records");
    Ok(if errored {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
