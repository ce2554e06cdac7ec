"""Which networks did a `baker` search lose, and could its curve have shown it? (BENCHMARKS.md, end of (c)).

Replays the search of `archscout bench stopping` (seeded order, 100 trials) with `BakerPruner(**kwargs)` and
lists every stopped trial whose final value beats the best completed one at the time it was stopped (a loss
if no later trial beats it): the epoch it was stopped at, its value then, the incumbent's value at that epoch,
its rank among the completed trials at that epoch, and the pruner's prediction.

    python benchmarks/curves_stopping_lost.py ../shared/data/baker2018/deep_resnets_cifar10.csv --seed 3
    python benchmarks/curves_stopping_lost.py ../shared/data/baker2018/lstm_ptb.csv --minimize --seed 0 \\
        --kwargs '{"impute": true}'
"""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import numpy as np
import optuna

from archscout.benchmarks.curves import CurveReplay
from archscout.cli.bench_curves import load
from archscout.stopping.pruners import BakerPruner


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("curves")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--kwargs", default="{}", help="BakerPruner keyword arguments, JSON")
    a = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    cs, metric = load(SimpleNamespace(curves=a.curves, minimize=a.minimize, range=None, metric=None,
                                      lcbench_path=None, lcbench_configs=500, seed=0))
    C = cs.curves[:, (1 if cs.untrained else 0):]
    order = np.random.default_rng(a.seed).permutation(np.flatnonzero(np.all(np.isfinite(C), axis=1)))[: a.trials]
    pruner = BakerPruner(C.shape[1], metric, seed=a.seed, **json.loads(a.kwargs))
    study = optuna.create_study(direction=metric.direction, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=a.seed))
    study.optimize(CurveReplay(cs, order), n_trials=len(order))
    S = metric.sign * C[order]  # larger is better
    best, inc, done = -np.inf, None, []
    for i, t in enumerate(study.trials):
        if t.state.name == "PRUNED" and S[i, -1] > best and inc is not None:
            e = len(t.intermediate_values)
            rank = int((S[done, e - 1] > S[i, e - 1]).sum()) + 1
            d = [x for x in pruner.decisions if x["trial"] == i][-1]
            print(f"trial {i}: final {C[order[i], -1]:.4g} (best completed then {metric.sign * best:.4g}); stopped at "
                  f"epoch {e} of {C.shape[1]} at {C[order[i], e - 1]:.4g}; the incumbent had {C[order[inc], e - 1]:.4g} "
                  f"then; rank {rank} of {len(done)} completed at that epoch; predicted {d['mean']:.4g} ± {d['std']:.3g}")
        if t.state.name == "COMPLETE":
            done.append(i)
            if S[i, -1] > best:
                best, inc = S[i, -1], i


if __name__ == "__main__":
    main()
