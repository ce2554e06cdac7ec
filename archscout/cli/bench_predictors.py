"""`archscout bench predictors`: how well each predictor ranks unseen architectures of a table.

Protocol (per seed): shuffle the pool of architectures (by default one per equivalence class, so
that no test cell is a relabelled copy of a training cell), train on the first N, test on the LAST
`--test-size` (the same test set for every N and predictor of a seed), report Kendall tau, Spearman,
Pearson, RMSE, precision@T and fit + query time; mean ± std over seeds. With ``--out`` every run is
appended to a JSON-lines file as it ends and a rerun skips what is there (resumable).

Extra features: ``zc`` = the 13 zero-cost scores of NAS-Bench-Suite-Zero (a CSV keyed by canonical
cell, default ``../shared/data/nb201/zero_cost_cifar10.csv`` next to the repository), ``epoch12`` =
the bundled 12-epoch ``<dataset>_valid`` accuracy (the low-fidelity signal), ``zcsmooth`` = the
zero-cost scores as normal scores of their rank over the pool plus each score smoothed over
architecture space by a model fitted on the whole unlabelled pool (`predictors/pool.py`; no accuracy
is read), ``meco`` = archscout's own MeCo score of every canonical cell (bundled: one forward pass
of one CIFAR-10 image per network, `benchmarks/training_free_proxies.py`), added to the zero-cost
block as one more proxy when ``zc`` or ``zcsmooth`` is asked for (so it is smoothed and pretrained on
with the others) and the zero-cost block on its own otherwise. The pool is restricted to
architectures that have every requested feature.

Predictors that pretrain on the pool (`gnn-pre`, `ens-et-gnn`) get the pool's cells and their
zero-cost block (the ``zc`` or ``zcsmooth`` columns, never an accuracy) in ``__init__``; their
label-free pretraining is cached in the process, so the seeds of one call pretrain once.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from archscout.cli.common import HelpFormatter, check_out_path, count, read_results
from archscout.errors import ArchscoutError

TRAIN_SIZES = (10, 20, 50, 100, 200, 500, 1000)
FEATURES = ("zc", "zcsmooth", "epoch12", "meco")
METRICS = ("kendall_tau", "spearman", "pearson", "rmse", "precision_at_t", "fit_seconds", "query_seconds")
ZC_EXCLUDE = ("valid_accuracy",)  # the zero-cost CSV also carries the 200-epoch accuracy: never a feature


def default_zc_table() -> Path:
    import archscout

    return Path(archscout.__file__).resolve().parents[1].parent / "shared" / "data" / "nb201" / "zero_cost_cifar10.csv"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predictors",
        help="evaluate performance predictors on a tabular benchmark (Kendall tau, ...)",
        description="Fit each predictor on N random architectures of a table and score its ranking of held-out ones.",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--benchmark", default="nb201")
    p.add_argument("--dataset", default="cifar10", help="table column to predict")
    p.add_argument("--table", type=Path, default=None, help="your own CSV instead of the bundled table")
    p.add_argument("--predictor", nargs="+", default=["xgb"], help="predictor names, or 'all'")
    p.add_argument("--train-size", nargs="+", type=count(1), default=[100], help=f"e.g. {' '.join(map(str, TRAIN_SIZES))}")
    p.add_argument("--test-size", type=count(2), default=1000)
    p.add_argument("--seeds", type=count(1), default=10)
    p.add_argument("--features", nargs="*", default=[], choices=FEATURES, help="extra features per architecture")
    p.add_argument("--zc-table", type=Path, default=None, help="zero-cost CSV keyed by canonical cell")
    p.add_argument("--encoding", nargs="+", default=None, help="encodings (default: each predictor's own)")
    p.add_argument("--cells", choices=("canonical", "all"), default="canonical",
                   help="pool: one cell per equivalence class, or every row of the table")
    p.add_argument("--top", type=float, default=0.1, help="T of precision@T (a fraction of the test set if < 1)")
    p.add_argument("--shuffle-labels", action="store_true", help="control: train on permuted targets")
    p.add_argument("--threads", type=count(1), default=1, help="torch threads for the mlp/gnn predictors")
    p.add_argument("--out", type=Path, default=None, help="JSON-lines file of single runs (resume file)")
    p.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    p.add_argument("--json", action="store_true", help="print one JSON list, one object per predictor and train size")
    p.set_defaults(func=run)


def load_pool(bench, dataset: str, features: list[str], cells: str, zc_table: Path | None,
              blocks: dict | None = None):
    """(archs, y, features or None) over the table's architectures that have every requested value.

    `blocks`, when given, is filled with feature name -> (first, end) column of the returned matrix.
    """
    space = bench.space
    features = list(dict.fromkeys(features))  # a feature named twice is one feature
    bench.check_column(dataset)
    pool: dict = {}
    for a in bench.archs():
        key = space.canonical(a) if cells == "canonical" else a
        if key in pool:
            continue
        try:
            pool[key] = bench.lookup(key, dataset)
        except ArchscoutError:  # NaN, or the canonical cell is not in the table: use this row's value
            try:
                pool[key] = bench.lookup(a, dataset)
            except ArchscoutError:
                continue
    archs = list(pool)
    y = np.array([pool[a] for a in archs])
    if "zc" in features and "zcsmooth" in features:
        raise ArchscoutError("--features zcsmooth already holds the zero-cost scores: pass zc or zcsmooth, not both")
    with_meco = "meco" in features
    if with_meco:  # MeCo joins the zero-cost block (or is it)
        features = [f for f in features if f != "meco"]
        if not {"zc", "zcsmooth"} & set(features):
            features.append("zc")
            zc_table = default_meco_table()
            with_meco = False
    cols: list[np.ndarray] = []
    for f in features:
        if f in ("zc", "zcsmooth"):
            block = _table_block(space, archs, zc_table or default_zc_table())
            if with_meco:
                block = np.hstack([block, _table_block(space, archs, default_meco_table())])
            cols.append(block)
        elif f == "epoch12":
            col = f"{dataset}_valid"
            try:
                bench.check_column(col, 12)
            except ArchscoutError:
                raise ArchscoutError(
                    f"--features epoch12 needs a 12-epoch table with column {col!r}; {bench.name} has none"
                ) from None
            block = np.full((len(archs), 1), math.nan)
            for i, a in enumerate(archs):
                try:
                    block[i, 0] = bench.lookup(a, col, 12)
                except ArchscoutError:
                    pass
            cols.append(block)
    if not cols:
        return archs, y, None
    feats = np.hstack(cols)
    keep = np.isfinite(feats).all(1)
    if not keep.any():
        raise ArchscoutError(f"no architecture of {bench.name} has all of the features {', '.join(features)}")
    archs, y, feats = [a for a, k in zip(archs, keep) if k], y[keep], feats[keep]
    if "zcsmooth" in features:  # over the pool that the runs draw from: every cell's proxies, no accuracy
        from archscout.estimation.predictors.pool import smooth_over_pool

        edges = np.cumsum([0] + [c.shape[1] for c in cols])
        parts = [feats[:, lo:hi] for lo, hi in zip(edges[:-1], edges[1:])]
        feats = np.hstack([smooth_over_pool(space, archs, b) if f == "zcsmooth" else b
                           for f, b in zip(features, parts)])
    if blocks is not None:
        widths = [2 * c.shape[1] if f == "zcsmooth" else c.shape[1] for f, c in zip(features, cols)]
        edges = np.cumsum([0] + widths)
        blocks.update({f: (int(lo), int(hi)) for f, lo, hi in zip(features, edges[:-1], edges[1:])})
    return archs, y, feats


def default_meco_table() -> Path:
    from archscout.estimation.zerocost.table import MECO_FILE

    return MECO_FILE


def _table_block(space, archs, path) -> np.ndarray:
    """The numeric columns of a CSV keyed by (canonical) cell, one row per architecture (NaN: absent)."""
    from archscout.benchmarks.tabular import Table

    if not Path(path).exists():
        raise ArchscoutError(f"zero-cost table {str(path)!r} not found; pass --zc-table PATH")
    t = Table.from_csv(path, space, epochs=0)
    names = [c for c in t.columns if c not in ZC_EXCLUDE]
    block = np.full((len(archs), len(names)), math.nan)
    for i, a in enumerate(archs):
        r = t.row(space, a)
        if r is not None:
            block[i] = [t.columns[c][r] for c in names]
    return block


def pool_kwargs(name: str, archs, feats, blocks: dict) -> dict:
    """For a predictor that pretrains on the unlabelled pool (`uses_pool`): the pool and its zero-cost
    block (never the accuracy, never the 12-epoch column); {} for every other predictor."""
    from archscout.estimation.predictors import predictor_class

    if not getattr(predictor_class(name), "uses_pool", False):
        return {}
    zc = [f for f in ("zcsmooth", "zc") if f in blocks]
    if not zc:
        raise ArchscoutError(f"predictor {name!r} pretrains on the pool's zero-cost scores: pass --features zc or zcsmooth")
    lo, hi = blocks[zc[0]]
    return {"pool_archs": archs, "pool_features": feats[:, lo:hi]}


def one_run(name: str, space, archs, y, feats, n: int, test_size: int, seed: int, encoding, top: float,
            shuffle: bool, predictor_kwargs: dict | None = None) -> dict:
    from archscout.estimation.predictors import all_metrics, make_predictor

    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(archs))
    tr, te = perm[:n], perm[len(archs) - test_size:]
    y_tr = y[tr].copy()
    if shuffle:
        y_tr = rng.permutation(y_tr)
    kwargs = {"encoding": encoding} if encoding else {}
    kwargs.update(predictor_kwargs or {})
    model = make_predictor(name, space, seed=seed, **kwargs)
    t0 = time.perf_counter()
    model.fit([archs[i] for i in tr], y_tr, None if feats is None else feats[tr])
    t1 = time.perf_counter()
    mean, _ = model.predict([archs[i] for i in te], None if feats is None else feats[te])
    t2 = time.perf_counter()
    out = all_metrics(y[te], mean, top)
    out.update(fit_seconds=t1 - t0, query_seconds=t2 - t1)
    return out


def run(args: argparse.Namespace) -> int:
    from archscout.benchmarks import get_benchmark
    from archscout.estimation.predictors import PREDICTORS

    names = list(PREDICTORS) if args.predictor == ["all"] else args.predictor
    if args.predictor == ["all"] and not {"zc", "zcsmooth"} & set(args.features):  # no pool proxies: skip those
        from archscout.estimation.predictors import predictor_class

        names = [nm for nm in names if not getattr(predictor_class(nm), "uses_pool", False)]
    for nm in names:
        if nm not in PREDICTORS:
            raise ArchscoutError(f"unknown predictor {nm!r}; choose from {', '.join(PREDICTORS)} or all")
    if args.seeds < 1 or args.test_size < 2:
        raise ArchscoutError("--seeds must be >= 1 and --test-size >= 2")
    if any(n < 1 for n in args.train_size):
        raise ArchscoutError("--train-size values must be >= 1")
    if args.top <= 0 or (args.top >= 1 and (args.top != int(args.top) or args.top > args.test_size)):
        raise ArchscoutError(f"--top must be a fraction in (0, 1) or a whole number of test architectures up to "
                             f"--test-size ({args.test_size}), got {args.top:g}")
    if args.zc_table is not None and not {"zc", "zcsmooth"} & set(args.features):
        raise ArchscoutError("--zc-table is read only with --features zc or zcsmooth")
    check_out_path(args.out)
    check_out_path(args.markdown, "--markdown")
    bench = get_benchmark(args.benchmark, args.table)
    blocks: dict = {}
    archs, y, feats = load_pool(bench, args.dataset, args.features, args.cells, args.zc_table, blocks)
    pools = {nm: pool_kwargs(nm, archs, feats, blocks) for nm in names}  # checked before any run
    too_big = [n for n in args.train_size if n + args.test_size > len(archs)]
    if too_big:
        raise ArchscoutError(
            f"train size {too_big[0]} + test size {args.test_size} exceeds the {len(archs)} architectures available"
        )
    if any(nm in ("mlp", "gnn", "gnn-pre", "ens-et-gnn") for nm in names):
        import torch

        torch.set_num_threads(max(1, args.threads))
    config = {"benchmark": args.benchmark, "table": str(args.table) if args.table else None, "dataset": args.dataset,
              "features": sorted(args.features), "encoding": args.encoding, "cells": args.cells,
              "test_size": args.test_size, "top": args.top, "shuffle_labels": args.shuffle_labels}
    if args.zc_table is not None:  # only then: rows written before it was recorded used the bundled scores
        config["zc_table"] = str(args.zc_table)
    key = lambda r: (r["predictor"], r["train_size"], r["seed"], json.dumps(r["config"], sort_keys=True))  # noqa: E731
    done = read_results(args.out, key)
    show = sys.stderr.isatty() and not args.json
    fh = args.out.open("a") if args.out else None
    try:
        for nm in names:
            for n in args.train_size:
                for seed in range(args.seeds):
                    r = {"predictor": nm, "train_size": n, "seed": seed, "config": config}
                    if key(r) in done:
                        continue
                    r.update(one_run(nm, bench.space, archs, y, feats, n, args.test_size, seed, args.encoding,
                                     args.top, args.shuffle_labels, pools[nm]))
                    done[key(r)] = r
                    if fh:
                        fh.write(json.dumps(r) + "\n")
                        fh.flush()
                    if show:
                        print(f"\r{nm} n={n} seed {seed}: tau {r['kendall_tau']:.3f}   ", end="", file=sys.stderr)
    finally:
        if fh:
            fh.close()
    if show:
        print(file=sys.stderr)
    cfg = json.dumps(config, sort_keys=True)
    summary = []
    for nm in names:
        for n in args.train_size:
            rs = [done[(nm, n, s, cfg)] for s in range(args.seeds)]
            row = {"predictor": nm, "train_size": n, "dataset": args.dataset, "features": sorted(args.features),
                   "seeds": len(rs), "test_size": args.test_size, "pool": len(archs)}
            for m in METRICS:
                v = np.array([r[m] for r in rs])
                row[m], row[f"{m}_std"] = float(v.mean()), float(v.std())
            summary.append(row)
    text = markdown(summary, args)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    print(json.dumps(summary) if args.json else text)
    return 0


def markdown(summary: list[dict], args: argparse.Namespace) -> str:
    feats = "+".join(sorted(args.features)) or "none"
    head = (f"{args.benchmark} {args.dataset}, extra features: {feats}, pool {summary[0]['pool']} "
            f"({args.cells} cells), test {args.test_size}, {args.seeds} seeds"
            + (", SHUFFLED LABELS (control)" if args.shuffle_labels else "") + "\n")
    lines = [head, "| predictor | train | Kendall τ | Spearman | Pearson | RMSE | prec@T | fit s | query s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in summary:
        lines.append(
            f"| {r['predictor']} | {r['train_size']} | {r['kendall_tau']:.3f} ± {r['kendall_tau_std']:.3f} | "
            f"{r['spearman']:.3f} | {r['pearson']:.3f} | {r['rmse']:.2f} | {r['precision_at_t']:.2f} | "
            f"{r['fit_seconds']:.2f} | {r['query_seconds']:.3f} |"
        )
    return "\n".join(lines)
