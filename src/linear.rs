//! A linear classifier of 2-D points, and the table of its margin losses.
//!
//! ```
//! use pretrain_lab::linear::LinearClassifier;
//!
//! let classifier = LinearClassifier::new([1.0, 0.9, -1.3]);
//! let points = [[1.0, 2.0], [2.0, 1.0], [2.0, 3.0], [4.0, 3.0], [10.0, 3.0]];
//! let labels = [1, -1, -1, 1, 1];
//! let table = classifier.loss_table(&points, &labels)?;
//! assert_eq!(table.accuracy(), 0.6);
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::loss::MarginLoss;

/// The classifier `g(x) = w0 + w1*x1 + w2*x2`, predicting `h(x) = sign(g(x))`.
///
/// The weights carry the bias first. As in NumPy, `sign(0) = 0`: a point on the boundary is
/// predicted as neither class and counts as a mistake.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearClassifier {
    /// `[w0, w1, w2]`: the bias, then one weight per coordinate.
    pub weights: [f64; 3],
}

/// One point of a [`LossTable`]: its margin, prediction and the four losses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossRow {
    /// The point.
    pub point: [f64; 2],
    /// Its label, -1 or +1.
    pub label: i8,
    /// The margin `g(x)`.
    pub margin: f64,
    /// The prediction `sign(g(x))`: -1, 0 or +1.
    pub prediction: i8,
    /// The losses, in the order of [`MarginLoss::ALL`].
    pub losses: [f64; 4],
}

/// The margins, predictions and losses of a classifier over a set of points.
#[derive(Debug, Clone, PartialEq)]
pub struct LossTable {
    /// One row per point, in the order given.
    pub rows: Vec<LossRow>,
}

impl LinearClassifier {
    /// The classifier with weights `[w0, w1, w2]` (bias first).
    pub fn new(weights: [f64; 3]) -> Self {
        Self { weights }
    }

    /// The margin `g(x) = w0 + w1*x1 + w2*x2`.
    pub fn margin(&self, point: [f64; 2]) -> f64 {
        let [w0, w1, w2] = self.weights;
        w0 + w1 * point[0] + w2 * point[1]
    }

    /// The prediction `sign(g(x))`: -1, +1, or 0 on the boundary.
    pub fn predict(&self, point: [f64; 2]) -> i8 {
        let margin = self.margin(point);
        if margin > 0.0 {
            1
        } else if margin < 0.0 {
            -1
        } else {
            0
        }
    }

    /// The margin, prediction and four losses of each point.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when `points` and `labels` differ in length, and
    /// [`Error::InvalidLabel`] for a label other than -1 or +1.
    pub fn loss_table(&self, points: &[[f64; 2]], labels: &[i8]) -> Result<LossTable> {
        if points.len() != labels.len() {
            return Err(Error::LengthMismatch {
                n_points: points.len(),
                n_labels: labels.len(),
            });
        }
        let rows = points
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(index, (&point, &label))| {
                if label.abs() != 1 {
                    return Err(Error::InvalidLabel {
                        index,
                        value: label,
                    });
                }
                let margin = self.margin(point);
                Ok(LossRow {
                    point,
                    label,
                    margin,
                    prediction: self.predict(point),
                    losses: MarginLoss::ALL.map(|loss| loss.value(margin, label)),
                })
            })
            .collect::<Result<_>>()?;
        Ok(LossTable { rows })
    }
}

impl LossTable {
    /// The sum of each loss over the points, in the order of [`MarginLoss::ALL`].
    pub fn totals(&self) -> [f64; 4] {
        let mut totals = [0.0; 4];
        for row in &self.rows {
            for (total, loss) in totals.iter_mut().zip(row.losses) {
                *total += loss;
            }
        }
        totals
    }

    /// The fraction of points whose prediction equals their label; 0 for an empty table.
    pub fn accuracy(&self) -> f64 {
        if self.rows.is_empty() {
            return 0.0;
        }
        let correct = self
            .rows
            .iter()
            .filter(|row| row.prediction == row.label)
            .count();
        correct as f64 / self.rows.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_points_predict_zero() {
        let classifier = LinearClassifier::new([0.0, 1.0, -1.0]);
        assert_eq!(classifier.predict([2.0, 2.0]), 0);
        let table = classifier.loss_table(&[[2.0, 2.0]], &[1]).unwrap();
        assert_eq!(table.accuracy(), 0.0);
        assert_eq!(table.rows[0].losses[0], 1.0);
    }

    #[test]
    fn loss_table_rejects_bad_input() {
        let classifier = LinearClassifier::new([0.0, 1.0, 1.0]);
        assert!(matches!(
            classifier.loss_table(&[[0.0, 0.0]], &[]),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            classifier.loss_table(&[[0.0, 0.0]], &[2]),
            Err(Error::InvalidLabel { index: 0, value: 2 })
        ));
        assert_eq!(classifier.loss_table(&[], &[]).unwrap().accuracy(), 0.0);
    }
}
