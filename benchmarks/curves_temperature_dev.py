"""Development curves for the fast mode's temperature (BENCHMARKS.md, "Learning curves and early stopping", (c)).

Why: the 88 development pairs of `curves_cost.py` (12 curves per set, cut-offs 20% and 50%) chose
``temperature = max(1, n / 10)``, but table (a)'s test curves then showed that rule over-confident after 4-5
epochs (log-likelihood of the final value −3.4 → −9.1 on lcbench:3945 at 10%). Table (a)'s *training* curves
(the seeded 100 that its regressors train on) are never used by `lce`, which needs no training set, so they
are a larger development set for it that no reported `lce` number is computed on: this script evaluates `lce`
on them (all of table (a)'s sources and cut-offs; `evaluate` on the training subset, whose own first 6 curves
it sets aside) under several temperature rules, and prints the mean log-likelihood and R² per cell.
The best mean, ``max(2, n / 10)``, is the default since 2026-12-02 (BENCHMARKS.md).

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/curves_temperature_dev.py          # resumable
    python benchmarks/curves_temperature_dev.py --report
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "benchmarks" / "results" / "curves_temperature_dev.jsonl"
SOURCES = [("baker2018/metaqnn_cifar10.csv", False), ("baker2018/metaqnn_svhn.csv", False),
           ("baker2018/deep_resnets_cifar10.csv", False), ("baker2018/lstm_ptb.csv", True),
           ("nb201/learning_curves_cifar10.csv", False), ("lcbench:3945", False), ("lcbench:7593", False),
           ("lcbench:34539", False)]
CUTOFFS = (0.1, 0.2, 0.3, 0.5)
# rule -> DomhanLCE keyword arguments
RULES = {
    "2": {"temperature": 2.0},
    "max(1, n/10)": {"effective_points": 10.0, "min_temperature": 1.0},
    "max(2, n/10)": {"effective_points": 10.0, "min_temperature": 2.0},
    "max(1.5, n/10)": {"effective_points": 10.0, "min_temperature": 1.5},
    "max(2, n/15)": {"effective_points": 15.0, "min_temperature": 2.0},
    "3": {"temperature": 3.0},
    # the default rule, leaving leading points out of the fit (DomhanLCE's warmup, 2026-12-03)
    "max(2, n/10) w1": {"warmup": 1},
    "max(2, n/10) wauto": {"warmup": "auto"},
    "max(4, n/10) wauto": {"warmup": "auto", "min_temperature": 4.0},
    "max(4, n/5) wauto": {"warmup": "auto", "min_temperature": 4.0, "effective_points": 5.0},
    # heavier-tailed noise with the warm-up left out (Student-t with 2 or 1.5 dof instead of 3)
    "max(2, n/10) wauto dof2": {"warmup": "auto", "noise_dof": 2.0},
    "max(2, n/10) wauto dof1.5": {"warmup": "auto", "noise_dof": 1.5},
}


def load(src: str, minimize: bool):
    """The curve set and metric exactly as `archscout bench curves` loads them (LCBench: 500 configs, seed 0)."""
    from archscout.cli.bench_curves import load as cli_load

    ns = argparse.Namespace(curves=src if src.startswith("lcbench:") else DATA / src, lcbench_path=None,
                            lcbench_configs=500, seed=0, metric=None, range=None, minimize=minimize)
    return cli_load(ns)


def training_curves(cs, train_size: int = 100, seed: int = 0):
    """Table (a)'s training subset: the split of `evaluate` (seeded permutation of the usable curves)."""
    usable = np.flatnonzero(np.isfinite(cs.curves[:, -1]))
    return cs.subset(np.random.default_rng(seed).permutation(usable)[:train_size])


def run(out: Path, rules: list[str]) -> None:
    from archscout.estimation.curves.evaluate import evaluate

    done = set()
    if out.exists():
        done = {(r["source"], r["rule"], r["cutoff"]) for r in map(json.loads, out.read_text().splitlines())}
    for src, minimize in SOURCES:
        cs, metric = load(src, minimize)
        dev = training_curves(cs)
        for rule in rules:
            todo = [c for c in CUTOFFS if (cs.source, rule, c) not in done]
            if not todo:
                continue
            for r in evaluate(dev, metric, tuple(todo), train_size=6, seed=0, methods=("lce",), lce_kwargs=RULES[rule]):
                r["rule"] = rule
                with out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
                print(f"{cs.source} {rule} {r['cutoff']}: loglik {r['loglik']} r2 {r['r2']:.3f}", flush=True)


def report(out: Path, rules: list[str]) -> str:
    rows = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    by = {(r["source"], r["cutoff"], r["rule"]): r for r in rows}
    cells = sorted({(r["source"], r["cutoff"], r["epochs_seen"], r["n_test"]) for r in rows})
    lines = ["| set | cut-off (epochs seen) | curves | " + " | ".join(f"τ = {r}" for r in rules) + " |",
             "|---|---|---|" + "---|" * len(rules)]
    means = {r: [] for r in rules}
    for s, c, e, n in cells:
        vals = []
        for rule in rules:
            r = by.get((s, c, rule))
            if r is None or r["loglik"] is None:
                vals.append("-")
                continue
            means[rule].append(r["loglik"])
            vals.append(f"{r['loglik']:.2f} / {r['r2']:.3f}")
        lines.append(f"| {s.split('/')[-1].removesuffix('.csv')} | {c:g} ({e}) | {n} | " + " | ".join(vals) + " |")
    lines.append("| **mean log-likelihood over cells** | | | " + " | ".join(
        f"**{np.mean(means[r]):.2f}**" if means[r] else "-" for r in rules) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rules", nargs="+", default=list(RULES), choices=list(RULES))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    if not args.report:
        run(args.out, args.rules)
    print(report(args.out, args.rules))


if __name__ == "__main__":
    main()
