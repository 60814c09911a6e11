//! Every way a caller can get an experiment wrong gives an error that names the field and the
//! value; none of them panics.

use pretrain_lab::{Error, Experiment, backend};

fn error_of(toml: &str) -> Error {
    match Experiment::from_toml_str(toml) {
        Ok(experiment) => panic!("{toml:?} was accepted as {experiment:?}"),
        Err(error) => error,
    }
}

fn message_of(toml: &str) -> String {
    error_of(toml).to_string()
}

#[test]
fn empty_radii() {
    assert_eq!(message_of("radii = []"), "radii must not be empty");
}

#[test]
fn non_positive_or_non_finite_radius() {
    assert_eq!(
        message_of("radii = [2.0, 0.0]"),
        "radii[1] must be positive and finite, got 0"
    );
    assert_eq!(
        message_of("radii = [-3.0]"),
        "radii[0] must be positive and finite, got -3"
    );
    assert_eq!(
        message_of("radii = [nan]"),
        "radii[0] must be positive and finite, got NaN"
    );
    assert_eq!(
        message_of("radii = [2, inf]"),
        "radii[1] must be positive and finite, got inf"
    );
}

#[test]
fn zero_examples_per_ring() {
    assert_eq!(
        message_of("examples_per_ring = 0"),
        "examples_per_ring must be at least 1, got 0"
    );
}

#[test]
fn negative_examples_per_ring_is_a_type_error_naming_the_field() {
    let message = message_of("examples_per_ring = -5");
    assert!(
        message.contains("examples_per_ring") && message.contains("-5"),
        "{message}"
    );
}

#[test]
fn zero_hidden_size() {
    assert_eq!(
        message_of("layer_sizes = [100, 0, 10]"),
        "layer_sizes[1] must be at least 1, got 0"
    );
}

#[test]
fn non_positive_or_non_finite_learning_rate() {
    for (value, shown) in [
        ("0.0", "0"),
        ("-0.1", "-0.1"),
        ("nan", "NaN"),
        ("inf", "inf"),
    ] {
        assert_eq!(
            message_of(&format!("learning_rate = {value}")),
            format!("learning_rate must be positive and finite, got {shown}")
        );
    }
}

#[test]
fn test_fraction_outside_the_open_unit_interval() {
    for value in ["0.0", "1.0", "-0.2", "1.5", "nan"] {
        let error = error_of(&format!("test_fraction = {value}"));
        assert!(
            matches!(error, Error::TestFraction { .. }),
            "{value}: {error}"
        );
        assert!(
            error
                .to_string()
                .starts_with("test_fraction must lie strictly between 0 and 1")
        );
    }
}

#[test]
fn test_fraction_that_leaves_a_part_empty() {
    let message = message_of("spiral_points_per_arm = 1\ntest_fraction = 0.9");
    assert_eq!(
        message,
        "test_fraction 0.9 splits 2 points into 0 train and 2 test points; both parts need at \
         least one"
    );
}

#[test]
fn unknown_activation() {
    let message = message_of("activation = \"swish\"");
    assert!(
        message.contains("swish") && message.contains("activation"),
        "{message}"
    );
    assert!(
        message.contains("tanh"),
        "the message lists what is allowed: {message}"
    );
}

#[test]
fn unknown_field() {
    let message = message_of("learning_rat = 0.1");
    assert!(message.contains("learning_rat"), "{message}");
    assert!(
        message.contains("line 1"),
        "the message names the line: {message}"
    );
}

#[test]
fn wrong_type() {
    let message = message_of("title = \"t\"\nlayer_sizes = \"wide\"");
    assert!(
        message.contains("layer_sizes") && message.contains("line 2"),
        "{message}"
    );
}

#[test]
fn toml_that_does_not_parse() {
    assert!(matches!(error_of("title = "), Error::Config { .. }));
    assert!(matches!(error_of("[[[["), Error::Config { .. }));
}

#[test]
fn config_file_that_does_not_exist() {
    let path = std::env::temp_dir().join("pretrain-lab-no-such-dir/none.toml");
    let error = Experiment::load(&path).unwrap_err();
    assert!(matches!(error, Error::Io { action: "read", .. }));
    assert!(error.to_string().contains("none.toml"), "{error}");
}

#[test]
fn config_file_that_does_not_parse_names_the_file() {
    let dir = std::env::temp_dir().join(format!("pretrain-lab-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    std::fs::write(&path, "n_train_epochs = \"many\"\n").unwrap();
    let message = Experiment::load(&path).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        message.contains("broken.toml") && message.contains("n_train_epochs"),
        "{message}"
    );
}

#[test]
fn unknown_backend() {
    let message = backend::device("tpu").unwrap_err().to_string();
    assert_eq!(
        message,
        "unknown backend \"tpu\"; expected one of ndarray, flex, wgpu"
    );
}

#[test]
fn invalid_experiments_built_in_code_fail_before_running() {
    let experiment = Experiment {
        learning_rate: -1.0,
        ..Experiment::default()
    };
    let error = experiment.run(&backend::cpu_device()).unwrap_err();
    assert!(matches!(error, Error::NotPositive { .. }), "{error}");
}

#[test]
fn experiments_beyond_the_memory_limit_are_refused_before_allocating() {
    // 30 million ring points would need tens of GiB for the activations alone.
    let error = error_of("examples_per_ring = 10_000_000");
    assert!(matches!(error, Error::MemoryLimit { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("30000000 points"), "{message}");
    assert!(
        message.ends_with("more than memory_limit_gib = 4"),
        "{message}"
    );

    // The limit is the experiment's to set.
    let wide = "layer_sizes = [4000, 4000]";
    assert!(Experiment::from_toml_str(wide).is_ok());
    let error = error_of(&format!("{wide}\nmemory_limit_gib = 0.1"));
    assert!(matches!(error, Error::MemoryLimit { .. }), "{error}");
    // 2*4000 + 4000 + 4000*4000 + 4000 + 4000*2 + 2 weights and biases.
    assert!(error.to_string().contains("16024002 parameters"), "{error}");
}

#[test]
fn sizes_no_machine_could_hold_are_refused() {
    let message = message_of("layer_sizes = [100000, 100000]");
    assert_eq!(
        message,
        "number of parameters must be at most 250000000, got 10000600002"
    );
    let message = message_of("radii = [1.0, 2.0]\nexamples_per_ring = 9_000_000_000_000_000_000");
    assert!(
        message.starts_with("radii.len() * examples_per_ring must be at most"),
        "{message}"
    );
    let error = error_of("spiral_points_per_arm = 9_000_000_000_000_000_000");
    assert!(matches!(error, Error::TooLarge { .. }), "{error}");
}

#[test]
fn memory_estimate_grows_with_the_network_and_the_data() {
    let example = Experiment::default();
    let wider = Experiment {
        layer_sizes: vec![1000, 100],
        ..Experiment::default()
    };
    let more_points = Experiment {
        examples_per_ring: 1000,
        ..Experiment::default()
    };
    assert!(wider.estimated_memory_bytes() > example.estimated_memory_bytes());
    assert!(more_points.estimated_memory_bytes() > example.estimated_memory_bytes());
    let huge = Experiment {
        layer_sizes: vec![usize::MAX, usize::MAX],
        ..Experiment::default()
    };
    assert_eq!(huge.estimated_memory_bytes(), u64::MAX);
}

#[test]
fn zero_one_loss_cannot_be_trained_with() {
    let message = message_of("objective = \"zero_one\"");
    assert!(
        message.contains("zero_one loss has no gradient"),
        "{message}"
    );
    let message = message_of("objective = \"l1\"");
    assert!(message.contains("unknown objective \"l1\""), "{message}");
}
