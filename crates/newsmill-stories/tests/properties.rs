//! Property tests of the story stage: determinism, and resuming from saved state.

use newsmill_stories::{Assignment, Clusterer, Config, Item, Model};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "quake",
    "Iran",
    "rescue",
    "village",
    "Colts",
    "Chiefs",
    "playoff",
    "pirates",
    "Navy",
    "Aden",
    "patch",
    "Microsoft",
    "browser",
    "flaw",
    "killed",
    "police",
    "Athens",
    "riots",
    "2008",
    "2011",
];

/// A small hashed vocabulary keeps the saved state small (the tests run in debug builds).
fn config() -> Config {
    let mut c = Config::default();
    c.stories.hash_bits = 12;
    c
}

fn text(idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| WORDS[i % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(c: &mut Clusterer, docs: &[(String, String, String, Option<i64>)]) -> Vec<Assignment> {
    docs.iter()
        .map(|(id, title, body, time)| {
            let mut item = Item::new(id, title, body);
            item.time = *time;
            c.push(&item)
        })
        .collect()
}

fn docs_strategy() -> impl Strategy<Value = Vec<(String, String, String, Option<i64>)>> {
    proptest::collection::vec(
        (
            proptest::collection::vec(0usize..40, 0..5),
            proptest::collection::vec(0usize..40, 0..60),
            proptest::option::of(0i64..1_000_000),
        ),
        1..40,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (t, b, time))| (format!("d{i}"), text(&t), text(&b), time))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn clustering_is_deterministic(docs in docs_strategy()) {
        let a = run(&mut Clusterer::new(config(), Model::builtin()), &docs);
        let b = run(&mut Clusterer::new(config(), Model::builtin()), &docs);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn resuming_from_saved_state_changes_nothing(docs in docs_strategy(), cut in 0usize..40) {
        let cut = cut.min(docs.len());
        let whole = run(&mut Clusterer::new(config(), Model::builtin()), &docs);
        let mut first = Clusterer::new(config(), Model::builtin());
        let mut got = run(&mut first, &docs[..cut]);
        let mut second = Clusterer::from_json(&first.to_json().unwrap(), Model::builtin()).unwrap();
        got.extend(run(&mut second, &docs[cut..]));
        prop_assert_eq!(whole, got);
    }

    #[test]
    fn every_duplicate_points_at_an_earlier_article(docs in docs_strategy()) {
        let out = run(&mut Clusterer::new(config(), Model::builtin()), &docs);
        for (i, a) in out.iter().enumerate() {
            if let Some(d) = &a.duplicate_of {
                prop_assert!(docs[..i].iter().any(|x| &x.0 == d));
            }
            prop_assert!(docs[..=i].iter().any(|x| x.0 == a.story));
        }
    }
}
