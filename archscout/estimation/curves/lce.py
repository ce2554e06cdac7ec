"""Parametric learning-curve extrapolation (Domhan, Springenberg & Hutter, IJCAI 2015).

Model: ``y_t = sum_k w_k f_k(t | theta_k) / sum_k w_k + eps``, ``eps ~ N(0, sigma^2)``, over the 11
families of :mod:`.families`. Priors as in the paper: non-negative weights (uniform on [0, 1],
normalised so the ensemble is a convex combination), every parameter uniform on its family's box,
the curve not decreasing (``f(1) <= f(horizon)``) and the predicted final value inside the metric's
valid range. Each family starts at its maximum-likelihood fit.

Two ways to get the posterior:

* ``mode="mcmc"`` (reference): the joint posterior of all parameters, weights and sigma sampled with
  ``emcee``'s affine-invariant ensemble sampler (vectorised over walkers), as in the paper.
* ``mode="fast"``: a linearised Laplace approximation per family around its ML fit (Gauss-Newton
  Hessian plus the box prior's scale, delta-method std of the curve), ensemble weights drawn from
  their prior and importance-weighted by the likelihood, the paper's constraints applied to every
  draw. Same model and priors; a cruder posterior. Milliseconds instead of seconds.
"""

from __future__ import annotations

import math

import numpy as np

from archscout.errors import ArchscoutError
from archscout.estimation.curves.base import (
    CurveModel,
    InsufficientData,
    Metric,
    Normaliser,
    Predictive,
    clean_curve,
)
from archscout.estimation.curves.families import FAMILIES, FAMILY_NAMES, Family, ml_init, refine

SIGMA_MIN = 1e-3  # in normalised units (0.1% of an accuracy range): constant curves still have a likelihood


class DomhanLCE(CurveModel):
    """Weighted ensemble of parametric curves with a Bayesian posterior; ``fit`` then ``predict``.

    Parameters: ``metric`` (direction and valid range), ``horizon`` (the final epoch, used by the
    "not decreasing" prior), ``mode`` ("fast" or "mcmc"), ``families`` (subset of the 11),
    ``n_samples`` (posterior samples kept), ``nwalkers``/``nsteps``/``burn`` for emcee,
    ``min_points`` (fewer usable points -> :class:`InsufficientData`), ``seed``.
    """

    def __init__(
        self,
        metric: Metric | None = None,
        horizon: float | None = None,
        mode: str = "fast",
        families: tuple[str, ...] | None = None,
        n_samples: int = 1000,
        nwalkers: int | None = None,
        nsteps: int = 2000,
        burn: int = 1000,
        min_points: int = 3,
        seed: int | None = 0,
    ) -> None:
        if mode not in ("fast", "mcmc"):
            raise ArchscoutError(f"unknown extrapolation mode {mode!r}; choose 'fast' or 'mcmc'")
        unknown = [f for f in (families or ()) if f not in FAMILIES]
        if unknown:
            raise ArchscoutError(f"unknown curve families {unknown}; choose from {', '.join(FAMILY_NAMES)}")
        if nsteps <= burn:
            raise ArchscoutError("nsteps must exceed burn")
        self.metric = metric or Metric()
        self.horizon = horizon
        self.mode = mode
        self.families = tuple(families) if families else FAMILY_NAMES
        self.n_samples = n_samples
        self.nwalkers = nwalkers
        self.nsteps = nsteps
        self.burn = burn
        self.min_points = max(2, min_points)
        self.seed = seed

    # -- joint parameter vector: [theta_1 .. theta_K, w_1 .. w_K, log sigma] --------------------------

    def _layout(self) -> None:
        fams = [FAMILIES[n] for n in self.families]
        self._fams: list[Family] = fams
        self._slices = []
        i = 0
        for f in fams:
            self._slices.append(slice(i, i + f.n_params))
            i += f.n_params
        self._nt = i
        K = len(fams)
        self._dim = i + K + 1
        self._lo = np.concatenate([np.array(f.lower, float) for f in fams] + [np.zeros(K), [math.log(SIGMA_MIN)]])
        self._hi = np.concatenate([np.array(f.upper, float) for f in fams] + [np.ones(K), [math.log(2.0)]])

    def _curves(self, x: np.ndarray, thetas: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Ensemble values (s, n) for parameter batches thetas (s, nt) and weights w (s, K)."""
        out = np.zeros((thetas.shape[0], x.size))
        wsum = np.sum(w, axis=1, keepdims=True)
        for k, f in enumerate(self._fams):
            out += w[:, k : k + 1] * f(x, thetas[:, self._slices[k]])
        with np.errstate(all="ignore"):
            return out / np.where(wsum > 0, wsum, np.nan)

    def _constraints(self, first_last: np.ndarray) -> np.ndarray:
        """Paper's priors on the ensemble curve: finite, not decreasing, final value in range."""
        f1, fm = first_last[:, 0], first_last[:, 1]
        ok = np.isfinite(f1) & np.isfinite(fm) & (fm >= f1 - 1e-9)
        return ok & (fm >= self._norm.zlo) & (fm <= self._norm.zhi)

    def _log_post(self, xi: np.ndarray) -> np.ndarray:
        xi = np.atleast_2d(xi)
        inside = np.all((xi >= self._lo) & (xi <= self._hi), axis=1) & (np.sum(xi[:, self._nt : -1], axis=1) > 0)
        lp = np.full(xi.shape[0], -np.inf)
        if not inside.any():
            return lp
        v = xi[inside]
        fc = self._curves(self._xall, v[:, : self._nt], v[:, self._nt : -1])
        n = self._z.size
        ok = self._constraints(fc[:, n:]) & np.all(np.isfinite(fc[:, :n]), axis=1)
        sigma = np.exp(v[:, -1])
        r = fc[:, :n] - self._z[None, :]
        ll = -n * np.log(sigma) - 0.5 * np.sum(r * r, axis=1) / sigma**2
        lp[np.flatnonzero(inside)] = np.where(ok, ll, -np.inf)
        return lp

    # -- fitting -----------------------------------------------------------------------------------

    def fit(self, epochs: np.ndarray, values: np.ndarray) -> DomhanLCE:
        """Fit to one partial curve. NaN/inf points are dropped; values outside the metric's declared
        range raise ArchscoutError; fewer than ``min_points`` usable points raise InsufficientData."""
        x, y = clean_curve(epochs, values, self.min_points)
        self.metric.check(y)
        self._layout()
        self._norm = Normaliser.for_curve(self.metric, y)
        z = self._norm.z(y)
        self._x, self._z = x, z
        m = float(self.horizon) if self.horizon is not None else float(x[-1])
        if m < x[-1]:
            raise ArchscoutError(f"horizon {m:g} is before the last observed epoch {x[-1]:g}")
        self._xall = np.concatenate([x, [1.0, m]])
        rng = np.random.default_rng(self.seed)
        thetas, sse = [], []
        for f in self._fams:
            t, s = ml_init(f, x, z)
            if self.mode == "mcmc":
                t, s = refine(f, x, z, t)
            thetas.append(t)
            sse.append(s)
        self.theta_ml_ = np.concatenate(thetas)
        self.sse_ml_ = np.array(sse)
        if self.mode == "mcmc":
            self._fit_mcmc(rng)
        else:
            self._fit_fast(rng)
        return self

    def _fit_fast(self, rng: np.random.Generator) -> None:
        """Linearised Laplace per family + importance-sampled ensemble weights.

        Each family k: ML fit, Laplace covariance ``Sigma_k = s_k^2 (J^T J + s_k^2 P)^-1`` (P: the box
        prior's precision), and the delta-method std of its curve at any epoch. A posterior draw
        shares one standard-normal ``eps`` across families (the same data constrain them all) and
        draws weights from the Dirichlet prior, importance-weighted by the profile likelihood of the
        weighted ML curves. Draws violating the paper's constraints are dropped.
        """
        x, z = self._x, self._z
        n, S, K = z.size, self.n_samples, len(self._fams)
        self._cov = []
        F_hat = np.empty((K, self._xall.size))
        for k, f in enumerate(self._fams):
            t = self.theta_ml_[self._slices[k]]
            lo, hi = np.array(f.lower), np.array(f.upper)
            F_hat[k] = f(self._xall, t)[0]
            J = self._family_jac(k, x)
            s2 = self.sse_ml_[k] / max(n - t.size, 1) if np.isfinite(self.sse_ml_[k]) else 1.0
            s2 = max(s2, SIGMA_MIN**2)
            prec = J.T @ J / s2 + np.diag((4.0 / (hi - lo)) ** 2)
            try:
                self._cov.append(np.linalg.inv(prec))
            except np.linalg.LinAlgError:
                self._cov.append(np.diag(((hi - lo) / 4.0) ** 2))
        usable = np.all(np.isfinite(F_hat), axis=1)
        F0 = np.where(usable[:, None], F_hat, 0.0)
        M = 2 * S
        w = rng.exponential(size=(M, K)) * usable[None, :]  # normalised: Dirichlet(1, ..., 1)
        w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        fc = w @ F0
        sse = np.sum((fc[:, :n] - z[None, :]) ** 2, axis=1)
        sigma = np.sqrt(np.maximum(sse / max(n - 1, 1), SIGMA_MIN**2))
        logw = -n * np.log(sigma) - 0.5 * sse / sigma**2
        pw = np.exp(logw - logw.max())
        idx = rng.choice(M, size=S, p=pw / pw.sum())
        self._w_s, self._sigma_s = w[idx], sigma[idx]
        self._eps = rng.standard_normal(S)
        self._theta_s = np.tile(self.theta_ml_, (S, 1))
        ends = self._fast_curves(self._xall[n:])
        ok = self._constraints(ends)
        if not ok.any():
            ok = np.ones(S, bool)
        self._w_s, self._sigma_s, self._eps = self._w_s[ok], self._sigma_s[ok], self._eps[ok]
        self._theta_s = self._theta_s[ok]
        self.acceptance_ = float(ok.mean())

    def _family_jac(self, k: int, x: np.ndarray) -> np.ndarray:
        """d f_k(x) / d theta_k at the ML fit, by one batched finite difference."""
        f = self._fams[k]
        t = self.theta_ml_[self._slices[k]]
        h = 1e-6 * np.maximum(1.0, np.abs(t))
        vals = f(x, np.vstack([t[None, :], t[None, :] + np.diag(h)]))
        J = ((vals[1:] - vals[0][None, :]) / h[:, None]).T
        return np.where(np.isfinite(J), J, 0.0)

    def _fast_curves(self, e: np.ndarray) -> np.ndarray:
        """Draws (s, len(e)) of the ensemble curve under the fast-mode posterior."""
        mean = np.empty((len(self._fams), e.size))
        sd = np.empty_like(mean)
        for k, f in enumerate(self._fams):
            mean[k] = f(e, self.theta_ml_[self._slices[k]])[0]
            G = self._family_jac(k, e)
            sd[k] = np.sqrt(np.maximum(np.einsum("np,pq,nq->n", G, self._cov[k], G), 0.0))
        bad = ~np.all(np.isfinite(mean), axis=1)
        mean[bad], sd[bad] = 0.0, 0.0
        w = self._w_s * ~bad[None, :]
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        return w @ mean + (w @ sd) * self._eps[:, None]

    def _fit_mcmc(self, rng: np.random.Generator) -> None:
        import emcee

        K = len(self._fams)
        D = self._dim
        nw = self.nwalkers or 2 * D + 2
        nw += nw % 2
        w0 = np.ones(K) / K
        fc0 = self._curves(self._x, self.theta_ml_[None], w0[None])[0]
        s0 = math.log(max(np.sqrt(np.mean((fc0 - self._z) ** 2)), SIGMA_MIN * 1.01))
        center = np.clip(np.concatenate([self.theta_ml_, w0, [s0]]), self._lo, self._hi)
        scale = 1e-3 * (self._hi - self._lo)
        p0 = np.empty((nw, D))
        for i in range(nw):
            for _ in range(100):
                cand = np.clip(center + scale * rng.standard_normal(D), self._lo, self._hi)
                if np.isfinite(self._log_post(cand)[0]):
                    break
            else:
                cand = center
            p0[i] = cand
        if not np.isfinite(self._log_post(p0)).any():
            raise InsufficientData("no parameter setting satisfies the priors (curve decreasing or out of range)")
        sampler = emcee.EnsembleSampler(nw, D, self._log_post, vectorize=True)
        sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
        sampler.run_mcmc(p0, self.nsteps, progress=False)
        chain = sampler.get_chain(discard=self.burn, flat=True)
        lp = sampler.get_log_prob(discard=self.burn, flat=True)
        chain = chain[np.isfinite(lp)]
        take = rng.choice(len(chain), size=min(self.n_samples, len(chain)), replace=False)
        chain = chain[take]
        self._theta_s, self._w_s, self._sigma_s = chain[:, : self._nt], chain[:, self._nt : -1], np.exp(chain[:, -1])
        self.acceptance_ = float(np.mean(sampler.acceptance_fraction))

    # -- prediction --------------------------------------------------------------------------------

    def predict(self, epochs: np.ndarray | float) -> Predictive:
        """Posterior predictive of the metric at `epochs` (original units)."""
        if not hasattr(self, "_theta_s"):
            raise ArchscoutError("fit the curve model before predicting")
        e = np.atleast_1d(np.asarray(epochs, float))
        if np.any(e < 1) or not np.all(np.isfinite(e)):
            raise ArchscoutError("epochs to predict must be finite and >= 1")
        fz = self._fast_curves(e) if self.mode == "fast" else self._curves(e, self._theta_s, self._w_s)
        fz = np.clip(fz, self._norm.zlo, self._norm.zhi)
        keep = np.all(np.isfinite(fz), axis=1)
        if not keep.any():
            raise InsufficientData("the posterior gives no finite prediction at these epochs")
        fy = self._norm.y(fz[keep])
        noise = self._sigma_s[keep] * self._norm.b
        return Predictive(e, fy, noise, self.metric)
