//! Saving a run to a folder and loading its networks back.
//!
//! A saved run holds:
//!
//! | file | what |
//! | --- | --- |
//! | `experiment.toml` | the experiment, every field written out |
//! | `history.csv` | one row per training epoch: accuracies, losses, the four margin losses |
//! | `pretrained.bpk`, `trained.bpk` | the two networks in burn's record format (burnpack) |
//! | `figure.png` | the six-panel figure (with the `plot` feature) |
//!
//! Every file is written to a temporary name beside its final one and renamed into place, so a
//! crash never leaves a half-written file under a final name.
//!
//! ```no_run
//! use pretrain_lab::{Experiment, backend, store};
//!
//! let device = backend::cpu_device();
//! let experiment = Experiment::default();
//! let report = experiment.run(&device)?;
//! store::save_report(&report, "runs/example".as_ref())?;
//! let trained = store::load_model("runs/example/trained.bpk".as_ref(), &experiment, &device)?;
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use std::fmt::Write as _;
use std::path::Path;

use burn::module::Module;
use burn::tensor::Device;

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Report};
use crate::files::temporary_path;
pub use crate::files::write_atomically;
use crate::loss::MarginLoss;
use crate::model::Mlp;
use crate::train::History;

/// Saves a run into `dir` (created if missing): its experiment, history, both networks and,
/// with the `plot` feature, its figure.
///
/// # Errors
///
/// [`Error::Io`] or [`Error::Plot`] naming the file that cannot be written.
pub fn save_report(report: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "write",
        path: dir.to_owned(),
        source,
    })?;
    write_atomically(
        &dir.join("experiment.toml"),
        report.experiment.to_toml_string().as_bytes(),
    )?;
    write_atomically(
        &dir.join("history.csv"),
        history_csv(&report.outcome.history).as_bytes(),
    )?;
    save_model(&report.outcome.pretrained, &dir.join("pretrained.bpk"))?;
    save_model(&report.outcome.trained, &dir.join("trained.bpk"))?;
    #[cfg(feature = "plot")]
    crate::plot::experiment_figure(report, dir.join("figure.png"), &Default::default())?;
    Ok(())
}

/// Saves a network's parameters to `path` in burn's record format.
///
/// # Errors
///
/// [`Error::Io`] naming `path` when it cannot be written.
pub fn save_model(model: &Mlp, path: &Path) -> Result<()> {
    let temporary = temporary_path(path);
    let saved = model
        .clone()
        .save_file(&temporary)
        .map_err(|error| error.to_string());
    let renamed = saved.and_then(|()| std::fs::rename(&temporary, path).map_err(|e| e.to_string()));
    renamed.map_err(|message| {
        let _ = std::fs::remove_file(&temporary);
        Error::Io {
            action: "write",
            path: path.to_owned(),
            source: std::io::Error::other(message),
        }
    })
}

/// Loads a network saved by [`save_model`] or [`save_report`], shaped as `experiment` says.
///
/// # Errors
///
/// [`Error::Io`] naming `path` when it cannot be read or does not hold a network of that
/// shape, and the errors of [`Experiment::validate`].
pub fn load_model(path: &Path, experiment: &Experiment, device: &Device) -> Result<Mlp> {
    let empty = experiment.mlp_config().init(experiment.seed, device)?;
    empty.try_load_file(path).map_err(|error| Error::Io {
        action: "read",
        path: path.to_owned(),
        source: std::io::Error::other(error.to_string()),
    })
}

/// The history as CSV, one row per training epoch, with a header.
pub fn history_csv(history: &History) -> String {
    let names = MarginLoss::ALL.map(MarginLoss::name);
    let mut csv = String::from("epoch,train_acc,test_acc,train_loss,test_loss");
    for part in ["train", "test"] {
        for name in names {
            let _ = write!(csv, ",{part}_{name}");
        }
    }
    csv.push('\n');
    for epoch in 0..history.n_train_epochs() {
        let _ = write!(
            csv,
            "{epoch},{},{},{},{}",
            history.train_acc[epoch],
            history.test_acc[epoch],
            history.train_loss[epoch],
            history.test_loss[epoch]
        );
        let margin_losses = [&history.train_margin_losses, &history.test_margin_losses];
        for value in margin_losses
            .iter()
            .filter_map(|series| series.get(epoch))
            .flatten()
        {
            let _ = write!(csv, ",{value}");
        }
        csv.push('\n');
    }
    csv
}
