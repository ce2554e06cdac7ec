"""Sequential regression for final performance (Baker, Gupta, Raskar & Naik, ICLR-W 2018).

Features of a partially trained network: its architecture features and hyperparameters (log-scaled
when they span orders of magnitude), the observed partial curve, its first and second differences,
and summary statistics (last value, mean of the last points, best value, slope of the last third).
One regressor per cut-off (length of the observed prefix), trained on curves already finished.

Models: ν-SVR with RBF kernel and the paper's random hyperparameter search by cross-validation
(``svr``), random forest (``rf``), Bayesian ridge (``bayes_ridge``), and ``ensemble``, the equal
mixture of the three. Uncertainty: a small bootstrap ensemble's spread plus the cross-validated
residual variance (the mixture's variance for ``ensemble``).

The regression target is ``g(final) - anchor * g(last)`` in the metric's working scale g (log for an
unbounded loss/perplexity). ``anchor=1`` is the change from the last observed value; ``anchor=0``
the final value itself (default 1). A model falls back to (roughly) its mean target on a curve
unlike any it was trained on, e.g. a network still at chance level at the cut-off when none of the
training curves was: with 1 it predicts "stays about where it is", with 0 "ends where the training
curves end", with 0.5 halfway. ``anchor="cv"`` picks the weight from (0, 0.5, 1) by cross-validation
(jointly with the SVR's random search). On Baker's sets at a 25% cut-off (BENCHMARKS.md) 0.5 is better on
both MetaQNN sets and deep_resnets_cifar10 but worse on lstm_ptb, so it is an option, not the default.
"""

from __future__ import annotations

import numpy as np

from archscout.errors import ArchscoutError, check_seed
from archscout.estimation.curves.base import Metric

MODELS = ("svr", "rf", "bayes_ridge", "ensemble")
CV_ANCHORS = (0.0, 0.5, 1.0)  # anchor weights tried by anchor="cv"


def _log_columns(features: np.ndarray) -> np.ndarray:
    """Columns that are positive and span more than a decade are modelled on a log scale."""
    f = features
    if f.size == 0:
        return np.zeros(0, bool)
    pos = np.all(f > 0, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        span = np.nanmax(f, axis=0) / np.where(pos, np.nanmin(f, axis=0), 1.0)
    return pos & (span > 10)


def curve_features(prefix: np.ndarray) -> np.ndarray:
    """Curve part of the feature vector for prefixes (n, tau): values, diffs, second diffs, summaries."""
    p = np.asarray(prefix, float)
    n, tau = p.shape
    d1 = np.diff(p, axis=1)
    d2 = np.diff(p, n=2, axis=1)
    k = min(tau, max(2, tau // 3))  # the tail the slope is fitted on (one point: no slope)
    tail = p[:, -k:]
    t = np.arange(k) - (k - 1) / 2
    slope = tail @ t / (t @ t) if k > 1 else np.zeros(n)
    zero = np.zeros(n)
    summ = np.column_stack([
        p[:, -1], tail.mean(axis=1), p.max(axis=1), p.min(axis=1), slope, d1[:, -1] if tau > 1 else zero,
        # instability: a curve that collapsed before a learning-rate drop often recovers after it
        d1.std(axis=1) if tau > 1 else zero, (d1 < 0).sum(axis=1), p.max(axis=1) - p[:, -1], np.argmax(p, axis=1) / tau,
    ])
    return np.hstack([p, d1, d2, summ])


class SequentialRegressor:
    """Predict the final value of a curve from its first ``tau`` points (fixed cut-off).

    ``fit(features, prefixes, finals)`` then ``predict(features, prefixes) -> (mean, std)``.
    """

    def __init__(
        self,
        model: str = "svr",
        metric: Metric | None = None,
        n_search: int = 40,
        cv: int = 3,
        n_ensemble: int = 5,
        seed: int | None = 0,
        anchor: float | str = 1.0,
    ) -> None:
        if model not in MODELS:
            raise ArchscoutError(f"unknown regression model {model!r}; choose from {', '.join(MODELS)}")
        if not isinstance(cv, (int, np.integer)) or cv < 2:
            raise ArchscoutError(f"cv (cross-validation folds) must be an integer >= 2, not {cv!r}")
        if not isinstance(n_ensemble, (int, np.integer)) or n_ensemble < 1:
            raise ArchscoutError(f"n_ensemble must be an integer >= 1, not {n_ensemble!r}")
        check_seed(seed, allow_none=True)
        self.model = model
        self.metric = metric or Metric()
        self.n_search = n_search
        self.cv = cv
        self.n_ensemble = n_ensemble
        self.seed = seed
        if anchor != "cv":
            try:
                ok = 0 <= float(anchor) <= 1
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ArchscoutError(
                    f"anchor (weight of the last observed value in the target) must be in [0, 1] or 'cv', not {anchor!r}")
            anchor = float(anchor)
        self.anchor = anchor
        self.anchor_ = 1.0 if anchor == "cv" else anchor  # the weight in use ('cv': chosen by fit)

    @property
    def _log(self) -> bool:
        """A positive metric unbounded above (loss, perplexity) is modelled on a log scale."""
        return self.metric.lower >= 0 and not np.isfinite(self.metric.upper)

    def _g(self, y: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(y, 1e-12)) if self._log else np.asarray(y, float)

    def _ginv(self, v: np.ndarray) -> np.ndarray:
        return np.exp(v) if self._log else v

    def _anchor(self, prefixes: np.ndarray) -> np.ndarray:
        """Working-scale value the target is measured from: ``anchor`` x the last observed point."""
        return self.anchor_ * self._g(prefixes)[:, -1]

    def _design(self, features: np.ndarray, prefixes: np.ndarray) -> np.ndarray:
        f = np.asarray(features, float).reshape(len(prefixes), -1)
        if f.shape[1]:
            f = np.where(self._logcols[None, :], np.log(np.where(self._logcols[None, :], np.maximum(f, 1e-300), 1.0)), f)
        return np.hstack([f, curve_features(self._g(prefixes))])

    def _make(self, params: dict, seed: int):
        if self.model == "svr":
            from sklearn.svm import NuSVR

            return NuSVR(kernel="rbf", **params)
        if self.model == "rf":
            from sklearn.ensemble import RandomForestRegressor

            return RandomForestRegressor(n_estimators=100, min_samples_leaf=2, random_state=seed, n_jobs=1)
        from sklearn.linear_model import BayesianRidge

        return BayesianRidge()

    def fit(self, features: np.ndarray, prefixes: np.ndarray, finals: np.ndarray) -> SequentialRegressor:
        if self.model == "ensemble":
            self.members_ = [
                SequentialRegressor(m, self.metric, self.n_search, self.cv, self.n_ensemble, self.seed, self.anchor).fit(
                    features, prefixes, finals)
                for m in ("svr", "bayes_ridge", "rf")
            ]
            self.n_train_ = self.members_[0].n_train_
            return self
        from sklearn.model_selection import KFold, cross_val_predict
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        prefixes = np.asarray(prefixes, float)
        finals = np.asarray(finals, float).ravel()
        if prefixes.ndim != 2 or prefixes.shape[1] < 1:
            raise ArchscoutError("sequential regression needs prefixes of shape (curves, epochs)")
        if len(finals) != len(prefixes):
            raise ArchscoutError(f"{len(prefixes)} prefixes but {len(finals)} final values")
        features = self._features(features, len(prefixes))
        ok = np.all(np.isfinite(prefixes), axis=1) & np.isfinite(finals)
        self.metric.check(prefixes[np.isfinite(prefixes)], what="training curve")
        self.metric.check(finals[np.isfinite(finals)], what="final value")
        ok &= np.all(np.isfinite(features), axis=1)
        if ok.sum() < max(2 * self.cv, 6):
            raise ArchscoutError(
                f"sequential regression needs at least {max(2 * self.cv, 6)} finished curves, got {int(ok.sum())}"
            )
        features, prefixes, finals = features[ok], prefixes[ok], finals[ok]
        self._logcols = _log_columns(features)
        X = self._design(features, prefixes)
        # the target for each candidate anchor weight; CV errors of g(final) are comparable across them
        g_last, g_final = self._g(prefixes)[:, -1], self._g(finals)
        anchors = CV_ANCHORS if self.anchor == "cv" else (self.anchor,)
        targets = {}
        for a in anchors:
            t = g_final - a * g_last
            mu, sd = float(t.mean()), float(t.std() or 1.0)
            targets[a] = (mu, sd, (t - mu) / sd)
        rng = np.random.default_rng(self.seed)
        cv = KFold(self.cv, shuffle=True, random_state=int(rng.integers(2**31)))
        params: dict = {}
        anchor = anchors[0]
        if self.model == "svr":
            # Baker et al.: random search over the SVR hyperparameters, scored by cross-validation.
            from sklearn.model_selection import cross_val_score

            best = (-np.inf, {"C": 1.0, "gamma": "scale", "nu": 0.5}, anchor)
            d = X.shape[1]
            for _ in range(self.n_search):
                cand = {"C": float(10 ** rng.uniform(-1, 3)), "gamma": float(10 ** rng.uniform(-3, 1) / d),
                        "nu": float(rng.uniform(0.1, 0.9))}
                a = anchors[int(rng.integers(len(anchors)))] if len(anchors) > 1 else anchor
                pipe = make_pipeline(StandardScaler(), self._make(cand, 0))
                s = float(np.mean(cross_val_score(pipe, X, targets[a][2], cv=cv, scoring="neg_mean_squared_error")))
                s *= targets[a][1] ** 2
                if s > best[0]:
                    best = (s, cand, a)
            params, anchor = best[1], best[2]
        elif len(anchors) > 1:
            errs = [np.mean((cross_val_predict(make_pipeline(StandardScaler(), self._make({}, 0)), X, targets[a][2],
                                               cv=cv) - targets[a][2]) ** 2) * targets[a][1] ** 2 for a in anchors]
            anchor = anchors[int(np.argmin(errs))]
        self.anchor_ = anchor
        self._ymu, self._ysd, ts = targets[anchor]
        self.params_ = params
        pipe = make_pipeline(StandardScaler(), self._make(params, int(rng.integers(2**31))))
        resid = cross_val_predict(pipe, X, ts, cv=cv) - ts
        self.cv_var_ = float(np.mean(resid**2))
        self.models_ = []
        n = len(X)
        for i in range(self.n_ensemble if self.model != "bayes_ridge" else 1):
            idx = rng.integers(0, n, n) if i > 0 else np.arange(n)
            m = make_pipeline(StandardScaler(), self._make(params, int(rng.integers(2**31))))
            m.fit(X[idx], ts[idx])
            self.models_.append(m)
        self.n_train_ = n
        self.tau_, self.n_features_ = prefixes.shape[1], features.shape[1]
        return self

    @staticmethod
    def _features(features: np.ndarray | None, n: int) -> np.ndarray:
        """(n, f) feature matrix; None means no features (f = 0)."""
        if features is None:
            return np.zeros((n, 0))
        f = np.asarray(features, float)
        if f.ndim == 1 and n == 1:
            f = f[None, :]
        if f.ndim == 1 and f.size == n:
            f = f[:, None]
        if f.ndim != 2 or f.shape[0] != n:
            raise ArchscoutError(f"features must have one row per curve ({n}), got shape {f.shape}")
        return f

    def predict(self, features: np.ndarray, prefixes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predicted final values and their std (original units, first-order delta method)."""
        if self.model == "ensemble" and hasattr(self, "members_"):
            out = [m.predict(features, prefixes) for m in self.members_]
            mus = np.array([o[0] for o in out])
            var = np.array([o[1] ** 2 for o in out])
            mean = mus.mean(axis=0)
            return mean, np.sqrt(np.mean(var + mus**2, axis=0) - mean**2)
        if not hasattr(self, "models_"):
            raise ArchscoutError("fit the sequential regressor before predicting")
        prefixes = np.atleast_2d(np.asarray(prefixes, float))
        if prefixes.ndim != 2 or prefixes.shape[1] != self.tau_:
            raise ArchscoutError(f"this regressor was fitted on {self.tau_}-epoch prefixes; got shape {prefixes.shape}")
        features = self._features(features, len(prefixes))
        if features.shape[1] != self.n_features_:
            raise ArchscoutError(f"this regressor was fitted on {self.n_features_} features; got {features.shape[1]}")
        if not (np.all(np.isfinite(prefixes)) and np.all(np.isfinite(features))):
            raise ArchscoutError("prefixes and features to predict from must be finite (no NaN/inf)")
        self.metric.check(prefixes, what="curve")
        X = self._design(features, prefixes)
        preds = np.array([m.predict(X) for m in self.models_])
        mu_s = preds.mean(axis=0)
        var_s = preds.var(axis=0) + self.cv_var_
        mu_t = mu_s * self._ysd + self._ymu
        sd_t = np.sqrt(var_s) * self._ysd
        mean = self._ginv(self._anchor(prefixes) + mu_t)
        std = mean * sd_t if self._log else sd_t  # delta method on the log scale
        return mean, np.abs(std)


class CutoffRegressors:
    """One :class:`SequentialRegressor` per cut-off, trained on demand from a pool of finished curves.

    This is how a search uses Baker's method: the pool grows as trials finish; the model for
    cut-off tau is refitted when the pool has grown by ``refit_growth`` (fraction) since its fit.
    """

    def __init__(self, model: str = "svr", metric: Metric | None = None, refit_growth: float = 0.2, **kw) -> None:
        self.model = model
        self.metric = metric or Metric()
        self.refit_growth = refit_growth
        self.kw = kw
        # cut-off -> (own rows when fitted, fixed rows when fitted, model)
        self._models: dict[int, tuple[int, int, SequentialRegressor]] = {}

    def predict(self, pool_features: np.ndarray, pool_curves: np.ndarray, features: np.ndarray,
                prefix: np.ndarray, n_fixed: int = 0) -> tuple[float, float]:
        """``n_fixed``: leading pool rows that are always there (a prior); growth is counted on the others,
        so that a large prior does not delay the refits that learn the search's own curves."""
        tau = len(prefix)
        cached = self._models.get(tau)
        n = len(pool_curves) - n_fixed
        if cached is None or cached[1] != n_fixed or n >= max(cached[0] * (1 + self.refit_growth), cached[0] + 1):
            reg = SequentialRegressor(self.model, self.metric, **self.kw).fit(
                pool_features, pool_curves[:, :tau], pool_curves[:, -1])
            self._models[tau] = (n, n_fixed, reg)
            cached = self._models[tau]
        mean, std = cached[2].predict(np.asarray(features, float).reshape(1, -1), np.asarray(prefix, float)[None, :])
        return float(mean[0]), float(std[0])
