"""`archscout bench build-table`: archscout's own low-fidelity NAS-Bench-201 table, trained for real.

A seeded random sample of NB201 cells (plus the best cells of the NB201 CIFAR-10 table) is trained on
the real CIFAR-10 subset at reduced cost (16x16 images, 5,000 training images, C=8, N=1, 12 epochs as
NB201's own low-fidelity column; a second seed for the first 50 cells to measure the noise). Every finished run is appended to
``OUT/runs.jsonl`` with its complete per-epoch curves, test accuracy, wall time, params and FLOPs; a
rerun skips finished runs and the running one resumes from its last epoch checkpoint. ``OUT/table.csv``
is rewritten after every run in the tabular-benchmark format (``arch`` + numeric columns; it loads
with ``nb201(table=...)``), and the summary reports the Spearman correlation of the final test
accuracy with NAS-Bench-201's 200-epoch CIFAR-10 column for the same cells. ``--shard I/N`` lets N
processes (one per core) share the work and the same output folder.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from archscout.cli.common import HelpFormatter
from archscout.errors import ArchscoutError



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build-table",
        help="train NB201 cells on the CIFAR-10 subset: archscout's low-fidelity table (resumable)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/nb201_lofi"), help="folder for runs.jsonl, table.csv, checkpoint")
    p.add_argument("--cells", type=int, default=300, help="random cells to train (seeded)")
    p.add_argument("--top", type=int, default=10, help="also train this many best cells of the NB201 CIFAR-10 table")
    p.add_argument("--second-seed", type=int, default=50, help="train this many of the random cells with a second seed")
    p.add_argument("--sample-seed", type=int, default=0, help="seed of the cell sample")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--resolution", type=int, default=16, help="image side (32 or 16)")
    p.add_argument("--n-train", type=int, default=5000, help="training images (500 more per 10 classes are held out for validation)")
    p.add_argument("--channels", type=int, default=8, help="C of the NB201 network")
    p.add_argument("--cells-per-stage", type=int, default=1, help="N of the NB201 network")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1, help="SGD (Nesterov, momentum 0.9, wd 5e-4, cosine) as in NB201")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--device", default="cpu")
    p.add_argument("--reference", type=Path, default=None,
                   help="NB201 table with 'arch' and 'cifar10' columns (default: ../shared/data/nb201/test_accuracy.csv)")
    p.add_argument("--cifar", type=Path, default=None, help="the CIFAR-10 subset .npz (default: the shared data)")
    p.add_argument("--shard", default="0/1", metavar="I/N",
                   help="train only jobs I, I+N, I+2N, ... (run N processes with I = 0..N-1 on one --out)")
    p.add_argument("--max-runs", type=int, default=None, help="stop after this many new runs (for smoke tests)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def read_reference(path: Path) -> dict[str, float]:
    if not path.exists():
        raise ArchscoutError(f"reference table {str(path)!r} does not exist (needs columns arch, cifar10)")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "arch" not in rows[0] or "cifar10" not in rows[0]:
        raise ArchscoutError(f"reference table {str(path)!r} needs columns 'arch' and 'cifar10'")
    return {r["arch"]: float(r["cifar10"]) for r in rows}


def plan(space: Any, reference: dict[str, float], cells: int, top: int, second: int, seed: int) -> list[tuple[str, int, str]]:
    """(arch, training seed, origin) in training order: random cells, the table's best, second seeds."""
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    seen: set[str] = set()
    while len(chosen) < cells:
        a = space.sample(rng)
        key = space.hash(a)  # one cell per equivalence class
        if key not in seen:
            seen.add(key)
            chosen.append(space.to_string(a))
    best = sorted(reference, key=lambda a: -reference[a])
    tops = []
    for a in best:
        if len(tops) >= top:
            break
        if space.hash(space.from_string(a)) not in seen:
            seen.add(space.hash(space.from_string(a)))
            tops.append(a)
    jobs = [(a, 0, "random") for a in chosen] + [(a, 0, "top") for a in tops]
    jobs += [(a, 1, "random") for a in chosen[:second]]
    return jobs


def spearman(a: list[float], b: list[float]) -> float | None:
    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return None  # undefined for constant inputs
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def summarise(runs: list[dict], reference: dict[str, float], total: int) -> dict[str, Any]:
    seed0 = {r["arch"]: r for r in runs if r["seed"] == 0}
    seed1 = {r["arch"]: r for r in runs if r["seed"] == 1}
    archs = [a for a in seed0 if a in reference]
    rho = spearman([seed0[a]["test_acc"] for a in archs], [reference[a] for a in archs])
    rho_valid = spearman([seed0[a]["valid_acc"][-1] for a in archs], [reference[a] for a in archs])
    pairs = [a for a in seed1 if a in seed0]
    noise = spearman([seed0[a]["test_acc"] for a in pairs], [seed1[a]["test_acc"] for a in pairs])
    diffs = [abs(seed0[a]["test_acc"] - seed1[a]["test_acc"]) for a in pairs]
    return {
        "runs_done": len(runs), "runs_planned": total, "cells": len(seed0),
        "spearman_test_vs_nb201_cifar10_200ep": rho, "spearman_valid_vs_nb201_cifar10_200ep": rho_valid,
        "seed_pairs": len(pairs), "spearman_seed0_vs_seed1": noise,
        "mean_abs_seed_diff": float(np.mean(diffs)) if diffs else None,
        "seconds_total": float(sum(r["wall_seconds"] for r in runs)),
        "mean_test_acc": float(np.mean([r["test_acc"] for r in seed0.values()])) if seed0 else None,
    }


def write_table(runs: list[dict], path: Path, epochs: int) -> None:
    """The tabular-benchmark view: one row per cell; seed 0 values, the second seed's test acc when trained."""
    seed0 = {r["arch"]: r for r in runs if r["seed"] == 0}
    seed1 = {r["arch"]: r for r in runs if r["seed"] == 1}
    header = (["arch", "cifar10", "cifar10_seconds", "cifar10_valid", "cifar10_seed1", "params", "flops"]
              + [f"valid_epoch_{e}" for e in range(1, epochs + 1)] + [f"train_epoch_{e}" for e in range(1, epochs + 1)]
              + [f"train_loss_epoch_{e}" for e in range(1, epochs + 1)]
              + [f"valid_loss_epoch_{e}" for e in range(1, epochs + 1)])
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # shards write their own, then rename
    with open(tmp, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for a, r in seed0.items():
            s1 = seed1.get(a)
            w.writerow([a, f"{r['test_acc']:.4f}", f"{r['wall_seconds']:.2f}", f"{r['valid_acc'][-1]:.4f}",
                        f"{s1['test_acc']:.4f}" if s1 else "", r["params"], r["flops"]]
                       + [f"{v:.4f}" for v in r["valid_acc"]] + [f"{v:.4f}" for v in r["train_acc"]]
                       + [f"{v:.5f}" for v in r["train_loss"]] + [f"{v:.5f}" for v in r["valid_loss"]])
    tmp.replace(path)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise ArchscoutError(f"--shard {text!r}: expected I/N, e.g. 0/2") from None
    if n < 1 or not 0 <= i < n:
        raise ArchscoutError(f"--shard {text!r}: need N >= 1 and 0 <= I < N")
    return i, n


def read_runs(path: Path) -> list[dict]:
    """Finished runs; a line cut off by a kill (the last one) is dropped so the run is redone."""
    if not path.exists():
        return []
    runs = []
    for line in path.read_text().splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return runs


def append_run(path: Path, row: dict) -> list[dict]:
    """Append one finished run under an exclusive lock (shards share the file); returns all runs."""
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with path.open("a+b") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell():
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":  # a line cut off by a kill: end it, so this run is not glued to it
                    fh.write(b"\n")
            fh.write((json.dumps(row) + "\n").encode())
            fh.flush()
        return read_runs(path)


def run(args: argparse.Namespace) -> int:
    from archscout.data import load_cifar10, shared_data_dir
    from archscout.spaces import NB201Space

    if args.cells < 1 or args.top < 0 or not 0 <= args.second_seed <= args.cells:
        raise ArchscoutError("need --cells >= 1, --top >= 0 and 0 <= --second-seed <= --cells")
    if args.epochs < 1 or args.n_train < 10 or args.n_train % 10:
        raise ArchscoutError("need --epochs >= 1 and --n-train a positive multiple of 10")
    shard, shards = parse_shard(args.shard)
    space = NB201Space()
    reference = read_reference(args.reference or shared_data_dir() / "nb201" / "test_accuracy.csv")
    jobs = plan(space, reference, args.cells, args.top, args.second_seed, args.sample_seed)
    n_val = args.n_train // 10  # held out on top of the training images, class-balanced
    data = load_cifar10(resolution=args.resolution, n_train=args.n_train + n_val,
                        val_fraction=n_val / (args.n_train + n_val), seed=0, path=args.cifar)
    import torch

    from archscout.training import TrainConfig, Trainer
    from archscout.training.measure import count_flops, count_params

    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    runs_path = args.out / "runs.jsonl"
    ckpt = args.out / ("current.pt" if shards == 1 else f"current.{shard}.pt")
    meta = {"command": "archscout " + " ".join(sys.argv[1:]), "python": platform.python_version(), "torch": torch.__version__,
            "machine": platform.machine(), "processor": platform.processor(), "data": data.describe(),
            "epochs": args.epochs, "C": args.channels, "N": args.cells_per_stage, "device": args.device,
            "train": "SGD nesterov momentum 0.9, wd 5e-4, cosine, no augmentation", "lr": args.lr,
            "batch_size": args.batch_size}
    # the command that trains the table: sharding and output format do not change a run
    meta["command"] = meta["command"].replace(f" --shard {args.shard}", "").replace(" --json", "")
    tmp_meta = args.out / f"meta.json.{shard}.tmp"
    tmp_meta.write_text(json.dumps(meta, indent=1) + "\n")
    tmp_meta.replace(args.out / "meta.json")
    runs = read_runs(runs_path)
    done = {(r["arch"], r["seed"]) for r in runs}
    new = 0
    for arch_s, seed, origin in jobs[shard::shards]:
        if (arch_s, seed) in done:
            continue
        if args.max_runs is not None and new >= args.max_runs:
            break
        arch = space.from_string(arch_s)
        cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, optimizer="sgd", lr=args.lr, momentum=0.9,
                          weight_decay=5e-4, schedule="cosine", seed=seed, device=args.device)

        def build() -> Any:
            return space.to_module(arch, data.input_shape, data.num_classes, C=args.channels, N=args.cells_per_stage)

        trainer = Trainer(data, cfg)
        t0 = time.time()
        result = trainer.fit(build, checkpoint=ckpt, key=f"{arch_s}|{seed}")
        test_loss, test_acc = trainer.evaluate(result.module, "test")
        probe = build()
        row = {"arch": arch_s, "seed": seed, "origin": origin, "epochs": args.epochs,
               "train_acc": result.curve["train_acc"], "train_loss": result.curve["train_loss"],
               "valid_acc": result.curve["val_acc"], "valid_loss": result.curve["val_loss"],
               "epoch_seconds": result.curve["seconds"], "test_acc": test_acc, "test_loss": test_loss,
               "wall_seconds": float(sum(result.curve["seconds"])), "this_call_seconds": time.time() - t0,
               "params": count_params(probe), "flops": count_flops(probe, data.input_shape),
               "nb201_cifar10_200ep": reference.get(arch_s)}
        runs = append_run(runs_path, row)
        ckpt.unlink(missing_ok=True)
        done.add((arch_s, seed))
        new += 1
        write_table(runs, args.out / "table.csv", args.epochs)
        if not args.json:
            print(f"[{len(runs)}/{len(jobs)}] {arch_s} seed {seed}: test {test_acc:.2f}% "
                  f"(NB201 {reference.get(arch_s, float('nan')):.2f}%), {row['wall_seconds']:.0f} s", flush=True)
    runs = read_runs(runs_path)  # other shards' runs too
    if runs:
        write_table(runs, args.out / "table.csv", args.epochs)
    summary = summarise(runs, reference, len(jobs))
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    if args.json:
        print(json.dumps(summary))
    else:
        for k, v in summary.items():
            print(f"{k:<40} {v:.4f}" if isinstance(v, float) else f"{k:<40} {v}")
    return 0
