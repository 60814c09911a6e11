//! Full-batch training: one epoch, and the exercise's pretrain-then-train loop.
//!
//! A training epoch forwards the whole set once, takes the accuracy and the mean cross-entropy
//! of that forward pass (before the update), then steps Adam once. An evaluation epoch is the
//! same forward pass without autodiff and without an update.
//!
//! [`pretrain_and_train`] runs the exercise's schedule: pretraining epochs on one set, a snapshot
//! of the network, then training epochs on the train part of a split, each followed by an
//! evaluation epoch on its test part. One Adam optimizer serves both phases, so its moment
//! estimates carry over from pretraining into training.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

use crate::data::{DeviceData, LabeledPoints, Split};
use crate::error::{Error, Result};
use crate::loss::{MarginLoss, Objective, margins};
use crate::model::{Mlp, read_floats};

/// Adam's epsilon, PyTorch's default (burn's default is 1e-5).
pub const ADAM_EPSILON: f32 = 1e-8;

/// The schedule and step size of [`pretrain_and_train`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Adam's learning rate, the same in both phases.
    pub learning_rate: f64,
    /// Training epochs on the pretraining set.
    pub n_pretrain_epochs: usize,
    /// Training epochs on the train part, each followed by an evaluation on the test part.
    pub n_train_epochs: usize,
    /// What the network is trained to minimise.
    pub objective: Objective,
}

impl TrainConfig {
    /// Checks that the learning rate is positive and finite.
    ///
    /// # Errors
    ///
    /// [`Error::NotPositive`] naming `learning_rate`.
    pub fn validate(&self) -> Result<()> {
        Error::check_positive("learning_rate", self.learning_rate)
    }
}

/// The accuracy and mean losses of one epoch's forward pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochMetrics {
    /// The mean training objective (softmax cross-entropy unless configured otherwise).
    pub loss: f64,
    /// Fraction of points classified right.
    pub accuracy: f64,
    /// The mean of each margin loss on `g = z1 - z0`, in the order of [`MarginLoss::ALL`]:
    /// zero-one (the error rate, counting a tie as a mistake), squared, binary cross-entropy,
    /// hinge.
    pub margin_losses: [f64; 4],
}

/// The two phases of [`pretrain_and_train`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Training on the pretraining set.
    Pretrain,
    /// Training on the train part, with evaluation on the test part.
    Train,
}

/// What an [`Observer`] sees after each epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    /// The phase the epoch belongs to.
    pub phase: Phase,
    /// The epoch's index within its phase, from 0.
    pub epoch: usize,
    /// The number of epochs the phase has.
    pub n_epochs: usize,
    /// The training epoch's metrics.
    pub train: EpochMetrics,
    /// The evaluation epoch's metrics, in the training phase only.
    pub test: Option<EpochMetrics>,
}

/// What the loop does after an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Go on with the next epoch.
    Continue,
    /// Stop now and return what was done.
    Stop,
}

/// Called once after every epoch of [`pretrain_and_train`]: to draw progress, to log, or to
/// stop early.
///
/// Any `FnMut(&EpochReport) -> Control + Send` closure is an observer;
/// `&mut |_| Control::Continue` watches nothing. Observers are `Send` because the loop may run on
/// a rayon worker thread (see [`pretrain_and_train`]).
pub trait Observer: Send {
    /// Sees the epoch just finished and says whether to go on.
    fn on_epoch(&mut self, report: &EpochReport) -> Control;
}

impl<F: FnMut(&EpochReport) -> Control + Send> Observer for F {
    fn on_epoch(&mut self, report: &EpochReport) -> Control {
        self(report)
    }
}

/// The metrics of every epoch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Mean training objective of each pretraining epoch.
    pub pretrain_loss: Vec<f64>,
    /// Accuracy of each pretraining epoch.
    pub pretrain_acc: Vec<f64>,
    /// Accuracy on the train part, per training epoch.
    pub train_acc: Vec<f64>,
    /// Accuracy on the test part, per training epoch.
    pub test_acc: Vec<f64>,
    /// Mean training objective on the train part, per training epoch.
    pub train_loss: Vec<f64>,
    /// Mean training objective on the test part, per training epoch.
    pub test_loss: Vec<f64>,
    /// The four mean margin losses on the train part, per training epoch (see
    /// [`EpochMetrics::margin_losses`]).
    pub train_margin_losses: Vec<[f64; 4]>,
    /// The four mean margin losses on the test part, per training epoch.
    pub test_margin_losses: Vec<[f64; 4]>,
}

impl History {
    /// The number of training epochs recorded.
    pub fn n_train_epochs(&self) -> usize {
        self.test_acc.len()
    }

    /// The mean test accuracy of the last 10 training epochs (of all of them when there are
    /// fewer): the exercise's "final mean test acc". `None` without training epochs.
    pub fn final_mean_test_acc(&self) -> Option<f64> {
        let last = &self.test_acc[self.test_acc.len().saturating_sub(10)..];
        (!last.is_empty()).then(|| last.iter().sum::<f64>() / last.len() as f64)
    }

    /// Appends an epoch: a pretraining epoch when it has no test metrics.
    pub(crate) fn record(&mut self, train: EpochMetrics, test: Option<EpochMetrics>) {
        match test {
            None => {
                self.pretrain_loss.push(train.loss);
                self.pretrain_acc.push(train.accuracy);
            }
            Some(test) => {
                self.train_acc.push(train.accuracy);
                self.train_loss.push(train.loss);
                self.test_acc.push(test.accuracy);
                self.test_loss.push(test.loss);
                self.train_margin_losses.push(train.margin_losses);
                self.test_margin_losses.push(test.margin_losses);
            }
        }
    }
}

/// The result of [`pretrain_and_train`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The network as it stood after pretraining.
    pub pretrained: Mlp,
    /// The network after training.
    pub trained: Mlp,
    /// Every epoch's metrics.
    pub history: History,
    /// Whether the run did every epoch, or where it ended early and why.
    pub end: RunEnd,
}

/// How a run of [`pretrain_and_train`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every epoch of both phases ran.
    Completed,
    /// The observer asked to stop after this epoch.
    Stopped {
        /// The phase of the last epoch run.
        phase: Phase,
        /// The index of the last epoch run, within its phase.
        epoch: usize,
    },
    /// A loss became NaN or infinite in this epoch, and the run ended there.
    Diverged {
        /// The phase of the epoch.
        phase: Phase,
        /// The index of the epoch within its phase.
        epoch: usize,
    },
}

impl RunEnd {
    /// Whether every epoch ran.
    pub fn is_completed(self) -> bool {
        self == RunEnd::Completed
    }
}

impl EpochReport {
    /// Whether every loss of the epoch is a finite number.
    pub fn is_finite(&self) -> bool {
        self.train.loss.is_finite() && self.test.is_none_or(|test| test.loss.is_finite())
    }
}

/// Pretrains `model` on `pretrain`, keeps a snapshot, then trains it on `data.train` while
/// evaluating on `data.test` after every training epoch.
///
/// The loop runs on a rayon worker thread of the global pool (or on the calling thread when that
/// is one already), where the CPU backends' small operations run fastest; `observer` is called
/// there. Autodiff is switched on for training whatever `device` says; the data lives on `device`
/// without autodiff, and evaluation runs without it. `observer` sees every epoch and may stop
/// the run; the outcome then holds what was done. A loss that becomes NaN or infinite ends the
/// run after that epoch, which is recorded, and the outcome says [`RunEnd::Diverged`].
///
/// # Errors
///
/// [`Error::NotPositive`] for a learning rate that is not positive and finite,
/// [`Error::Empty`] for an empty set that a phase with epochs would use, and
/// [`Error::Backend`] when the backend fails to return a metric.
pub fn pretrain_and_train(
    device: &Device,
    model: Mlp,
    pretrain: &LabeledPoints,
    data: &Split,
    config: &TrainConfig,
    observer: &mut impl Observer,
) -> Result<Outcome> {
    on_pool(|| run_loop(device, model, pretrain, data, config, observer))
}

/// Runs `work` on a rayon worker thread, or right here when this already is one.
///
/// The CPU backends split their work with rayon. Called from outside a rayon pool, every tensor
/// operation hands its work to the global pool and waits for it, which on tensors this small
/// costs more than the operation itself: the example experiment on burn-ndarray took 2.3 times
/// as long. On a worker thread, rayon runs small operations in place.
pub(crate) fn on_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if rayon::current_thread_index().is_some() {
        work()
    } else {
        rayon::scope(|_| work())
    }
}

/// The body of [`pretrain_and_train`], on whatever thread calls it.
fn run_loop(
    device: &Device,
    model: Mlp,
    pretrain: &LabeledPoints,
    data: &Split,
    config: &TrainConfig,
    observer: &mut impl Observer,
) -> Result<Outcome> {
    config.validate()?;
    if config.n_pretrain_epochs > 0 && pretrain.is_empty() {
        return Err(Error::Empty {
            field: "pretraining data",
        });
    }
    if config.n_train_epochs > 0 && data.train.is_empty() {
        return Err(Error::Empty {
            field: "train data",
        });
    }
    if config.n_train_epochs > 0 && data.test.is_empty() {
        return Err(Error::Empty { field: "test data" });
    }

    let data_device = device.clone().without_autodiff();
    let mut model = model.to_device(&data_device).train();
    let mut optimizer = AdamConfig::new().with_epsilon(ADAM_EPSILON).init();
    let mut history = History::default();
    let mut end = RunEnd::Completed;

    let pretrain = pretrain.to_tensors(&data_device);
    for epoch in 0..config.n_pretrain_epochs {
        let train;
        (model, train) = train_epoch(model, &mut optimizer, &pretrain, config)?;
        let n_epochs = config.n_pretrain_epochs;
        let report = EpochReport {
            phase: Phase::Pretrain,
            epoch,
            n_epochs,
            train,
            test: None,
        };
        if let Some(early) = after_epoch(&report, &mut history, observer) {
            end = early;
            break;
        }
    }
    let pretrained = model.valid();

    if end.is_completed() {
        let train_data = data.train.to_tensors(&data_device);
        let test_data = data.test.to_tensors(&data_device);
        for epoch in 0..config.n_train_epochs {
            let train;
            (model, train) = train_epoch(model, &mut optimizer, &train_data, config)?;
            let test = Some(evaluate(&model, &test_data, config.objective)?);
            let n_epochs = config.n_train_epochs;
            let report = EpochReport {
                phase: Phase::Train,
                epoch,
                n_epochs,
                train,
                test,
            };
            if let Some(early) = after_epoch(&report, &mut history, observer) {
                end = early;
                break;
            }
        }
    }

    Ok(Outcome {
        pretrained,
        trained: model.valid(),
        history,
        end,
    })
}

/// Records an epoch and shows it to the observer; says how the run ends if it ends here.
pub(crate) fn after_epoch(
    report: &EpochReport,
    history: &mut History,
    observer: &mut impl Observer,
) -> Option<RunEnd> {
    history.record(report.train, report.test);
    let control = observer.on_epoch(report);
    let (phase, epoch) = (report.phase, report.epoch);
    if !report.is_finite() {
        Some(RunEnd::Diverged { phase, epoch })
    } else if control == Control::Stop {
        Some(RunEnd::Stopped { phase, epoch })
    } else {
        None
    }
}

/// One training epoch: forward the whole set, measure, backward, one optimizer step.
///
/// `model` must have autodiff on (see [`Module::train`]); the metrics come from the forward
/// pass before the update.
///
/// # Errors
///
/// [`Error::Backend`] when the backend fails to return the metrics.
pub fn train_epoch(
    model: Mlp,
    optimizer: &mut ModuleOptimizer,
    data: &DeviceData,
    config: &TrainConfig,
) -> Result<(Mlp, EpochMetrics)> {
    let logits = model.forward(data.inputs.clone());
    let measured = measure(logits.clone().detach(), data);
    let loss = config
        .objective
        .forward(logits, data.one_hot.clone(), data.labels.clone());

    let gradients = GradientsParams::from_grads(loss.backward(), &model);
    let model = optimizer.step(config.learning_rate, model, gradients);
    let metrics = read_metrics(loss.detach(), measured)?;
    Ok((model, metrics))
}

/// One evaluation epoch: forward the whole set without autodiff and measure.
///
/// # Errors
///
/// [`Error::Backend`] when the backend fails to return the metrics.
pub fn evaluate(model: &Mlp, data: &DeviceData, objective: Objective) -> Result<EpochMetrics> {
    let logits = model.valid().forward(data.inputs.clone());
    let measured = measure(logits.clone(), data);
    let loss = objective.forward(logits, data.one_hot.clone(), data.labels.clone());
    read_metrics(loss, measured)
}

/// The accuracy and the four mean margin losses of a batch, as a `[5]` tensor.
///
/// A row is right when its larger logit is the target's; a tie picks class 0.
fn measure(logits: Tensor<2>, data: &DeviceData) -> Tensor<1> {
    let predicted = logits
        .clone()
        .narrow(1, 1, 1)
        .greater(logits.clone().narrow(1, 0, 1));
    let accuracy = predicted.int().equal(data.targets.clone()).float().mean();
    let margins = margins(logits);
    let mut parts = vec![accuracy];
    parts.extend(
        MarginLoss::ALL.map(|loss| loss.forward(margins.clone(), data.labels.clone()).mean()),
    );
    Tensor::cat(parts, 0)
}

/// Reads the loss and the measurements back to the host in one transfer.
fn read_metrics(loss: Tensor<1>, measured: Tensor<1>) -> Result<EpochMetrics> {
    let all = Tensor::cat(
        vec![loss.without_autodiff(), measured.without_autodiff()],
        0,
    );
    let values: Vec<f64> = read_floats(all)?.into_iter().map(f64::from).collect();
    Ok(EpochMetrics {
        loss: values[0],
        accuracy: values[1],
        margin_losses: [values[2], values[3], values[4], values[5]],
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::backend::cpu_device;
    use crate::data::{rings, spiral};
    use crate::model::MlpConfig;

    fn example_data() -> (LabeledPoints, Split) {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let pretrain = rings(&[2.0, 6.0, 10.0], 100, 0.1, &mut rng).unwrap();
        (pretrain, spiral(32).unwrap().split(0.2, 1).unwrap())
    }

    fn run(config: &TrainConfig, observer: &mut impl Observer) -> Outcome {
        let device = cpu_device();
        let (pretrain, split) = example_data();
        let model = MlpConfig::new(vec![100, 10]).init(1, &device).unwrap();
        pretrain_and_train(&device, model, &pretrain, &split, config, observer).unwrap()
    }

    fn config(n_pretrain_epochs: usize, n_train_epochs: usize) -> TrainConfig {
        TrainConfig {
            learning_rate: 1e-3,
            n_pretrain_epochs,
            n_train_epochs,
            objective: Objective::CrossEntropy,
        }
    }

    #[test]
    fn pretraining_loss_falls() {
        let outcome = run(&config(30, 0), &mut |_: &EpochReport| Control::Continue);
        let losses = &outcome.history.pretrain_loss;
        assert_eq!(losses.len(), 30);
        assert!(losses[29] < 0.95 * losses[0], "{losses:?}");
        assert_eq!(outcome.history.final_mean_test_acc(), None);
    }

    #[test]
    fn observer_sees_every_epoch_and_can_stop() {
        let mut seen = Vec::new();
        let outcome = run(&config(3, 10), &mut |report: &EpochReport| {
            seen.push((report.phase, report.epoch, report.test.is_some()));
            if report.phase == Phase::Train && report.epoch == 4 {
                Control::Stop
            } else {
                Control::Continue
            }
        });
        assert_eq!(seen.len(), 3 + 5);
        assert_eq!(seen[0], (Phase::Pretrain, 0, false));
        assert_eq!(seen[7], (Phase::Train, 4, true));
        assert_eq!(
            outcome.end,
            RunEnd::Stopped {
                phase: Phase::Train,
                epoch: 4
            }
        );
        assert_eq!(outcome.history.n_train_epochs(), 5);
    }

    #[test]
    fn pretrained_snapshot_differs_from_the_trained_model() {
        let outcome = run(&config(5, 5), &mut |_: &EpochReport| Control::Continue);
        let pretrained = outcome.pretrained.parameters().unwrap();
        let trained = outcome.trained.parameters().unwrap();
        assert_ne!(pretrained, trained);
    }

    #[test]
    fn final_mean_test_acc_averages_the_last_ten_epochs() {
        let mut history = History::default();
        assert_eq!(history.final_mean_test_acc(), None);
        history.test_acc = vec![0.5, 1.0];
        assert_eq!(history.final_mean_test_acc(), Some(0.75));
        history.test_acc = (0..20).map(|i| if i < 10 { 0.0 } else { 0.5 }).collect();
        assert_eq!(history.final_mean_test_acc(), Some(0.5));
    }

    #[test]
    fn bad_learning_rates_are_errors() {
        let device = cpu_device();
        let (pretrain, split) = example_data();
        for learning_rate in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
            let model = MlpConfig::new(vec![4]).init(1, &device).unwrap();
            let config = TrainConfig {
                learning_rate,
                n_pretrain_epochs: 1,
                n_train_epochs: 1,
                objective: Objective::CrossEntropy,
            };
            let result = pretrain_and_train(
                &device,
                model,
                &pretrain,
                &split,
                &config,
                &mut |_: &EpochReport| Control::Continue,
            );
            assert!(
                matches!(result, Err(Error::NotPositive { .. })),
                "{learning_rate}"
            );
        }
    }
}
