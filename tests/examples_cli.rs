//! The examples as a user runs them: output on success, one readable line on bad input.
//!
//! `cargo test` builds the examples next to the test binaries (`target/<profile>/examples`);
//! these tests run those binaries.

use std::path::PathBuf;
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary has a path");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing; run the tests with `cargo test`",
        path.display()
    );
    path
}

fn run(name: &str, args: &[&str]) -> Output {
    Command::new(example(name))
        .args(args)
        .output()
        .expect("the example starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn losses_prints_the_table_and_the_accuracy() {
    let output = run("losses", &[]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("accuracy of h: 60.0%"), "{stdout}");
    assert!(stdout.contains("1.10318604888545"), "{stdout}");
    assert!(stdout.contains("hinge"), "{stdout}");
}

#[test]
fn spiral_reports_the_final_mean_test_accuracy() {
    let dir = std::env::temp_dir().join(format!("pretrain-lab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("short.toml");
    std::fs::write(
        &config,
        "title = \"Short\"\nn_pretrain_epochs = 5\nn_train_epochs = 12\n",
    )
    .unwrap();
    let output = run(
        "spiral",
        &["--config", config.to_str().unwrap(), "--seed", "3"],
    );
    std::fs::remove_dir_all(&dir).unwrap();

    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("Short:"), "{stdout}");
    assert!(stdout.contains("seed 3"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Final mean test acc: "))
        .expect(&stdout);
    let percent: f64 = line["Final mean test acc: ".len()..]
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!((0.0..=100.0).contains(&percent), "{line}");
    assert!(stdout.contains("Final train loss: ") && stdout.contains("Final test loss: "));
}

#[test]
fn spiral_rejects_bad_input_with_one_line() {
    for (args, expected) in [
        (vec!["--backend", "tpu"], "error: unknown backend \"tpu\""),
        (
            vec!["--config", "/no/such/file.toml"],
            "error: cannot read /no/such/file.toml",
        ),
    ] {
        let output = run("spiral", &args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.starts_with(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn spiral_rejects_an_invalid_config_with_one_line() {
    let dir = std::env::temp_dir().join(format!("pretrain-lab-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("bad.toml");
    std::fs::write(&config, "layer_sizes = [10, 0]\n").unwrap();
    let output = run("spiral", &["--config", config.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr).trim_end(),
        "error: layer_sizes[1] must be at least 1, got 0"
    );
}
