"""`archscout bench stopping`: compute saved vs regret of early-stopping rules on replayed curves.

For each seed a random search visits ``--trials`` curves of the source in a seeded order (the same
order for every pruner); each pruner runs a plain Optuna study over it. Reported per pruner: epochs
spent, speed-up over no stopping (epochs without / with), and regret = how much worse the best
*completed* curve is than the best curve of the same visited set (what no stopping finds).
Results are appended to ``--out`` as they finish; a rerun skips the runs already there.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from archscout.cli.common import HelpFormatter, check_out_path, count, read_results
from archscout.errors import ArchscoutError

DEFAULT_PRUNERS = ["none", "lce", "baker", "median", "hyperband", "hyperband_lce"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stopping",
        help="early stopping on replayed curves: epochs saved vs regret (resumable)",
        description="Every pruner on the same seeded random searches over the curves of a CSV or LCBench task.",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--curves", required=True, help="curve CSV (acc_N / ep_N / epoch_N columns) or lcbench:TASK")
    p.add_argument("--minimize", action="store_true", help="lower is better (loss, perplexity)")
    p.add_argument("--range", nargs=2, type=float, default=None, metavar=("LO", "HI"), help="valid range of the metric")
    p.add_argument("--metric", default=None, help="rows to read when the CSV has a 'metric' column")
    p.add_argument("--pruners", nargs="+", default=DEFAULT_PRUNERS)
    p.add_argument("--trials", type=int, default=150, help="curves visited per search")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--lcbench-path", type=Path, default=None)
    p.add_argument("--lcbench-configs", type=count(1), default=500, help="configurations sampled per LCBench task")
    p.add_argument("--out", type=Path, default=Path("bench-stopping.jsonl"), help="JSON-lines results (resume file)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run, seed=0)


def one_run(cs, metric, pruner_name: str, order: np.ndarray, seed: int) -> dict:
    """One search over the curves in `order` with one pruner; returns its cost and regret."""
    import optuna

    from archscout.benchmarks.curves import CurveReplay
    from archscout.stopping import make_pruner

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    T = int(cs.n_epochs)
    pruner = make_pruner(pruner_name, T, metric, seed=seed)
    study = optuna.create_study(direction=metric.direction, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=seed))
    t0 = time.perf_counter()
    study.optimize(CurveReplay(cs, order), n_trials=len(order))
    wall = time.perf_counter() - t0
    epochs = sum(t.user_attrs.get("cost_epochs", 0) for t in study.trials)
    finals = cs.curves[order, -1]
    best_all = float(np.nanmax(finals) if metric.direction == "maximize" else np.nanmin(finals))
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE and t.value is not None]
    done = [t.value for t in complete]
    found = (max(done) if metric.direction == "maximize" else min(done)) if done else math.nan
    regret = (best_all - found) * metric.sign if done else math.inf
    pick = (max if metric.direction == "maximize" else min)(complete, key=lambda t: t.value) if complete else None
    nostop = int(order[int(np.nanargmax(finals * metric.sign))])
    # which curves were returned, so a report can look up other columns of them (e.g. a test accuracy)
    return {"pruner": pruner_name, "seed": seed, "trials": len(order), "epochs": float(epochs),
            "epochs_full": float(len(order) * (cs.curves.shape[1] - (1 if cs.untrained else 0))),
            "completed": len(done), "best_found": found, "best_nostop": best_all, "regret": float(regret),
            "found_id": cs.ids[pick.user_attrs["curve"]] if pick is not None else None,
            "nostop_id": cs.ids[nostop], "seconds": wall}


def run(args: argparse.Namespace) -> int:
    from archscout.cli.bench_curves import load, run_settings
    from archscout.stopping import PRUNERS

    for p in args.pruners:
        if p not in PRUNERS:
            raise ArchscoutError(f"unknown pruner {p!r}; choose from {', '.join(PRUNERS)}")
    if args.trials < 2 or args.seeds < 1:
        raise ArchscoutError("--trials must be at least 2 and --seeds at least 1")
    check_out_path(args.out)
    cs, metric = load(args)
    ok = np.all(np.isfinite(cs.curves[:, (1 if cs.untrained else 0):]), axis=1)
    if ok.sum() < args.trials:
        raise ArchscoutError(f"{cs.source} has {int(ok.sum())} complete curves (no NaN/inf epoch) of {len(cs)}; "
                             f"--trials {args.trials} is more")
    metric.check(cs.curves[np.isfinite(cs.curves)], what=f"{cs.source} curve")
    # the declared metric, the rows read and LCBench's sample change a result too (rows written before they
    # were recorded carry none and are taken as they are)
    settings = run_settings(args, metric, max_test=False)
    done = read_results(args.out, lambda r: (r["source"], r["pruner"], r["seed"], r["trials"],
                                             json.dumps(r.get("settings", settings), sort_keys=True)))
    results = []
    for seed in range(args.seeds):
        order = np.random.default_rng(seed).permutation(np.flatnonzero(ok))[: args.trials]
        for p in args.pruners:
            key = (cs.source, p, seed, args.trials, json.dumps(settings, sort_keys=True))
            if key in done:
                results.append(done[key])
                continue
            r = one_run(cs, metric, p, order, seed)
            r["source"] = cs.source
            r["settings"] = settings
            with open(args.out, "a") as fh:
                fh.write(json.dumps(r) + "\n")
            results.append(r)
    summary = summarise(results)
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{cs.source}: {args.trials} curves per search, {args.seeds} seeds, metric {metric.direction}")
    print(f"{'pruner':<15} {'speed-up (median)':>17} {'regret (mean)':>14} {'no-regret runs':>15} {'s/run':>7}")
    for s in summary:
        print(f"{s['pruner']:<15} {s['speedup_median']:>16.2f}x {s['regret_mean']:>14.4g} "
              f"{s['no_regret']:>9}/{s['runs']:<5} {s['seconds_mean']:>7.1f}")
    return 0


def summarise(results: list[dict]) -> list[dict]:
    """Per source and pruner: median speed-up, mean regret, runs whose best equals no stopping's."""
    out = []
    keys = sorted({(r["source"], r["pruner"]) for r in results}, key=lambda k: (k[0], DEFAULT_PRUNERS.index(k[1])
                                                                              if k[1] in DEFAULT_PRUNERS else 99))
    for src, p in keys:
        rs = [r for r in results if r["source"] == src and r["pruner"] == p]
        sp = [r["epochs_full"] / max(r["epochs"], 1) for r in rs]
        out.append({"source": src, "pruner": p, "runs": len(rs), "speedup_median": float(np.median(sp)),
                    "regret_mean": float(np.mean([r["regret"] for r in rs])),
                    "no_regret": sum(r["regret"] <= 1e-12 for r in rs),
                    "seconds_mean": float(np.mean([r["seconds"] for r in rs]))})
    return out
