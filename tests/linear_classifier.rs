//! The linear classifier of the exercise against the reference table.
//!
//! Reference: the exercise's own f64 computation (NumPy) for w = (1, 0.9, -1.3), as recorded in
//! the specification this crate follows.

use pretrain_lab::linear::LinearClassifier;
use pretrain_lab::loss::MarginLoss;

const POINTS: [[f64; 2]; 5] = [[1.0, 2.0], [2.0, 1.0], [2.0, 3.0], [4.0, 3.0], [10.0, 3.0]];
const LABELS: [i8; 5] = [1, -1, -1, 1, 1];

/// Per point: g(x), h(x), then zero-one, squared, binary cross-entropy and hinge.
const REFERENCE: [(f64, i8, [f64; 4]); 5] = [
    (-0.7, -1, [1.0, 2.89, 1.1031860488854581, 1.7]),
    (1.5, 1, [1.0, 6.25, 1.7014132779827522, 2.5]),
    (-1.1, -1, [0.0, 0.01, 0.2873353251154307, 0.0]),
    (0.7, 1, [0.0, 0.09, 0.4031860488854581, 0.3]),
    (6.1, 1, [0.0, 26.01, 0.0022403562462494, 0.0]),
];

#[test]
fn loss_table_matches_the_reference_to_1e_12() {
    let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
    let table = classifier.loss_table(&POINTS, &LABELS).unwrap();
    assert_eq!(table.rows.len(), 5);
    for (i, (row, (margin, prediction, losses))) in table.rows.iter().zip(REFERENCE).enumerate() {
        assert!(
            (row.margin - margin).abs() < 1e-12,
            "g at point {i}: {}",
            row.margin
        );
        assert_eq!(row.prediction, prediction, "h at point {i}");
        for ((got, expected), loss) in row.losses.iter().zip(losses).zip(MarginLoss::ALL) {
            assert!(
                (got - expected).abs() < 1e-12,
                "{loss} at point {i}: {got} vs {expected}"
            );
        }
    }
}

#[test]
fn accuracy_is_sixty_percent() {
    let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
    let table = classifier.loss_table(&POINTS, &LABELS).unwrap();
    assert_eq!(table.accuracy(), 0.6);
}

#[test]
fn totals_add_the_reference_rows() {
    let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
    let totals = classifier.loss_table(&POINTS, &LABELS).unwrap().totals();
    for (column, got) in totals.iter().enumerate() {
        let expected: f64 = REFERENCE.iter().map(|(_, _, losses)| losses[column]).sum();
        assert!(
            (got - expected).abs() < 1e-12,
            "column {column}: {got} vs {expected}"
        );
    }
    assert_eq!(totals[0], 2.0);
}

#[test]
fn margin_losses_of_single_points_match_the_table() {
    for ((margin, _, losses), label) in REFERENCE.into_iter().zip(LABELS) {
        for (loss, expected) in MarginLoss::ALL.into_iter().zip(losses) {
            let got = loss.value(margin, label);
            assert!(
                (got - expected).abs() < 1e-12,
                "{loss}({margin}, {label}) = {got}"
            );
        }
    }
}

#[test]
fn binary_cross_entropy_stays_finite_for_huge_margins() {
    for margin in [-1000.0, 1000.0, -1e300, 1e300] {
        for label in [-1, 1] {
            let value = MarginLoss::BinaryCrossEntropy.value(margin, label);
            assert!(
                value.is_finite() && value >= 0.0,
                "bce({margin}, {label}) = {value}"
            );
        }
    }
    assert_eq!(MarginLoss::BinaryCrossEntropy.value(-1000.0, 1), 1000.0);
}
