"""Seconds per training epoch of typical architectures of each space (one CPU thread).

    nice -n 10 python benchmarks/live_epoch_times.py --out benchmarks/results/live_epoch_times.jsonl

Each row: space, data, architecture, params, FLOPs, epochs timed (2 after one warm-up epoch), mean
seconds per epoch (training + validation), and the 1-minute load average when it ran (the machine is
shared, so the load is part of the measurement). Rerunning skips rows already in --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

CASES = [
    ("chain", "mnist1d", "C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) GAP", {}),
    ("chain", "mnist1d", "C(16,3,2) C(32,3,2) FLATTEN FC(128)", {}),
    ("chain", "mnist1d", "C(128,5,1) C(128,5,1) C(128,5,1) C(128,5,1) C(128,5,1) GAP FC(256)", {}),
    ("chain", "digits", "C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) GAP", {}),
    ("mlp", "digits", "num_layers=2 max_units=256 max_dropout=0.1 lr=0.01 batch_size=64 weight_decay=0.0001 momentum=0.9", {}),
    ("mlp", "mnist1d", "num_layers=5 max_units=1024 max_dropout=0.25 lr=0.01 batch_size=16 weight_decay=0.0001 momentum=0.9", {}),
    ("nb201", "mnist1d", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
     {"C": 16, "N": 1}),
    ("nb201", "mnist1d", "|skip_connect~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|", {"C": 16, "N": 1}),
    ("nb201", "cifar10-16px-5000", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
     {"C": 8, "N": 1}),
]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    import torch

    from archscout.data import load_cifar10, load_dataset
    from archscout.spaces import get_space
    from archscout.training import TrainConfig, Trainer
    from archscout.training.measure import count_flops, count_params

    torch.set_num_threads(a.threads)
    done = set()
    if a.out.exists():
        done = {(r["space"], r["data"], r["arch"]) for r in map(json.loads, a.out.read_text().splitlines())}
    for space_name, data_name, arch_s, kw in CASES:
        if (space_name, data_name, arch_s) in done:
            continue
        if data_name.startswith("cifar10"):
            data = load_cifar10(resolution=16, n_train=5500, val_fraction=1 / 11, seed=0)
        else:
            data = load_dataset(data_name)
        space = get_space(space_name)
        arch = space.from_string(arch_s)
        cfg = TrainConfig(epochs=3, batch_size=64 if space_name != "nb201" or "cifar" not in data_name else 128)
        if hasattr(space, "train_config"):
            cfg = cfg.updated(**space.train_config(arch))
        build = lambda: space.to_module(arch, data.input_shape, data.num_classes, **kw)  # noqa: E731
        m = build()
        r = Trainer(data, cfg).fit(build)
        row = {"space": space_name, "data": data_name, "arch": arch_s, "module_kwargs": kw, "batch_size": cfg.batch_size,
               "train_examples": len(data.y_train), "params": count_params(m), "flops": count_flops(m, data.input_shape),
               "seconds_per_epoch": sum(r.curve["seconds"][1:]) / 2, "load_1min": os.getloadavg()[0],
               "threads": a.threads, "torch": torch.__version__, "python": platform.python_version(),
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        with a.out.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
