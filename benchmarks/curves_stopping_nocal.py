"""Probe: Domhan's rule alone (``LCEPruner(calibrate=False)``) with the tempered fast mode.

The online calibration of the `lce` pruner was added because the first (Laplace) fast mode was
over-confident; the tempered fast mode is wider, so the question is whether its own rule is safe
without it. Same searches as `archscout bench stopping` (seeded orders, 100 trials), rows with
pruner "lce_nocal" appended to benchmarks/results/curves_stopping_v3.jsonl (resumable).
Usage: nice -n 10 python benchmarks/curves_stopping_nocal.py [--seeds 3] SOURCE [--minimize] ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import archscout.cli.bench_stopping as bs
from archscout.stopping import pruners

OUT = Path(__file__).resolve().parent / "results" / "curves_stopping_v3.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("curves")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--range", nargs=2, type=float, default=None)
    ap.add_argument("--metric", default=None)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--lcbench-path", type=Path, default=None)
    ap.add_argument("--lcbench-configs", type=int, default=500)
    ap.set_defaults(seed=0)
    args = ap.parse_args()
    from archscout.cli.bench_curves import load

    cs, metric = load(args)
    ok = np.all(np.isfinite(cs.curves[:, (1 if cs.untrained else 0):]), axis=1)
    done = set()
    if OUT.exists():
        for line in OUT.read_text().splitlines():
            r = json.loads(line)
            done.add((r["source"], r["pruner"], r["seed"], r["trials"]))
    orig = pruners.make_pruner

    def make(name, max_epochs, metric=None, seed=0, **kw):
        if name == "lce_nocal":
            return pruners.LCEPruner(max_epochs, metric, seed=seed, calibrate=False)
        return orig(name, max_epochs, metric, seed, **kw)

    import archscout.stopping as st

    st.make_pruner = make
    for seed in range(args.seeds):
        if (cs.source, "lce_nocal", seed, args.trials) in done:
            continue
        order = np.random.default_rng(seed).permutation(np.flatnonzero(ok))[: args.trials]
        r = bs.one_run(cs, metric, "lce_nocal", order, seed)
        r["source"] = cs.source
        with open(OUT, "a") as fh:
            fh.write(json.dumps(r) + "\n")
        print(r)


if __name__ == "__main__":
    main()
