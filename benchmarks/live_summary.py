"""Markdown table of live-search benchmark runs (benchmarks/live_search.py output folders).

    python benchmarks/live_summary.py benchmarks/results/live_mnist1d_chain benchmarks/results/live_digits_chain

Per seed: trials (complete), best validation / test accuracy, whether the best trial is the warm-start
default architecture (trial 0), and the best validation accuracy among the searched (non-default) trials.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import optuna


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print("| data | seed | trials (complete) | best valid % | test % of best | best is the default | best searched valid % | train s | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for folder in map(Path, sys.argv[1:]):
        rows = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines() if line.strip()]
        tests = []
        for r in rows:
            name = f"live-{r['data']}-{r['space']}-{r['strategy']}-seed{r['seed']}-e{r['epochs']}"
            st = optuna.load_study(study_name=name, storage=f"sqlite:///{folder / 'studies.db'}")
            done = [t for t in st.trials if t.state == optuna.trial.TrialState.COMPLETE]
            default = done[0] if done and done[0].number == 0 else None
            searched = [t.value for t in done if t.number != 0]
            is_default = default is not None and st.best_trial.number == 0
            tests.append(r["test_accuracy"])
            print(f"| {r['data']} | {r['seed']} | {r['trials']} ({r['complete']}) | {r['best_value']:.2f} | "
                  f"{r['test_accuracy']:.2f} | {'yes' if is_default else 'no'} | "
                  f"{max(searched) if searched else float('nan'):.2f} | {r['cost']['seconds']:.0f} | {r['elapsed_seconds']:.0f} |")
        if tests:
            print(f"| {rows[0]['data']} | mean ± std over {len(tests)} | | | {np.mean(tests):.2f} ± {np.std(tests):.2f} | | | | |")


if __name__ == "__main__":
    main()
