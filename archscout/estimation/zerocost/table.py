"""Tables of precomputed proxy scores: a CSV with column ``arch`` and one numeric column per proxy.

Rows are keyed by architecture string; lookups go through the space's canonical form, so a file
keyed by canonical NB201 cells (NAS-Bench-Suite-Zero) serves every one of the 15,625 cells. The
default file is the bundled NAS-Bench-Suite-Zero CIFAR-10 table (see data/NOTICE).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.estimation.zerocost import ALIASES, PROXIES
from archscout.spaces.base import Arch, SearchSpace

SENTINEL = -1e8  # scores at or below it are the published files' marker of "undefined": read as NaN
DEFAULT_PROXY_FILE = Path(__file__).resolve().parent / "data" / "nb201_zero_cost_cifar10.csv.gz"


@dataclass
class ProxyTable:
    """Proxy scores of a pool of (canonical) architectures; NaN marks an undefined score."""

    space: SearchSpace
    archs: list[Arch]
    names: tuple[str, ...]
    scores: np.ndarray  # (len(archs), len(names))
    source: str

    def __post_init__(self) -> None:
        self._row = {a: i for i, a in enumerate(self.archs)}

    def __len__(self) -> int:
        return len(self.archs)

    def select(self, names: list[str] | tuple[str, ...] | None) -> ProxyTable:
        """The same pool restricted to some proxies (None: keep all); all-NaN columns are refused."""
        if names is None:
            names = self.names
        cols = []
        for n in names:
            key = n if n in self.names else ALIASES.get(n, n)
            if key not in self.names:
                raise ArchscoutError(f"proxy {n!r} is not in {self.source}; it has {', '.join(self.names)}")
            cols.append(self.names.index(key))
        if not cols:
            raise ArchscoutError("choose at least one proxy")
        scores = self.scores[:, cols]
        dead = [self.names[c] for c, j in zip(cols, range(len(cols))) if not np.isfinite(scores[:, j]).any()]
        if dead:
            raise ArchscoutError(f"proxy column(s) {', '.join(dead)} of {self.source} hold no finite value")
        return ProxyTable(self.space, self.archs, tuple(self.names[c] for c in cols), scores, self.source)

    def rows(self, archs: list[Arch]) -> np.ndarray:
        """Scores of the given architectures (by canonical form); a missing one is an error."""
        idx = []
        for a in archs:
            i = self._row.get(self.space.canonical(a))
            if i is None:
                raise ArchscoutError(f"architecture {self.space.to_string(a)} is missing from proxy table {self.source}")
            idx.append(i)
        return self.scores[idx]

    def normalised(self) -> np.ndarray:
        """Min-max normalisation of each proxy over the pool, to [0, 1]; NaN (undefined) becomes 0, the worst."""
        lo = np.nanmin(self.scores, axis=0)
        hi = np.nanmax(self.scores, axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        out = (self.scores - lo) / span
        return np.nan_to_num(out, nan=0.0)


def default_proxy_names(columns: list[str]) -> list[str]:
    """Known proxy columns if the file has any, else every column that is not an accuracy."""
    known = [c for c in columns if c in PROXIES or c in ALIASES]
    return known or [c for c in columns if "acc" not in c.lower()]


def load_proxy_table(path: str | Path | None = None, space: SearchSpace | None = None,
                     names: list[str] | tuple[str, ...] | None = None) -> ProxyTable:
    """Read a proxy CSV (default: the bundled NAS-Bench-Suite-Zero CIFAR-10 scores of NB201).

    Rows are merged by canonical architecture (the first row of a class wins). `names` picks the
    proxies; by default all proxy columns (accuracy columns such as ``valid_accuracy`` are skipped).
    Values <= -1e8 (NAS-Bench-Suite-Zero's marker for an undefined score, e.g. jacov of the empty
    cell) are read as NaN.
    """
    from archscout.benchmarks.tabular import Table
    from archscout.spaces.nb201 import NB201Space

    space = space or NB201Space()
    path = Path(path) if path is not None else DEFAULT_PROXY_FILE
    table = Table.from_csv(path, space, epochs=0)
    columns = list(table.columns)
    if names is None:
        names = default_proxy_names(columns)
        if not names:
            raise ArchscoutError(f"proxy table {str(path)!r} has no proxy columns (columns: {', '.join(columns)})")
    order = sorted(table.index.items(), key=lambda kv: kv[1])
    archs: list[Arch] = []
    keep: list[int] = []
    seen: set[Any] = set()
    for key, row in order:
        c = space.canonical(space.from_string(key))
        if c not in seen:
            seen.add(c)
            archs.append(c)
            keep.append(row)
    full = np.column_stack([table.columns[c][keep] for c in columns])
    full[full <= SENTINEL] = np.nan  # NAS-Bench-Suite-Zero writes -1e8 where a score is undefined
    return ProxyTable(space, archs, tuple(columns), full, str(path)).select(list(names))
