"""Each Domhan family's formula against hand-computed values, and the ML initialisation."""

import math

import numpy as np
import pytest

from archscout.estimation.curves.families import FAMILIES, FAMILY_NAMES, ml_init, refine

E = math.e
HAND = {
    # name: (x, params, value computed by hand from the paper's formula)
    "vap": (2.0, (0.1, -0.4, 0.3), math.exp(0.1 - 0.2 + 0.3 * math.log(2))),
    "pow3": (4.0, (0.9, 0.5, 0.5), 0.65),
    "loglog_linear": (E, (2.0, 1.0), math.log(3.0)),
    "hill3": (2.0, (0.8, 2.0, 2.0), 0.4),
    "log_power": (4.0, (0.9, math.log(2.0), -1.0), 0.6),
    "pow4": (3.0, (1.0, 2.0, 2.0, 1.0), 0.875),
    "mmf": (2.0, (0.9, 0.1, 0.5, 2.0), 0.5),
    "exp4": (4.0, (0.9, 0.5, 0.0, 0.5), 0.9 - math.exp(-1.0)),
    "janoschek": (4.0, (0.9, 0.1, 0.5, 0.5), 0.9 - 0.8 * math.exp(-1.0)),
    "weibull": (4.0, (0.9, 0.1, 0.25, 2.0), 0.9 - 0.8 * math.exp(-1.0)),
    "ilog2": (E - 1.0, (0.8, 0.3), 0.5),
}


def test_there_are_the_papers_eleven_families():
    assert set(FAMILY_NAMES) == set(HAND) and len(FAMILY_NAMES) == 11


@pytest.mark.parametrize("name", sorted(HAND))
def test_formula_matches_hand_value(name):
    x, params, want = HAND[name]
    fam = FAMILIES[name]
    assert fam.n_params == len(params)
    got = fam(np.array([x]), np.array([params]))[0, 0]
    assert got == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("name", sorted(HAND))
def test_batched_evaluation_matches_one_by_one(name):
    fam = FAMILIES[name]
    rng = np.random.default_rng(0)
    lo, hi = np.array(fam.lower), np.array(fam.upper)
    thetas = lo + (hi - lo) * rng.uniform(0.3, 0.7, size=(5, fam.n_params))
    x = np.arange(1, 11, dtype=float)
    batch = fam(x, thetas)
    for i in range(5):
        np.testing.assert_allclose(batch[i], fam(x, thetas[i])[0])


TRUE = {
    "pow3": (0.85, 0.6, 0.7),
    "weibull": (0.9, 0.2, 0.1, 1.2),
    "janoschek": (0.8, 0.1, 0.3, 0.8),
    "mmf": (0.9, 0.1, 0.2, 1.5),
    "ilog2": (0.9, 0.4),
    "hill3": (0.85, 1.5, 4.0),
}


@pytest.mark.parametrize("name", sorted(TRUE))
def test_ml_init_recovers_a_noise_free_curve(name):
    fam = FAMILIES[name]
    x = np.arange(1, 31, dtype=float)
    z = fam(x, np.array([TRUE[name]]))[0]
    theta, sse = ml_init(fam, x[:15], z[:15])
    theta, sse = refine(fam, x[:15], z[:15], theta)
    assert sse < 1e-5
    # the fitted curve extrapolates to the truth at epoch 30
    assert fam(x, theta)[0, -1] == pytest.approx(z[-1], abs=0.02)
