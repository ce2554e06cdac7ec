"""How fast can any early-stopping rule be on a replayed search? An oracle bound (BENCHMARKS.md (b)).

Same searches as `archscout bench stopping` (seed s visits the seeded permutation of s, first --trials
curves). The oracle runs the first W trials to the end (the completed curves a calibrated rule waits for:
W = 15 for `baker` = 10 training curves + 5 for the calibration, 11 with ``n_train=6``, W = 10 for `lce`), then knows every
trial's final value: a trial that will not beat the best completed one is stopped at the rule's first
check, every other trial runs to the end. Its speed-up is an upper bound for a rule with that warm-up and
that first check, at zero regret.

    python benchmarks/curves_stopping_oracle.py [--trials 100] [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import numpy as np

from archscout.cli.bench_curves import load
from archscout.stopping.pruners import BakerPruner, LCEPruner

D = "../shared/data"
SOURCES = [(f"{D}/baker2018/metaqnn_cifar10.csv", False), (f"{D}/baker2018/metaqnn_svhn.csv", False),
           (f"{D}/baker2018/deep_resnets_cifar10.csv", False), (f"{D}/baker2018/lstm_ptb.csv", True),
           ("lcbench:3945", False), ("lcbench:7593", False), (f"{D}/nb201/learning_curves_cifar10.csv", False)]


def oracle(finals: np.ndarray, T: int, warmup: int, first: int) -> float:
    """Speed-up of the oracle on one search (finals in visiting order, larger is better)."""
    best, cost = -np.inf, 0
    for i, f in enumerate(finals):
        if i < warmup or f > best:
            cost += T
            best = max(best, f)
        else:
            cost += first
    return len(finals) * T / cost


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    a = ap.parse_args()
    print("| set | epochs | oracle, warm-up 15, `baker`'s first check | same, first check at epoch 3 or later (the old floor) "
          "| oracle, warm-up 11 (`n_train=6`), `baker`'s first check | oracle, warm-up 10, `lce`'s first check |")
    print("|---|---|---|---|---|---|")
    for src, minimize in SOURCES:
        cs, metric = load(SimpleNamespace(curves=src, minimize=minimize, range=None, metric=None,
                                          lcbench_path=None, lcbench_configs=500, seed=0))
        C = cs.curves[:, (1 if cs.untrained else 0):]
        T = C.shape[1]
        ok = np.flatnonzero(np.all(np.isfinite(C), axis=1))
        bk = BakerPruner(T, metric)
        b = min(e for e in bk.check_epochs if e >= bk.min_epochs)
        b_old = min(e for e in bk.check_epochs if e >= 3)
        lce = LCEPruner(T, metric)
        first_lce = lce.min_epochs if lce.check_epochs is None else min(e for e in lce.check_epochs if e >= lce.min_epochs)
        cells = []
        for warmup, first in ((15, b), (15, b_old), (11, b), (10, first_lce)):
            sp = [oracle(metric.sign * C[np.random.default_rng(s).permutation(ok)[: a.trials], -1], T, warmup, first)
                  for s in a.seeds]
            cells.append(f"{np.median(sp):.2f}x (epoch {first})")
        print(f"| {src.split('/')[-1].removesuffix('.csv')} | {T} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
