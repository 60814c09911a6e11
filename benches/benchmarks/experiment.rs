//! How long does the exercise's example experiment take end to end, on each CPU backend?

use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use pretrain_lab::{Experiment, backend};

fn example_experiment(c: &mut Criterion) {
    let mut group = c.benchmark_group("experiment");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let experiment = Experiment::default();
    for name in backend::available() {
        let device = backend::device(name).expect("an available backend has a device");
        group.bench_with_input(BenchmarkId::new("example", name), &device, |b, device| {
            b.iter(|| experiment.run(device).expect("the example experiment runs"));
        });
    }
    group.finish();
}

criterion::criterion_group!(benches, example_experiment);
