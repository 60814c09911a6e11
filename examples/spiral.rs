//! The exercise's main job: pretrain an MLP on concentric rings, train it on a two-armed
//! spiral, and report how well it generalises.
//!
//! ```text
//! cargo run --release --example spiral
//! cargo run --release --example spiral -- --config my-experiment.toml --backend flex --seed 3
//! cargo run --release --example spiral -- --out figures/example.svg
//! ```
//!
//! With no arguments it runs the example experiment (100 pretraining and 1000 training epochs
//! of a [100, 10] tanh network, seed 1) on the default CPU backend and ends with lines like
//!
//! ```text
//! Final mean test acc: 38.5%
//! Final train loss: 0.1075
//! Final test loss: 1.7719
//! Figure written to spiral.png
//! ```
//!
//! The figure has the exercise's six panels: the decision surfaces of the pretrained and the
//! trained network, and the loss and accuracy curves.
//!
//! A bad option or config prints one line saying what is wrong and exits with status 1.
//! Ctrl-C stops the run after the current epoch; what finished is still reported and drawn.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use pretrain_lab::sweep::{self, Summary};
use pretrain_lab::train::{Control, EpochReport, Phase, RunEnd};
use pretrain_lab::{Error, Experiment, Report, backend, native};

/// Pretrain an MLP on rings, train it on a spiral, print the final mean test accuracy.
#[derive(Parser)]
struct Args {
    /// An experiment as TOML; fields left out keep the example experiment's values.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The backend to run on: ndarray, flex, wgpu (a GPU; needs the cargo feature `wgpu`), or
    /// native (the hand-written CPU loop, fastest on small data).
    #[arg(long, default_value = backend::DEFAULT_CPU)]
    backend: String,
    /// The seed of every random draw, instead of the experiment's.
    #[arg(long)]
    seed: Option<u64>,
    /// Where to write the six-panel figure: a .png or .svg file.
    #[cfg(feature = "plot")]
    #[arg(long, default_value = "spiral.png")]
    out: PathBuf,
    /// Run K seeds (the experiment's seed and the K - 1 after it) and report the final mean
    /// test accuracy's mean, spread and range instead of one run and its figure.
    #[arg(long, value_name = "K")]
    seeds: Option<u64>,
    /// Runs at once with --seeds; default one per core.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// With --seeds, train all seeds as one batched computation instead of run by run.
    #[arg(long, requires = "seeds")]
    batched: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> pretrain_lab::Result<()> {
    let mut experiment = match &args.config {
        Some(path) => Experiment::load(path)?,
        None => Experiment::default(),
    };
    if let Some(seed) = args.seed {
        experiment.seed = seed;
    }
    let engine = Engine::new(&args.backend)?;
    #[cfg(feature = "plot")]
    pretrain_lab::plot::check_path(&args.out)?;

    println!(
        "{}: layers {:?}, {}, learning rate {:e}, {} pretraining + {} training epochs, \
         seed {}, backend {}",
        experiment.title,
        experiment.layer_sizes,
        experiment.activation,
        experiment.learning_rate,
        experiment.n_pretrain_epochs,
        experiment.n_train_epochs,
        experiment.seed,
        args.backend,
    );
    if args.backend == "wgpu" {
        println!("wgpu adapter: {}", backend::describe("wgpu")?);
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    // Without a handler Ctrl-C still ends the process, only without the summary.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    if let Some(k) = args.seeds {
        let jobs = args.jobs.unwrap_or_else(sweep::default_jobs);
        let jobs = if args.batched { None } else { Some(jobs) };
        return run_seeds(&experiment, k, jobs, &engine, &interrupted);
    }

    let started = Instant::now();
    let mut progress = Progress::new(experiment.n_pretrain_epochs + experiment.n_train_epochs);
    let mut observe = |epoch: &EpochReport| {
        progress.show(epoch);
        if interrupted.load(Ordering::SeqCst) {
            Control::Stop
        } else {
            Control::Continue
        }
    };
    let report = match &engine {
        Engine::Burn(device) => experiment.run_with(device, &mut observe)?,
        Engine::Native => native::run_with(&experiment, &mut observe)?,
    };
    progress.finish();
    summarise(&report, started.elapsed().as_secs_f64());

    #[cfg(feature = "plot")]
    {
        let options = pretrain_lab::plot::FigureOptions::default();
        pretrain_lab::plot::experiment_figure(&report, &args.out, &options)?;
        println!("Figure written to {}", args.out.display());
    }
    Ok(())
}

/// A progress bar on a terminal; a plain line every tenth of the run otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = ProgressStyle::with_template(
                "{prefix:>9} [{bar:30}] {pos}/{len} epochs, {eta} left  {msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> ");
            ProgressBar::new(total as u64).with_style(style)
        });
        Self {
            bar,
            total,
            done: 0,
        }
    }

    fn show(&mut self, epoch: &EpochReport) {
        self.done += 1;
        let phase = match epoch.phase {
            Phase::Pretrain => "pretrain",
            Phase::Train => "train",
        };
        let mut message = format!(
            "loss {:.4}, acc {:5.1}%",
            epoch.train.loss,
            100.0 * epoch.train.accuracy
        );
        if let Some(test) = epoch.test {
            message += &format!(
                "; test loss {:.4}, acc {:5.1}%",
                test.loss,
                100.0 * test.accuracy
            );
        }
        match &self.bar {
            Some(bar) => {
                bar.set_prefix(phase);
                bar.set_message(message);
                bar.inc(1);
            }
            None => {
                let step = self.total.div_ceil(10).max(1);
                let last_of_phase = epoch.epoch + 1 == epoch.n_epochs;
                if self.done.is_multiple_of(step) || last_of_phase {
                    println!(
                        "{phase} epoch {}/{}: {message}",
                        epoch.epoch + 1,
                        epoch.n_epochs
                    );
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn summarise(report: &Report, seconds: f64) {
    let history = &report.outcome.history;
    let phase_name = |phase| match phase {
        Phase::Pretrain => "pretraining",
        Phase::Train => "training",
    };
    match report.outcome.end {
        RunEnd::Completed => {}
        RunEnd::Stopped { phase, epoch } => {
            println!(
                "Stopped by Ctrl-C after {} epoch {}",
                phase_name(phase),
                epoch + 1
            );
        }
        RunEnd::Diverged { phase, epoch } => println!(
            "Diverged: the loss stopped being a finite number in {} epoch {}; \
             try a smaller learning rate",
            phase_name(phase),
            epoch + 1
        ),
    }
    println!(
        "ran {} pretraining and {} training epochs in {seconds:.2} s",
        history.pretrain_loss.len(),
        history.n_train_epochs()
    );
    match history.final_mean_test_acc() {
        Some(accuracy) => println!("Final mean test acc: {:.1}%", 100.0 * accuracy),
        None => println!("Final mean test acc: none (no training epochs)"),
    }
    if let (Some(train), Some(test)) = (history.train_loss.last(), history.test_loss.last()) {
        println!("Final train loss: {train:.4}");
        println!("Final test loss: {test:.4}");
    }
}

/// Runs `k` seeds of `experiment`, on `jobs` threads or batched when `jobs` is `None`, and
/// prints one row per seed and a summary.
fn run_seeds(
    experiment: &Experiment,
    k: u64,
    jobs: Option<usize>,
    engine: &Engine,
    interrupted: &AtomicBool,
) -> pretrain_lab::Result<()> {
    if k == 0 {
        return Err(Error::TooSmall {
            field: "--seeds".into(),
            value: 0,
            min: 1,
        });
    }
    let experiments: Vec<Experiment> = (0..k)
        .map(|i| Experiment {
            seed: experiment.seed.wrapping_add(i),
            ..experiment.clone()
        })
        .collect();
    let started = Instant::now();
    let bar = ProgressBar::new(k);
    if std::io::stderr().is_terminal() {
        let style = ProgressStyle::with_template("seeds [{bar:30}] {pos}/{len}, {eta} left")
            .expect("the template is valid")
            .progress_chars("=> ");
        bar.set_style(style);
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let seeds: Vec<u64> = experiments.iter().map(|e| e.seed).collect();
    let reports = match (engine, jobs) {
        (Engine::Burn(device), Some(jobs)) => {
            sweep::run_all(&experiments, device, jobs, interrupted, &|_, _: &Report| {
                bar.inc(1)
            })?
        }
        (Engine::Burn(device), None) => {
            pretrain_lab::batched::run_seeds(experiment, &seeds, device)?
        }
        (Engine::Native, _) => {
            use rayon::prelude::*;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(jobs.unwrap_or_else(sweep::default_jobs))
                .build()
                .map_err(|error| Error::Backend {
                    message: error.to_string(),
                })?;
            let runs: Vec<_> = pool.install(|| {
                experiments
                    .par_iter()
                    .map(|e| native::run(e).inspect(|_| bar.inc(1)))
                    .collect()
            });
            runs.into_iter().collect::<pretrain_lab::Result<Vec<_>>>()?
        }
    };
    bar.finish_and_clear();

    println!(
        "{:>6} {:>22} {:>17} {:>16}",
        "seed", "final mean test acc", "final train loss", "final test loss"
    );
    let mut accuracies = Vec::new();
    for report in &reports {
        let history = &report.outcome.history;
        let accuracy = history.final_mean_test_acc();
        accuracies.extend(accuracy);
        let cell = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("-".to_owned(), f);
        println!(
            "{:>6} {:>22} {:>17} {:>16}",
            report.experiment.seed,
            cell(accuracy, &|a| format!("{:.1}%", 100.0 * a)),
            cell(history.train_loss.last().copied(), &|l| format!("{l:.4}")),
            cell(history.test_loss.last().copied(), &|l| format!("{l:.4}")),
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    let how = jobs.map_or("as one batch".to_owned(), |jobs| {
        format!("on {jobs} threads")
    });
    println!("ran {} of {k} seeds in {seconds:.2} s {how}", reports.len());
    match Summary::of(&accuracies) {
        Some(s) => println!(
            "Final mean test acc over {} seeds: mean {:.1}%, std {:.1}%, min {:.1}%, max {:.1}%",
            s.n,
            100.0 * s.mean,
            100.0 * s.std,
            100.0 * s.min,
            100.0 * s.max
        ),
        None => println!("Final mean test acc: none (no training epochs)"),
    }
    Ok(())
}

/// What runs the experiment: a burn backend, or the hand-written CPU loop.
enum Engine {
    Burn(pretrain_lab::burn::tensor::Device),
    Native,
}

impl Engine {
    fn new(name: &str) -> pretrain_lab::Result<Self> {
        if name == "native" {
            return Ok(Engine::Native);
        }
        backend::device(name)
            .map(Engine::Burn)
            .map_err(|error| match error {
                Error::UnknownBackend { name, .. } => Error::UnknownBackend {
                    name,
                    known: "ndarray, flex, wgpu, native",
                },
                other => other,
            })
    }
}
