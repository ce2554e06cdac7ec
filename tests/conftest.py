"""Shared fixtures: where the published reference data lives (../shared/data beside the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not beside the repository")
    return SHARED_DATA


@pytest.fixture(scope="session")
def nb201_bench():
    from archscout.benchmarks import nb201

    return nb201()


@pytest.fixture
def nb201_canonical_table(tmp_path, nb201_bench) -> Path:
    """A 400-row table (columns arch, acc = NB201 CIFAR-10 test accuracy) of seeded canonical cells, for the
    harness tests that need a table whose every cell has zero-cost scores."""
    import numpy as np

    space = nb201_bench.space
    canon = sorted({space.canonical(a) for a in nb201_bench.archs()})
    pick = np.random.default_rng(0).permutation(len(canon))[:400]
    table = tmp_path / "t.csv"
    table.write_text("arch,acc\n" + "".join(
        f"{space.to_string(canon[i])},{nb201_bench.lookup(canon[i], 'cifar10')}\n" for i in pick))
    return table
