"""Parametric learning-curve extrapolation (Domhan, Springenberg & Hutter, IJCAI 2015).

Model: ``y_t = sum_k w_k f_k(t | theta_k) / sum_k w_k + eps``, ``eps ~ N(0, sigma^2)``, over the 11
families of :mod:`.families`. Priors as in the paper: non-negative weights (uniform on [0, 1],
normalised so the ensemble is a convex combination), every parameter uniform on its family's box,
the curve not decreasing (``f(1) <= f(horizon)``) and the predicted final value inside the metric's
valid range. Each family starts at its maximum-likelihood fit.

Two ways to get the posterior:

* ``mode="mcmc"`` (reference): the joint posterior of all parameters, weights and sigma sampled with
  ``emcee``'s affine-invariant ensemble sampler (vectorised over walkers), as in the paper.
* ``mode="fast"``: each family's posterior by importance sampling from a wide multivariate-t
  proposal around its ML fit (scaled Laplace covariance), under a *tempered* likelihood (power
  1/temperature); ensemble weights drawn from their prior and importance-weighted by the tempered
  likelihood; Student-t observation noise; the paper's constraints applied to every draw. Same
  families and priors, a deliberately wider posterior: the plain Laplace fit was over-confident on
  real curves (negative log-likelihood of the true final value up to 3 nats worse than MCMC on
  NAS-Bench-201). Milliseconds instead of seconds.
"""

from __future__ import annotations

import math

import numpy as np

from archscout.errors import ArchscoutError, check_seed
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
# fast mode's importance sampler: proposals per family, the most observed epochs their likelihood is
# computed on, their multivariate-t dof and scale (x the tempered Laplace covariance); wide and
# heavy-tailed so that the weights, not the proposal, set the shape
PROPOSALS = 400
LIK_POINTS = 30
PROPOSAL_DOF = 4.0
PROPOSAL_SCALE = 2.0


class DomhanLCE(CurveModel):
    """Weighted ensemble of parametric curves with a Bayesian posterior; ``fit`` then ``predict``.

    Parameters: ``metric`` (direction and valid range), ``horizon`` (the final epoch, used by the
    "not decreasing" prior), ``mode`` ("fast" or "mcmc"), ``families`` (subset of the 11),
    ``n_samples`` (posterior samples kept), ``nwalkers``/``nsteps``/``burn`` for emcee,
    ``min_points`` (fewer usable points -> :class:`InsufficientData`), ``seed``; fast mode only:
    ``temperature`` (the likelihood's power is 1/temperature: > 1 widens the posterior; default None =
    ``max(min_temperature, n / effective_points)`` for n observed epochs: a long curve's serially
    correlated residuals count as at most ``effective_points`` independent ones) and ``noise_dof``
    (Student-t noise; ``math.inf`` = Gaussian). Defaults: 3 dof and temperature 2 chosen on development
    curves against the MCMC reference (``benchmarks/curves_cost.py``); the growth beyond 20 epochs,
    ``max(2, n / 10)``, on table (a)'s training curves, which `lce` never uses otherwise
    (``benchmarks/curves_temperature_dev.py``). The temperature used is ``temperature_``.
    ``warmup``: leading observed epochs left out of the fit (an integer, default 0), or "auto" (the first
    one when its step to the second is more than twice the rise after it, e.g. LCBench's first epoch);
    the number left out is ``warmup_``. It sharpens the forecast of such curves (LCBench R² up) but also
    the posterior, and in the pruners it stopped more networks that would have won, so it is off by
    default (BENCHMARKS.md (b), "A first-epoch jump").
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
        temperature: float | None = None,
        noise_dof: float = 3.0,
        effective_points: float = 10.0,
        min_temperature: float = 2.0,
        warmup: int | str = 0,
    ) -> None:
        if mode not in ("fast", "mcmc"):
            raise ArchscoutError(f"unknown extrapolation mode {mode!r}; choose 'fast' or 'mcmc'")
        unknown = [f for f in (families or ()) if f not in FAMILIES] if not isinstance(families, str) else []
        if unknown:
            raise ArchscoutError(f"unknown curve families {unknown}; choose from {', '.join(FAMILY_NAMES)}")
        if nsteps <= burn:
            raise ArchscoutError("nsteps must exceed burn")
        if isinstance(families, str):
            raise ArchscoutError(f"families is a tuple of family names, e.g. ({families!r},), not a string")
        if families is not None and not families:
            raise ArchscoutError("families is empty; leave it None for all 11")
        if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
            raise ArchscoutError(f"n_samples must be an integer >= 1, not {n_samples!r}")
        check_seed(seed, allow_none=True)
        if nwalkers is not None and (not isinstance(nwalkers, (int, np.integer)) or nwalkers < 2):
            raise ArchscoutError(f"nwalkers must be None (2 x dimensions + 2) or an integer >= 2, not {nwalkers!r}")
        if (temperature is not None and not temperature >= 1.0) or not min_temperature >= 1.0:
            raise ArchscoutError("temperature and min_temperature must be >= 1 (temperature None: from the curve)")
        if not noise_dof > 0 or not effective_points > 0:
            raise ArchscoutError("noise_dof and effective_points must be > 0")
        if warmup != "auto" and (isinstance(warmup, bool) or not isinstance(warmup, (int, np.integer)) or warmup < 0):
            raise ArchscoutError(f"warmup must be an integer >= 0 (leading epochs left out of the fit) or 'auto', "
                                 f"not {warmup!r}")
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
        self.temperature = None if temperature is None else float(temperature)
        self.noise_dof = float(noise_dof)
        self.effective_points = float(effective_points)
        self.min_temperature = float(min_temperature)
        self.warmup = warmup if warmup == "auto" else int(warmup)

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
            wk = w[:, k : k + 1]
            out += np.where(wk > 0, wk * f(x, thetas[:, self._slices[k]]), 0.0)
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
        range raise ArchscoutError; fewer than ``min_points`` usable points, or no family (fast mode)
        or parameter setting (MCMC) that satisfies the priors, raise InsufficientData."""
        x, y = clean_curve(epochs, values, self.min_points)
        self.metric.check(y)
        self._layout()
        skip = self._warmup_points(Normaliser.for_curve(self.metric, y).z(y))
        self.warmup_ = skip
        x, y = x[skip:], y[skip:]
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

    def _warmup_points(self, z: np.ndarray) -> int:
        """Leading points left out of the fit (``warmup``), never so many that fewer than ``min_points`` remain.

        "auto": the first point (only that one) when its step to the second is more than twice the whole rise after it,
        i.e. a jump no family's shape continues (LCBench's first epoch, ~9% then ~47% at the second;
        a network that has barely started). Fitted with it, every family bends to the jump and runs
        flat by the last observed epoch, below the curve's own value there."""
        room = max(0, z.size - self.min_points)
        if self.warmup != "auto":
            return min(int(self.warmup), room)
        if room < 1 or z.size < 3:
            return 0
        return int((z[1] - z[0]) > 2.0 * max(z[-1] - z[1], 0.0))

    def _fit_fast(self, rng: np.random.Generator) -> None:
        """Tempered importance sampling around each family's ML fit + Student-t observation noise.

        Family k's posterior by importance sampling. Proposal: multivariate t (``PROPOSAL_DOF``) at
        the ML fit, scale ``PROPOSAL_SCALE`` x the Laplace covariance of the tempered likelihood,
        ``(J^T J / (tau s_k^2) + P)^-1`` (P: the box prior's precision). Target: box prior x the
        family's curve not decreasing x ``SSE^(-n/(2 tau))`` (the Gaussian likelihood with sigma
        integrated out under a 1/sigma prior, to the power 1/tau). This keeps the skewed,
        heavy-tailed posterior of a poorly identified asymptote that a Gaussian at the ML fit cuts
        off. The proposals' SSE is computed on ``LIK_POINTS`` evenly spread observed epochs and
        scaled to all ``n`` (a long curve's neighbouring epochs say nearly the same). Draws are
        resampled in the order of their final value, so draw s takes rank s of every family (the
        same data move all families together, as the old shared-eps Laplace did).

        Ensemble weights: Dirichlet prior, importance-weighted by the tempered profile likelihood of
        the weighted ML curves. Noise: that profile sigma, drawn from a scaled inverse chi^2 with
        ``noise_dof`` degrees of freedom, so the predictive noise is Student-t: real curves leave the
        parametric shapes by more than their residuals show (a cosine schedule's end, a learning-rate
        drop), and under a Gaussian such a miss costs quadratically. Draws violating the paper's
        constraints on the ensemble are dropped.
        """
        x, z = self._x, self._z
        n, S, K, P = z.size, self.n_samples, len(self._fams), PROPOSALS + 1
        tau = self.temperature if self.temperature is not None else max(self.min_temperature, n / self.effective_points)
        self.temperature_ = tau
        sub = np.unique(np.round(np.linspace(0, n - 1, min(n, LIK_POINTS))).astype(int))
        m = sub.size
        xe = np.concatenate([x[sub], self._xall[n:]])
        npar = np.array([f.n_params for f in self._fams])
        TH = np.zeros((K, P, npar.max()))
        F = np.full((K, P, m + 2), np.nan)
        d2 = np.zeros((K, P))  # squared distance from the ML fit in proposal units (0 for the ML fit itself)
        inside = np.zeros((K, P), bool)
        F_hat = np.zeros((K, n))
        usable = np.zeros(K, bool)
        G = rng.standard_normal((K, P - 1, npar.max()))
        U = rng.chisquare(PROPOSAL_DOF, (K, P - 1)) / PROPOSAL_DOF
        for k, f in enumerate(self._fams):
            t = self.theta_ml_[self._slices[k]]
            p = t.size
            f0, J = self._family_jac(k, x)
            r0 = f0 - z
            if not np.all(np.isfinite(r0)):
                continue
            lo, hi = np.array(f.lower, float), np.array(f.upper, float)
            s2 = max(float(r0 @ r0) / max(n - p, 1), SIGMA_MIN**2)
            prec = J.T @ J / (s2 * tau) + np.diag((4.0 / (hi - lo)) ** 2)
            try:
                C = np.linalg.cholesky(np.linalg.inv(prec))
            except np.linalg.LinAlgError:
                C = np.diag((hi - lo) / 4.0)
            g = G[k, :, :p]
            th = np.vstack([t[None, :], t[None, :] + PROPOSAL_SCALE * (g @ C.T) / np.sqrt(U[k])[:, None]])
            TH[k, :, :p] = th
            d2[k, 1:] = np.sum(g * g, axis=1) / U[k]
            inside[k] = np.all((th >= lo) & (th <= hi), axis=1)
            F[k] = f(xe, th)
            F_hat[k] = f0
            usable[k] = True
        with np.errstate(over="ignore", invalid="ignore"):
            sse = np.sum((F[:, :, :m] - z[None, None, sub]) ** 2, axis=2) * (n / m)
            f1, fm = F[:, :, m], F[:, :, m + 1]
            ok = inside & np.isfinite(sse) & np.isfinite(f1) & np.isfinite(fm) & (fm >= f1 - 1e-9)
        usable &= ok.any(axis=1)
        if not usable.any():
            raise InsufficientData("no curve family gives a finite fit that satisfies the priors")
        ok &= usable[:, None]
        log_target = -0.5 * n / tau * np.log(np.maximum(np.where(ok, sse, 1.0), 1e-300))
        log_prop = -0.5 * (PROPOSAL_DOF + npar[:, None]) * np.log1p(d2 / PROPOSAL_DOF)
        lw = np.where(ok, log_target - log_prop, -np.inf)
        lw[~usable] = 0.0
        order = np.argsort(np.where(ok, fm, np.inf), axis=1, kind="stable")  # resampled by final value
        lw = np.take_along_axis(lw, order, axis=1)
        idx = np.take_along_axis(order, _resample(np.exp(lw - lw.max(axis=1, keepdims=True)), S, rng), axis=1)
        rows = np.arange(K)[:, None]
        draws, ends = TH[rows, idx], F[rows, idx, m:]  # (K, S, p_max), (K, S, 2): epoch 1 and the horizon
        for k in np.flatnonzero(~usable):
            draws[k, :, : npar[k]] = self.theta_ml_[self._slices[k]]
            ends[k] = 0.0
        M = 2 * S
        w = rng.exponential(size=(M, K)) * usable[None, :]  # normalised: Dirichlet(1, ..., 1)
        w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        sse_w = np.sum((w @ F_hat - z[None, :]) ** 2, axis=1)
        sigma = np.sqrt(np.maximum(sse_w / max(n - 1, 1), SIGMA_MIN**2))
        logw = (-n * np.log(sigma) - 0.5 * sse_w / sigma**2) / tau
        pick = rng.permutation(_resample(np.exp(logw - logw.max())[None, :], S, rng)[0])
        ws, sig = w[pick], sigma[pick]
        if math.isfinite(self.noise_dof):  # stratified chi^2 quantiles: a stable std at few dof
            from scipy.special import chdtri

            sig = sig * np.sqrt(self.noise_dof / chdtri(self.noise_dof, (rng.permutation(S) + 0.5) / S))
        good = self._constraints(np.einsum("sk,ksm->sm", ws, ends))
        if not good.any():
            good = np.ones(S, bool)
        self._w_s, self._sigma_s = ws[good], sig[good]
        self._theta_s = np.concatenate([draws[k, good, : npar[k]] for k in range(K)], axis=1)
        self.acceptance_ = float(good.mean())

    def _family_jac(self, k: int, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f_k(x), d f_k(x) / d theta_k) at the ML fit, by one batched finite difference."""
        f = self._fams[k]
        t = self.theta_ml_[self._slices[k]]
        h = 1e-6 * np.maximum(1.0, np.abs(t))
        vals = f(x, np.vstack([t[None, :], t[None, :] + np.diag(h)]))
        J = ((vals[1:] - vals[0][None, :]) / h[:, None]).T
        return vals[0], np.where(np.isfinite(J), J, 0.0)

    def _fit_mcmc(self, rng: np.random.Generator) -> None:
        import emcee
        from emcee.ensemble import walkers_independent

        K = len(self._fams)
        D = self._dim
        nw = self.nwalkers or 2 * D + 2
        nw += nw % 2
        w0 = np.ones(K) / K
        fc0 = self._curves(self._x, self.theta_ml_[None], w0[None])[0]
        s0 = math.log(max(np.sqrt(np.mean((fc0 - self._z) ** 2)), SIGMA_MIN * 1.01))
        center = np.clip(np.concatenate([self.theta_ml_, w0, [s0]]), self._lo, self._hi)
        scale = 1e-3 * (self._hi - self._lo)
        p0 = self._initial_walkers(center, scale, nw, rng)
        sampler = emcee.EnsembleSampler(nw, D, self._log_post, vectorize=True)
        sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
        # still dependent only when even the smallest jitters break the priors: sample anyway, never crash
        sampler.run_mcmc(p0, self.nsteps, progress=False, skip_initial_state_check=not walkers_independent(p0.copy()))
        chain = sampler.get_chain(discard=self.burn, flat=True)
        lp = sampler.get_log_prob(discard=self.burn, flat=True)
        chain = chain[np.isfinite(lp)]
        take = rng.choice(len(chain), size=min(self.n_samples, len(chain)), replace=False)
        chain = chain[take]
        self._theta_s, self._w_s, self._sigma_s = chain[:, : self._nt], chain[:, self._nt : -1], np.exp(chain[:, -1])
        self.acceptance_ = float(np.mean(sampler.acceptance_fraction))

    def _initial_walkers(self, center: np.ndarray, scale: np.ndarray, nw: int, rng: np.random.Generator) -> np.ndarray:
        """nw distinct starting points of positive posterior density, jittered around `center` (the ML fit).

        The ML fit can sit on a prior's edge (a steep curve about to cross the metric's bound, a flat one about
        to decrease), where most jitters are refused or the centre itself is: the jitter shrinks (then, if the
        centre's neighbourhood holds nothing, grows to the whole box), and a walker that finds no point of its
        own starts next to one that did, instead of all of them stacking on the centre (a degenerate ensemble:
        emcee refuses it, and its moves could not leave that subspace).
        """
        def jitter(around: np.ndarray) -> np.ndarray | None:
            for attempt in range(100):  # jitter x 1, 1/2, ..., 1/512, then x 2, 4, ..., 1024 (the whole box)
                f = 0.5 ** (attempt // 5) if attempt < 50 else 2.0 ** ((attempt - 45) // 5)
                cand = np.clip(around + scale * f * rng.standard_normal(len(around)), self._lo, self._hi)
                if np.isfinite(self._log_post(cand)[0]):
                    return cand
            return None

        found = [jitter(center) for _ in range(nw)]
        ok = [p for p in found if p is not None]
        if not ok and np.isfinite(self._log_post(center)[0]):
            ok = [center]
        if not ok:
            raise InsufficientData("no parameter setting satisfies the priors (curve decreasing or out of range)")
        p0 = np.empty((nw, len(center)))
        for i, p in enumerate(found):
            if p is None:
                base = ok[int(rng.integers(len(ok)))]
                p = jitter(base)
                p = base if p is None else p
            p0[i] = p
        return p0

    # -- prediction --------------------------------------------------------------------------------

    def predict(self, epochs: np.ndarray | float) -> Predictive:
        """Posterior predictive of the metric at `epochs` (original units)."""
        if not hasattr(self, "_theta_s"):
            raise ArchscoutError("fit the curve model before predicting")
        e = np.atleast_1d(np.asarray(epochs, float))
        if np.any(e < 1) or not np.all(np.isfinite(e)):
            raise ArchscoutError("epochs to predict must be finite and >= 1")
        fz = self._curves(e, self._theta_s, self._w_s)
        fz = np.clip(fz, self._norm.zlo, self._norm.zhi)
        keep = np.all(np.isfinite(fz), axis=1)
        if not keep.any():
            raise InsufficientData("the posterior gives no finite prediction at these epochs")
        fy = self._norm.y(fz[keep])
        noise = self._sigma_s[keep] * self._norm.b
        return Predictive(e, fy, noise, self.metric)


def _resample(weights: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling of every row of `weights` (r, N): (r, size) indices drawn in proportion
    to the row (one uniform offset per row, so a draw's share deviates from its weight by less than
    1/size), in ascending order."""
    r, N = weights.shape
    c = np.cumsum(weights, axis=1)
    c = c / c[:, -1:] + np.arange(r)[:, None]  # row i's cumulative shares lie in (i, i + 1]
    u = (np.arange(size)[None, :] + rng.uniform(size=(r, 1))) / size + np.arange(r)[:, None]
    j = np.searchsorted(c.ravel(), u.ravel(), side="right").reshape(r, size) - N * np.arange(r)[:, None]
    return np.clip(j, 0, N - 1)
