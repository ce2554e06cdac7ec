"""Does CatBoost help the zero-cost committee? Development seeds only (BENCHMARKS.md, predictors).

Why: CatBoost's ordered boosting and symmetric trees are often the strongest boosted trees on small tables,
and the committee gains from members that err differently. Here a CatBoost regressor (its defaults, 1,000
iterations, one thread) on the committee's own inputs (encoding + `--features zcsmooth meco`) is tried alone,
in place of the XGBoost member of `ens-et-gnn`, and as a fifth member. 100 training cells, CIFAR-10, seeds
100-109 (never the reported 0-9). Needs `pip install catboost` (not a dependency of archscout). Resumable: one
JSON line per (variant, seed) in benchmarks/results/predictors_catboost_dev.jsonl.

    OMP_NUM_THREADS=1 python benchmarks/predictors_catboost_dev.py [--variants ...] [--report]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from archscout.benchmarks import get_benchmark
from archscout.cli.bench_predictors import load_pool, one_run, pool_kwargs
from archscout.estimation import predictors as P
from archscout.estimation.predictors.base import Predictor
from archscout.estimation.predictors.ensemble import GNNCommitteePredictor

OUT = Path(__file__).resolve().parent / "results" / "predictors_catboost_dev.jsonl"


def catboost(x: np.ndarray, y: np.ndarray, seed: int):
    from catboost import CatBoostRegressor

    return CatBoostRegressor(iterations=1000, random_seed=seed, verbose=0, thread_count=1,
                             allow_writing_files=False).fit(x, y)


class CatBoostPredictor(Predictor):
    name = "catboost"
    min_points = 4

    def _fit(self, archs, x, y):
        self.cb_ = catboost(x, y, self.seed)

    def _predict(self, archs, x):
        return self.cb_.predict(x), np.zeros(len(x))


class CommitteeWithCatBoost(GNNCommitteePredictor):
    """ens-et-gnn with CatBoost in place of XGBoost (`replace`) or as a fifth member."""

    name = "ens-et-gnn+cb"
    replace = False

    def _fit(self, archs, x, y):
        super()._fit(archs, x, y)
        self.cb_ = catboost(x, y, self.seed)

    def _members(self, archs, x):
        m = super()._members(archs, x)
        cb = self.cb_.predict(x)
        return [cb, *m[1:]] if self.replace else [*m, cb]


class CommitteeCatBoostForXGB(CommitteeWithCatBoost):
    name = "ens-et-gnn:cb-for-xgb"
    replace = True


VARIANTS = {"catboost": "catboost", "ens-et-gnn": "ens-et-gnn", "ens-et-gnn, catboost for xgb": "ens-et-gnn:cb-for-xgb",
            "ens-et-gnn + catboost": "ens-et-gnn+cb"}


def register() -> None:
    for cls in (CatBoostPredictor, CommitteeWithCatBoost, CommitteeCatBoostForXGB):
        P.PREDICTORS[cls.name] = (__name__, cls.__name__)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 110)))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report", action="store_true")
    a = ap.parse_args()
    done = {}
    if a.out.exists():
        for line in a.out.read_text().splitlines():
            r = json.loads(line)
            done[(r["variant"], r["seed"])] = r
    if not a.report:
        register()
        bench = get_benchmark("nb201")
        space = bench.space
        blocks: dict = {}
        archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth", "meco"], "canonical", None, blocks)
        for v in a.variants:
            name = VARIANTS[v]
            kw = pool_kwargs(name, archs, feats, blocks)
            for s in a.seeds:
                if (v, s) in done:
                    continue
                r = one_run(name, space, archs, y, feats, 100, 1000, s, None, 0.1, False, kw)
                r.update(variant=v, seed=s)
                with a.out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
                done[(v, s)] = r
                print(v, s, f"{r['kendall_tau']:.3f}", flush=True)
    print(f"| variant | Kendall τ (mean ± std), 100 cells, seeds {a.seeds[0]}-{a.seeds[-1]} | fit s (mean) | per seed |")
    print("|---|---|---|---|")
    for v in VARIANTS:
        rs = [done[(v, s)] for s in a.seeds if (v, s) in done]
        if rs:
            t = [r["kendall_tau"] for r in rs]
            print(f"| {v} | {np.mean(t):.3f} ± {np.std(t):.3f} ({len(t)}) | {np.mean([r['fit_seconds'] for r in rs]):.1f} "
                  f"| {' '.join(f'{x:.3f}' for x in t)} |")


if __name__ == "__main__":
    main()
