//! Tags a text given on the command line (or a file) and prints each expression with its type
//! and value: `cargo run -p newsmill-time --example tag -- [--lang de] [--ref 2024-06-19]
//! "text"`; `--file PATH --repeat N` tags a file N times and prints only the count (for
//! profiling: `valgrind --tool=cachegrind --cache-sim=no`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use newsmill_time::{DateAnchor, Lang, Options, Reference, Tagger};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        lang: Some(Lang::En),
        ..Options::default()
    };
    let mut text = String::new();
    let mut repeat = 0usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--lang" => options.lang = args.next().as_deref().and_then(Lang::from_code),
            "--ref" => {
                let r = args.next().unwrap_or_default();
                match Reference::parse(&r, DateAnchor::Reference) {
                    Ok(r) => options.reference = Some(r),
                    Err(e) => {
                        eprintln!("tag: {e}");
                        std::process::exit(2);
                    }
                }
            }
            "--file" => match fs_err::read_to_string(args.next().unwrap_or_default()) {
                Ok(t) => text = t,
                Err(e) => {
                    eprintln!("tag: {e}");
                    std::process::exit(2);
                }
            },
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            _ => text = a,
        }
    }
    let tagger = match Tagger::embedded() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tag: {e}");
            std::process::exit(2);
        }
    };
    if repeat > 0 {
        let n: usize = (0..repeat).map(|_| tagger.tag(&text, &options).len()).sum();
        println!("{n} expressions");
        return;
    }
    for t in tagger.tag(&text, &options) {
        println!(
            "{:<30} {:<9} {:<16} {:?}",
            &text[t.start..t.end],
            format!("{:?}", t.kind).to_uppercase(),
            t.value,
            t.anchor
        );
    }
}
