//! Fixtures in English, German, Spanish, French and Dutch: sentences written for these tests
//! (not taken from any corpus), each with the expressions it must give, typed and valued.

use newsmill_time::{DateAnchor, Lang, Options, Reference, Tagger};

/// Tags `text` in `lang` against `reference` and compares (span, type, value) triples.
fn check(lang: Lang, reference: &str, text: &str, expect: &[(&str, &str, &str)]) {
    let options = Options {
        lang: Some(lang),
        reference: Some(Reference::parse(reference, DateAnchor::Published).unwrap()),
        ..Options::default()
    };
    let found: Vec<(String, String, String)> = Tagger::shared()
        .unwrap()
        .tag(text, &options)
        .into_iter()
        .map(|t| {
            (
                text[t.start..t.end].to_string(),
                format!("{:?}", t.kind).to_uppercase(),
                t.value,
            )
        })
        .collect();
    let expect: Vec<(String, String, String)> = expect
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expect, "{}: {text}", lang.code());
}

// 2024-06-19 is a Wednesday.
const REF: &str = "2024-06-19";

#[test]
fn english() {
    check(
        Lang::En,
        REF,
        "On Wednesday morning local time, Putin arrived for the first time in 24 years.",
        &[
            ("Wednesday morning", "TIME", "2024-06-19TMO"),
            ("24 years", "DURATION", "P24Y"),
        ],
    );
    check(
        Lang::En,
        REF,
        "The talks began last Friday and will resume next month, two decades after the 2004 accord.",
        &[
            ("last Friday", "DATE", "2024-06-14"),
            ("next month", "DATE", "2024-07"),
            ("two decades after", "DURATION", "P2DE"),
            ("2004", "DATE", "2004"),
        ],
    );
    check(
        Lang::En,
        REF,
        "Shares fell 3% yesterday; the company reports third-quarter results on Oct. 24, 2024, at 9:30 a.m.",
        &[
            ("yesterday", "DATE", "2024-06-18"),
            ("third-quarter", "DATE", "2024-Q3"),
            ("Oct. 24, 2024, at 9:30 a.m.", "TIME", "2024-10-24T09:30"),
        ],
    );
    check(
        Lang::En,
        REF,
        "He meets the board every Monday and flies to Tokyo twice a week.",
        &[
            ("every Monday", "SET", "XXXX-WXX-1"),
            ("a week", "SET", "P1W"),
        ],
    );
    check(
        Lang::En,
        REF,
        "The museum closed in the 1990s and reopened three years ago, in early 2021.",
        &[
            ("the 1990s", "DATE", "199"),
            ("three years ago", "DATE", "2021"),
            ("early 2021", "DATE", "2021"),
        ],
    );
}

#[test]
fn german() {
    check(
        Lang::De,
        REF,
        "Am Mittwochabend traf Putin in Pjöngjang ein, zum ersten Mal seit 24 Jahren.",
        &[
            ("Mittwochabend", "TIME", "2024-06-19TEV"),
            ("24 Jahren", "DURATION", "P24Y"),
        ],
    );
    check(
        Lang::De,
        REF,
        "Der Vertrag vom 19. Juni 2024 gilt bis Ende März; die Verhandlungen hatten vor drei Jahren begonnen.",
        &[
            ("19. Juni 2024", "DATE", "2024-06-19"),
            ("Ende März", "DATE", "2025-03"),
            ("vor drei Jahren", "DATE", "2021"),
        ],
    );
    check(
        Lang::De,
        REF,
        "Die Firma meldete gestern ein Minus; nächste Woche beginnt das dritte Quartal, am 1. Juli.",
        &[
            ("gestern", "DATE", "2024-06-18"),
            ("nächste Woche", "DATE", "2024-W26"),
            ("das dritte Quartal", "DATE", "2024-Q3"),
            ("1. Juli", "DATE", "2024-07-01"),
        ],
    );
    check(
        Lang::De,
        REF,
        "Die Zahl der Fälle stieg vierundzwanzig Tage lang; montags tagt der Rat, täglich um 10 Uhr.",
        &[
            ("vierundzwanzig Tage", "DURATION", "P24D"),
            ("montags", "SET", "XXXX-WXX-1"),
            ("täglich", "SET", "P1D"),
            ("10 Uhr", "TIME", "2024-06-19T10:00"),
        ],
    );
}

#[test]
fn spanish() {
    check(
        Lang::Es,
        REF,
        "El miércoles por la mañana, Putin llegó a Pionyang por primera vez en 24 años.",
        &[
            ("miércoles por la mañana", "TIME", "2024-06-19TMO"),
            ("24 años", "DURATION", "P24Y"),
        ],
    );
    check(
        Lang::Es,
        REF,
        "El acuerdo se firmó el 19 de junio de 2024 y vencerárá a finales de marzo; las obras empezaron hace tres años.",
        &[
            ("19 de junio de 2024", "DATE", "2024-06-19"),
            ("a finales de marzo", "DATE", "2025-03"),
            ("hace tres años", "DATE", "2021"),
        ],
    );
    check(
        Lang::Es,
        REF,
        "El Gobierno anunció ayer que la reunión será el próximo lunes; el año pasado hubo dos.",
        &[
            ("ayer", "DATE", "2024-06-18"),
            ("el próximo lunes", "DATE", "2024-06-24"),
            ("el año pasado", "DATE", "2023"),
        ],
    );
}

#[test]
fn french() {
    check(
        Lang::Fr,
        REF,
        "Mercredi matin, Poutine est arrivé à Pyongyang, pour la première fois depuis 24 ans.",
        &[
            ("Mercredi matin", "TIME", "2024-06-19TMO"),
            ("24 ans", "DURATION", "P24Y"),
        ],
    );
    check(
        Lang::Fr,
        REF,
        "L'accord signé le 1er juin 2024 expirera fin mars ; les travaux ont commencé il y a trois ans.",
        &[
            ("1er juin 2024", "DATE", "2024-06-01"),
            ("fin mars", "DATE", "2025-03"),
            ("il y a trois ans", "DATE", "2021"),
        ],
    );
    check(
        Lang::Fr,
        REF,
        "Le ministre a parlé hier ; la réunion aura lieu lundi prochain et l'an dernier il y en avait deux.",
        &[
            ("hier", "DATE", "2024-06-18"),
            ("lundi prochain", "DATE", "2024-06-24"),
            ("l'an dernier", "DATE", "2023"),
        ],
    );
}

#[test]
fn dutch() {
    check(
        Lang::Nl,
        REF,
        "Woensdagochtend kwam Poetin in Pyongyang aan, voor het eerst in 24 jaar.",
        &[
            ("Woensdagochtend", "TIME", "2024-06-19TMO"),
            ("24 jaar", "DURATION", "P24Y"),
        ],
    );
    check(
        Lang::Nl,
        REF,
        "Het verdrag van 19 juni 2024 loopt tot eind maart; de bouw begon drie jaar geleden.",
        &[
            ("19 juni 2024", "DATE", "2024-06-19"),
            ("eind maart", "DATE", "2025-03"),
            ("drie jaar geleden", "DATE", "2021"),
        ],
    );
    check(
        Lang::Nl,
        REF,
        "Het kabinet besloot gisteren dat de stemming volgende week is; vorig jaar waren er vierentwintig.",
        &[
            ("gisteren", "DATE", "2024-06-18"),
            ("volgende week", "DATE", "2024-W26"),
            ("vorig jaar", "DATE", "2023"),
        ],
    );
}

#[test]
fn numeric_dates_follow_the_locale() {
    let tag = |lang, order, text: &str| {
        let options = Options {
            lang: Some(lang),
            order,
            ..Options::default()
        };
        Tagger::shared()
            .unwrap()
            .tag(text, &options)
            .into_iter()
            .map(|t| t.value)
            .collect::<Vec<_>>()
    };
    use newsmill_time::DateOrder::*;
    assert_eq!(
        tag(Lang::En, MonthDay, "Filed on 06/07/2024."),
        ["2024-06-07"]
    );
    assert_eq!(
        tag(Lang::En, DayMonth, "Filed on 06/07/2024."),
        ["2024-07-06"]
    );
    assert_eq!(
        tag(Lang::En, MonthDay, "Filed on 19/06/2024."),
        ["2024-06-19"]
    );
    assert_eq!(
        tag(Lang::De, DayMonth, "Stand: 19.06.2024, 10:32 Uhr"),
        ["2024-06-19T10:32"]
    );
    assert_eq!(
        tag(Lang::Fr, DayMonth, "Publié le 2024-06-19T09:30"),
        ["2024-06-19T09:30"]
    );
}

#[test]
fn false_alarms() {
    let none = |lang, text: &str| {
        let options = Options {
            lang: Some(lang),
            reference: Some(Reference::parse(REF, DateAnchor::Published).unwrap()),
            ..Options::default()
        };
        let found = Tagger::shared().unwrap().tag(text, &options);
        assert!(found.is_empty(), "{text}: {found:?}");
    };
    none(Lang::En, "Ministers may agree, Theresa May said.");
    none(Lang::En, "The start-up raised 100M from 2882015 investors.");
    none(Lang::En, "It was 123° in the sun and 1500 people fainted.");
    none(Lang::En, "A 24-year-old man and a woman aged 31 were hurt.");
    none(Lang::Es, "Un hombre de 24 años resultó herido.");
    none(Lang::Fr, "Un homme âgé de 24 ans a été blessé.");
    none(
        Lang::De,
        "Ein 24 Jahre alter Mann wurde verletzt, 2000 Menschen sahen zu.",
    );
    none(Lang::Nl, "Een man van 24 jaar oud raakte gewond.");
}
