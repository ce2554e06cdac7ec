"""Report on archscout's low-fidelity NB201 table while it is built (or when done).

    python benchmarks/lofi_report.py [--out benchmarks/results/nb201_lofi]

Prints the `bench build-table` summary (Spearman of the 12-epoch test accuracy with NB201's 200-epoch
CIFAR-10 column, seed noise) plus, on the same cells, the Spearman of NB201's own 12-epoch valid column and
of the parameter count with the 200-epoch column: how good a low-fidelity proxy ours is next to those.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from archscout.benchmarks import nb201
from archscout.cli.bench_build_table import read_reference, read_runs, summarise
from archscout.data import shared_data_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/nb201_lofi"))
    ap.add_argument("--planned", type=int, default=360)
    args = ap.parse_args()
    runs = read_runs(args.out / "runs.jsonl")
    ref = read_reference(shared_data_dir() / "nb201" / "test_accuracy.csv")
    summary = summarise(runs, ref, args.planned)
    bench = nb201()
    s = bench.space
    seed0 = [r for r in runs if r["seed"] == 0 and r["arch"] in ref]
    final = np.array([ref[r["arch"]] for r in seed0])
    ours = np.array([r["test_acc"] for r in seed0])
    e12 = np.array([bench.lookup(s.from_string(r["arch"]), "cifar10_valid", epochs=12) for r in seed0])
    params = np.array([r["params"] for r in seed0])
    summary.update({
        "spearman_nb201_epoch12_valid_vs_200ep_same_cells": float(spearmanr(e12, final).statistic),
        "spearman_params_vs_200ep_same_cells": float(spearmanr(params, final).statistic),
        "spearman_ours_vs_nb201_epoch12_valid": float(spearmanr(ours, e12).statistic),
        "median_wall_seconds_per_run": float(np.median([r["wall_seconds"] for r in runs])),
        "test_acc_range": [float(ours.min()), float(ours.max())],
    })
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
