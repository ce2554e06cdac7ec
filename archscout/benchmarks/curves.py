"""Replayed learning curves: a study "trains" a network by reading its recorded curve epoch by epoch.

Each epoch is reported with ``trial.report(value, epoch)`` and the pruner is asked after it, so
early stopping acts exactly as in live training; the cost is the number of epochs replayed.

* :class:`CurveReplay`: an Optuna objective over the rows of a :class:`CurveSet` (Baker's CSVs,
  NAS-Bench-201 curves, LCBench). Trial ``i`` trains curve ``order[i]`` (a seeded random order =
  random search) and records its features as the user attr ``features``.
* :func:`curve_benchmark`: a curve CSV whose rows are architectures of a space (column ``arch``,
  e.g. NAS-Bench-201's ``learning_curves_cifar10.csv``) as a :class:`TabularBenchmark` over
  :class:`SubsetSpace` (only the architectures that have a curve) plus the curves, for
  ``archscout search --curves``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from archscout.benchmarks.tabular import Table, TabularBenchmark
from archscout.errors import ArchscoutError
from archscout.estimation.curves.data import CurveSet, read_curves
from archscout.spaces.base import Arch, SearchSpace


class CurveReplay:
    """Objective replaying curves of a CurveSet; returns the final value, or prunes."""

    def __init__(self, cs: CurveSet, order: Sequence[int] | None = None, seed: int = 0) -> None:
        self.cs = cs
        self.start = 1 if cs.untrained else 0  # epoch 0 (untrained) is not a training epoch
        self.order = np.asarray(order if order is not None else np.random.default_rng(seed).permutation(len(cs)))

    def __call__(self, trial: optuna.Trial) -> float:
        i = int(self.order[trial.number % len(self.order)])
        trial.set_user_attr("curve", i)
        trial.set_user_attr("features", [float(v) for v in self.cs.features[i]])
        curve = self.cs.curves[i, self.start:]
        for e, v in enumerate(curve, start=1):
            trial.report(float(v), e)
            if trial.should_prune():
                trial.set_user_attr("cost_epochs", e)
                raise optuna.TrialPruned()
        trial.set_user_attr("cost_epochs", len(curve))
        return float(curve[-1])


class SubsetSpace(SearchSpace):
    """A space restricted to the architectures that have data (e.g. the 200 cells with curves).

    Sampling, mutation and neighbours stay inside the subset; an architecture from outside (an
    Optuna sampler choosing each decision independently) maps to the nearest one inside (fewest
    differing decisions, then table order).
    """

    def __init__(self, base: SearchSpace, archs: Sequence[Arch]) -> None:
        if not archs:
            raise ArchscoutError("a subset space needs at least one architecture")
        self.base = base
        self.archs = list(dict.fromkeys(archs))
        self._set = set(self.archs)
        self.name = base.name

    def _nearest(self, arch: Arch) -> Arch:
        if arch in self._set:
            return arch
        a = np.array(arch)
        d = [int(np.sum(np.array(b) != a)) for b in self.archs]
        return self.archs[int(np.argmin(d))]

    def sample(self, rng: np.random.Generator) -> Arch:
        return self.archs[int(rng.integers(len(self.archs)))]

    def mutate(self, arch: Arch, rng: np.random.Generator) -> Arch:
        nb = self.neighbours(arch)
        return nb[int(rng.integers(len(nb)))] if nb else self.sample(rng)

    def neighbours(self, arch: Arch) -> list[Arch]:
        return [b for b in self.base.neighbours(arch) if b in self._set]

    def encode(self, arch: Arch, kind: str = "onehot") -> np.ndarray:
        return self.base.encode(arch, kind)

    def encoding_kinds(self) -> tuple[str, ...]:
        return self.base.encoding_kinds()

    def to_string(self, arch: Arch) -> str:
        return self.base.to_string(arch)

    def from_string(self, text: str) -> Arch:
        return self.base.from_string(text)

    def canonical(self, arch: Arch) -> Arch:
        return self.base.canonical(arch)

    def decisions(self) -> dict[str, Sequence[Any]]:
        return self.base.decisions()

    def to_params(self, arch: Arch) -> dict[str, Any]:
        return self.base.to_params(arch)

    def from_params(self, params: dict[str, Any]) -> Arch:
        return self._nearest(self.base.from_params(params))

    def size(self) -> int:
        return len(self.archs)

    def enumerate(self) -> Iterator[Arch]:
        return iter(self.archs)

    def __getattr__(self, name: str) -> Any:  # op_graph, to_module, ... of the base space
        if name == "base":
            raise AttributeError(name)
        return getattr(self.base, name)


def curve_benchmark(path: str | Path, space: SearchSpace, metric: str | None = None,
                    column: str = "curve") -> tuple[TabularBenchmark, dict[str, np.ndarray]]:
    """A tabular benchmark of the curves' final values over the architectures that have a curve,
    and the curves keyed by architecture string (epochs 1..T)."""
    cs = read_curves(path, metric)
    if not cs.ids or cs.ids[0] == "0":
        raise ArchscoutError(f"curve file {str(path)!r} has no 'arch' column naming each curve's architecture")
    archs = [space.from_string(s) for s in cs.ids]
    keys = [space.to_string(a) for a in archs]
    if len(set(keys)) != len(keys):
        raise ArchscoutError(f"curve file {str(path)!r} lists an architecture more than once")
    start = 1 if cs.untrained else 0
    finals = cs.curves[:, -1]
    T = int(cs.n_epochs)
    table = Table(epochs=T, columns={column: finals.astype(float)}, index={k: i for i, k in enumerate(keys)},
                  source=str(path))
    bench = TabularBenchmark(SubsetSpace(space, archs), [table], name=f"curves:{Path(path).name}")
    curves = {k: cs.curves[i, start:] for i, k in enumerate(keys)}
    return bench, curves
