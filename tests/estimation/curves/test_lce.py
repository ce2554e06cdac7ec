"""Domhan's ensemble: fast and MCMC modes agree on curves drawn from the model; bad input."""

import math

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.curves import DomhanLCE, InsufficientData, Metric
from archscout.estimation.curves.families import FAMILIES


def synthetic(seed: int, n: int = 50, noise: float = 0.01):
    """A curve from the model: a weighted sum of two families plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    x = np.arange(1, n + 1, dtype=float)
    f1 = FAMILIES["pow3"](x, np.array([[0.8 + 0.05 * seed, 0.55, 0.6]]))[0]
    f2 = FAMILIES["weibull"](x, np.array([[0.85, 0.15, 0.08, 1.0]]))[0]
    clean = 0.6 * f1 + 0.4 * f2
    return x, clean, clean + noise * rng.standard_normal(n)


@pytest.mark.parametrize("seed", [0, 1])
def test_fast_and_mcmc_agree_on_curves_from_the_model(seed):
    x, clean, y = synthetic(seed)
    k = 20
    fast = DomhanLCE(Metric(), horizon=50, mode="fast", seed=seed).fit(x[:k], y[:k]).predict([50])
    mcmc = DomhanLCE(Metric(), horizon=50, mode="mcmc", nsteps=700, burn=400, seed=seed).fit(x[:k], y[:k]).predict([50])
    truth = clean[-1]
    for p in (fast, mcmc):  # both cover the true final value
        assert abs(p.mean[0] - truth) < 3 * p.std[0] + 0.01
        assert 0.002 < p.std[0] < 0.15
    assert abs(fast.mean[0] - mcmc.mean[0]) < 0.03
    for best in (truth - 0.05, truth, truth + 0.05):
        assert abs(fast.prob_better(best) - mcmc.prob_better(best)) < 0.35
    assert fast.prob_better(truth - 0.1) > 0.9 and fast.prob_better(truth + 0.1) < 0.1


def model_curve(rng: np.random.Generator, n: int = 50, noise: float = 0.01):
    """One of four families with random parameters in a plausible range, plus Gaussian noise."""
    x = np.arange(1, n + 1, dtype=float)
    c = rng.uniform(0.6, 0.9)
    fam, theta = [
        ("pow3", [c, rng.uniform(0.3, 0.6), rng.uniform(0.3, 1.2)]),
        ("weibull", [c, rng.uniform(0.05, 0.2), rng.uniform(0.03, 0.2), rng.uniform(0.7, 1.5)]),
        ("ilog2", [c + 0.1, rng.uniform(0.2, 0.5)]),
        ("janoschek", [c, rng.uniform(0.05, 0.2), rng.uniform(0.02, 0.3), rng.uniform(0.5, 1.2)]),
    ][rng.integers(4)]
    y = FAMILIES[fam](x, np.array([theta]))[0] + noise * rng.standard_normal(n)
    return x, np.clip(y, 0.0, 1.0)


def coverage_and_width(**kw):
    """Share of 40 (curve, cut-off) cases whose true final value lies in the central 90% predictive
    interval, the intervals' median width and the mean PIT (P(final >= truth))."""
    rng = np.random.default_rng(0)
    pit, width = [], []
    for i in range(20):
        x, y = model_curve(rng)
        for k in (10, 20):
            p = DomhanLCE(Metric(), horizon=50, seed=i, **kw).fit(x[:k], y[:k]).predict([50])
            pit.append(p.prob_better(float(y[-1])))
            draws = p.samples[:, 0] + p.noise * np.random.default_rng(i).standard_normal(p.noise.size)
            lo, hi = np.percentile(draws, [5, 95])
            width.append(hi - lo)
    pit = np.array(pit)
    return float(np.mean((pit >= 0.05) & (pit <= 0.95))), float(np.median(width)), float(pit.mean())


def test_fast_mode_is_calibrated_on_curves_from_the_model():
    cover, width, mean_pit = coverage_and_width()
    assert cover >= 0.8  # nominal 0.9; 40 cases: one binomial std is 0.05
    assert width < 0.2  # not calibrated by being uselessly wide (accuracy in [0, 1])
    assert 0.35 < mean_pit < 0.65  # not biased up or down
    # the check has teeth: without tempering and with Gaussian noise the same sampler is over-confident
    cover_plain, width_plain, _ = coverage_and_width(temperature=1.0, noise_dof=math.inf)
    assert cover_plain < 0.8 and width_plain < width


def test_prediction_sharpens_with_more_epochs():
    x, clean, y = synthetic(0)
    sd = [DomhanLCE(Metric(), horizon=50).fit(x[:k], y[:k]).predict([50]).std[0] for k in (8, 20, 40)]
    assert sd[0] > sd[2]


def test_prob_better_is_a_probability_and_decreases_with_the_bar():
    x, _, y = synthetic(1)
    m = DomhanLCE(Metric(), horizon=50).fit(x[:15], y[:15])
    ps = [m.prob_better(50, b) for b in (0.5, 0.8, 0.85, 0.9, 0.99)]
    assert all(0 <= p <= 1 for p in ps)
    assert ps == sorted(ps, reverse=True)
    assert ps[0] > 0.99 and ps[-1] < 0.01


def test_minimised_perplexity_curve():
    x = np.arange(1, 41, dtype=float)
    y = 80 + 200 * x**-0.8
    p = DomhanLCE(Metric.loss(), horizon=40).fit(x[:12], y[:12]).predict([40])
    assert p.mean[0] == pytest.approx(y[-1], rel=0.1)
    # lower is better: P(final <= a value far above the curve) ~ 1
    assert p.prob_better(200.0) > 0.99 and p.prob_better(20.0) < 0.01


def test_short_curves_say_they_have_too_little_data():
    with pytest.raises(InsufficientData, match="too little data"):
        DomhanLCE(Metric(), horizon=20).fit([1, 2], [0.3, 0.4])


def test_nan_and_inf_points_are_dropped():
    x = np.arange(1, 11, dtype=float)
    y = 0.9 - 0.5 * x**-0.7
    bad = y.copy()
    bad[[2, 5]] = [np.nan, np.inf]
    a = DomhanLCE(Metric(), horizon=30).fit(x, bad).predict([30])
    b = DomhanLCE(Metric(), horizon=30).fit(np.delete(x, [2, 5]), np.delete(y, [2, 5])).predict([30])
    assert a.mean[0] == pytest.approx(b.mean[0])
    with pytest.raises(InsufficientData):
        DomhanLCE(Metric(), horizon=30).fit(x, np.full(10, np.nan))


def test_constant_curve_predicts_the_constant():
    p = DomhanLCE(Metric(), horizon=30).fit(np.arange(1, 9), np.full(8, 0.1)).predict([30])
    assert np.isfinite(p.mean[0]) and abs(p.mean[0] - 0.1) < 0.05
    assert p.prob_better(0.5) < 0.01


def test_out_of_range_values_are_an_error():
    with pytest.raises(ArchscoutError, match="outside the declared metric range"):
        DomhanLCE(Metric(), horizon=30).fit(np.arange(1, 6), [10, 20, 30, 40, 50])  # percent, declared [0, 1]


def test_misuse_is_one_clear_error():
    with pytest.raises(ArchscoutError, match="mode"):
        DomhanLCE(mode="slow")
    with pytest.raises(ArchscoutError, match="families"):
        DomhanLCE(families=("pow3", "nope"))
    with pytest.raises(ArchscoutError, match="horizon"):
        DomhanLCE(horizon=3).fit(np.arange(1, 6), np.linspace(0.1, 0.5, 5))
    with pytest.raises(ArchscoutError, match="fit"):
        DomhanLCE().predict([10])
    with pytest.raises(ArchscoutError, match="temperature"):
        DomhanLCE(temperature=0.5)
    with pytest.raises(ArchscoutError, match="noise_dof"):
        DomhanLCE(noise_dof=0)
    with pytest.raises(ArchscoutError, match="min_temperature"):
        DomhanLCE(min_temperature=0.5)
    with pytest.raises(ArchscoutError, match="effective_points"):
        DomhanLCE(effective_points=0)


def test_temperature_grows_past_twenty_epochs_and_widens_the_posterior():
    """Default temperature max(2, n / 10): 2 up to 20 observed epochs (exactly the fixed-2 fit), then
    n / 10, so a long prefix counts as ~10 independent points and the posterior is wider than at 2."""
    x, _, y = synthetic(0, n=120)
    short = DomhanLCE(Metric(), horizon=120).fit(x[:15], y[:15])
    fixed = DomhanLCE(Metric(), horizon=120, temperature=2.0).fit(x[:15], y[:15])
    assert short.temperature_ == 2.0
    assert np.array_equal(short.predict([120]).samples, fixed.predict([120]).samples)
    long = DomhanLCE(Metric(), horizon=120).fit(x[:80], y[:80])
    long2 = DomhanLCE(Metric(), horizon=120, temperature=2.0).fit(x[:80], y[:80])
    assert long.temperature_ == 8.0 and long2.temperature_ == 2.0
    assert long.predict([120]).std[0] > long2.predict([120]).std[0]
    assert DomhanLCE(Metric(), horizon=120, min_temperature=1.0).fit(x[:5], y[:5]).temperature_ == 1.0


def test_warmup_leaves_leading_points_out_of_the_fit():
    """warmup=k fits the curve without its first k points (the same fit as on the shortened curve);
    "auto" leaves out a first point whose jump to the second exceeds twice the rise after it (LCBench's
    first epoch, which makes every family run flat below the curve), and nothing on a smooth curve."""
    x = np.arange(1, 10, dtype=float)
    y = np.array([3.4, 56.4, 57.3, 57.8, 58.3, 58.9, 59.6, 60.4, 61.3])  # LCBench 7593, one configuration
    m = Metric(lower=0.0, upper=100.0)
    one = DomhanLCE(m, horizon=52, warmup=1).fit(x, y)
    ref = DomhanLCE(m, horizon=52).fit(x[1:], y[1:])
    assert one.warmup_ == 1
    assert np.array_equal(one.predict([52]).samples, ref.predict([52]).samples)
    auto = DomhanLCE(m, horizon=52, warmup="auto").fit(x, y)
    assert auto.warmup_ == 1
    assert auto.predict([52]).mean[0] == pytest.approx(one.predict([52]).mean[0])
    # fitted with the jump, every family bends to it and the forecast is lower; without it, above the last value
    assert DomhanLCE(m, horizon=52).fit(x, y).predict([52]).mean[0] < auto.predict([52]).mean[0]
    assert auto.predict([52]).mean[0] > y[-1]
    smooth = 0.9 - 0.5 * x**-0.7
    assert DomhanLCE(Metric(), horizon=52, warmup="auto").fit(x, smooth).warmup_ == 0
    # never fewer than min_points left
    assert DomhanLCE(Metric(), horizon=52, warmup=5).fit(x[:4], smooth[:4]).warmup_ == 1
    for bad in (-1, 1.5, "first", True):
        with pytest.raises(ArchscoutError, match="warmup"):
            DomhanLCE(warmup=bad)


# Two real prefixes whose ML fit sits on a prior's edge, so that most starting jitters are refused: a steep
# MetaQNN curve (metaqnn_cifar10 curve 635, 4 of 20 epochs) and a falling NAS-Bench-201 one (curve 185, 40 of
# 200 epochs). emcee refused the stacked walkers this left ("large condition number") and the fit crashed.
EDGE_CURVES = [
    (Metric(), 20, [0.2712, 0.4082, 0.5038, 0.5992]),
    (Metric.accuracy(True), 200, [23.3013, 24.3667, 28.5267, 29.4627, 29.756, 29.02, 32.1413, 28.112, 28.0853, 28.556,
                                  27.3307, 31.3307, 33.0827, 37.8213, 28.7067, 31.1893, 30.052, 33.168, 28.0413,
                                  33.5213, 30.7773, 31.7093, 26.504, 29.7987, 26.1947, 29.3093, 26.9787, 21.364,
                                  22.2933, 26.936, 24.2867, 33.1413, 28.1133, 28.1893, 22.4747, 27.5027, 17.2267,
                                  20.728, 15.192, 19.964]),
]


@pytest.mark.parametrize("metric, horizon, y", EDGE_CURVES)
def test_mcmc_starts_from_distinct_walkers_when_the_fit_sits_on_a_prior_edge(metric, horizon, y):
    x = np.arange(1, len(y) + 1, dtype=float)
    seed = 635 if horizon == 20 else 185
    m = DomhanLCE(metric, horizon=horizon, mode="mcmc", seed=seed, nsteps=150, burn=50)
    pred = m.fit(x, np.array(y)).predict([horizon])
    assert np.isfinite(pred.mean[0]) and pred.std[0] > 0
    assert metric.lower <= pred.mean[0] <= metric.upper
    # the posterior draws are spread, not one stacked point
    assert len(np.unique(m._theta_s, axis=0)) > 10
