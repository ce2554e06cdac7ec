"""Where does the zero-cost committee still misrank? Discordant test pairs by their accuracy gap.

Fits `ens-et` on `--features zcsmooth` (100 training cells, the harness split) on development seeds
100-109 and bins every pair of the 1,000 test cells by |test accuracy difference|: the share of
pairs in each bin, how often the predictor orders them wrongly, and how often the 200-epoch *valid*
accuracy of the very same trained networks does (the noise ceiling of `predictors_ceiling.py`).
Also, per proxy over the whole pool (description only, nothing is chosen from it): the correlation
of its pool rank normal score with its pool-smoothed value, and the Kendall tau of each with the
test accuracy; and how long the smoothing took.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/predictors_zc_errors.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

BINS = (0.0, 0.25, 0.5, 1.0, 2.0, 5.0, np.inf)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 110)))
    p.add_argument("--markdown", type=Path, default=Path("benchmarks/results/predictors_zc_errors.md"))
    args = p.parse_args()

    from archscout.benchmarks import get_benchmark
    from archscout.benchmarks.tabular import Table
    from archscout.cli.bench_predictors import default_zc_table, load_pool
    from archscout.estimation.predictors import make_predictor

    bench = get_benchmark("nb201")
    space = bench.space
    t0 = time.perf_counter()
    archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth"], "canonical", None)
    seconds = time.perf_counter() - t0
    zc = Table.from_csv(default_zc_table(), space, 200)
    valid = np.array([zc.columns["valid_accuracy"][zc.row(space, a)] for a in archs])
    pairs, wrong_pred, wrong_ceil = (np.zeros(len(BINS) - 1) for _ in range(3))
    for seed in args.seeds:  # the split of bench_predictors.one_run
        perm = np.random.default_rng(seed).permutation(len(archs))
        tr, te = perm[:100], perm[len(archs) - 1000:]
        model = make_predictor("ens-et", space, seed=seed, encoding="pathstats").fit(  # as reported (before graf)
            [archs[i] for i in tr], y[tr], feats[tr])
        pred = model.predict([archs[i] for i in te], feats[te])[0]
        iu = np.triu_indices(len(te), 1)
        sign = lambda v: np.sign(v[:, None] - v[None, :])[iu]  # noqa: E731
        truth = sign(y[te])
        gap = np.abs(y[te][:, None] - y[te][None, :])[iu]
        b = np.digitize(gap, BINS[1:-1])
        for k in range(len(BINS) - 1):
            m = (b == k) & (truth != 0)
            pairs[k] += m.sum()
            wrong_pred[k] += (sign(pred)[m] * truth[m] < 0).sum()
            wrong_ceil[k] += (sign(valid[te])[m] * truth[m] < 0).sum()
    lines = [f"ens-et on zcsmooth, 100 training cells, 1,000 test cells, development seeds "
             f"{args.seeds[0]}-{args.seeds[-1]}: test pairs by their CIFAR-10 test-accuracy gap", "",
             "| gap (points) | share of pairs | predictor discordant | 200-epoch valid discordant | share of the predictor's errors |",
             "|---|---|---|---|---|"]
    for k in range(len(BINS) - 1):
        hi = "∞" if np.isinf(BINS[k + 1]) else f"{BINS[k + 1]:g}"
        lines.append(f"| {BINS[k]:g}-{hi} | {pairs[k] / pairs.sum():.3f} | {wrong_pred[k] / pairs[k]:.3f} | "
                     f"{wrong_ceil[k] / pairs[k]:.3f} | {wrong_pred[k] / wrong_pred.sum():.3f} |")
    from archscout.cli.bench_predictors import ZC_EXCLUDE
    from archscout.estimation.predictors import kendall_tau

    names = [c for c in zc.columns if c not in ZC_EXCLUDE]
    k = len(names)
    lines += ["", f"per proxy over the {len(archs)} cells (pool loading + smoothing took {seconds:.0f} s, one thread)", "",
              "| proxy | corr(rank score, smoothed) | τ rank score vs test acc | τ smoothed vs test acc |", "|---|---|---|---|"]
    for j, n in enumerate(names):
        lines.append(f"| {n} | {np.corrcoef(feats[:, j], feats[:, k + j])[0, 1]:.3f} | "
                     f"{kendall_tau(y, feats[:, j]):+.3f} | {kendall_tau(y, feats[:, k + j]):+.3f} |")
    args.markdown.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
