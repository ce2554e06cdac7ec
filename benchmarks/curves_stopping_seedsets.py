"""`baker` and a variant on three seed sets, with the regret of every lost run (BENCHMARKS.md, end of (c)).

Reads the sweep's rows (`curves_stopping_sweep.jsonl`) and table (b)'s (`curves_stopping.jsonl`, the default on the
reported seeds) and prints: median speed-up and clean runs on seeds 20-29 and 0-4, the regrets of the runs that lost
the best network, and how many runs each rule lost over development seeds 10-17, seeds 20-29 and 0-4.

    python benchmarks/curves_stopping_seedsets.py [--variant baker@0.05:t6:imp:g]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

R = Path(__file__).resolve().parent / "results"
SETS = ["metaqnn_cifar10", "metaqnn_svhn", "deep_resnets_cifar10", "lstm_ptb", "lcbench:3945", "lcbench:7593",
        "learning_curves_cifar10"]


def rows(name: str) -> list[dict]:
    return [json.loads(x) for x in (R / name).read_text().splitlines() if x.strip()]


def pick(rs: list[dict], src: str, pruner: str, seeds) -> list[dict]:
    return [r for r in rs if r["source"].split("/")[-1].removesuffix(".csv") == src and r["pruner"] == pruner
            and r["seed"] in seeds and r["trials"] == 100]


def cell(rs: list[dict]) -> str:
    if not rs:
        return "-"
    sp = np.median([r["epochs_full"] / max(r["epochs"], 1) for r in rs])
    lost = [f"{r['regret']:.3g}" for r in rs if r["regret"] > 1e-12]
    return f"{sp:.2f}x, {len(rs) - len(lost)}/{len(rs)}" + (f" (lost {', '.join(lost)})" if lost else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", default="baker@0.05:t6:imp:g")
    a = ap.parse_args()
    sw, tb = rows("curves_stopping_sweep.jsonl"), rows("curves_stopping.jsonl")
    new, old = range(20, 30), range(5)
    print(f"| set | default, seeds 20–29 | `{a.variant[len('baker@0.05'):]}`, seeds 20–29 | default, reported seeds "
          f"(table (b)) | `{a.variant[len('baker@0.05'):]}`, reported seeds |")
    print("|---|---|---|---|---|")
    lost = {"default": 0, a.variant: 0}
    for s in SETS:
        d = [pick(sw, s, "baker@0.05", range(10, 18)), pick(sw, s, "baker@0.05", new), pick(tb, s, "baker", old)]
        v = [pick(sw, s, a.variant, range(10, 18)), pick(sw, s, a.variant, new), pick(sw, s, a.variant, old)]
        print(f"| {s} | {cell(d[1])} | {cell(v[1])} | {cell(d[2])} | {cell(v[2])} |")
        if s != "learning_curves_cifar10":  # the 23-seed tally is over Baker's sets and LCBench
            lost["default"] += sum(r["regret"] > 1e-12 for g in d for r in g)
            lost[a.variant] += sum(r["regret"] > 1e-12 for g in v for r in g)
    print(f"\nruns that lost the best network, seeds 10-17, 20-29 and 0-4 over the six sets: {lost}")


if __name__ == "__main__":
    main()
