//! Runs a grid of experiments times seeds in parallel, writing every run as it finishes, and
//! leaves a results table and a leaderboard.
//!
//! ```text
//! cargo run --release --example sweep -- examples/sweeps/pretraining.toml
//! cargo run --release --example sweep -- my-grid.toml --out results/my-grid --jobs 2
//! ```
//!
//! Output goes to `--out` (default `sweep-results/<file name>`): `runs/<run>/` per run (its
//! experiment, history CSV, both networks and figure), `results.csv` with one row per run and
//! `leaderboard.md` with one row per setting, its seeds summarised, best first. The leaderboard
//! is printed at the end.
//!
//! Running the same sweep into the same folder again skips the runs already finished, so a
//! sweep stopped by Ctrl-C (or killed) picks up where it left off.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pretrain_lab::backend;
use pretrain_lab::sweep::{self, Sweep, SweepEvent};

/// Run a grid of experiments in parallel and rank the settings.
#[derive(Parser)]
struct Args {
    /// The sweep file (TOML with optional `seeds`, `[base]` and `[grid]`).
    sweep: PathBuf,
    /// The output folder; default `sweep-results/<sweep file name>`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs at once; default one per core.
    #[arg(long)]
    jobs: Option<usize>,
    /// The backend to run on: ndarray, flex, or wgpu (a GPU; needs the cargo feature `wgpu`).
    #[arg(long, default_value = backend::DEFAULT_CPU)]
    backend: String,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> pretrain_lab::Result<()> {
    let sweep = Sweep::load(&args.sweep)?;
    let device = backend::device(&args.backend)?;
    let jobs = args.jobs.unwrap_or_else(sweep::default_jobs);
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args.sweep.file_stem().unwrap_or_default();
        PathBuf::from("sweep-results").join(stem)
    });
    let total = sweep.runs().len();
    println!(
        "{total} runs on {jobs} threads, backend {}, into {}",
        args.backend,
        out.display()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Without a handler Ctrl-C still ends the process; finished runs are on disk either way.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));

    let bar = ProgressBar::new(total as u64);
    let on_terminal = std::io::stderr().is_terminal();
    if on_terminal {
        let style = ProgressStyle::with_template("[{bar:30}] {pos}/{len} runs, {msg}, {eta} left")
            .expect("the template is valid")
            .progress_chars("=> ");
        bar.set_style(style);
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let running = AtomicUsize::new(0);
    let skipped = AtomicUsize::new(0);
    let on_event = |event: &SweepEvent| match event {
        SweepEvent::Skipped(_) => {
            skipped.fetch_add(1, Ordering::SeqCst);
            bar.inc(1);
        }
        SweepEvent::Started(_) => {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            bar.set_message(format!("{now} running"));
        }
        SweepEvent::Finished(result) => {
            let now = running.fetch_sub(1, Ordering::SeqCst) - 1;
            bar.set_message(format!("{now} running"));
            bar.inc(1);
            if !on_terminal {
                let accuracy = result
                    .final_mean_test_acc
                    .map_or("-".to_owned(), |a| format!("{:.1}%", 100.0 * a));
                println!(
                    "[{}/{total}] {} {} seed {}: {} final mean test acc {accuracy} ({:.1} s)",
                    bar.position(),
                    result.run,
                    result.setting,
                    result.seed,
                    result.status,
                    result.seconds
                );
            }
        }
    };
    let results = sweep.run(&out, &device, jobs, &stop, &on_event)?;
    bar.finish_and_clear();

    let skipped = skipped.load(Ordering::SeqCst);
    if skipped > 0 {
        println!(
            "{skipped} runs were already done in {} and were skipped",
            out.display()
        );
    }
    if results.len() < total {
        println!(
            "Stopped: {} of {total} runs are done; run the same command again to finish",
            results.len()
        );
    }
    println!("\n{}", sweep::leaderboard(&results));
    println!(
        "Results: {} and {}",
        out.join("results.csv").display(),
        out.join("leaderboard.md").display()
    );
    Ok(())
}
