#!/usr/bin/env bash
# Prints the epoch benches' results as Markdown tables: the median time of one training epoch
# and of one evaluation epoch per backend, model and data size, and each backend's ratio to
# ndarray from the same run. Run after `cargo bench -- epoch` (add `--features wgpu` for the
# GPU column).
#
#   scripts/epoch-table.sh [CRITERION_DIR]      # default target/criterion
set -euo pipefail
cd "$(dirname "$0")/.."

python3 - "${1:-target/criterion}" <<'PY'
import json, pathlib, sys

root = pathlib.Path(sys.argv[1]) / "epoch"
if not root.is_dir():
    sys.exit(f"no epoch bench results under {root}; run `cargo bench -- epoch` first")

times = {}  # (kind, backend, case) -> median seconds
for meta in root.glob("**/new/benchmark.json"):
    bench = json.loads(meta.read_text())
    kind = bench["function_id"]
    backend, case = bench["value_str"].split("/", 1)
    estimates = json.loads((meta.parent / "estimates.json").read_text())
    times[(kind, backend, case)] = estimates["median"]["point_estimate"] / 1e9

backends = [b for b in ("ndarray", "flex", "wgpu") if any(k[1] == b for k in times)]
def order(case):
    model, points = case.rsplit("x", 1)
    return (["100-10", "200-100-50-10", "1024-1024"].index(model), int(points))
cases = sorted({k[2] for k in times}, key=order)

def show(seconds):
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"

for kind, title in (("train", "training epoch"), ("eval", "evaluation epoch")):
    print(f"\nOne {title} (median; in brackets, the ratio to ndarray):\n")
    print("| model x points | " + " | ".join(backends) + " |")
    print("| --- |" + " --- |" * len(backends))
    for case in cases:
        base = times.get((kind, "ndarray", case))
        cells = []
        for backend in backends:
            t = times.get((kind, backend, case))
            if t is None:
                cells.append("-")
            elif base is None or backend == "ndarray":
                cells.append(show(t))
            else:
                cells.append(f"{show(t)} ({t / base:.2f}x)")
        model, points = case.rsplit("x", 1)
        print(f"| [{model.replace('-', ', ')}] x {points} | " + " | ".join(cells) + " |")
PY
