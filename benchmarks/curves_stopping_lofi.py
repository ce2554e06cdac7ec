"""Early stopping on archscout's own low-fidelity NB201 table (issue 4, benchmark b, "live table").

Runs `archscout bench stopping` on the table's validation curves (12 epochs, 500 validation images), then
reports, next to the usual speed-up and validation regret, what the returned cell is worth on data the
pruners never saw: its test accuracy in the same table (2,000 images) and its NB201 200-epoch CIFAR-10
accuracy, each as a difference to the cell no stopping returns. On a table whose top cells lie within the
validation noise, a validation regret can be a coin flip that costs nothing on test, or a real loss.

    python benchmarks/curves_stopping_lofi.py [--seeds 5] [--trials 100]   # resumable
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "benchmarks" / "results" / "nb201_lofi" / "table.csv"
OUT = ROOT / "benchmarks" / "results" / "curves_stopping_lofi.jsonl"
PRUNERS = ["none", "lce", "baker", "lce_baker", "median", "hyperband", "hyperband_lce"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--table", type=Path, default=TABLE)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()
    if not args.report_only:
        subprocess.run([sys.executable, "-m", "archscout", "bench", "stopping", "--curves", str(args.table),
                        "--range", "0", "100", "--pruners", *PRUNERS, "--trials", str(args.trials),
                        "--seeds", str(args.seeds), "--out", str(args.out)], check=True)
    from archscout.benchmarks.tabular import nb201

    test = {r["arch"]: float(r["cifar10"]) for r in csv.DictReader(args.table.open())}
    full = nb201()
    space = full.space
    rows = [json.loads(line) for line in args.out.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["trials"] == args.trials and r["seed"] < args.seeds and "found_id" in r]
    print(f"{args.table.parent.name}: {len(test)} cells, {args.trials} visited per search, seeds 0-{args.seeds - 1}\n")
    print("| pruner | speed-up (median) | valid regret (mean) | runs with no valid regret | test acc of returned cell "
          "minus no stopping's (mean) | NB201 200-epoch acc, same difference (mean) |")
    print("|---|---|---|---|---|---|")
    for p in PRUNERS:
        rs = [r for r in rows if r["pruner"] == p]
        if not rs:
            continue
        sp = np.median([r["epochs_full"] / max(r["epochs"], 1) for r in rs])
        dt = [test[r["found_id"]] - test[r["nostop_id"]] for r in rs]
        dh = [full.lookup(space.from_string(r["found_id"]), "cifar10")
              - full.lookup(space.from_string(r["nostop_id"]), "cifar10") for r in rs]
        print(f"| {p} | {sp:.2f}x | {np.mean([r['regret'] for r in rs]):.2f} | "
              f"{sum(r['regret'] <= 1e-12 for r in rs)}/{len(rs)} | {np.mean(dt):+.2f} | {np.mean(dh):+.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
