//! The four margin losses of a linear classifier, point by point.
//!
//! ```text
//! cargo run --release --example losses
//! cargo run --release --example losses -- --loss binary_cross_entropy --out bce.svg
//! ```
//!
//! Scores five points with `g(x) = 1 + 0.9*x1 - 1.3*x2`, predicts `sign(g)`, and prints each
//! point's zero-one, squared, binary cross-entropy and hinge loss, their totals, and the
//! accuracy, which should be 60.0%. It then draws the points, the boundary `g = 0` and the
//! margins `g = +1` and `g = -1`, with each point's loss under `--loss` (default hinge), to
//! `--out` (default `losses.png`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use pretrain_lab::linear::{LinearClassifier, LossTable};
use pretrain_lab::loss::MarginLoss;

/// The four margin losses of a linear classifier on five points.
#[derive(Parser)]
struct Args {
    /// The loss written beside each point in the figure: zero_one, squared,
    /// binary_cross_entropy or hinge.
    #[arg(long, default_value = "hinge")]
    loss: String,
    /// Where to write the figure: a .png or .svg file.
    #[arg(long, default_value = "losses.png")]
    out: PathBuf,
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
    let loss: MarginLoss = args.loss.parse()?;
    #[cfg(feature = "plot")]
    pretrain_lab::plot::check_path(&args.out)?;
    let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
    let points = [[1.0, 2.0], [2.0, 1.0], [2.0, 3.0], [4.0, 3.0], [10.0, 3.0]];
    let labels = [1, -1, -1, 1, 1];
    let table = classifier.loss_table(&points, &labels)?;
    print_table(&classifier, &table);

    #[cfg(feature = "plot")]
    {
        let options = pretrain_lab::plot::FigureOptions {
            width: 800,
            height: 600,
            ..Default::default()
        };
        pretrain_lab::plot::linear_classifier_figure(
            &classifier,
            &points,
            &labels,
            loss,
            &args.out,
            &options,
        )?;
        println!(
            "\nFigure with the {loss} loss of each point written to {}",
            args.out.display()
        );
    }
    #[cfg(not(feature = "plot"))]
    let _ = (loss, &args.out);
    Ok(())
}

fn print_table(classifier: &LinearClassifier, table: &LossTable) {
    let [w0, w1, w2] = classifier.weights;
    let term = |w: f64, x: &str| format!(" {} {}*{x}", if w < 0.0 { '-' } else { '+' }, w.abs());
    println!(
        "g(x) = {w0}{}{}, h(x) = sign(g(x))\n",
        term(w1, "x1"),
        term(w2, "x2")
    );

    let names = MarginLoss::ALL.map(MarginLoss::name);
    println!(
        "{:>9} {:>3} {:>7} {:>3} {:>9} {:>9} {:>21} {:>9}",
        "x", "y", "g(x)", "h", names[0], names[1], names[2], names[3]
    );
    for row in &table.rows {
        let point = format!("({}, {})", row.point[0], row.point[1]);
        let [zero_one, squared, bce, hinge] = row.losses;
        println!(
            "{point:>9} {:>3} {:>7.4} {:>3} {zero_one:>9} {squared:>9.4} {bce:>21.16} {hinge:>9.4}",
            row.label, row.margin, row.prediction
        );
    }
    let [zero_one, squared, bce, hinge] = table.totals();
    println!(
        "{:>9} {:>3} {:>7} {:>3} {zero_one:>9} {squared:>9.4} {bce:>21.16} {hinge:>9.4}",
        "total", "", "", ""
    );
    println!("\naccuracy of h: {:.1}%", 100.0 * table.accuracy());
}
