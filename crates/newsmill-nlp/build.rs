//! Compiles the embedded NER models (`models/ner-L.bin.zst`) into table images that the crate
//! reads in place (see `src/tables.rs`, included here as a module): the resources' text is
//! parsed into lookup tables and the sparse weights into their decoding table once, here,
//! instead of every time a process loads a model. `cargo test -p newsmill-nlp` checks that the
//! images equal the tables built from the model files at run time.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;

#[allow(dead_code)]
#[path = "src/tables.rs"]
mod tables;

/// The languages of the embedded models (as `src/lib.rs` lists them).
const LANGS: [&str; 4] = ["en", "de", "es", "nl"];

fn main() -> Result<(), String> {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").is_ok_and(|e| e == "big");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/tables.rs");
    for lang in LANGS {
        let path = format!("models/ner-{lang}.bin.zst");
        println!("cargo::rerun-if-changed={path}");
        let file = fs_err::read(&path).map_err(|e| e.to_string())?;
        let raw = zstd::stream::decode_all(&file[..]).map_err(|e| format!("{path}: {e}"))?;
        let tables = tables::ModelTables::from_raw(&raw).map_err(|e| format!("{path}: {e}"))?;
        let image = tables.write_image(big_endian);
        let dest = out.join(format!("ner-{lang}.tables"));
        // A new file renamed into place, never a rewrite of the old one: a target directory
        // copied with hard links (`cp -al`) shares its files with the original, and writing
        // through the link would change the other tree's tables too.
        let tmp = out.join(format!("ner-{lang}.tables.tmp"));
        fs_err::write(&tmp, image).map_err(|e| e.to_string())?;
        fs_err::rename(&tmp, &dest).map_err(|e| e.to_string())?;
    }
    Ok(())
}
