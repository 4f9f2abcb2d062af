//! The date stage's share of `analyze`, by instruction count (steady under load, unlike wall
//! time): runs the vendored inputs through extract + enrich (`analyze`), or the date stage
//! alone on the same records (`dates`), N times. Compare the two counts:
//!
//! ```text
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/dates_share analyze 20
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/dates_share dates 20
//! ```
//!
//! Loading the models is counted in both (the `dates` run enriches once to get its records),
//! so `dates` minus a run with N = 0 is the date stage's own cost.

#![allow(clippy::print_stdout)]

use newsmill_core::{InputHint, Origin, RawDoc, Record};
use newsmill_extract::{ExtractConfig, extract};
use newsmill_nlp::{DateAnchor, DatesConfig, Nlp, Reference, enrich, enrich_dates};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "analyze".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let nlp = Nlp::embedded()
        .expect("embedded models load")
        .with_dates(DatesConfig {
            reference: Reference::parse("2024-06-19", DateAnchor::Reference).ok(),
        });
    let config = ExtractConfig::default();
    let docs: Vec<RawDoc> = [
        ("putin-north-korea.txt", InputHint::Text),
        ("bbc.com.52241221.html", InputHint::Html),
        ("spiegel.de.albtraum.html", InputHint::Html),
    ]
    .into_iter()
    .map(|(name, hint)| {
        let bytes =
            fs_err::read(format!("{}/{name}", newsmill_bench::RESOURCES)).expect("vendored");
        RawDoc::new(Origin::Path(name.into()), hint, bytes)
    })
    .collect();
    let analyze = |d: &RawDoc| -> Record {
        let mut r = extract(d, &config).expect("extracts");
        enrich(&mut r, &nlp);
        r
    };
    let mut found = 0;
    match mode.as_str() {
        "analyze" => {
            for _ in 0..n {
                for d in &docs {
                    found += analyze(d).dates.len();
                }
            }
        }
        _ => {
            let mut records: Vec<Record> = docs.iter().map(analyze).collect();
            for _ in 0..n {
                for r in &mut records {
                    enrich_dates(r, &nlp);
                    found += r.dates.len();
                }
            }
        }
    }
    println!("{mode} x{n}: {found} dates");
}
