//! Which loss should the network be trained with? The exercise asks; this answers it by
//! experiment: the example experiment trained with each trainable objective (cross-entropy,
//! squared error, hinge, the perceptron criterion) over several seeds, side by side.
//!
//! ```text
//! cargo run --release --example objectives
//! cargo run --release --example objectives -- --seeds 10 --n-train-epochs 500
//! ```
//!
//! It prints one row per objective: the final mean test accuracy's mean, standard deviation,
//! minimum and maximum over the seeds, and the mean final train accuracy. The zero-one loss is
//! not in the table: it has no gradient to train with.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Parser;
use pretrain_lab::loss::Objective;
use pretrain_lab::sweep::{self, Summary};
use pretrain_lab::{Error, Experiment, backend};

/// Train the example experiment with each objective over several seeds and compare.
#[derive(Parser)]
struct Args {
    /// Seeds per objective (1 to K).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// Training epochs on the spiral; default the example's 1000.
    #[arg(long)]
    n_train_epochs: Option<usize>,
    /// The backend to run on: ndarray, flex, or wgpu (a GPU; needs the cargo feature `wgpu`).
    #[arg(long, default_value = backend::DEFAULT_CPU)]
    backend: String,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> pretrain_lab::Result<()> {
    if args.seeds == 0 {
        return Err(Error::TooSmall {
            field: "--seeds".into(),
            value: 0,
            min: 1,
        });
    }
    let device = backend::device(&args.backend)?;
    let mut base = Experiment::default();
    if let Some(epochs) = args.n_train_epochs {
        base.n_train_epochs = epochs;
    }
    let experiments: Vec<Experiment> = Objective::ALL
        .into_iter()
        .flat_map(|objective| {
            let base = &base;
            (1..=args.seeds).map(move |seed| Experiment {
                objective,
                seed,
                ..base.clone()
            })
        })
        .collect();
    println!(
        "{} runs: {} objectives x {} seeds of the example experiment ({} + {} epochs)",
        experiments.len(),
        Objective::ALL.len(),
        args.seeds,
        base.n_pretrain_epochs,
        base.n_train_epochs
    );
    let stop = AtomicBool::new(false);
    let reports = sweep::run_all(
        &experiments,
        &device,
        sweep::default_jobs(),
        &stop,
        &|_, _| {},
    )?;

    println!(
        "\n| objective | final mean test acc, mean | std | min | max | final train acc, mean |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for objective in Objective::ALL {
        let runs: Vec<_> = reports
            .iter()
            .filter(|r| r.experiment.objective == objective)
            .collect();
        let test: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.outcome.history.final_mean_test_acc())
            .collect();
        let train: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.outcome.history.train_acc.last().copied())
            .collect();
        let percent = |v: f64| format!("{:.1}%", 100.0 * v);
        match (Summary::of(&test), Summary::of(&train)) {
            (Some(t), Some(r)) => println!(
                "| {objective} | {} | {} | {} | {} | {} |",
                percent(t.mean),
                percent(t.std),
                percent(t.min),
                percent(t.max),
                percent(r.mean)
            ),
            _ => println!("| {objective} | - | - | - | - | - |"),
        }
    }
    Ok(())
}
