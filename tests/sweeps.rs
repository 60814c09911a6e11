//! Sweeps as a user runs them: files written per run, resumption, interruption, and saved
//! networks that load back to the same predictions.

mod common;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use common::Scratch;
use pretrain_lab::sweep::{Sweep, SweepEvent, run_all};
use pretrain_lab::{Experiment, backend, store};

const TINY_GRID: &str = "seeds = 2\n[base]\nn_pretrain_epochs = 3\nn_train_epochs = 12\n\
                         [grid]\nlayer_sizes = [[8], [16, 4]]\n";

fn events_of(sweep: &Sweep, out: &Path, jobs: usize) -> Vec<SweepEvent> {
    let events = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    sweep
        .run(out, &backend::cpu_device(), jobs, &stop, &|event| {
            events.lock().unwrap().push(event.clone())
        })
        .unwrap();
    events.into_inner().unwrap()
}

fn finished(events: &[SweepEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, SweepEvent::Finished(_)))
        .count()
}

#[test]
fn a_sweep_writes_every_run_and_the_tables() {
    let scratch = Scratch::new("tables");
    let sweep = Sweep::from_toml_str(TINY_GRID).unwrap();
    let events = events_of(&sweep, scratch.dir(), 2);
    assert_eq!(finished(&events), 4);

    for run in sweep.runs() {
        let dir = scratch.path("runs").join(&run.name);
        for file in [
            "experiment.toml",
            "history.csv",
            "pretrained.bpk",
            "trained.bpk",
            "result.toml",
        ] {
            assert!(dir.join(file).exists(), "{} lacks {file}", run.name);
        }
        let history = std::fs::read_to_string(dir.join("history.csv")).unwrap();
        assert_eq!(
            history.lines().count(),
            1 + 12,
            "a header and one row per epoch"
        );
        assert_eq!(
            Experiment::load(dir.join("experiment.toml")).unwrap(),
            run.experiment
        );
    }
    let csv = std::fs::read_to_string(scratch.path("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4);
    let leaderboard = std::fs::read_to_string(scratch.path("leaderboard.md")).unwrap();
    assert_eq!(leaderboard.lines().count(), 2 + 2, "one row per setting");
    assert!(
        leaderboard.contains("| layer_sizes=[8] | 2 |"),
        "{leaderboard}"
    );
}

#[test]
fn running_a_sweep_again_skips_what_is_done() {
    let scratch = Scratch::new("resume");
    let sweep = Sweep::from_toml_str(TINY_GRID).unwrap();
    events_of(&sweep, scratch.dir(), 1);
    let first = std::fs::read_to_string(scratch.path("results.csv")).unwrap();

    let again = events_of(&sweep, scratch.dir(), 1);
    assert_eq!(finished(&again), 0);
    assert_eq!(
        again
            .iter()
            .filter(|e| matches!(e, SweepEvent::Skipped(_)))
            .count(),
        4
    );

    // A run whose result is missing, as after a kill in its last moments, runs again.
    let lost = &sweep.runs()[2];
    std::fs::remove_file(scratch.path("runs").join(&lost.name).join("result.toml")).unwrap();
    let resumed = events_of(&sweep, scratch.dir(), 1);
    assert_eq!(finished(&resumed), 1);
    assert!(resumed.contains(&SweepEvent::Started(lost.name.clone())));
    let last = std::fs::read_to_string(scratch.path("results.csv")).unwrap();
    let without_time = |csv: &str| -> Vec<String> {
        csv.lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_owned())
            .collect()
    };
    assert_eq!(
        without_time(&last),
        without_time(&first),
        "the same runs give the same results"
    );
}

#[test]
fn a_stopped_sweep_writes_nothing_for_unfinished_runs() {
    let scratch = Scratch::new("stop");
    let sweep = Sweep::from_toml_str(TINY_GRID).unwrap();
    let stop = AtomicBool::new(true);
    let results = sweep
        .run(scratch.dir(), &backend::cpu_device(), 1, &stop, &|_| {})
        .unwrap();
    assert!(results.is_empty());
    let runs = std::fs::read_dir(scratch.path("runs")).unwrap().count();
    assert_eq!(runs, 0);
}

#[test]
fn seeds_run_in_parallel_give_the_results_of_seeds_run_alone() {
    let experiments: Vec<Experiment> = (1..=4)
        .map(|seed| Experiment {
            seed,
            n_pretrain_epochs: 5,
            n_train_epochs: 10,
            ..Experiment::default()
        })
        .collect();
    let device = backend::cpu_device();
    let stop = AtomicBool::new(false);
    let parallel = run_all(&experiments, &device, 2, &stop, &|_, _| {}).unwrap();
    assert_eq!(parallel.len(), 4);
    for (experiment, report) in experiments.iter().zip(&parallel) {
        assert_eq!(
            report.experiment.seed, experiment.seed,
            "reports keep their order"
        );
        let alone = experiment.run(&device).unwrap();
        assert_eq!(report.outcome.history, alone.outcome.history);
    }
}

#[test]
fn a_saved_network_loads_back_to_identical_predictions() {
    let scratch = Scratch::new("save");
    let device = backend::cpu_device();
    let experiment = Experiment {
        layer_sizes: vec![16, 8],
        n_pretrain_epochs: 5,
        n_train_epochs: 20,
        ..Experiment::default()
    };
    let report = experiment.run(&device).unwrap();
    store::save_report(&report, scratch.dir()).unwrap();

    let points: Vec<[f32; 2]> = (0..400)
        .map(|i| [(i % 20) as f32 - 10.0, (i / 20) as f32 - 10.0])
        .collect();
    for (file, model) in [
        ("trained.bpk", &report.outcome.trained),
        ("pretrained.bpk", &report.outcome.pretrained),
    ] {
        let loaded = store::load_model(&scratch.path(file), &experiment, &device).unwrap();
        assert_eq!(
            loaded.predict(&points).unwrap(),
            model.predict(&points).unwrap(),
            "{file}"
        );
        assert_eq!(
            loaded.parameters().unwrap(),
            model.parameters().unwrap(),
            "{file}"
        );
    }
    let saved = Experiment::load(scratch.path("experiment.toml")).unwrap();
    assert_eq!(saved, experiment);
    if cfg!(feature = "plot") {
        assert!(scratch.path("figure.png").exists());
    }

    let wrong_shape = Experiment {
        layer_sizes: vec![4],
        ..experiment.clone()
    };
    let error = store::load_model(&scratch.path("trained.bpk"), &wrong_shape, &device).unwrap_err();
    assert!(error.to_string().contains("trained.bpk"), "{error}");
}

#[test]
fn a_diverged_run_is_recorded_and_the_sweep_goes_on() {
    let scratch = Scratch::new("diverged");
    let grid = "[base]\nn_pretrain_epochs = 3\nn_train_epochs = 10\n\
                [grid]\nlearning_rate = [1e38, 1e-3]\n";
    let sweep = Sweep::from_toml_str(grid).unwrap();
    let stop = AtomicBool::new(false);
    let results = sweep
        .run(scratch.dir(), &backend::cpu_device(), 2, &stop, &|_| {})
        .unwrap();
    let status: Vec<&str> = results.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(status, vec!["diverged", "completed"]);
    let leaderboard = std::fs::read_to_string(scratch.path("leaderboard.md")).unwrap();
    let last = leaderboard.lines().last().unwrap();
    assert!(
        last.starts_with("| 2 | learning_rate=1000"),
        "diverged runs rank last: {leaderboard}"
    );
    assert!(last.ends_with("| - | - | - | - | 1 |"), "{leaderboard}");
}
