//! Properties of the date stage on generated text: every value is a TIMEX3 value that prints
//! back as written; offsets slice the text on character boundaries, in order, without
//! overlap; a value without a reference never claims an anchor; and a blank-line-separated
//! paragraph put in front only shifts the expressions (nlprule's shift check).

use newsmill_time::{DateAnchor, DateOrder, Lang, Options, Reference, Tagger, Timex, Value};
use proptest::prelude::*;

/// Words the grammar reacts to, in all five languages, and some it must not trip over.
const WORDS: &[&str] = &[
    "June",
    "19",
    ",",
    "2024",
    "last",
    "Friday",
    "the",
    "third",
    "quarter",
    "ago",
    "two",
    "years",
    "a",
    "week",
    "every",
    "Monday",
    "10:30",
    "p.m.",
    "19.06.2024",
    "06/19/2024",
    "1961",
    "in",
    "since",
    "Mittwoch",
    "letzten",
    "Jahr",
    "vor",
    "drei",
    "Jahren",
    "hace",
    "tres",
    "años",
    "il",
    "y",
    "mars",
    "morning",
    "today",
    "-",
    ".",
    "'",
    "90s",
    "Q3",
    "de",
    "mayo",
    "fin",
    "Ende",
    "März",
    "el",
    "pasado",
    "lunes",
    "dernier",
    "geleden",
    "jaar",
    "vorig",
    "morgen",
    "mañana",
    "hier",
    "soir",
    "nineteen",
    "ninety-six",
    "twenty",
    "four",
    "hours",
    "later",
    "early",
    "mid-",
    "1990s",
    "century",
    "20th",
    "XXe",
    "siècle",
    "May",
    "said",
    "will",
    "was",
    "Christmas",
    "Easter",
    "12",
    "31",
    "Dec.",
    "Sept",
    "noon",
    "midnight",
    "Uhr",
    "h",
    "um",
    "a las",
    "7",
    "de la tarde",
    "fiscal",
    "1989",
    "year-earlier",
    "half",
    "first",
    "every other",
    "daily",
    "twice",
    "per",
    "%",
    "$",
    "100M",
    "123°",
    "2882015",
    "24-year-old",
    "aged",
    "ans",
    "âgé",
    "semaines",
    "dagen",
    "Woche",
    "the past",
    "now",
    "recently",
    "one day",
    "weekend",
    "\u{e9}",
    "\u{1F600}",
    "İ",
    "ß",
];

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "\\PC{0,6}",
        1 => "[0-9]{1,5}",
    ];
    let sep = proptest::sample::select(&[" ", " ", " ", "", "\n\n", ", ", "-", "."][..]);
    proptest::collection::vec((piece, sep), 0..40).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(p, s)| format!("{p}{s}"))
            .collect::<String>()
    })
}

fn options_strategy() -> impl Strategy<Value = Options> {
    (
        proptest::option::of(proptest::sample::select(&Lang::ALL[..])),
        proptest::option::of((1900i32..2100, 1u32..13, 1u32..29, proptest::bool::ANY)),
        proptest::bool::ANY,
    )
        .prop_map(|(lang, r, month_first)| Options {
            lang,
            reference: r.map(|(y, m, d, published)| {
                let anchor = if published {
                    DateAnchor::Published
                } else {
                    DateAnchor::Reference
                };
                Reference::parse(&format!("{y:04}-{m:02}-{d:02}T12:00:00Z"), anchor).unwrap()
            }),
            order: if month_first {
                DateOrder::MonthDay
            } else {
                DateOrder::DayMonth
            },
        })
}

fn check(text: &str, found: &[Timex], options: &Options) {
    let mut last = 0;
    for t in found {
        assert!(t.start < t.end && t.end <= text.len(), "{t:?} in {text:?}");
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        assert!(t.start >= last, "overlap at {t:?} in {text:?}");
        last = t.end;
        let v = Value::parse(&t.value)
            .unwrap_or_else(|e| panic!("{e} for {:?} in {text:?}", &text[t.start..t.end]));
        assert_eq!(v.to_string(), t.value);
        match options.reference {
            None => assert_eq!(t.anchor, DateAnchor::None),
            Some(r) => assert!(t.anchor == DateAnchor::None || t.anchor == r.anchor),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn values_parse_and_offsets_slice(text in text_strategy(), options in options_strategy()) {
        let tagger = Tagger::shared().unwrap();
        let found = tagger.tag(&text, &options);
        check(&text, &found, &options);
    }

    #[test]
    fn a_paragraph_in_front_only_shifts(text in text_strategy(), options in options_strategy()) {
        let tagger = Tagger::shared().unwrap();
        let prefix = "Lorem ipsum dolor sit amet.\n\n";
        let alone = tagger.tag(&text, &options);
        let after = tagger.tag(&format!("{prefix}{text}"), &options);
        let shifted: Vec<Timex> = after
            .into_iter()
            .map(|mut t| {
                t.start -= prefix.len();
                t.end -= prefix.len();
                t
            })
            .collect();
        prop_assert_eq!(alone, shifted);
    }
}
