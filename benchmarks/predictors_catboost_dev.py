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

from pathlib import Path

import numpy as np

from archscout.benchmarks import get_benchmark
from archscout.cli.bench_predictors import load_pool, pool_kwargs
from archscout.estimation import predictors as P
from archscout.estimation.predictors.base import Predictor
from archscout.estimation.predictors.ensemble import GNNCommitteePredictor
from predictors_dev_runs import parser, read_done, run_seeds, table

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
    a = parser(VARIANTS, OUT).parse_args()
    done = read_done(a.out)
    if not a.report:
        register()
        bench = get_benchmark("nb201")
        blocks: dict = {}
        archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth", "meco"], "canonical", None, blocks)
        for v in a.variants:
            kw = pool_kwargs(VARIANTS[v], archs, feats, blocks)
            run_seeds(a.out, done, v, VARIANTS[v], bench.space, archs, y, feats, a.seeds, kw)
    table(done, VARIANTS, a.seeds, fit=True)

if __name__ == "__main__":
    main()
