//! How long do the exercise's experiments take end to end, on each backend and on the
//! hand-written native loop? These are the numbers to hold against PyTorch's
//! (`scripts/compare-pytorch.sh` times PyTorch alternately with the example).
//!
//! A software GPU driver (wgpu on llvmpipe) is left out of the example's group: one run takes
//! half a minute there, and the epoch benches already place it against the CPU.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use pretrain_lab::{Experiment, backend, native, sweep};
use rayon::prelude::*;

/// The example experiment, 100 + 1000 epochs.
fn example_experiment(c: &mut Criterion) {
    let mut group = c.benchmark_group("experiment");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let experiment = Experiment::default();
    for name in backend::available() {
        let device = backend::device(name).unwrap_or_else(|error| panic!("{error}"));
        if backend::is_software_gpu(name).unwrap_or(false) {
            println!("experiment/example/{name}: left out on a software GPU");
            continue;
        }
        group.bench_with_input(BenchmarkId::new("example", name), &device, |b, device| {
            b.iter(|| experiment.run(device).expect("the example experiment runs"));
        });
    }
    group.bench_function(BenchmarkId::new("example", "native"), |b| {
        b.iter(|| native::run(&experiment).expect("the example experiment runs"));
    });
    group.finish();
}

/// 32 seeds of the example experiment, one run per core at a time.
fn thirty_two_seeds(c: &mut Criterion) {
    let mut group = c.benchmark_group("seeds32");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let experiments: Vec<Experiment> = (1..=32)
        .map(|seed| Experiment {
            seed,
            ..Experiment::default()
        })
        .collect();
    let jobs = sweep::default_jobs();
    group.bench_function("native", |b| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .expect("a pool");
        b.iter(|| {
            pool.install(|| {
                let runs: Vec<_> = experiments.par_iter().map(native::run).collect();
                runs.into_iter()
                    .collect::<pretrain_lab::Result<Vec<_>>>()
                    .expect("the runs run")
            })
        });
    });
    let device = backend::device("flex").unwrap_or_else(|_| backend::cpu_device());
    let stop = AtomicBool::new(false);
    group.bench_function("burn", |b| {
        b.iter(|| sweep::run_all(&experiments, &device, jobs, &stop, &|_, _| {}).expect("runs"));
    });
    group.finish();
}

/// The arithmetic-bound final-1 experiment: 3000 ring points, [100, 50, 10], 10 000 + 500
/// epochs, on flex and on the native loop. A sample takes 10 to 30 seconds; `cargo bench --
/// final1` runs the group alone.
fn final_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("final1");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(60));
    let experiment = Experiment {
        title: "Final Experiment 1".into(),
        examples_per_ring: 1000,
        layer_sizes: vec![100, 50, 10],
        activation: pretrain_lab::Activation::Relu,
        n_pretrain_epochs: 10_000,
        n_train_epochs: 500,
        ..Experiment::default()
    };
    let device = backend::device("flex").unwrap_or_else(|_| backend::cpu_device());
    group.bench_function("flex", |b| {
        b.iter(|| experiment.run(&device).expect("final-1 runs"));
    });
    group.bench_function("native", |b| {
        b.iter(|| native::run(&experiment).expect("final-1 runs"));
    });
    group.finish();
}

criterion::criterion_group!(benches, example_experiment, thirty_two_seeds, final_one);
