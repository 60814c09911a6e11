//! The exercise's unit of work: data, network and schedule in one value, from TOML or code.
//!
//! ```
//! use pretrain_lab::Experiment;
//!
//! let experiment = Experiment::from_toml_str(
//!     r#"
//!     title = "Tiny"
//!     layer_sizes = [8]
//!     n_pretrain_epochs = 2
//!     n_train_epochs = 3
//!     "#,
//! )?;
//! // Fields left out keep the example experiment's values.
//! assert_eq!(experiment.radii, vec![2.0, 6.0, 10.0]);
//!
//! let report = experiment.run(&pretrain_lab::backend::cpu_device())?;
//! assert_eq!(report.outcome.history.test_acc.len(), 3);
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use std::path::Path;

use burn::tensor::Device;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::{self, LabeledPoints, Split};
use crate::error::{Error, Result};
use crate::files::read_text;
use crate::loss::Objective;
use crate::model::{Activation, MlpConfig};
use crate::train::{Control, EpochReport, Observer, Outcome, TrainConfig, pretrain_and_train};

/// Bytes in a GiB.
const GIB: f64 = (1u64 << 30) as f64;

/// One experiment of the exercise, with its field names, plus the seed and a few settings the
/// exercise fixes.
///
/// [`Experiment::default`] is the exercise's example experiment. In TOML every field is
/// optional and takes its default when left out; an unknown field is an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Experiment {
    /// The title, shown on top of the figure. Default `"Example Experiment"`.
    pub title: String,
    /// The radius of each pretraining ring, inner first. Default `[2, 6, 10]`.
    pub radii: Vec<f64>,
    /// Points per ring. Default 100.
    pub examples_per_ring: usize,
    /// The hidden layer widths, input side first. Default `[100, 10]`.
    pub layer_sizes: Vec<usize>,
    /// The nonlinearity between layers. Default `tanh`.
    pub activation: Activation,
    /// Adam's learning rate. Default 0.001.
    pub learning_rate: f64,
    /// What the network is trained to minimise: `cross_entropy` (the exercise's), `squared`,
    /// `hinge` or `perceptron`. Default `cross_entropy`.
    pub objective: Objective,
    /// Training epochs on the rings. Default 100.
    pub n_pretrain_epochs: usize,
    /// Training epochs on the spiral's train part. Default 1000.
    pub n_train_epochs: usize,
    /// The seed of every random draw: rings, split and initial weights. Default 1.
    pub seed: u64,
    /// The standard deviation of a ring point's radius. Default 0.1.
    pub ring_std: f64,
    /// Points on each arm of the spiral. Default 32.
    pub spiral_points_per_arm: usize,
    /// The fraction of spiral points held out for testing, rounded up. Default 0.2.
    pub test_fraction: f64,
    /// The most memory, in GiB, the run may be estimated to need; a larger experiment is
    /// refused before anything is allocated (see [`Experiment::estimated_memory_bytes`]).
    /// Default 4.
    pub memory_limit_gib: f64,
}

impl Default for Experiment {
    fn default() -> Self {
        Self {
            title: "Example Experiment".to_owned(),
            radii: vec![2.0, 6.0, 10.0],
            examples_per_ring: 100,
            layer_sizes: vec![100, 10],
            activation: Activation::Tanh,
            learning_rate: 1e-3,
            objective: Objective::CrossEntropy,
            n_pretrain_epochs: 100,
            n_train_epochs: 1000,
            seed: 1,
            ring_std: data::RING_STD,
            spiral_points_per_arm: data::SPIRAL_POINTS_PER_ARM,
            test_fraction: 0.2,
            memory_limit_gib: 4.0,
        }
    }
}

/// The data an experiment trains on.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentData {
    /// The rings the network is pretrained on.
    pub pretrain: LabeledPoints,
    /// The spiral, split into train and test parts.
    pub spiral: Split,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct Report {
    /// The experiment that ran.
    pub experiment: Experiment,
    /// Its data.
    pub data: ExperimentData,
    /// The pretrained and trained networks, and the history.
    pub outcome: Outcome,
}

impl Experiment {
    /// Parses an experiment from TOML and validates it.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for TOML that does not parse, a wrong type, or an unknown field (the
    /// message names the line and the field), and every error of [`Experiment::validate`].
    pub fn from_toml_str(text: &str) -> Result<Self> {
        parse(text, None)
    }

    /// Reads an experiment from a TOML file and validates it.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, [`Error::Config`] naming the file when it does
    /// not parse, and [`Error::InvalidFile`] naming the file around any error of
    /// [`Experiment::validate`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = read_text(path)?;
        parse(&text, Some(path))
    }

    /// The experiment as TOML, every field written out.
    // Every field is a string, a number or an array of numbers, all of which TOML represents.
    #[allow(clippy::missing_panics_doc)]
    pub fn to_toml_string(&self) -> String {
        toml::to_string(self).expect("an experiment has only TOML-representable fields")
    }

    /// Writes the experiment to a TOML file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_toml_string()).map_err(|source| Error::Io {
            action: "write",
            path: path.to_owned(),
            source,
        })
    }

    /// Checks every field, naming the first one that is wrong and its value.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no radii, [`Error::NotPositive`] for a radius, the learning rate or
    /// the ring noise out of range, [`Error::TooSmall`] for zero points per ring, a zero layer
    /// width or zero spiral points, [`Error::TestFraction`] and [`Error::EmptySplit`] for a test
    /// fraction that cannot split the spiral, [`Error::TooLarge`] for more points or
    /// parameters than the crate ever allocates, and [`Error::MemoryLimit`] for an experiment
    /// estimated to need more than `memory_limit_gib`.
    pub fn validate(&self) -> Result<()> {
        Error::check_non_negative("ring_std", self.ring_std)?;
        data::validate_rings(&self.radii, self.examples_per_ring, self.ring_std)?;
        for (i, &width) in self.layer_sizes.iter().enumerate() {
            Error::check_at_least(format!("layer_sizes[{i}]"), width, 1)?;
        }
        self.train_config().validate()?;
        Error::check_at_least("spiral_points_per_arm", self.spiral_points_per_arm, 1)?;
        let spiral_points = self.spiral_points_per_arm.saturating_mul(2);
        Error::check_at_most("2 * spiral_points_per_arm", spiral_points, data::MAX_POINTS)?;
        data::split_sizes(spiral_points, self.test_fraction)?;
        self.mlp_config().validate()?;
        Error::check_positive("memory_limit_gib", self.memory_limit_gib)?;
        let estimate = self.estimated_memory_bytes();
        let limit = self.memory_limit_gib * GIB;
        if estimate as f64 > limit {
            return Err(Error::MemoryLimit {
                estimate_gib: estimate as f64 / GIB,
                limit_gib: self.memory_limit_gib,
                parameters: self.mlp_config().num_params(),
                points: self.n_points(),
            });
        }
        Ok(())
    }

    /// A rough upper estimate of the memory a run needs, in bytes.
    ///
    /// It counts, in 4-byte floats, each parameter five times (value, gradient, Adam's two
    /// moments, the pretrained snapshot) and, for the larger of the two training sets, every
    /// layer's activations four times (forward values, saved inputs, their gradients, one
    /// temporary), plus the data itself:
    ///
    /// ```text
    /// bytes = 4 * (5 * parameters + 4 * points * (2 + sum(layer_sizes) + 2) + 6 * points)
    /// ```
    ///
    /// Saturates at `u64::MAX` instead of overflowing.
    pub fn estimated_memory_bytes(&self) -> u64 {
        let parameters = self.mlp_config().num_params() as u128;
        let points = self.n_points() as u128;
        let widths: u128 = self.layer_sizes.iter().map(|&w| w as u128).sum::<u128>() + 4;
        let floats = 5 * parameters + 4 * points * widths + 6 * points;
        u64::try_from(4 * floats).unwrap_or(u64::MAX)
    }

    /// The number of points in the larger training set, rings or spiral.
    fn n_points(&self) -> usize {
        let rings = self.radii.len().saturating_mul(self.examples_per_ring);
        rings.max(self.spiral_points_per_arm.saturating_mul(2))
    }

    /// The network's shape.
    pub fn mlp_config(&self) -> MlpConfig {
        MlpConfig::new(self.layer_sizes.clone()).with_activation(self.activation)
    }

    /// The training schedule.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            learning_rate: self.learning_rate,
            n_pretrain_epochs: self.n_pretrain_epochs,
            n_train_epochs: self.n_train_epochs,
            objective: self.objective,
        }
    }

    /// Draws the experiment's data from its seed: the rings, and the spiral's split.
    ///
    /// # Errors
    ///
    /// As [`Experiment::validate`].
    pub fn data(&self) -> Result<ExperimentData> {
        self.validate()?;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let pretrain = data::rings(&self.radii, self.examples_per_ring, self.ring_std, &mut rng)?;
        let spiral =
            data::spiral(self.spiral_points_per_arm)?.split(self.test_fraction, self.seed)?;
        Ok(ExperimentData { pretrain, spiral })
    }

    /// Runs the experiment on `device`.
    ///
    /// # Errors
    ///
    /// As [`Experiment::run_with`].
    pub fn run(&self, device: &Device) -> Result<Report> {
        self.run_with(device, &mut |_: &EpochReport| Control::Continue)
    }

    /// Runs the experiment on `device`, showing every epoch to `observer`, which may stop it.
    ///
    /// # Errors
    ///
    /// Every error of [`Experiment::validate`], and [`Error::Backend`] when the backend fails.
    pub fn run_with(&self, device: &Device, observer: &mut impl Observer) -> Result<Report> {
        let data = self.data()?;
        let model = self.mlp_config().init(self.seed, device)?;
        let outcome = pretrain_and_train(
            device,
            model,
            &data.pretrain,
            &data.spiral,
            &self.train_config(),
            observer,
        )?;
        Ok(Report {
            experiment: self.clone(),
            data,
            outcome,
        })
    }
}

fn parse(text: &str, path: Option<&Path>) -> Result<Experiment> {
    let experiment: Experiment = toml::from_str(text).map_err(|error| Error::Config {
        path: path.map(Path::to_owned),
        message: describe_toml_error(text, &error),
    })?;
    experiment.validate().map_err(|error| match path {
        Some(path) => Error::InvalidFile {
            path: path.to_owned(),
            source: Box::new(error),
        },
        None => error,
    })?;
    Ok(experiment)
}

/// The TOML parser's complaint on one line, led by the line number and the line's own text so
/// that the field at fault is named even where the parser speaks only of types.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end().replace('\n', "; ");
    let Some(span) = error.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    let line_number = text.as_bytes()[..start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    let line = text.lines().nth(line_number - 1).unwrap_or("").trim();
    let mut shown: String = line.chars().take(60).collect();
    if shown.len() < line.len() {
        shown.push_str("...");
    }
    format!("line {line_number} `{shown}`: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_example_experiment() {
        let example = Experiment::default();
        assert_eq!(example.title, "Example Experiment");
        assert_eq!(example.layer_sizes, vec![100, 10]);
        assert_eq!(
            (example.n_pretrain_epochs, example.n_train_epochs),
            (100, 1000)
        );
        assert!(example.validate().is_ok());
    }

    #[test]
    fn toml_round_trips() {
        let experiment = Experiment {
            title: "Wide ünïcode".into(),
            layer_sizes: vec![200, 100, 50, 10],
            activation: Activation::Relu,
            learning_rate: 1e-5,
            seed: 7,
            ..Experiment::default()
        };
        let text = experiment.to_toml_string();
        assert_eq!(Experiment::from_toml_str(&text).unwrap(), experiment);
    }

    #[test]
    fn empty_toml_is_the_example() {
        assert_eq!(
            Experiment::from_toml_str("").unwrap(),
            Experiment::default()
        );
    }

    #[test]
    fn experiment_data_follows_the_seed() {
        let data = Experiment::default().data().unwrap();
        assert_eq!(data.pretrain.len(), 300);
        assert_eq!((data.spiral.train.len(), data.spiral.test.len()), (51, 13));
        let other = Experiment {
            seed: 2,
            ..Experiment::default()
        }
        .data()
        .unwrap();
        assert_ne!(data, other);
        assert_eq!(data, Experiment::default().data().unwrap());
    }
}
