//! Fuzzing the TOML loader: arbitrary text and mutated valid files. Every outcome must be an
//! experiment or an error whose message names a line or a field; nothing may panic.

mod common;

use common::config;
use pretrain_lab::{Error, Experiment};
use proptest::prelude::*;

/// Every field of an experiment, as a valid file to mutate.
fn valid_file() -> String {
    Experiment::default().to_toml_string()
}

/// The field names a message may name.
const FIELDS: [&str; 13] = [
    "title",
    "radii",
    "examples_per_ring",
    "layer_sizes",
    "activation",
    "learning_rate",
    "n_pretrain_epochs",
    "n_train_epochs",
    "seed",
    "ring_std",
    "spiral_points_per_arm",
    "test_fraction",
    "memory_limit_gib",
];

fn check_outcome(text: &str) -> Result<(), TestCaseError> {
    match Experiment::from_toml_str(text) {
        Ok(experiment) => prop_assert!(experiment.validate().is_ok()),
        Err(Error::Config { message, .. }) => {
            prop_assert!(
                message.starts_with("line ")
                    || message.contains("missing")
                    || message.contains("expected"),
                "{message}"
            );
            prop_assert_eq!(message.lines().count(), 1, "{}", message);
        }
        Err(error) => {
            let message = error.to_string();
            let names_a_field = FIELDS.iter().any(|field| message.contains(field))
                || message.contains("number of parameters")
                || message.contains("memory_limit_gib");
            prop_assert!(names_a_field, "{message}");
        }
    }
    Ok(())
}

/// One edit of a text: replace, insert or delete a character at a position.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let character = prop_oneof![
        3 => prop::sample::select("0123456789-+.e=[]\"#\n ,_abcinftx".chars().collect::<Vec<_>>()),
        1 => any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), character.clone()).prop_map(|(at, c)| Edit::Replace(at, c)),
        (any::<usize>(), character).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len().max(1);
        match *edit {
            Edit::Replace(at, c) if !chars.is_empty() => chars[at % len] = c,
            Edit::Insert(at, c) => chars.insert(at % (chars.len() + 1), c),
            Edit::Delete(at) if !chars.is_empty() => {
                chars.remove(at % len);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_outcome(&text)?;
    }

    #[test]
    fn toml_shaped_lines_never_panic(
        lines in prop::collection::vec(
            (prop::sample::select(FIELDS.to_vec()), "[-0-9.e+_a-z\"\\[\\], ]{0,24}"),
            0..6,
        )
    ) {
        let text: String = lines.iter().map(|(key, value)| format!("{key} = {value}\n")).collect();
        check_outcome(&text)?;
    }

    #[test]
    fn mutated_valid_files_never_panic(edits in prop::collection::vec(edit(), 1..8)) {
        check_outcome(&apply(&valid_file(), &edits))?;
    }
}
