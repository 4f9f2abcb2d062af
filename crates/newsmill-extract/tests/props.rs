//! Property tests: extraction never panics on arbitrary input, in either mode, and what it
//! returns keeps the record invariants.

use newsmill_core::{InputHint, Origin, RawDoc, join_blocks};
use newsmill_extract::{ExtractConfig, extract};
use proptest::prelude::*;

fn check(bytes: Vec<u8>, hint: InputHint) -> Result<(), TestCaseError> {
    let doc = RawDoc::new(Origin::Stdin, hint, bytes);
    if let Ok(record) = extract(&doc, &ExtractConfig::default()) {
        prop_assert_eq!(&record.text, &join_blocks(&record.blocks));
        prop_assert!(
            record.check_invariants().is_ok(),
            "{:?}",
            record.check_invariants()
        );
    }
    Ok(())
}

/// Text built from pieces scrapers leave: lines, labels, list markers, other scripts.
fn scraped_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "[A-Z][a-z]{2,9}( [a-z]{2,9}){0,12}[.]?",
        Just("Share this article".to_string()),
        Just("Read more: Another story".to_string()),
        Just("পাঠকের মন্তব্য".to_string()),
        Just("Sources:".to_string()),
        "[0-9]{1,2}\\. [A-Z][a-z]{2,9}( [A-Za-z]{2,9}){0,4}",
        "- [a-z ]{0,30}",
        "\\PC{0,40}",
        Just(String::new()),
    ];
    prop::collection::vec(line, 0..25).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_as_text(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(bytes, InputHint::Text)?;
    }

    #[test]
    fn arbitrary_bytes_as_html(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(bytes, InputHint::Html)?;
    }

    #[test]
    fn arbitrary_bytes_auto(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(bytes, InputHint::Auto)?;
    }

    #[test]
    fn scraped_texts(text in scraped_text()) {
        check(text.into_bytes(), InputHint::Text)?;
    }

    #[test]
    fn tag_soup(parts in prop::collection::vec(prop_oneof![
        Just("<div>".to_string()), Just("</div>".to_string()), Just("<p>".to_string()),
        Just("</p>".to_string()), Just("<h2>".to_string()), Just("<li>".to_string()),
        Just("<script>x</script>".to_string()), Just("<title>T</title>".to_string()),
        "[A-Za-z ]{0,40}", "\\PC{0,10}",
    ], 0..40)) {
        check(parts.concat().into_bytes(), InputHint::Html)?;
    }
}
