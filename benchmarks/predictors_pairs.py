"""Per-seed Kendall τ differences of two predictors on the same seeds (BENCHMARKS.md, predictors).

    python benchmarks/predictors_pairs.py benchmarks/results/predictors_cifar10_gnnpre.jsonl ens-et-gnn ens-et
    python benchmarks/predictors_pairs.py benchmarks/results/predictors_cifar10_gnnpre.jsonl ens-et-gnn ens-et-gnn \\
        --other-file benchmarks/results/predictors_cifar10_gnnpre_h32.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def taus(path: Path, predictor: str, n: int) -> dict[int, float]:
    rs = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return {r["seed"]: r["kendall_tau"] for r in rs if r["predictor"] == predictor and r["train_size"] == n}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--other-file", type=Path, default=None, help="where b's rows are (default: the same file)")
    ap.add_argument("--train-size", type=int, default=100)
    x = ap.parse_args()
    ta, tb = taus(x.file, x.a, x.train_size), taus(x.other_file or x.file, x.b, x.train_size)
    seeds = sorted(set(ta) & set(tb))
    d = np.array([ta[s] - tb[s] for s in seeds])
    print(f"{x.a} minus {x.b}, {x.train_size} cells, seeds {seeds}: " + " ".join(f"{v:+.3f}" for v in d))
    print(f"mean {d.mean():+.4f}; better on {int((d > 5e-4).sum())}, level (±0.0005) on {int((abs(d) <= 5e-4).sum())}, "
          f"worse on {int((d < -5e-4).sum())}")


if __name__ == "__main__":
    main()
