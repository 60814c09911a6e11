#!/usr/bin/env bash
# Times the exercise's PyTorch code and this crate's spiral example (native, flex, ndarray)
# alternately on the same machine and prints the median training-loop time of each and their
# ratios.
#
#   scripts/compare-pytorch.sh PYTHON HW1_TORCH_PY [CONFIG] [RUNS]
#
# PYTHON is an interpreter with torch, numpy and scikit-learn; HW1_TORCH_PY the exercise's
# PyTorch script (it takes --warmup, --threads and a config name and prints wall=SECONDSs).
# CONFIG is one of the script's names (example, final1, ...; default example); RUNS defaults
# to 3. Both sides time only their training loop, PyTorch after its warm-up run. BACKENDS picks
# the crate's side (default "native flex ndarray"); for final1, BACKENDS="native flex" skips
# ndarray's minute-long runs.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${1:?usage: $0 PYTHON HW1_TORCH_PY [CONFIG] [RUNS]}
torch_script=${2:?usage: $0 PYTHON HW1_TORCH_PY [CONFIG] [RUNS]}
config=${3:-example}
runs=${4:-3}
read -r -a backends <<<"${BACKENDS:-native flex ndarray}"
case "$config" in
  example) toml=example ;;
  wide_deep) toml=wide-deep ;;
  wide_deep_long) toml=wide-deep-long ;;
  pre1) toml=pretrain-1 ;;
  pre2) toml=pretrain-2 ;;
  pre3) toml=pretrain-3 ;;
  best1) toml=best-1 ;;
  best3) toml=best-3 ;;
  final1) toml=final-1 ;;
  long) toml=long ;;
  *) echo "unknown config $config" >&2; exit 2 ;;
esac

cargo build --release --example spiral >/dev/null 2>&1
spiral=target/release/examples/spiral
figure=$(mktemp --suffix=.png)
trap 'rm -f "$figure"' EXIT

declare -A times
for ((i = 1; i <= runs; i++)); do
  times[torch]+="$("$python" "$torch_script" --warmup "$config" | grep -o 'wall=[0-9.]*' | cut -d= -f2) "
  times[torch_1]+="$("$python" "$torch_script" --warmup --threads 1 "$config" | grep -o 'wall=[0-9.]*' | cut -d= -f2) "
  for backend in "${backends[@]}"; do
    seconds=$("$spiral" --config "examples/experiments/$toml.toml" --backend "$backend" --out "$figure" \
      | sed -n 's/^ran .* in \([0-9.]*\) s$/\1/p')
    times[$backend]+="$seconds "
  done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
torch=$(median <<<"${times[torch]}")
torch_1=$(median <<<"${times[torch_1]}")
printf '%-28s %10s %12s %12s\n' "$config ($runs runs each)" "median s" "/ PyTorch" "/ PyTorch 1t"
for name in torch torch_1 "${backends[@]}"; do
  m=$(median <<<"${times[$name]}")
  awk -v n="$name" -v m="$m" -v t="$torch" -v t1="$torch_1" \
    'BEGIN {printf "%-28s %10.3f %12.2f %12.2f\n", n, m, m / t, m / t1}'
done
