"""Which networks did a search lose, and could its curve have shown it? (BENCHMARKS.md, end of (c) and (b)).

Replays the search of `archscout bench stopping` (seeded order, 100 trials) with `make_pruner(--pruner, **kwargs)`
(default `baker`) and lists every stopped trial whose final value beats the best completed one at the time it was
stopped (a loss if no later trial beats it): the epoch it was stopped at, its value then, the incumbent's value at
that epoch, its rank among the completed trials at that epoch, the prediction of the rule that stopped it, and its
curve at 20/40/60/80/100% of the schedule.

    python benchmarks/curves_stopping_lost.py ../shared/data/baker2018/deep_resnets_cifar10.csv --seed 3
    python benchmarks/curves_stopping_lost.py ../shared/data/baker2018/lstm_ptb.csv --minimize --seed 0 \\
        --kwargs '{"impute": true}'
    python benchmarks/curves_stopping_lost.py lcbench:7593 --pruner lce_baker --seed 3
"""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import numpy as np
import optuna

from archscout.benchmarks.curves import CurveReplay
from archscout.cli.bench_curves import load
from archscout.stopping import make_pruner


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("curves")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--pruner", default="baker", help="a pruner name of archscout.stopping.make_pruner")
    ap.add_argument("--kwargs", default="{}", help="the pruner's keyword arguments, JSON")
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    cs, metric = load(SimpleNamespace(curves=a.curves, minimize=a.minimize, range=None, metric=None,
                                      lcbench_path=None, lcbench_configs=500, seed=0))
    C = cs.curves[:, (1 if cs.untrained else 0):]
    order = np.random.default_rng(a.seed).permutation(np.flatnonzero(np.all(np.isfinite(C), axis=1)))[: a.trials]
    pruner = make_pruner(a.pruner, C.shape[1], metric, seed=a.seed, **json.loads(a.kwargs))
    rules = getattr(pruner, "pruners", (pruner,))  # an EitherPruner's rules, or the pruner itself
    study = optuna.create_study(direction=metric.direction, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=a.seed))
    study.optimize(CurveReplay(cs, order), n_trials=len(order))
    S = metric.sign * C[order]  # larger is better
    best, inc, done = -np.inf, None, []
    for i, t in enumerate(study.trials):
        if t.state.name == "PRUNED" and S[i, -1] > best and inc is not None:
            e = len(t.intermediate_values)
            rank = int((S[done, e - 1] > S[i, e - 1]).sum()) + 1
            by = [(type(r).__name__, x) for r in rules for x in getattr(r, "decisions", [])
                  if x["trial"] == i and x["epoch"] == e and x["prune"]]
            said = "; ".join(f"{n} predicted {x['mean']:.4g} ± {x['std']:.3g}" for n, x in by) or "no prediction kept"
            at = [max(1, round(f * C.shape[1])) for f in (0.2, 0.4, 0.6, 0.8, 1.0)]
            curve = ", ".join(f"{c}: {C[order[i], c - 1]:.4g}" for c in at)
            print(f"trial {i}: final {C[order[i], -1]:.4g} (best completed then {metric.sign * best:.4g}); stopped at "
                  f"epoch {e} of {C.shape[1]} at {C[order[i], e - 1]:.4g}; the incumbent had {C[order[inc], e - 1]:.4g} "
                  f"then; rank {rank} of {len(done)} completed at that epoch; {said}; its curve at epochs {curve}")
        if t.state.name == "COMPLETE":
            done.append(i)
            if S[i, -1] > best:
                best, inc = S[i, -1], i


if __name__ == "__main__":
    main()
