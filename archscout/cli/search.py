"""`archscout search`: run (or resume) one architecture search and report the best architecture."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archscout.cli.common import HelpFormatter
from archscout.strategies import STRATEGIES
from archscout.errors import ArchscoutError

DEFAULT_STORAGE = "sqlite:///archscout.db"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="search for the best architecture (rerun the same command to resume)",
        description=(
            "Search a space for the best architecture. On a tabular benchmark each trial is a table "
            "lookup whose training cost is counted in epochs. The study is stored (SQLite by default), "
            "so rerunning the same command resumes it and adds trials up to --trials."
        ),
        formatter_class=HelpFormatter,
    )
    p.add_argument("--benchmark", default="nb201", help="tabular benchmark to search: nb201 (the published tables) or nb201_lofi "
                        "(archscout's own 12-epoch low-fidelity table, with curves for --pruner)")
    p.add_argument("--dataset", default="cifar10", help="table column to maximise, e.g. cifar10, cifar100")
    p.add_argument("--table", type=Path, default=None, help="your own CSV: column 'arch' plus one numeric column per dataset")
    p.add_argument("--strategy", default="rea",
                   help=", ".join(STRATEGIES) + "; options as name:key=value[,key=value], e.g. rea:population_size=20")
    p.add_argument("--trials", type=int, default=100, help="number of architectures to evaluate in total")
    p.add_argument("--seed", type=int, default=0, help="seed of the strategy")
    p.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL, 'journal:FILE', or 'memory'")
    p.add_argument("--study", default=None, help="study name (default: derived from the options)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--proxies", type=Path, default=None,
                   help="--strategy robot: CSV of zero-cost proxy scores ('arch' + one column per proxy); "
                        "default: the bundled NAS-Bench-Suite-Zero CIFAR-10 scores")
    p.add_argument("--pruner", default="none",
                   help="early stopping: lce (Domhan), baker, median, hyperband (Optuna's), sh_lce, hyperband_lce, "
                        "hyperband_baker, lce_cal (the calibrated bound alone: faster, less safe) or none; on a "
                        "table it needs --curves")
    p.add_argument("--curves", type=Path, default=None,
                   help="per-epoch curves to replay (CSV with 'arch' and epoch_N/acc_N columns); the search runs "
                        "over the architectures that have one")
    from archscout.cli.live import add_arguments as _add_live_arguments

    _add_live_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archscout.benchmarks import get_benchmark
    from archscout.objectives import TabularObjective, study_cost
    from archscout.strategies import make_sampler, parse_strategy
    from archscout.study import open_study, run_trials

    from archscout.estimation.curves.base import Metric
    from archscout.stopping import make_pruner

    if getattr(args, "data", None) is not None:  # live path: train real networks
        from archscout.cli.live import DEFAULT_EPOCHS, run_live

        if args.pruner != "none":  # live validation accuracy is in percent, epochs from 1
            epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS.get(args.space or "chain", 10)
            args.live_pruner = make_pruner(args.pruner, max(2, epochs), Metric.accuracy(percent=True), seed=args.seed)
        return run_live(args)
    if args.trials < 1:
        raise ArchscoutError("--trials must be at least 1")
    # Validate everything before the study is created, so bad input writes nothing.
    curves = None
    if args.curves is not None:
        from archscout.benchmarks.curves import curve_benchmark
        from archscout.spaces import get_space

        bench, curves = curve_benchmark(args.curves, get_space(args.benchmark), column=args.dataset)
    else:
        bench = get_benchmark(args.benchmark, args.table)
    if args.pruner != "none" and curves is None and bench.curves is not None:
        curves = bench.curves  # the table carries its own validation curves (nb201_lofi)
    if args.pruner != "none" and curves is None:
        raise ArchscoutError(f"--pruner {args.pruner} needs per-epoch curves: give --curves PATH (or --data to train)")
    objective = TabularObjective(bench, args.dataset, curves=curves)
    pruner = None
    if curves is not None:
        top = max(float(v.max()) for v in curves.values())
        pruner = make_pruner(args.pruner, bench.max_epochs, Metric.accuracy(percent=top > 1), seed=args.seed)
    strategy_name, _ = parse_strategy(args.strategy)
    if args.proxies is not None and strategy_name != "robot":
        raise ArchscoutError("--proxies is used by --strategy robot only")
    robot = {"budget": args.trials, "proxies": args.proxies} if strategy_name == "robot" else {}
    sampler = make_sampler(args.strategy, bench.space, seed=args.seed, **robot)
    if robot:  # RoBoT only proposes architectures the proxy table scores: say so when that is not all of them
        classes = len({bench.space.canonical(a) for a in bench.archs()})
        if len(sampler.pool) < classes:
            print(f"archscout: note: the proxy table scores {len(sampler.pool)} of the {classes} architecture classes "
                  "of the benchmark; RoBoT searches only those", file=sys.stderr)
    name = args.study or "-".join(
        [args.benchmark, args.dataset, args.strategy, f"seed{args.seed}"] + ([args.table.stem] if args.table else [])
        + ([args.proxies.name.split(".")[0]] if args.proxies else [])
    )
    config = {"benchmark": args.benchmark, "dataset": args.dataset, "strategy": args.strategy, "seed": args.seed,
              "table": str(args.table) if args.table else None}
    if args.proxies is not None:
        config["proxies"] = str(args.proxies)
    if curves is not None:
        source = args.curves.stem if args.curves is not None else "curves"  # the table's own curves
        name = args.study or f"{name}-{source}-{args.pruner}"
        config.update(curves=str(args.curves) if args.curves is not None else "table", pruner=args.pruner)
    study = open_study(args.storage, name, bench.space.name, config, sampler, pruner)
    progress = sys.stderr.isatty() and not args.json
    run_trials(study, objective, args.trials, progress=progress)
    best = study.best_trial
    result = {
        "best_arch": best.user_attrs.get("arch") or bench.space.to_string(bench.space.from_params(best.params)),
        "best_value": best.value,
        "best_trial": best.number,
        "trials": len(study.get_trials(deepcopy=False)),
        "cost": study_cost(study),
        "benchmark": bench.name,
        "dataset": args.dataset,
        "strategy": args.strategy,
        "seed": args.seed,
        "study": name,
        "storage": args.storage,
    }
    if args.json:
        print(json.dumps(result))
    else:
        cost = result["cost"]
        secs = f", {cost['seconds']:.0f} s" if cost["seconds"] is not None else ""
        print(f"best architecture  {result['best_arch']}")
        print(f"{args.dataset:<18} {best.value:.4f}  (trial {best.number} of {result['trials']})")
        print(f"cost               {cost['queries']} trainings = {cost['epochs']:.0f} epochs{secs}")
        print(f"study              {name} in {args.storage} (rerun to resume; raise --trials to extend)")
    return 0
