//! The examples as a user runs them: output on success, one readable line on bad input.
//!
//! `cargo test` builds the examples next to the test binaries (`target/<profile>/examples`);
//! these tests run those binaries.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::Scratch;

fn example(name: &str) -> PathBuf {
    common::example_binary(name, "run the tests with `cargo test`")
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
    let scratch = Scratch::new("losses");
    let figure = scratch.arg("losses.svg");
    let output = run("losses", &["--loss", "squared", "--out", &figure]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("accuracy of h: 60.0%"), "{stdout}");
    assert!(stdout.contains("1.10318604888545"), "{stdout}");
    assert!(stdout.contains("hinge"), "{stdout}");
    if cfg!(feature = "plot") {
        assert!(stdout.contains(&format!("squared loss of each point written to {figure}")));
        assert!(
            std::fs::read_to_string(&figure)
                .unwrap()
                .contains("squared loss")
        );
    }
}

#[test]
fn losses_rejects_an_unknown_loss_with_one_line() {
    let output = run("losses", &["--loss", "cubic"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: unknown loss \"cubic\""),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn spiral_reports_the_final_mean_test_accuracy() {
    let scratch = Scratch::new("spiral");
    let config = scratch.arg("short.toml");
    let figure = scratch.arg("short.png");
    let experiment = "title = \"Short\"\nn_pretrain_epochs = 5\nn_train_epochs = 12\n";
    std::fs::write(&config, experiment).unwrap();
    let output = run(
        "spiral",
        &["--config", &config, "--seed", "3", "--out", &figure],
    );

    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("Short:"), "{stdout}");
    assert!(stdout.contains("seed 3"), "{stdout}");
    let prefix = "Final mean test acc: ";
    let line = stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .expect(&stdout);
    let percent: f64 = line[prefix.len()..].trim_end_matches('%').parse().unwrap();
    assert!((0.0..=100.0).contains(&percent), "{line}");
    assert!(stdout.contains("Final train loss: ") && stdout.contains("Final test loss: "));
    if cfg!(feature = "plot") {
        assert!(
            stdout.contains(&format!("Figure written to {figure}")),
            "{stdout}"
        );
        assert!(std::fs::metadata(&figure).unwrap().len() > 10_000);
    }
}

#[test]
fn spiral_rejects_bad_input_with_one_line() {
    for (args, expected) in [
        (
            vec!["--backend", "tpu"],
            "error: unknown backend \"tpu\"; expected one of ndarray, flex, wgpu, native",
        ),
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

#[cfg(not(feature = "wgpu"))]
#[test]
fn spiral_on_wgpu_without_the_feature_says_how_to_get_it() {
    let output = run("spiral", &["--backend", "wgpu"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr).trim_end(),
        "error: backend \"wgpu\" is not compiled in; rebuild with the cargo feature `wgpu`"
    );
}

#[test]
fn spiral_rejects_an_invalid_config_with_one_line() {
    let scratch = Scratch::new("bad-config");
    let config = scratch.arg("bad.toml");
    std::fs::write(&config, "layer_sizes = [10, 0]\n").unwrap();
    let output = run("spiral", &["--config", &config]);

    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let expected =
        format!("error: invalid config {config}: layer_sizes[1] must be at least 1, got 0");
    assert_eq!(stderr.trim_end(), expected);
}

#[cfg(feature = "plot")]
#[test]
fn spiral_rejects_an_unknown_figure_format_with_one_line() {
    let scratch = Scratch::new("bad-format");
    let config = scratch.arg("tiny.toml");
    std::fs::write(&config, "n_pretrain_epochs = 1\nn_train_epochs = 1\n").unwrap();
    let figure = scratch.arg("figure.gif");
    let output = run("spiral", &["--config", &config, "--out", &figure]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("figure.gif") && stderr.contains(".png or .svg"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_spiral_run_cleanly_and_keeps_what_finished() {
    use std::time::{Duration, Instant};

    let scratch = Scratch::new("ctrl-c");
    let config = scratch.arg("endless.toml");
    std::fs::write(
        &config,
        "n_pretrain_epochs = 10\nn_train_epochs = 100000000\n",
    )
    .unwrap();
    let figure = scratch.arg("stopped.svg");
    let mut child = Command::new(example("spiral"))
        .args(["--config", &config, "--out", &figure])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    std::thread::sleep(Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the run did not stop within 30 s of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();

    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("Stopped by Ctrl-C after training epoch"),
        "{stdout}"
    );
    assert!(stdout.contains("Final mean test acc: "), "{stdout}");
    if cfg!(feature = "plot") {
        assert!(
            std::fs::read_to_string(&figure)
                .unwrap()
                .contains("Accuracy per Epoch")
        );
    }
}

#[cfg(unix)]
#[test]
fn a_sweep_killed_with_sigkill_resumes_and_loses_only_runs_in_flight() {
    use std::time::{Duration, Instant};

    let scratch = Scratch::new("kill-9");
    let grid = scratch.arg("grid.toml");
    let body = "seeds = 6\n[base]\nn_pretrain_epochs = 20\nn_train_epochs = 150\n\
                [grid]\nlayer_sizes = [[32, 8]]\n";
    std::fs::write(&grid, body).unwrap();
    let out = scratch.arg("out");
    let done = || {
        std::fs::read_dir(format!("{out}/runs"))
            .map(|dirs| {
                dirs.filter(|d| d.as_ref().unwrap().path().join("result.toml").exists())
                    .count()
            })
            .unwrap_or(0)
    };

    let mut child = Command::new(example("sweep"))
        .args([&grid, "--out", &out, "--jobs", "1"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while done() < 2 {
        assert!(Instant::now() < deadline, "no run finished within 60 s");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let survived = done();
    assert!((2..6).contains(&survived), "{survived} runs survived");
    for dir in std::fs::read_dir(format!("{out}/runs")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.join("result.toml").exists() {
            let history = std::fs::read_to_string(dir.join("history.csv")).unwrap();
            assert_eq!(history.lines().count(), 151, "{} is whole", dir.display());
        }
    }

    let output = run("sweep", &[&grid, "--out", &out, "--jobs", "2"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(&format!("{survived} runs were already done")),
        "{stdout}"
    );
    assert_eq!(done(), 6);
    assert!(
        stdout.contains("| 1 | layer_sizes=[32, 8] | 6 |"),
        "{stdout}"
    );
}
