"""The markdown tables of BENCHMARKS.md's one-shot section, from the JSON files of `benchmarks/oneshot.sh`.

Each run ranked the cells the low-fidelity table had when it ran (the table was still growing), so the
second table recomputes every run's correlations on the cells that *all* runs ranked, with the table's
current values: the rows are then comparable across modes and seeds.

    python benchmarks/oneshot_report.py [--results benchmarks/results/oneshot] [--table benchmarks/results/nb201_lofi]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MODES = ("spos", "dropout", "darts")


def load_runs(folder: Path) -> list[dict]:
    runs = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    return sorted(runs, key=lambda r: (MODES.index(r["mode"]) if r["mode"] in MODES else 9, r["epochs"], r["seed"]))


def report(results: Path, table: Path) -> str:
    from archscout.benchmarks import nb201
    from archscout.benchmarks.lofi import expected_random_best, read_table
    from archscout.estimation.predictors.metrics import kendall_tau, spearman
    from archscout.spaces.nb201 import NB201Space

    runs = load_runs(results)
    if not runs:
        return f"no results in {results}"
    lines = ["| mode | epochs | seed | cells | supernet s | rank s | Spearman vs table test | Kendall vs table test | "
             "Spearman vs NB201 200-ep | Kendall vs NB201 200-ep | best of top-10 (table test) | 10 random (expected) | "
             "best of top-10 (NB201) | 10 random (NB201, expected) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['mode']} | {r['epochs']} | {r['seed']} | {r['cells']} | {r['supernet_seconds']:.0f} | "
                     f"{r['rank_seconds']:.0f} | {r['spearman_vs_table_test']:.3f} | {r['kendall_vs_table_test']:.3f} | "
                     f"{r['spearman_vs_nb201_200ep']:.3f} | {r['kendall_vs_nb201_200ep']:.3f} | "
                     f"{r['top10_best_table_test']:.2f} | {r['random10_expected_best_table_test']:.2f} | "
                     f"{r['top10_best_nb201_200ep']:.2f} | {r['random10_expected_best_nb201_200ep']:.2f} |")
    darts = [r for r in runs if r.get("derived")]
    if darts:
        lines += ["", "| DARTS run | derived cell (argmax alpha) | NB201 200-epoch test acc | in the table (its test acc) | "
                      "argmax cell after each epoch changed |", "|---|---|---|---|---|"]
        for r in darts:
            changes = sum(a != b for a, b in zip(r["derived_history"], r["derived_history"][1:]))
            t = "no" if r["derived_table_test"] is None else f"yes ({r['derived_table_test']:.2f})"
            lines.append(f"| seed {r['seed']}, {r['epochs']} epochs | `{r['derived']}` | {r['derived_nb201_200ep']:.2f} | {t} | "
                         f"{changes} times |")

    # the same cells for every run, with the table's current values
    _, rows = read_table(table)
    truth = {r["arch"]: float(r["cifar10"]) for r in rows}
    common = set(truth)
    for r in runs:
        common &= {s["arch"] for s in r["scores"]}
    common_l = sorted(common)
    space, ref = NB201Space(), nb201()
    t = np.array([truth[a] for a in common_l])
    hi = np.array([ref.lookup(space.from_string(a), "cifar10") for a in common_l])
    lines += ["", f"On the {len(common_l)} cells every run ranked (table values as of now; table test vs NB201 200-epoch "
                  f"Spearman on them: {spearman(hi, t):.3f}):", "",
              "| mode | epochs | seed | Spearman vs table test | Kendall vs table test | Spearman vs NB201 200-ep | "
              "Kendall vs NB201 200-ep | best of top-10 (table test) |", "|---|---|---|---|---|---|---|---|"]
    by_mode: dict[tuple, list[tuple[float, float]]] = {}
    for r in runs:
        sc = {s["arch"]: (s["oneshot_val_acc"], s["oneshot_val_loss"]) for s in r["scores"]}
        acc = np.array([sc[a][0] for a in common_l])
        loss = np.array([sc[a][1] for a in common_l])
        order = np.lexsort((loss, -acc))
        row = (spearman(t, acc), kendall_tau(t, acc), spearman(hi, acc), kendall_tau(hi, acc))
        by_mode.setdefault((r["mode"], r["epochs"]), []).append((row[0], row[2]))
        lines.append(f"| {r['mode']} | {r['epochs']} | {r['seed']} | {row[0]:.3f} | {row[1]:.3f} | {row[2]:.3f} | "
                     f"{row[3]:.3f} | {t[order[:10]].max():.2f} |")
    extra = {r["arch"]: r for r in rows}
    for col in ("params", "flops"):  # training-free baselines the table already has
        v = np.array([float(extra[a][col]) for a in common_l])
        order = np.argsort(-v, kind="stable")
        lines.append(f"| ({col}, no training) | | | {spearman(t, v):.3f} | {kendall_tau(t, v):.3f} | {spearman(hi, v):.3f} | "
                     f"{kendall_tau(hi, v):.3f} | {t[order[:10]].max():.2f} |")
    lines.append(f"| (10 random cells, expected) | | | | | | | {expected_random_best(t, 10):.2f} |")
    two = [r for r in rows if r.get("cifar10_seed1")]
    if len(two) > 2:  # the table's own noise: how well a second training of the same cells ranks them
        a, b = np.array([float(r["cifar10"]) for r in two]), np.array([float(r["cifar10_seed1"]) for r in two])
        lines += ["", f"Noise ceiling: on the {len(two)} cells the table trained twice, seed 1's test accuracy ranks seed 0's "
                      f"with Spearman {spearman(a, b):.3f} (Kendall {kendall_tau(a, b):.3f})."]
    lines += ["", "| mode | epochs | seeds | Spearman vs table test (mean ± std) | Spearman vs NB201 200-ep (mean ± std) |",
              "|---|---|---|---|---|"]
    for (m, e), v in by_mode.items():
        a = np.array(v)
        lines.append(f"| {m} | {e} | {len(a)} | {a[:, 0].mean():.3f} ± {a[:, 0].std():.3f} | {a[:, 1].mean():.3f} ± {a[:, 1].std():.3f} |")
    # the other score every run kept: the mean validation cross-entropy with inherited weights (lower is better);
    # 500 images make the accuracy a coarse score (steps of 0.2 points, many ties), the loss is continuous
    lines += ["", "The same runs scored by their one-shot validation **loss** (mean cross-entropy with inherited weights, "
                  "lower is better) instead of accuracy, each over its own cells (the accuracy's Spearman for comparison; "
                  "top-10 = the 10 lowest losses):", "",
              "| mode | epochs | seed | cells | Spearman vs table test: loss (accuracy) | Kendall vs table test (loss) | "
              "Spearman vs NB201 200-ep: loss (accuracy) | best of top-10 by loss (table test) | "
              "best of top-10 by loss (NB201) |", "|---|---|---|---|---|---|---|---|---|"]
    by_loss: dict[tuple, list[tuple[float, float, float, float]]] = {}
    for r in runs:
        ok = [x for x in r["scores"] if x["arch"] in truth]
        neg = -np.array([x["oneshot_val_loss"] for x in ok])
        acc = np.array([x["oneshot_val_acc"] for x in ok])
        tt = np.array([truth[x["arch"]] for x in ok])
        hh = np.array([ref.lookup(space.from_string(x["arch"]), "cifar10") for x in ok])
        top = np.argsort(-neg, kind="stable")[:10]
        v = (spearman(tt, neg), spearman(tt, acc), spearman(hh, neg), spearman(hh, acc))
        by_loss.setdefault((r["mode"], r["epochs"]), []).append(v)
        lines.append(f"| {r['mode']} | {r['epochs']} | {r['seed']} | {len(ok)} | {v[0]:.3f} ({v[1]:.3f}) | "
                     f"{kendall_tau(tt, neg):.3f} | {v[2]:.3f} ({v[3]:.3f}) | {tt[top].max():.2f} | {hh[top].max():.2f} |")
    tt = np.array([truth[a] for a in truth])
    hh = np.array([ref.lookup(space.from_string(a), "cifar10") for a in truth])
    for col in ("params", "flops"):  # the training-free baselines, over all the table's cells
        v = np.array([float(extra[a][col]) for a in truth])
        top = np.argsort(-v, kind="stable")[:10]
        lines.append(f"| ({col}, no training) | | | {len(v)} | {spearman(tt, v):.3f} | {kendall_tau(tt, v):.3f} | "
                     f"{spearman(hh, v):.3f} | {tt[top].max():.2f} | {hh[top].max():.2f} |")
    lines += ["", "| mode | epochs | seeds | Spearman vs table test: loss (accuracy), mean ± std | "
                  "Spearman vs NB201 200-ep: loss (accuracy), mean ± std |", "|---|---|---|---|---|"]
    for (m, e), v in by_loss.items():
        a = np.array(v)
        lines.append(f"| {m} | {e} | {len(a)} | {a[:, 0].mean():.3f} ± {a[:, 0].std():.3f} ({a[:, 1].mean():.3f}) | "
                     f"{a[:, 2].mean():.3f} ± {a[:, 2].std():.3f} ({a[:, 3].mean():.3f}) |")
    # what the one-shot score prefers: parameters, or parameter-free ops (skip_connect, avg_pool)?
    lines += ["", "Spearman of each run's one-shot score (over its own cells) with the cell's parameter count and with its "
                  "number of skip_connect + avg_pool edges:", "",
              "| mode | epochs | seed | vs params | vs skip + pool edges |", "|---|---|---|---|---|"]
    for r in runs:
        ok = [x for x in r["scores"] if x["arch"] in extra]
        acc = np.array([x["oneshot_val_acc"] for x in ok])
        par = np.array([float(extra[x["arch"]]["params"]) for x in ok])
        free = np.array([x["arch"].count("skip_connect") + x["arch"].count("avg_pool_3x3") for x in ok])
        lines.append(f"| {r['mode']} | {r['epochs']} | {r['seed']} | {spearman(par, acc):.3f} | {spearman(free, acc):.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "oneshot")
    ap.add_argument("--table", type=Path, default=ROOT / "benchmarks" / "results" / "nb201_lofi")
    args = ap.parse_args()
    print(report(args.results, args.table))


if __name__ == "__main__":
    main()
