"""Live search benchmark: best test accuracy of `archscout search --data D` after a wall-clock budget.

Runs one search per seed, one after the other, each in its own SQLite study under --out, and appends
one JSON line per finished seed to OUT/results.jsonl; a rerun skips seeds already there (and an
interrupted seed resumes its study). Example (the BENCHMARKS.md numbers):

    nice -n 10 python benchmarks/live_search.py --data mnist1d --space chain --minutes 10 --seeds 0 1 2 3 4 \
        --threads 1 --out benchmarks/results/live_mnist1d_chain
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="mnist1d")
    p.add_argument("--space", default="chain")
    p.add_argument("--strategy", default="rea")
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--extra", default="", help="more `archscout search` options, one string")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    results = a.out / "results.jsonl"
    done = set()
    if results.exists():
        done = {json.loads(line)["seed"] for line in results.read_text().splitlines() if line.strip()}
    for seed in a.seeds:
        if seed in done:
            continue
        cmd = [sys.executable, "-m", "archscout", "search", "--data", a.data, "--space", a.space,
               "--strategy", a.strategy, "--budget-minutes", str(a.minutes), "--seed", str(seed),
               "--threads", str(a.threads), "--trials", "100000", "--json",
               "--storage", f"sqlite:///{a.out / 'studies.db'}"]
        if a.epochs:
            cmd += ["--epochs", str(a.epochs)]
        cmd += a.extra.split()
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"seed {seed} failed: {out.stderr.strip()[-500:]}", file=sys.stderr)
            continue
        r = json.loads(out.stdout)
        row = {"seed": seed, "data": a.data, "space": a.space, "strategy": a.strategy, "minutes": a.minutes,
               "epochs": r["epochs"], "best_arch": r["best_arch"], "best_value": r["best_value"],
               "test_accuracy": r["test_accuracy"], "test_accuracy_search": r.get("test_accuracy_search"),
               "refit": r.get("refit"), "best_trial": r.get("best_trial"), "trials": r["trials"], "complete": r["complete"],
               "elapsed_seconds": r["elapsed_seconds"], "cost": r["cost"],
               "load_1min_end": round(os.getloadavg()[0], 2), "command": " ".join(cmd[1:])}
        with results.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
