//! The one error type of the crate.

use std::path::PathBuf;

/// Everything a caller can get wrong, and the few ways a backend can fail.
///
/// Each variant names the field or argument at fault and the value it had, so that the
/// message alone tells what to change. Messages are lower-case and carry no trailing period.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A list that needs at least one value is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// The field or argument, for example `radii`.
        field: &'static str,
    },

    /// A value that must be positive and finite is zero, negative, NaN or infinite.
    #[error("{field} must be positive and finite, got {value}")]
    NotPositive {
        /// The field or argument, with an index where it is one of a list (`radii[1]`).
        field: String,
        /// The value given.
        value: f64,
    },

    /// A value that must be zero or more, and finite, is negative, NaN or infinite.
    #[error("{field} must be non-negative and finite, got {value}")]
    Negative {
        /// The field or argument, for example `noise`.
        field: String,
        /// The value given.
        value: f64,
    },

    /// A count is below its minimum.
    #[error("{field} must be at least {min}, got {value}")]
    TooSmall {
        /// The field or argument, with an index where it is one of a list (`layer_sizes[1]`).
        field: String,
        /// The count given.
        value: usize,
        /// The smallest count allowed.
        min: usize,
    },

    /// A train/test split was asked for with a test fraction outside the open interval (0, 1).
    #[error("test_fraction must lie strictly between 0 and 1, got {value}")]
    TestFraction {
        /// The fraction given.
        value: f64,
    },

    /// A train/test split would leave the train part or the test part without points.
    #[error(
        "test_fraction {test_fraction} splits {n_points} points into {n_train} train and \
         {n_test} test points; both parts need at least one"
    )]
    EmptySplit {
        /// The fraction given.
        test_fraction: f64,
        /// The number of points to split.
        n_points: usize,
        /// The train points the split would keep.
        n_train: usize,
        /// The test points the split would keep.
        n_test: usize,
    },

    /// Points and labels of a data set have different lengths.
    #[error("{n_points} points but {n_labels} labels; each point needs exactly one label")]
    LengthMismatch {
        /// The number of points.
        n_points: usize,
        /// The number of labels.
        n_labels: usize,
    },

    /// A label is neither -1 nor +1.
    #[error("labels[{index}] must be -1 or +1, got {value}")]
    InvalidLabel {
        /// Where the label stands.
        index: usize,
        /// The label given.
        value: i8,
    },

    /// An activation name that the crate does not know.
    #[error(
        "unknown activation {name:?}; expected one of tanh, relu, sigmoid, leaky_relu, identity"
    )]
    UnknownActivation {
        /// The name given.
        name: String,
    },

    /// Hand-set layer parameters that do not form a network from 2 inputs to 2 logits.
    #[error("layer {index} {problem}")]
    LayerShape {
        /// The layer, counted from the input side.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },

    /// A loss name that the crate does not know.
    #[error(
        "unknown loss {name:?}; expected one of zero_one, squared, binary_cross_entropy, hinge"
    )]
    UnknownLoss {
        /// The name given.
        name: String,
    },

    /// A training objective name that the crate does not know.
    #[error(
        "unknown objective {name:?}; expected one of cross_entropy, squared, hinge, perceptron"
    )]
    UnknownObjective {
        /// The name given.
        name: String,
    },

    /// A loss asked for as a training objective that has no gradient to follow.
    #[error(
        "{name} loss has no gradient (it is flat wherever it is not a step), so it cannot be \
         trained with; use cross_entropy, squared, hinge or perceptron"
    )]
    UntrainableLoss {
        /// The loss asked for.
        name: String,
    },

    /// A backend name that the crate does not know.
    #[error("unknown backend {name:?}; expected one of {known}")]
    UnknownBackend {
        /// The name given.
        name: String,
        /// The names the crate knows, comma-separated.
        known: &'static str,
    },

    /// A known backend whose cargo feature was not enabled when the crate was built.
    #[error("backend {name:?} is not compiled in; rebuild with the cargo feature `{feature}`")]
    BackendNotCompiled {
        /// The backend's name.
        name: &'static str,
        /// The cargo feature that compiles it in.
        feature: &'static str,
    },

    /// A file could not be read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done: "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },

    /// A configuration did not parse: bad TOML, a wrong type, an unknown or missing field.
    ///
    /// The message carries the parser's account, which names the line and the field.
    #[error("invalid config{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Config {
        /// The file the configuration came from, when it came from one.
        path: Option<PathBuf>,
        /// What the parser found wrong.
        message: String,
    },

    /// A count is above its maximum.
    #[error("{field} must be at most {max}, got {value}")]
    TooLarge {
        /// The field or argument.
        field: String,
        /// The count given.
        value: usize,
        /// The largest count allowed.
        max: usize,
    },

    /// An experiment estimated to need more memory than its limit allows.
    #[error(
        "the experiment would need about {estimate_gib:.2} GiB ({parameters} parameters, \
         {points} points), more than memory_limit_gib = {limit_gib}"
    )]
    MemoryLimit {
        /// The estimate, in GiB.
        estimate_gib: f64,
        /// The limit, in GiB.
        limit_gib: f64,
        /// The network's parameters.
        parameters: usize,
        /// The points of the larger training set.
        points: usize,
    },

    /// A rectangle to plot over has an empty or non-finite side.
    #[error("extent [{low}, {high}] must be finite with low < high")]
    InvalidExtent {
        /// The lower end of the side.
        low: f64,
        /// The upper end of the side.
        high: f64,
    },

    /// A figure was asked for in a format the crate does not write.
    #[error("cannot tell the image format of {path}: use a .png or .svg file name")]
    UnsupportedFormat {
        /// The path given.
        path: PathBuf,
    },

    /// A figure could not be drawn or written.
    #[error("cannot draw {path}: {message}")]
    Plot {
        /// The figure's path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// A configuration file parsed but holds an invalid value; `source` says which.
    #[error("invalid config {path}: {source}")]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        source: Box<Error>,
    },

    /// One run of a sweep is not a valid experiment; `source` says why.
    #[error("invalid run {run}: {source}")]
    InvalidRun {
        /// The run: its name, grid values and seed.
        run: String,
        /// What is wrong with it.
        source: Box<Error>,
    },

    /// The wgpu backend found no GPU adapter it could use.
    #[error(
        "the wgpu backend found no usable GPU adapter ({reason}); install a Vulkan, Metal or \
         DirectX 12 driver (on Debian, mesa-vulkan-drivers runs wgpu on the CPU) or pick a CPU \
         backend"
    )]
    NoGpuAdapter {
        /// wgpu's account of what it tried.
        reason: String,
    },

    /// A backend failed to hand back a tensor's values.
    #[error("backend failed to read a tensor: {message}")]
    Backend {
        /// The backend's account of the failure.
        message: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Checks that `value` is positive and finite, naming `field` when it is not.
    pub(crate) fn check_positive(field: impl Into<String>, value: f64) -> Result<()> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            Err(Error::NotPositive {
                field: field.into(),
                value,
            })
        }
    }

    /// Checks that a count is at most `max`, naming `field` when it is not.
    pub(crate) fn check_at_most(field: impl Into<String>, value: usize, max: usize) -> Result<()> {
        if value <= max {
            Ok(())
        } else {
            Err(Error::TooLarge {
                field: field.into(),
                value,
                max,
            })
        }
    }

    /// Checks that `value` is zero or more and finite, naming `field` when it is not.
    pub(crate) fn check_non_negative(field: impl Into<String>, value: f64) -> Result<()> {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(Error::Negative {
                field: field.into(),
                value,
            })
        }
    }

    /// Checks that a count is at least `min`, naming `field` when it is not.
    pub(crate) fn check_at_least(field: impl Into<String>, value: usize, min: usize) -> Result<()> {
        if value >= min {
            Ok(())
        } else {
            Err(Error::TooSmall {
                field: field.into(),
                value,
                min,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_the_value() {
        let error = Error::check_positive("learning_rate", -0.1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "learning_rate must be positive and finite, got -0.1"
        );

        let error = Error::check_at_least("layer_sizes[1]", 0, 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "layer_sizes[1] must be at least 1, got 0"
        );

        let error = Error::check_non_negative("noise", f64::NAN).unwrap_err();
        assert_eq!(
            error.to_string(),
            "noise must be non-negative and finite, got NaN"
        );
    }

    #[test]
    fn checks_accept_valid_values() {
        assert!(Error::check_positive("radii[0]", 2.0).is_ok());
        assert!(Error::check_positive("radii[0]", f64::INFINITY).is_err());
        assert!(Error::check_positive("radii[0]", 0.0).is_err());
        assert!(Error::check_non_negative("noise", 0.0).is_ok());
        assert!(Error::check_at_least("examples_per_ring", 1, 1).is_ok());
    }

    #[test]
    fn config_message_names_the_file_when_there_is_one() {
        let error = Error::Config {
            path: Some("a.toml".into()),
            message: "oops".into(),
        };
        assert_eq!(error.to_string(), "invalid config a.toml: oops");
        let error = Error::Config {
            path: None,
            message: "oops".into(),
        };
        assert_eq!(error.to_string(), "invalid config: oops");
    }
}
