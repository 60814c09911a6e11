//! The training loop written out by hand for the CPU, below burn's tensor operations.
//!
//! On networks this small an epoch's time goes to the framework's per-operation cost, not to
//! arithmetic. This module computes the same epoch as [`crate::train`] (forward pass, the
//! objective and its gradient, backpropagation, Adam with PyTorch's update) in plain `f32`
//! loops on one thread, with no allocation per epoch beyond its buffers. [`crate::train`]
//! stays the reference: a test holds this loop's history to burn's within float tolerance.
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
//! It runs on one CPU thread, so on large data sets (thousands of points, wide layers) burn's
//! multi-threaded matrix products on flex are faster.

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

    /// Every layer's output after its activation (the last layer's are the logits), `[n, d]`.
    fn forward(&self, inputs: &[f32], n: usize) -> Vec<Vec<f32>> {
        let last = self.layers.len() - 1;
        let mut outputs: Vec<Vec<f32>> = Vec::with_capacity(self.layers.len());
        for (index, layer) in self.layers.iter().enumerate() {
            let input = if index == 0 {
                inputs
            } else {
                &outputs[index - 1]
            };
            let (d_in, d_out) = (layer.d_input, layer.d_output);
            let mut output = vec![0.0f32; n * d_out];
            for (row, out) in output.chunks_exact_mut(d_out).enumerate() {
                out.copy_from_slice(&layer.bias);
                for (k, &x) in input[row * d_in..(row + 1) * d_in].iter().enumerate() {
                    for (o, &w) in out
                        .iter_mut()
                        .zip(&layer.weight[k * d_out..(k + 1) * d_out])
                    {
                        *o += x * w;
                    }
                }
            }
            if index < last {
                output
                    .iter_mut()
                    .for_each(|v| *v = activate(self.activation, *v));
            }
            outputs.push(output);
        }
        outputs
    }

    fn train_epoch(
        &mut self,
        batch: &Batch,
        objective: Objective,
        learning_rate: f32,
    ) -> EpochMetrics {
        let outputs = self.forward(&batch.inputs, batch.len());
        let logits = &outputs[outputs.len() - 1];
        let metrics = measure(logits, &batch.labels, objective);

        let mut delta = objective_gradient(logits, &batch.labels, objective);
        self.step += 1;
        for index in (0..self.layers.len()).rev() {
            let input: &[f32] = if index == 0 {
                &batch.inputs
            } else {
                &outputs[index - 1]
            };
            let layer = &self.layers[index];
            let (weight_gradient, bias_gradient) = parameter_gradients(layer, input, &delta);
            if index > 0 {
                delta = input_gradient(layer, input, &delta, self.activation);
            }
            let (layer, step) = (&mut self.layers[index], self.step);
            let weight_moments = &mut self.weight_moments[index];
            adam(
                &mut layer.weight,
                &weight_gradient,
                weight_moments,
                step,
                learning_rate,
            );
            let bias_moments = &mut self.bias_moments[index];
            adam(
                &mut layer.bias,
                &bias_gradient,
                bias_moments,
                step,
                learning_rate,
            );
        }
        metrics
    }

    fn evaluate(&self, batch: &Batch, objective: Objective) -> EpochMetrics {
        let outputs = self.forward(&batch.inputs, batch.len());
        measure(&outputs[outputs.len() - 1], &batch.labels, objective)
    }
}

/// The gradients of a layer's weights and biases, given its input rows and the gradient at its
/// output (`delta`, before this layer, `[n, d_output]`).
fn parameter_gradients(
    layer: &LayerParameters,
    input: &[f32],
    delta: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    let (d_in, d_out) = (layer.d_input, layer.d_output);
    let mut weight_gradient = vec![0.0f32; d_in * d_out];
    let mut bias_gradient = vec![0.0f32; d_out];
    for (x_row, d) in input.chunks_exact(d_in).zip(delta.chunks_exact(d_out)) {
        for (b, &g) in bias_gradient.iter_mut().zip(d) {
            *b += g;
        }
        for (gradient_row, &x) in weight_gradient.chunks_exact_mut(d_out).zip(x_row) {
            for (w, &g) in gradient_row.iter_mut().zip(d) {
                *w += x * g;
            }
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
) -> Vec<f32> {
    let (d_in, d_out) = (layer.d_input, layer.d_output);
    let mut previous = vec![0.0f32; input.len()];
    let rows = previous
        .chunks_exact_mut(d_in)
        .zip(input.chunks_exact(d_in));
    for ((out, x_row), d) in rows.zip(delta.chunks_exact(d_out)) {
        for ((o, &a), w) in out
            .iter_mut()
            .zip(x_row)
            .zip(layer.weight.chunks_exact(d_out))
        {
            let sum: f32 = w.iter().zip(d).map(|(w, g)| w * g).sum();
            *o = sum * activation_slope(activation, a);
        }
    }
    previous
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

/// The gradient of the mean objective with respect to each logit, `[n, 2]`.
fn objective_gradient(logits: &[f32], labels: &[f32], objective: Objective) -> Vec<f32> {
    let n = labels.len() as f32;
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

/// The objective, accuracy and margin losses of a batch's logits.
fn measure(logits: &[f32], labels: &[f32], objective: Objective) -> EpochMetrics {
    let n = labels.len() as f64;
    let mut correct = 0usize;
    let mut margin_losses = [0.0f64; 4];
    let mut loss = 0.0f64;
    for (z, &y) in logits.chunks_exact(2).zip(labels) {
        let g = f64::from(z[1] - z[0]);
        let positive = z[1] > z[0];
        correct += usize::from(positive == (y > 0.0));
        let label = if y > 0.0 { 1 } else { -1 };
        for (total, kind) in margin_losses.iter_mut().zip(MarginLoss::ALL) {
            *total += kind.value(g, label);
        }
        loss += match objective {
            Objective::CrossEntropy => MarginLoss::BinaryCrossEntropy.value(g, label),
            Objective::Squared => MarginLoss::Squared.value(g, label),
            Objective::Hinge => MarginLoss::Hinge.value(g, label),
            Objective::Perceptron => (-f64::from(y) * g).max(0.0),
        };
    }
    EpochMetrics {
        loss: loss / n,
        accuracy: correct as f64 / n,
        margin_losses: margin_losses.map(|total| total / n),
    }
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
