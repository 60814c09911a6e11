//! One experiment over many seeds, trained as one batched computation.
//!
//! On networks this small, the time of an epoch goes to the per-operation cost of the
//! framework, not to arithmetic. Stacking the seeds' networks along a leading axis (weights
//! `[seeds, d_in, d_out]`, data `[seeds, n, 2]`) and training them with batched matrix products
//! pays that cost once per epoch for all seeds together. Each seed keeps its own data, split
//! and initial weights; the loss is the sum of the seeds' losses, so each seed's gradient, and
//! Adam's elementwise update of it, is the one it would get alone. The results equal those of
//! [`Experiment::run`] for the same seeds up to float rounding, which a test checks.
//!
//! ```
//! use pretrain_lab::{Experiment, backend, batched};
//!
//! let experiment = Experiment { n_pretrain_epochs: 5, n_train_epochs: 10, ..Experiment::default() };
//! let reports = batched::run_seeds(&experiment, &[1, 2, 3], &backend::cpu_device())?;
//! assert_eq!(reports.len(), 3);
//! assert_eq!(reports[2].experiment.seed, 3);
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use burn::module::{Module, Param};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::data::LabeledPoints;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentData, Report};
use crate::loss::{MarginLoss, Objective};
use crate::model::{Activation, LayerParameters, Mlp, read_floats};
use crate::train::{ADAM_EPSILON, EpochMetrics, History, Outcome, Phase, RunEnd, on_pool};

/// The networks of every seed, stacked along a leading axis.
#[derive(Module, Debug)]
struct StackedMlp {
    /// Per layer, `[seeds, d_input, d_output]`.
    weights: Vec<Param<Tensor<3>>>,
    /// Per layer, `[seeds, 1, d_output]`.
    biases: Vec<Param<Tensor<3>>>,
    #[module(skip)]
    activation: Activation,
}

impl StackedMlp {
    fn forward(&self, inputs: Tensor<3>) -> Tensor<3> {
        let last = self.weights.len() - 1;
        let mut x = inputs;
        for (i, (weight, bias)) in self.weights.iter().zip(&self.biases).enumerate() {
            x = x.matmul(weight.val()) + bias.val();
            if i < last {
                x = self.activation.forward(x);
            }
        }
        x
    }

    /// Seed `s`'s network, read back to the host and rebuilt on `device`.
    fn network(&self, seed_index: usize, device: &Device) -> Result<Mlp> {
        let layers = self
            .weights
            .iter()
            .zip(&self.biases)
            .map(|(weight, bias)| {
                let [_, d_input, d_output] = weight.shape().dims();
                let slice = |tensor: Tensor<3>| tensor.narrow(0, seed_index, 1).without_autodiff();
                Ok(LayerParameters {
                    d_input,
                    d_output,
                    weight: read_floats(slice(weight.val()))?,
                    bias: read_floats(slice(bias.val()))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Mlp::from_parameters(&layers, self.activation, device)
    }
}

/// One data set per seed, stacked.
struct StackedData {
    /// `[seeds, n, 2]`
    inputs: Tensor<3>,
    /// `[seeds, n, 1]`, class indices
    targets: Tensor<3, Int>,
    /// `[seeds, n, 2]`
    one_hot: Tensor<3>,
    /// `[seeds, n, 1]`, -1.0 or +1.0
    labels: Tensor<3>,
}

impl StackedData {
    fn new(sets: &[&LabeledPoints], device: &Device) -> Self {
        let (seeds, n) = (sets.len(), sets[0].len());
        let points: Vec<f32> = sets
            .iter()
            .flat_map(|s| s.points.iter().flatten().copied())
            .collect();
        let labels: Vec<i8> = sets.iter().flat_map(|s| s.labels.iter().copied()).collect();
        let classes: Vec<i64> = labels.iter().map(|&l| i64::from(l > 0)).collect();
        let one_hot: Vec<f32> = classes
            .iter()
            .flat_map(|&c| if c == 1 { [0.0, 1.0] } else { [1.0, 0.0] })
            .collect();
        let labels: Vec<f32> = labels.iter().map(|&l| f32::from(l)).collect();
        Self {
            inputs: Tensor::from_data(TensorData::new(points, [seeds, n, 2]), device),
            targets: Tensor::from_data(TensorData::new(classes, [seeds, n, 1]), device),
            one_hot: Tensor::from_data(TensorData::new(one_hot, [seeds, n, 2]), device),
            labels: Tensor::from_data(TensorData::new(labels, [seeds, n, 1]), device),
        }
    }
}

/// Runs `experiment` once per seed in `seeds`, all seeds as one batched computation, and
/// returns one report per seed, in order.
///
/// Every seed trains with the experiment's settings; only the seed differs. A seed whose loss
/// stops being finite ends there, as [`Experiment::run`] would, while the others go on.
///
/// # Errors
///
/// [`Error::Empty`] for no seeds, the errors of [`Experiment::validate`], and
/// [`Error::Backend`] when the backend fails to return a tensor.
pub fn run_seeds(experiment: &Experiment, seeds: &[u64], device: &Device) -> Result<Vec<Report>> {
    if seeds.is_empty() {
        return Err(Error::Empty { field: "seeds" });
    }
    experiment.validate()?;
    let experiments: Vec<Experiment> = seeds
        .iter()
        .map(|&seed| Experiment {
            seed,
            ..experiment.clone()
        })
        .collect();
    let data = experiments
        .iter()
        .map(Experiment::data)
        .collect::<Result<Vec<_>>>()?;
    let initial = experiments
        .iter()
        .map(|e| {
            e.mlp_config()
                .initial_parameters(&mut crate::model::init_rng(e.seed))
        })
        .collect::<Result<Vec<_>>>()?;
    let outcomes = on_pool(|| train(experiment, &data, &initial, device))?;
    Ok(experiments
        .into_iter()
        .zip(data)
        .zip(outcomes)
        .map(|((experiment, data), outcome)| Report {
            experiment,
            data,
            outcome,
        })
        .collect())
}

fn train(
    experiment: &Experiment,
    data: &[ExperimentData],
    initial: &[Vec<LayerParameters>],
    device: &Device,
) -> Result<Vec<Outcome>> {
    let plain = device.clone().without_autodiff();
    let seeds = data.len();
    let mut model = stack(initial, experiment.activation, &plain).train();
    let mut optimizer = AdamConfig::new().with_epsilon(ADAM_EPSILON).init();
    let mut histories = vec![History::default(); seeds];
    let mut ends = vec![RunEnd::Completed; seeds];
    let (objective, learning_rate) = (experiment.objective, experiment.learning_rate);

    let pretrain = StackedData::new(
        &data.iter().map(|d| &d.pretrain).collect::<Vec<_>>(),
        &plain,
    );
    for epoch in 0..experiment.n_pretrain_epochs {
        let metrics;
        (model, metrics) = train_epoch(model, &mut optimizer, &pretrain, objective, learning_rate)?;
        for (seed, train) in metrics.into_iter().enumerate() {
            record(
                &mut histories[seed],
                &mut ends[seed],
                Phase::Pretrain,
                epoch,
                train,
                None,
            );
        }
    }
    let pretrained = model.valid();

    let train_sets: Vec<_> = data.iter().map(|d| &d.spiral.train).collect();
    let test_sets: Vec<_> = data.iter().map(|d| &d.spiral.test).collect();
    let (train_data, test_data) = (
        StackedData::new(&train_sets, &plain),
        StackedData::new(&test_sets, &plain),
    );
    for epoch in 0..experiment.n_train_epochs {
        let train;
        (model, train) = train_epoch(model, &mut optimizer, &train_data, objective, learning_rate)?;
        let test = evaluate(&model, &test_data, objective)?;
        for (seed, (train, test)) in train.into_iter().zip(test).enumerate() {
            record(
                &mut histories[seed],
                &mut ends[seed],
                Phase::Train,
                epoch,
                train,
                Some(test),
            );
        }
    }

    let trained = model.valid();
    (0..seeds)
        .map(|seed| {
            Ok(Outcome {
                pretrained: pretrained.network(seed, &plain)?,
                trained: trained.network(seed, &plain)?,
                history: std::mem::take(&mut histories[seed]),
                end: ends[seed],
            })
        })
        .collect()
}

/// Records a seed's epoch unless the seed diverged earlier; marks it diverged when a loss is
/// not finite.
fn record(
    history: &mut History,
    end: &mut RunEnd,
    phase: Phase,
    epoch: usize,
    train: EpochMetrics,
    test: Option<EpochMetrics>,
) {
    if !end.is_completed() {
        return;
    }
    history.record(train, test);
    let finite = train.loss.is_finite() && test.is_none_or(|t| t.loss.is_finite());
    if !finite {
        *end = RunEnd::Diverged { phase, epoch };
    }
}

fn stack(layers: &[Vec<LayerParameters>], activation: Activation, device: &Device) -> StackedMlp {
    let seeds = layers.len();
    let (weights, biases) = (0..layers[0].len())
        .map(|l| {
            let (d_input, d_output) = (layers[0][l].d_input, layers[0][l].d_output);
            let weight: Vec<f32> = layers
                .iter()
                .flat_map(|s| s[l].weight.iter().copied())
                .collect();
            let bias: Vec<f32> = layers
                .iter()
                .flat_map(|s| s[l].bias.iter().copied())
                .collect();
            (
                Param::from_data(TensorData::new(weight, [seeds, d_input, d_output]), device),
                Param::from_data(TensorData::new(bias, [seeds, 1, d_output]), device),
            )
        })
        .unzip();
    StackedMlp {
        weights,
        biases,
        activation,
    }
}

fn train_epoch(
    model: StackedMlp,
    optimizer: &mut ModuleOptimizer,
    data: &StackedData,
    objective: Objective,
    learning_rate: f64,
) -> Result<(StackedMlp, Vec<EpochMetrics>)> {
    let logits = model.forward(data.inputs.clone());
    let measured = measure(logits.clone().detach(), data);
    let losses = objective_per_seed(objective, logits, data);

    let gradients = GradientsParams::from_grads(losses.clone().sum().backward(), &model);
    let model = optimizer.step(learning_rate, model, gradients);
    Ok((model, read_metrics(losses.detach(), measured)?))
}

fn evaluate(
    model: &StackedMlp,
    data: &StackedData,
    objective: Objective,
) -> Result<Vec<EpochMetrics>> {
    let logits = model.valid().forward(data.inputs.clone());
    let measured = measure(logits.clone(), data);
    read_metrics(objective_per_seed(objective, logits, data), measured)
}

/// Each seed's mean objective, `[seeds, 1, 1]`.
fn objective_per_seed(objective: Objective, logits: Tensor<3>, data: &StackedData) -> Tensor<3> {
    let per_point = match objective {
        Objective::CrossEntropy => (log_softmax(logits, 2) * data.one_hot.clone())
            .sum_dim(2)
            .neg(),
        Objective::Squared => MarginLoss::Squared.forward(margins(logits), data.labels.clone()),
        Objective::Hinge => MarginLoss::Hinge.forward(margins(logits), data.labels.clone()),
        Objective::Perceptron => (data.labels.clone() * margins(logits)).neg().clamp_min(0.0),
    };
    per_point.mean_dim(1)
}

/// `z1 - z0` per point, `[seeds, n, 1]`.
fn margins(logits: Tensor<3>) -> Tensor<3> {
    logits.clone().narrow(2, 1, 1) - logits.narrow(2, 0, 1)
}

/// Per seed: the accuracy and the four mean margin losses, `[seeds, 1, 5]`.
fn measure(logits: Tensor<3>, data: &StackedData) -> Tensor<3> {
    let predicted = logits
        .clone()
        .narrow(2, 1, 1)
        .greater(logits.clone().narrow(2, 0, 1));
    let accuracy = predicted
        .int()
        .equal(data.targets.clone())
        .float()
        .mean_dim(1);
    let margins = margins(logits);
    let mut parts = vec![accuracy];
    parts.extend(MarginLoss::ALL.map(|loss| {
        loss.forward(margins.clone(), data.labels.clone())
            .mean_dim(1)
    }));
    Tensor::cat(parts, 2)
}

/// Reads every seed's loss and measurements back in one transfer.
fn read_metrics(losses: Tensor<3>, measured: Tensor<3>) -> Result<Vec<EpochMetrics>> {
    let all = Tensor::cat(
        vec![losses.without_autodiff(), measured.without_autodiff()],
        2,
    );
    let values = read_floats(all)?;
    Ok(values
        .chunks_exact(6)
        .map(|v| {
            let v: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
            EpochMetrics {
                loss: v[0],
                accuracy: v[1],
                margin_losses: [v[2], v[3], v[4], v[5]],
            }
        })
        .collect())
}
