"""Development seeds: pseudo-labels on the unlabelled pool (SemiNAS-style self-training), tried and dropped.

The committee `ens-et` (on `zcsmooth`, 100 labelled cells) labels all 9,445 pool cells; the pool-pretrained GNN
(`gnn-pre`) is then fitted on the whole pool with those pseudo-labels (the 100 true labels kept), `--student-epochs`
epochs, and averaged with the committee. Compared on the same split with `ens-et` alone and with `ens-et-gnn`'s
average (3 x committee + the GNN fitted on the 100 labels) / 4. Seeds >= 100 only (0-9 are the reported seeds).
Rows are appended to --out (one per seed).

    OMP_NUM_THREADS=1 python benchmarks/predictors_pseudolabel_dev.py --seeds 100 101
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, nargs="+", default=[100, 101])
    p.add_argument("--student-epochs", type=int, default=10)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/predictors_pseudolabel_dev.jsonl"))
    a = p.parse_args()
    if min(a.seeds) < 100:
        raise SystemExit("development seeds are 100 and above (0-9 are the reported seeds)")
    import torch
    from scipy.stats import kendalltau

    torch.set_num_threads(1)
    from archscout.benchmarks import get_benchmark
    from archscout.cli.bench_predictors import load_pool, pool_kwargs
    from archscout.estimation.predictors import make_predictor

    bench = get_benchmark("nb201")
    blocks: dict = {}
    archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth"], "canonical", None, blocks)
    kw = {**pool_kwargs("gnn-pre", archs, feats, blocks), "hidden": 32}  # as run, before hidden 64 was the default
    for seed in a.seeds:
        perm = np.random.default_rng(seed).permutation(len(archs))  # the harness's split (one_run)
        tr, te = perm[:100], perm[len(archs) - 1000:]
        teacher = make_predictor("ens-et", bench.space, seed=seed, encoding="pathstats")  # as run (before graf)
        teacher.fit([archs[i] for i in tr], y[tr], feats[tr])
        mt, _ = teacher.predict([archs[i] for i in te], feats[te])
        pseudo, _ = teacher.predict(archs, feats)
        pseudo[tr] = y[tr]
        t0 = time.perf_counter()
        student = make_predictor("gnn-pre", bench.space, seed=seed, epochs=a.student_epochs, batch_size=128, **kw)
        student.fit(archs, pseudo, feats)
        ms, _ = student.predict([archs[i] for i in te], feats[te])
        t1 = time.perf_counter()
        g = make_predictor("gnn-pre", bench.space, seed=seed, **kw)
        g.fit([archs[i] for i in tr], y[tr], feats[tr])
        mg, _ = g.predict([archs[i] for i in te], feats[te])

        def tau(m):
            return float(kendalltau(y[te], m)[0])

        r = {"seed": seed, "student_epochs": a.student_epochs, "teacher": tau(mt), "student": tau(ms),
             "gnn100": tau(mg), "ens_et_gnn": tau((3 * mt + mg) / 4), "teacher+student": tau((mt + ms) / 2),
             "3t+s": tau((3 * mt + ms) / 4), "3t+g+s": tau((3 * mt + mg + ms) / 5), "student_s": t1 - t0}
        print(json.dumps(r), flush=True)
        with a.out.open("a") as fh:
            fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
