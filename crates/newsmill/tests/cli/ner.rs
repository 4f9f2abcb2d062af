//! `newsmill ner --conll`: the contract in PRODUCT.md.

use crate::util::newsmill;

const INPUT: &str = "-DOCSTART- -X- -X- O\n\nRussian JJ B-NP B-MISC\nPresident NNP I-NP O\nVladimir NNP I-NP B-PER\nPutin NNP I-NP I-PER\narrived VBD B-VP O\nin IN B-PP O\nPyongyang NNP B-NP B-LOC\n. . O O\n\n-DOCSTART- -X- -X- O\n\nKim NNP B-NP B-PER\nJong NNP I-NP I-PER\nUn NNP I-NP I-PER\nmet VBD B-VP O\nhim PRP B-NP O\n";

#[test]
fn docstart_and_blank_lines_pass_through_and_tags_are_appended() {
    let out = newsmill(&["ner", "--conll", "-"], INPUT.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let input: Vec<&str> = INPUT.lines().collect();
    let output: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(input.len(), output.len());
    for (i, o) in input.iter().zip(&output) {
        if i.is_empty() || i.starts_with("-DOCSTART-") {
            assert_eq!(i, o, "passed through unchanged");
        } else {
            let (kept, tag) = o.rsplit_once(' ').expect("a tag column");
            assert_eq!(kept, *i, "every input column kept");
            assert!(
                tag == "O" || tag.starts_with("B-") || tag.starts_with("I-"),
                "IOB2 tag, got {tag:?}"
            );
        }
    }
    // The tagger finds the obvious names.
    assert!(out.stdout.contains("Vladimir NNP I-NP B-PER B-PER\n"));
    assert!(out.stdout.contains("Putin NNP I-NP I-PER I-PER\n"));
    assert!(out.stdout.contains("Pyongyang NNP B-NP B-LOC B-LOC\n"));
}

#[test]
fn bad_input_names_the_line() {
    let out = newsmill(&["ner", "--conll"], b"EU NNP\nrejects VBZ B-VP\n");
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "newsmill: -: line 2: 3 columns, but line 1 has 2 (stray or missing columns)\n"
    );
    let out = newsmill(&["ner", "--conll", "-"], b"EU\n\xff\xfe\n");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("newsmill: -: line 2: not UTF-8"),
        "{}",
        out.stderr
    );
    let long = "x".repeat(5000);
    let out = newsmill(&["ner", "--conll", "-"], long.as_bytes());
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("line 1: line too long"),
        "{}",
        out.stderr
    );
}

#[test]
fn conll_flag_is_required() {
    let out = newsmill(&["ner"], b"");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--conll"), "{}", out.stderr);
}

#[test]
fn a_language_without_a_model_is_a_usage_error() {
    let out = newsmill(&["ner", "--conll", "--lang", "pt", "-"], b"Lisboa\n");
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("newsmill: ner: no model for language \"pt\" (models: en, de, es, nl)"),
        "{}",
        out.stderr
    );
}

#[test]
fn german_is_tagged_by_the_german_model() {
    // Sentences written for this test.
    let input = "Bundeskanzler\nOlaf\nScholz\nreiste\nam\nMittwoch\nnach\nMünchen\n.\n\nDie\nRegierung\nsprach\nvon\neiner\nKrise\n.\n";
    let out = newsmill(&["ner", "--conll", "--lang", "de", "-"], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Olaf B-PER\nScholz I-PER\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("München B-LOC\n"), "{}", out.stdout);
    assert!(out.stdout.contains("Regierung O\n"), "{}", out.stdout);
    assert!(out.stdout.contains("Krise O\n"), "{}", out.stdout);
}
