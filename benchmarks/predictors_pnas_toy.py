"""PNAS on the chain space against a shuffled-surrogate control, random search and REA, on a cheap
synthetic objective (BENCHMARKS.md, "Performance predictors"). No network is trained: the objective
is additive over layers, so it only checks that the progressive schedule and the surrogate do their
job; it says nothing about accuracy on real data.

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/predictors_pnas_toy.py --seeds 10 --queries 40

Objective: per conv layer +1.0 for kernel 3 (else +0.2), +0.5 for 64 filters, -0.3 for stride 2; -0.5
per pool; +0.5 for a GAP head; -0.3 per FC layer (space: up to 6 layers; optimum 9.5). Resumable
(JSON lines in --out).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from archscout.spaces.chain import POOL, ChainSpace


def toy(arch) -> float:
    layers, head, fcs = arch
    s = 0.0
    for layer in layers:
        if layer == POOL:
            s -= 0.5
        else:
            _, f, k, stride = layer
            s += (1.0 if k == 3 else 0.2) + (0.5 if f == 64 else 0.0) - (0.3 if stride == 2 else 0.0)
    return s + 0.5 * (head == "gap") - 0.3 * len(fcs)


def one_run(strategy: str, seed: int, queries: int) -> dict:
    import optuna

    from archscout.strategies import make_sampler
    from archscout.strategies.base import History
    from archscout.strategies.pnas import PNASSampler

    class ShuffledPNAS(PNASSampler):  # control: the surrogate is fitted on permuted values
        def fit_predictor(self, history, rng):
            perm = np.random.default_rng([self.seed, len(history)]).permutation(history.values)
            return super().fit_predictor(History(archs=history.archs, values=list(perm)), rng)

    space = ChainSpace()
    sampler = ShuffledPNAS(space, seed=seed) if strategy == "pnas-shuffled" else make_sampler(strategy, space, seed=seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    t0 = time.perf_counter()
    study.optimize(lambda t: toy(space.suggest(t)), n_trials=queries)
    archs = [space.from_params(t.params) for t in study.trials]
    return {"strategy": strategy, "seed": seed, "queries": queries, "values": [t.value for t in study.trials],
            "depths": [len(a[0]) for a in archs], "seconds": time.perf_counter() - t0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--strategies", nargs="+", default=["pnas", "pnas-shuffled", "random", "rea"])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--queries", type=int, default=40)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/predictors_pnas_toy.jsonl"))
    p.add_argument("--markdown", type=Path, default=Path("benchmarks/results/predictors_pnas_toy.md"))
    args = p.parse_args()

    from archscout.cli.common import read_results

    key = lambda r: (r["strategy"], r["seed"], r["queries"])  # noqa: E731
    done = read_results(args.out, key)
    with args.out.open("a") as fh:
        for s in args.strategies:
            for seed in range(args.seeds):
                if (s, seed, args.queries) not in done:
                    r = one_run(s, seed, args.queries)
                    fh.write(json.dumps(r) + "\n")
                    fh.flush()
                    done[key(r)] = r
    cps = [c for c in (8, 16, 24, 32, 40) if c <= args.queries]
    lines = [f"Synthetic additive objective on the chain space (optimum 9.5), {args.seeds} seeds, best value after N queries",
             "", "| strategy | " + " | ".join(f"{c} queries" for c in cps) + " | mean depth of the last 8 |",
             "|---|" + "---|" * len(cps) + "---|"]
    for s in args.strategies:
        rs = [done[(s, seed, args.queries)] for seed in range(args.seeds)]
        cells = [f"{np.mean([max(r['values'][:c]) for r in rs]):.2f} ± {np.std([max(r['values'][:c]) for r in rs]):.2f}" for c in cps]
        depth = np.mean([np.mean(r["depths"][-8:]) for r in rs])
        lines.append(f"| {s} | " + " | ".join(cells) + f" | {depth:.1f} |")
    text = "\n".join(lines)
    args.markdown.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
