//! The four margin losses of a linear classifier, point by point.
//!
//! ```text
//! cargo run --release --example losses
//! ```
//!
//! Scores five points with `g(x) = 1 + 0.9*x1 - 1.3*x2`, predicts `sign(g)`, and prints each
//! point's zero-one, squared, binary cross-entropy and hinge loss, their totals, and the
//! accuracy, which should be 60.0%.

use std::process::ExitCode;

use pretrain_lab::linear::{LinearClassifier, LossTable};
use pretrain_lab::loss::MarginLoss;

fn main() -> ExitCode {
    let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
    let points = [[1.0, 2.0], [2.0, 1.0], [2.0, 3.0], [4.0, 3.0], [10.0, 3.0]];
    let labels = [1, -1, -1, 1, 1];
    match classifier.loss_table(&points, &labels) {
        Ok(table) => {
            print_table(&classifier, &table);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
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
