//! Labelled 2-D points: the exercise's rings and spiral, more toy sets, and a seeded split.
//!
//! Every generator takes its random generator (or a seed) from the caller, so the same seed
//! always gives the same points. Labels are -1 or +1 throughout; the training code maps them to
//! class indices 0 and 1 where it needs to.
//!
//! ```
//! use pretrain_lab::data::{self, LabeledPoints};
//! use rand::SeedableRng;
//!
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let rings = data::rings(&[2.0, 6.0, 10.0], 100, data::RING_STD, &mut rng)?;
//! assert_eq!(rings.len(), 300);
//!
//! let split = data::spiral(32)?.split(0.2, 1)?;
//! assert_eq!((split.train.len(), split.test.len()), (51, 13));
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use std::f64::consts::PI;

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::seq::SliceRandom;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{Error, Result};

/// The standard deviation of a ring point's radius around its ring's radius, as in the exercise.
pub const RING_STD: f64 = 0.1;

/// The most points a generator makes in one call: 50 million, 400 MB of coordinates. More is
/// refused with [`Error::TooLarge`] before anything is allocated.
pub const MAX_POINTS: usize = 50_000_000;

/// The number of points on each arm of the exercise's spiral.
pub const SPIRAL_POINTS_PER_ARM: usize = 32;

/// The stream of [`ChaCha8Rng`] that [`LabeledPoints::split`] draws its shuffle from, kept apart
/// from the stream a caller seeds for the generators.
const SPLIT_STREAM: u64 = 1;

/// A set of 2-D points, each with a label of -1 or +1.
///
/// The two vectors always have the same length; [`LabeledPoints::new`] checks that.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabeledPoints {
    /// The points, `[x1, x2]` each.
    pub points: Vec<[f32; 2]>,
    /// The labels, -1 or +1, one per point.
    pub labels: Vec<i8>,
}

/// A data set cut in two: the part to train on and the part held out for testing.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The training part.
    pub train: LabeledPoints,
    /// The test part.
    pub test: LabeledPoints,
}

/// A data set on a device, ready for a forward pass.
#[derive(Debug, Clone)]
pub struct DeviceData {
    /// The points, shape `[n, 2]`.
    pub inputs: Tensor<2>,
    /// The class index of each point (0 for label -1, 1 for label +1), shape `[n, 1]`.
    pub targets: Tensor<2, Int>,
    /// The class indices one-hot encoded, shape `[n, 2]`.
    pub one_hot: Tensor<2>,
    /// The labels as floats, -1.0 or +1.0, shape `[n]`.
    pub labels: Tensor<1>,
}

impl LabeledPoints {
    /// Pairs points with labels.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the two have different lengths, and
    /// [`Error::InvalidLabel`] for a label other than -1 or +1.
    pub fn new(points: Vec<[f32; 2]>, labels: Vec<i8>) -> Result<Self> {
        if points.len() != labels.len() {
            return Err(Error::LengthMismatch {
                n_points: points.len(),
                n_labels: labels.len(),
            });
        }
        if let Some((index, &value)) = labels.iter().enumerate().find(|(_, l)| l.abs() != 1) {
            return Err(Error::InvalidLabel { index, value });
        }
        Ok(Self { points, labels })
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the set holds no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The smallest box `[[x1_min, x1_max], [x2_min, x2_max]]` holding every point, or `None`
    /// for an empty set.
    pub fn bounds(&self) -> Option<[[f32; 2]; 2]> {
        let first = self.points.first()?;
        let mut bounds = [[first[0], first[0]], [first[1], first[1]]];
        for point in &self.points {
            for (axis, bound) in bounds.iter_mut().enumerate() {
                bound[0] = bound[0].min(point[axis]);
                bound[1] = bound[1].max(point[axis]);
            }
        }
        Some(bounds)
    }

    /// Shuffles the points with `seed` and cuts them into a train and a test part.
    ///
    /// The test part has `ceil(test_fraction * n)` points and the train part the rest, as in
    /// scikit-learn's `train_test_split`: the exercise's 64 spiral points give 51 and 13. The
    /// same seed always gives the same split.
    ///
    /// # Errors
    ///
    /// [`Error::TestFraction`] when `test_fraction` is not strictly between 0 and 1, and
    /// [`Error::EmptySplit`] when the split would leave either part without points.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<Split> {
        let n_points = self.len();
        let (_, n_test) = split_sizes(n_points, test_fraction)?;

        let mut order: Vec<usize> = (0..n_points).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(SPLIT_STREAM);
        order.shuffle(&mut rng);

        let (test, train) = order.split_at(n_test);
        Ok(Split {
            train: self.select(train),
            test: self.select(test),
        })
    }

    /// The points at `indices`, in that order.
    fn select(&self, indices: &[usize]) -> Self {
        Self {
            points: indices.iter().map(|&i| self.points[i]).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// Appends the points and labels of `other`.
    pub fn extend(&mut self, other: &Self) {
        self.points.extend_from_slice(&other.points);
        self.labels.extend_from_slice(&other.labels);
    }

    /// The points as a `[n, 2]` tensor on `device`.
    pub fn inputs(&self, device: &Device) -> Tensor<2> {
        let flat: Vec<f32> = self.points.iter().flatten().copied().collect();
        Tensor::from_data(TensorData::new(flat, [self.len(), 2]), device)
    }

    /// Everything a training or evaluation epoch needs, as tensors on `device`.
    pub fn to_tensors(&self, device: &Device) -> DeviceData {
        let n = self.len();
        let classes: Vec<i64> = self.labels.iter().map(|&l| i64::from(l > 0)).collect();
        let one_hot: Vec<f32> = classes
            .iter()
            .flat_map(|&c| if c == 1 { [0.0, 1.0] } else { [1.0, 0.0] })
            .collect();
        let labels: Vec<f32> = self.labels.iter().map(|&l| f32::from(l)).collect();
        DeviceData {
            inputs: self.inputs(device),
            targets: Tensor::from_data(TensorData::new(classes, [n, 1]), device),
            one_hot: Tensor::from_data(TensorData::new(one_hot, [n, 2]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

/// The sizes `(n_train, n_test)` of a split of `n_points` points with `test_fraction` of them,
/// rounded up, held out for testing.
///
/// # Errors
///
/// [`Error::TestFraction`] when `test_fraction` is not strictly between 0 and 1, and
/// [`Error::EmptySplit`] when either part would be empty.
pub fn split_sizes(n_points: usize, test_fraction: f64) -> Result<(usize, usize)> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::TestFraction {
            value: test_fraction,
        });
    }
    let n_test = (test_fraction * n_points as f64).ceil() as usize;
    let n_train = n_points.saturating_sub(n_test);
    if n_test == 0 || n_train == 0 {
        return Err(Error::EmptySplit {
            test_fraction,
            n_points,
            n_train,
            n_test,
        });
    }
    Ok((n_train, n_test))
}

/// Concentric rings with alternating labels: the exercise's pretraining data.
///
/// Ring `i` has radius `radii[i]` and label `(-1)^i` (the first ring +1, the next -1, ...). Each
/// of its `examples_per_ring` points has radius `r = radii[i] + N(0, std)` and angle
/// `t ~ U(0, 2*pi)`:
///
/// ```text
/// x = (r * sin t, r * cos t)
/// ```
///
/// Points are laid out ring after ring; within a ring the radii are drawn first, then the
/// angles, as the exercise does. `t` is drawn as `2*pi*u` with `u ~ U[0, 1)`.
///
/// # Errors
///
/// [`Error::Empty`] for no radii, [`Error::NotPositive`] for a radius that is not positive and
/// finite, [`Error::TooSmall`] for `examples_per_ring == 0`, [`Error::TooLarge`] for more than
/// [`MAX_POINTS`] points in all, [`Error::Negative`] for a `std` that is negative or not
/// finite.
pub fn rings<R: Rng + ?Sized>(
    radii: &[f64],
    examples_per_ring: usize,
    std: f64,
    rng: &mut R,
) -> Result<LabeledPoints> {
    validate_rings(radii, examples_per_ring, std)?;

    let mut points = Vec::with_capacity(radii.len() * examples_per_ring);
    let mut labels = Vec::with_capacity(points.capacity());
    for (i, &radius) in radii.iter().enumerate() {
        let label = if i % 2 == 0 { 1 } else { -1 };
        let r: Vec<f64> = (0..examples_per_ring)
            .map(|_| radius + std * gaussian(rng))
            .collect();
        for r in r {
            let t = 2.0 * PI * rng.random::<f64>();
            points.push([(r * t.sin()) as f32, (r * t.cos()) as f32]);
            labels.push(label);
        }
    }
    Ok(LabeledPoints { points, labels })
}

/// Checks the arguments of [`rings`] without drawing anything.
///
/// # Errors
///
/// As [`rings`].
pub fn validate_rings(radii: &[f64], examples_per_ring: usize, std: f64) -> Result<()> {
    if radii.is_empty() {
        return Err(Error::Empty { field: "radii" });
    }
    for (i, &radius) in radii.iter().enumerate() {
        Error::check_positive(format!("radii[{i}]"), radius)?;
    }
    Error::check_at_least("examples_per_ring", examples_per_ring, 1)?;
    check_point_count(
        "radii.len() * examples_per_ring",
        radii.len(),
        examples_per_ring,
    )?;
    Error::check_non_negative("std", std)
}

/// Checks that `groups * per_group` points stay within [`MAX_POINTS`].
fn check_point_count(field: &str, groups: usize, per_group: usize) -> Result<()> {
    Error::check_at_most(field, groups.saturating_mul(per_group), MAX_POINTS)
}

/// One draw from the standard normal distribution N(0, 1).
fn gaussian<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

/// A two-armed spiral: the exercise's training data. It has no noise and needs no seed.
///
/// Each arm `k` (0, then 1) has `n_per_arm` points; with `z` running over
/// `linspace(0, 4*pi, n_per_arm)`, both ends included,
///
/// ```text
/// x = (z * sin(z + k*pi), z * cos(z + k*pi))
/// ```
///
/// Arm 0 is labelled -1 and arm 1 is labelled +1. Both arms start at the origin, so the first
/// point of each arm is the same point with opposite labels: no classifier gets both right.
///
/// # Errors
///
/// [`Error::TooSmall`] for `n_per_arm == 0`, [`Error::TooLarge`] for more than
/// [`MAX_POINTS`] points in all.
pub fn spiral(n_per_arm: usize) -> Result<LabeledPoints> {
    Error::check_at_least("n_per_arm", n_per_arm, 1)?;
    check_point_count("2 * n_per_arm", 2, n_per_arm)?;

    let step = if n_per_arm > 1 {
        4.0 * PI / (n_per_arm - 1) as f64
    } else {
        0.0
    };
    let mut points = Vec::with_capacity(2 * n_per_arm);
    let mut labels = Vec::with_capacity(2 * n_per_arm);
    for (arm, label) in [(0.0, -1), (1.0, 1)] {
        for j in 0..n_per_arm {
            let z = j as f64 * step;
            let phase = z + arm * PI;
            points.push([(z * phase.sin()) as f32, (z * phase.cos()) as f32]);
            labels.push(label);
        }
    }
    Ok(LabeledPoints { points, labels })
}

/// Two interleaving half circles, as scikit-learn's `make_moons`.
///
/// The upper moon (label -1) is `(cos t, sin t)` and the lower moon (label +1) is
/// `(1 - cos t, 0.5 - sin t)`, with `t` over `linspace(0, pi, n_per_moon)`; each coordinate then
/// gets Gaussian noise of standard deviation `noise`.
///
/// # Errors
///
/// [`Error::TooSmall`] for `n_per_moon == 0`, [`Error::TooLarge`] for more than
/// [`MAX_POINTS`] points in all, [`Error::Negative`] for a `noise` that is negative or not
/// finite.
pub fn moons<R: Rng + ?Sized>(n_per_moon: usize, noise: f64, rng: &mut R) -> Result<LabeledPoints> {
    Error::check_at_least("n_per_moon", n_per_moon, 1)?;
    check_point_count("2 * n_per_moon", 2, n_per_moon)?;
    Error::check_non_negative("noise", noise)?;

    let step = if n_per_moon > 1 {
        PI / (n_per_moon - 1) as f64
    } else {
        0.0
    };
    let mut points = Vec::with_capacity(2 * n_per_moon);
    let mut labels = Vec::with_capacity(2 * n_per_moon);
    for (upper, label) in [(true, -1), (false, 1)] {
        for j in 0..n_per_moon {
            let t = j as f64 * step;
            let [x, y] = if upper {
                [t.cos(), t.sin()]
            } else {
                [1.0 - t.cos(), 0.5 - t.sin()]
            };
            let x = x + noise * gaussian(rng);
            let y = y + noise * gaussian(rng);
            points.push([x as f32, y as f32]);
            labels.push(label);
        }
    }
    Ok(LabeledPoints { points, labels })
}

/// The XOR pattern: points uniform in the square `[-1, 1]^2`, labelled by quadrant.
///
/// A point is labelled +1 when its two coordinates have the same sign (first and third
/// quadrants) and -1 otherwise; the label is taken before each coordinate gets Gaussian noise of
/// standard deviation `noise`, so with noise some points cross into the other class's quadrant.
///
/// # Errors
///
/// [`Error::TooSmall`] for `n_points == 0`, [`Error::TooLarge`] for more than
/// [`MAX_POINTS`], [`Error::Negative`] for a `noise` that is negative or not finite.
pub fn xor<R: Rng + ?Sized>(n_points: usize, noise: f64, rng: &mut R) -> Result<LabeledPoints> {
    Error::check_at_least("n_points", n_points, 1)?;
    Error::check_at_most("n_points", n_points, MAX_POINTS)?;
    Error::check_non_negative("noise", noise)?;

    let mut points = Vec::with_capacity(n_points);
    let mut labels = Vec::with_capacity(n_points);
    for _ in 0..n_points {
        let x = 2.0 * rng.random::<f64>() - 1.0;
        let y = 2.0 * rng.random::<f64>() - 1.0;
        labels.push(if x * y >= 0.0 { 1 } else { -1 });
        let x = x + noise * gaussian(rng);
        let y = y + noise * gaussian(rng);
        points.push([x as f32, y as f32]);
    }
    Ok(LabeledPoints { points, labels })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn rings_have_the_counts_and_alternating_labels() {
        let data = rings(&[2.0, 6.0, 10.0], 100, RING_STD, &mut rng(1)).unwrap();
        assert_eq!(data.len(), 300);
        assert_eq!(data.labels.len(), 300);
        for (ring, expected) in [(0, 1), (1, -1), (2, 1)] {
            let labels = &data.labels[ring * 100..(ring + 1) * 100];
            assert!(labels.iter().all(|&l| l == expected), "ring {ring}");
        }
    }

    #[test]
    fn ring_radii_stay_within_the_noise() {
        let radii = [2.0, 6.0, 10.0];
        let data = rings(&radii, 500, RING_STD, &mut rng(7)).unwrap();
        for (i, point) in data.points.iter().enumerate() {
            let r = f64::from(point[0]).hypot(f64::from(point[1]));
            // Six standard deviations: a miss has probability ~1e-9 per point.
            assert!(
                (r - radii[i / 500]).abs() < 6.0 * RING_STD,
                "point {i} at radius {r}"
            );
        }
        let mean_r: f64 = data.points[..500]
            .iter()
            .map(|p| f64::from(p[0]).hypot(f64::from(p[1])))
            .sum::<f64>()
            / 500.0;
        assert!((mean_r - 2.0).abs() < 0.03, "mean radius {mean_r}");
    }

    #[test]
    fn ring_angles_cover_the_circle() {
        let data = rings(&[5.0], 400, 0.0, &mut rng(3)).unwrap();
        let mut quadrants = [0; 4];
        for p in &data.points {
            quadrants[usize::from(p[0] < 0.0) * 2 + usize::from(p[1] < 0.0)] += 1;
        }
        assert!(quadrants.iter().all(|&q| q > 60), "{quadrants:?}");
    }

    #[test]
    fn rings_are_seeded() {
        let a = rings(&[2.0, 6.0], 10, RING_STD, &mut rng(1)).unwrap();
        let b = rings(&[2.0, 6.0], 10, RING_STD, &mut rng(1)).unwrap();
        let c = rings(&[2.0, 6.0], 10, RING_STD, &mut rng(2)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn rings_reject_bad_arguments() {
        let mut rng = rng(0);
        assert!(matches!(
            rings(&[], 10, 0.1, &mut rng),
            Err(Error::Empty { field: "radii" })
        ));
        let error = rings(&[2.0, -1.0], 10, 0.1, &mut rng).unwrap_err();
        assert_eq!(
            error.to_string(),
            "radii[1] must be positive and finite, got -1"
        );
        let error = rings(&[f64::NAN], 10, 0.1, &mut rng).unwrap_err();
        assert_eq!(
            error.to_string(),
            "radii[0] must be positive and finite, got NaN"
        );
        let error = rings(&[2.0], 0, 0.1, &mut rng).unwrap_err();
        assert_eq!(
            error.to_string(),
            "examples_per_ring must be at least 1, got 0"
        );
        assert!(matches!(
            rings(&[2.0], 1, -0.1, &mut rng),
            Err(Error::Negative { .. })
        ));
    }

    #[test]
    fn spiral_follows_the_formula() {
        let data = spiral(32).unwrap();
        assert_eq!(data.len(), 64);
        assert!(data.labels[..32].iter().all(|&l| l == -1));
        assert!(data.labels[32..].iter().all(|&l| l == 1));
        for (i, point) in data.points.iter().enumerate() {
            let (arm, j) = (i / 32, i % 32);
            let z = 4.0 * PI * j as f64 / 31.0;
            let phase = z + arm as f64 * PI;
            let expected = [z * phase.sin(), z * phase.cos()];
            for axis in 0..2 {
                let got = f64::from(point[axis]);
                assert!((got - expected[axis]).abs() < 1e-5, "point {i} axis {axis}");
            }
        }
        // The last point of each arm sits at z = 4*pi.
        let last = data.points[31];
        assert!((f64::from(last[0]).hypot(f64::from(last[1])) - 4.0 * PI).abs() < 1e-5);
    }

    #[test]
    fn both_spiral_arms_start_at_the_origin() {
        let data = spiral(32).unwrap();
        assert_eq!(data.points[0], [0.0, 0.0]);
        assert_eq!(data.points[32], [0.0, 0.0]);
        assert_eq!((data.labels[0], data.labels[32]), (-1, 1));
    }

    #[test]
    fn spiral_rejects_zero_points() {
        assert_eq!(
            spiral(0).unwrap_err().to_string(),
            "n_per_arm must be at least 1, got 0"
        );
        assert_eq!(spiral(1).unwrap().len(), 2);
    }

    #[test]
    fn split_sizes_follow_scikit_learn() {
        let split = spiral(32).unwrap().split(0.2, 1).unwrap();
        assert_eq!(split.train.len(), 51);
        assert_eq!(split.test.len(), 13);
        // ceil, not round: 0.25 of 10 points is 3 test points.
        let split = spiral(5).unwrap().split(0.25, 1).unwrap();
        assert_eq!((split.train.len(), split.test.len()), (7, 3));
    }

    #[test]
    fn split_is_a_partition() {
        let data = spiral(32).unwrap();
        let split = data.split(0.2, 1).unwrap();
        let mut seen: Vec<([u32; 2], i8)> = split
            .train
            .points
            .iter()
            .zip(&split.train.labels)
            .chain(split.test.points.iter().zip(&split.test.labels))
            .map(|(p, &l)| ([p[0].to_bits(), p[1].to_bits()], l))
            .collect();
        let mut all: Vec<([u32; 2], i8)> = data
            .points
            .iter()
            .zip(&data.labels)
            .map(|(p, &l)| ([p[0].to_bits(), p[1].to_bits()], l))
            .collect();
        seen.sort_unstable();
        all.sort_unstable();
        assert_eq!(seen, all);
    }

    #[test]
    fn split_is_seeded() {
        let data = spiral(32).unwrap();
        assert_eq!(data.split(0.2, 1).unwrap(), data.split(0.2, 1).unwrap());
        assert_ne!(data.split(0.2, 1).unwrap(), data.split(0.2, 2).unwrap());
    }

    #[test]
    fn split_rejects_bad_fractions() {
        let data = spiral(32).unwrap();
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
            assert!(
                matches!(data.split(bad, 1), Err(Error::TestFraction { .. })),
                "{bad}"
            );
        }
        let two = spiral(1).unwrap();
        let error = two.split(0.9, 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "test_fraction 0.9 splits 2 points into 0 train and 2 test points; both parts need \
             at least one"
        );
        assert!(matches!(
            LabeledPoints::default().split(0.5, 1),
            Err(Error::EmptySplit { .. })
        ));
    }

    #[test]
    fn moons_and_xor_have_the_counts_and_labels() {
        let moons = moons(50, 0.1, &mut rng(1)).unwrap();
        assert_eq!(moons.len(), 100);
        assert_eq!(moons.labels.iter().filter(|&&l| l == 1).count(), 50);

        let xor = xor(200, 0.0, &mut rng(1)).unwrap();
        assert_eq!(xor.len(), 200);
        for (p, &l) in xor.points.iter().zip(&xor.labels) {
            assert_eq!(l, if p[0] * p[1] >= 0.0 { 1 } else { -1 });
            assert!(p[0].abs() <= 1.0 && p[1].abs() <= 1.0);
        }
    }

    #[test]
    fn noiseless_moons_lie_on_their_circles() {
        let data = moons(20, 0.0, &mut rng(1)).unwrap();
        for (p, &l) in data.points.iter().zip(&data.labels) {
            let center = if l == -1 { [0.0, 0.0] } else { [1.0, 0.5] };
            let r = f64::from(p[0] - center[0]).hypot(f64::from(p[1] - center[1]));
            assert!((r - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn noisy_generators_reject_bad_noise() {
        assert!(matches!(
            moons(10, -1.0, &mut rng(1)),
            Err(Error::Negative { .. })
        ));
        assert!(matches!(
            xor(10, f64::INFINITY, &mut rng(1)),
            Err(Error::Negative { .. })
        ));
        assert!(matches!(
            xor(0, 0.1, &mut rng(1)),
            Err(Error::TooSmall { .. })
        ));
    }

    #[test]
    fn new_checks_lengths_and_labels() {
        assert!(LabeledPoints::new(vec![[0.0, 0.0]], vec![1]).is_ok());
        assert!(matches!(
            LabeledPoints::new(vec![[0.0, 0.0]], vec![]),
            Err(Error::LengthMismatch {
                n_points: 1,
                n_labels: 0
            })
        ));
        let error = LabeledPoints::new(vec![[0.0, 0.0]; 2], vec![1, 0]).unwrap_err();
        assert_eq!(error.to_string(), "labels[1] must be -1 or +1, got 0");
    }

    #[test]
    fn bounds_hold_every_point() {
        let data = spiral(32).unwrap();
        let [[x_min, x_max], [y_min, y_max]] = data.bounds().unwrap();
        assert!(data.points.iter().all(|p| (x_min..=x_max).contains(&p[0])));
        assert!(data.points.iter().all(|p| (y_min..=y_max).contains(&p[1])));
        assert_eq!(LabeledPoints::default().bounds(), None);
    }
}
