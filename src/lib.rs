#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

pub mod backend;
pub mod batched;
pub mod data;
pub mod error;
pub mod experiment;
mod files;
pub mod linear;
pub mod loss;
pub mod model;
pub mod native;
#[cfg(feature = "plot")]
pub mod plot;
pub mod store;
pub mod sweep;
pub mod train;

/// The burn version this crate is built on, for its `Device`, `Tensor` and `Module` types.
pub use burn;
pub use error::{Error, Result};
pub use experiment::{Experiment, Report};
pub use model::{Activation, Mlp, MlpConfig};
pub use train::{History, Outcome, pretrain_and_train};
