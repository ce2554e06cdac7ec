"""Pool smoothing of zero-cost scores (`predictors/pool.py`) and the `ens-et` committee on them."""

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import kendall_tau, make_predictor
from archscout.estimation.predictors.pool import pool_normal_scores, smooth_over_pool
from archscout.spaces.nb201 import NB201Space

SPACE = NB201Space()


@pytest.fixture(scope="module")
def zc_pool(nb201_bench, shared_data):
    """600 canonical cells (seed 0) with their 13 real zero-cost scores and CIFAR-10 accuracy."""
    from archscout.benchmarks.tabular import Table
    from archscout.cli.bench_predictors import ZC_EXCLUDE

    t = Table.from_csv(shared_data / "nb201" / "zero_cost_cifar10.csv", SPACE, epochs=0)
    names = [c for c in t.columns if c not in ZC_EXCLUDE]
    archs = [SPACE.from_string(k) for k in t.index]
    pick = np.random.default_rng(0).permutation(len(archs))[:600]
    archs = [archs[i] for i in pick]
    f = np.array([[t.columns[c][t.row(SPACE, a)] for c in names] for a in archs])
    y = np.array([nb201_bench.lookup(a, "cifar10") for a in archs])
    return archs, f, y, names


def test_smoothing_keeps_what_the_architecture_explains_and_drops_noise(zc_pool):
    archs, f, _, names = zc_pool
    noise = np.random.default_rng(1).normal(size=len(archs))
    out = smooth_over_pool(SPACE, archs, np.column_stack([f[:, names.index("params")], noise]))
    assert out.shape == (len(archs), 4)
    z, smooth = out[:, :2], out[:, 2:]
    assert np.allclose(z, pool_normal_scores(np.column_stack([f[:, names.index("params")], noise])))
    # params is a function of the cell: its smoothed value matches it; pure noise has nothing to keep
    assert np.corrcoef(z[:, 0], smooth[:, 0])[0, 1] > 0.95
    assert abs(np.corrcoef(z[:, 1], smooth[:, 1])[0, 1]) < 0.25


def test_committee_on_smoothed_scores_beats_a_shuffled_label_control(zc_pool):
    archs, f, y, _ = zc_pool
    x = smooth_over_pool(SPACE, archs, f)
    tr, te = np.arange(100), np.arange(200, 600)
    pick = lambda idx: [archs[i] for i in idx]  # noqa: E731
    real = make_predictor("ens-et", SPACE, seed=0).fit(pick(tr), y[tr], x[tr])
    shuffled = make_predictor("ens-et", SPACE, seed=0).fit(pick(tr), np.random.default_rng(2).permutation(y[tr]), x[tr])
    mean, std = real.predict(pick(te), x[te])
    tau, tau_shuffled = kendall_tau(y[te], mean), kendall_tau(y[te], shuffled.predict(pick(te), x[te])[0])
    # measured: 0.82 (real) vs 0.20 (shuffled) on this split
    assert tau > 0.7 and tau > tau_shuffled + 0.5, (tau, tau_shuffled)
    assert np.all(std >= 0)


def test_bad_pools_fail_clearly(zc_pool):
    archs, f, _, _ = zc_pool
    with pytest.raises(ArchscoutError, match="one row per architecture"):
        smooth_over_pool(SPACE, archs, f[:10])
    bad = f.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ArchscoutError, match="column 2 of architecture #3"):
        smooth_over_pool(SPACE, archs, bad)
    with pytest.raises(ArchscoutError, match="at least 50"):
        smooth_over_pool(SPACE, archs[:20], f[:20])
    with pytest.raises(ArchscoutError, match="2 folds"):
        smooth_over_pool(SPACE, archs, f, folds=1)
    with pytest.raises(ArchscoutError, match="not a NAS-Bench-201"):
        smooth_over_pool(SPACE, [(0, 1)] * 60, np.ones((60, 1)))
