"""Round 12 for Kendall tau >= 0.85 with zero-cost features (issue 5): how the committee's members are combined.

`ens-et-gnn --features zcsmooth meco` (the best reported setting) averages its four members' predictions in
accuracy units, so a member whose predictions spread wider over a region of the space weighs more in the ranking
there. Kendall tau reads only ranks. Here one fit per development seed (100-109, never the reported 0-9; the split of
`archscout bench predictors`: 100 training cells, the last 1,000 of the permutation as test) and several ways to
combine the same members:

- **mean**: the registered committee (the members' mean in accuracy units);
- **median**: the members' median;
- **poolq**: each member's prediction replaced by the normal score of its quantile among that member's predictions
  on the whole unlabelled pool (9,445 cells; their proxies are known without training), then averaged: every
  member gets the same spread, and the map does not depend on the queried batch;
- **poolq-gnn2**: the same with the GNN member counted twice.

Each member's own tau is kept in the rows. One JSON line per seed (resumable).

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/predictors_blend_dev.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau, norm

MEMBERS = ("xgb", "et", "gp", "gnn")


def pool_quantile_scores(pred: np.ndarray, pool_pred: np.ndarray) -> np.ndarray:
    """Normal score of each prediction's quantile among the member's predictions on the pool."""
    ref = np.sort(pool_pred)
    q = (np.searchsorted(ref, pred, side="left") + np.searchsorted(ref, pred, side="right")) / 2
    return norm.ppf((q + 0.5) / (len(ref) + 1))


def combos(test: np.ndarray, pool: np.ndarray) -> dict[str, np.ndarray]:
    """test, pool: (members, cells) predictions in accuracy units -> combined test scores."""
    z = np.stack([pool_quantile_scores(t, p) for t, p in zip(test, pool)])
    return {"mean": test.mean(0), "median": np.median(test, 0), "poolq": z.mean(0),
            "poolq-gnn2": (z.sum(0) + z[3]) / 5}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 110)))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/predictors_blend_dev.jsonl"))
    a = ap.parse_args()
    from archscout.benchmarks import get_benchmark
    from archscout.cli.bench_predictors import load_pool, pool_kwargs
    from archscout.estimation.predictors import make_predictor

    bench = get_benchmark("nb201")
    blocks: dict = {}
    archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth", "meco"], "canonical", None, blocks)
    pk = pool_kwargs("ens-et-gnn", archs, feats, blocks)
    done = {r["seed"] for r in map(json.loads, a.out.read_text().splitlines())} if a.out.exists() else set()
    for s in a.seeds:
        if s in done:
            continue
        perm = np.random.default_rng(s).permutation(len(archs))  # the split of bench_predictors.one_run
        tr, te = perm[:100], perm[len(archs) - 1000:]
        m = make_predictor("ens-et-gnn", bench.space, seed=s, **pk)
        m.fit([archs[i] for i in tr], y[tr], feats[tr])
        registered = m.predict([archs[i] for i in te], feats[te])[0]

        def members(idx):
            x = m._matrix([archs[i] for i in idx], feats[idx])
            return np.stack(m._members([archs[i] for i in idx], x))

        test, pool = members(te), members(np.arange(len(archs)))
        row = {"seed": s, "registered": kendalltau(y[te], registered)[0]}
        row.update({k: kendalltau(y[te], v)[0] for k, v in combos(test, pool).items()})
        row.update({f"member:{k}": kendalltau(y[te], v)[0] for k, v in zip(MEMBERS, test)})
        with a.out.open("a") as f:
            f.write(json.dumps(row) + "\n")
        print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    rows = list(map(json.loads, a.out.read_text().splitlines()))
    print(f"| combination | Kendall τ (mean ± std), ens-et-gnn + zcsmooth meco, 100 cells, seeds "
          f"{min(r['seed'] for r in rows)}-{max(r['seed'] for r in rows)} | vs mean, seeds better |")
    print("|---|---|---|")
    base = np.array([r["mean"] for r in rows])
    for k in ("mean", "median", "poolq", "poolq-gnn2", *(f"member:{m}" for m in MEMBERS)):
        v = np.array([r[k] for r in rows])
        print(f"| {k} | {v.mean():.3f} ± {v.std():.3f} | {np.mean(v - base):+.3f}, {int(np.sum(v > base))}/{len(v)} |")


if __name__ == "__main__":
    main()
