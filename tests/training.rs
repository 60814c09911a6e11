//! The pretrain-then-train loop through the public API.

use pretrain_lab::train::{Control, EpochReport, Phase, RunEnd};
use pretrain_lab::{Experiment, History, backend};

fn short_experiment() -> Experiment {
    Experiment {
        n_pretrain_epochs: 20,
        n_train_epochs: 30,
        ..Experiment::default()
    }
}

#[test]
fn the_same_experiment_twice_gives_an_identical_history() {
    let device = backend::cpu_device();
    let first = short_experiment().run(&device).unwrap();
    let second = short_experiment().run(&device).unwrap();
    assert_eq!(first.outcome.history, second.outcome.history);
    assert_eq!(
        first.outcome.trained.parameters().unwrap(),
        second.outcome.trained.parameters().unwrap()
    );
}

#[test]
fn another_seed_gives_another_history() {
    let device = backend::cpu_device();
    let first = short_experiment().run(&device).unwrap();
    let other = Experiment {
        seed: 2,
        ..short_experiment()
    }
    .run(&device)
    .unwrap();
    assert_ne!(first.outcome.history, other.outcome.history);
}

#[test]
fn the_debugging_variant_runs() {
    // One pretraining epoch and no training, as the exercise's debugging run.
    let experiment = Experiment {
        n_pretrain_epochs: 1,
        n_train_epochs: 0,
        ..Experiment::default()
    };
    let report = experiment.run(&backend::cpu_device()).unwrap();
    let history = &report.outcome.history;
    assert_eq!(history.pretrain_loss.len(), 1);
    assert_eq!(history.n_train_epochs(), 0);
    assert_eq!(history.final_mean_test_acc(), None);
}

#[test]
fn history_has_one_entry_per_epoch_and_sane_values() {
    let report = short_experiment().run(&backend::cpu_device()).unwrap();
    let history = &report.outcome.history;
    for series in [
        &history.train_acc,
        &history.test_acc,
        &history.train_loss,
        &history.test_loss,
    ] {
        assert_eq!(series.len(), 30);
    }
    for &accuracy in history.train_acc.iter().chain(&history.test_acc) {
        assert!((0.0..=1.0).contains(&accuracy), "{accuracy}");
    }
    // 13 test points: every test accuracy is a multiple of 1/13.
    for &accuracy in &history.test_acc {
        let correct = accuracy * 13.0;
        assert!((correct - correct.round()).abs() < 1e-4, "{accuracy}");
    }
    assert!(
        history
            .train_loss
            .iter()
            .chain(&history.test_loss)
            .all(|l| l.is_finite() && *l > 0.0)
    );
}

#[test]
fn training_fits_the_spiral_train_points() {
    // Loss falls on the train part over the example's first 300 epochs.
    let experiment = Experiment {
        n_train_epochs: 300,
        ..Experiment::default()
    };
    let report = experiment.run(&backend::cpu_device()).unwrap();
    let loss = &report.outcome.history.train_loss;
    assert!(
        loss[299] < 0.7 * loss[0],
        "train loss {} -> {}",
        loss[0],
        loss[299]
    );
}

#[test]
fn initial_parameters_are_identical_on_every_cpu_backend() {
    let config = Experiment::default().mlp_config();
    let reference = config
        .init(1, &backend::cpu_device())
        .unwrap()
        .parameters()
        .unwrap();
    for name in backend::available() {
        let device = backend::device(name).unwrap();
        let parameters = config.init(1, &device).unwrap().parameters().unwrap();
        assert_eq!(parameters, reference, "backend {name}");
    }
}

#[test]
fn stopping_early_keeps_what_was_done() {
    let mut epochs = 0;
    let report = short_experiment()
        .run_with(&backend::cpu_device(), &mut |report: &EpochReport| {
            epochs += 1;
            if report.phase == Phase::Pretrain && report.epoch == 9 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .unwrap();
    assert_eq!(epochs, 10);
    let end = RunEnd::Stopped {
        phase: Phase::Pretrain,
        epoch: 9,
    };
    assert_eq!(report.outcome.end, end);
    assert_eq!(report.outcome.history.pretrain_loss.len(), 10);
    assert_eq!(report.outcome.history.n_train_epochs(), 0);
}

#[test]
fn cpu_backends_agree_to_float_tolerance() {
    let names = backend::available();
    let histories: Vec<_> = names
        .iter()
        .map(|name| {
            let device = backend::device(name).unwrap();
            short_experiment().run(&device).unwrap().outcome.history
        })
        .collect();
    let reference = &histories[0];
    for (name, history) in names.iter().zip(&histories).skip(1) {
        let pairs = reference
            .pretrain_loss
            .iter()
            .zip(&history.pretrain_loss)
            .chain(reference.train_loss.iter().zip(&history.train_loss))
            .chain(reference.test_loss.iter().zip(&history.test_loss));
        for (a, b) in pairs {
            assert!(
                (a - b).abs() <= 1e-4 * a.abs().max(1.0),
                "{name}: loss {b} vs {a}"
            );
        }
        let accuracy_gap = (reference.final_mean_test_acc().unwrap()
            - history.final_mean_test_acc().unwrap())
        .abs();
        assert!(
            accuracy_gap <= 1.0 / 13.0,
            "{name}: final mean test acc differs by {accuracy_gap}"
        );
    }
}

#[test]
fn a_diverging_run_stops_where_the_loss_stops_being_finite() {
    // A learning rate this large throws the weights past f32's range within a few steps.
    let experiment = Experiment {
        learning_rate: 1e38,
        ..short_experiment()
    };
    let report = experiment.run(&backend::cpu_device()).unwrap();
    let history = &report.outcome.history;
    let RunEnd::Diverged { phase, epoch } = report.outcome.end else {
        panic!(
            "the run ended {:?} with losses {:?}",
            report.outcome.end, history.pretrain_loss
        );
    };
    let losses = match phase {
        Phase::Pretrain => &history.pretrain_loss,
        Phase::Train => &history.train_loss,
    };
    assert_eq!(
        losses.len(),
        epoch + 1,
        "the history keeps every epoch up to the diverged one"
    );
    assert!(!losses[epoch].is_finite() || !history.test_loss.last().is_none_or(|l| l.is_finite()));
    assert!(losses[..epoch].iter().all(|l| l.is_finite()));
}

#[test]
fn every_objective_trains_and_every_margin_loss_is_recorded() {
    use pretrain_lab::loss::Objective;
    let device = backend::cpu_device();
    for objective in Objective::ALL {
        let experiment = Experiment {
            objective,
            n_pretrain_epochs: 0,
            n_train_epochs: 200,
            ..Experiment::default()
        };
        let history = experiment.run(&device).unwrap().outcome.history;
        let loss = &history.train_loss;
        assert!(
            loss[199] < loss[0],
            "{objective}: train loss {} -> {}",
            loss[0],
            loss[199]
        );
        assert_eq!(history.train_margin_losses.len(), 200);
        assert_eq!(history.test_margin_losses.len(), 200);
        for (margin_losses, accuracy) in history.train_margin_losses.iter().zip(&history.train_acc)
        {
            // The zero-one loss is the error rate; it differs from 1 - accuracy only on ties.
            assert!(
                (margin_losses[0] - (1.0 - accuracy)).abs() < 1e-6,
                "{objective}"
            );
            assert!(margin_losses.iter().all(|l| l.is_finite() && *l >= 0.0));
        }
    }
}

#[test]
fn cross_entropy_is_the_binary_cross_entropy_margin_metric() {
    let history = short_experiment()
        .run(&backend::cpu_device())
        .unwrap()
        .outcome
        .history;
    for (loss, margin_losses) in history.test_loss.iter().zip(&history.test_margin_losses) {
        assert!(
            (loss - margin_losses[2]).abs() < 1e-5,
            "{loss} vs {}",
            margin_losses[2]
        );
    }
}

#[test]
fn seeds_trained_as_one_batch_match_seeds_trained_one_at_a_time() {
    use pretrain_lab::batched;
    use pretrain_lab::loss::Objective;
    let device = backend::cpu_device();
    for objective in [Objective::CrossEntropy, Objective::Hinge] {
        let experiment = Experiment {
            objective,
            ..short_experiment()
        };
        let seeds = [1, 2, 3, 7];
        let batch = batched::run_seeds(&experiment, &seeds, &device).unwrap();
        assert_eq!(batch.len(), seeds.len());
        for (report, seed) in batch.iter().zip(seeds) {
            let alone = Experiment {
                seed,
                ..experiment.clone()
            }
            .run(&device)
            .unwrap();
            assert_eq!(report.experiment, alone.experiment);
            assert_eq!(report.data, alone.data);
            let (b, a) = (&report.outcome.history, &alone.outcome.history);
            let pairs = b
                .pretrain_loss
                .iter()
                .zip(&a.pretrain_loss)
                .chain(b.train_loss.iter().zip(&a.train_loss))
                .chain(b.test_loss.iter().zip(&a.test_loss));
            for (batched, single) in pairs {
                let tolerance = 1e-4 * single.abs().max(1.0);
                assert!(
                    (batched - single).abs() <= tolerance,
                    "seed {seed}: {batched} vs {single}"
                );
            }
            assert_eq!(b.train_acc.len(), a.train_acc.len());
            let gap = (b.final_mean_test_acc().unwrap() - a.final_mean_test_acc().unwrap()).abs();
            assert!(
                gap <= 1.0 / 13.0,
                "seed {seed}: final mean test acc differs by {gap}"
            );
            let trained = report.outcome.trained.parameters().unwrap();
            let reference = alone.outcome.trained.parameters().unwrap();
            for (layer, expected) in trained.iter().zip(&reference) {
                for (x, y) in layer
                    .weight
                    .iter()
                    .chain(&layer.bias)
                    .zip(expected.weight.iter().chain(&expected.bias))
                {
                    assert!((x - y).abs() <= 1e-3, "seed {seed}: parameter {x} vs {y}");
                }
            }
        }
    }
}

#[test]
fn a_diverging_batch_reports_every_seed_diverged() {
    let device = backend::cpu_device();
    let experiment = Experiment {
        learning_rate: 1e38,
        ..short_experiment()
    };
    let batch = pretrain_lab::batched::run_seeds(&experiment, &[1, 2], &device).unwrap();
    for report in &batch {
        assert!(
            matches!(report.outcome.end, RunEnd::Diverged { .. }),
            "{:?}",
            report.outcome.end
        );
    }
    assert!(pretrain_lab::batched::run_seeds(&experiment, &[], &device).is_err());
}

#[test]
fn the_hand_written_loop_matches_burns() {
    use pretrain_lab::loss::Objective;
    use pretrain_lab::model::Activation;
    let device = backend::cpu_device();
    for (objective, activation) in [
        (Objective::CrossEntropy, Activation::Tanh),
        (Objective::Squared, Activation::Relu),
        (Objective::Hinge, Activation::Sigmoid),
        (Objective::Perceptron, Activation::LeakyRelu),
        (Objective::CrossEntropy, Activation::Identity),
    ] {
        let experiment = Experiment {
            objective,
            activation,
            layer_sizes: vec![16, 8],
            ..short_experiment()
        };
        let native = pretrain_lab::native::run(&experiment).unwrap();
        let reference = experiment.run(&device).unwrap();
        assert_eq!(native.data, reference.data);
        let (n, r) = (&native.outcome.history, &reference.outcome.history);
        let context = format!("{objective}/{activation}");
        assert_histories_agree(n, r, &context);
        for (g, e) in n
            .test_margin_losses
            .iter()
            .flatten()
            .zip(r.test_margin_losses.iter().flatten())
        {
            assert!(
                (g - e).abs() <= 1e-4 * e.abs().max(1.0),
                "{context}: {g} vs {e}"
            );
        }
        let trained = native.outcome.trained.parameters().unwrap();
        let expected = reference.outcome.trained.parameters().unwrap();
        for (layer, reference) in trained.iter().zip(&expected) {
            for (g, e) in layer.weight.iter().zip(&reference.weight) {
                assert!(
                    (g - e).abs() <= 1e-4,
                    "{objective}/{activation}: weight {g} vs {e}"
                );
            }
        }
    }
}

#[test]
fn the_hand_written_loop_on_large_batches_matches_burns_and_ignores_the_thread_count() {
    // Thousands of points: the loop splits each batch into row chunks run in parallel.
    let experiment = Experiment {
        examples_per_ring: 700,
        spiral_points_per_arm: 1400,
        layer_sizes: vec![64, 32],
        activation: pretrain_lab::model::Activation::Relu,
        n_pretrain_epochs: 6,
        n_train_epochs: 6,
        ..Experiment::default()
    };
    let native = pretrain_lab::native::run(&experiment).unwrap();
    let reference = experiment.run(&backend::cpu_device()).unwrap();
    assert_histories_agree(
        &native.outcome.history,
        &reference.outcome.history,
        "multi-chunk batches",
    );

    // The chunks depend on the batch alone, so one thread gives the same bits as several.
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| pretrain_lab::native::run(&experiment).unwrap());
    assert_eq!(one_thread.outcome.history, native.outcome.history);
    assert_eq!(
        one_thread.outcome.trained.parameters().unwrap(),
        native.outcome.trained.parameters().unwrap()
    );
}

/// Asserts that two histories have the same length and agree, series by series and epoch by
/// epoch, to 1e-4 relative (absolute below 1).
fn assert_histories_agree(got: &History, expected: &History, context: &str) {
    let series = [
        ("pretrain loss", &got.pretrain_loss, &expected.pretrain_loss),
        ("train loss", &got.train_loss, &expected.train_loss),
        ("test loss", &got.test_loss, &expected.test_loss),
        ("train accuracy", &got.train_acc, &expected.train_acc),
        ("test accuracy", &got.test_acc, &expected.test_acc),
    ];
    for (what, got, expected) in series {
        assert_eq!(got.len(), expected.len(), "{context}: {what}");
        for (g, e) in got.iter().zip(expected.iter()) {
            let tolerance = 1e-4 * e.abs().max(1.0);
            assert!((g - e).abs() <= tolerance, "{context}: {what} {g} vs {e}");
        }
    }
}
