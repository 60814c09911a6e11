//! A corpus of hand-written nasty config files, kept as regression tests.
//!
//! Each file in `tests/corpus/` starts with a line `# expect: TEXT`: `ok` when the file must
//! load, otherwise a piece of the error message it must give. No file may make the loader
//! panic.

use std::path::Path;

use pretrain_lab::Experiment;

#[test]
fn every_corpus_file_gives_its_expected_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(
        entries.len() >= 20,
        "the corpus has {} files",
        entries.len()
    );

    let mut failures = Vec::new();
    for path in entries {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let first_line = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap_or_default();
        let expected = first_line
            .strip_prefix("# expect: ")
            .unwrap_or_else(|| panic!("{} lacks its `# expect:` line", path.display()))
            .trim();
        let name = path.file_name().unwrap().to_string_lossy();
        match (Experiment::load(&path), expected) {
            (Ok(_), "ok") => {}
            (Ok(experiment), _) => failures.push(format!(
                "{name}: loaded as {experiment:?}, expected {expected:?}"
            )),
            (Err(error), "ok") => failures.push(format!("{name}: {error}")),
            (Err(error), _) => {
                let message = error.to_string();
                if !message.contains(expected) {
                    failures.push(format!("{name}: {message:?} lacks {expected:?}"));
                }
                if message.lines().count() != 1 {
                    failures.push(format!("{name}: the message is not one line: {message:?}"));
                }
                if !message.contains(&*name) {
                    failures.push(format!("{name}: the message does not name the file"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
