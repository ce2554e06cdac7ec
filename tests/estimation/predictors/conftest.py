"""A fixed, real NB201 CIFAR-10 split shared by the predictor tests (bundled table, canonical cells)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def nb201_split(nb201_bench):
    """(train archs, train y, test archs, test y): 100 + 300 canonical cells drawn with seed 0."""
    space = nb201_bench.space
    canon = sorted({space.canonical(a) for a in nb201_bench.archs()})
    y = np.array([nb201_bench.lookup(a, "cifar10") for a in canon])
    perm = np.random.default_rng(0).permutation(len(canon))
    tr, te = perm[:100], perm[-300:]
    return [canon[i] for i in tr], y[tr], [canon[i] for i in te], y[te]
