"""Do hardware measurements help the zero-cost predictor? Development seeds only (BENCHMARKS.md, predictors).

HW-NAS-Bench's latencies and energies per cell (../shared/data/nb201/hardware_cifar10.csv: edge GPU, Raspberry
Pi 4, Pixel 3, Eyeriss, FPGA; Edge TPU is left out, it has missing entries) cost no training either. This adds
their logarithms to `--features zcsmooth` and compares `ens-et` with and without them, 100 training cells,
CIFAR-10, seeds 100-109 (never the reported 0-9).

    OMP_NUM_THREADS=1 python benchmarks/predictors_hw_dev.py [--predictor ens-et]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from archscout.benchmarks import get_benchmark
from archscout.cli.bench_predictors import load_pool, one_run

HW = Path(__file__).resolve().parents[2] / "shared" / "data" / "nb201" / "hardware_cifar10.csv"
COLS = ["edgegpu_latency", "edgegpu_energy", "raspi4_latency", "pixel3_latency", "eyeriss_latency",
        "eyeriss_energy", "eyeriss_arithmetic_intensity", "fpga_latency", "fpga_energy"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictor", default="ens-et")
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 110)))
    a = ap.parse_args()
    bench = get_benchmark("nb201")
    space = bench.space
    archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth"], "canonical", None)
    hw = {r["arch"]: r for r in csv.DictReader(HW.open())}
    H = np.log(np.maximum(np.array([[float(hw[space.to_string(x)][c]) for c in COLS] for x in archs]), 1e-6))
    print(f"| features | Kendall τ (mean ± std), {a.predictor}, 100 cells, seeds {a.seeds[0]}-{a.seeds[-1]} | per seed |")
    print("|---|---|---|")
    for label, F in (("zcsmooth", feats), ("zcsmooth + log hardware costs", np.hstack([feats, H]))):
        taus = [one_run(a.predictor, space, archs, y, F, 100, 1000, s, ("pathstats",), 0.1, False)["kendall_tau"] for s in a.seeds]
        print(f"| {label} | {np.mean(taus):.3f} ± {np.std(taus):.3f} | {' '.join(f'{t:.3f}' for t in taus)} |", flush=True)


if __name__ == "__main__":
    main()
