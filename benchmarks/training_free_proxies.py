"""Check archscout's zero-cost proxies against the published NAS-Bench-Suite-Zero scores.

Computes all 13 proxies for NB201 networks (C=16, N=5, CIFAR-10 shape) on one batch of 64 real
CIFAR-10 training images, and compares with ../shared/data/nb201/zero_cost_cifar10.csv: per proxy,
Spearman of ours vs published, and Spearman of each vs the 200-epoch CIFAR-10 accuracy.

Resumable: every network's scores are appended to the JSON-lines file as soon as they are known;
rerunning skips what is there. Single-threaded and meant to run niced in the background:

    nice -n 10 python benchmarks/training_free_proxies.py --n 500 --seed 0 \
        --out benchmarks/results/training_free_proxies.jsonl
    python benchmarks/training_free_proxies.py --report --out benchmarks/results/training_free_proxies.jsonl

archscout's own MeCo for all 9,445 cells (the bundled `nb201_meco_cifar10.csv.gz`; ~10 min on 2 cores):

    for i in 0 1; do python benchmarks/training_free_proxies.py --n 9445 --proxies meco --part $i --parts 2 \
        --out benchmarks/results/training_free_meco.jsonl & done; wait
    python benchmarks/training_free_proxies.py --out benchmarks/results/training_free_meco.jsonl --proxies meco \
        --export archscout/estimation/zerocost/data/nb201_meco_cifar10.csv.gz

The architectures are a seeded random sample (without replacement) of the 9,445 canonical cells.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"
ZC = DATA / "nb201" / "zero_cost_cifar10.csv"
CIFAR = DATA / "cifar10" / "cifar10_subset.npz"
TEST_ACC = DATA / "nb201" / "test_accuracy.csv"
MEAN = np.array([0.49139968, 0.48215827, 0.44653124])
STD = np.array([0.24703233, 0.24348505, 0.26158768])
# Spearman vs accuracy on NB201 CIFAR-10 reported by NAS-Bench-Suite-Zero (quoted in issue 6).
PUBLISHED_RHO = {"nwot": ".77", "jacov": ".75", "synflow": ".73-.75", "params": ".72", "flops": ".69",
                 "snip": ".58", "grad_norm": ".58", "grasp": ".51", "fisher": ".50",
                 "meco": ".89 (MeCo paper, all 15,625 cells)"}


def cifar_batch(batch_size: int, seed: int):
    import torch

    d = np.load(CIFAR)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(d["y_train"]), size=batch_size, replace=False)
    x = (d["x_train"][idx].astype(np.float64) / 255.0 - MEAN) / STD
    x = torch.tensor(x.transpose(0, 3, 1, 2), dtype=torch.float32)
    y = torch.tensor(d["y_train"][idx].astype(np.int64))
    return x, y


def published() -> dict[str, dict[str, float]]:
    with ZC.open() as fh:
        return {r["arch"]: {k: float(v) for k, v in r.items() if k != "arch"} for r in csv.DictReader(fh)}


def scored(path: Path) -> dict[str, dict[str, float]]:
    """arch -> every proxy score the results file holds for it (later lines add to earlier ones)."""
    merged: dict[str, dict[str, float]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            merged.setdefault(r["arch"], {}).update(r["scores"])
    return merged


def test_accuracy(space, column: str) -> dict[str, float]:
    """The bundled 200-epoch test accuracy of each canonical cell (the first row of its class)."""
    out: dict[str, float] = {}
    with TEST_ACC.open() as fh:
        for r in csv.DictReader(fh):
            out.setdefault(space.to_string(space.canonical(space.from_string(r["arch"]))), float(r[column]))
    return out


def compute(args: argparse.Namespace) -> None:
    import torch

    from archscout.estimation.zerocost.proxies import score_archs
    from archscout.spaces.nb201 import NB201Space

    torch.set_num_threads(1)
    space = NB201Space()
    pub = published()
    names = sorted(pub)
    rng = np.random.default_rng(args.seed)
    archs = [names[i] for i in rng.choice(len(names), size=args.n, replace=False)]
    if args.limit is not None:  # only the first networks of the same sample (to balance slow proxies)
        archs = archs[: args.limit]
    if args.parts > 1:  # one of several processes appending to the same file
        archs = archs[args.part::args.parts]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cache = scored(args.out) if args.out.exists() else {}
    batch = cifar_batch(args.batch_size, args.seed)
    with args.out.open("a") as fh:
        def write(key: str, scores: dict[str, float]) -> None:
            fh.write(json.dumps({"arch": key, "scores": scores}) + "\n")
            fh.flush()

        score_archs(lambda s: space.to_module(space.from_string(s), (3, 32, 32), 10), archs, batch,
                    names=args.proxies, seed=args.seed, cache=cache, on_result=write, progress=sys.stderr.isatty())


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    ok = np.isfinite(a) & np.isfinite(b)
    return float(spearmanr(a[ok], b[ok]).statistic)


def report(args: argparse.Namespace) -> str:
    from archscout.estimation.zerocost import EXTRA_PROXIES, PROXIES
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    pub = published()
    test = test_accuracy(space, "cifar10")
    merged = scored(args.out)
    rows = [{"arch": a, "scores": s} for a, s in merged.items()]
    archs = [r["arch"] for r in rows]
    acc_valid = np.array([pub[a]["valid_accuracy"] for a in archs])
    acc_test = np.array([test[a] for a in archs])
    lines = [f"{len(rows)} NB201 networks (C=16, N=5, 3x32x32), one batch of {args.batch_size} CIFAR-10 "
             f"training images, seed {args.seed}.\n",
             "| proxy | networks | Spearman ours vs published | ours vs test acc | published vs test acc | "
             "published vs valid acc | NAS-Bench-Suite-Zero (all archs) | NaN (ours) |",
             "|---|---|---|---|---|---|---|---|"]
    for p in PROXIES + EXTRA_PROXIES:
        have = np.array([p in r["scores"] for r in rows])
        if not have.any():
            continue
        ours = np.array([r["scores"][p] if p in r["scores"] else np.nan for r in rows], float)[have]
        if p in PROXIES:
            theirs = np.array([pub[a][p] for a in archs])[have]
            theirs[theirs <= -1e8] = np.nan  # the published files' marker of an undefined score
            cols = [f"{spearman(ours, theirs):.3f}", f"{spearman(ours, acc_test[have]):.3f}",
                    f"{spearman(theirs, acc_test[have]):.3f}", f"{spearman(theirs, acc_valid[have]):.3f}"]
        else:  # archscout's own (no published scores): ours vs test and vs valid accuracy
            cols = ["-", f"{spearman(ours, acc_test[have]):.3f}", "-", f"(ours) {spearman(ours, acc_valid[have]):.3f}"]
        lines.append(f"| {p} | {int(have.sum())} | {' | '.join(cols)} | "
                     f"{PUBLISHED_RHO.get(p, '')} | {int(np.isnan(ours).sum())} |")
    extra = [p for p in EXTRA_PROXIES if all(p in r["scores"] for r in rows)]
    if extra:  # archscout's own proxies against the best published one, on CIFAR-10 and CIFAR-100
        from scipy.stats import kendalltau

        c100 = test_accuracy(space, "cifar100")
        acc100 = np.array([c100[a] for a in archs])
        lines += ["", "| proxy | networks | Spearman CIFAR-10 | Kendall CIFAR-10 | Spearman CIFAR-100 | Kendall CIFAR-100 | "
                  "best published proxy on the same cells (Spearman CIFAR-10 / CIFAR-100) |", "|---|---|---|---|---|---|---|"]
        for p in extra:
            ours = np.array([r["scores"][p] for r in rows], float)
            best = {}
            for q in PROXIES:
                theirs = np.array([pub[a][q] for a in archs])
                theirs[theirs <= -1e8] = np.nan
                best[q] = (spearman(theirs, acc_test), spearman(theirs, acc100))
            q10 = max(best, key=lambda q: best[q][0])
            q100 = max(best, key=lambda q: best[q][1])
            ok = np.isfinite(ours)
            lines.append(f"| {p} | {len(rows)} | {spearman(ours, acc_test):.3f} | "
                         f"{kendalltau(ours[ok], acc_test[ok]).statistic:.3f} | {spearman(ours, acc100):.3f} | "
                         f"{kendalltau(ours[ok], acc100[ok]).statistic:.3f} | {q10} {best[q10][0]:.3f} / "
                         f"{q100} {best[q100][1]:.3f} |")
    return "\n".join(lines)


def export(args: argparse.Namespace) -> None:
    """Write the scored proxies as a gzipped CSV keyed by cell (the bundled MeCo table)."""
    import gzip

    merged = scored(args.out)
    names = args.proxies or sorted({k for s in merged.values() for k in s})
    missing = [a for a, s in merged.items() if any(n not in s for n in names)]
    if missing:
        raise SystemExit(f"{len(missing)} networks lack one of {names}: finish the run first")
    with gzip.GzipFile(args.export, "wb", mtime=0) as gz:  # mtime 0: the same scores give the same bytes
        lines = ["arch," + ",".join(names)] + [a + "," + ",".join(repr(merged[a][n]) for n in names)
                                               for a in sorted(merged)]
        gz.write(("\n".join(lines) + "\n").encode())
    print(f"wrote {len(merged)} rows x {names} to {args.export}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=None, help="score only the first LIMIT networks of the sample")
    ap.add_argument("--proxies", nargs="+", default=None, help="compute only these (default: all 13)")
    ap.add_argument("--part", type=int, default=0, help="with --parts: which share of the sample this process scores")
    ap.add_argument("--parts", type=int, default=1, help="split the sample over this many processes (one file)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "training_free_proxies.jsonl")
    ap.add_argument("--report", action="store_true", help="print the comparison table instead of computing")
    ap.add_argument("--export", type=Path, default=None, help="write the scores in --out as a gzipped CSV here")
    args = ap.parse_args()
    if args.export:
        export(args)
    elif args.report:
        print(report(args))
    else:
        compute(args)


if __name__ == "__main__":
    main()
