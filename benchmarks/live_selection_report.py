"""Replay selection rules on `benchmarks/live_selection.py`'s rows: which trial should a live search return?

For each search seed and each prefix of its trials (what a shorter budget would have seen), every rule
picks one trial from what it may see (validation numbers; `reeval` also its re-training on fold B), and
we print the test accuracy of the network it picked (fold A's network, the one the search trained).
`oracle` (best test) and `mean` (a random pick) frame the table. Also: how well each validation statistic
ranks the good trials (Spearman with test accuracy among trials within 2 points of the best validation).

    python benchmarks/live_selection_report.py benchmarks/results/live_selection/trials.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from scipy.stats import spearmanr

Rule = Callable[[list[dict]], dict]


def first_max(rows: list[dict], key: Callable[[dict], float]) -> dict:
    """Like Optuna's best_trial: the earliest trial among equal values."""
    best = max(key(r) for r in rows)
    return next(r for r in rows if key(r) == best)


def reeval(k: int) -> Rule:
    def pick(rows: list[dict]) -> dict:
        top = sorted(rows, key=lambda r: (-r["val_acc_a"][-1], r["number"]))[:k]
        return first_max(top, lambda r: r["val_acc_a"][-1] + r["val_acc_b"][-1])
    return pick


RULES: dict[str, Rule] = {
    "valid (today)": lambda rows: first_max(rows, lambda r: r["val_acc_a"][-1]),
    "valid loss": lambda rows: first_max(rows, lambda r: -r["val_loss_a"][-1]),
    "valid, last 3 epochs": lambda rows: first_max(rows, lambda r: float(np.mean(r["val_acc_a"][-3:]))),
    "reeval top-2": reeval(2),
    "reeval top-3": reeval(3),
    "reeval top-5": reeval(5),
    "oracle (best test)": lambda rows: first_max(rows, lambda r: r["test_acc_a"]),
}


def main(path: str) -> int:
    by_seed: dict[int, list[dict]] = defaultdict(list)
    for line in open(path):
        if line.strip():
            r = json.loads(line)
            by_seed[r["seed"]].append(r)
    for rows in by_seed.values():
        rows.sort(key=lambda r: r["number"])
    prefixes = [10, 20, 30, 40]
    print(f"seeds {sorted(by_seed)}, trials per seed {[len(v) for v in by_seed.values()]}")
    print("test accuracy (%) of the picked trial, mean over seeds, by number of complete trials seen:")
    print(f"| rule | " + " | ".join(f"{n} trials" for n in prefixes) + " |")
    print("|---|" + "---|" * len(prefixes))
    for name, rule in list(RULES.items()) + [("mean (random pick)", None)]:
        cells = []
        for n in prefixes:
            vals = []
            for rows in by_seed.values():
                if len(rows) < n:
                    continue
                seen = rows[:n]
                vals.append(float(np.mean([r["test_acc_a"] for r in seen])) if rule is None else rule(seen)["test_acc_a"])
            cells.append(f"{np.mean(vals):.2f} (n={len(vals)})" if vals else "-")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nrandom subsets of each seed's trials (2,000 draws per size, seeded): test accuracy of the picked network "
          "(fold A's weights) / of its architecture (mean of folds A and B):")
    sizes = [10, 20, 30]
    print("| rule | " + " | ".join(f"{n} of the trials" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    rng = np.random.default_rng(0)
    draws = {n: [[rows[i] for i in rng.choice(len(rows), size=n, replace=False)] for rows in by_seed.values()
                 if len(rows) > n for _ in range(2000)] for n in sizes}
    for name, rule in RULES.items():
        cells = []
        for n in sizes:
            if not draws[n]:
                cells.append("-")
                continue
            picks = [rule(sorted(d, key=lambda r: r["number"])) for d in draws[n]]
            cells.append(f"{np.mean([p['test_acc_a'] for p in picks]):.2f} / "
                         f"{np.mean([(p['test_acc_a'] + p['test_acc_b']) / 2 for p in picks]):.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nSpearman with test accuracy among trials within 2 points of their seed's best validation accuracy:")
    stats = {"final valid acc": lambda r: r["val_acc_a"][-1], "final valid loss (neg)": lambda r: -r["val_loss_a"][-1],
             "valid acc, last 3": lambda r: float(np.mean(r["val_acc_a"][-3:])),
             "mean of folds A and B": lambda r: r["val_acc_a"][-1] + r["val_acc_b"][-1],
             "fold B test (noise floor)": lambda r: r["test_acc_b"]}
    for name, f in stats.items():
        xs, ys = [], []
        for rows in by_seed.values():
            top = max(r["val_acc_a"][-1] for r in rows)
            for r in rows:
                if r["val_acc_a"][-1] >= top - 2:
                    xs.append(f(r))
                    ys.append(r["test_acc_a"])
        rho = spearmanr(xs, ys).statistic if len(xs) > 2 else float("nan")
        print(f"  {name:<28} {rho:+.3f}  ({len(xs)} trials)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/live_selection/trials.jsonl"))
