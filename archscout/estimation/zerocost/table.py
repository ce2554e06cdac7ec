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
HEAVY_TAIL_SKEW = 3.0  # |skewness| above which transform="log" puts a proxy on a log scale
DEFAULT_PROXY_FILE = Path(__file__).resolve().parent / "data" / "nb201_zero_cost_cifar10.csv.gz"
# archscout's own MeCo scores of the same 9,445 cells (benchmarks/training_free_proxies.py; data/NOTICE)
MECO_FILE = Path(__file__).resolve().parent / "data" / "nb201_meco_cifar10.csv.gz"


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

    def restrict(self, archs: list[Arch]) -> ProxyTable:
        """The pool cut down to the canonical forms of the given architectures (a search over part of a
        space). Those without scores are left out; none with scores is an error."""
        keep = dict.fromkeys(c for c in (self.space.canonical(a) for a in archs) if c in self._row)
        if not keep:
            raise ArchscoutError(f"none of the {len(archs)} architectures of the space has scores in {self.source}")
        idx = [self._row[c] for c in keep]
        return ProxyTable(self.space, list(keep), self.names, self.scores[idx], self.source)

    def rows(self, archs: list[Arch]) -> np.ndarray:
        """Scores of the given architectures (by canonical form); a missing one is an error."""
        idx = []
        for a in archs:
            i = self._row.get(self.space.canonical(a))
            if i is None:
                raise ArchscoutError(f"architecture {self.space.to_string(a)} is missing from proxy table {self.source}")
            idx.append(i)
        return self.scores[idx]

    def normalised(self, transform: str = "none") -> np.ndarray:
        """Min-max normalisation of each proxy over the pool, to [0, 1]; NaN (undefined) becomes 0, the worst.

        `transform` is applied to the raw scores first (see `transformed`): "none" (the RoBoT paper) or
        "log" (heavy-tailed proxies on a signed log scale).
        """
        s = self.transformed(transform)
        lo = np.nanmin(s, axis=0)
        hi = np.nanmax(s, axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        out = (s - lo) / span
        return np.nan_to_num(out, nan=0.0)

    def transformed(self, transform: str = "none") -> np.ndarray:
        """Raw scores, or with "log" every heavy-tailed proxy column mapped to asinh(x / median|x|).

        A column is heavy-tailed when the absolute sample skewness of its finite values over the pool
        exceeds `HEAVY_TAIL_SKEW`. asinh(x / s) is monotone (rankings per proxy are unchanged), about
        linear for |x| < s and about sign(x) log(2|x| / s) beyond, so it also handles signed proxies
        (grasp, jacov); dividing by the median magnitude s makes it independent of the proxy's units.
        On the bundled NB201 file this puts fisher, grad_norm, snip, grasp and jacov on a log scale:
        after plain min-max a handful of outliers would squash all other cells into [0, 0.01].
        """
        if transform == "none":
            return self.scores.copy()
        if transform != "log":
            raise ArchscoutError(f"unknown proxy transform {transform!r}; choose 'none' or 'log'")
        out = self.scores.copy()
        for j in self.heavy_tailed():
            c = out[:, j]
            f = np.abs(c[np.isfinite(c)])
            scale = float(np.median(f)) if f.size and np.median(f) > 0 else (float(f.max()) if f.size and f.max() > 0 else 1.0)
            out[:, j] = np.arcsinh(c / scale)
        return out

    def heavy_tailed(self) -> list[int]:
        """Indices of the proxy columns whose |skewness| over the pool exceeds `HEAVY_TAIL_SKEW`."""
        out = []
        for j in range(self.scores.shape[1]):
            f = self.scores[:, j][np.isfinite(self.scores[:, j])]
            if f.size < 3 or f.std() == 0:
                continue
            z = (f - f.mean()) / f.std()
            if abs(float(np.mean(z**3))) > HEAVY_TAIL_SKEW:
                out.append(j)
        return out


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
    cell) are read as NaN. With the default file, ``"meco"`` in `names` adds archscout's bundled MeCo
    scores of the same cells (`MECO_FILE`) as one more column.
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
    if path == DEFAULT_PROXY_FILE and names is not None and "meco" in names and "meco" not in columns:
        meco = load_proxy_table(MECO_FILE, space, ["meco"])  # the same 9,445 cells
        full, columns = np.column_stack([full, meco.rows(archs)[:, 0]]), columns + ["meco"]
    return ProxyTable(space, archs, tuple(columns), full, str(path)).select(list(names))
