//! The four margin losses of a binary classifier, and the cross-entropy the network trains with.
//!
//! A classifier scores a point with a real number `g`, the margin; with a label `y` of -1 or +1
//! the product `y * g` is positive exactly when the point is classified correctly. Each loss is a
//! function of `g` and `y`:
//!
//! ```text
//! zero-one (perceptron)   0 if y*g > 0, else 1
//! squared error           (y - g)^2
//! binary cross-entropy    ln(1 + exp(-y*g))      = softplus(-y*g)
//! hinge                   max(0, 1 - y*g)
//! ```
//!
//! For a network with two logits `(z0, z1)` the margin is `g = z1 - z0`, and binary cross-entropy
//! on that margin equals the two-class softmax cross-entropy the exercise trains with.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Tensor;
use burn::tensor::activation::log_softmax;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A loss on the margin `g` of a point with label `y` (-1 or +1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarginLoss {
    /// The perceptron's zero-one loss: 1 for a mistake (`y*g <= 0`), else 0. A point on the
    /// boundary counts as a mistake.
    ZeroOne,
    /// The squared error `(y - g)^2`; it also punishes points classified right with `|g| > 1`.
    Squared,
    /// Binary cross-entropy (logistic loss) `ln(1 + exp(-y*g))`.
    BinaryCrossEntropy,
    /// The hinge loss `max(0, 1 - y*g)` of support vector machines.
    Hinge,
}

impl MarginLoss {
    /// Every margin loss, in the order the exercise lists them.
    pub const ALL: [MarginLoss; 4] = [
        MarginLoss::ZeroOne,
        MarginLoss::Squared,
        MarginLoss::BinaryCrossEntropy,
        MarginLoss::Hinge,
    ];

    /// The loss's name as written in configs: `zero_one`, `squared`, `binary_cross_entropy` or
    /// `hinge`.
    pub fn name(self) -> &'static str {
        match self {
            MarginLoss::ZeroOne => "zero_one",
            MarginLoss::Squared => "squared",
            MarginLoss::BinaryCrossEntropy => "binary_cross_entropy",
            MarginLoss::Hinge => "hinge",
        }
    }

    /// The loss of one point with margin `margin` and label `label` (-1 or +1).
    ///
    /// Binary cross-entropy is computed as `max(x, 0) + ln(1 + exp(-|x|))` with `x = -y*g`, which
    /// neither overflows nor loses the small values for large `|g|`.
    pub fn value(self, margin: f64, label: i8) -> f64 {
        let y = f64::from(label);
        match self {
            MarginLoss::ZeroOne => {
                if y * margin > 0.0 {
                    0.0
                } else {
                    1.0
                }
            }
            MarginLoss::Squared => (y - margin).powi(2),
            MarginLoss::BinaryCrossEntropy => softplus(-y * margin),
            MarginLoss::Hinge => (1.0 - y * margin).max(0.0),
        }
    }

    /// The loss of each point of a batch, element-wise.
    ///
    /// # Shapes
    ///
    /// - `margins`: any shape, for example `[n]`
    /// - `labels`: the same shape, each -1.0 or +1.0
    /// - output: the same shape
    pub fn forward<const D: usize>(self, margins: Tensor<D>, labels: Tensor<D>) -> Tensor<D> {
        let signed = labels.clone() * margins.clone();
        match self {
            MarginLoss::ZeroOne => signed.lower_equal_elem(0.0).float(),
            MarginLoss::Squared => (labels - margins).square(),
            MarginLoss::BinaryCrossEntropy => {
                let x = signed.neg();
                x.clone().clamp_min(0.0) + x.abs().neg().exp().log1p()
            }
            MarginLoss::Hinge => signed.neg().add_scalar(1.0).clamp_min(0.0),
        }
    }
}

impl fmt::Display for MarginLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MarginLoss {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        MarginLoss::ALL
            .into_iter()
            .find(|loss| loss.name() == name)
            .ok_or_else(|| Error::UnknownLoss {
                name: name.to_owned(),
            })
    }
}

/// What a network is trained to minimise: a mean over the batch.
///
/// ```text
/// cross_entropy   -ln(softmax(z)[t])              the exercise's objective
/// squared         (y - g)^2
/// hinge           max(0, 1 - y*g)
/// perceptron      max(0, -y*g)                    the perceptron criterion
/// ```
///
/// with logits `z`, target class `t`, margin `g = z1 - z0` and label `y`. Cross-entropy equals
/// binary cross-entropy on the margin. The zero-one loss is not an objective: its gradient is
/// zero wherever it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Objective {
    /// Softmax cross-entropy on the two logits, as PyTorch's `CrossEntropyLoss`.
    #[default]
    CrossEntropy,
    /// Squared error on the margin.
    Squared,
    /// Hinge loss on the margin.
    Hinge,
    /// The perceptron criterion: the hinge without its margin of 1.
    Perceptron,
}

impl Objective {
    /// Every objective.
    pub const ALL: [Objective; 4] = [
        Objective::CrossEntropy,
        Objective::Squared,
        Objective::Hinge,
        Objective::Perceptron,
    ];

    /// The name as written in configs: `cross_entropy`, `squared`, `hinge` or `perceptron`.
    pub fn name(self) -> &'static str {
        match self {
            Objective::CrossEntropy => "cross_entropy",
            Objective::Squared => "squared",
            Objective::Hinge => "hinge",
            Objective::Perceptron => "perceptron",
        }
    }

    /// The mean objective over a batch.
    ///
    /// # Shapes
    ///
    /// - `logits`: `[n, 2]`
    /// - `one_hot`: `[n, 2]`, the target classes one-hot encoded
    /// - `labels`: `[n]`, -1.0 or +1.0
    /// - output: `[1]`
    pub fn forward(self, logits: Tensor<2>, one_hot: Tensor<2>, labels: Tensor<1>) -> Tensor<1> {
        match self {
            Objective::CrossEntropy => cross_entropy(logits, one_hot),
            Objective::Squared => MarginLoss::Squared.forward(margins(logits), labels).mean(),
            Objective::Hinge => MarginLoss::Hinge.forward(margins(logits), labels).mean(),
            Objective::Perceptron => (labels * margins(logits)).neg().clamp_min(0.0).mean(),
        }
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Objective {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        if name == MarginLoss::ZeroOne.name() {
            return Err(Error::UntrainableLoss {
                name: name.to_owned(),
            });
        }
        Objective::ALL
            .into_iter()
            .find(|objective| objective.name() == name)
            .ok_or_else(|| Error::UnknownObjective {
                name: name.to_owned(),
            })
    }
}

impl Serialize for Objective {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Objective {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// `ln(1 + exp(x))`, without overflow for large `x`.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The margin `z1 - z0` of each row of two-logit outputs.
///
/// # Shapes
///
/// - `logits`: `[n, 2]`
/// - output: `[n]`
pub fn margins(logits: Tensor<2>) -> Tensor<1> {
    let [n, _] = logits.dims();
    let z0 = logits.clone().narrow(1, 0, 1);
    let z1 = logits.narrow(1, 1, 1);
    (z1 - z0).reshape([n])
}

/// The mean softmax cross-entropy of a batch, as PyTorch's `CrossEntropyLoss`:
///
/// ```text
/// loss = -1/n * sum_i ln(softmax(logits_i)[t_i])
/// ```
///
/// # Shapes
///
/// - `logits`: `[n, c]`
/// - `one_hot`: `[n, c]`, row `i` is 1 at the target class `t_i` and 0 elsewhere
/// - output: `[1]`
pub fn cross_entropy(logits: Tensor<2>, one_hot: Tensor<2>) -> Tensor<1> {
    let [n, _] = logits.dims();
    (log_softmax(logits, 1) * one_hot)
        .sum()
        .div_scalar(-(n as f64))
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    fn device() -> Device {
        crate::backend::cpu_device()
    }

    fn values(tensor: Tensor<1>) -> Vec<f32> {
        tensor.try_into_vec_as::<f32>().unwrap()
    }

    #[test]
    fn softplus_is_stable_for_large_arguments() {
        assert_eq!(softplus(1000.0), 1000.0);
        assert!(softplus(-1000.0) >= 0.0 && softplus(-1000.0) < 1e-300);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
        for g in [-1000.0, 1000.0] {
            for y in [-1, 1] {
                assert!(MarginLoss::BinaryCrossEntropy.value(g, y).is_finite());
            }
        }
    }

    #[test]
    fn boundary_counts_as_a_mistake() {
        assert_eq!(MarginLoss::ZeroOne.value(0.0, 1), 1.0);
        assert_eq!(MarginLoss::ZeroOne.value(0.0, -1), 1.0);
        assert_eq!(MarginLoss::ZeroOne.value(-0.5, -1), 0.0);
    }

    #[test]
    fn objectives_parse_and_zero_one_is_refused() {
        for objective in Objective::ALL {
            assert_eq!(objective.name().parse::<Objective>().unwrap(), objective);
        }
        let error = "zero_one".parse::<Objective>().unwrap_err();
        assert!(error.to_string().contains("no gradient"), "{error}");
        assert!(matches!(
            "l1".parse::<Objective>(),
            Err(Error::UnknownObjective { .. })
        ));
    }

    #[test]
    fn objectives_are_the_mean_margin_losses() {
        let device = device();
        let logits = [[0.3f32, -1.2], [2.0, 2.5], [-4.0, 3.0], [10.0, -10.0]];
        let labels = [1i8, -1, 1, -1];
        let logits_tensor = Tensor::<2>::from_data(TensorData::from(logits), &device);
        let one_hot: Vec<f32> = labels
            .iter()
            .flat_map(|&l| if l > 0 { [0.0, 1.0] } else { [1.0, 0.0] })
            .collect();
        let one_hot = Tensor::<2>::from_data(TensorData::new(one_hot, [4, 2]), &device);
        let y: Vec<f32> = labels.iter().map(|&l| f32::from(l)).collect();
        let y = Tensor::<1>::from_data(TensorData::new(y, [4]), &device);
        let mean = |f: &dyn Fn(f64, f64) -> f64| {
            logits
                .iter()
                .zip(labels)
                .map(|(z, l)| f(f64::from(z[1] - z[0]), f64::from(l)))
                .sum::<f64>()
                / 4.0
        };
        let expected = [
            mean(&|g, y| (-y * g).max(0.0) + (-(y * g).abs()).exp().ln_1p()),
            mean(&|g, y| (y - g).powi(2)),
            mean(&|g, y| (1.0 - y * g).max(0.0)),
            mean(&|g, y| (-y * g).max(0.0)),
        ];
        for (objective, expected) in Objective::ALL.into_iter().zip(expected) {
            let got = objective.forward(logits_tensor.clone(), one_hot.clone(), y.clone());
            let got = f64::from(values(got)[0]);
            assert!(
                (got - expected).abs() < 1e-4 * expected.max(1.0),
                "{objective}: {got}"
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for loss in MarginLoss::ALL {
            assert_eq!(loss.name().parse::<MarginLoss>().unwrap(), loss);
        }
        let error = "cubic".parse::<MarginLoss>().unwrap_err();
        assert!(error.to_string().contains("\"cubic\""), "{error}");
    }

    #[test]
    fn tensor_form_matches_the_scalar_form() {
        let device = device();
        let margins: [f32; 9] = [-1000.0, -2.5, -1.0, -0.7, 0.0, 0.3, 1.0, 6.1, 1000.0];
        for label in [-1i8, 1] {
            let g = Tensor::<1>::from_data(TensorData::from(margins), &device);
            let y = Tensor::<1>::ones([margins.len()], &device).mul_scalar(f32::from(label));
            for loss in MarginLoss::ALL {
                let got = values(loss.forward(g.clone(), y.clone()));
                for (&margin, got) in margins.iter().zip(got) {
                    let expected = loss.value(f64::from(margin), label);
                    let tolerance = 1e-5 * expected.abs().max(1.0);
                    assert!(
                        (f64::from(got) - expected).abs() <= tolerance,
                        "{loss} at g = {margin}, y = {label}: {got} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn cross_entropy_on_two_logits_is_bce_on_the_margin() {
        let device = device();
        let logits = [[0.3f32, -1.2], [2.0, 2.5], [-4.0, 3.0], [10.0, -10.0]];
        let classes = [1usize, 0, 1, 0];
        let one_hot: Vec<f32> = classes
            .iter()
            .flat_map(|&c| if c == 1 { [0.0, 1.0] } else { [1.0, 0.0] })
            .collect();
        let logits_tensor = Tensor::<2>::from_data(TensorData::from(logits), &device);
        let one_hot = Tensor::<2>::from_data(TensorData::new(one_hot, [4, 2]), &device);

        let got = values(cross_entropy(logits_tensor.clone(), one_hot))[0];

        let expected: f64 = logits
            .iter()
            .zip(classes)
            .map(|(z, c)| {
                let label = if c == 1 { 1 } else { -1 };
                MarginLoss::BinaryCrossEntropy.value(f64::from(z[1] - z[0]), label)
            })
            .sum::<f64>()
            / 4.0;
        assert!(
            (f64::from(got) - expected).abs() < 1e-5,
            "{got} vs {expected}"
        );

        let margins = values(margins(logits_tensor));
        assert_eq!(margins, vec![-1.5, 0.5, 7.0, -20.0]);
    }
}
