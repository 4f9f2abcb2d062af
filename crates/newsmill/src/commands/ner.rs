//! `newsmill ner --conll [--lang L] [PATH|-]`: tags gold-tokenized CoNLL text with the tagger of
//! language `L` (default `en`) and prints every line with the predicted IOB2 tag appended as a
//! last column (`-DOCSTART-` and blank lines unchanged).

use std::io::{self, Read, Write};

use anyhow::Context;
use newsmill_nlp::Nlp;
use newsmill_nlp::conll::{self, LineKind};

use crate::ExitStatus;
use crate::args::NerArgs;
use crate::output::report;

pub(crate) fn run(args: NerArgs) -> anyhow::Result<ExitStatus> {
    let nlp = Nlp::embedded().context("loading the embedded NER models")?;
    if !nlp.has(&args.lang) {
        let known: Vec<&str> = nlp.languages().collect();
        eprintln!(
            "newsmill: ner: no model for language {:?} (models: {})",
            args.lang,
            known.join(", ")
        );
        return Ok(ExitStatus::Error);
    }
    let name = args.input.as_deref().unwrap_or("-");
    let bytes = if name == "-" {
        let mut b = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut b)
            .context("reading stdin")?;
        b
    } else {
        match fs_err::read(name) {
            Ok(b) => b,
            Err(e) => {
                report(name, &io_reason(&e));
                return Ok(ExitStatus::Failure);
            }
        }
    };
    let lines = match conll::parse(&bytes) {
        Ok(lines) => lines,
        Err(e) => {
            report(name, &e);
            return Ok(ExitStatus::Failure);
        }
    };
    let model = nlp
        .model(&args.lang)
        .with_context(|| format!("loading the {} NER model", args.lang))?;
    let mut tags: Vec<&'static str> = vec![""; lines.len()];
    for doc in conll::documents_or_windows(&lines, newsmill_nlp::UNMARKED_DOC_SENTENCES) {
        let tokens: Vec<Vec<&str>> = doc
            .iter()
            .map(|s| s.iter().map(|&i| lines[i].token).collect())
            .collect();
        let labels = model.tag_doc(&tokens);
        for (sent, labs) in doc.iter().zip(&labels) {
            for (&i, l) in sent.iter().zip(labs) {
                tags[i] = l.iob2();
            }
        }
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    // The tag is appended with the file's column separator (that of its first token line).
    let sep: &[u8] = match lines.iter().find(|l| l.kind == LineKind::Token) {
        Some(l) if l.text.contains('\t') => b"\t",
        _ => b" ",
    };
    for (line, tag) in lines.iter().zip(&tags) {
        out.write_all(line.text.as_bytes())
            .context("writing to stdout")?;
        if line.kind == LineKind::Token {
            out.write_all(sep).context("writing to stdout")?;
            out.write_all(tag.as_bytes()).context("writing to stdout")?;
        }
        out.write_all(b"\n").context("writing to stdout")?;
    }
    out.flush().context("writing to stdout")?;
    Ok(ExitStatus::Success)
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
    }
}
