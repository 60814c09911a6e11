//! The training loop written out by hand for the CPU, below burn's tensor operations.
//!
//! On networks this small an epoch's time goes to the framework's per-operation cost, not to
//! arithmetic. This module computes the same epoch as [`crate::train`] (forward pass, the
//! objective and its gradient, backpropagation, Adam with PyTorch's update) in plain `f32`
//! loops and `gemm` matrix products, with no allocation per epoch beyond its buffers.
//! [`crate::train`] stays the reference: a test holds this loop's history to burn's within float
//! tolerance.
//!
//! ```
//! use pretrain_lab::{Experiment, native};
//!
//! let experiment = Experiment { n_pretrain_epochs: 5, n_train_epochs: 10, ..Experiment::default() };
//! let report = native::run(&experiment)?;
//! assert_eq!(report.outcome.history.test_acc.len(), 10);
//! # Ok::<(), pretrain_lab::Error>(())
//! ```
//!
//! # Limitations
//!
//! A batch of 512 rows or more is split into row chunks whose forward and backward passes run in
//! parallel on the current rayon pool; a smaller batch runs on one thread, and only its large
//! matrix products (through the `gemm` crate, the one burn-flex uses) spread over the pool. The
//! Adam step always runs on one thread. The chunks depend on the batch size alone and their sums
//! are added in order, so a run gives the same bits whatever the number of threads; but its sums
//! run in another order than burn's, so results agree with burn's to float tolerance, not
//! bitwise.

use std::ops::Range;

use rayon::prelude::*;

use crate::backend;
use crate::data::LabeledPoints;
use crate::error::Result;
use crate::experiment::{Experiment, Report};
use crate::loss::{MarginLoss, Objective};
use crate::model::{Activation, LEAKY_RELU_SLOPE, LayerParameters, Mlp, init_rng};
use crate::train::{
    Control, EpochMetrics, EpochReport, History, Observer, Outcome, Phase, RunEnd, after_epoch,
};

/// Adam's betas, as in [`crate::train`].
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;

/// Runs `experiment` with the hand-written loop; as [`Experiment::run`].
///
/// # Errors
///
/// As [`run_with`].
pub fn run(experiment: &Experiment) -> Result<Report> {
    run_with(experiment, &mut |_: &EpochReport| Control::Continue)
}

/// Runs `experiment` with the hand-written loop, showing every epoch to `observer`; as
/// [`Experiment::run_with`]. The networks in the report live on [`backend::cpu_device`].
///
/// # Errors
///
/// The errors of [`Experiment::validate`].
pub fn run_with(experiment: &Experiment, observer: &mut impl Observer) -> Result<Report> {
    let data = experiment.data()?;
    let initial = experiment
        .mlp_config()
        .initial_parameters(&mut init_rng(experiment.seed))?;
    let mut network = Network::new(initial, experiment.activation);
    let (objective, learning_rate) = (experiment.objective, experiment.learning_rate as f32);
    let mut history = History::default();
    let mut end = RunEnd::Completed;

    let pretrain = Batch::new(&data.pretrain);
    for epoch in 0..experiment.n_pretrain_epochs {
        let train = network.train_epoch(&pretrain, objective, learning_rate);
        let n_epochs = experiment.n_pretrain_epochs;
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
    let pretrained = network.layers.clone();

    if end.is_completed() {
        let (train_set, test_set) = (
            Batch::new(&data.spiral.train),
            Batch::new(&data.spiral.test),
        );
        for epoch in 0..experiment.n_train_epochs {
            let train = network.train_epoch(&train_set, objective, learning_rate);
            let test = Some(network.evaluate(&test_set, objective));
            let n_epochs = experiment.n_train_epochs;
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

    let device = backend::cpu_device();
    let activation = experiment.activation;
    let outcome = Outcome {
        pretrained: Mlp::from_parameters(&pretrained, activation, &device)?,
        trained: Mlp::from_parameters(&network.layers, activation, &device)?,
        history,
        end,
    };
    Ok(Report {
        experiment: experiment.clone(),
        data,
        outcome,
    })
}

/// A data set as flat rows.
struct Batch {
    /// `[n, 2]`, row-major.
    inputs: Vec<f32>,
    /// -1.0 or +1.0 per point.
    labels: Vec<f32>,
}

impl Batch {
    fn new(points: &LabeledPoints) -> Self {
        Self {
            inputs: points.points.iter().flatten().copied().collect(),
            labels: points.labels.iter().map(|&l| f32::from(l)).collect(),
        }
    }

    fn len(&self) -> usize {
        self.labels.len()
    }
}

/// Adam's moments of one parameter tensor.
#[derive(Clone)]
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
}

struct Network {
    layers: Vec<LayerParameters>,
    activation: Activation,
    weight_moments: Vec<Moments>,
    bias_moments: Vec<Moments>,
    step: i32,
}

impl Network {
    fn new(layers: Vec<LayerParameters>, activation: Activation) -> Self {
        let zeros = |n: usize| Moments {
            first: vec![0.0; n],
            second: vec![0.0; n],
        };
        let weight_moments = layers.iter().map(|l| zeros(l.weight.len())).collect();
        let bias_moments = layers.iter().map(|l| zeros(l.bias.len())).collect();
        Self {
            layers,
            activation,
            weight_moments,
            bias_moments,
            step: 0,
        }
    }

    /// Every layer's output after its activation (the last layer's are the logits), `[n, d]`,
    /// for the `n` rows of `inputs`.
    fn forward(&self, inputs: &[f32], n: usize, threads: Threads) -> Vec<Vec<f32>> {
        let last = self.layers.len() - 1;
        let mut outputs: Vec<Vec<f32>> = Vec::with_capacity(self.layers.len());
        for (index, layer) in self.layers.iter().enumerate() {
            let input = if index == 0 {
                inputs
            } else {
                &outputs[index - 1]
            };
            let (d_in, d_out) = (layer.d_input, layer.d_output);
            let mut output = layer.bias.repeat(n);
            multiply(
                &mut output,
                Matrix::new(input, n, d_in),
                Matrix::new(&layer.weight, d_in, d_out),
                true,
                threads,
            );
            if index < last {
                output
                    .iter_mut()
                    .for_each(|v| *v = activate(self.activation, *v));
            }
            outputs.push(output);
        }
        outputs
    }

    /// The gradients of the batch's mean objective over the rows in `rows` (their share of the
    /// mean, so that the shares of all rows add up to the whole), and the rows' sums of the
    /// measured quantities.
    fn gradients(
        &self,
        batch: &Batch,
        rows: Range<usize>,
        objective: Objective,
        threads: Threads,
    ) -> (Gradients, Sums) {
        let inputs = &batch.inputs[2 * rows.start..2 * rows.end];
        let labels = &batch.labels[rows.clone()];
        let outputs = self.forward(inputs, rows.len(), threads);
        let logits = &outputs[outputs.len() - 1];
        let sums = Sums::measure(logits, labels, objective);

        let mut delta = objective_gradient(logits, labels, batch.len(), objective);
        let mut gradients = Gradients {
            weights: Vec::with_capacity(self.layers.len()),
            biases: Vec::with_capacity(self.layers.len()),
        };
        for index in (0..self.layers.len()).rev() {
            let input: &[f32] = if index == 0 {
                inputs
            } else {
                &outputs[index - 1]
            };
            let layer = &self.layers[index];
            let (weight, bias) = parameter_gradients(layer, input, &delta, threads);
            if index > 0 {
                delta = input_gradient(layer, input, &delta, self.activation, threads);
            }
            gradients.weights.push(weight);
            gradients.biases.push(bias);
        }
        gradients.weights.reverse();
        gradients.biases.reverse();
        (gradients, sums)
    }

    fn train_epoch(
        &mut self,
        batch: &Batch,
        objective: Objective,
        learning_rate: f32,
    ) -> EpochMetrics {
        let (gradients, sums) = over_chunks(batch.len(), |rows, threads| {
            self.gradients(batch, rows, objective, threads)
        })
        .into_iter()
        .reduce(|(mut gradients, mut sums), (more_gradients, more_sums)| {
            gradients.add(&more_gradients);
            sums.add(&more_sums);
            (gradients, sums)
        })
        .expect("a batch has at least one chunk");

        self.step += 1;
        let step = self.step;
        for (index, layer) in self.layers.iter_mut().enumerate() {
            let moments = &mut self.weight_moments[index];
            let gradient = &gradients.weights[index];
            adam(&mut layer.weight, gradient, moments, step, learning_rate);
            let moments = &mut self.bias_moments[index];
            let gradient = &gradients.biases[index];
            adam(&mut layer.bias, gradient, moments, step, learning_rate);
        }
        sums.metrics(batch.len())
    }

    fn evaluate(&self, batch: &Batch, objective: Objective) -> EpochMetrics {
        over_chunks(batch.len(), |rows, threads| {
            let inputs = &batch.inputs[2 * rows.start..2 * rows.end];
            let outputs = self.forward(inputs, rows.len(), threads);
            Sums::measure(&outputs[outputs.len() - 1], &batch.labels[rows], objective)
        })
        .into_iter()
        .reduce(|mut sums, more| {
            sums.add(&more);
            sums
        })
        .expect("a batch has at least one chunk")
        .metrics(batch.len())
    }
}

/// The fewest rows in a chunk when a batch is split: a batch of fewer than twice this many runs
/// as one chunk.
const ROWS_PER_CHUNK: usize = 256;

/// At most this many chunks: a power of two, so that they share out evenly over 2, 4, 8 or 16
/// threads.
const MAX_CHUNKS: usize = 16;

/// Runs `work` on consecutive row ranges of a batch of `n` rows and returns its results in row
/// order.
///
/// The ranges depend on `n` alone: a power of two of them, each of at least [`ROWS_PER_CHUNK`]
/// rows where `n` allows, run in parallel on the current rayon pool. The results are then the
/// same whatever the number of threads. A batch of one chunk runs here, and its matrix products
/// may use the pool instead ([`Threads::Pool`]).
fn over_chunks<T: Send>(n: usize, work: impl Fn(Range<usize>, Threads) -> T + Sync) -> Vec<T> {
    let wanted = (n / ROWS_PER_CHUNK).clamp(1, MAX_CHUNKS);
    let chunks = 1 << wanted.ilog2();
    if chunks == 1 {
        return vec![work(0..n, Threads::Pool)];
    }
    let bounds = |i: usize| i * n / chunks;
    (0..chunks)
        .into_par_iter()
        .map(|i| work(bounds(i)..bounds(i + 1), Threads::One))
        .collect()
}

/// Whether a matrix product may spread over the current rayon pool.
#[derive(Clone, Copy)]
enum Threads {
    One,
    Pool,
}

/// The gradient of each layer's weights and biases, input side first.
struct Gradients {
    weights: Vec<Vec<f32>>,
    biases: Vec<Vec<f32>>,
}

impl Gradients {
    fn add(&mut self, other: &Self) {
        let pairs = self
            .weights
            .iter_mut()
            .zip(&other.weights)
            .chain(self.biases.iter_mut().zip(&other.biases));
        for (sum, more) in pairs {
            sum.iter_mut().zip(more).for_each(|(s, m)| *s += m);
        }
    }
}

/// Sums over some rows of what an epoch measures: the objective, the correct predictions and
/// the four margin losses.
#[derive(Clone, Copy)]
struct Sums {
    loss: f64,
    correct: usize,
    margin_losses: [f64; 4],
}

impl Sums {
    /// The sums over rows with these logits (`[n, 2]`) and labels.
    fn measure(logits: &[f32], labels: &[f32], objective: Objective) -> Self {
        let mut sums = Self {
            loss: 0.0,
            correct: 0,
            margin_losses: [0.0; 4],
        };
        for (z, &y) in logits.chunks_exact(2).zip(labels) {
            let g = f64::from(z[1] - z[0]);
            let positive = z[1] > z[0];
            sums.correct += usize::from(positive == (y > 0.0));
            let label = if y > 0.0 { 1 } else { -1 };
            for (total, kind) in sums.margin_losses.iter_mut().zip(MarginLoss::ALL) {
                *total += kind.value(g, label);
            }
            sums.loss += match objective {
                Objective::CrossEntropy => MarginLoss::BinaryCrossEntropy.value(g, label),
                Objective::Squared => MarginLoss::Squared.value(g, label),
                Objective::Hinge => MarginLoss::Hinge.value(g, label),
                Objective::Perceptron => (-f64::from(y) * g).max(0.0),
            };
        }
        sums
    }

    fn add(&mut self, other: &Self) {
        self.loss += other.loss;
        self.correct += other.correct;
        for (total, more) in self.margin_losses.iter_mut().zip(other.margin_losses) {
            *total += more;
        }
    }

    /// The means over a batch of `n` rows.
    fn metrics(&self, n: usize) -> EpochMetrics {
        let n = n as f64;
        EpochMetrics {
            loss: self.loss / n,
            accuracy: self.correct as f64 / n,
            margin_losses: self.margin_losses.map(|total| total / n),
        }
    }
}

/// The gradients of a layer's weights and biases, given its input rows and the gradient at its
/// output (`delta`, before this layer, `[n, d_output]`).
fn parameter_gradients(
    layer: &LayerParameters,
    input: &[f32],
    delta: &[f32],
    threads: Threads,
) -> (Vec<f32>, Vec<f32>) {
    let (d_in, d_out) = (layer.d_input, layer.d_output);
    let n = delta.len() / d_out;
    let mut weight_gradient = vec![0.0f32; d_in * d_out];
    multiply(
        &mut weight_gradient,
        Matrix::new(input, n, d_in).transposed(),
        Matrix::new(delta, n, d_out),
        false,
        threads,
    );
    let mut bias_gradient = vec![0.0f32; d_out];
    for d in delta.chunks_exact(d_out) {
        for (b, &g) in bias_gradient.iter_mut().zip(d) {
            *b += g;
        }
    }
    (weight_gradient, bias_gradient)
}

/// The gradient at the output of the layer before: `delta * weight^T`, times the slope of the
/// activation that produced `input`.
fn input_gradient(
    layer: &LayerParameters,
    input: &[f32],
    delta: &[f32],
    activation: Activation,
    threads: Threads,
) -> Vec<f32> {
    let (d_in, d_out) = (layer.d_input, layer.d_output);
    let n = delta.len() / d_out;
    let mut previous = vec![0.0f32; input.len()];
    multiply(
        &mut previous,
        Matrix::new(delta, n, d_out),
        Matrix::new(&layer.weight, d_in, d_out).transposed(),
        false,
        threads,
    );
    for (o, &a) in previous.iter_mut().zip(input) {
        *o *= activation_slope(activation, a);
    }
    previous
}

/// A read-only view of a matrix stored row-major in a slice, possibly read transposed.
#[derive(Clone, Copy)]
struct Matrix<'a> {
    data: &'a [f32],
    rows: usize,
    columns: usize,
    row_stride: isize,
    column_stride: isize,
}

impl<'a> Matrix<'a> {
    /// The `rows x columns` matrix stored row-major in `data`.
    fn new(data: &'a [f32], rows: usize, columns: usize) -> Self {
        assert_eq!(data.len(), rows * columns, "a {rows}x{columns} matrix");
        Self {
            data,
            rows,
            columns,
            row_stride: columns as isize,
            column_stride: 1,
        }
    }

    /// The same data read as the transposed matrix.
    fn transposed(self) -> Self {
        Self {
            rows: self.columns,
            columns: self.rows,
            row_stride: self.column_stride,
            column_stride: self.row_stride,
            ..self
        }
    }
}

/// Matrix products of at least this many multiply-adds may run on every thread of the current
/// rayon pool; smaller ones are faster on one.
const PARALLEL_MULTIPLY_ADDS: usize = 1 << 22;

/// `output = a * b`, or `output += a * b` when `accumulate`; `output` is row-major, `[a.rows,
/// b.columns]`.
fn multiply(output: &mut [f32], a: Matrix<'_>, b: Matrix<'_>, accumulate: bool, threads: Threads) {
    let (m, k, n) = (a.rows, a.columns, b.columns);
    assert_eq!(b.rows, k, "inner dimensions of a matrix product");
    assert_eq!(output.len(), m * n, "the output of a matrix product");
    let parallelism = if matches!(threads, Threads::Pool) && m * k * n >= PARALLEL_MULTIPLY_ADDS {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: `Matrix::new` checked that each input slice holds its `rows x columns` elements,
    // and both views' strides address only those elements; the assertions above give `output`
    // exactly `m x n` elements at row stride `n`. `output` is borrowed mutably, so it aliases
    // neither input, and `f32` is one of the element types gemm supports.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            output.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.column_stride,
            a.row_stride,
            b.data.as_ptr(),
            b.column_stride,
            b.row_stride,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

fn activate(activation: Activation, x: f32) -> f32 {
    match activation {
        Activation::Tanh => tanh(x),
        Activation::Relu => x.max(0.0),
        Activation::Sigmoid => 1.0 / (1.0 + exp(-x)),
        Activation::LeakyRelu => {
            if x >= 0.0 {
                x
            } else {
                LEAKY_RELU_SLOPE as f32 * x
            }
        }
        Activation::Identity => x,
    }
}

/// `tanh(x)` in `f32`, within 3e-7 of the exact value, in straight-line code the compiler can
/// vectorise (the C library's `tanhf` took more than half of an epoch):
///
/// ```text
/// tanh(x) = x - x^3/3 + 2x^5/15 - 17x^7/315                    for |x| < 1/16
/// tanh(x) = sign(x) * (1 - 2 / (exp(2|x|) + 1))                 otherwise, |x| clamped to 10
/// ```
fn tanh(x: f32) -> f32 {
    let a = x.abs().min(10.0);
    if a < 0.0625 {
        let x2 = x * x;
        x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 - x2 * (17.0 / 315.0))))
    } else {
        (1.0 - 2.0 / (exp(2.0 * a) + 1.0)).copysign(x)
    }
}

/// `exp(x)` in `f32` for `x` in [-87, 88] (clamped), within 2 ulp: `exp(x) = 2^k * exp(r)` with
/// `k = round(x / ln 2)`, `|r| <= ln 2 / 2` and `exp(r)` by its Taylor series to `r^7`.
fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4; // 355/512: k * LN2_HI is exact for the k used here
    const LN2_LO: f32 = (std::f64::consts::LN_2 - 0.693_359_375) as f32;
    const ROUNDER: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.0, 88.0);
    let k = (x * std::f32::consts::LOG2_E + ROUNDER) - ROUNDER;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0 / 5040.0;
    for c in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    p * f32::from_bits(((k as i32 + 127) as u32) << 23)
}

/// The activation's derivative, from its output `a`.
fn activation_slope(activation: Activation, a: f32) -> f32 {
    match activation {
        Activation::Tanh => 1.0 - a * a,
        Activation::Relu => f32::from(u8::from(a > 0.0)),
        Activation::Sigmoid => a * (1.0 - a),
        Activation::LeakyRelu => {
            if a > 0.0 {
                1.0
            } else {
                LEAKY_RELU_SLOPE as f32
            }
        }
        Activation::Identity => 1.0,
    }
}

/// The gradient of a batch's mean objective with respect to each logit of some of its rows,
/// `[rows, 2]`, where the whole batch has `n` rows.
fn objective_gradient(logits: &[f32], labels: &[f32], n: usize, objective: Objective) -> Vec<f32> {
    let n = n as f32;
    let mut gradient = Vec::with_capacity(logits.len());
    for (z, &y) in logits.chunks_exact(2).zip(labels) {
        let g = z[1] - z[0];
        let d_margin = match objective {
            Objective::CrossEntropy => {
                // d/dz of -ln softmax(z)[t] is softmax(z) - onehot(t); with two logits that is
                // (p1 - t1) for z1 and its negative for z0, where p1 = sigmoid(g).
                let p1 = 1.0 / (1.0 + exp(-g));
                p1 - f32::from(u8::from(y > 0.0))
            }
            Objective::Squared => -2.0 * (y - g),
            Objective::Hinge => {
                if 1.0 - y * g > 0.0 {
                    -y
                } else {
                    0.0
                }
            }
            Objective::Perceptron => {
                if -y * g > 0.0 {
                    -y
                } else {
                    0.0
                }
            }
        };
        gradient.push(-d_margin / n);
        gradient.push(d_margin / n);
    }
    gradient
}

/// One Adam step in burn's form, which equals PyTorch's:
///
/// ```text
/// m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
/// p -= lr * m * (sqrt(1-b2^t) / (1-b1^t)) / (sqrt(v) + eps*sqrt(1-b2^t))
/// ```
fn adam(
    parameters: &mut [f32],
    gradient: &[f32],
    moments: &mut Moments,
    step: i32,
    learning_rate: f32,
) {
    let correction_2 = (1.0 - BETA_2.powi(step)).sqrt();
    let factor = correction_2 / (1.0 - BETA_1.powi(step));
    let epsilon = crate::train::ADAM_EPSILON * correction_2;
    let state = parameters
        .iter_mut()
        .zip(gradient)
        .zip(moments.first.iter_mut().zip(&mut moments.second));
    for ((p, &g), (m, v)) in state {
        *m = BETA_1 * *m + (1.0 - BETA_1) * g;
        *v = BETA_2 * *v + (1.0 - BETA_2) * g * g;
        *p -= learning_rate * (*m * factor / (v.sqrt() + epsilon));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_and_exp_stay_within_their_error_bounds() {
        let mut worst_tanh = 0.0f64;
        let mut worst_exp = 0.0f64;
        for i in -2_000_000..=2_000_000 {
            let x = i as f32 * 1e-5;
            let exact = f64::from(x).tanh();
            worst_tanh = worst_tanh.max((f64::from(tanh(x)) - exact).abs());
            let y = x * 4.0;
            let exact = f64::from(y).exp();
            worst_exp = worst_exp.max(((f64::from(exp(y)) - exact) / exact).abs());
        }
        assert!(worst_tanh < 3e-7, "tanh is off by {worst_tanh}");
        assert!(worst_exp < 2.5e-7, "exp is off by {worst_exp} relative");
        assert_eq!(tanh(20.0), 1.0);
        assert_eq!(tanh(-20.0), -1.0);
        assert_eq!(tanh(0.0), 0.0);
        assert!(exp(-200.0) >= 0.0 && exp(200.0).is_finite());
    }
}
