"""`archscout bench curves`: extrapolation quality of the learning-curve methods on a curve CSV.

Reads Baker et al.'s format as-is (or NAS-Bench-201's ``epoch_N`` curves, or ``lcbench:TASK`` for
the LCBench surrogate), trains the learned methods on a seeded ``--train-size`` subset and reports
R², MSE and log-likelihood of the predicted final value per method and cut-off. With ``--out`` each
result is appended to a JSON-lines file as it is computed and a rerun skips what is there.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from archscout.cli.common import HelpFormatter, check_out_path, count, read_results
from archscout.errors import ArchscoutError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "curves",
        help="learning-curve extrapolation quality (R², MSE, log-likelihood) on real curves",
        description=(
            "Predict the final value of every curve from its first epochs. Learned methods (sequential "
            "regression) train on --train-size curves chosen by --seed and are tested on the rest."
        ),
        formatter_class=HelpFormatter,
    )
    p.add_argument("--curves", required=True,
                   help="curve CSV (columns acc_N / ep_N / epoch_N), or lcbench:TASK for the LCBench surrogate")
    p.add_argument("--minimize", action="store_true", help="lower is better (loss, perplexity): range [0, inf)")
    p.add_argument("--range", nargs=2, type=float, default=None, metavar=("LO", "HI"),
                   help="valid range of the metric (default: [0, inf) with --minimize, else [0, 1] or [0, 100] "
                        "when values exceed 1)")
    p.add_argument("--metric", default=None, help="rows to read when the CSV has a 'metric' column (valid_accuracy)")
    p.add_argument("--cutoff", nargs="+", type=float, default=[0.1, 0.2, 0.3, 0.5],
                   help="fractions of the schedule observed")
    p.add_argument("--train-size", type=int, default=100, help="curves the learned methods train on")
    p.add_argument("--seed", type=count(0), default=0)
    p.add_argument("--methods", nargs="+", default=["last", "curvefit", "lce", "svr", "rf", "bayes_ridge", "ensemble"],
                   help="last, curvefit, lce, lce_mcmc, svr, rf, bayes_ridge, ensemble")
    p.add_argument("--anchor", type=_anchor, default=1.0,
                   help="regressors' target: final - ANCHOR x last value (1: the change, 0: the final value, "
                        "cv: chosen from 0, 0.5, 1 by cross-validation)")
    p.add_argument("--lce-temperature", type=float, default=None, metavar="T",
                   help="lce fast mode: a fixed likelihood temperature (>= 1; default: max(2, n / 10) for n "
                        "observed epochs; 2 reproduces the fast mode of 2026-12-01)")
    p.add_argument("--max-test", type=count(1), default=None, help="evaluate on at most this many test curves")
    p.add_argument("--lcbench-path", type=Path, default=None, help="folder of the LCBench surrogate (model.onnx)")
    p.add_argument("--lcbench-configs", type=count(1), default=1000, help="configurations sampled per LCBench task")
    p.add_argument("--out", type=Path, default=None, help="JSON-lines results file (resume file)")
    p.add_argument("--json", action="store_true", help="print a JSON list: one entry per method and cut-off")
    p.set_defaults(func=run)


def _anchor(v: str) -> float | str:
    if v == "cv":
        return v
    try:
        return float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{v!r} is neither a number in [0, 1] nor 'cv'") from None


def load(args: argparse.Namespace):
    """The curve set and its declared metric from the command-line options."""
    import numpy as np

    from archscout.estimation.curves.base import Metric
    from archscout.estimation.curves.data import read_curves

    if str(args.curves).startswith("lcbench:"):
        from archscout.benchmarks.lcbench import LCBench

        cs = LCBench(args.lcbench_path).curve_set(str(args.curves)[len("lcbench:"):], args.lcbench_configs, args.seed)
    else:
        cs = read_curves(args.curves, args.metric)
    if args.range is not None:
        metric = Metric("minimize" if args.minimize else "maximize", args.range[0], args.range[1])
    elif args.minimize:
        metric = Metric.loss()
    else:
        finite = cs.curves[np.isfinite(cs.curves)]  # an inf cell (a diverged run) says nothing about the scale
        top = float(finite.max()) if finite.size else 1.0
        metric = Metric.accuracy(percent=top > 1.0)
    return cs, metric


def run_settings(args: argparse.Namespace, metric, max_test: bool = True) -> dict:
    """The options besides source, seed and method that change a result, as stored with each record."""
    lcbench = str(args.curves).startswith("lcbench:")
    s = {"metric": [metric.direction, metric.lower, metric.upper], "rows": args.metric,
         "lcbench_configs": args.lcbench_configs if lcbench else None}
    if max_test:
        s["max_test"] = args.max_test
    return s


def run(args: argparse.Namespace) -> int:
    from archscout.estimation.curves.evaluate import evaluate

    if args.train_size < 6:
        raise ArchscoutError("--train-size must be at least 6")
    if args.lce_temperature is not None and not args.lce_temperature >= 1:
        raise ArchscoutError(f"--lce-temperature must be at least 1, got {args.lce_temperature:g}")
    lce_kwargs = {} if args.lce_temperature is None else {"temperature": args.lce_temperature}
    check_out_path(args.out)
    cs, metric = load(args)
    from archscout.estimation.curves.regression import MODELS

    # results written before --anchor existed used the change from the last value (anchor 1)
    # lce rows (the fast mode; MCMC has no temperature) also key on a fixed temperature (None: the default rule;
    # rows written before the option have none)
    # what else changes a result: the declared metric, the rows read, the test set's size, LCBench's sample
    # (rows written before these were recorded carry none of them and are taken as they are)
    settings = run_settings(args, metric)
    done = read_results(args.out, lambda r: (r["source"], r["method"], r["cutoff"], r["seed"], r["n_train"],
                                             r.get("anchor", 1.0) if r["method"] in MODELS else None,
                                             r.get("lce_temperature") if r["method"] == "lce" else None,
                                             json.dumps(r.get("settings", settings), sort_keys=True)))

    def key(method: str, cutoff: float) -> tuple:
        return (cs.source, method, cutoff, args.seed, args.train_size, args.anchor if method in MODELS else None,
                args.lce_temperature if method == "lce" else None, json.dumps(settings, sort_keys=True))

    def save(r: dict) -> None:
        r["settings"] = settings
        if r["method"] == "lce" and args.lce_temperature is not None:
            r["lce_temperature"] = args.lce_temperature
        if args.out is not None:
            with open(args.out, "a") as fh:
                fh.write(json.dumps(r) + "\n")

    results = evaluate(cs, metric, tuple(args.cutoff), args.train_size, args.seed, tuple(args.methods),
                       args.max_test, on_result=save, skip=lambda m, c: key(m, c) in done, anchor=args.anchor,
                       lce_kwargs=lce_kwargs)
    results += [r for k, r in done.items() if k == key(k[1], k[2]) and k[1] in args.methods and k[2] in args.cutoff]
    order = {m: i for i, m in enumerate(args.methods)}
    results.sort(key=lambda r: (r["cutoff"], order.get(r["method"], 99)))
    if args.json:
        print(json.dumps(results))
        return 0
    print(f"{cs.source}: {len(cs)} curves, {cs.n_epochs} epochs, metric {metric.direction} in "
          f"[{metric.lower:g}, {metric.upper:g}], train {args.train_size}, seed {args.seed}")
    print(f"{'cutoff':>6} {'epochs':>6} {'method':<12} {'R2':>8} {'MSE':>10} {'loglik':>9} {'ms/curve':>9}")
    for r in results:
        ll = f"{r['loglik']:.3f}" if r["loglik"] is not None and math.isfinite(r["loglik"]) else "-"
        print(f"{r['cutoff']:>6g} {r['epochs_seen']:>6d} {r['method']:<12} {r['r2']:>8.3f} {r['mse']:>10.4g} "
              f"{ll:>9} {r['ms_per_curve']:>9.1f}")
    return 0
