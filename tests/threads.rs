//! What a user may share between threads, and runs on several threads at once.

use pretrain_lab::data::{LabeledPoints, Split};
use pretrain_lab::model::{Activation, Mlp, MlpConfig};
use pretrain_lab::train::{History, Outcome, RunEnd};
use pretrain_lab::{Error, Experiment, Report, backend};

fn send_and_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_and_sync::<Experiment>();
    send_and_sync::<Report>();
    send_and_sync::<Outcome>();
    send_and_sync::<History>();
    send_and_sync::<RunEnd>();
    send_and_sync::<Mlp>();
    send_and_sync::<MlpConfig>();
    send_and_sync::<Activation>();
    send_and_sync::<LabeledPoints>();
    send_and_sync::<Split>();
    send_and_sync::<Error>();
    send_and_sync::<pretrain_lab::burn::tensor::Device>();
    #[cfg(feature = "plot")]
    send_and_sync::<pretrain_lab::plot::DecisionSurface>();
}

#[test]
fn experiments_run_concurrently_give_the_results_they_give_alone() {
    let experiments: Vec<Experiment> = (1..=3)
        .map(|seed| Experiment {
            seed,
            n_pretrain_epochs: 10,
            n_train_epochs: 20,
            ..Experiment::default()
        })
        .collect();
    let device = backend::cpu_device();
    let alone: Vec<_> = experiments
        .iter()
        .map(|e| e.run(&device).unwrap().outcome.history)
        .collect();

    let together: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = experiments
            .iter()
            .map(|experiment| {
                let device = device.clone();
                scope.spawn(move || experiment.run(&device).unwrap().outcome.history)
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });

    assert_eq!(together, alone);
}
