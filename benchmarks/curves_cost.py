"""Cost of the machinery (BENCHMARKS.md, "Learning curves and early stopping", table c).

ms per extrapolation of Domhan's ensemble in fast and MCMC (emcee) modes on real curves, and the
negative log-likelihood of the true final value under each. Resumable: one JSON line per
(source, curve, cut-off, mode) in benchmarks/results/curves_cost.jsonl.
Usage: nice -n 10 python benchmarks/curves_cost.py [--curves-per-set 15]
Development curves (settings of the fast mode were chosen on these, never on the reported ones): the
next curves of the same seeded permutation, e.g.
``--first 8 --curves-per-set 12 --out benchmarks/results/curves_cost_dev.jsonl``.
Held-out curves: the seeded permutation is the one table (a) (`archscout bench curves`, seed 0) splits, so its
first 100 curves are table (a)'s training curves, on which the fast mode's temperature rule was chosen
(`curves_temperature_dev.py`); curves 100-199 are test curves there and were never used for a choice:
``--first 100 --curves-per-set 100 --out benchmarks/results/curves_cost_heldout.jsonl`` (two processes, e.g.
``--sets metaqnn lstm`` and ``--sets deep_resnets learning_curves``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from archscout.estimation.curves import DomhanLCE, Metric, read_curves
from archscout.estimation.curves.base import InsufficientData

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "results" / "curves_cost.jsonl"
SETS = [("baker2018/metaqnn_cifar10.csv", Metric()), ("baker2018/deep_resnets_cifar10.csv", Metric()),
        ("baker2018/lstm_ptb.csv", Metric.loss()), ("nb201/learning_curves_cifar10.csv", Metric.accuracy(True))]
CUTOFFS = (0.2, 0.5)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--curves-per-set", type=int, default=15)
    ap.add_argument("--first", type=int, default=0, help="skip this many curves of each set's permutation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--modes", nargs="+", default=["fast", "mcmc"], choices=["fast", "mcmc"])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--sets", nargs="+", default=None, help="only the sets whose file name contains one of these")
    args = ap.parse_args()
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            done.add((r["source"], r["curve"], r["cutoff"], r["mode"]))
    for rel, metric in SETS:
        if args.sets and not any(k in rel for k in args.sets):
            continue
        cs = read_curves(DATA / rel)
        start = 1 if cs.untrained else 0
        T = cs.n_epochs
        idx = np.random.default_rng(args.seed).permutation(len(cs))[args.first : args.first + args.curves_per_set]
        for i in idx:
            y = cs.curves[i, start:]
            x = np.arange(1, len(y) + 1, dtype=float)
            for c in CUTOFFS:
                k = max(3, int(round(c * T)))
                for mode in args.modes:
                    key = (rel, int(i), c, mode)
                    if key in done:
                        continue
                    t0 = time.perf_counter()
                    try:
                        pred = DomhanLCE(metric, horizon=T, mode=mode, seed=int(i)).fit(x[:k], y[:k]).predict([T])
                    except InsufficientData as e:  # e.g. a curve at chance level that no prior-respecting curve fits
                        r = {"source": rel, "curve": int(i), "cutoff": c, "mode": mode, "failed": str(e),
                             "ms": 1000 * (time.perf_counter() - t0), "load1": os.getloadavg()[0]}
                    else:
                        ms = 1000 * (time.perf_counter() - t0)
                        r = {"source": rel, "curve": int(i), "cutoff": c, "mode": mode, "ms": ms,
                             "nll": -pred.logpdf(float(y[-1])), "mean": float(pred.mean[0]),
                             "std": float(pred.std[0]), "truth": float(y[-1]), "load1": os.getloadavg()[0]}
                    with open(out, "a") as fh:
                        fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
