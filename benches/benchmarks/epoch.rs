//! How long does one epoch take on each backend as the model and the data grow, and where does a
//! GPU overtake the CPU?
//!
//! One training epoch (forward, loss, backward, Adam step, metrics read back) and one evaluation
//! epoch (forward and metrics) per backend compiled in, over three models (the exercise's
//! [100, 10] and [200, 100, 50, 10], and a wide [1024, 1024]) and three data sizes (300, 3000 and
//! 30 000 ring points). The clock stops only after the device has finished its queued work, and
//! a GPU first runs a few untimed epochs of each case, so its one-time shader compilation and
//! autotuning are left out.
//!
//! On a software GPU driver (wgpu on llvmpipe) the cases with the wide model on 3000 or more
//! points are left out: each would take minutes there, most of it in burn's autotuning of the
//! large matrix products, and tells nothing a smaller case does not.
//!
//! The benchmark ids read `train/<backend>/<model>x<points>` and `eval/<backend>/...`;
//! `cargo bench -- epoch/train` runs the training half. `scripts/epoch-table.sh` turns criterion's
//! results into the table of ratios to ndarray.

use std::time::{Duration, Instant};

use burn::module::Module;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::tensor::Device;
use criterion::{BenchmarkId, Criterion, SamplingMode};
use pretrain_lab::data::{DeviceData, rings};
use pretrain_lab::loss::Objective;
use pretrain_lab::train::{TrainConfig, evaluate, train_epoch};
use pretrain_lab::{Mlp, MlpConfig, backend};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const MODELS: [(&str, &[usize]); 3] = [
    ("100-10", &[100, 10]),
    ("200-100-50-10", &[200, 100, 50, 10]),
    ("1024-1024", &[1024, 1024]),
];

const POINTS: [usize; 3] = [300, 3_000, 30_000];

/// Untimed training and evaluation epochs run on a GPU before each case is timed.
const GPU_WARM_UP_EPOCHS: usize = 3;

/// The most multiply-adds per epoch, points times the widest layer squared, that a software GPU
/// driver is asked to run: the wide model on 300 points.
const SOFTWARE_GPU_MAX_WORK: usize = 300 * 1024 * 1024;

/// Whether the case is run on the backend called `name`.
fn runs(name: &str, layers: &[usize], n_points: usize) -> bool {
    let widest = layers.iter().copied().max().unwrap_or(0);
    let software = backend::is_software_gpu(name).unwrap_or(false);
    !software || n_points * widest * widest <= SOFTWARE_GPU_MAX_WORK
}

/// The exercise's three rings, `n_points / 3` points each.
fn ring_data(n_points: usize, device: &Device) -> DeviceData {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    rings(&[2.0, 6.0, 10.0], n_points / 3, 0.1, &mut rng)
        .expect("valid rings")
        .to_tensors(device)
}

/// A model ready to train on `device`: autodiff on, as the training loop holds it.
fn model(layers: &[usize], device: &Device) -> Mlp {
    MlpConfig::new(layers.to_vec())
        .init(1, device)
        .expect("a valid model")
        .train()
}

fn wait_for(device: &Device) {
    device.sync().expect("the device finishes its work");
}

fn epochs(c: &mut Criterion) {
    let mut group = c.benchmark_group("epoch");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let config = TrainConfig {
        learning_rate: 1e-3,
        n_pretrain_epochs: 1,
        n_train_epochs: 0,
        objective: Objective::CrossEntropy,
    };

    for name in backend::available() {
        let device = backend::device(name).unwrap_or_else(|error| panic!("{error}"));
        for (model_name, layers) in MODELS {
            for n_points in POINTS {
                if !runs(name, layers, n_points) {
                    println!("epoch/{name}/{model_name}x{n_points}: left out on a software GPU");
                    continue;
                }
                let data = ring_data(n_points, &device);
                let id = format!("{name}/{model_name}x{n_points}");

                let mut network = Some(model(layers, &device));
                let mut optimizer: ModuleOptimizer = AdamConfig::new()
                    .with_epsilon(pretrain_lab::train::ADAM_EPSILON)
                    .init();
                if !backend::is_cpu(name) {
                    // A GPU compiles and autotunes its kernels on the first calls for each
                    // shape, which criterion's short time-based warm-up does not cover when
                    // an epoch is slow.
                    for _ in 0..GPU_WARM_UP_EPOCHS {
                        let current = network.take().expect("the model is put back");
                        let (next, _) = train_epoch(current, &mut optimizer, &data, &config)
                            .expect("an epoch runs");
                        evaluate(&next.valid(), &data, Objective::CrossEntropy)
                            .expect("an evaluation runs");
                        network = Some(next);
                    }
                    wait_for(&device);
                }
                group.bench_function(BenchmarkId::new("train", &id), |b| {
                    b.iter_custom(|iterations| {
                        let started = Instant::now();
                        for _ in 0..iterations {
                            let current = network.take().expect("the model is put back");
                            let (next, _) = train_epoch(current, &mut optimizer, &data, &config)
                                .expect("an epoch runs");
                            network = Some(next);
                        }
                        wait_for(&device);
                        started.elapsed()
                    });
                });

                let trained = network.take().expect("the model is put back").valid();
                group.bench_function(BenchmarkId::new("eval", &id), |b| {
                    b.iter_custom(|iterations| {
                        let started = Instant::now();
                        for _ in 0..iterations {
                            evaluate(&trained, &data, Objective::CrossEntropy)
                                .expect("an evaluation runs");
                        }
                        wait_for(&device);
                        started.elapsed()
                    });
                });
            }
        }
    }
    group.finish();
}

criterion::criterion_group!(benches, epochs);
