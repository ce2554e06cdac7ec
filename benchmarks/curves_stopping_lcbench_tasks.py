"""Table (b) on more LCBench tasks: is the >= 3x at no-stop regret of `lce` / `baker` a property of
LCBench or of the two tasks the table reports (3945, 7593)? (BENCHMARKS.md, "Learning curves and early
stopping", issue 4.)

Ten tasks drawn with a fixed seed from the 31 LCBench tasks that no choice of the pruners' settings
looked at (3945 and 7593 are the table's, 34539 is in table (a)); on each, `archscout bench stopping`
with the pruners at their defaults, 100 trials over 500 sampled configurations, seeds 0-4. Every search
is one JSON line in --out as it ends (resumable: a rerun skips what is there). Run tasks in two
processes with --part 0/1 --parts 2; --report prints per task and pruner the median speed-up, the mean
regret and the clean runs, then over tasks the median of the per-task medians.

    for i in 0 1; do OMP_NUM_THREADS=1 nice -n 10 python benchmarks/curves_stopping_lcbench_tasks.py \\
        --part $i --parts 2 & done; wait
    python benchmarks/curves_stopping_lcbench_tasks.py --report
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ENCODING = ROOT / ".." / "shared" / "data" / "lcbench" / "encoding.json"
OUT = ROOT / "benchmarks" / "results" / "curves_stopping_lcbench_tasks.jsonl"
USED = {"3945", "7593", "34539"}
PRUNERS = ["none", "lce", "baker", "median", "hyperband"]


def tasks(n: int, seed: int) -> list[str]:
    ids = sorted(t for t in json.loads(ENCODING.read_text())["OpenML_task_id"] if t.isdigit() and t not in USED)
    return [ids[i] for i in np.random.default_rng(seed).choice(len(ids), size=n, replace=False)]


def speedup_table(runs: dict, names: list[str], cols: list, heads: list[str],
                  total: str = "**median over tasks** (clean runs in all)") -> list[str]:
    """Markdown rows: per task and column the median speed-up, mean regret and clean runs of
    `runs[(task, col)]` (a list of result rows), then the median over tasks and the clean runs in all."""
    lines = ["| task | " + " | ".join(heads) + " |", "|---|" + "---|" * len(heads)]
    med: dict = {c: [] for c in cols}
    clean: dict = {c: [0, 0] for c in cols}
    for t in names:
        cells = []
        for c in cols:
            rs = runs.get((t, c), [])
            if not rs:
                cells.append("-")
                continue
            sp = np.median([r["epochs_full"] / r["epochs"] for r in rs])
            reg = np.mean([r["regret"] for r in rs])
            ok = sum(r["regret"] <= 0 for r in rs)
            med[c].append(sp)
            clean[c][0] += ok
            clean[c][1] += len(rs)
            cells.append(f"{sp:.2f}x, {reg:.3g}, {ok}/{len(rs)}")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    lines.append(f"| {total} | " + " | ".join(
        f"**{np.median(med[c]):.2f}x** ({clean[c][0]}/{clean[c][1]})" if med[c] else "-" for c in cols) + " |")
    return lines


def report(path: Path, names: list[str]) -> str:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    by: dict = {}
    for r in rows:
        by.setdefault((r["source"], r["pruner"]), {})[r["seed"]] = r  # a rerun's duplicate replaces, never doubles
    runs = {(t, p): list(by.get((f"lcbench:{t}", p), {}).values()) for t in names for p in PRUNERS[1:]}
    return "\n".join(speedup_table(runs, names, PRUNERS[1:], PRUNERS[1:]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--task-seed", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--part", type=int, default=0)
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report", action="store_true")
    a = ap.parse_args()
    names = tasks(a.tasks, a.task_seed)
    if a.report:
        print(report(a.out, names))
        return
    a.out.parent.mkdir(parents=True, exist_ok=True)
    for t in names[a.part::a.parts]:
        subprocess.run([sys.executable, "-m", "archscout", "bench", "stopping", "--curves", f"lcbench:{t}",
                        "--lcbench-configs", "500", "--pruners", *PRUNERS, "--trials", "100", "--seeds", str(a.seeds),
                        "--out", str(a.out)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
