"""A small exact Gaussian process on architecture encodings, with marginal-likelihood fitting.

Written by hand (not scikit-learn) because BO refits it after every query: with the analytic
gradient of the marginal likelihood a fit takes milliseconds for a few hundred points.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits


def _sqdist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def matern52(d2: np.ndarray, lengthscale: float) -> np.ndarray:
    r = np.sqrt(5.0 * d2) / lengthscale
    return (1.0 + r + r * r / 3.0) * np.exp(-r)


class GPRegressor:
    """Zero-mean GP on standardised targets; Matérn-5/2 kernel on the encoding's Euclidean distance.

    Hyperparameters (lengthscale, signal variance, noise variance) maximise the log marginal
    likelihood. `predict` returns mean and standard deviation in the original units.
    """

    def __init__(self, noise_floor: float = 1e-6, restarts: int = 2, seed: int = 0) -> None:
        self.noise_floor = noise_floor
        self.restarts = restarts
        self.seed = seed

    def _nll(self, theta: np.ndarray, d2: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log marginal likelihood and its analytic gradient in (log ls, log sig, log noise)."""
        ls, sig, noise = np.exp(theta)
        r = np.sqrt(5.0 * d2) / ls
        e = np.exp(-r)
        m = (1.0 + r + r * r / 3.0) * e
        n = len(y)
        k = sig * m + (noise + self.noise_floor) * np.eye(n)
        try:
            c, low = cho_factor(k, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            return 1e10, np.zeros(3)
        alpha = cho_solve((c, low), y, check_finite=False)
        nll = float(0.5 * y @ alpha + np.log(np.diag(c)).sum())
        w = cho_solve((c, low), np.eye(n), check_finite=False) - np.outer(alpha, alpha)
        dk = (
            sig * (r * r / 3.0) * (1.0 + r) * e,  # d K / d log lengthscale
            sig * m,  # d K / d log signal variance
            noise * np.eye(n),  # d K / d log noise variance
        )
        grad = np.array([0.5 * float(np.sum(w * d)) for d in dk])
        return nll, grad

    def fit(self, x: np.ndarray, y: np.ndarray, theta: np.ndarray | None = None) -> GPRegressor:
        """Fit; with `theta` (log lengthscale, log signal, log noise) given, skip the optimisation."""
        # Small matrices: BLAS threads only add synchronisation (6x slower on a busy 2-core machine).
        with threadpool_limits(1):
            return self._fit(x, y, theta)

    def _fit(self, x: np.ndarray, y: np.ndarray, theta: np.ndarray | None) -> GPRegressor:
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        self.x_ = x
        self.mu_ = float(y.mean())
        self.sd_ = float(y.std()) or 1.0
        ys = (y - self.mu_) / self.sd_
        d2 = _sqdist(x, x)
        if theta is not None:
            return self._factor(np.asarray(theta, float), d2, ys)
        rng = np.random.default_rng(self.seed)
        med = float(np.sqrt(np.median(d2[d2 > 0]))) if np.any(d2 > 0) else 1.0
        starts = [np.log([med, 1.0, 0.1])] + [
            np.log([med * np.exp(rng.normal()), np.exp(rng.normal()), 10 ** rng.uniform(-3, 0)]) for _ in range(self.restarts)
        ]
        bounds = [(np.log(med * 0.05), np.log(med * 20)), (np.log(0.05), np.log(20.0)), (np.log(1e-6), np.log(2.0))]
        best = None
        for s in starts:
            s = np.clip(s, [b[0] for b in bounds], [b[1] for b in bounds])
            r = minimize(self._nll, s, args=(d2, ys), jac=True, method="L-BFGS-B", bounds=bounds)
            if best is None or r.fun < best.fun:
                best = r
        return self._factor(best.x, d2, ys)

    def _factor(self, theta: np.ndarray, d2: np.ndarray, ys: np.ndarray) -> GPRegressor:
        self.theta_ = theta
        ls, sig, noise = np.exp(self.theta_)
        k = sig * matern52(d2, ls) + (noise + self.noise_floor) * np.eye(len(ys))
        self.chol_ = cho_factor(k, lower=True, check_finite=False)
        self.alpha_ = cho_solve(self.chol_, ys, check_finite=False)
        return self

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with threadpool_limits(1):
            return self._predict(x)

    def _predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ls, sig, noise = np.exp(self.theta_)
        ks = sig * matern52(_sqdist(np.asarray(x, float), self.x_), ls)
        mean = ks @ self.alpha_
        v = solve_triangular(self.chol_[0], ks.T, lower=self.chol_[1], check_finite=False)
        var = np.maximum(sig - np.einsum("ij,ij->j", v, v), 1e-12)
        return mean * self.sd_ + self.mu_, np.sqrt(var) * self.sd_
