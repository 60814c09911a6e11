//! Property tests over the public API: random but bounded inputs, far more than anyone writes
//! by hand. Every property runs 10 000 cases; none may panic.

mod common;

use std::collections::HashMap;

use common::config;
use pretrain_lab::data::{self, LabeledPoints};
use pretrain_lab::loss::MarginLoss;
use pretrain_lab::model::Activation;
use pretrain_lab::train::RunEnd;
use pretrain_lab::{Error, Experiment, backend};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn label() -> impl Strategy<Value = i8> {
    prop_oneof![Just(-1i8), Just(1i8)]
}

/// Any f64: ordinary values most of the time, and every special value now and then.
fn any_float() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -100.0..100.0f64,
        1 => any::<f64>(),
        1 => prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-300, 1e300]),
    ]
}

/// `ln(1 + exp(x))` computed the plain way, in the range where the plain way is accurate.
fn softplus_reference(x: f64) -> f64 {
    if x < 30.0 {
        x.exp().ln_1p()
    } else {
        x + (-x).exp().ln_1p()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn losses_are_finite_and_non_negative(margin in -1e6..1e6f64, label in label()) {
        for loss in MarginLoss::ALL {
            let value = loss.value(margin, label);
            prop_assert!(value.is_finite() && value >= 0.0, "{loss}({margin}, {label}) = {value}");
        }
        let zero_one = MarginLoss::ZeroOne.value(margin, label);
        prop_assert!(zero_one == 0.0 || zero_one == 1.0);
        prop_assert_eq!(zero_one == 0.0, f64::from(label) * margin > 0.0);
        let hinge = MarginLoss::Hinge.value(margin, label);
        prop_assert_eq!(hinge, (1.0 - f64::from(label) * margin).max(0.0));
    }

    #[test]
    fn bce_is_softplus_of_the_negative_signed_margin(margin in -700.0..700.0f64, label in label()) {
        let x = -f64::from(label) * margin;
        let bce = MarginLoss::BinaryCrossEntropy.value(margin, label);
        let reference = softplus_reference(x);
        prop_assert!((bce - reference).abs() <= 1e-12 * reference.max(1.0), "{bce} vs {reference}");
    }

    #[test]
    fn rings_have_the_requested_counts_and_labels(
        radii in prop::collection::vec(0.01..50.0f64, 1..6),
        examples_per_ring in 1usize..40,
        std in 0.0..2.0f64,
        seed: u64,
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let data = data::rings(&radii, examples_per_ring, std, &mut rng).unwrap();
        prop_assert_eq!(data.len(), radii.len() * examples_per_ring);
        for (i, &label) in data.labels.iter().enumerate() {
            let ring = i / examples_per_ring;
            prop_assert_eq!(label, if ring % 2 == 0 { 1 } else { -1 });
        }
        prop_assert!(data.points.iter().flatten().all(|c| c.is_finite()));
    }

    #[test]
    fn generators_never_panic_on_any_argument(
        radii in prop::collection::vec(any_float(), 0..4),
        count in prop_oneof![0usize..50, any::<usize>()],
        noise in any_float(),
        seed: u64,
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let rings = data::rings(&radii, count, noise, &mut rng);
        let valid = !radii.is_empty()
            && radii.iter().all(|r| r.is_finite() && *r > 0.0)
            && count >= 1
            && radii.len().checked_mul(count).is_some_and(|n| n <= data::MAX_POINTS)
            && noise.is_finite()
            && noise >= 0.0;
        prop_assert_eq!(rings.is_ok(), valid, "{:?}", rings.err());

        let noise_ok = noise.is_finite() && noise >= 0.0;
        let moons = data::moons(count, noise, &mut rng);
        prop_assert_eq!(moons.is_ok(), noise_ok && (1..=data::MAX_POINTS / 2).contains(&count));
        if let Ok(moons) = moons {
            prop_assert_eq!(moons.len(), 2 * count);
        }
        let xor = data::xor(count, noise, &mut rng);
        prop_assert_eq!(xor.is_ok(), noise_ok && (1..=data::MAX_POINTS).contains(&count));
        if let Ok(xor) = xor {
            prop_assert_eq!(xor.len(), count);
            prop_assert!(xor.labels.iter().all(|l| l.abs() == 1));
        }
        let spiral = data::spiral(count);
        prop_assert_eq!(spiral.is_ok(), (1..=data::MAX_POINTS / 2).contains(&count));
    }

    #[test]
    fn the_split_is_a_partition(n_per_arm in 1usize..100, test_fraction in any_float(), seed: u64) {
        let data = data::spiral(n_per_arm).unwrap();
        let n = data.len();
        match data.split(test_fraction, seed) {
            Ok(split) => {
                let n_test = (test_fraction * n as f64).ceil() as usize;
                prop_assert_eq!(split.test.len(), n_test);
                prop_assert_eq!(split.train.len() + split.test.len(), n);
                prop_assert_eq!(multiset(&split.train, &split.test), multiset(&data, &LabeledPoints::default()));
            }
            Err(Error::TestFraction { .. }) => {
                prop_assert!(!(test_fraction > 0.0 && test_fraction < 1.0));
            }
            Err(Error::EmptySplit { n_train, n_test, .. }) => {
                prop_assert!(n_train == 0 || n_test == 0);
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn margin_losses_on_tensors_match_the_scalars(
        margins in prop::collection::vec(-50.0..50.0f32, 1..8),
        label in label(),
    ) {
        use pretrain_lab::burn::tensor::{Tensor, TensorData};
        let device = backend::cpu_device();
        let n = margins.len();
        let g = Tensor::<1>::from_data(TensorData::new(margins.clone(), [n]), &device);
        let y = Tensor::<1>::ones([n], &device).mul_scalar(f32::from(label));
        for loss in MarginLoss::ALL {
            let values = loss.forward(g.clone(), y.clone()).try_into_vec_as::<f32>().unwrap();
            for (margin, value) in margins.iter().zip(values) {
                let expected = loss.value(f64::from(*margin), label);
                prop_assert!((f64::from(value) - expected).abs() <= 1e-4 * expected.max(1.0));
            }
        }
    }
}

/// The points and labels of two sets together, counted.
fn multiset(a: &LabeledPoints, b: &LabeledPoints) -> HashMap<([u32; 2], i8), usize> {
    let mut counts = HashMap::new();
    for set in [a, b] {
        for (p, &l) in set.points.iter().zip(&set.labels) {
            *counts
                .entry(([p[0].to_bits(), p[1].to_bits()], l))
                .or_default() += 1;
        }
    }
    counts
}

/// Small experiments, valid or not: every field drawn from a range that includes bad values.
fn experiment() -> impl Strategy<Value = Experiment> {
    let activation = prop::sample::select(Activation::ALL.to_vec());
    (
        (
            prop::collection::vec(prop_oneof![4 => 0.5..12.0f64, 1 => any_float()], 0..4),
            0usize..12,
        ),
        (prop::collection::vec(0usize..9, 0..3), activation),
        (
            prop_oneof![4 => 1e-4..1e-1f64, 1 => any_float()],
            0usize..3,
            0usize..3,
        ),
        (
            any::<u64>(),
            prop_oneof![4 => 0.0..0.5f64, 1 => any_float()],
            0usize..12,
        ),
        (
            prop_oneof![4 => 0.01..0.9f64, 1 => any_float()],
            prop_oneof![4 => 0.5..8.0f64, 1 => any_float()],
        ),
    )
        .prop_map(
            |(
                (radii, epr),
                (layer_sizes, activation),
                (lr, n_pre, n_train),
                (seed, ring_std, arm),
                (fraction, limit),
            )| {
                Experiment {
                    title: "property".into(),
                    radii,
                    examples_per_ring: epr,
                    layer_sizes,
                    activation,
                    learning_rate: lr,
                    objective: Default::default(),
                    n_pretrain_epochs: n_pre,
                    n_train_epochs: n_train,
                    seed,
                    ring_std,
                    spiral_points_per_arm: arm,
                    test_fraction: fraction,
                    memory_limit_gib: limit,
                }
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_experiment_is_either_refused_or_runs(experiment in experiment()) {
        let device = backend::cpu_device();
        match experiment.validate() {
            Err(error) => {
                // The same error comes back from run(), before anything runs.
                let run_error = experiment.run(&device).unwrap_err();
                prop_assert_eq!(run_error.to_string(), error.to_string());
            }
            Ok(()) => {
                check_ran_to_the_end(&experiment, &experiment.run(&device).unwrap())?;
            }
        }
    }

    #[test]
    fn the_hand_written_loop_refuses_or_runs_as_burns_does(experiment in experiment()) {
        let native = pretrain_lab::native::run(&experiment);
        match experiment.validate() {
            Err(error) => prop_assert_eq!(native.unwrap_err().to_string(), error.to_string()),
            Ok(()) => check_ran_to_the_end(&experiment, &native.unwrap())?,
        }
    }

    #[test]
    fn toml_round_trips_every_valid_experiment(experiment in experiment()) {
        if experiment.validate().is_ok() {
            let text = experiment.to_toml_string();
            let back = Experiment::from_toml_str(&text).unwrap();
            prop_assert_eq!(back.to_toml_string(), text);
        }
    }
}

/// A valid experiment's run did every epoch, or ended by diverging, and its accuracies are
/// fractions.
fn check_ran_to_the_end(
    experiment: &Experiment,
    report: &pretrain_lab::Report,
) -> Result<(), TestCaseError> {
    let history = &report.outcome.history;
    if report.outcome.end == RunEnd::Completed {
        prop_assert_eq!(history.pretrain_loss.len(), experiment.n_pretrain_epochs);
        prop_assert_eq!(history.n_train_epochs(), experiment.n_train_epochs);
        prop_assert_eq!(
            history.final_mean_test_acc().is_some(),
            experiment.n_train_epochs > 0
        );
    } else {
        let diverged = matches!(report.outcome.end, RunEnd::Diverged { .. });
        prop_assert!(diverged, "the run ended {:?}", report.outcome.end);
    }
    for accuracy in history.train_acc.iter().chain(&history.test_acc) {
        prop_assert!((0.0..=1.0).contains(accuracy));
    }
    Ok(())
}
