//! The date stage on arbitrary text: never panics; every expression slices the text on
//! character boundaries, the expressions are in order and do not overlap, and every value is
//! a TIMEX3 value that prints back as written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmill_time::{DateAnchor, DateOrder, Lang, Options, Reference, Tagger, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let lang = match head % 6 {
        0 => None,
        k => Some(Lang::ALL[usize::from(k - 1)]),
    };
    let reference = (head & 0x40 != 0).then(|| {
        Reference::parse("2024-02-29T23:30:00+02:00", DateAnchor::Published).expect("valid")
    });
    let options = Options {
        lang,
        reference,
        order: if head & 0x80 != 0 {
            DateOrder::MonthDay
        } else {
            DateOrder::DayMonth
        },
    };
    let Ok(tagger) = Tagger::shared() else {
        panic!("the embedded vocabularies read");
    };
    let mut last_end = 0;
    for t in tagger.tag(&text, &options) {
        assert!(t.start < t.end && t.end <= text.len());
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        assert!(t.start >= last_end, "expressions overlap");
        last_end = t.end;
        let v = Value::parse(&t.value).expect("a TIMEX3 value");
        assert_eq!(v.to_string(), t.value);
        if reference.is_none() {
            assert_eq!(t.anchor, DateAnchor::None);
        }
    }
});
