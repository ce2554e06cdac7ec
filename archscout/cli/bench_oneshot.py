"""`archscout bench oneshot`: train a NB201 supernet on a low-fidelity table's data, rank the table's cells with it.

How well does weight sharing rank architectures? The supernet (SPOS, Bender path dropout or first-order
DARTS) is trained on exactly the data the table's cells were trained on (its meta.json: images, C, N);
every cell of the table is then scored with inherited weights (BatchNorm statistics recomputed per
cell on a few training batches) by its validation loss (mean cross-entropy, lower is better) and by its
validation accuracy, and both scores are compared with the cells' own trained test accuracy (column
``cifar10``) and with NAS-Bench-201's 200-epoch CIFAR-10 test accuracy of the same cells (Spearman,
Kendall tau). The loss ranks better: on a few hundred validation images the accuracy moves in coarse
steps with many ties (BENCHMARKS.md, "One-shot weight sharing"). The top-10 cells by each score are
compared with 10 random cells (exact expectation of the best). For darts the derived cell is reported too.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from archscout.cli.common import HelpFormatter, check_out_path, count, write_atomic
from archscout.errors import ArchscoutError

TOP_K = 10


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "oneshot",
        help="one-shot weight sharing: train a supernet, rank a low-fidelity table's cells with it",
        description=__doc__.split("\n\n")[1],
        formatter_class=HelpFormatter,
    )
    p.add_argument("--table", type=Path, default=Path("benchmarks/results/nb201_lofi"),
                   help="a `bench build-table` folder (table.csv + meta.json), or its table.csv")
    p.add_argument("--mode", default="spos", help="spos (uniform single path), dropout (Bender path dropout) or darts (first order)")
    p.add_argument("--epochs", type=int, default=50, help="supernet training epochs")
    p.add_argument("--seed", type=count(0), default=0)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.05, help="SGD (Nesterov, momentum 0.9, wd 5e-4, cosine) of the network weights")
    p.add_argument("--drop-prob", type=float, default=0.5, help="dropout: the final path-dropout rate (ramped up from 0)")
    p.add_argument("--arch-lr", type=float, default=3e-4, help="darts: Adam learning rate of alpha")
    p.add_argument("--bn-batches", type=int, default=4, help="training batches (of 128) that recompute BN statistics per cell")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--out", type=Path, default=None, help="also write the result (with every cell's score) to this JSON file")
    p.add_argument("--json", action="store_true", help="print the result as JSON (without the per-cell scores and the curve: see --out)")
    p.set_defaults(func=run)


def _table_folder(path: Path) -> Path:
    return path.parent if path.name == "table.csv" else path


def top_k_best(scores: np.ndarray, tiebreak: np.ndarray, truth: np.ndarray, k: int = TOP_K) -> float:
    """The best `truth` among the k highest scores (ties broken by the lower `tiebreak`)."""
    order = np.lexsort((tiebreak, -scores))
    return float(truth[order[:k]].max())


def run(args: argparse.Namespace) -> int:
    import torch

    from archscout.benchmarks import nb201
    from archscout.benchmarks.lofi import expected_random_best, load_data, read_table
    from archscout.estimation.oneshot import rank_archs, train_supernet
    from archscout.estimation.oneshot.train import check_mode
    from archscout.estimation.predictors.metrics import kendall_tau, spearman
    from archscout.spaces.nb201 import NB201Space

    check_mode(args.mode)
    if args.epochs < 1:
        raise ArchscoutError(f"--epochs must be at least 1, got {args.epochs}")
    if args.threads < 1:
        raise ArchscoutError(f"--threads must be at least 1, got {args.threads}")
    if args.out is not None:  # before the training, not after it
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ArchscoutError(f"--out {str(args.out)!r}: cannot create its folder ({e.strerror})") from None
        check_out_path(args.out)
    folder = _table_folder(args.table)
    meta, rows = read_table(folder)
    for key in ("C", "N", "data"):
        if key not in meta:
            raise ArchscoutError(f"{str(folder / 'meta.json')!r} has no {key!r}: not a `bench build-table` folder")
    space = NB201Space()
    archs, truth, valid = [], [], []
    for i, r in enumerate(rows, start=2):
        try:
            archs.append(space.from_string(r["arch"]))
            truth.append(float(r["cifar10"]))
            if not np.isfinite(truth[-1]):
                raise ValueError
            valid.append(float(r["cifar10_valid"]) if r.get("cifar10_valid") else np.nan)
        except ArchscoutError as e:
            raise ArchscoutError(f"{str(folder / 'table.csv')!r} line {i}: {e}") from None
        except ValueError:
            raise ArchscoutError(f"{str(folder / 'table.csv')!r} line {i}: cifar10 value {r['cifar10']!r} is not a finite number") from None
    if len(archs) < 2:
        raise ArchscoutError(f"{str(folder / 'table.csv')!r} has {len(archs)} trained cells; ranking needs at least 2")
    truth_a, valid_a = np.array(truth), np.array(valid)
    ref = nb201()
    ref_a = np.array([ref.lookup(a, "cifar10") for a in archs])
    torch.set_num_threads(args.threads)
    data = load_data(meta)
    show = sys.stderr.isatty() and not args.json

    def on_epoch(epoch: int, row: dict[str, float]) -> None:
        if show:
            print(f"\r{args.mode} epoch {epoch}/{args.epochs}: train loss {row['train_loss']:.3f}, "
                  f"{row['seconds']:.1f} s", end="", file=sys.stderr, flush=True)

    res = train_supernet(data, mode=args.mode, epochs=args.epochs, seed=args.seed, C=int(meta["C"]), N=int(meta["N"]),
                         batch_size=args.batch_size, lr=args.lr, drop_prob=args.drop_prob, arch_lr=args.arch_lr,
                         on_epoch=on_epoch)
    if show:
        print(file=sys.stderr)
    ranked = rank_archs(res.supernet, data, archs, bn_batches=args.bn_batches, seed=args.seed, progress=show)
    score, loss = ranked.val_acc, ranked.val_loss
    ok = np.isfinite(valid_a)
    out: dict[str, Any] = {
        "mode": args.mode, "seed": args.seed, "epochs": args.epochs, "table": str(folder), "cells": len(archs),
        "distinct_cells": len({space.canonical(a) for a in archs}), "data": data.describe(),
        "C": int(meta["C"]), "N": int(meta["N"]), "bn_batches": args.bn_batches, "settings": res.settings,
        "spearman_vs_table_test": spearman(truth_a, score), "kendall_vs_table_test": kendall_tau(truth_a, score),
        "spearman_vs_table_valid": spearman(valid_a[ok], score[ok]) if ok.sum() > 1 else None,
        "spearman_vs_nb201_200ep": spearman(ref_a, score), "kendall_vs_nb201_200ep": kendall_tau(ref_a, score),
        "spearman_loss_vs_table_test": spearman(truth_a, -loss), "kendall_loss_vs_table_test": kendall_tau(truth_a, -loss),
        "spearman_loss_vs_nb201_200ep": spearman(ref_a, -loss), "kendall_loss_vs_nb201_200ep": kendall_tau(ref_a, -loss),
        f"top{TOP_K}_loss_best_table_test": top_k_best(-loss, -score, truth_a),
        f"top{TOP_K}_loss_best_nb201_200ep": top_k_best(-loss, -score, ref_a),
        "table_test_vs_nb201_spearman": spearman(ref_a, truth_a),
        f"top{TOP_K}_best_table_test": top_k_best(score, loss, truth_a),
        f"random{TOP_K}_expected_best_table_test": expected_random_best(truth_a, min(TOP_K, len(truth_a))),
        f"top{TOP_K}_best_nb201_200ep": top_k_best(score, loss, ref_a),
        f"random{TOP_K}_expected_best_nb201_200ep": expected_random_best(ref_a, min(TOP_K, len(ref_a))),
        "table_best_test": float(truth_a.max()), "oneshot_score_range": [float(score.min()), float(score.max())],
        "supernet_seconds": res.seconds, "rank_seconds": ranked.seconds, "curve": res.curve,
        "torch": torch.__version__, "python": platform.python_version(), "threads": args.threads,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scores": [{"arch": r["arch"], "oneshot_val_acc": float(s), "oneshot_val_loss": float(lo)}
                   for r, s, lo in zip(rows, score, loss)],
    }
    if res.derived is not None:
        d = res.derived
        index = {space.canonical(a): i for i, a in enumerate(archs)}
        i = index.get(space.canonical(d))
        out.update(derived=space.to_string(d), derived_nb201_200ep=ref.lookup(d, "cifar10"),
                   derived_table_test=None if i is None else float(truth_a[i]),
                   derived_history=[space.to_string(h) for h in res.derived_history],
                   alpha=np.round(res.alpha, 5).tolist())
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out, json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k not in ("scores", "curve")}) if args.json else text(out))
    return 0


def text(r: dict[str, Any]) -> str:
    lines = [f"one-shot {r['mode']} (seed {r['seed']}, {r['epochs']} epochs, C={r['C']}, N={r['N']}) on {r['cells']} cells "
             f"of {r['table']} ({r['data']}); supernet {r['supernet_seconds']:.0f} s, ranking {r['rank_seconds']:.0f} s",
             "  scored by the validation loss (lower is better) / by the validation accuracy, with inherited weights:",
             f"  vs the table's trained test accuracy: Spearman {r['spearman_loss_vs_table_test']:.3f} / "
             f"{r['spearman_vs_table_test']:.3f}, Kendall {r['kendall_loss_vs_table_test']:.3f} / {r['kendall_vs_table_test']:.3f}",
             f"  vs NB201 200-epoch CIFAR-10:          Spearman {r['spearman_loss_vs_nb201_200ep']:.3f} / "
             f"{r['spearman_vs_nb201_200ep']:.3f}, Kendall {r['kendall_loss_vs_nb201_200ep']:.3f} / {r['kendall_vs_nb201_200ep']:.3f}",
             f"  best trained accuracy among the top-{TOP_K} by one-shot score: {r[f'top{TOP_K}_loss_best_table_test']:.2f} / "
             f"{r[f'top{TOP_K}_best_table_test']:.2f} (10 random cells: {r[f'random{TOP_K}_expected_best_table_test']:.2f} "
             f"expected; table best {r['table_best_test']:.2f})"]
    if r.get("derived"):
        lines.append(f"  derived cell {r['derived']}: NB201 200-epoch {r['derived_nb201_200ep']:.2f}")
    return "\n".join(lines)
