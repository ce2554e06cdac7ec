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
import contextlib
import csv
import fcntl
import io
import json
import math
import os
import platform
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from archscout.cli.common import HelpFormatter, check_out_path, count, write_atomic
from archscout.errors import ArchscoutError

# The options that decide what the table holds (which runs, trained how, on which images). The others
# (--shard, --max-runs, --threads, --device, --json) only say how much is done now and where, so a
# folder can be resumed with other values of those.
SETUP = {"cells": "--cells", "top": "--top", "second_seed": "--second-seed", "sample_seed": "--sample-seed",
         "epochs": "--epochs", "resolution": "--resolution", "n_train": "--n-train", "channels": "--channels",
         "cells_per_stage": "--cells-per-stage", "batch_size": "--batch-size", "lr": "--lr"}
# What a meta.json written before it had "setup" (benchmarks/results/nb201_lofi) says about the setup.
LEGACY_META = {"epochs": "epochs", "C": "channels", "N": "cells_per_stage", "lr": "lr", "batch_size": "batch_size"}
RUN_KEYS = {"arch", "seed", "epochs", "test_acc", "valid_acc", "train_acc", "train_loss", "valid_loss",
            "wall_seconds", "params", "flops"}
CUT_OFF = '{"arch": '  # how every run record starts; a line like this that is not JSON was cut off by a kill
NB201_CLASSES = 9445  # NB201's 15,625 cells fall into this many equivalence classes (NB201Space.canonical)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build-table",
        help="train NB201 cells on the CIFAR-10 subset: archscout's low-fidelity table (resumable)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/nb201_lofi"), help="folder for runs.jsonl, table.csv, checkpoint; its first call fixes the setup (--cells, --epochs, ...) for later ones")
    p.add_argument("--cells", type=count(1), default=300, help="random cells to train (seeded)")
    p.add_argument("--top", type=count(0), default=10, help="also train this many best cells of the NB201 CIFAR-10 table")
    p.add_argument("--second-seed", type=count(0), default=50, help="train this many of the random cells with a second seed")
    p.add_argument("--sample-seed", type=count(0), default=0, help="seed of the cell sample")
    p.add_argument("--epochs", type=count(1), default=12)
    p.add_argument("--resolution", type=int, default=16, help="image side (divides 32: 32, 16, 8, ...)")
    p.add_argument("--n-train", type=count(10), default=5000, help="training images (500 more per 10 classes are held out for validation)")
    p.add_argument("--channels", type=count(1), default=8, help="C of the NB201 network")
    p.add_argument("--cells-per-stage", type=count(1), default=1, help="N of the NB201 network")
    p.add_argument("--batch-size", type=count(1), default=128)
    p.add_argument("--lr", type=float, default=0.1, help="SGD (Nesterov, momentum 0.9, wd 5e-4, cosine) as in NB201")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: as many as torch picks)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto (CUDA when present)")
    p.add_argument("--reference", type=Path, default=None,
                   help="NB201 table with 'arch' and 'cifar10' columns (default: ../shared/data/nb201/test_accuracy.csv)")
    p.add_argument("--cifar", type=Path, default=None, help="the CIFAR-10 subset .npz (default: the shared data)")
    p.add_argument("--shard", default="0/1", metavar="I/N",
                   help="train only jobs I, I+N, I+2N, ... (run N processes with I = 0..N-1 on one --out)")
    p.add_argument("--max-runs", type=count(0), default=None, help="stop after this many new runs (for smoke tests)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def read_reference(path: Path) -> dict[str, float]:
    """NB201's 200-epoch CIFAR-10 accuracy by cell: it picks the --top cells and is what the table is compared with."""
    if not path.exists():
        raise ArchscoutError(f"reference table {str(path)!r} does not exist (needs columns arch, cifar10)")
    if path.is_dir():
        raise ArchscoutError(f"reference table {str(path)!r} is a folder; give the NB201 .csv (columns arch, cifar10)")
    try:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ArchscoutError(f"cannot read reference table {str(path)!r}: {getattr(e, 'strerror', None) or e}") from None
    if not rows or "arch" not in rows[0] or "cifar10" not in rows[0]:
        raise ArchscoutError(f"reference table {str(path)!r} needs columns 'arch' and 'cifar10'")
    table = {}
    for line, r in enumerate(rows, start=2):
        try:
            table[r["arch"]] = float(r["cifar10"])
        except (TypeError, ValueError):
            raise ArchscoutError(f"reference table {str(path)!r} line {line}: cifar10 {r['cifar10']!r} is not a number") from None
    return table


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


def is_cut_off(line: str) -> bool:
    """A run record that a kill cut off while it was written (not JSON, but begun like every record)."""
    if not line.startswith(CUT_OFF):
        return False
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return True
    return False


def read_runs(path: Path) -> tuple[list[dict], list[int]]:
    """Finished runs, and the lines holding runs cut off by a kill (ignored: those runs are trained again).

    Any other line that is not a run is an error naming it: runs.jsonl is the table's only copy of hours
    of training, so a file that was edited, or is not this command's, is left exactly as it is.
    """
    if not path.exists():
        return [], []
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ArchscoutError(f"cannot read {str(path)!r} as this command's runs: {getattr(e, 'strerror', None) or e}") from None
    runs, cut = [], []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if is_cut_off(line):
            cut.append(i)
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            r = None
        if not isinstance(r, dict) or not RUN_KEYS <= r.keys():
            raise ArchscoutError(f"{str(path)!r} line {i} is not a run of this command; fix or remove that line "
                                 "(or give another --out)")
        runs.append(r)
    return runs, cut


def warn_cut(path: Path, cut: list[int]) -> None:
    if cut:
        print(f"archscout: warning: {path} line {', '.join(map(str, cut))}: a run cut off by a kill; ignored, "
              "it is trained again", file=sys.stderr)


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the folder's lock: shards share runs.jsonl and meta.json."""
    with open(out / "runs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def append_run(path: Path, row: dict) -> list[dict]:
    """Append one finished run under the lock; returns all runs.

    A run cut off by a kill at the end of the file is removed first (under the lock no shard is writing,
    so the tail is not one being written), so every record starts on a line of its own.
    """
    with locked(path.parent), path.open("a+b") as fh:
        fh.seek(0)
        text = fh.read()
        if text and not text.endswith(b"\n"):
            start = text.rfind(b"\n") + 1
            if is_cut_off(text[start:].decode(errors="replace")):
                fh.truncate(start)
            else:
                fh.write(b"\n")
        fh.write((json.dumps(row) + "\n").encode())
        fh.flush()
        return read_runs(path)[0]


def read_meta(path: Path) -> dict | None:
    """The folder's meta.json, None when there is none yet."""
    if not path.exists():
        return None
    try:
        meta = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        meta = None
    if not isinstance(meta, dict):
        raise ArchscoutError(f"{str(path)!r} is not a table's meta.json; move it away or give another --out")
    return meta


def stored_setup(meta: dict) -> dict[str, Any]:
    """The setup a table was built with: meta.json's "setup", or for an older meta.json its command line
    (parsed as this command would) and the values it recorded, which say the same."""
    if isinstance(meta.get("setup"), dict):
        return meta["setup"]
    setup: dict[str, Any] = {}
    try:
        words = shlex.split(str(meta.get("command", "")))
        if words[:3] == ["archscout", "bench", "build-table"]:
            root = argparse.ArgumentParser()
            register(root.add_subparsers())
            with contextlib.redirect_stderr(io.StringIO()):
                given = root.parse_known_args(["build-table", *words[3:]])[0]
            setup = {k: getattr(given, k) for k in SETUP}
    except (ValueError, SystemExit):
        pass  # an unreadable command: compare what meta.json states
    setup.update({dest: meta[key] for key, dest in LEGACY_META.items() if key in meta})
    return setup


def check_setup(out: Path, setup: dict[str, Any]) -> dict | None:
    """Refuse to mix runs of another setup into the table in `out`; returns its meta.json (None: a new table).

    Reads only, so a refused command leaves the folder as it was.
    """
    meta = read_meta(out / "meta.json")
    runs = read_runs(out / "runs.jsonl")[0]
    if meta is None and runs:
        raise ArchscoutError(f"--out {str(out)!r} holds runs.jsonl but no meta.json, so the setup of its runs is "
                             "unknown; restore meta.json or give another --out")
    old = stored_setup(meta) if meta else {}
    diff = {k: (old[k], v) for k, v in setup.items() if k in old and old[k] != v}
    epochs = sorted({r["epochs"] for r in runs if r["epochs"] != setup["epochs"]})  # every run records its own
    if epochs and "epochs" not in diff:
        diff["epochs"] = (epochs[0], setup["epochs"])
    if diff:
        what = "; ".join(f"{SETUP[k]}: {a!r} then, {b!r} now" for k, (a, b) in diff.items())
        raise ArchscoutError(f"--out {str(out)!r} holds a table built with another setup ({what}); "
                             "give the same values to resume it, or another --out")
    return meta


def table_command(argv: list[str]) -> str:
    """The command that builds the table: without --shard, --max-runs and --json, which split, limit or print
    the work of one call (meta.json is written once, so a smoke test's --max-runs 1 must not stick)."""
    words, it = [], iter(argv)
    for w in it:
        if w in ("--shard", "--max-runs"):
            next(it, None)
        elif w != "--json" and w.split("=")[0] not in ("--shard", "--max-runs"):
            words.append(w)
    return " ".join(["archscout", *words])


def check_args(args: argparse.Namespace) -> None:
    """Everything about the options alone, before any file is read."""
    if args.second_seed > args.cells:
        raise ArchscoutError(f"--second-seed {args.second_seed} is more than --cells {args.cells}")
    if args.cells > NB201_CLASSES:
        raise ArchscoutError(f"--cells {args.cells}: NAS-Bench-201 has only {NB201_CLASSES} distinct cells")
    if args.n_train % 10:
        raise ArchscoutError(f"--n-train {args.n_train}: must be a multiple of 10 (the same number of images per class)")
    if args.resolution < 1 or 32 % args.resolution:
        raise ArchscoutError(f"--resolution {args.resolution}: must divide 32 (32, 16, 8, ...)")
    if not (math.isfinite(args.lr) and args.lr > 0):
        raise ArchscoutError(f"--lr {args.lr}: must be a positive number")
    if args.threads < 0:
        raise ArchscoutError(f"--threads {args.threads}: must be 0 (torch's default) or more")
    parse_shard(args.shard)
    check_out_path(args.out, "--out", folder=True)
    for name in ("runs.jsonl", "meta.json", "table.csv", "summary.json"):
        if (args.out / name).is_dir():
            raise ArchscoutError(f"--out {str(args.out)!r} holds a folder {name!r} where the table writes a file")


def check_n_train(args: argparse.Namespace, available: int) -> None:
    """--n-train images plus a tenth more for validation must exist in the CIFAR-10 subset (`available` training images)."""
    if args.n_train + args.n_train // 10 > available:
        most = available * 10 // 11 // 10 * 10
        raise ArchscoutError(f"--n-train {args.n_train}: the CIFAR-10 subset has {available} training images, enough "
                             f"for --n-train {most} at most (a tenth more is held out for validation)")


def run(args: argparse.Namespace) -> int:
    from archscout.data import cifar10_dataset, read_cifar10, shared_data_dir
    from archscout.spaces import NB201Space

    check_args(args)
    setup = {k: getattr(args, k) for k in SETUP}
    check_setup(args.out, setup)  # before any work, and before anything is written
    shard, shards = parse_shard(args.shard)
    space = NB201Space()
    reference = read_reference(args.reference or shared_data_dir() / "nb201" / "test_accuracy.csv")
    jobs = plan(space, reference, args.cells, args.top, args.second_seed, args.sample_seed)
    arrays = read_cifar10(args.cifar)  # read once: checked here, then cut and downsampled
    check_n_train(args, len(arrays[1]))
    n_val = args.n_train // 10  # held out on top of the training images, class-balanced
    data = cifar10_dataset(arrays, resolution=args.resolution, n_train=args.n_train + n_val,
                           val_fraction=n_val / (args.n_train + n_val), seed=0)
    import torch

    from archscout.training import TrainConfig, Trainer
    from archscout.training.measure import count_flops, count_params
    from archscout.training.trainer import resolve_device

    device = resolve_device(args.device)
    try:
        torch.device(device)
    except RuntimeError:
        raise ArchscoutError(f"--device {args.device!r}: not a torch device (cpu, cuda, auto)") from None
    if args.threads:
        torch.set_num_threads(args.threads)
    args.out.mkdir(exist_ok=True)
    runs_path = args.out / "runs.jsonl"
    ckpt = args.out / ("current.pt" if shards == 1 else f"current.{shard}.pt")
    with locked(args.out):
        if check_setup(args.out, setup) is None:  # checked again: another shard may have begun the table since
            meta = {"command": table_command(sys.argv[1:]), "python": platform.python_version(),
                    "torch": torch.__version__, "machine": platform.machine(), "processor": platform.processor(),
                    "data": data.describe(), "epochs": args.epochs, "C": args.channels, "N": args.cells_per_stage,
                    "device": device, "train": "SGD nesterov momentum 0.9, wd 5e-4, cosine, no augmentation",
                    "lr": args.lr, "batch_size": args.batch_size, "setup": setup}
            write_atomic(args.out / "meta.json", json.dumps(meta, indent=1) + "\n")
        runs, cut = read_runs(runs_path)
    warn_cut(runs_path, cut)
    done = {(r["arch"], r["seed"]) for r in runs}
    new = 0
    for arch_s, seed, origin in jobs[shard::shards]:
        if (arch_s, seed) in done:
            continue
        if args.max_runs is not None and new >= args.max_runs:
            break
        arch = space.from_string(arch_s)
        cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, optimizer="sgd", lr=args.lr, momentum=0.9,
                          weight_decay=5e-4, schedule="cosine", seed=seed, device=device)

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
    with locked(args.out):
        runs = read_runs(runs_path)[0]  # other shards' runs too
    if runs:
        write_table(runs, args.out / "table.csv", args.epochs)
    summary = summarise(runs, reference, len(jobs))
    write_atomic(args.out / "summary.json", json.dumps(summary, indent=1) + "\n")
    if args.json:
        print(json.dumps(summary))
    else:
        for k, v in summary.items():
            print(f"{k:<40} {v:.4f}" if isinstance(v, float) else f"{k:<40} {v}")
    return 0
