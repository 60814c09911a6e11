//! Many runs: an experiment over several seeds, and grids of settings run in parallel, with
//! every finished run written to disk at once so that an interrupted sweep resumes.
//!
//! A sweep file is TOML with three optional parts:
//!
//! ```toml
//! seeds = 3                      # seeds 1, 2, 3; or a list: [1, 2, 7]; default: base's seed
//!
//! [base]                         # an experiment; left-out fields keep the example's values
//! n_train_epochs = 300
//!
//! [grid]                         # a list of values for any experiment field
//! learning_rate = [1e-2, 1e-3]
//! layer_sizes = [[100, 10], [200, 100, 10]]
//! ```
//!
//! The grid expands to every combination of its lists, times the seeds: 2 x 2 x 3 = 12 runs here.
//!
//! ```
//! use pretrain_lab::sweep::Sweep;
//!
//! let sweep = Sweep::from_toml_str("seeds = 2\n[grid]\nlearning_rate = [1e-2, 1e-3]")?;
//! assert_eq!(sweep.runs().len(), 4);
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use burn::tensor::Device;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Report};
use crate::files::{read_text, write_atomically};
use crate::store;
use crate::train::{Control, EpochReport, RunEnd};

/// The mean, spread and range of a set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation (divided by `n - 1`); 0 for one value.
    pub std: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
}

impl Summary {
    /// Summarises `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Self> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let squares = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
        let std = if n > 1 {
            (squares / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Self {
            n,
            mean,
            std,
            min,
            max,
        })
    }
}

/// How one run of a sweep ended, as written to its `result.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The run's name, also its folder's.
    pub run: String,
    /// The grid values that made it, as `key=value` pairs, without the seed.
    pub setting: String,
    /// Its seed.
    pub seed: u64,
    /// `completed` or `diverged`.
    pub status: String,
    /// The mean test accuracy of the last 10 training epochs, if there were any.
    pub final_mean_test_acc: Option<f64>,
    /// The train accuracy of the last epoch.
    pub final_train_acc: Option<f64>,
    /// The train loss of the last epoch.
    pub final_train_loss: Option<f64>,
    /// The test loss of the last epoch.
    pub final_test_loss: Option<f64>,
    /// Wall time of the run, in seconds.
    pub seconds: f64,
}

impl RunResult {
    fn new(run: &Run, report: &Report, seconds: f64) -> Self {
        let history = &report.outcome.history;
        let status = match report.outcome.end {
            RunEnd::Diverged { .. } => "diverged",
            _ => "completed",
        };
        Self {
            run: run.name.clone(),
            setting: run.setting.clone(),
            seed: run.experiment.seed,
            status: status.to_owned(),
            final_mean_test_acc: history.final_mean_test_acc(),
            final_train_acc: history.train_acc.last().copied(),
            final_train_loss: history.train_loss.last().copied(),
            final_test_loss: history.test_loss.last().copied(),
            seconds,
        }
    }
}

/// One run of a sweep: an experiment and the name of its folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `NNN-HASH`: its place in the grid and a hash of its experiment, so that a changed sweep
    /// never mistakes an old run for one of its own.
    pub name: String,
    /// The grid values that made it, as `key=value` pairs, without the seed.
    pub setting: String,
    /// What to run.
    pub experiment: Experiment,
}

/// Seeds in a sweep file: a count (seeds 1 to K) or a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Seeds {
    Count(u64),
    List(Vec<u64>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    seeds: Option<Seeds>,
    #[serde(default)]
    base: toml::Table,
    #[serde(default)]
    grid: BTreeMap<String, Vec<toml::Value>>,
}

/// A grid of experiments times seeds, expanded into runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    runs: Vec<Run>,
}

/// What a sweep reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepEvent {
    /// A run was found finished in the output folder and is not run again.
    Skipped(String),
    /// A run started.
    Started(String),
    /// A run finished and was written.
    Finished(RunResult),
}

impl Sweep {
    /// Parses a sweep file and expands it into runs, each validated.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for TOML that does not parse or has unknown parts, a grid entry that
    /// is not a list, or a grid value of the wrong type for its field; [`Error::InvalidRun`]
    /// naming the run for a combination that is not a valid experiment; [`Error::Empty`] for a
    /// grid list or seed list without values.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let file: SweepFile = toml::from_str(text).map_err(|error| Error::Config {
            path: None,
            message: error.to_string(),
        })?;
        let base: Experiment = toml::Value::Table(file.base.clone())
            .try_into()
            .map_err(|error| config_error(format!("in [base]: {error}")))?;
        let seeds = match file.seeds {
            None => vec![base.seed],
            Some(Seeds::Count(k)) => (1..=k).collect(),
            Some(Seeds::List(list)) => list,
        };
        if seeds.is_empty() {
            return Err(Error::Empty { field: "seeds" });
        }
        if file.grid.values().any(Vec::is_empty) {
            return Err(Error::Empty { field: "grid list" });
        }

        let mut runs = Vec::new();
        for combination in combinations(&file.grid) {
            let setting = combination
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join(", ");
            for &seed in &seeds {
                let mut table = file.base.clone();
                for (key, value) in &combination {
                    table.insert((*key).clone(), (*value).clone());
                }
                table.insert("seed".into(), toml::Value::Integer(seed_value(seed)?));
                let mut experiment: Experiment = toml::Value::Table(table)
                    .try_into()
                    .map_err(|error| config_error(format!("in [grid] ({setting}): {error}")))?;
                if !setting.is_empty() {
                    experiment.title = format!("{} ({setting})", experiment.title);
                }
                let name = format!("{:03}-{:08x}", runs.len(), fingerprint(&experiment));
                experiment.validate().map_err(|error| Error::InvalidRun {
                    run: format!("{name} ({setting}, seed {seed})"),
                    source: Box::new(error),
                })?;
                runs.push(Run {
                    name,
                    setting: setting.clone(),
                    experiment,
                });
            }
        }
        Ok(Self { runs })
    }

    /// Reads a sweep file; as [`Sweep::from_toml_str`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, then as [`Sweep::from_toml_str`], with the
    /// file named.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = read_text(path)?;
        Self::from_toml_str(&text).map_err(|error| Error::InvalidFile {
            path: path.to_owned(),
            source: Box::new(error),
        })
    }

    /// The same experiment over `seeds`: a sweep without a grid.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] for no seeds, and the errors of [`Experiment::validate`].
    pub fn seeds(experiment: &Experiment, seeds: impl IntoIterator<Item = u64>) -> Result<Self> {
        let runs: Vec<Run> = seeds
            .into_iter()
            .enumerate()
            .map(|(index, seed)| {
                let experiment = Experiment {
                    seed,
                    ..experiment.clone()
                };
                let name = format!("{index:03}-{:08x}", fingerprint(&experiment));
                Run {
                    name,
                    setting: String::new(),
                    experiment,
                }
            })
            .collect();
        if runs.is_empty() {
            return Err(Error::Empty { field: "seeds" });
        }
        experiment.validate()?;
        Ok(Self { runs })
    }

    /// The runs, in grid order, each seed after the other.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Runs every run not already finished in `out` on `jobs` threads, writing each one to
    /// `out/runs/NAME/` as soon as it finishes, then the results table and leaderboard.
    ///
    /// A run is finished when its `result.toml` exists; that file is written last and
    /// atomically, so a sweep killed at any moment loses at most the runs in flight, and
    /// running it again into the same folder skips what is done. When `stop` becomes true the
    /// runs in flight stop after their current epoch and are not written; the tables still
    /// are, from what finished.
    ///
    /// # Errors
    ///
    /// [`Error::TooSmall`] for `jobs == 0`, [`Error::Io`] naming the file when the output
    /// cannot be written or a result cannot be read back, and the first error of a run.
    pub fn run(
        &self,
        out: &Path,
        device: &Device,
        jobs: usize,
        stop: &AtomicBool,
        on_event: &(dyn Fn(&SweepEvent) + Sync),
    ) -> Result<Vec<RunResult>> {
        Error::check_at_least("jobs", jobs, 1)?;
        let runs_dir = out.join("runs");
        std::fs::create_dir_all(&runs_dir).map_err(|source| Error::Io {
            action: "write",
            path: runs_dir.clone(),
            source,
        })?;

        let (done, pending): (Vec<&Run>, Vec<&Run>) = self
            .runs
            .iter()
            .partition(|run| result_path(out, run).exists());
        for run in &done {
            on_event(&SweepEvent::Skipped(run.name.clone()));
        }

        let outcomes: Vec<Result<()>> = thread_pool(jobs)?.install(|| {
            pending
                .par_iter()
                .map(|run| run_one(run, out, device, stop, on_event))
                .collect()
        });
        outcomes.into_iter().collect::<Result<Vec<()>>>()?;

        let results = self
            .runs
            .iter()
            .filter(|run| result_path(out, run).exists())
            .map(|run| read_result(&result_path(out, run)))
            .collect::<Result<Vec<_>>>()?;
        write_atomically(&out.join("results.csv"), results_csv(&results).as_bytes())?;
        write_atomically(
            &out.join("leaderboard.md"),
            leaderboard(&results).as_bytes(),
        )?;
        Ok(results)
    }
}

/// Runs `experiments` on `jobs` threads and returns their reports in order, calling
/// `on_finish` with each index as it finishes. Nothing is written to disk.
///
/// When `stop` becomes true, the runs in flight stop after their current epoch and the ones
/// not started are left out: the result holds the reports of what ran, in order.
///
/// # Errors
///
/// [`Error::TooSmall`] for `jobs == 0`, and the first error of a run.
pub fn run_all(
    experiments: &[Experiment],
    device: &Device,
    jobs: usize,
    stop: &AtomicBool,
    on_finish: &(dyn Fn(usize, &Report) + Sync),
) -> Result<Vec<Report>> {
    Error::check_at_least("jobs", jobs, 1)?;
    let reports: Vec<Result<Option<Report>>> = thread_pool(jobs)?.install(|| {
        experiments
            .par_iter()
            .enumerate()
            .map(|(index, experiment)| {
                if stop.load(Ordering::SeqCst) {
                    return Ok(None);
                }
                let report = experiment.run_with(device, &mut |_: &EpochReport| {
                    if stop.load(Ordering::SeqCst) {
                        Control::Stop
                    } else {
                        Control::Continue
                    }
                })?;
                on_finish(index, &report);
                Ok(Some(report))
            })
            .collect()
    });
    Ok(reports
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

/// The number of runs [`run_all`] and [`Sweep::run`] do at once unless told otherwise: one per
/// core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn thread_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|error| Error::Backend {
            message: error.to_string(),
        })
}

/// Runs one experiment and writes it, unless `stop` interrupts it.
fn run_one(
    run: &Run,
    out: &Path,
    device: &Device,
    stop: &AtomicBool,
    on_event: &(dyn Fn(&SweepEvent) + Sync),
) -> Result<()> {
    if stop.load(Ordering::SeqCst) {
        return Ok(());
    }
    on_event(&SweepEvent::Started(run.name.clone()));
    let started = Instant::now();
    let report = run.experiment.run_with(device, &mut |_: &EpochReport| {
        if stop.load(Ordering::SeqCst) {
            Control::Stop
        } else {
            Control::Continue
        }
    })?;
    if matches!(report.outcome.end, RunEnd::Stopped { .. }) {
        return Ok(());
    }
    let result = RunResult::new(run, &report, started.elapsed().as_secs_f64());
    let dir = out.join("runs").join(&run.name);
    store::save_report(&report, &dir)?;
    let text = toml::to_string(&result).map_err(|error| config_error(error.to_string()))?;
    write_atomically(&result_path(out, run), text.as_bytes())?;
    on_event(&SweepEvent::Finished(result));
    Ok(())
}

fn result_path(out: &Path, run: &Run) -> PathBuf {
    out.join("runs").join(&run.name).join("result.toml")
}

fn read_result(path: &Path) -> Result<RunResult> {
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|error| Error::Config {
        path: Some(path.to_owned()),
        message: error.message().to_owned(),
    })
}

fn config_error(message: String) -> Error {
    Error::Config {
        path: None,
        message: message.trim_end().replace('\n', "; "),
    }
}

fn seed_value(seed: u64) -> Result<i64> {
    i64::try_from(seed).map_err(|_| config_error(format!("seed {seed} is larger than TOML allows")))
}

/// Every combination of one value from each list, keys in sorted order.
fn combinations(grid: &BTreeMap<String, Vec<toml::Value>>) -> Vec<Vec<(&String, &toml::Value)>> {
    grid.iter()
        .fold(vec![Vec::new()], |partial, (key, values)| {
            partial
                .iter()
                .flat_map(|prefix| {
                    values.iter().map(move |value| {
                        let mut next = prefix.clone();
                        next.push((key, value));
                        next
                    })
                })
                .collect()
        })
}

/// FNV-1a of the experiment's TOML: a stable name for the same experiment across processes.
fn fingerprint(experiment: &Experiment) -> u32 {
    experiment
        .to_toml_string()
        .bytes()
        .fold(0x811c_9dc5u32, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
        })
}

fn results_csv(results: &[RunResult]) -> String {
    let mut csv = String::from(
        "run,setting,seed,status,final_mean_test_acc,final_train_acc,final_train_loss,\
         final_test_loss,seconds\n",
    );
    let cell = |value: Option<f64>| value.map(|v| format!("{v}")).unwrap_or_default();
    for r in results {
        let _ = writeln!(
            csv,
            "{},\"{}\",{},{},{},{},{},{},{:.3}",
            r.run,
            r.setting.replace('"', "\"\""),
            r.seed,
            r.status,
            cell(r.final_mean_test_acc),
            cell(r.final_train_acc),
            cell(r.final_train_loss),
            cell(r.final_test_loss),
            r.seconds
        );
    }
    csv
}

/// One row per setting, its seeds summarised, best mean final test accuracy first.
pub fn leaderboard(results: &[RunResult]) -> String {
    let mut by_setting: BTreeMap<&str, Vec<&RunResult>> = BTreeMap::new();
    for result in results {
        by_setting.entry(&result.setting).or_default().push(result);
    }
    let mut rows: Vec<(&str, Option<Summary>, usize, usize)> = by_setting
        .into_iter()
        .map(|(setting, runs)| {
            let accuracies: Vec<f64> = runs.iter().filter_map(|r| r.final_mean_test_acc).collect();
            let diverged = runs.iter().filter(|r| r.status == "diverged").count();
            (setting, Summary::of(&accuracies), runs.len(), diverged)
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |row: &(&str, Option<Summary>, usize, usize)| row.1.map_or(-1.0, |s| s.mean);
        key(b).total_cmp(&key(a))
    });

    let mut table = String::from(
        "| rank | setting | runs | final mean test acc, mean | std | min | max | diverged |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for (rank, (setting, summary, runs, diverged)) in rows.iter().enumerate() {
        let setting = if setting.is_empty() {
            "(base)"
        } else {
            setting
        };
        let percent = |v: f64| format!("{:.1}%", 100.0 * v);
        let [mean, std, min, max] = match summary {
            Some(s) => [
                percent(s.mean),
                percent(s.std),
                percent(s.min),
                percent(s.max),
            ],
            None => ["-".into(), "-".into(), "-".into(), "-".into()],
        };
        let _ = writeln!(
            table,
            "| {} | {setting} | {runs} | {mean} | {std} | {min} | {max} | {diverged} |",
            rank + 1
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_values() {
        let summary = Summary::of(&[0.5, 0.7, 0.6]).unwrap();
        assert!((summary.mean - 0.6).abs() < 1e-12);
        assert!((summary.std - 0.1).abs() < 1e-12);
        assert_eq!((summary.min, summary.max, summary.n), (0.5, 0.7, 3));
        assert_eq!(Summary::of(&[0.3]).unwrap().std, 0.0);
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn grid_expands_to_every_combination_times_seeds() {
        let text = "seeds = [4, 5]\n[base]\nn_train_epochs = 7\n[grid]\n\
                    learning_rate = [1e-2, 1e-3, 1e-4]\nlayer_sizes = [[8], [8, 4]]";
        let sweep = Sweep::from_toml_str(text).unwrap();
        assert_eq!(sweep.runs().len(), 3 * 2 * 2);
        let first = &sweep.runs()[0];
        assert_eq!(first.setting, "layer_sizes=[8], learning_rate=0.01");
        assert_eq!(
            (first.experiment.seed, first.experiment.n_train_epochs),
            (4, 7)
        );
        assert_eq!(
            first.experiment.title,
            "Example Experiment (layer_sizes=[8], learning_rate=0.01)"
        );
        let names: std::collections::HashSet<_> = sweep.runs().iter().map(|r| &r.name).collect();
        assert_eq!(names.len(), 12, "every run has its own name");
        assert_eq!(
            Sweep::from_toml_str(text).unwrap(),
            sweep,
            "expansion is deterministic"
        );
    }

    #[test]
    fn bad_sweeps_are_errors() {
        let error = Sweep::from_toml_str("[grid]\nlearning_rate = [1e-3, -1.0]").unwrap_err();
        assert!(matches!(error, Error::InvalidRun { .. }), "{error}");
        assert!(
            error.to_string().contains("learning_rate must be positive"),
            "{error}"
        );
        let error = Sweep::from_toml_str("[grid]\nlayer_sizes = [\"wide\"]").unwrap_err();
        assert!(error.to_string().contains("layer_sizes"), "{error}");
        let error = Sweep::from_toml_str("[grid]\nlearning_rat = [0.1]").unwrap_err();
        assert!(error.to_string().contains("learning_rat"), "{error}");
        assert!(Sweep::from_toml_str("seeds = []").is_err());
        assert!(Sweep::from_toml_str("[grid]\nseed = []").is_err());
        assert!(Sweep::from_toml_str("[grd]\nseed = [1]").is_err());
        assert!(Sweep::from_toml_str("seeds = -1").is_err());
    }

    #[test]
    fn leaderboard_sorts_settings_by_mean_accuracy() {
        let result = |setting: &str, accuracy: f64| RunResult {
            run: "r".into(),
            setting: setting.into(),
            seed: 1,
            status: "completed".into(),
            final_mean_test_acc: Some(accuracy),
            final_train_acc: None,
            final_train_loss: None,
            final_test_loss: None,
            seconds: 0.0,
        };
        let table = leaderboard(&[result("a", 0.2), result("b", 0.9), result("a", 0.4)]);
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert!(rows[0].starts_with("| 1 | b | 1 | 90.0% |"), "{table}");
        assert!(
            rows[1].starts_with("| 2 | a | 2 | 30.0% | 14.1% | 20.0% | 40.0% |"),
            "{table}"
        );
    }
}
