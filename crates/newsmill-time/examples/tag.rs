//! Tags a text given on the command line and prints each expression with its type and value:
//! `cargo run -p newsmill-time --example tag -- [--lang de] [--ref 2024-06-19] "text"`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use newsmill_time::{DateAnchor, Lang, Options, Reference, Tagger};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        lang: Some(Lang::En),
        ..Options::default()
    };
    let mut text = String::new();
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
