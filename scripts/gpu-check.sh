#!/usr/bin/env bash
# The GPU checks and benches in one go, for a machine with a GPU: builds with the `wgpu` feature,
# runs the wgpu tests, times the example on wgpu and on the CPU, runs the epoch benches on every
# backend, and writes it all to one results file. With the build done, it took 7 minutes on
# 2 cores with wgpu on Mesa's software driver; a first build adds its compile time.
#
#   scripts/gpu-check.sh [RESULTS_FILE]          # default gpu-results.txt
#
# It fails, and says so in the file, when wgpu finds no adapter. Each section prints how long it
# took. A machine without network access needs the crates beforehand: run `cargo fetch` where
# there is network and bring ~/.cargo/registry along, or vendor them with `cargo vendor`.
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-gpu-results.txt}
figure=$(mktemp --suffix=.png)
trap 'rm -f "$figure"' EXIT

{
  echo "# pretrain-lab GPU checks, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "CPU: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

  echo; echo "## build"
  start=$(date +%s)
  cargo build --release --features wgpu --example spiral --tests --benches 2>&1 | tail -n 3
  echo "built in $(( $(date +%s) - start )) s"

  section() { echo; echo "## $1 (at $(( $(date +%s) - start )) s)"; }

  section "wgpu tests"
  cargo test --release --features wgpu --test wgpu -- --nocapture 2>&1 \
    | grep -E '^test |test result|wgpu adapter|panicked|error'

  section "the example experiment end to end"
  for backend in wgpu flex ndarray native; do
    target/release/examples/spiral --backend "$backend" --out "$figure" 2>/dev/null \
      | grep -E 'backend|adapter|Final mean test acc|epochs in' || true
  done

  section "epoch benches"
  cargo bench --features wgpu --bench bench_main -- epoch --warm-up-time 0.5 --measurement-time 1 \
    2>&1 | grep -E '^epoch/|time:' || true
  scripts/epoch-table.sh
  section "done"
} 2>&1 | tee "$results"
echo "results written to $results"
