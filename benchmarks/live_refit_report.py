"""Tables for the refit measurements (benchmarks/live_refit.py, benchmarks/live_refit_ab.sh).

    python benchmarks/live_refit_report.py benchmarks/results/live_refit.jsonl
    python benchmarks/live_refit_report.py --ab benchmarks/results/live_mnist1d_refit benchmarks/results/live_mnist1d_val20_refit
    python benchmarks/live_refit_report.py --ab benchmarks/results/live_mnist1d_chain_30min_refit/seed*
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from archscout.cli.bench_build_table import read_runs


def settings_table(path: Path) -> None:
    rows = read_runs(path)
    by = defaultdict(dict)
    archs = {}
    for r in rows:
        by[(r["arch_id"], r["setting"])][r["seed"]] = r["test_acc"]
        archs[r["arch_id"]] = r["arch"]
    settings = ["search", "refit", "refit2x"]
    print("| architecture | " + " | ".join(settings) + " | refit − search | refit2x − search | seeds |")
    print("|---|" + "---|" * (len(settings) + 3))
    for aid, arch in archs.items():
        seeds = sorted(set.intersection(*(set(by[(aid, s)]) for s in settings)))
        if not seeds:
            continue
        m = {s: np.array([by[(aid, s)][k] for k in seeds]) for s in settings}
        cells = [f"{m[s].mean():.2f} ± {m[s].std(ddof=1) if len(seeds) > 1 else 0:.2f}" for s in settings]
        d1, d2 = m["refit"] - m["search"], m["refit2x"] - m["search"]
        print(f"| `{arch}` ({aid}) | " + " | ".join(cells) + f" | {d1.mean():+.2f} | {d2.mean():+.2f} | {len(seeds)} |")


def ab_table(folders: list[Path]) -> None:
    """One arm per folder; folders named seedN (one SQLite file per seed, as live_30min.sh writes them) are
    pooled into their parent's arm."""
    arms: dict[str, list[dict]] = defaultdict(list)
    for folder in folders:
        arm = folder.parent.name if folder.name.startswith("seed") else folder.name
        arms[arm] += read_runs(folder / "results.jsonl")
    print("| arm | seed | trials (complete) | best trial | best valid % | test %, search's weights | test %, refit | refit s | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arm, rows in arms.items():
        rows = sorted(rows, key=lambda r: r["seed"])
        a, b = [], []
        for r in rows:
            ref = r.get("refit") or {}
            done = ref.get("done")
            a.append(r["test_accuracy_search"])
            b.append(r["test_accuracy"])
            print(f"| {arm} | {r['seed']} | {r['trials']} ({r['complete']}) | {r['best_trial']} | {r['best_value']:.2f} | "
                  f"{r['test_accuracy_search']:.2f} | {r['test_accuracy']:.2f}{'' if done else ' (not refit)'} | "
                  f"{ref.get('seconds', 0):.0f} | {r.get('load_1min_end', float('nan')):.1f} |")
        if rows:
            print(f"| {arm} | mean ± std over {len(rows)} | | | | {np.mean(a):.2f} ± {np.std(a, ddof=1) if len(a) > 1 else 0:.2f} | "
                  f"{np.mean(b):.2f} ± {np.std(b, ddof=1) if len(b) > 1 else 0:.2f} | | |")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("paths", type=Path, nargs="+")
    p.add_argument("--ab", action="store_true", help="the paths are benchmarks/live_search.py output folders")
    a = p.parse_args()
    if a.ab:
        ab_table(a.paths)
    else:
        settings_table(a.paths[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
