"""Do label-free oblique proxy features help the zero-cost predictor? Development seeds only (BENCHMARKS.md, predictors).

Why: the trees split on one proxy at a time, and with 100 training cells a split on a combination of
proxies (which of them agree) costs several levels of a tree. The whole pool's proxies are known before
any training, so their principal components (of the normal scores of their ranks over the 9,445 cells)
and their plain mean are label-free features, like `zcsmooth`'s smoothing. This adds them to
`--features zcsmooth meco` (the reported setting) and compares the committees, 100 training cells, CIFAR-10, seeds 100-109 (never the
reported 0-9). Resumable: one JSON line per (variant, seed) in benchmarks/results/predictors_pca_dev.jsonl.

    OMP_NUM_THREADS=1 python benchmarks/predictors_pca_dev.py [--variants ...] [--report]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from archscout.benchmarks import get_benchmark
from archscout.cli.bench_predictors import load_pool, pool_kwargs
from archscout.estimation.predictors.ensemble import normal_scores
from predictors_dev_runs import parser, read_done, run_seeds, table

OUT = Path(__file__).resolve().parent / "results" / "predictors_pca_dev.jsonl"
# variant -> (predictor, number of principal components added, add the mean normal score)
VARIANTS = {
    "ens-et": ("ens-et", 0, False),
    "ens-et + pc3": ("ens-et", 3, False),
    "ens-et + mean": ("ens-et", 0, True),
    "ens-et + pc3 + mean": ("ens-et", 3, True),
    "ens-et + pc6": ("ens-et", 6, False),
    "ens-et-gnn": ("ens-et-gnn", 0, False),
    "ens-et-gnn + pc3": ("ens-et-gnn", 3, False),
    "ens-et-gnn + pc3 + mean": ("ens-et-gnn", 3, True),
}


def oblique(block: np.ndarray, k: int, mean: bool) -> np.ndarray:
    """The first k principal components of the pool's normal-scored proxies, and/or their mean."""
    z = np.column_stack([normal_scores(c) for c in block.T])
    cols = []
    if k:
        u, s, _ = np.linalg.svd(z - z.mean(0), full_matrices=False)
        cols.append(u[:, :k] * s[:k])
    if mean:
        cols.append(z.mean(1, keepdims=True))
    return np.hstack(cols) if cols else np.empty((len(z), 0))


def main() -> None:
    ap = parser(VARIANTS, OUT)
    ap.add_argument("--features", nargs="+", default=["zcsmooth", "meco"], help="as `bench predictors --features`")
    a = ap.parse_args()
    done = read_done(a.out, a.features)
    if not a.report:
        bench = get_benchmark("nb201")
        blocks: dict = {}
        archs, y, feats = load_pool(bench, "cifar10", a.features, "canonical", None, blocks)
        for v in a.variants:
            name, k, mean = VARIANTS[v]
            F = np.hstack([feats, oblique(feats, k, mean)])
            kw = pool_kwargs(name, archs, feats, blocks)  # the GNN pretrains on the proxies alone, as by default
            run_seeds(a.out, done, v, name, bench.space, archs, y, F, a.seeds, kw, features=a.features)
    table(done, VARIANTS, a.seeds)

if __name__ == "__main__":
    main()
