"""`archscout bench strategies`: every strategy x dataset x seed on a tabular benchmark.

Each run is written to a JSON-lines file as soon as it ends; rerunning the command skips the runs
already there, so a killed comparison resumes. The table is printed (and written with --markdown).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from archscout.cli.common import HelpFormatter, check_out_path, count, read_results
from archscout.errors import ArchscoutError

CHECKPOINTS = (25, 50, 100, 150, 300)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "strategies",
        help="compare search strategies on a tabular benchmark (resumable)",
        description="Best accuracy found after N queries, mean ± std over seeds, for each strategy and dataset.",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--benchmark", default="nb201")
    p.add_argument("--table", type=Path, default=None)
    p.add_argument("--datasets", nargs="+", default=None,
                   help="table columns (default: cifar10 and cifar100, those of them the table has)")
    p.add_argument("--strategies", nargs="+", default=["random", "rea", "local", "bo", "reinforce"],
                   help="strategy names or specs with options, e.g. rea rea:population_size=50,tournament_size=10")
    p.add_argument("--seeds", type=count(1), default=20)
    p.add_argument("--queries", type=count(1), default=300, help="queries per search (the table reports the best "
                   f"after {', '.join(map(str, CHECKPOINTS))} and after the last)")
    p.add_argument("--jobs", type=count(1), default=1, help="parallel worker processes")
    p.add_argument("--out", type=Path, default=Path("bench-strategies.jsonl"), help="JSON-lines results (resume file)")
    p.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def one_run(benchmark: str, table: str | None, dataset: str, strategy: str, seed: int, queries: int) -> dict:
    """One search with an in-memory study; returns the value of every query and the wall time."""
    import optuna

    from archscout.benchmarks import get_benchmark
    from archscout.objectives import TabularObjective
    from archscout.strategies import make_sampler

    bench = get_benchmark(benchmark, table)
    objective = TabularObjective(bench, dataset)
    study = optuna.create_study(direction="maximize", sampler=make_sampler(strategy, objective.space, seed=seed))
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=queries)
    wall = time.perf_counter() - t0
    values = [t.value for t in study.trials]
    return {"benchmark": benchmark, "table": table, "dataset": dataset, "strategy": strategy, "seed": seed,
            "queries": queries, "values": values, "seconds": wall}


def _key(r: dict) -> tuple:
    # the benchmark and table are in every record: results of another table are never reused
    return (r.get("benchmark", "nb201"), r.get("table"), r["dataset"], r["strategy"], r["seed"], r["queries"])


def run(args: argparse.Namespace) -> int:
    from archscout.benchmarks import get_benchmark
    from archscout.strategies import make_sampler

    check_out_path(args.out)
    check_out_path(args.markdown, "--markdown")
    bench = get_benchmark(args.benchmark, args.table)
    if args.datasets is None:
        args.datasets = [d for d in ("cifar10", "cifar100") if d in bench.columns()]
        if not args.datasets:
            raise ArchscoutError(f"{args.table or args.benchmark} has no cifar10 or cifar100 column; name its columns "
                                 f"with --datasets ({', '.join(bench.columns())})")
    for d in args.datasets:
        bench.check_column(d)
        n = len(bench.values(d))
        if args.queries > n:
            raise ArchscoutError(f"--queries {args.queries} is more than the {n} architectures with a {d!r} value")
    for s in args.strategies:  # a spec with options (rea:population_size=50) is its own row
        make_sampler(s, bench.space, seed=0)  # unknown names and options fail here, before any run
    done = read_results(args.out, _key)
    table = str(args.table) if args.table else None
    # strategy-major order: the slowest strategy listed first starts first when runs go in parallel
    todo = [(d, s, seed) for s in args.strategies for d in args.datasets for seed in range(args.seeds)
            if (args.benchmark, table, d, s, seed, args.queries) not in done]
    show = sys.stderr.isatty() and not args.json
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool, args.out.open("a") as fh:
        futures = [pool.submit(one_run, args.benchmark, table, d, s, seed, args.queries) for d, s, seed in todo]
        for i, f in enumerate(as_completed(futures), 1):
            r = f.result()
            fh.write(json.dumps(r) + "\n")
            fh.flush()
            done[_key(r)] = r
            if show:
                print(f"\r{i}/{len(todo)} runs", end="", file=sys.stderr)
    if show and todo:
        print(file=sys.stderr)
    runs = [r for k, r in done.items() if k[:2] == (args.benchmark, table) and r["queries"] == args.queries
            and r["dataset"] in args.datasets and r["strategy"] in args.strategies and r["seed"] < args.seeds]
    summary = summarise(runs, bench, args.datasets, args.strategies, args.queries)
    text = markdown(summary, args)
    if args.markdown:
        args.markdown.write_text(text)
    print(json.dumps(summary) if args.json else text)
    return 0


def expected_best_of_random(values: np.ndarray, n: int) -> float:
    """Exact E[max of n uniform draws with replacement] over a finite table."""
    v = np.sort(values)
    big_n = len(v)
    f = np.arange(1, big_n + 1) / big_n
    return float((v * (f**n - (f - 1.0 / big_n) ** n)).sum())


def summarise(runs: list[dict], bench, datasets: list[str], strategies: list[str], queries: int) -> dict:
    cps = [c for c in CHECKPOINTS if c < queries] + [queries]  # the last query is always a column
    out: dict = {"checkpoints": cps, "datasets": {}}
    for d in datasets:
        vals = bench.values(d)
        entry = {"optimum": float(vals.max()), "random_expectation": {str(c): expected_best_of_random(vals, c) for c in cps},
                 "strategies": {}}
        for s in strategies:
            rs = [r for r in runs if r["dataset"] == d and r["strategy"] == s]
            if not rs:
                continue
            best = np.array([[max(r["values"][:c]) for c in cps] for r in rs])
            entry["strategies"][s] = {
                "seeds": len(rs),
                "mean": dict(zip(map(str, cps), best.mean(0).tolist())),
                "std": dict(zip(map(str, cps), best.std(0).tolist())),
                "ms_per_query": float(np.median([1000 * r["seconds"] / r["queries"] for r in rs])),
            }
        out["datasets"][d] = entry
    return out


def markdown(summary: dict, args: argparse.Namespace) -> str:
    cps = summary["checkpoints"]
    lines = []
    for d, e in summary["datasets"].items():
        lines.append(f"**{d}** (optimum {e['optimum']:.2f}; objective and reported value: the table column `{d}`)\n")
        lines.append("| strategy | seeds | " + " | ".join(f"{c} queries" for c in cps) + " | ms / query |")
        lines.append("|---|---|" + "---|" * len(cps) + "---|")
        for s, r in e["strategies"].items():
            cells = [f"{r['mean'][str(c)]:.2f} ± {r['std'][str(c)]:.2f}" for c in cps]
            lines.append(f"| {s} | {r['seeds']} | " + " | ".join(cells) + f" | {r['ms_per_query']:.1f} |")
        exp = [f"{e['random_expectation'][str(c)]:.2f}" for c in cps]
        lines.append("| random (exact expectation) | ∞ | " + " | ".join(exp) + " | |")
        lines.append("")
    return "\n".join(lines)
