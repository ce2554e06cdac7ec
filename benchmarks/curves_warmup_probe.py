"""One curve's fit with and without its first epoch (BENCHMARKS.md (b), "A first-epoch jump").

For trial TRIAL of the seeded order of `archscout bench stopping` (the order `curves_stopping_lost.py` lists the lost
networks in), cut at EPOCH: the source's median value at epochs 1-3, every family's maximum-likelihood fit at the last observed epoch and at the horizon, then
Domhan's forecast of the final value (fast and MCMC, seed 0) with `warmup=0` and `warmup="auto"`.

    python benchmarks/curves_warmup_probe.py lcbench:7593 --seed 3 --trial 67 --epoch 9
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import numpy as np

from archscout.cli.bench_curves import load
from archscout.estimation.curves.lce import DomhanLCE


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("curves")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--seed", type=int, default=0, help="the search seed whose order the trial number is in")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--trial", type=int, required=True)
    ap.add_argument("--epoch", type=int, required=True, help="observed epochs")
    a = ap.parse_args()
    cs, metric = load(SimpleNamespace(curves=a.curves, minimize=a.minimize, range=None, metric=None,
                                      lcbench_path=None, lcbench_configs=500, seed=0))
    C = cs.curves[:, (1 if cs.untrained else 0):]
    order = np.random.default_rng(a.seed).permutation(np.flatnonzero(np.all(np.isfinite(C), axis=1)))[: a.trials]
    print(f"{a.curves}: median over its {len(C)} curves at epochs 1, 2, 3: "
          + ", ".join(f"{np.nanmedian(C[:, i]):.1f}" for i in range(3)))
    c, T, e = C[order[a.trial]], C.shape[1], a.epoch
    x, y = np.arange(1, e + 1, dtype=float), c[:e]
    print(f"{a.curves} seed {a.seed} trial {a.trial}: observed {', '.join(f'{v:.2f}' for v in y)}; final {c[-1]:.2f} "
          f"at epoch {T}")
    m = DomhanLCE(metric, horizon=T, seed=0).fit(x, y)
    print(f"ML fits on all {e} epochs (value at epoch {e} / at {T}):")
    for k, f in enumerate(m._fams):
        v = m._norm.y(f(np.array([float(e), float(T)]), m.theta_ml_[m._slices[k]][None])[0])
        print(f"  {f.name:14s} {v[0]:7.2f} / {v[1]:7.2f}")
    for w in (0, "auto"):
        for mode in ("fast", "mcmc"):
            p = DomhanLCE(metric, horizon=T, mode=mode, seed=0, warmup=w).fit(x, y)
            q = p.predict([T])
            print(f"warmup={w!s:4s} {mode}: {q.mean[0]:.1f} ± {q.std[0]:.1f} (left out: {p.warmup_})")


if __name__ == "__main__":
    main()
