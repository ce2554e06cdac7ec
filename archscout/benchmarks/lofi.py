"""Reading a `bench build-table` folder back: its rows, and the exact data its cells were trained on.

Shared by the scripts and commands that score the low-fidelity table's cells with another estimator
(zero-cost proxies, one-shot supernets), so that every one of them sees the table's own images.
"""

from __future__ import annotations

import csv
import json
from math import comb
from pathlib import Path
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError


def read_table(folder: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(meta.json, the rows of table.csv that have a test accuracy) of a build-table folder."""
    folder = Path(folder)
    for name in ("meta.json", "table.csv"):
        if not (folder / name).is_file():
            raise ArchscoutError(f"{str(folder)!r} is not a `bench build-table` folder: it has no {name}")
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except json.JSONDecodeError as e:
        raise ArchscoutError(f"{str(folder / 'meta.json')!r} is not JSON: {e.msg}") from None
    with (folder / "table.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "arch" not in reader.fieldnames or "cifar10" not in reader.fieldnames:
            raise ArchscoutError(f"{str(folder / 'table.csv')!r} needs columns 'arch' and 'cifar10'")
        rows = [r for r in reader if r.get("cifar10")]
    return meta, rows


def load_data(meta: dict[str, Any]):
    """The table's data, loaded as `bench build-table` loads it (its meta.json says which)."""
    from archscout.data import load_cifar10

    desc = meta.get("data", "")  # e.g. "cifar10-16px: image (3, 16, 16), 10 classes, 5000 train / 500 valid / 2000 test"
    try:
        res = int(desc.split("-")[1].split("px")[0])
        n_train = int(desc.split("classes, ")[1].split(" train")[0])
        n_val = int(desc.split("train / ")[1].split(" valid")[0])
    except (IndexError, ValueError):
        raise ArchscoutError(f"meta.json's data {desc!r} does not describe a build-table CIFAR-10 subset") from None
    return load_cifar10(resolution=res, n_train=n_train + n_val, val_fraction=n_val / (n_train + n_val), seed=0)


def expected_random_best(vals: np.ndarray, t: int) -> float:
    """E[max of t cells drawn without replacement from the pool] (exact)."""
    v = np.sort(np.asarray(vals, float))
    n = len(v)
    return float(sum(v[i] * (comb(i, t - 1) / comb(n, t)) for i in range(t - 1, n)))
