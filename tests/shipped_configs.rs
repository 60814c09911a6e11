//! The experiments and sweeps shipped in `examples/` load, and hold the exercise's settings.

use std::path::Path;

use pretrain_lab::Experiment;
use pretrain_lab::model::Activation;
use pretrain_lab::sweep::Sweep;

/// File, title, points per ring, layer sizes, activation, learning rate, pretraining and
/// training epochs.
type Row = (
    &'static str,
    &'static str,
    usize,
    &'static [usize],
    Activation,
    f64,
    usize,
    usize,
);

fn dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

#[test]
fn shipped_experiments_hold_the_exercise_settings() {
    use Activation::{Relu, Tanh};
    let table: [Row; 10] = [
        (
            "example",
            "Example Experiment",
            100,
            &[100, 10],
            Tanh,
            1e-3,
            100,
            1000,
        ),
        (
            "wide-deep",
            "Increasing the width and height of the model",
            100,
            &[200, 100, 50, 10],
            Tanh,
            1e-3,
            100,
            1000,
        ),
        (
            "long",
            "Increasing the number of training epochs",
            100,
            &[100, 10],
            Tanh,
            1e-3,
            100,
            10000,
        ),
        (
            "wide-deep-long",
            "Increasing the width, height and the number of training epochs",
            100,
            &[200, 100, 50, 10],
            Tanh,
            1e-3,
            100,
            10000,
        ),
        (
            "pretrain-1",
            "Pre-training Experiment 1",
            300,
            &[100, 10],
            Tanh,
            1e-3,
            100,
            1000,
        ),
        (
            "pretrain-2",
            "Pre-Training Example 2",
            100,
            &[100, 10],
            Tanh,
            1e-3,
            500,
            1000,
        ),
        (
            "pretrain-3",
            "Pre-Training Example 3",
            100,
            &[100, 10],
            Tanh,
            1e-3,
            500,
            5,
        ),
        (
            "best-1",
            "Best-Test Example 1",
            300,
            &[200, 100, 10],
            Relu,
            1e-5,
            2000,
            10000,
        ),
        (
            "best-3",
            "Best-Test Example 3",
            300,
            &[200, 100, 10],
            Relu,
            1e-5,
            2000,
            20000,
        ),
        (
            "final-1",
            "Final Experiment 1",
            1000,
            &[100, 50, 10],
            Relu,
            1e-3,
            10000,
            500,
        ),
    ];
    let shipped = std::fs::read_dir(dir("experiments")).unwrap().count();
    assert_eq!(shipped, table.len());
    for (file, title, per_ring, layers, activation, lr, n_pre, n_train) in table {
        let experiment = Experiment::load(dir("experiments").join(format!("{file}.toml"))).unwrap();
        let expected = Experiment {
            title: title.into(),
            examples_per_ring: per_ring,
            layer_sizes: layers.to_vec(),
            activation,
            learning_rate: lr,
            n_pretrain_epochs: n_pre,
            n_train_epochs: n_train,
            ..Experiment::default()
        };
        assert_eq!(experiment, expected, "{file}");
    }
    let example = Experiment::load(dir("experiments").join("example.toml")).unwrap();
    assert_eq!(example, Experiment::default());
}

#[test]
fn shipped_sweeps_expand() {
    for entry in std::fs::read_dir(dir("sweeps")).unwrap() {
        let path = entry.unwrap().path();
        let sweep = Sweep::load(&path).unwrap();
        assert!(
            sweep.runs().len() >= 12,
            "{} has {} runs",
            path.display(),
            sweep.runs().len()
        );
    }
}
