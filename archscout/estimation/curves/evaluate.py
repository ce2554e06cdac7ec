"""Extrapolation quality on a set of real curves: R², MSE and log-likelihood of the predicted final
value, per method and cut-off (Baker et al.'s protocol: learned methods train on a seeded subset of
the curves and are evaluated on the rest).

Methods:
  ``last``      the last observed value (std: RMS of final - last on the training curves);
  ``curvefit``  least-squares fit of each parametric family, averaged over the families whose
                extrapolation is finite, in range and not decreasing (NNI's curve-fitting assessor
                style, without its MCMC); std = spread over families + fit residual;
  ``lce``       Domhan et al.'s ensemble, fast mode; ``lce_mcmc`` the emcee reference (slow);
  ``svr``, ``rf``, ``bayes_ridge``, ``ensemble``  Baker et al.'s sequential regression.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from archscout.errors import ArchscoutError
from archscout.estimation.curves.base import InsufficientData, Metric, Normaliser
from archscout.estimation.curves.data import CurveSet
from archscout.estimation.curves.families import FAMILIES, ml_init
from archscout.estimation.curves.regression import MODELS as REGRESSORS
from archscout.estimation.curves.regression import SequentialRegressor

METHODS = ("last", "curvefit", "lce", "lce_mcmc") + REGRESSORS
PARAMETRIC = ("curvefit", "lce", "lce_mcmc")


def cutoff_columns(cs: CurveSet, cutoff: float) -> tuple[int, int]:
    """(trained epochs observed, columns of the prefix incl. epoch 0 if the file has it)."""
    T = cs.n_epochs
    tau = int(min(max(1, round(cutoff * T)), T - 1))
    return tau, tau + (1 if cs.untrained else 0)


def gauss_loglik(y: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    sd = np.maximum(sd, 1e-12)
    return -0.5 * ((y - mu) / sd) ** 2 - np.log(sd) - 0.5 * math.log(2 * math.pi)


def curvefit_predict(x: np.ndarray, y: np.ndarray, horizon: float, metric: Metric) -> tuple[float, float]:
    """Least-squares fit per family, mean of the plausible extrapolations (see module doc)."""
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(y) < 2:
        raise InsufficientData("too few points for a curve fit")
    norm = Normaliser.for_curve(metric, y)
    z = norm.z(y)
    preds, sses = [], []
    for fam in FAMILIES.values():
        theta, sse = ml_init(fam, x, z)
        f = fam(np.array([1.0, horizon]), theta)[0]
        if np.all(np.isfinite(f)) and norm.zlo <= f[1] <= norm.zhi and f[1] >= f[0] - 1e-9 and np.isfinite(sse):
            preds.append(f[1])
            sses.append(sse)
    if not preds:
        return float(y[-1]), float(abs(y[-1]) * 0.1 + 1e-6)
    p = np.array(preds)
    resid = math.sqrt(min(sses) / max(len(y) - 1, 1))
    sd_z = math.sqrt(p.var() + resid**2 + 1e-6**2)
    return float(norm.y(np.array([p.mean()]))[0]), float(sd_z * norm.b)


def evaluate(
    cs: CurveSet,
    metric: Metric,
    cutoffs: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5),
    train_size: int = 100,
    seed: int = 0,
    methods: tuple[str, ...] = ("last", "curvefit", "lce", "svr", "rf", "bayes_ridge", "ensemble"),
    max_test: int | None = None,
    n_search: int = 40,
    on_result: Callable[[dict], None] | None = None,
    skip: Callable[[str, float], bool] | None = None,
    anchor: float = 1.0,
    lce_kwargs: dict | None = None,
) -> list[dict]:
    """Every (method, cut-off) on one curve set; one dict per pair with r2, mse, loglik, seconds.
    ``lce_kwargs`` go to :class:`DomhanLCE` (``lce`` / ``lce_mcmc``), e.g. a fixed ``temperature``."""
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise ArchscoutError(f"unknown methods {bad}; choose from {', '.join(METHODS)}")
    final = cs.curves[:, -1]
    usable = np.flatnonzero(np.isfinite(final))
    if len(usable) < train_size + 10:
        raise ArchscoutError(
            f"{cs.source}: {len(usable)} curves with a final value; need --train-size ({train_size}) + 10 for a test set"
        )
    rng = np.random.default_rng(seed)
    perm = rng.permutation(usable)
    tr, te = perm[:train_size], perm[train_size:]
    if max_test is not None:
        te = te[:max_test]
    metric.check(cs.curves[np.isfinite(cs.curves)], what=f"{cs.source} curve")
    y_te = final[te]
    T = float(cs.n_epochs)
    out = []
    for cutoff in cutoffs:
        if not 0 < cutoff < 1:
            raise ArchscoutError(f"cut-off {cutoff} must be a fraction of the schedule in (0, 1)")
        tau, ncol = cutoff_columns(cs, cutoff)
        P = cs.curves[:, :ncol]
        x_obs = cs.epochs[:ncol]
        keep_x = x_obs >= 1
        for method in methods:
            if skip is not None and skip(method, cutoff):
                continue
            t0 = time.perf_counter()
            failed = 0
            if method == "last":
                reg = SequentialRegressor("bayes_ridge", metric)
                d = reg._g(final[tr]) - reg._g(P[tr, -1])
                mu = P[te, -1]
                sd_g = float(np.sqrt(np.mean(d**2)))
                sd = np.abs(mu) * sd_g if reg._log else np.full(len(te), sd_g)
                ll = gauss_loglik(y_te, mu, sd)
            elif method in REGRESSORS:
                reg = SequentialRegressor(method, metric, n_search=n_search, seed=seed, anchor=anchor)
                reg.fit(cs.features[tr], P[tr], final[tr])
                mu, sd = reg.predict(cs.features[te], P[te])
                ll = gauss_loglik(y_te, mu, sd)
            else:
                from archscout.estimation.curves.lce import DomhanLCE

                mu, ll = np.empty(len(te)), np.empty(len(te))
                for j, i in enumerate(te):
                    xs, ys = x_obs[keep_x], P[i][keep_x]
                    try:
                        if method == "curvefit":
                            m_, s_ = curvefit_predict(xs, ys, T, metric)
                            mu[j], ll[j] = m_, gauss_loglik(np.array([y_te[j]]), np.array([m_]), np.array([s_]))[0]
                        else:
                            mode = "fast" if method == "lce" else "mcmc"
                            pred = DomhanLCE(metric, horizon=T, mode=mode, seed=seed + int(i),
                                             **(lce_kwargs or {})).fit(xs, ys).predict([T])
                            mu[j], ll[j] = pred.mean[0], pred.logpdf(y_te[j])
                    except InsufficientData:
                        failed += 1
                        mu[j] = ys[np.isfinite(ys)][-1] if np.isfinite(ys).any() else np.nan
                        ll[j] = np.nan
            secs = time.perf_counter() - t0
            err = mu - y_te
            mse = float(np.nanmean(err**2))
            r2 = float(1 - np.nansum(err**2) / np.nansum((y_te - np.nanmean(y_te)) ** 2))
            r = {"source": cs.source, "method": method, "cutoff": cutoff, "epochs_seen": tau,
                 "r2": r2, "mse": mse, "loglik": float(np.nanmean(ll)) if np.isfinite(ll).any() else None,
                 "n_train": int(len(tr)), "n_test": int(len(te)), "failed": failed, "seed": seed,
                 "anchor": anchor if method in REGRESSORS else None,
                 "seconds": secs, "ms_per_curve": 1000 * secs / len(te)}
            out.append(r)
            if on_result is not None:
                on_result(r)
    return out
