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

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import optuna

from archscout.benchmarks.tabular import Table, TabularBenchmark
from archscout.errors import ArchscoutError
from archscout.estimation.curves.data import CurveSet, read_curves
from archscout.spaces.base import SearchSpace
from archscout.spaces.subset import SubsetSpace


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
