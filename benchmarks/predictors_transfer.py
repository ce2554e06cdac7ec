"""Transfer: does a CIFAR-10 predictor warm-start BANANAS on CIFAR-100? (BENCHMARKS.md)

For each seed: the source is 200 random NB201 cells with their CIFAR-10 accuracy (what an earlier
search on CIFAR-10 would have left behind; seed-dependent); BANANAS searches CIFAR-100 for 50
queries with and without that source. Reported: mean ± std of the best CIFAR-100 accuracy after
5/10/25/50 queries, and the mean number of queries until a cell in the top 1% of CIFAR-100 is found
(50 counted when never). Resumable: results go to a JSON-lines file line by line.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/predictors_transfer.py --seeds 20
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import optuna

from archscout.benchmarks import nb201
from archscout.strategies import make_sampler

CHECKPOINTS = (5, 10, 25, 50)


def run(bench, seed: int, transfer: bool, queries: int, n_source: int) -> dict:
    space = bench.space
    kwargs = {}
    if transfer:
        rng = np.random.default_rng([seed, 1000])
        src = list({space.canonical(space.sample(rng)) for _ in range(n_source)})
        kwargs["source"] = (src, [bench.lookup(a, "cifar10") for a in src])
    study = optuna.create_study(direction="maximize", sampler=make_sampler("bananas", space, seed=seed, **kwargs))
    t0 = time.perf_counter()
    study.optimize(lambda t: bench.lookup(space.suggest(t), "cifar100"), n_trials=queries)
    return {"seed": seed, "transfer": transfer, "queries": queries, "n_source": n_source,
            "values": [t.value for t in study.trials], "seconds": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--n-source", type=int, default=200)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/predictors_transfer.jsonl"))
    ap.add_argument("--markdown", type=Path, default=Path("benchmarks/results/predictors_transfer.md"))
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    bench = nb201()
    done = {}
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            r = json.loads(line)
            done[(r["seed"], r["transfer"], r["queries"], r["n_source"])] = r
    with args.out.open("a") as fh:
        for seed in range(args.seeds):
            for transfer in (False, True):
                k = (seed, transfer, args.queries, args.n_source)
                if k not in done:
                    done[k] = run(bench, seed, transfer, args.queries, args.n_source)
                    fh.write(json.dumps(done[k]) + "\n")
                    fh.flush()
    top1 = float(np.quantile(bench.values("cifar100"), 0.99))
    lines = [f"BANANAS on NB201 CIFAR-100, {args.queries} queries, {args.seeds} seeds; source: {args.n_source} random "
             f"cells with CIFAR-10 accuracy; top-1% threshold {top1:.2f}\n",
             "| warm start | " + " | ".join(f"best @ {c}" for c in CHECKPOINTS) + " | queries to top 1% |",
             "|---|" + "---|" * (len(CHECKPOINTS) + 1)]
    for transfer in (False, True):
        rs = [done[(s, transfer, args.queries, args.n_source)] for s in range(args.seeds)]
        best = np.array([[max(r["values"][:c]) for c in CHECKPOINTS] for r in rs])
        hit = [next((i + 1 for i, v in enumerate(r["values"]) if v >= top1), args.queries) for r in rs]
        cells = [f"{m:.2f} ± {s:.2f}" for m, s in zip(best.mean(0), best.std(0))]
        lines.append(f"| {'CIFAR-10 predictor' if transfer else 'none (random warm-up)'} | " + " | ".join(cells)
                     + f" | {np.mean(hit):.1f} |")
    text = "\n".join(lines)
    args.markdown.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
