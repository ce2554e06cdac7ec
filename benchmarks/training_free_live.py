"""RoBoT live: proxies computed on real CIFAR-10 images, queries = real low-fidelity trainings.

The oracle is archscout's own low-fidelity NB201 table (`archscout bench build-table`, default folder
benchmarks/results/nb201_lofi): one real training per cell (its meta.json gives the data, C, N, epochs); the value of
a query is the cell's test accuracy in column ``cifar10``. The candidate pool is the table's cells.

1. ``--compute``: the 13 zero-cost proxies of every cell of the table, on the network the table trained
   (``NB201Space.to_module(arch, input shape, 10, C, N)`` from meta.json; PyTorch default init after
   ``torch.manual_seed(0)``) and one batch of 64 of the table's own training images (seed 0). Appended
   to a JSON-lines file as they come (resumable; rerun when the table has grown).
2. ``--search``: RoBoT (archscout's defaults, and the paper's procedure), random search and REA, each
   with T real trainings (table look-ups), seeds 0..S-1; results appended to a JSON-lines file keyed by
   (method, T, seed, pool size) so that a rerun on a larger table adds new runs.
3. ``--report``: the markdown table (mean ± std of the best test accuracy found with T trainings).

REA on a finite pool: the population (10) and tournament (3) are REA's; a mutation of the parent is
one of the unqueried pool cells at the smallest op-edit distance from it (a single-edge mutant is
almost never in a pool of a few hundred cells out of 15,625).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from archscout.benchmarks.lofi import expected_random_best, load_data, read_table  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def read_jsonl(path: Path) -> list[dict]:
    """The JSON lines of a results file; a line cut off by a kill is skipped (build-table's reader)."""
    from archscout.cli.bench_build_table import read_runs

    return read_runs(path)


def compute(args: argparse.Namespace) -> None:
    import torch

    from archscout.estimation.zerocost.proxies import score_archs
    from archscout.spaces.nb201 import NB201Space

    torch.set_num_threads(1)
    meta, rows = read_table(args.table)
    data = load_data(meta)
    space = NB201Space()
    rng = np.random.default_rng(0)
    idx = rng.choice(len(data.y_train), size=64, replace=False)
    batch = (torch.as_tensor(data.x_train[idx], dtype=torch.float32), torch.as_tensor(data.y_train[idx]).long())
    cache = {r["arch"]: r["scores"] for r in read_jsonl(args.proxies_out)}
    archs = [r["arch"] for r in rows]
    args.proxies_out.parent.mkdir(parents=True, exist_ok=True)
    with args.proxies_out.open("a") as fh:
        t0 = [time.perf_counter()]

        def write(key: str, scores: dict) -> None:
            now = time.perf_counter()
            fh.write(json.dumps({"arch": key, "scores": scores, "seconds": round(now - t0[0], 3)}) + "\n")
            fh.flush()
            t0[0] = now

        def build(s: str):
            return space.to_module(space.from_string(s), data.input_shape, data.num_classes, C=meta["C"], N=meta["N"])

        score_archs(build, archs, batch, seed=0, cache=cache, on_result=write, progress=sys.stderr.isatty())


def pool_of(args: argparse.Namespace):
    """(space, canonical archs, ProxyTable, oracle values) for the cells with both a training and proxies."""
    from archscout.estimation.zerocost import PROXIES
    from archscout.estimation.zerocost.table import ProxyTable
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    _, rows = read_table(args.table)
    if getattr(args, "origin", None):  # e.g. only the random sample, without NB201's 10 best cells
        keep = {r["arch"] for r in read_jsonl(args.table / "runs.jsonl") if r.get("origin") == args.origin}
        rows = [r for r in rows if r["arch"] in keep]
    scores = {r["arch"]: r["scores"] for r in read_jsonl(args.proxies_out)}
    archs, vals, mat, seen = [], [], [], set()
    for r in rows:
        if r["arch"] not in scores:
            continue
        c = space.canonical(space.from_string(r["arch"]))
        if c in seen:
            continue
        seen.add(c)
        archs.append(c)
        vals.append(float(r["cifar10"]))
        mat.append([scores[r["arch"]].get(p, np.nan) for p in PROXIES])
    m = np.array(mat, float)
    m[~np.isfinite(m)] = np.nan
    table = ProxyTable(space, archs, PROXIES, m, str(args.proxies_out)).select(None)
    return space, archs, table, np.array(vals)


def run_robot(space, table, oracle: dict, trials: int, seed: int, paper: bool) -> list:
    import optuna

    from archscout.strategies.robot import RoBoTSampler

    opts = {"transform": "none", "exploit": "argmax"} if paper else {}
    sampler = RoBoTSampler(space, proxies=table, budget=trials, seed=seed, **opts)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def objective(trial: optuna.Trial) -> float:
        return oracle[space.canonical(space.suggest(trial))]

    study.optimize(objective, n_trials=trials)
    return [space.canonical(space.from_params(t.params)) for t in study.trials]


def run_random(archs, oracle: dict, trials: int, seed: int) -> list:
    rng = np.random.default_rng([seed, 1])
    return [archs[i] for i in rng.choice(len(archs), size=trials, replace=False)]


def run_rea(archs, oracle: dict, trials: int, seed: int, population: int = 10, tournament: int = 3) -> list:
    rng = np.random.default_rng([seed, 2])
    a = np.array(archs)
    queried: list[int] = []
    values: list[float] = []
    pop: list[int] = []
    free = set(range(len(archs)))
    while len(values) < trials and free:
        if len(pop) < population:
            i = int(rng.choice(sorted(free)))
        else:
            cand = rng.choice(len(pop), size=min(tournament, len(pop)), replace=False)
            parent = max((pop[j] for j in cand), key=lambda j: oracle[archs[j]])
            rest = np.array(sorted(free))
            dist = (a[rest] != a[parent]).sum(1)
            near = rest[dist == dist.min()]
            i = int(rng.choice(near))
        free.discard(i)
        queried.append(i)
        values.append(oracle[archs[i]])
        pop.append(i)
        if len(pop) > population:
            pop.pop(0)
    return [archs[i] for i in queried]


def search(args: argparse.Namespace) -> None:
    space, archs, table, vals = pool_of(args)
    oracle = dict(zip(archs, vals.tolist()))
    done = {(r["method"], r["trials"], r["seed"], r["pool"]) for r in read_jsonl(args.out) if "archs" in r}
    with args.out.open("a") as fh:
        for trials in args.trials:
            if trials > len(archs):
                print(f"skip T={trials}: the pool has {len(archs)} cells", file=sys.stderr)
                continue
            for seed in range(args.seeds):
                for method in ("robot", "robot_paper", "random", "rea"):
                    if (method, trials, seed, len(archs)) in done:
                        continue
                    t0 = time.perf_counter()
                    if method.startswith("robot"):
                        v = run_robot(space, table, oracle, trials, seed, paper=method == "robot_paper")
                    elif method == "random":
                        v = run_random(archs, oracle, trials, seed)
                    else:
                        v = run_rea(archs, oracle, trials, seed)
                    best = max(v, key=lambda a: oracle[a])
                    fh.write(json.dumps({"method": method, "trials": trials, "seed": seed, "pool": len(archs),
                                         "archs": [space.to_string(a) for a in v], "values": [oracle[a] for a in v],
                                         "best": oracle[best], "best_arch": space.to_string(best),
                                         "seconds": round(time.perf_counter() - t0, 2)}) + "\n")
                    fh.flush()


def report(args: argparse.Namespace) -> str:
    from scipy.stats import spearmanr

    space, archs, table, vals = pool_of(args)
    meta, rows = read_table(args.table)
    runs = [r for r in read_jsonl(args.out) if r["pool"] == len(archs) and "archs" in r]
    prox = read_jsonl(args.proxies_out)
    secs = [r["seconds"] for r in prox if "seconds" in r]
    train_s = [float(r["cifar10_seconds"]) for r in rows if r.get("cifar10_seconds")]
    ref = {}
    for r in read_jsonl(args.table / "runs.jsonl"):
        if r.get("nb201_cifar10_200ep") is not None:
            ref[space.canonical(space.from_string(r["arch"]))] = float(r["nb201_cifar10_200ep"])
    try:
        where = args.table.resolve().relative_to(ROOT)
    except ValueError:
        where = args.table
    origins: dict[str, int] = {}
    for r in read_jsonl(args.table / "runs.jsonl"):
        if r.get("seed") == 0 and space.canonical(space.from_string(r["arch"])) in set(archs):
            origins[r.get("origin", "?")] = origins.get(r.get("origin", "?"), 0) + 1
    lines = [f"Pool: {len(archs)} cells of `{where}` ({', '.join(f'{n} {o}' for o, n in sorted(origins.items()))}; "
             f"{meta['data']}; C={meta['C']}, N={meta['N']}, "
             f"{meta['epochs']} epochs), best {vals.max():.2f}, median {np.median(vals):.2f}. Proxies: 13, one batch "
             f"of 64 of the table's training images, {np.median(secs) if secs else float('nan'):.2f} s per cell (median) "
             f"vs {np.median(train_s) if train_s else float('nan'):.1f} s per training (median).\n",
             "| method | T (trainings) | seeds | best test acc (mean ± std) | reached the pool's best | "
             "NB201 200-epoch acc of the cell returned (mean ± std) |",
             "|---|---|---|---|---|---|"]
    names = {"robot": "RoBoT (archscout defaults)", "robot_paper": "RoBoT (paper: no transform, w* = argmax f)",
             "random": "random search", "rea": "REA (pop 10, tournament 3)"}
    for t in sorted({r["trials"] for r in runs}):
        for m in ("robot", "robot_paper", "random", "rea"):
            sel = [r for r in runs if r["method"] == m and r["trials"] == t]
            b = np.array([r["best"] for r in sel])
            hi = np.array([ref.get(space.canonical(space.from_string(r["best_arch"])), np.nan) for r in sel])
            if len(b):
                lines.append(f"| {names[m]} | {t} | {len(b)} | {b.mean():.2f} ± {b.std():.2f} | "
                             f"{int((b >= vals.max()).sum())}/{len(b)} | {np.nanmean(hi):.2f} ± {np.nanstd(hi):.2f} |")
        lines.append(f"| random search (exact expectation) | {t} | ∞ | {expected_random_best(vals, t):.2f} | | |")
    lines += ["", "Each proxy's Spearman over the pool against the low-fidelity test accuracy (and against the NB201 "
                  "200-epoch CIFAR-10 test accuracy of the same cells):\n",
              "| proxy | vs low-fidelity acc | vs NB201 200-epoch acc |", "|---|---|---|"]
    refv = np.array([ref.get(a, np.nan) for a in archs])
    rs = []
    for j, n in enumerate(table.names):
        col = table.scores[:, j]
        ok = np.isfinite(col)
        ok2 = ok & np.isfinite(refv)
        rs.append((spearmanr(col[ok], vals[ok]).statistic, n, spearmanr(col[ok2], refv[ok2]).statistic))
    for r1, n, r2 in sorted(rs, reverse=True):
        lines.append(f"| {n} | {r1:.3f} | {r2:.3f} |")
    ok = np.isfinite(refv)
    lines.append(f"| (NB201 200-epoch acc itself) | {spearmanr(refv[ok], vals[ok]).statistic:.3f} | 1 |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", type=Path, default=ROOT / "benchmarks" / "results" / "nb201_lofi", help="bench build-table output folder")
    ap.add_argument("--proxies-out", type=Path, default=RESULTS / "training_free_live_proxies.jsonl")
    ap.add_argument("--out", type=Path, default=RESULTS / "training_free_live.jsonl")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--trials", type=int, nargs="+", default=[10, 20])
    ap.add_argument("--origin", default=None, help="pool = only the table's cells of this origin (random | top)")
    ap.add_argument("--compute", action="store_true", help="score the table's cells (resumable)")
    ap.add_argument("--search", action="store_true", help="run the searches (resumable)")
    ap.add_argument("--report", action="store_true", help="print the markdown report")
    ap.add_argument("--markdown", type=Path, default=None, help="also write the report here")
    args = ap.parse_args()
    if args.compute:
        compute(args)
    if args.search:
        search(args)
    if args.report:
        text = report(args)
        print(text)
        if args.markdown:
            args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
