//! Criterion benches, one file per question under `benchmarks/`.
//!
//! ```text
//! cargo bench                      # everything
//! cargo bench -- experiment        # one group
//! cargo test --release --benches   # only check that every bench runs once
//! ```

mod benchmarks;

criterion::criterion_main! {
    benchmarks::epoch::benches,
    benchmarks::experiment::benches,
    benchmarks::figure::benches,
}
