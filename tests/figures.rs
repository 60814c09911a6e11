//! Figures as a user gets them: files that decode, have the asked size, and show what they
//! should where they should.
#![cfg(feature = "plot")]

mod common;

use std::path::Path;

use common::Scratch;
use image::RgbImage;
use pretrain_lab::model::{Activation, LayerParameters, Mlp};
use pretrain_lab::plot::{self, DecisionSurface, FigureOptions};
use pretrain_lab::{Error, Experiment, backend, data, linear::LinearClassifier, loss::MarginLoss};

fn decode(path: &Path) -> RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

fn has_color(image: &RgbImage, color: [u8; 3]) -> bool {
    image.pixels().any(|p| p.0 == color)
}

/// Logits (0, x): label +1 exactly where x > 0.
fn sign_of_x_model() -> Mlp {
    let layer = LayerParameters {
        d_input: 2,
        d_output: 2,
        weight: vec![0.0, 1.0, 0.0, 0.0],
        bias: vec![0.0, 0.0],
    };
    Mlp::from_parameters(&[layer], Activation::Identity, &backend::cpu_device()).unwrap()
}

fn short_report() -> pretrain_lab::Report {
    let experiment = Experiment {
        title: "Short run".into(),
        n_pretrain_epochs: 5,
        n_train_epochs: 15,
        ..Experiment::default()
    };
    experiment.run(&backend::cpu_device()).unwrap()
}

#[test]
fn experiment_png_decodes_at_the_requested_size_and_is_not_blank() {
    let scratch = Scratch::new("six-panel");
    let report = short_report();
    let options = FigureOptions {
        width: 640,
        height: 900,
        resolution: 60,
    };
    let path = scratch.path("figure.png");
    plot::experiment_figure(&report, &path, &options).unwrap();

    let image = decode(&path);
    assert_eq!(image.dimensions(), (640, 900));
    for (color, what) in [
        (plot::TRAIN_CURVE, "train curve"),
        (plot::TEST_CURVE, "test curve"),
        (plot::NEGATIVE_POINT, "points labelled -1"),
        (plot::POSITIVE_POINT, "points labelled +1"),
    ] {
        assert!(has_color(&image, color), "no {what} colour in the figure");
    }
    assert!(has_color(&image, plot::NEGATIVE_REGION) || has_color(&image, plot::POSITIVE_REGION));
    assert_eq!(
        scratch.files(),
        vec!["figure.png"],
        "no temporary file is left behind"
    );
}

#[test]
fn default_size_is_800_by_1200() {
    let scratch = Scratch::new("default-size");
    let path = scratch.path("figure.png");
    plot::experiment_figure(&short_report(), &path, &FigureOptions::default()).unwrap();
    assert_eq!(decode(&path).dimensions(), (800, 1200));
}

#[test]
fn decision_surface_pixels_have_the_predicted_class_colour() {
    let scratch = Scratch::new("surface");
    let path = scratch.path("surface.png");
    let options = FigureOptions {
        width: 400,
        height: 400,
        resolution: 100,
    };
    let no_points = data::LabeledPoints::default();
    let extent = [[-4.0, 4.0], [-4.0, 4.0]];
    plot::surface_figure(
        &sign_of_x_model(),
        &no_points,
        Some(extent),
        "x > 0",
        &path,
        &options,
    )
    .unwrap();

    let image = decode(&path);
    // Inside the plotting area, left of the middle is x < 0 (label -1), right of it x > 0.
    let pixel = |x: u32, y: u32| image.get_pixel(x, y).0;
    assert_eq!(pixel(130, 200), plot::NEGATIVE_REGION);
    assert_eq!(pixel(330, 200), plot::POSITIVE_REGION);
}

#[test]
fn decision_surface_is_computed_per_cell() {
    let surface =
        DecisionSurface::compute(&sign_of_x_model(), [[-1.0, 1.0], [0.0, 2.0]], 4).unwrap();
    assert_eq!(surface.labels.len(), 16);
    assert_eq!(surface.label_at(-0.9, 1.0), Some(-1));
    assert_eq!(surface.label_at(0.9, 1.0), Some(1));
    assert_eq!(surface.label_at(5.0, 1.0), None);
    assert!(matches!(
        DecisionSurface::compute(&sign_of_x_model(), [[1.0, 1.0], [0.0, 1.0]], 4),
        Err(Error::InvalidExtent { .. })
    ));
}

#[test]
fn svg_holds_the_title_and_the_accuracy_annotation() {
    let scratch = Scratch::new("svg");
    let report = short_report();
    let path = scratch.path("figure.svg");
    plot::experiment_figure(
        &report,
        &path,
        &FigureOptions {
            resolution: 40,
            ..Default::default()
        },
    )
    .unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.contains("Short run"));
    let accuracy = report.outcome.history.final_mean_test_acc().unwrap();
    assert!(svg.contains(&format!("Final mean test acc: {:.1}%", 100.0 * accuracy)));
    assert!(svg.contains("Loss per Epoch") && svg.contains("Accuracy per Epoch"));
}

#[test]
fn a_run_without_training_epochs_says_so() {
    let scratch = Scratch::new("empty");
    let experiment = Experiment {
        n_pretrain_epochs: 1,
        n_train_epochs: 0,
        ..Experiment::default()
    };
    let report = experiment.run(&backend::cpu_device()).unwrap();
    let path = scratch.path("figure.svg");
    plot::experiment_figure(
        &report,
        &path,
        &FigureOptions {
            resolution: 20,
            ..Default::default()
        },
    )
    .unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert_eq!(svg.matches("no training epochs").count(), 2);
}

#[test]
fn linear_classifier_figure_annotates_each_point_with_its_loss() {
    let scratch = Scratch::new("linear");
    let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
    let points = [[1.0, 2.0], [2.0, 1.0], [2.0, 3.0], [4.0, 3.0], [10.0, 3.0]];
    let labels = [1, -1, -1, 1, 1];
    let options = FigureOptions {
        width: 600,
        height: 500,
        resolution: 2,
    };

    let svg_path = scratch.path("linear.svg");
    plot::linear_classifier_figure(
        &classifier,
        &points,
        &labels,
        MarginLoss::Hinge,
        &svg_path,
        &options,
    )
    .unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    for hinge in ["1.700", "2.500", "0.000", "0.300"] {
        assert!(svg.contains(hinge), "hinge loss {hinge} is missing");
    }
    assert!(svg.contains("hinge loss"));

    let png_path = scratch.path("linear.png");
    plot::linear_classifier_figure(
        &classifier,
        &points,
        &labels,
        MarginLoss::Squared,
        &png_path,
        &options,
    )
    .unwrap();
    let image = decode(&png_path);
    assert_eq!(image.dimensions(), (600, 500));
    assert!(has_color(&image, plot::NEGATIVE_POINT) && has_color(&image, plot::POSITIVE_POINT));
}

#[test]
fn bad_paths_and_extensions_are_errors() {
    let scratch = Scratch::new("bad");
    let report = short_report();
    let options = FigureOptions {
        resolution: 10,
        ..Default::default()
    };

    let error =
        plot::experiment_figure(&report, scratch.path("figure.jpeg"), &options).unwrap_err();
    assert!(matches!(error, Error::UnsupportedFormat { .. }));
    assert!(error.to_string().contains("figure.jpeg"), "{error}");
    let error = plot::experiment_figure(&report, scratch.path("figure"), &options).unwrap_err();
    assert!(matches!(error, Error::UnsupportedFormat { .. }));

    let missing = scratch.path("no/such/folder/figure.png");
    let error = plot::experiment_figure(&report, &missing, &options).unwrap_err();
    assert!(
        error.to_string().contains("no/such/folder/figure.png"),
        "{error}"
    );
    assert!(
        scratch.files().is_empty(),
        "nothing is left behind: {:?}",
        scratch.files()
    );

    let tiny = FigureOptions {
        width: 10,
        ..options
    };
    let error = plot::experiment_figure(&report, scratch.path("f.png"), &tiny).unwrap_err();
    assert_eq!(error.to_string(), "width must be at least 200, got 10");
}
