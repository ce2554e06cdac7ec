"""Development split for the zero-cost-feature predictors (BENCHMARKS.md, "Performance predictors").

The same protocol as `archscout bench predictors --features zc|zcsmooth --train-size 100` (load_pool
and one_run of that command), but on seeds 100.. so that choosing a model here never looks at the
reported seeds 0-9. Rounds: the first (seeds 100-102) chose `ens`; the second (seeds 100-109) chose
`ens-et` on `zcsmooth`.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/predictors_zc_dev.py \
        --seeds 100 101 102 103 104 105 106 107 108 109 --markdown benchmarks/results/predictors_zc_dev_round2.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

# run before the graph features joined the default encoding (2026-12-01): "pathstats" spelt out, so
# that a rerun reproduces the reported rows
PS = ["pathstats"]
VARIANTS = {  # label -> (predictor, encoding, extra features)
    "xgb": ("xgb", PS, "zc"),
    "rf": ("rf", PS, "zc"),
    "et": ("et", PS, "zc"),
    "gp": ("gp", PS, "zc"),
    "ens": ("ens", PS, "zc"),
    "xgb onehot+pathstats": ("xgb", ["onehot", "pathstats"], "zc"),
    "ens onehot+pathstats": ("ens", ["onehot", "pathstats"], "zc"),
    "ens-et": ("ens-et", PS, "zc"),
    "xgb, zcsmooth": ("xgb", PS, "zcsmooth"),
    "et, zcsmooth": ("et", PS, "zcsmooth"),
    "gp, zcsmooth": ("gp", PS, "zcsmooth"),
    "ens, zcsmooth": ("ens", PS, "zcsmooth"),
    "ens-et, zcsmooth": ("ens-et", PS, "zcsmooth"),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, nargs="+", default=[100, 101, 102])
    p.add_argument("--train-size", type=int, default=100)
    p.add_argument("--markdown", type=Path, default=Path("benchmarks/results/predictors_zc_dev.md"))
    args = p.parse_args()

    from archscout.benchmarks import get_benchmark
    from archscout.cli.bench_predictors import load_pool, one_run

    bench = get_benchmark("nb201")
    pools = {f: load_pool(bench, "cifar10", [f], "canonical", None) for f in ("zc", "zcsmooth")}
    lines = [f"nb201 cifar10 + zero-cost scores (zc: the 13 raw scores; zcsmooth: their pool normal scores + "
             f"pool-smoothed values), {args.train_size} training cells, test 1000, development seeds "
             f"{', '.join(map(str, args.seeds))}", "", "| variant | Kendall τ (mean) | per seed |", "|---|---|---|"]
    for label, (name, enc, feat) in VARIANTS.items():
        archs, y, feats = pools[feat]
        taus = [one_run(name, bench.space, archs, y, feats, args.train_size, 1000, s, enc, 0.1, False)["kendall_tau"]
                for s in args.seeds]
        lines.append(f"| {label} | {np.mean(taus):.3f} | {' '.join(f'{t:.3f}' for t in taus)} |")
        print(lines[-1], flush=True)
    args.markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
