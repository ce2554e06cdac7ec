"""Does the returned network gain from a final training on all training data, and from a longer schedule?

Why: a live search scores each trial on a held-out validation split (MNIST-1D: 399 of 4,000 signals) with a
short schedule (10 epochs). Standard NAS practice trains the chosen architecture once more from scratch,
on every training example, often for longer. This measures what that buys on test, for architectures that
past searches returned (BENCHMARKS.md, "Live training") and for the warm-start default, under three settings:

- ``search``:  the search's own setting (90% of the training signals, 10 epochs);
- ``refit``:   all training signals (training + validation split), same epochs;
- ``refit2x``: all training signals, twice the epochs (the cosine schedule stretches with them).

Each (architecture, setting, seed) is one JSON line in OUT; a rerun skips what is there.

    nice -n 2 python benchmarks/live_refit.py --seeds 0 1 2 --out benchmarks/results/live_refit.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from archscout.cli.bench_build_table import read_runs  # JSON lines; a line cut by a kill is dropped

ARCHS = {
    "default": "C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) GAP",
    "sel0-t14": "C(128,5,1) C(32,3,1) C(128,5,1) C(32,1,1) C(128,3,2) FLATTEN FC(64) FC(64)",
    "quickstart-t19": "C(32,3,2) C(32,3,1) C(128,5,1) C(64,5,1) C(128,3,1) GAP FC(64) FC(64)",
    "30min-t78": "C(32,3,1) C(128,3,1) C(64,3,1) P(2,2) C(128,7,2) FLATTEN FC(256) FC(128)",
    "sel1-t8": "C(32,5,1) C(32,5,1) C(32,5,1) C(128,5,1) C(16,5,1) GAP",
    # digits: the pick of the 10-minute search of seed 0 with the current defaults
    # (benchmarks/results/live_digits_chain_refit/seed0)
    "digits-s0-t43": "C(64,3,1) C(128,5,1) C(128,3,2) P(2,2) C(128,3,2) FLATTEN FC(128) FC(64)",
}
SETTINGS = {"search": (False, 1), "refit": (True, 1), "refit2x": (True, 2)}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="mnist1d")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--archs", nargs="+", default=list(ARCHS))
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()

    import torch

    from archscout.cli.live import DEFAULT_TRAIN
    from archscout.data import load_dataset, refit_dataset
    from archscout.spaces import get_space
    from archscout.training import TrainConfig, Trainer
    from archscout.training.objective import build_module

    torch.set_num_threads(a.threads)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    done = {(r["arch_id"], r["setting"], r["seed"]) for r in read_runs(a.out)}
    space = get_space("chain")
    for seed in a.seeds:
        data = load_dataset(a.data, val_fraction=0.1, seed=seed)
        full = refit_dataset(data)
        for arch_id in a.archs:
            arch = space.from_string(ARCHS[arch_id])
            for setting, (all_data, mult) in SETTINGS.items():
                if (arch_id, setting, seed) in done:
                    continue
                d = full if all_data else data
                cfg = TrainConfig(epochs=a.epochs * mult, seed=seed, device="cpu", **DEFAULT_TRAIN["chain"])
                trainer = Trainer(d, cfg)
                t0 = time.perf_counter()
                res = trainer.fit(lambda: build_module(space, arch, d))
                test_loss, test_acc = trainer.evaluate(res.module, "test")
                row = {"arch_id": arch_id, "arch": ARCHS[arch_id], "setting": setting, "seed": seed,
                       "n_train": len(d.x_train), "epochs": cfg.epochs, "val_acc": res.curve["val_acc"][-1],
                       "val_held_out": not all_data, "test_acc": test_acc, "test_loss": test_loss,
                       "seconds": round(time.perf_counter() - t0, 1)}
                with a.out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(f"seed {seed} {arch_id:>15} {setting:>8}: test {test_acc:.2f}  ({row['seconds']:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
