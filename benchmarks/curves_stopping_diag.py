"""Where one early-stopping search spends its epochs (BENCHMARKS.md, "Baker's rule checked at every epoch").

Replays the same search as `archscout bench stopping` (seeded order of the curves, one pruner) and prints: the
epochs of the trials before the tenth completed one, the epochs the later losers (final value below the best
so far) spend by their gap to the best, each trial's epochs and state, and the pruner's decisions for the first
clearly hopeless trials (> 5 points below the best) that ran past their first check and were stopped.

    python benchmarks/curves_stopping_diag.py ../shared/data/baker2018/metaqnn_svhn.csv --seed 10 --pruner baker \\
        --kwargs '{"checkpoints": null}'
"""

from __future__ import annotations

import argparse
import collections
import json

import numpy as np
import optuna

from archscout.benchmarks.curves import CurveReplay
from archscout.estimation.curves.base import Metric
from archscout.estimation.curves.data import read_curves
from archscout.stopping import make_pruner


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("curves")
    p.add_argument("--seed", type=int, default=10)
    p.add_argument("--pruner", default="baker")
    p.add_argument("--kwargs", default="{}", help="pruner keyword arguments, JSON")
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--minimize", action="store_true")
    a = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    cs = read_curves(a.curves, None)
    metric = Metric.loss() if a.minimize else Metric.accuracy(percent=float(np.nanmax(cs.curves)) > 1)
    T = int(cs.n_epochs)
    first = 1 if cs.untrained else 0
    ok = np.all(np.isfinite(cs.curves[:, first:]), axis=1)
    order = np.random.default_rng(a.seed).permutation(np.flatnonzero(ok))[: a.trials]
    pr = make_pruner(a.pruner, T, metric, seed=a.seed, **json.loads(a.kwargs))
    study = optuna.create_study(direction=metric.direction, pruner=pr,
                                sampler=optuna.samplers.RandomSampler(seed=a.seed))
    study.optimize(CurveReplay(cs, order), n_trials=len(order))
    ep = [int(t.user_attrs.get("cost_epochs", 0)) for t in study.trials]
    fin = cs.curves[order][:, first:][:, -1] * metric.sign
    best_before = np.concatenate([[-np.inf], np.maximum.accumulate(fin)[:-1]])
    state = ["C" if t.state.name == "COMPLETE" else "p" for t in study.trials]
    done = [f for f, s in zip(fin, state) if s == "C"]
    print(f"{a.curves}: {T} epochs, speed-up {len(order) * T / sum(ep):.2f}x, "
          f"regret {(fin.max() - max(done)) * metric.sign:.4g}")
    ncomp = np.cumsum([s == "C" for s in state])
    k = int(np.searchsorted(ncomp, 10)) + 1
    print(f"trials up to the 10th completed one: {k}, {sum(ep[:k])} of {sum(ep)} epochs")
    losers = [i for i in range(k, len(order)) if fin[i] < best_before[i]]
    print(f"later losers: {len(losers)}, {sum(ep[i] for i in losers)} epochs, mean {np.mean([ep[i] for i in losers]):.1f}")
    scale = 100.0 if metric.upper > 1 else 1.0
    gaps = np.array([(best_before[i] - fin[i]) / scale for i in losers])
    epl = np.array([ep[i] for i in losers])
    for lo, hi in [(0, .005), (.005, .01), (.01, .02), (.02, .05), (.05, np.inf)]:
        m = (gaps >= lo) & (gaps < hi)
        print(f"  gap to the best {lo:g}-{hi:g} (fraction): {m.sum()} trials, mean epochs "
              f"{epl[m].mean() if m.any() else 0:.1f}")
    print("epochs per trial:", " ".join(map(str, ep)))
    print("state per trial: ", "".join(state))
    print("hist of the losers' epochs:", sorted(collections.Counter(epl.tolist()).items()))
    hopeless = [i for i in losers if (best_before[i] - fin[i]) / scale > 0.05 and pr.min_epochs < ep[i] < T]
    for i in hopeless[:6]:
        n = study.trials[i].number
        print(f"trial {i}: final {fin[i] * metric.sign:.4g}, best so far {best_before[i] * metric.sign:.4g}, "
              f"{ep[i]} epochs")
        for d in (d for d in getattr(pr, "decisions", []) if d["trial"] == n):
            print("   epoch", d["epoch"], {key: round(v, 4) if isinstance(v, float) else v for key, v in d.items()
                                           if key in ("mean", "std", "q", "optimistic", "prune", "p_better")})


if __name__ == "__main__":
    main()
