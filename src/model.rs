//! The multilayer perceptron: 2 inputs, hidden layers, 2 logits.
//!
//! The initial weights and biases are drawn on the host from a seed and then loaded into the
//! module, so every backend starts from exactly the same numbers:
//!
//! ```text
//! weight  ~ U(-a, a),  a = sqrt(6 / (fan_in + fan_out))     Xavier (Glorot) uniform
//! bias    ~ U(-b, b),  b = 1 / sqrt(fan_in)                  PyTorch's default for nn.Linear
//! ```
//!
//! ```
//! use pretrain_lab::burn::module::Module;
//! use pretrain_lab::model::{Activation, MlpConfig};
//!
//! let device = pretrain_lab::backend::cpu_device();
//! let config = MlpConfig::new(vec![100, 10]).with_activation(Activation::Tanh);
//! let model = config.init(1, &device)?;
//! assert_eq!(model.num_params(), config.num_params());
//! let predictions = model.predict(&[[0.0, 1.0], [3.0, -2.0]])?;
//! assert!(predictions.iter().all(|&p| p == -1 || p == 1));
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::activation::{leaky_relu, relu, sigmoid, tanh};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The stream of [`ChaCha8Rng`] that [`MlpConfig::init`] draws from, kept apart from the streams
/// of the data generators and the split.
const INIT_STREAM: u64 = 2;

/// The most parameters a network may have: 250 million, 1 GB of `f32` weights before
/// gradients and optimizer state. Larger networks are refused before anything is allocated.
pub const MAX_PARAMETERS: usize = 250_000_000;

/// The slope of [`Activation::LeakyRelu`] for negative inputs, PyTorch's default.
pub const LEAKY_RELU_SLOPE: f64 = 0.01;

/// The nonlinearity after every layer but the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `tanh(x)`, the exercise's default.
    #[default]
    Tanh,
    /// `max(0, x)`.
    Relu,
    /// `1 / (1 + exp(-x))`.
    Sigmoid,
    /// `x` for `x >= 0`, else `0.01 * x` ([`LEAKY_RELU_SLOPE`]).
    LeakyRelu,
    /// `x`: no nonlinearity, so the whole network is a linear (affine) map.
    Identity,
}

impl Activation {
    /// Every activation.
    pub const ALL: [Activation; 5] = [
        Activation::Tanh,
        Activation::Relu,
        Activation::Sigmoid,
        Activation::LeakyRelu,
        Activation::Identity,
    ];

    /// The name as written in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Identity => "identity",
        }
    }

    /// Applies the activation element-wise.
    pub fn forward<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Tanh => tanh(x),
            Activation::Relu => relu(x),
            Activation::Sigmoid => sigmoid(x),
            Activation::LeakyRelu => leaky_relu(x, LEAKY_RELU_SLOPE),
            Activation::Identity => x,
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        Activation::ALL
            .into_iter()
            .find(|activation| activation.name() == name)
            .ok_or_else(|| Error::UnknownActivation {
                name: name.to_owned(),
            })
    }
}

/// The shape of an [`Mlp`]: linear layers `2 -> hidden[0] -> ... -> hidden[k-1] -> 2`.
#[derive(Config, Debug, PartialEq)]
pub struct MlpConfig {
    /// The width of each hidden layer, input side first. Empty means one `2 -> 2` layer.
    pub hidden: Vec<usize>,
    /// The nonlinearity after every layer but the last.
    #[config(default = "Activation::Tanh")]
    pub activation: Activation,
}

/// The initial or current values of one linear layer, on the host.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParameters {
    /// Inputs of the layer.
    pub d_input: usize,
    /// Outputs of the layer.
    pub d_output: usize,
    /// The weights in burn's layout `[d_input, d_output]`, row-major: the transpose of
    /// PyTorch's `[out, in]`.
    pub weight: Vec<f32>,
    /// One bias per output.
    pub bias: Vec<f32>,
}

/// A multilayer perceptron with two logits; class index 1 stands for label +1.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
}

impl MlpConfig {
    /// The size of every layer boundary: `[2, hidden..., 2]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        let mut sizes = Vec::with_capacity(self.hidden.len() + 2);
        sizes.push(2);
        sizes.extend(&self.hidden);
        sizes.push(2);
        sizes
    }

    /// The number of weights and biases; `usize::MAX` when that many would not fit a `usize`.
    pub fn num_params(&self) -> usize {
        self.layer_sizes()
            .windows(2)
            .map(|w| w[0].saturating_mul(w[1]).saturating_add(w[1]))
            .fold(0, usize::saturating_add)
    }

    /// Checks that every hidden layer has at least one unit and that the network stays within
    /// [`MAX_PARAMETERS`].
    ///
    /// # Errors
    ///
    /// [`Error::TooSmall`] naming `hidden[i]` for the first width that is 0, and
    /// [`Error::TooLarge`] for more than [`MAX_PARAMETERS`] parameters.
    pub fn validate(&self) -> Result<()> {
        for (i, &width) in self.hidden.iter().enumerate() {
            Error::check_at_least(format!("hidden[{i}]"), width, 1)?;
        }
        Error::check_at_most("number of parameters", self.num_params(), MAX_PARAMETERS)
    }

    /// Draws the initial parameters of every layer on the host from `rng`.
    ///
    /// Per layer, the weights are drawn first, in PyTorch's `[out, in]` order, then the biases;
    /// the weights are then stored in burn's `[in, out]` layout.
    ///
    /// # Errors
    ///
    /// As [`MlpConfig::validate`].
    pub fn initial_parameters<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<Vec<LayerParameters>> {
        self.validate()?;
        let sizes = self.layer_sizes();
        let layers = sizes
            .windows(2)
            .map(|w| {
                let (d_input, d_output) = (w[0], w[1]);
                let xavier = ((6.0 / (d_input + d_output) as f64).sqrt()) as f32;
                let weight_by_output = sample_symmetric(xavier, d_input * d_output, rng);
                let mut weight = vec![0.0; d_input * d_output];
                for output in 0..d_output {
                    for input in 0..d_input {
                        weight[input * d_output + output] =
                            weight_by_output[output * d_input + input];
                    }
                }
                let bias_bound = (1.0 / (d_input as f64).sqrt()) as f32;
                let bias = sample_symmetric(bias_bound, d_output, rng);
                LayerParameters {
                    d_input,
                    d_output,
                    weight,
                    bias,
                }
            })
            .collect();
        Ok(layers)
    }

    /// Builds the network on `device` with initial parameters drawn from `seed`.
    ///
    /// The same seed gives bit-identical parameters on every backend.
    ///
    /// # Errors
    ///
    /// As [`MlpConfig::validate`].
    pub fn init(&self, seed: u64, device: &Device) -> Result<Mlp> {
        self.init_with_rng(&mut init_rng(seed), device)
    }

    /// Builds the network on `device` with initial parameters drawn from `rng`.
    ///
    /// # Errors
    ///
    /// As [`MlpConfig::validate`].
    pub fn init_with_rng<R: Rng + ?Sized>(&self, rng: &mut R, device: &Device) -> Result<Mlp> {
        let layers = self.initial_parameters(rng)?;
        Mlp::from_parameters(&layers, self.activation, device)
    }
}

/// The generator [`MlpConfig::init`] draws the initial parameters of `seed` from.
pub(crate) fn init_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(INIT_STREAM);
    rng
}

/// `n` values drawn uniformly from `[-bound, bound)`, as `bound * (2u - 1)` with `u ~ U[0, 1)`.
fn sample_symmetric<R: Rng + ?Sized>(bound: f32, n: usize, rng: &mut R) -> Vec<f32> {
    (0..n)
        .map(|_| bound * (2.0 * rng.random::<f32>() - 1.0))
        .collect()
}

impl Mlp {
    /// Builds a network from given layer parameters, for example ones set by hand.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no layers, and [`Error::LayerShape`] when a layer's vectors do not
    /// match its sizes, when consecutive layers do not chain, or when the network does not map
    /// 2 inputs to 2 logits.
    pub fn from_parameters(
        layers: &[LayerParameters],
        activation: Activation,
        device: &Device,
    ) -> Result<Self> {
        check_layer_shapes(layers)?;
        let layers = layers
            .iter()
            .map(|layer| {
                let weight = TensorData::new(layer.weight.clone(), [layer.d_input, layer.d_output]);
                let bias = TensorData::new(layer.bias.clone(), [layer.d_output]);
                Linear {
                    weight: Param::from_data(weight, device),
                    bias: Some(Param::from_data(bias, device)),
                }
            })
            .collect();
        Ok(Self { layers, activation })
    }

    /// The logits of a batch of points.
    ///
    /// # Shapes
    ///
    /// - `inputs`: `[n, 2]`
    /// - output: `[n, 2]`, logit of class 0 (label -1), then of class 1 (label +1)
    pub fn forward(&self, inputs: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut x = inputs;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = self.activation.forward(x);
            }
        }
        x
    }

    /// The activation between layers.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The shape of the network.
    pub fn config(&self) -> MlpConfig {
        let hidden = self.layers[..self.layers.len() - 1]
            .iter()
            .map(|layer| layer.weight.shape().dims::<2>()[1])
            .collect();
        MlpConfig {
            hidden,
            activation: self.activation,
        }
    }

    /// The device the parameters live on.
    pub fn device(&self) -> Device {
        self.layers[0].weight.val().device()
    }

    /// The predicted label (-1 or +1) of each point: +1 where the logit of class 1 is the
    /// larger, -1 otherwise (a tie picks class 0, as `argmax` does).
    ///
    /// The forward pass runs without autodiff, in one batch.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the backend fails to return the logits.
    pub fn predict(&self, points: &[[f32; 2]]) -> Result<Vec<i8>> {
        if points.is_empty() {
            return Ok(Vec::new());
        }
        let device = self.device().without_autodiff();
        let flat: Vec<f32> = points.iter().flatten().copied().collect();
        let inputs = Tensor::from_data(TensorData::new(flat, [points.len(), 2]), &device);
        let margins = crate::loss::margins(self.valid().forward(inputs));
        let margins = read_floats(margins)?;
        Ok(margins
            .into_iter()
            .map(|g| if g > 0.0 { 1 } else { -1 })
            .collect())
    }

    /// Every layer's weights and biases, read back to the host.
    ///
    /// # Errors
    ///
    /// [`Error::Backend`] when the backend fails to return a tensor.
    pub fn parameters(&self) -> Result<Vec<LayerParameters>> {
        self.layers
            .iter()
            .map(|layer| {
                let [d_input, d_output] = layer.weight.shape().dims();
                let weight = read_floats(layer.weight.val().without_autodiff())?;
                let bias = match &layer.bias {
                    Some(bias) => read_floats(bias.val().without_autodiff())?,
                    None => vec![0.0; d_output],
                };
                Ok(LayerParameters {
                    d_input,
                    d_output,
                    weight,
                    bias,
                })
            })
            .collect()
    }
}

/// Reads a float tensor back to the host.
pub(crate) fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor
        .try_into_vec_as::<f32>()
        .map_err(|error| Error::Backend {
            message: error.to_string(),
        })
}

fn check_layer_shapes(layers: &[LayerParameters]) -> Result<()> {
    let (Some(first), Some(last)) = (layers.first(), layers.last()) else {
        return Err(Error::Empty { field: "layers" });
    };
    let shape_error = |index: usize, problem: String| Err(Error::LayerShape { index, problem });
    if first.d_input != 2 {
        return shape_error(0, format!("takes {} inputs, not 2", first.d_input));
    }
    if last.d_output != 2 {
        return shape_error(
            layers.len() - 1,
            format!("gives {} outputs, not 2", last.d_output),
        );
    }
    for (index, layer) in layers.iter().enumerate() {
        if layer.d_output == 0 {
            return shape_error(index, "has no outputs".to_owned());
        }
        let expected = layer.d_input.checked_mul(layer.d_output);
        if expected != Some(layer.weight.len()) {
            let expected = format!("{} x {}", layer.d_input, layer.d_output);
            let problem = format!("has {} weights, not {expected}", layer.weight.len());
            return shape_error(index, problem);
        }
        if layer.bias.len() != layer.d_output {
            let problem = format!("has {} biases, not {}", layer.bias.len(), layer.d_output);
            return shape_error(index, problem);
        }
        if index > 0 && layers[index - 1].d_output != layer.d_input {
            let previous = layers[index - 1].d_output;
            let problem = format!(
                "takes {} inputs but layer {} gives {previous}",
                layer.d_input,
                index - 1
            );
            return shape_error(index, problem);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu_device;

    #[test]
    fn output_has_two_logits_per_point() {
        let device = cpu_device();
        for hidden in [vec![], vec![5], vec![100, 10], vec![3, 4, 5]] {
            let model = MlpConfig::new(hidden.clone()).init(1, &device).unwrap();
            let logits = model.forward(Tensor::zeros([7, 2], &device));
            assert_eq!(logits.dims(), [7, 2], "hidden {hidden:?}");
            assert_eq!(model.config().hidden, hidden);
        }
    }

    #[test]
    fn initial_weights_and_biases_respect_their_bounds() {
        let config = MlpConfig::new(vec![100, 10]);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let layers = config.initial_parameters(&mut rng).unwrap();
        assert_eq!(layers.len(), 3);
        for layer in &layers {
            let xavier = (6.0 / (layer.d_input + layer.d_output) as f32).sqrt();
            let bias_bound = 1.0 / (layer.d_input as f32).sqrt();
            assert!(layer.weight.iter().all(|w| w.abs() <= xavier));
            assert!(layer.bias.iter().all(|b| b.abs() <= bias_bound));
            // The draws use the range: the largest weight is near the bound.
            let largest = layer.weight.iter().fold(0f32, |m, w| m.max(w.abs()));
            assert!(largest > 0.8 * xavier, "{largest} vs {xavier}");
        }
    }

    #[test]
    fn weight_variance_is_xaviers() {
        // U(-a, a) has variance a^2 / 3 = 2 / (fan_in + fan_out).
        let config = MlpConfig::new(vec![200, 200]);
        let layers = config
            .initial_parameters(&mut ChaCha8Rng::seed_from_u64(9))
            .unwrap();
        let middle = &layers[1];
        let variance = middle
            .weight
            .iter()
            .map(|w| f64::from(*w).powi(2))
            .sum::<f64>()
            / middle.weight.len() as f64;
        let expected = 2.0 / 400.0;
        assert!(
            (variance / expected - 1.0).abs() < 0.02,
            "{variance} vs {expected}"
        );
    }

    #[test]
    fn same_seed_gives_identical_parameters() {
        let device = cpu_device();
        let config = MlpConfig::new(vec![8, 4]);
        let a = config.init(3, &device).unwrap().parameters().unwrap();
        let b = config.init(3, &device).unwrap().parameters().unwrap();
        let c = config.init(4, &device).unwrap().parameters().unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let drawn = config.initial_parameters(&mut {
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            rng.set_stream(INIT_STREAM);
            rng
        });
        assert_eq!(a, drawn.unwrap(), "the module holds exactly the host draws");
    }

    #[test]
    fn hand_set_linear_model_predicts_by_its_margin() {
        // Logits (0, x1 - x2): label +1 exactly where x1 > x2.
        let layer = LayerParameters {
            d_input: 2,
            d_output: 2,
            weight: vec![0.0, 1.0, 0.0, -1.0],
            bias: vec![0.0, 0.0],
        };
        let model = Mlp::from_parameters(&[layer], Activation::Identity, &cpu_device()).unwrap();
        let predictions = model
            .predict(&[[2.0, 1.0], [1.0, 2.0], [1.0, 1.0]])
            .unwrap();
        assert_eq!(
            predictions,
            vec![1, -1, -1],
            "a tie picks class 0, label -1"
        );
        assert_eq!(model.predict(&[]).unwrap(), Vec::<i8>::new());
    }

    #[test]
    fn bad_shapes_are_errors() {
        let device = cpu_device();
        let error = MlpConfig::new(vec![4, 0]).init(1, &device).unwrap_err();
        assert_eq!(error.to_string(), "hidden[1] must be at least 1, got 0");

        let layer = LayerParameters {
            d_input: 2,
            d_output: 2,
            weight: vec![0.0; 3],
            bias: vec![0.0; 2],
        };
        let error = Mlp::from_parameters(&[layer], Activation::Tanh, &device).unwrap_err();
        assert_eq!(error.to_string(), "layer 0 has 3 weights, not 2 x 2");
        assert!(Mlp::from_parameters(&[], Activation::Tanh, &device).is_err());

        let huge = MlpConfig::new(vec![usize::MAX, 3]);
        assert_eq!(huge.num_params(), usize::MAX);
        assert!(matches!(huge.init(1, &device), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn activations_parse_and_apply() {
        for activation in Activation::ALL {
            assert_eq!(activation.name().parse::<Activation>().unwrap(), activation);
        }
        let error = "swish".parse::<Activation>().unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("unknown activation \"swish\"")
        );

        let device = cpu_device();
        let x = Tensor::<1>::from_data(TensorData::from([-2.0f32, 0.0, 3.0]), &device);
        let apply = |activation: Activation| read_floats(activation.forward(x.clone())).unwrap();
        assert_eq!(apply(Activation::Relu), vec![0.0, 0.0, 3.0]);
        assert_eq!(apply(Activation::Identity), vec![-2.0, 0.0, 3.0]);
        assert_eq!(apply(Activation::LeakyRelu), vec![-0.02, 0.0, 3.0]);
        let tanh = apply(Activation::Tanh);
        assert!((tanh[0] - (-2f32).tanh()).abs() < 1e-6);
        let sigmoid = apply(Activation::Sigmoid);
        assert!((sigmoid[1] - 0.5).abs() < 1e-7);
    }
}
