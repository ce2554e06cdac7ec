"""Ablations of the predictor-guided samplers on the bundled NB201 table (BENCHMARKS.md, "Performance predictors").

Each variant is a registered strategy with keyword arguments (JSON); every run (variant x dataset x
seed) is one JSON line in --out as soon as it ends, so a killed job resumes when rerun. Prints the
best accuracy after 25 and 50 queries, mean ± std over the seeds.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/predictors_search_ablation.py \\
        --variant 'bananas' --variant 'xgb_local=bananas:{"predictor": "xgb", "pool": "local"}' \\
        --seeds 5 --out benchmarks/results/predictors_search_ablation.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def parse_variant(text: str) -> tuple[str, str, dict]:
    """``label=strategy:{json kwargs}``, ``strategy:{json}`` or just ``strategy``."""
    label, _, rest = text.partition("=") if "=" in text.split(":", 1)[0] else (None, None, text)
    strategy, _, kw = rest.partition(":")
    return (label or rest), strategy, (json.loads(kw) if kw else {})


def one_run(dataset: str, strategy: str, kwargs: dict, seed: int, queries: int) -> dict:
    import optuna

    from archscout.benchmarks import get_benchmark
    from archscout.objectives import TabularObjective
    from archscout.strategies import make_sampler

    objective = TabularObjective(get_benchmark("nb201"), dataset)
    sampler = make_sampler(strategy, objective.space, seed=seed, **kwargs)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=queries)
    return {"values": [t.value for t in study.trials], "seconds": time.perf_counter() - t0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", action="append", required=True, help="label=strategy:{json kwargs}")
    p.add_argument("--datasets", nargs="+", default=["cifar10"])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--queries", type=int, default=50)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/predictors_search_ablation.jsonl"))
    p.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    args = p.parse_args()

    from archscout.cli.common import read_results

    key = lambda r: (r["label"], r["dataset"], r["seed"], r["queries"])  # noqa: E731
    done = read_results(args.out, key)
    variants = [parse_variant(v) for v in args.variant]
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    with args.out.open("a") as fh:
        for label, strategy, kwargs in variants:
            for d in args.datasets:
                for s in seeds:
                    if (label, d, s, args.queries) in done:
                        continue
                    r = one_run(d, strategy, kwargs, s, args.queries)
                    r.update(label=label, strategy=strategy, kwargs=kwargs, dataset=d, seed=s, queries=args.queries)
                    fh.write(json.dumps(r) + "\n")
                    fh.flush()
                    done[key(r)] = r
    lines = ["| variant | strategy and options | dataset | seeds | 25 queries | 50 queries | s / run |",
             "|---|---|---|---|---|---|---|"]
    for label, strategy, kwargs in variants:
        for d in args.datasets:
            rs = [done[(label, d, s, args.queries)] for s in seeds if (label, d, s, args.queries) in done]
            if not rs:
                continue
            cells = []
            for c in (25, 50):
                b = np.array([max(r["values"][:c]) for r in rs])
                cells.append(f"{b.mean():.2f} ± {b.std():.2f}")
            opts = f"`{strategy}` " + ", ".join(f"{k}={json.dumps(v)}" for k, v in kwargs.items())
            lines.append(f"| {label} | {opts} | {d} | {len(rs)} (from {args.first_seed}) | {cells[0]} | {cells[1]} | "
                         f"{np.median([r['seconds'] for r in rs]):.0f} |")
    text = "\n".join(lines)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
