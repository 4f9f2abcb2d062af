//! `newsmill search`: query the store; a table on a terminal, else JSON, JSON Lines or CSV.

use std::io::{self, IsTerminal, Write};

use anyhow::Context;
use newsmill_index::{FacetCount, Facets, SearchRequest, SearchResults, Store};

use crate::ExitStatus;
use crate::args::{SearchArgs, SearchFormat};

pub(crate) fn run(args: SearchArgs) -> anyhow::Result<ExitStatus> {
    let store = Store::open(&args.data.data)?;
    let request = SearchRequest {
        offset: args.offset,
        limit: args.limit,
        facets: args.facets,
        ..args.filters.request(&args.query)
    };
    let results = store.search(&request)?;
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        SearchFormat::Table
    } else {
        SearchFormat::Jsonl
    });
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write_results(&mut out, format, &results, args.offset).context("writing to stdout")?;
    out.flush().context("writing to stdout")?;
    Ok(ExitStatus::Success)
}

fn write_results<W: Write>(
    out: &mut W,
    format: SearchFormat,
    results: &SearchResults,
    offset: usize,
) -> io::Result<()> {
    match format {
        SearchFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, results)?;
            writeln!(out)
        }
        SearchFormat::Jsonl => {
            for hit in &results.hits {
                serde_json::to_writer(&mut *out, hit)?;
                writeln!(out)?;
            }
            if let Some(f) = &results.facets {
                serde_json::to_writer(&mut *out, &serde_json::json!({ "facets": f }))?;
                writeln!(out)?;
            }
            Ok(())
        }
        SearchFormat::Csv => {
            writeln!(out, "id,score,day,site,language,story,title,url")?;
            for h in &results.hits {
                let row = [
                    h.id.clone(),
                    format!("{:.3}", h.score),
                    h.day.clone().unwrap_or_default(),
                    h.site.clone().unwrap_or_default(),
                    h.language.clone().unwrap_or_default(),
                    h.story.clone().unwrap_or_default(),
                    h.title.clone().unwrap_or_default(),
                    h.url.clone().unwrap_or_default(),
                ];
                writeln!(out, "{}", csv_row(&row))?;
            }
            if let Some(f) = &results.facets {
                writeln!(out)?;
                writeln!(out, "facet,value,count")?;
                for (name, list) in facet_lists(f) {
                    for c in list {
                        let row = [name.to_string(), c.value.clone(), c.count.to_string()];
                        writeln!(out, "{}", csv_row(&row))?;
                    }
                }
            }
            Ok(())
        }
        SearchFormat::Table => {
            let shown = results.hits.len();
            writeln!(
                out,
                "{} matches{}",
                results.total,
                if shown > 0 {
                    format!(", showing {}-{}", offset + 1, offset + shown)
                } else {
                    String::new()
                }
            )?;
            if shown > 0 {
                writeln!(out)?;
                writeln!(
                    out,
                    "{:<10}  {:<22}  {:<4}  {:<60}  ID",
                    "DAY", "SITE", "LANG", "TITLE"
                )?;
            }
            for h in &results.hits {
                writeln!(
                    out,
                    "{:<10}  {:<22}  {:<4}  {:<60}  {}",
                    h.day.as_deref().unwrap_or("-"),
                    cut(h.site.as_deref().unwrap_or("-"), 22),
                    h.language.as_deref().unwrap_or("-"),
                    cut(h.title.as_deref().unwrap_or("(no title)"), 60),
                    h.id
                )?;
            }
            if let Some(f) = &results.facets {
                for (name, list) in facet_lists(f) {
                    writeln!(out)?;
                    writeln!(out, "{name}:")?;
                    for c in list {
                        writeln!(out, "  {:>6}  {}", c.count, c.value)?;
                    }
                }
            }
            Ok(())
        }
    }
}

/// The facets by their names in the JSON (the filters their values feed).
fn facet_lists(f: &Facets) -> [(&'static str, &Vec<FacetCount>); 4] {
    [
        ("entity", &f.entity),
        ("site", &f.site),
        ("language", &f.language),
        ("day", &f.day),
    ]
}

/// Cuts `s` to `n` characters, marking the cut with `…`.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// One CSV row (RFC 4180): fields with commas, quotes or line breaks are quoted.
fn csv_row(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(
            csv_row(&["a".into(), "b,c".into(), "say \"hi\"".into()]),
            "a,\"b,c\",\"say \"\"hi\"\"\""
        );
    }

    #[test]
    fn cutting() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
