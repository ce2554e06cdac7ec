"""`archscout search`: run (or resume) one architecture search and report the best architecture."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna

from archscout.cli.common import HelpFormatter
from archscout.errors import ArchscoutError
from archscout.strategies import STRATEGIES

DEFAULT_STORAGE = "sqlite:///archscout.db"


def seed_type(text: str) -> int:
    """An argparse type for --seed: numpy seeds its generators with 0 .. 2**32 - 1 only."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 0 <= v < 2**32:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**32 - 1, got {v}")
    return v


def check_journal(storage: str) -> None:
    """Refuse a ``journal:FILE`` that exists but is not an Optuna journal, before Optuna opens it: Optuna
    would crash on the file, and append a record to it first, so a user's own file would be changed."""
    if not storage.startswith("journal:"):
        return
    path = Path(storage[len("journal:"):])
    if not path.exists():
        return
    if path.is_dir():
        raise ArchscoutError(f"--storage {storage!r}: {str(path)!r} is a folder; give a journal file path")
    try:
        with path.open("rb") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.endswith(b"\n") and line.startswith(b"{"):
                    break  # a record another worker is writing right now (journals are shared by workers)
                try:  # Optuna writes one JSON object per line, each with its "op_code"
                    record = json.loads(line) if line.endswith(b"\n") else None
                except ValueError:  # JSONDecodeError or UnicodeDecodeError
                    record = None
                if not isinstance(record, dict) or "op_code" not in record:
                    raise ArchscoutError(f"--storage {storage!r}: {str(path)!r} is not an Optuna journal file (line "
                                         f"{lineno} is not a journal record); it was left as it is")
    except OSError as e:
        raise ArchscoutError(f"--storage {storage!r}: cannot read {str(path)!r}: {e.strerror or e}") from None


class _QuietAfterStop(logging.Filter):
    """Drops Optuna's "Trial N failed" warnings (a traceback) once a trial ends by Ctrl-C or by a user error:
    the exception stops the search, and main() prints the one line that says what happened."""

    def __init__(self) -> None:
        super().__init__()
        self.stopped = False

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], (KeyboardInterrupt, ArchscoutError)):
            self.stopped = True
        return not self.stopped


class _DeferredCtrlC:
    """SIGINT while Optuna runs trials. A KeyboardInterrupt raised in Optuna's own bookkeeping (storing a
    trial, also from inside the objective) can break its trial loop with an internal-error traceback. So
    Ctrl-C is noted, the study stops after the current trial, and the caller gets the KeyboardInterrupt then;
    with `immediate`, it interrupts at once inside the objective (a live trial trains for minutes: Optuna
    then marks it FAIL). A second Ctrl-C always interrupts at once."""

    def __init__(self, immediate: bool) -> None:
        self.immediate = immediate
        self.pending = False
        self.inside = False

    def handler(self, signum: int, frame: Any) -> None:
        if self.pending or (self.immediate and self.inside):
            raise KeyboardInterrupt
        self.pending = True

    def guard(self, objective: Callable[[optuna.Trial], float]) -> Callable[[optuna.Trial], float]:
        def run(trial: optuna.Trial) -> float:
            try:
                if self.pending:
                    raise KeyboardInterrupt
                self.inside = True
                return objective(trial)
            finally:
                self.inside = False

        return run

    def stop_if_pending(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if self.pending:
            study.stop()


def optimize(study: optuna.Study, objective: Callable[[optuna.Trial], float], n_trials: int,
             callbacks: list[Callable[[optuna.Study, optuna.trial.FrozenTrial], None]] | None = None,
             interrupt_trials: bool = False, **kwargs: Any) -> None:
    """`study.optimize` for the CLI: Ctrl-C leaves a consistent study and prints no traceback (main() prints
    one line), nor does an ArchscoutError raised inside a trial. `interrupt_trials`: Ctrl-C stops a running
    trial at once instead of after it (for trials that take long)."""
    ctrl_c = _DeferredCtrlC(interrupt_trials)
    quiet = _QuietAfterStop()
    logger = logging.getLogger("optuna.study._optimize")  # the logger of Optuna's trial loop
    # Only the main thread can set a handler; an ignored SIGINT (SIG_IGN) or one set outside Python stays as is.
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if callable(previous):
        signal.signal(signal.SIGINT, ctrl_c.handler)
    logger.addFilter(quiet)
    try:
        study.optimize(ctrl_c.guard(objective), n_trials=n_trials,
                       callbacks=[*(callbacks or []), ctrl_c.stop_if_pending], **kwargs)
    finally:
        logger.removeFilter(quiet)
        if callable(previous):
            signal.signal(signal.SIGINT, previous)
    if ctrl_c.pending:
        raise KeyboardInterrupt


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
    p.add_argument("--seed", type=seed_type, default=0, help="seed of the strategy (0 .. 2**32 - 1)")
    p.add_argument("--storage", default=DEFAULT_STORAGE, help="Optuna storage URL, 'journal:FILE', or 'memory'")
    p.add_argument("--study", default=None, help="study name (default: derived from the options)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--proxies", type=Path, default=None,
                   help="--strategy robot: CSV of zero-cost proxy scores ('arch' + one column per proxy); "
                        "default: the bundled NAS-Bench-Suite-Zero CIFAR-10 scores")
    p.add_argument("--pruner", default="none",
                   help="early stopping: lce (Domhan), baker, lce_baker (either of the two stops a run), median, "
                        "hyperband (Optuna's), sh_lce, hyperband_lce, hyperband_baker, lce_cal (the calibrated bound "
                        "alone: faster, less safe) or none; on a table it needs --curves")
    p.add_argument("--prior-study", default=None, metavar="NAME",
                   help="--pruner baker / lce / lce_baker: learn from the curves of an earlier study in the same "
                        "--storage (same space and epochs), so stopping starts with the first trials instead of after "
                        "10 full ones (baker: its regressor trains on them; lce: its calibration measures its errors "
                        "on them)")
    p.add_argument("--curves", type=Path, default=None,
                   help="per-epoch curves to replay (CSV with 'arch' and epoch_N/acc_N columns); the search runs "
                        "over the architectures that have one")
    from archscout.cli.live import add_arguments as _add_live_arguments

    _add_live_arguments(p)
    p.set_defaults(func=run)


PRIOR_PRUNERS = ("baker", "lce", "lce_cal", "lce_baker")  # the pruners that learn from an earlier study's curves


def run(args: argparse.Namespace) -> int:
    """Check what applies to both paths first (cheap, nothing written yet), then run a live or a tabular search."""
    from archscout.stopping import PRUNERS

    if args.pruner not in PRUNERS:
        raise ArchscoutError(f"unknown pruner {args.pruner!r}; choose from {', '.join(PRUNERS)}")
    if args.prior_study is not None and args.pruner not in PRIOR_PRUNERS:
        raise ArchscoutError(f"--prior-study is read by --pruner {', '.join(PRIOR_PRUNERS)} only")
    if args.prior_study is not None and args.prior_study == args.study:
        raise ArchscoutError("--prior-study names the study being run; give an earlier one")
    check_journal(args.storage)

    from archscout.benchmarks import get_benchmark
    from archscout.objectives import TabularObjective, study_cost
    from archscout.strategies import make_sampler, parse_strategy
    from archscout.spaces import get_space
    from archscout.study import load_prior, open_study

    from archscout.estimation.curves.base import Metric
    from archscout.stopping import make_pruner

    if getattr(args, "data", None) is not None:  # live path: train real networks
        from archscout.cli.live import DEFAULT_EPOCHS, run_live

        table_only = [opt for opt, value, default in (
            ("--benchmark", args.benchmark, "nb201"), ("--dataset", args.dataset, "cifar10"), ("--table", args.table, None),
            ("--curves", args.curves, None), ("--proxies", args.proxies, None)) if value != default]
        if table_only:  # the live search would ignore them (RoBoT computes its proxies on the data)
            raise ArchscoutError(f"{', '.join(table_only)} {'is' if len(table_only) == 1 else 'are'} for a search of a "
                                 "table; with --data the networks are trained on your data")

        if args.pruner != "none":  # live validation accuracy is in percent, epochs from 1
            space_name = args.space or "chain"
            epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS.get(space_name, 10)
            prior = {} if args.prior_study is None else {
                "prior": load_prior(args.storage, args.prior_study, get_space(space_name).name, max(2, epochs))}
            args.live_pruner = make_pruner(args.pruner, max(2, epochs), Metric.accuracy(percent=True), seed=args.seed,
                                           **prior)
        return run_live(args)
    from archscout.cli.live import COUNTED, MEMORY_NOTE, live_only_options

    ignored = live_only_options(args)
    if ignored:
        raise ArchscoutError(f"{', '.join(ignored)} {'needs' if len(ignored) == 1 else 'need'} --data (a live search "
                             "that trains networks); a tabular search would ignore "
                             f"{'it' if len(ignored) == 1 else 'them'}")
    if args.trials < 1:
        raise ArchscoutError("--trials must be at least 1")
    # Validate everything before the study is created, so bad input writes nothing.
    curves = None
    if args.curves is not None:
        from archscout.benchmarks.curves import curve_benchmark

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
        prior = {} if args.prior_study is None else {
            "prior": load_prior(args.storage, args.prior_study, bench.space.name, bench.max_epochs)}
        pruner = make_pruner(args.pruner, bench.max_epochs, Metric.accuracy(percent=top > 1), seed=args.seed, **prior)
    strategy_name, _ = parse_strategy(args.strategy)
    if args.proxies is not None and strategy_name != "robot":
        raise ArchscoutError("--proxies is used by --strategy robot only")
    if args.proxies is not None:  # read it now: a bad path is the error to report, not RoBoT's budget
        from archscout.estimation.zerocost.table import load_proxy_table

        load_proxy_table(args.proxies, bench.space)
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
    if args.prior_study == name:
        raise ArchscoutError("--prior-study names the study being run; give an earlier one")
    study = open_study(args.storage, name, bench.space.name, config, sampler, pruner)
    progress = sys.stderr.isatty() and not args.json
    # Count only trials that ran to the end: one failed by Ctrl-C is run again on resume, not counted.
    todo = args.trials - len(study.get_trials(deepcopy=False, states=COUNTED))
    if todo > 0:
        optimize(study, objective, todo, show_progress_bar=progress)
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
        note = MEMORY_NOTE if args.storage == "memory" else "rerun to resume; raise --trials to extend"
        print(f"study              {name} in {args.storage} ({note})")
    return 0
