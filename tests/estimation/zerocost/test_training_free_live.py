"""Helpers of benchmarks/training_free_live.py: the exact random-search expectation and REA on a finite pool."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "training_free_live.py"
spec = importlib.util.spec_from_file_location("training_free_live", SCRIPT)
live = importlib.util.module_from_spec(spec)
spec.loader.exec_module(live)


def test_expected_random_best_is_exact() -> None:
    vals = np.array([3.0, 1.0, 4.0, 1.5, 9.0, 2.6])
    for t in (1, 2, 3, 6):
        brute = np.mean([max(c) for c in itertools.combinations(vals, t)])
        assert abs(live.expected_random_best(vals, t) - brute) < 1e-12


def test_rea_and_random_query_distinct_pool_cells() -> None:
    rng = np.random.default_rng(0)
    archs = list({tuple(int(x) for x in rng.integers(0, 5, size=6)) for _ in range(40)})
    oracle = {a: float(rng.normal()) for a in archs}
    for run in (live.run_rea, live.run_random):
        v = run(archs, oracle, 15, seed=3)
        assert len(v) == 15 and len(set(v)) == 15 and set(v) <= set(archs)
        assert v == run(archs, oracle, 15, seed=3)  # seeded
    assert sorted(live.run_rea(archs, oracle, len(archs), seed=0)) == sorted(archs)  # it can exhaust the pool
