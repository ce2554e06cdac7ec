"""Learning-curve CSVs in the published formats, read as-is.

* Baker et al. (2018): one row per trained network; per-epoch columns ``acc_N`` (or ``ep_N``), where
  ``acc_0``/``ep_0`` is the untrained model; every other numeric column is a feature (non-numeric
  columns such as MetaQNN's ``net`` string are ignored).
* ``epoch_N`` columns (NAS-Bench-201 curves as in ``learning_curves_cifar10.csv``): same, and when a
  ``metric`` column is present each row holds one metric of one architecture (``train_accuracy``,
  ``valid_accuracy``); ``metric=`` picks which rows to read.
* ``NAME_epoch_N`` columns (archscout's own table from ``archscout bench build-table``: one row per
  architecture with ``valid_epoch_N``, ``train_epoch_N``, ``train_loss_epoch_N``): ``metric=NAME``
  picks the group (default ``valid``). The other columns of that table are results of the same
  training (``cifar10``, ``cifar10_valid``, ...), which would leak the final value, so only the
  architecture's ``params`` and ``flops`` are features. A last line without its newline is a row
  still being written and is skipped, so a table can be read while it grows.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archscout.errors import ArchscoutError

_EPOCH_COL = re.compile(r"^(acc|ep|epoch)_(\d+)$")
_GROUP_COL = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)_epoch_(\d+)$")
_TABLE_FEATURES = ("params", "flops")


@dataclass
class CurveSet:
    """Curves (n, T) at ``epochs`` (T,), features (n, f) and a row id per curve."""

    curves: np.ndarray
    epochs: np.ndarray
    features: np.ndarray
    feature_names: list[str]
    ids: list[str]
    source: str = ""

    def __len__(self) -> int:
        return self.curves.shape[0]

    @property
    def untrained(self) -> bool:
        """True if the first column is the untrained model (epoch 0)."""
        return bool(self.epochs[0] == 0)

    @property
    def n_epochs(self) -> int:
        """Length of the training schedule (largest epoch number)."""
        return int(self.epochs[-1])

    def subset(self, idx: np.ndarray) -> CurveSet:
        return CurveSet(self.curves[idx], self.epochs, self.features[idx], self.feature_names,
                        [self.ids[i] for i in idx], self.source)


def _num(cell: str) -> float:
    cell = cell.strip()
    if cell == "" or cell.lower() in ("nan", "na", "none"):
        return math.nan
    return float(cell)


def read_curves(path: str | Path, metric: str | None = None) -> CurveSet:
    """Read a learning-curve CSV; every problem is one ArchscoutError naming the file."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise ArchscoutError(f"curve file {name!r} does not exist")
    if path.is_dir():
        raise ArchscoutError(f"curve file {name!r} is a folder")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise ArchscoutError(f"curve file {name!r} is not a UTF-8 text CSV") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ArchscoutError(f"curve file {name!r} is empty")
    header = [h.strip() for h in rows[0]]
    if len(rows) > 1 and not text.endswith(("\n", "\r")) and len(rows[-1]) != len(header):
        rows = rows[:-1]  # a row still being written
    body = [r for r in rows[1:] if r and any(c.strip() for c in r)]
    epoch_cols: list[tuple[int, int]] = []
    for i, h in enumerate(header):
        m = _EPOCH_COL.match(h)
        if m:
            epoch_cols.append((int(m.group(2)), i))
    groups: dict[str, list[tuple[int, int]]] = {}
    for i, h in enumerate(header):
        m = _GROUP_COL.match(h)
        if m:
            groups.setdefault(m.group(1), []).append((int(m.group(2)), i))
    grouped = len(epoch_cols) < 2 and bool(groups)
    if grouped:
        if metric is None:
            metric = "valid" if "valid" in groups else sorted(groups)[0]
        if metric not in groups:
            raise ArchscoutError(f"curve file {name!r} has no {metric}_epoch_N columns; groups: {', '.join(sorted(groups))}")
        epoch_cols = groups[metric]
    if len(epoch_cols) < 2:
        raise ArchscoutError(
            f"curve file {name!r} has no per-epoch columns (expected acc_N, ep_N, epoch_N or NAME_epoch_N; columns: "
            f"{', '.join(header[:12])}{' ...' if len(header) > 12 else ''})"
        )
    epoch_cols.sort()
    epochs = np.array([e for e, _ in epoch_cols], float)
    if len(set(epochs)) != len(epochs):
        raise ArchscoutError(f"curve file {name!r} lists an epoch twice")
    for lineno, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise ArchscoutError(f"curve file {name!r} line {lineno}: {len(r)} fields, header has {len(header)}")
    if grouped:
        pass
    elif "metric" in header:
        mi = header.index("metric")
        available = sorted({r[mi].strip() for r in body})
        if metric is None:
            metric = "valid_accuracy" if "valid_accuracy" in available else available[0] if available else None
        if metric not in available:
            raise ArchscoutError(f"curve file {name!r} has no rows of metric {metric!r}; metrics: {', '.join(available)}")
        body = [r for r in body if r[mi].strip() == metric]
    elif metric is not None:
        raise ArchscoutError(f"curve file {name!r} has no 'metric' column, so metric={metric!r} cannot be chosen")
    if not body:
        raise ArchscoutError(f"curve file {name!r} has a header but no rows")
    epoch_idx = {i for _, i in epoch_cols} | {i for g in groups.values() for _, i in g}
    # Feature columns: every other column whose cells are all numbers (archscout's table: params, flops).
    feat_idx: list[int] = []
    for i, h in enumerate(header):
        if i in epoch_idx or h == "metric" or (grouped and h not in _TABLE_FEATURES):
            continue
        try:
            [_num(r[i]) for r in body]
        except ValueError:
            continue
        feat_idx.append(i)
    curves = np.empty((len(body), len(epoch_cols)))
    for j, r in enumerate(body):
        for k, (_, i) in enumerate(epoch_cols):
            try:
                curves[j, k] = _num(r[i])
            except ValueError:
                raise ArchscoutError(
                    f"curve file {name!r} line {j + 2}: column {header[i]!r} holds {r[i]!r}, not a number"
                ) from None
    feats = np.array([[_num(r[i]) for i in feat_idx] for r in body], float).reshape(len(body), len(feat_idx))
    id_col = header.index("arch") if "arch" in header else header.index("net") if "net" in header else None
    ids = [r[id_col] for r in body] if id_col is not None else [str(i) for i in range(len(body))]
    # Constant features carry nothing (e.g. lstm_ptb's base_lr): drop them so models need not.
    keep = [k for k in range(feats.shape[1]) if np.nanstd(feats[:, k]) > 0]
    return CurveSet(curves, epochs, feats[:, keep], [header[feat_idx[k]] for k in keep], ids, name)
