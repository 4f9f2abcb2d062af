//! Fixtures written for newsmill (no dataset text): one test per pattern and language.

use newsmill_core::{CharIndex, Entity, EntityType, Mention, Quote, QuoteKind};

use super::find_quotes;

/// Entities for a text: each `(name, type, surface)` gets a mention at every occurrence of
/// its surface forms (separated by `|`).
fn ents(text: &str, spec: &[(&str, EntityType, &str)]) -> Vec<Entity> {
    let index = CharIndex::new(text);
    spec.iter()
        .map(|&(name, kind, surfaces)| {
            let mut mentions = Vec::new();
            for s in surfaces.split('|') {
                for (b, _) in text.match_indices(s) {
                    mentions.push(Mention {
                        start: index.char_of(b),
                        end: index.char_of(b + s.len()),
                        text: s.to_string(),
                    });
                }
            }
            mentions.sort_by_key(|m| m.start);
            Entity {
                name: name.into(),
                kind,
                count: mentions.len(),
                mentions,
            }
        })
        .collect()
}

/// (kind, content, speaker, entity, cue) of each quote.
fn summary(qs: &[Quote]) -> Vec<(char, String, String, String, String)> {
    qs.iter()
        .map(|q| {
            (
                if q.kind == QuoteKind::Direct {
                    'D'
                } else {
                    'I'
                },
                q.text.clone(),
                q.speaker.as_ref().map_or(String::new(), |m| m.text.clone()),
                q.entity.clone().unwrap_or_default(),
                q.cue.as_ref().map_or(String::new(), |m| m.text.clone()),
            )
        })
        .collect()
}

fn check(
    lang: &str,
    text: &str,
    spec: &[(&str, EntityType, &str)],
    expect: &[(char, &str, &str, &str, &str)],
) {
    let e = ents(text, spec);
    let qs = find_quotes(text, Some(lang), &e);
    // Offsets slice the text.
    let index = CharIndex::new(text);
    for q in &qs {
        assert_eq!(&text[index.byte_of(q.start)..index.byte_of(q.end)], q.text);
    }
    let got = summary(&qs);
    let want: Vec<(char, String, String, String, String)> = expect
        .iter()
        .map(|&(k, t, s, en, c)| (k, t.into(), s.into(), en.into(), c.into()))
        .collect();
    assert_eq!(got, want, "\n{text}");
}

use EntityType::{Org, Per};

#[test]
fn english_direct_after_and_before() {
    check(
        "en",
        "“We will not back down,” Smith said. Jones told reporters: “It is over.”",
        &[("Anna Smith", Per, "Smith"), ("Bob Jones", Per, "Jones")],
        &[
            ('D', "We will not back down,", "Smith", "Anna Smith", "said"),
            ('D', "It is over.", "Jones", "Bob Jones", "told"),
        ],
    );
}

#[test]
fn english_patterns() {
    check(
        "en",
        "According to the ministry, the talks failed. Ministry of Defence officials met on Monday.",
        &[("Ministry of Defence", Org, "Ministry of Defence|ministry")],
        &[(
            'I',
            "the talks failed",
            "the ministry",
            "Ministry of Defence",
            "According to",
        )],
    );
    check(
        "en",
        "Maria Lopez warned that prices would rise. The plan is dead, she added.",
        &[("Maria Lopez", Per, "Maria Lopez")],
        &[
            (
                'I',
                "prices would rise",
                "Maria Lopez",
                "Maria Lopez",
                "warned",
            ),
            ('I', "The plan is dead", "she", "Maria Lopez", "added"),
        ],
    );
    // Interrupted, then continued in the next sentence: one quote of one speaker.
    check(
        "en",
        "“We are ready,” said Tom Baker, “and we will win.” “Nobody doubts it.”\n\nThe vote is on Sunday.",
        &[("Tom Baker", Per, "Tom Baker")],
        &[(
            'D',
            "We are ready,” said Tom Baker, “and we will win.” “Nobody doubts it.",
            "Tom Baker",
            "Tom Baker",
            "said",
        )],
    );
}

#[test]
fn english_speaker_after_a_quote_and_appositions() {
    // A quote that leaves its sentence open names its speaker after it, whatever follows the
    // verb (an object, an interview, a time).
    check(
        "en",
        "“The budget is a disgrace,” Councillor Ruth Amaro told the local paper on Friday.",
        &[("Ruth Amaro", Per, "Ruth Amaro")],
        &[(
            'D',
            "The budget is a disgrace,",
            "Councillor Ruth Amaro",
            "Ruth Amaro",
            "told",
        )],
    );
    // A quote that ends its sentence does not: the next sentence says something new (the
    // cue tagger reads "spoke" as the quote's own cue).
    check(
        "en",
        "He spoke of a “lost decade.” Ruth Amaro said the council would meet again.",
        &[("Ruth Amaro", Per, "Ruth Amaro")],
        &[
            ('D', "lost decade.", "He", "", "spoke"),
            (
                'I',
                "the council would meet again",
                "Ruth Amaro",
                "Ruth Amaro",
                "said",
            ),
        ],
    );
    // Two appositions between the name and the verb: the name is the source.
    check(
        "en",
        "Omar Diaz, head of the Harbour Authority, a state agency, said the port would close.",
        &[
            ("Omar Diaz", Per, "Omar Diaz"),
            ("Harbour Authority", Org, "Harbour Authority"),
        ],
        &[(
            'I',
            "the port would close",
            "Omar Diaz",
            "Omar Diaz",
            "said",
        )],
    );
    // An apposition naming someone else: the name before the comma is the speaker.
    check(
        "en",
        "Lena Fischer, a longtime Paul Kane adviser said the plan was sound.",
        &[
            ("Lena Fischer", Per, "Lena Fischer"),
            ("Paul Kane", Per, "Paul Kane"),
        ],
        &[(
            'I',
            "the plan was sound",
            "Lena Fischer, a longtime Paul Kane adviser",
            "Lena Fischer",
            "said",
        )],
    );
}

#[test]
fn english_the_sentence_subject_speaks() {
    // A participle with no attribution before it in its sentence: the subject said it. The
    // verb joined by "and" has the same subject, and its content ends at the participle.
    check(
        "en",
        "On Tuesday, Carla Nunes visited the flooded valley and praised the volunteers, saying, “They worked through the night for their neighbours.”",
        &[("Carla Nunes", Per, "Carla Nunes")],
        &[
            (
                'I',
                "the volunteers",
                "Carla Nunes",
                "Carla Nunes",
                "praised",
            ),
            (
                'D',
                "They worked through the night for their neighbours.",
                "Carla Nunes",
                "Carla Nunes",
                "saying",
            ),
        ],
    );
}

#[test]
fn english_pronouns_go_on_with_the_subject_before() {
    // The last speaker is Ward; the next paragraph opens with another person, and "he"
    // goes on with him.
    check(
        "en",
        "“We need the bridge,” said Peter Ward.\n\nFormer councillor Ivan Petrov, a critic of the plan, was blunter.\n\n“It is a waste of money,” he said.",
        &[
            ("Peter Ward", Per, "Peter Ward"),
            ("Ivan Petrov", Per, "Ivan Petrov"),
        ],
        &[
            (
                'D',
                "We need the bridge,",
                "Peter Ward",
                "Peter Ward",
                "said",
            ),
            ('D', "It is a waste of money,", "he", "Ivan Petrov", "said"),
        ],
    );
    // A name between commas after a description is the source; a group a name qualifies
    // ("the Ward campaign") is not whom a later "he" means.
    check(
        "en",
        "The mayor's spokesman, Ali Khan, said the road would reopen. The Ward campaign said it was pleased. He added that repairs would take a week.",
        &[("Ali Khan", Per, "Ali Khan"), ("Peter Ward", Per, "Ward")],
        &[
            ('I', "the road would reopen", "Ali Khan", "Ali Khan", "said"),
            (
                'I',
                "it was pleased",
                "The Ward campaign",
                "Peter Ward",
                "said",
            ),
            ('I', "repairs would take a week", "He", "Ali Khan", "added"),
        ],
    );
}

#[test]
fn english_multi_paragraph_and_unbalanced() {
    // A quote over two paragraphs (the first left open), then an unbalanced mark that must not
    // swallow the rest of the article.
    let text = "Anna Berg said: “The first point is clear.\n\n“The second point is clearer.”\n\nShe called it “a start and left.\n\nThe council will vote next week, the mayor said.";
    let e = ents(text, &[("Anna Berg", Per, "Anna Berg")]);
    let qs = find_quotes(text, Some("en"), &e);
    let texts: Vec<&str> = qs.iter().map(|q| q.text.as_str()).collect();
    assert!(
        texts.contains(&"The first point is clear.\n\n“The second point is clearer."),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"The council will vote next week"),
        "{texts:?}"
    );
    let multi = qs.iter().find(|q| q.text.starts_with("The first")).unwrap();
    assert_eq!(multi.entity.as_deref(), Some("Anna Berg"));
}

#[test]
fn german() {
    check(
        "de",
        "„Wir werden nicht nachgeben“, sagte Innenministerin Nancy Faeser am Mittwoch. Sie fügte hinzu: »Das ist unsere Pflicht.«",
        &[("Nancy Faeser", Per, "Nancy Faeser")],
        &[
            (
                'D',
                "Wir werden nicht nachgeben",
                "Innenministerin Nancy Faeser",
                "Nancy Faeser",
                "sagte",
            ),
            (
                'D',
                "Das ist unsere Pflicht.",
                "Sie",
                "Nancy Faeser",
                "fügte hinzu",
            ),
        ],
    );
    check(
        "de",
        "Laut dem Bericht der Regierung sind die Preise gestiegen. Die Lage sei ernst, so der Minister.",
        &[],
        &[
            (
                'I',
                "sind die Preise gestiegen",
                "dem Bericht der Regierung",
                "",
                "Laut",
            ),
            ('I', "Die Lage sei ernst", "der Minister", "", "so"),
        ],
    );
    check(
        "de",
        "Olaf Scholz erklärte, dass die Regierung handeln werde.",
        &[("Olaf Scholz", Per, "Olaf Scholz")],
        &[(
            'I',
            "die Regierung handeln werde",
            "Olaf Scholz",
            "Olaf Scholz",
            "erklärte",
        )],
    );
}

#[test]
fn spanish() {
    // Dialogue dashes: the narrator's words between dashes, and speech resuming after them.
    check(
        "es",
        "—No vamos a ceder —dijo el ministro Carlos Ruiz—. Lo repetiremos mañana.",
        &[("Carlos Ruiz", Per, "Carlos Ruiz")],
        &[(
            'D',
            "No vamos a ceder —dijo el ministro Carlos Ruiz—. Lo repetiremos mañana.",
            "el ministro Carlos Ruiz",
            "Carlos Ruiz",
            "dijo",
        )],
    );
    check(
        "es",
        "«La economía crecerá este año», aseguró la ministra Ana López. Según el Banco de España, la inflación bajará.",
        &[
            ("Ana López", Per, "Ana López"),
            ("Banco de España", Org, "Banco de España"),
        ],
        &[
            (
                'D',
                "La economía crecerá este año",
                "la ministra Ana López",
                "Ana López",
                "aseguró",
            ),
            (
                'I',
                "la inflación bajará",
                "el Banco de España",
                "Banco de España",
                "Según",
            ),
        ],
    );
}

#[test]
fn french() {
    check(
        "fr",
        "« Nous n'avons rien à cacher », a déclaré Marie Dubois. « Tout est public », a-t-elle ajouté.",
        &[("Marie Dubois", Per, "Marie Dubois")],
        &[
            (
                'D',
                "Nous n'avons rien à cacher",
                "Marie Dubois",
                "Marie Dubois",
                "a déclaré",
            ),
            (
                'D',
                "Tout est public",
                "elle",
                "Marie Dubois",
                "a-t-elle ajouté",
            ),
        ],
    );
    // A dialogue dash with the narrator's words after a comma.
    check(
        "fr",
        "Jean Martin est arrivé.\n\n– Nous n'avons rien à cacher, a déclaré le ministre.",
        &[("Jean Martin", Per, "Jean Martin")],
        &[(
            'D',
            "Nous n'avons rien à cacher",
            "le ministre",
            "",
            "a déclaré",
        )],
    );
    check(
        "fr",
        "Selon l'Insee, le chômage a baissé. Le président estime que la France va mieux.",
        &[("Insee", Org, "Insee")],
        &[
            ('I', "le chômage a baissé", "l'Insee", "Insee", "Selon"),
            ('I', "la France va mieux", "Le président", "", "estime"),
        ],
    );
}

#[test]
fn other_languages_get_direct_quotes_only() {
    check(
        "nl",
        "„Wij geven niet op, nooit en te nimmer”, zei de minister. Kort “citaat” hier.",
        &[],
        &[('D', "Wij geven niet op, nooit en te nimmer", "", "", "")],
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Text over an alphabet heavy in quotation marks, dashes, names and cue words.
    fn texty() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "“",
            "”",
            "„",
            "«",
            "»",
            "‹",
            "›",
            "‘",
            "’",
            "\"",
            "'",
            "''",
            "—",
            "–",
            ", ",
            ". ",
            ": ",
            "\n\n",
            " ",
            "said",
            "sagte",
            "dijo",
            "a-t-il dit",
            "according to",
            "Smith",
            "Anna",
            "he",
            "she",
            "we agree",
            "el ministro",
            "Selon",
            "l'Insee",
            "é",
            "ß",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn spans_slice_the_text(text in texty(), lang in prop::sample::select(vec!["en", "de", "es", "fr", "nl"])) {
            let e = ents(&text, &[("Anna Smith", Per, "Smith|Anna")]);
            let qs = find_quotes(&text, Some(lang), &e);
            let index = CharIndex::new(&text);
            for q in &qs {
                prop_assert!(q.start < q.end && q.end <= index.len_chars());
                prop_assert_eq!(&text[index.byte_of(q.start)..index.byte_of(q.end)], q.text.as_str());
                for m in [&q.speaker, &q.cue].into_iter().flatten() {
                    prop_assert_eq!(&text[index.byte_of(m.start)..index.byte_of(m.end)], m.text.as_str());
                }
                if let Some(name) = &q.entity {
                    prop_assert_eq!(name, "Anna Smith");
                }
            }
        }

        /// A paragraph put before the text only shifts what is found in the text after it.
        #[test]
        fn a_paragraph_before_only_shifts(text in texty()) {
            let lead = "The weather was calm.\n\n";
            let shifted = format!("{lead}{text}");
            let a = find_quotes(&text, Some("en"), &[]);
            let b = find_quotes(&shifted, Some("en"), &[]);
            let n = lead.chars().count();
            let moved: Vec<Quote> = a
                .into_iter()
                .map(|mut q| {
                    q.start += n;
                    q.end += n;
                    for m in [&mut q.speaker, &mut q.cue].into_iter().flatten() {
                        m.start += n;
                        m.end += n;
                    }
                    q
                })
                .collect();
            // Quotes may differ when the text opens with a paragraph continuing nothing, so
            // compare only when the text starts a new paragraph cleanly.
            if !text.starts_with(['\n', ' ', '“', '"', '\'', '»', '«', '„', '—', '–', '‘', '‹', '›', '’', '”']) {
                prop_assert_eq!(moved, b);
            }
        }
    }
}

#[test]
fn a_main_clause_between_commas_is_not_an_apposition() {
    // The span between the commas holds a finite verb ("were"), so it is a clause of its
    // own and the fronted phrase before it ("Before the match") is no source of the
    // participle cue, nor is the phrase after a participle ("the rivalry …"); the speaker of
    // the second sentence is still found past its apposition.
    check(
        "en",
        "Before the match, the stadium gates were painted red, highlighting the rivalry of \
         the two clubs. Dana Reyes, a club official, said that tickets had sold out.",
        &[("Dana Reyes", Per, "Dana Reyes")],
        &[(
            'I',
            "tickets had sold out",
            "Dana Reyes",
            "Dana Reyes",
            "said",
        )],
    );
}

#[test]
fn english_cue_inside_the_sentence_and_claims_before_according_to() {
    // A cue between commas inside the sentence: the content is the sentence around it.
    check(
        "en",
        "Still, Rosa Vidal said, the bridge will reopen in May.",
        &[("Rosa Vidal", Per, "Rosa Vidal")],
        &[(
            'I',
            "Still, Rosa Vidal said, the bridge will reopen in May",
            "Rosa Vidal",
            "Rosa Vidal",
            "said",
        )],
    );
    // "according to" after the claim, its object a description that opens in lowercase.
    check(
        "en",
        "Turnout fell sharply in the northern districts, according to early counts by volunteers.",
        &[],
        &[(
            'I',
            "Turnout fell sharply in the northern districts",
            "early counts by volunteers",
            "",
            "according to",
        )],
    );
}

#[test]
fn english_joined_verbs_and_relative_clauses() {
    // A second verb joined by "but" has the sentence's subject ("declined" is a learned cue
    // word, its content ends at the coordination).
    check(
        "en",
        "Omar Haddad declined to name the donors but said the fund had doubled.",
        &[("Omar Haddad", Per, "Omar Haddad")],
        &[
            (
                'I',
                "to name the donors",
                "Omar Haddad",
                "Omar Haddad",
                "declined",
            ),
            (
                'I',
                "the fund had doubled",
                "Omar Haddad",
                "Omar Haddad",
                "said",
            ),
        ],
    );
    // A relative clause: the name before it is the source, and its content ends with it.
    check(
        "en",
        "Lena Fischer, who said the tunnel was unsafe, resigned on Friday.",
        &[("Lena Fischer", Per, "Lena Fischer")],
        &[(
            'I',
            "the tunnel was unsafe",
            "Lena Fischer",
            "Lena Fischer",
            "said",
        )],
    );
}

#[test]
fn english_infinitives_findings_and_headline_colons() {
    // A verb of wanting with an infinitive; a verb of showing with a clause and no "that".
    // The rules build both; whether "plans to" is kept is the learned cue model's call (the
    // round-6 model drops this one), so the rules are checked without the model too.
    let text = "Rosa Vidal plans to rebuild the bridge. The survey shows the mayor ahead in every district.";
    let e = ents(text, &[("Rosa Vidal", Per, "Rosa Vidal")]);
    let rules = super::QuoteConfig {
        cue_filter: false,
        ..super::QuoteConfig::default()
    };
    let want = |k: char, t: &str, s: &str, en: &str, c: &str| {
        (
            k,
            t.to_string(),
            s.to_string(),
            en.to_string(),
            c.to_string(),
        )
    };
    let shows = want(
        'I',
        "the mayor ahead in every district",
        "The survey",
        "",
        "shows",
    );
    assert_eq!(
        summary(&super::find_quotes_with(text, Some("en"), &e, &rules)),
        vec![
            want(
                'I',
                "to rebuild the bridge",
                "Rosa Vidal",
                "Rosa Vidal",
                "plans"
            ),
            shows.clone()
        ]
    );
    assert!(summary(&find_quotes(text, Some("en"), &e)).contains(&shows));
    // A headline that opens with a name and a colon.
    check(
        "en",
        "Vidal: Bridge will reopen before winter\n\nThe mayor spoke on Monday.",
        &[("Rosa Vidal", Per, "Vidal")],
        &[(
            'I',
            "Bridge will reopen before winter",
            "Vidal",
            "Rosa Vidal",
            ":",
        )],
    );
}

#[test]
fn a_quote_inside_a_clause_is_listed_beside_it_unless_asked_not_to() {
    let text = "Rosa Vidal said the “reckless and costly” plan would ruin the town.";
    let e = ents(text, &[("Rosa Vidal", Per, "Rosa Vidal")]);
    let with = find_quotes(text, Some("en"), &e);
    assert_eq!(
        summary(&with).iter().map(|q| q.0).collect::<String>(),
        "ID",
        "{with:?}"
    );
    let config = super::QuoteConfig {
        nested_quotes: false,
        ..super::QuoteConfig::default()
    };
    let without = super::find_quotes_with(text, Some("en"), &e, &config);
    assert_eq!(
        summary(&without),
        vec![(
            'I',
            "the “reckless and costly” plan would ruin the town".to_string(),
            "Rosa Vidal".to_string(),
            "Rosa Vidal".to_string(),
            "said".to_string()
        )]
    );
}

#[test]
fn the_cue_tagger_adds_cues_outside_the_lexicon_and_changes_no_other() {
    let off = super::QuoteConfig {
        cue_tagger: false,
        ..super::QuoteConfig::default()
    };
    // "calling" is no entry of the lexicon: the tagger reads it as a cue here.
    let text = "Lena Ortiz singled out the council, calling its budget a disgrace.";
    let e = ents(text, &[("Lena Ortiz", Per, "Lena Ortiz")]);
    assert_eq!(
        summary(&find_quotes(text, Some("en"), &e)),
        vec![(
            'I',
            "its budget a disgrace".to_string(),
            "Lena Ortiz".to_string(),
            "Lena Ortiz".to_string(),
            "calling".to_string()
        )]
    );
    assert!(super::find_quotes_with(text, Some("en"), &e, &off).is_empty());
    // Where the lexicon has the cue, the tagger changes nothing.
    let text = "In a statement, Lena Ortiz said the talks would resume next week.";
    let e = ents(text, &[("Lena Ortiz", Per, "Lena Ortiz")]);
    assert_eq!(
        find_quotes(text, Some("en"), &e),
        super::find_quotes_with(text, Some("en"), &e, &off)
    );
    // Other languages have no tagger.
    let text = "Lena Ortiz a critiqué le conseil.";
    assert_eq!(
        find_quotes(text, Some("fr"), &[]),
        super::find_quotes_with(text, Some("fr"), &[], &off)
    );
}

#[test]
fn the_fallback_reading_adds_what_the_patterns_miss_and_leaves_the_rest() {
    let off = super::QuoteConfig {
        fallback: false,
        ..super::QuoteConfig::default()
    };
    // A passive verb no pattern reads: a claim no one is named for, even with a person
    // named in the sentence.
    let text = "The new bridge Ana Ruiz designed is expected to open to traffic in the spring.";
    let e = ents(text, &[("Ana Ruiz", Per, "Ana Ruiz")]);
    assert_eq!(
        summary(&find_quotes(text, Some("en"), &e)),
        vec![(
            'I',
            "to open to traffic in the spring".to_string(),
            String::new(),
            String::new(),
            "expected".to_string()
        )]
    );
    assert!(super::find_quotes_with(text, Some("en"), &e, &off).is_empty());
    // A negated verb reports nothing; a cue word in the subject is no cue ("a critic of the
    // plan, was blunter": the content would open with a finite verb).
    for text in [
        "Ana Ruiz has not disclosed how much the new bridge will cost the city.",
        "A critic of the plan, was blunter about the cost of the bridge.",
    ] {
        let e = ents(text, &[("Ana Ruiz", Per, "Ana Ruiz")]);
        assert!(find_quotes(text, Some("en"), &e).is_empty(), "{text}");
    }
}

#[test]
fn the_object_of_a_preposition_is_no_speaker() {
    // The verb's subject is "The visit of the mayor to the harbour town", not the town, and
    // no speaker of an earlier sentence stands in for it.
    let text = "Ana Ruiz said the port would reopen in June. \
                The visit of the mayor to Lindholm underscores the new ties between the towns.";
    let e = ents(
        text,
        &[
            ("Ana Ruiz", Per, "Ana Ruiz"),
            ("Lindholm", EntityType::Loc, "Lindholm"),
        ],
    );
    let found = summary(&find_quotes(text, Some("en"), &e));
    assert!(found.iter().all(|q| q.4 != "underscores"), "{found:?}");
    assert!(
        found.iter().any(|q| q.2 == "Ana Ruiz" && q.4 == "said"),
        "{found:?}"
    );
}

#[test]
fn a_reported_clause_ends_before_a_clause_of_the_narrators() {
    check(
        "en",
        "Ana Ruiz said the bridge would reopen in May, but gave no date for the road.",
        &[("Ana Ruiz", Per, "Ana Ruiz")],
        &[(
            'I',
            "the bridge would reopen in May",
            "Ana Ruiz",
            "Ana Ruiz",
            "said",
        )],
    );
    check(
        "en",
        "Ana Ruiz said the vote on the bridge was set for March, which pleased the council.",
        &[("Ana Ruiz", Per, "Ana Ruiz")],
        &[(
            'I',
            "the vote on the bridge was set for March",
            "Ana Ruiz",
            "Ana Ruiz",
            "said",
        )],
    );
}
