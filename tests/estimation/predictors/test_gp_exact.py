"""The hand-written GP behind BO: exact posterior (checked against scikit-learn) and a correct gradient."""

import numpy as np
from scipy.optimize import approx_fprime

from archscout.estimation.predictors.gp import GPRegressor, _sqdist


def test_posterior_matches_scikit_learn_with_the_same_hyperparameters():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern

    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 5))
    y = np.sin(x[:, 0]) + 0.1 * rng.normal(size=50)
    gp = GPRegressor().fit(x, y)
    ls, sig, noise = np.exp(gp.theta_)
    ref = GaussianProcessRegressor(ConstantKernel(sig, "fixed") * Matern(ls, "fixed", nu=2.5),
                                   alpha=noise + gp.noise_floor, optimizer=None).fit(x, (y - gp.mu_) / gp.sd_)
    xt = rng.normal(size=(20, 5))
    mean, sd = gp.predict(xt)
    m2, s2 = ref.predict(xt, return_std=True)
    np.testing.assert_allclose(mean, m2 * gp.sd_ + gp.mu_, atol=1e-8)
    np.testing.assert_allclose(sd, s2 * gp.sd_, atol=1e-8)
    # fitting with given hyperparameters reproduces the same posterior without optimising
    again = GPRegressor().fit(x, y, theta=gp.theta_)
    np.testing.assert_allclose(again.predict(xt)[0], mean)


def test_marginal_likelihood_gradient_is_exact():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, (40, 10)).astype(float)
    y = rng.normal(size=40)
    gp = GPRegressor()
    d2 = _sqdist(x, x)
    for theta in (np.log([1.5, 0.8, 0.05]), np.log([4.0, 2.0, 0.5])):
        num = approx_fprime(theta, lambda t: gp._nll(t, d2, y)[0], 1e-6)
        np.testing.assert_allclose(gp._nll(theta, d2, y)[1], num, rtol=1e-4, atol=1e-4)


def test_fitted_gp_interpolates_smooth_data_better_than_the_mean():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, size=(60, 2))
    f = lambda z: np.sin(2 * z[:, 0]) + z[:, 1] ** 2
    gp = GPRegressor().fit(x, f(x))
    xt = rng.uniform(-2, 2, size=(200, 2))
    err = np.mean((gp.predict(xt)[0] - f(xt)) ** 2)
    assert err < 0.05 * np.var(f(xt))
