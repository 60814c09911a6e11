//! How long does drawing the six-panel figure take, at the default size and grid?

use std::time::Duration;

use criterion::Criterion;
use pretrain_lab::plot::{self, FigureOptions};
use pretrain_lab::{Experiment, backend};

fn six_panel_figure(c: &mut Criterion) {
    let experiment = Experiment {
        n_pretrain_epochs: 100,
        n_train_epochs: 200,
        ..Experiment::default()
    };
    let report = experiment
        .run(&backend::cpu_device())
        .expect("the experiment runs");
    let dir = std::env::temp_dir().join(format!("pretrain-lab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temporary folder can be made");

    let mut group = c.benchmark_group("figure");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    let options = FigureOptions::default();
    for extension in ["png", "svg"] {
        let path = dir.join(format!("figure.{extension}"));
        group.bench_function(format!("six_panel_{extension}_800x1200_grid150"), |b| {
            b.iter(|| plot::experiment_figure(&report, &path, &options).expect("the figure draws"));
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion::criterion_group!(benches, six_panel_figure);
