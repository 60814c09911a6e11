//! The wgpu backend against the CPU backends: the same start, the same course within a stated
//! tolerance, and the example on it as a user runs it.
//!
//! These need a GPU adapter. Without a GPU, Debian's software Vulkan driver (`mesa-vulkan-drivers`)
//! is one; it computes on the CPU and is slow, so the runs here are short. A machine with no
//! adapter at all fails these tests with wgpu's account of why.
//!
//! Two of them run the spiral example as a user does, so it must be built with the feature
//! first (`cargo test --example spiral` would build it as a test harness instead):
//!
//! ```text
//! cargo build --release --features wgpu --example spiral
//! cargo test --release --features wgpu --test wgpu
//! ```

#![cfg(feature = "wgpu")]

mod common;

use std::process::{Command, Output};

use common::Scratch;
use pretrain_lab::burn::module::Module;
use pretrain_lab::{Experiment, History, backend};

fn wgpu() -> pretrain_lab::burn::tensor::Device {
    backend::device("wgpu").unwrap_or_else(|error| panic!("{error}"))
}

/// The example experiment, cut short: a full run takes most of a minute on a software driver.
fn short_example() -> Experiment {
    Experiment {
        n_pretrain_epochs: 30,
        n_train_epochs: 60,
        ..Experiment::default()
    }
}

#[test]
fn wgpu_finds_an_adapter_and_says_which() {
    let description = backend::describe("wgpu").unwrap_or_else(|error| panic!("{error}"));
    assert!(!description.is_empty());
    eprintln!("wgpu adapter: {description}");
}

#[test]
fn initial_parameters_are_bit_identical_on_every_backend() {
    for experiment in [
        Experiment::default(),
        Experiment {
            layer_sizes: vec![200, 100, 50, 10],
            seed: 7,
            ..Experiment::default()
        },
    ] {
        let config = experiment.mlp_config();
        let on = |device| {
            config
                .init(experiment.seed, &device)
                .unwrap()
                .parameters()
                .unwrap()
        };
        let reference = on(backend::cpu_device());
        for name in backend::available() {
            let parameters = on(backend::device(name).unwrap());
            // Bitwise: compare the bits, so that even -0.0 against 0.0 would show.
            let bits = |layers: &[pretrain_lab::model::LayerParameters]| -> Vec<u32> {
                layers
                    .iter()
                    .flat_map(|l| l.weight.iter().chain(&l.bias).map(|v| v.to_bits()))
                    .collect()
            };
            assert_eq!(bits(&parameters), bits(&reference), "backend {name}");
        }
    }
}

/// The largest relative gap between two loss curves, relative to max(|cpu|, 1).
fn largest_gap(cpu: &[f64], gpu: &[f64]) -> f64 {
    assert_eq!(cpu.len(), gpu.len());
    cpu.iter()
        .zip(gpu)
        .map(|(a, b)| (a - b).abs() / a.abs().max(1.0))
        .fold(0.0, f64::max)
}

#[test]
fn a_short_run_on_wgpu_follows_the_cpu() {
    let experiment = short_example();
    let cpu: History = experiment
        .run(&backend::cpu_device())
        .unwrap()
        .outcome
        .history;
    let gpu: History = experiment.run(&wgpu()).unwrap().outcome.history;

    // The tolerance the backend module documents for short runs.
    let tolerance = 1e-3;
    for (what, a, b) in [
        ("pretrain loss", &cpu.pretrain_loss, &gpu.pretrain_loss),
        ("train loss", &cpu.train_loss, &gpu.train_loss),
        ("test loss", &cpu.test_loss, &gpu.test_loss),
    ] {
        let gap = largest_gap(a, b);
        eprintln!("{what}: largest gap {gap:e} relative");
        assert!(gap <= tolerance, "{what} differs by {gap:e} relative");
    }
    let accuracy_gap =
        (cpu.final_mean_test_acc().unwrap() - gpu.final_mean_test_acc().unwrap()).abs();
    assert!(
        accuracy_gap <= 1.0 / 13.0 + 1e-12,
        "final mean test accuracy differs by {accuracy_gap} (more than one of the 13 test points)"
    );
}

#[test]
fn predictions_on_wgpu_match_the_cpu() {
    // The same trained network, evaluated on both: the decision surface a figure shows.
    let report = short_example().run(&backend::cpu_device()).unwrap();
    let grid: Vec<[f32; 2]> = (0..40)
        .flat_map(|i| (0..40).map(move |j| [i as f32 * 0.5 - 10.0, j as f32 * 0.5 - 10.0]))
        .collect();
    let trained = report.outcome.trained;
    let cpu = trained.predict(&grid).unwrap();
    let gpu = trained.to_device(&wgpu()).predict(&grid).unwrap();
    let differing = cpu.iter().zip(&gpu).filter(|(a, b)| a != b).count();
    // Points exactly on the boundary may fall either way; a handful at most.
    assert!(
        differing <= 2,
        "{differing} of {} predictions differ",
        grid.len()
    );
}

#[test]
#[cfg(target_os = "linux")]
fn no_usable_adapter_is_a_readable_error() {
    // With the Vulkan loader pointed at no driver, wgpu finds at most an OpenGL adapter, which
    // burn's kernels cannot use: the example must say so and exit, not panic.
    let (output, stderr) = spiral_on_wgpu(|command| {
        command.env("VK_ICD_FILENAMES", "/nonexistent/icd.json");
    });
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: the wgpu backend found no usable GPU adapter"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

const BUILD_IT: &str = "build it with `cargo build --release --features wgpu --example spiral`";

/// Runs the spiral example with `--backend wgpu` and whatever `configure` adds, and returns its
/// output and its standard error as text.
fn spiral_on_wgpu(configure: impl FnOnce(&mut Command)) -> (Output, String) {
    let mut command = Command::new(common::example_binary("spiral", BUILD_IT));
    command.args(["--backend", "wgpu"]);
    configure(&mut command);
    let output = command.output().expect("the example starts");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stderr.contains("is not compiled in"),
        "the spiral example was built without the wgpu feature; {BUILD_IT}"
    );
    (output, stderr)
}

#[test]
fn the_spiral_example_runs_on_wgpu() {
    let scratch = Scratch::new("wgpu-spiral");
    let config = scratch.path("short.toml");
    std::fs::write(
        &config,
        "title = \"Short\"\nn_pretrain_epochs = 10\nn_train_epochs = 20\n",
    )
    .unwrap();
    let (output, stderr) = spiral_on_wgpu(|command| {
        command
            .arg("--config")
            .arg(&config)
            .args(["--out", &scratch.arg("short.png")]);
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("backend wgpu"), "{stdout}");
    assert!(stdout.contains("Final mean test acc: "), "{stdout}");
    assert!(scratch.path("short.png").exists());
}
