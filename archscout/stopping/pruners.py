"""Prediction-based early stopping as Optuna pruners: they work in any Optuna study.

A trial reports its learning curve with ``trial.report(value, epoch)`` (epochs 1..max_epochs; a
curve reported from step 0 is read as epoch = step + 1). The metric is *declared* (direction and
valid range) with :class:`~archscout.estimation.curves.base.Metric`; by default it is the study's
direction with an unbounded range.

* :class:`LCEPruner` (Domhan et al. 2015): after ``min_epochs``, stop when
  P(y_final >= y_best) < delta under the parametric-ensemble posterior.
* :class:`BakerPruner` (Baker et al. 2018): stop when the predicted final value plus a margin of
  predictive std is still worse than the best final value seen; the sequential regressor is
  trained on the curves of the trials that completed.

Calibration (``calibrate=True``, the default of both): real curves deviate from any model in ways
its own uncertainty does not show (a learning-rate drop, the end of a cosine schedule), so the
pruner keeps the prediction (mean, std) it made for every trial at every checked epoch, and once
``n_calib`` trials have completed it knows how wrong it was on them: z = (final - mean) / std
(signed so that z > 0 means better than predicted). The rule then stops a trial when the
calibrated optimistic bound ``mean + std * q`` is still worse than the best final value, where q is
the one-sided (1 - delta) Student-t prediction bound of those z at the same epoch
(``mean(z) + t_{n-1}(1 - delta) * sd(z) * sqrt(1 + 1/n)``): bias and over-confidence are measured,
not assumed. A trial is stopped only when this calibrated rule *and* the pruner's own rule agree
(calibration can widen the model's bound, never narrow it: the completed trials are the typical
ones the rule let through, and on Baker's lstm_ptb a few of them were predicted so well that their
z-spread alone stopped the best networks) -- ``combine="both"``, the default. ``combine="calibrated"``
(pruner name ``lce_cal``) lets the calibrated bound decide alone; with the tempered fast posterior
it stops more, but it narrows the wide posterior on LCBench's regular curves and stopped the best
network there (BENCHMARKS.md (c), development seeds 10-12). Until ``n_calib`` completed trials
have a prediction at that epoch, nothing is stopped.
* :class:`EitherPruner` (``lce_baker``): stops a trial when either of the two rules above would; each
  keeps its own calibration. The parametric fit reads the curve's shape alone, the regressor the
  hyperparameters and what finished trials did, so each stops losers the other cannot yet tell apart.
* ``prior``: curves of networks trained before. ``BakerPruner`` trains its regressors on them;
  ``LCEPruner`` measures its errors on them (:class:`PriorCurves`) for its calibration.
* :class:`PredictiveSuccessiveHalvingPruner` / :class:`PredictiveHyperbandPruner`: successive halving
  / Hyperband where trials at a rung are ranked by their *predicted* final value (Baker et al.'s
  Hyperband variant) instead of their current one.

Bad curves never crash a search: too few points, NaN/inf, out-of-range values or a failing fit
keep the trial running (a warning is logged once per trial and reason).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import optuna
from optuna.pruners import BasePruner
from optuna.trial import FrozenTrial, TrialState

from archscout.errors import ArchscoutError, check_seed
from archscout.estimation.curves.base import InsufficientData, Metric

_log = optuna.logging.get_logger("archscout.stopping")


def _metric_for(study: optuna.Study, metric: Metric | None) -> Metric:
    """The declared metric (it must go the study's way), or the study's direction with an unbounded range."""
    d = "maximize" if study.direction == optuna.study.StudyDirection.MAXIMIZE else "minimize"
    if metric is None:
        return Metric(d, -math.inf, math.inf)
    if metric.direction != d:  # it would stop the best trials: misuse, not a bad curve
        raise ArchscoutError(f"the pruner's metric is declared to {metric.direction} but the study's direction is "
                             f"{d}; declare the metric the study optimises")
    return metric


def _check_max_epochs(max_epochs: object) -> None:
    if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)) or max_epochs < 2:
        raise ArchscoutError(f"max_epochs (the full training length) must be an integer >= 2, not {max_epochs!r}")


def trial_curve(trial: FrozenTrial) -> tuple[np.ndarray, np.ndarray]:
    """(epochs >= 1, values) of a trial's reports, sorted; step 0 present -> epochs are steps + 1."""
    iv = trial.intermediate_values
    if not iv:
        return np.zeros(0), np.zeros(0)
    steps = np.array(sorted(iv), float)
    vals = np.array([iv[int(s)] for s in steps], float)
    if steps[0] <= 0:
        steps = steps - steps[0] + 1
    return steps, vals


def _complete_curves(study: optuna.Study) -> list[FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.intermediate_values]


def final_value(trial: FrozenTrial) -> float:
    """A completed trial's final curve value (its last report; the objective value if it reported none)."""
    _, v = trial_curve(trial)
    if v.size and np.isfinite(v[-1]):
        return float(v[-1])
    return float(trial.value) if trial.value is not None else math.nan


def best_final(study: optuna.Study, metric: Metric) -> float | None:
    vals = [final_value(t) for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    vals = [v for v in vals if np.isfinite(v)]
    if not vals:
        return None
    return max(vals) if metric.direction == "maximize" else min(vals)


class _CurvePruner(BasePruner):
    """Common bookkeeping: when to look at a trial, and never letting a bad curve crash the study."""

    #: the earliest epoch a rule can say anything at (a parametric fit needs 3 points)
    min_points = 3

    def __init__(self, max_epochs: int, metric: Metric | None, min_epochs: int | None,
                 checkpoints: tuple[float, ...] | None, n_warmup_trials: int, calibrate: bool = False,
                 delta: float = 0.05, n_calib: int = 5, combine: str = "both") -> None:
        _check_max_epochs(max_epochs)
        if metric is not None and not isinstance(metric, Metric):
            raise ArchscoutError(f"metric must be an archscout Metric (e.g. Metric('maximize', 0, 1)), not {metric!r}")
        self.max_epochs = int(max_epochs)
        self.metric = metric
        # below min_points a check would only log "too little data"
        self.min_epochs = max(self.min_points, int(min_epochs) if min_epochs is not None else int(round(0.1 * max_epochs)))
        if checkpoints is not None and any(not 0 < c < 1 for c in checkpoints):
            raise ArchscoutError("checkpoints are fractions of max_epochs in (0, 1)")
        self.check_epochs = (
            None if checkpoints is None else {max(1, int(round(c * max_epochs))) for c in checkpoints}
        )
        if checkpoints is None and max_epochs > 50:  # every T // 50 epochs: at most ~50 fits / regressors
            self.check_epochs = set(range(self.min_epochs, max_epochs, max_epochs // 50))
        self.n_warmup_trials = n_warmup_trials
        if not 0 < delta < 1:
            raise ArchscoutError("delta must be in (0, 1)")
        if n_calib < 3:
            raise ArchscoutError("n_calib must be at least 3 (a spread needs a few completed trials)")
        if combine not in ("both", "calibrated"):
            raise ArchscoutError(f"unknown combine {combine!r}; choose both or calibrated")
        self.delta = delta
        self.combine = combine
        self.calibrate = calibrate
        self.n_calib = int(n_calib)
        # trial number -> epoch -> (predicted final mean, std): what calibration learns from
        self._preds: dict[int, dict[int, tuple[float, float]]] = {}
        self._warned: set[tuple[int, str]] = set()
        self.decisions: list[dict[str, Any]] = []  # what the pruner decided, for tests and reports

    def _due(self, epochs: np.ndarray) -> bool:
        if epochs.size == 0:
            return False
        e = int(epochs[-1])
        if e < self.min_epochs or e >= self.max_epochs:
            return False
        return self.check_epochs is None or e in self.check_epochs

    def _warn(self, trial: FrozenTrial, why: str, level: int = 30) -> None:
        key = (trial.number, why.split(":")[0])
        if key not in self._warned:
            self._warned.add(key)
            _log.log(level, f"trial {trial.number}: keeping it, cannot extrapolate its curve ({why})")

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        epochs, values = trial_curve(trial)
        if not self._due(epochs):
            return False
        metric = _metric_for(study, self.metric)
        completed = _complete_curves(study)
        # with calibration every due epoch is predicted from the first trial on (the predictions of
        # the trials that complete are what calibrates the rule); without it, only once a decision
        # is possible
        if not self.calibrate and len(completed) < max(1, self.n_warmup_trials):
            return False
        best = best_final(study, metric)
        if best is None and not self.calibrate:
            return False
        try:
            stop, info = self._decide(study, trial, epochs, values, metric, best)
        except InsufficientData as e:  # expected for gappy curves: kept, said at INFO level
            self._warn(trial, str(e), level=20)
            return False
        except ArchscoutError as e:
            self._warn(trial, str(e))
            return False
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as e:  # a numerical failure of a fit
            self._warn(trial, f"{type(e).__name__}: {e}")
            return False
        if self.calibrate:
            epoch = int(epochs[-1])
            self._preds.setdefault(trial.number, {})[epoch] = (info["mean"], info["std"])
            if best is None or len(completed) < max(1, self.n_warmup_trials):
                return False
            q, n = self.calibration(study, metric, epoch, completed)
            if q is None:
                return False
            optimistic = info["mean"] + metric.sign * max(info["std"], 0.0) * q
            calibrated_stop = metric.better(best, optimistic)
            # "both" (default): both must agree: the completed trials are the typical ones the rule
            # let through, and a few of them can be predicted so well that their z-spread is tiny;
            # calibration may widen the model's own bound, never narrow it. "calibrated": the
            # calibrated bound alone (it may also narrow a posterior that is too wide)
            stop = calibrated_stop if self.combine == "calibrated" else bool(stop) and calibrated_stop
            info = {**info, "q": q, "n_calib": n, "optimistic": optimistic}
        if best is None:
            return False
        self.decisions.append({"trial": trial.number, "epoch": int(epochs[-1]), "best": best, "prune": stop, **info})
        return stop

    def calibration(self, study: optuna.Study, metric: Metric, epoch: int,
                    completed: list[FrozenTrial] | None = None) -> tuple[float | None, int]:
        """(q, n): the calibrated (1 - delta) bound on z = sign * (final - mean) / std from the n
        completed trials predicted at `epoch`; q is None while n < n_calib."""
        from scipy.stats import t as student_t

        z = []
        for t in completed if completed is not None else _complete_curves(study):
            p = self._preds.get(t.number, {}).get(epoch)
            f = final_value(t)
            if p is None or not np.isfinite(f) or not np.isfinite(p[0]):
                continue
            sd = max(p[1], 1e-12 * max(1.0, abs(p[0])))
            z.append(metric.sign * (f - p[0]) / sd)
        z.extend(self._prior_errors(metric, epoch, len(z)))
        n = len(z)
        if n < self.n_calib:
            return None, n
        z = np.clip(np.array(z), -1e6, 1e6)
        q = float(z.mean() + student_t.ppf(1 - self.delta, n - 1) * z.std(ddof=1) * math.sqrt(1 + 1 / n))
        return q, n

    def _prior_errors(self, metric: Metric, epoch: int, n_own: int) -> list[float]:
        """Errors z at `epoch` measured on curves trained before this study (none by default)."""
        return []

    def _decide(self, study, trial, epochs, values, metric, best) -> tuple[bool, dict]:
        """(stop by the uncalibrated rule, info with at least the predicted final 'mean' and 'std')."""
        raise NotImplementedError


class PriorCurves:
    """Full learning curves of networks trained before (e.g. on other datasets), and the LCE rule's
    errors on them: z = sign * (final - predicted mean) / predicted std at each cut-off epoch, computed
    the first time a pruner asks for that epoch and kept, so one object shared by many pruners (or
    searches) fits each prior curve once per epoch and setting.

    The parametric ensemble does not learn from other curves, so what transfers is not a prediction but
    how wrong the model is at a given epoch of a schedule (its bias and over-confidence on real curves),
    which the online calibration otherwise learns only after ``n_calib`` trials of the study completed.
    """

    def __init__(self, curves: Any) -> None:
        if isinstance(curves, tuple) and len(curves) == 2:  # (features, curves), as BakerPruner takes
            curves = curves[1]
        try:
            C = np.asarray(curves, dtype=float)
        except (TypeError, ValueError):
            raise ArchscoutError("prior curves must be a numeric array, one row per network") from None
        if C.ndim != 2 or len(C) == 0 or C.shape[1] < 2:
            raise ArchscoutError(f"prior curves must be a 2-d array with one row per network; got shape {C.shape}")
        if not np.all(np.isfinite(C)):
            raise ArchscoutError("prior curves must be finite (no NaN/inf)")
        self.curves = C
        self._z: dict[tuple, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.curves)

    def errors(self, pruner: LCEPruner, metric: Metric, epoch: int) -> np.ndarray:
        """The finite errors z of `pruner`'s model on the prior curves cut at `epoch`."""
        from archscout.estimation.curves.lce import DomhanLCE

        # the fits' seeds do not depend on the pruner's: one cache serves searches of every seed
        key = (epoch, pruner.max_epochs, pruner.mode, tuple(sorted(pruner.lce_kwargs.items())),
               (metric.direction, metric.lower, metric.upper))
        if key not in self._z:
            T = pruner.max_epochs
            e = np.arange(1, epoch + 1, dtype=float)
            z = []
            for i, c in enumerate(self.curves[:, :T]):
                try:
                    metric.check(c, "prior curve")
                    pred = DomhanLCE(metric, horizon=T, mode=pruner.mode, seed=_PRIOR_SEED + i,
                                     **pruner.lce_kwargs).fit(e, c[:epoch]).predict([T])
                except (ArchscoutError, ValueError, FloatingPointError, np.linalg.LinAlgError):
                    continue  # a prior curve the model cannot fit says nothing about its errors
                m, sd = float(pred.mean[0]), float(pred.std[0])
                if np.isfinite(m) and np.isfinite(sd):
                    z.append(metric.sign * (c[-1] - m) / max(sd, 1e-12 * max(1.0, abs(m))))
            self._z[key] = np.array(z)
        return self._z[key]


_PRIOR_SEED = 10**6  # the prior curves' fits draw their own seeds, apart from any trial number's


class LCEPruner(_CurvePruner):
    """Domhan et al.'s rule: stop when P(y_final >= y_best) < delta (after ``min_epochs``).

    ``mode="fast"`` (default, milliseconds) or ``"mcmc"`` (emcee reference, seconds per check).
    ``checkpoints``: fractions of ``max_epochs`` at which to check (default None: every
    ``max(1, max_epochs // 50)`` epochs from ``min_epochs`` on, at most ~50 fits per trial; every
    epoch stops 1.5x earlier than checking every 10% on Baker's MetaQNN curves).
    ``calibrate`` (default True): the rule on the calibrated bound described in the module doc
    instead of the posterior's own P(better) < delta; ``combine`` (default "both"): that bound and
    P(better) < delta must agree, or "calibrated": the bound alone (pruner name ``lce_cal``).
    ``n_calib`` (default 10; it was 5): completed trials before anything is stopped. With 5, the
    first bounds rest on a spread of 5 errors, and on development seeds 10-12 one NAS-Bench-201
    search lost its best network (0.81 points) and one metaqnn_cifar10 search 0.28 points; with 10
    both were clean, at some speed (BENCHMARKS.md, end of (c)).
    ``prior``: full curves of networks trained before (an array with one row per network, at least
    ``max_epochs`` epochs, in this study's metric; or ``(features, curves)``, or a shared
    :class:`PriorCurves`). The rule's errors on them at each checked epoch join the calibration, so it
    can stop trials before ``n_calib`` trials of this study completed; ``keep_prior=False`` uses them only
    until then. Each prior curve is fitted once per checked epoch (~15 ms each), when first needed.
    """

    def __init__(self, max_epochs: int, metric: Metric | None = None, delta: float = 0.05,
                 min_epochs: int | None = None, mode: str = "fast", checkpoints: tuple[float, ...] | None = None,
                 n_warmup_trials: int = 1, seed: int = 0, calibrate: bool = True, n_calib: int = 10,
                 combine: str = "both", prior: Any = None, keep_prior: bool = True, **lce_kwargs: Any) -> None:
        super().__init__(max_epochs, metric, min_epochs, checkpoints, n_warmup_trials, calibrate, delta, n_calib,
                         combine)
        check_seed(seed)
        if prior is not None and not isinstance(prior, PriorCurves):
            prior = PriorCurves(prior)
        if prior is not None and prior.curves.shape[1] < self.max_epochs:
            raise ArchscoutError(f"prior curves have {prior.curves.shape[1]} epochs; the pruner's schedule has "
                                 f"{self.max_epochs}")
        if prior is not None and not calibrate:
            raise ArchscoutError("an LCE prior is used by the calibration; it needs calibrate=True")
        self.prior = prior
        self.keep_prior = bool(keep_prior)
        self.mode = mode
        self.seed = seed
        self.lce_kwargs = lce_kwargs
        from archscout.estimation.curves.lce import DomhanLCE

        try:  # a bad option fails here, not at every check of a running study (where it would keep every trial)
            DomhanLCE(metric, horizon=self.max_epochs, mode=mode, seed=seed, **lce_kwargs)
        except TypeError as e:
            raise ArchscoutError(f"LCEPruner: {e}") from None

    def predict(self, epochs: np.ndarray, values: np.ndarray, metric: Metric, trial_number: int = 0):
        from archscout.estimation.curves.lce import DomhanLCE

        m = DomhanLCE(metric, horizon=self.max_epochs, mode=self.mode, seed=self.seed + trial_number,
                      **self.lce_kwargs)
        return m.fit(epochs, values).predict([self.max_epochs])

    def _prior_errors(self, metric: Metric, epoch: int, n_own: int) -> list[float]:
        if self.prior is None or (not self.keep_prior and n_own >= self.n_calib):
            return []
        return list(self.prior.errors(self, metric, epoch))

    def _decide(self, study, trial, epochs, values, metric, best):
        pred = self.predict(epochs, values, metric, trial.number)
        p = pred.prob_better(best) if best is not None else math.nan
        return bool(p < self.delta), {"p_better": p, "mean": float(pred.mean[0]), "std": float(pred.std[0])}


def _features(trial: FrozenTrial) -> list[float] | None:
    """Architecture features + hyperparameters of a trial: user attr ``features`` if set, else its
    numeric params in name order. None when its ``features`` are not numbers (that trial is left out of
    the regressor's data, and never stopped)."""
    f = trial.user_attrs.get("features")
    if f is not None:
        try:
            v = [float(x) for x in f]
        except (TypeError, ValueError):
            return None
        return v if all(math.isfinite(x) for x in v) else None
    return [float(v) for k, v in sorted(trial.params.items()) if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _full_curves(study: optuna.Study, max_epochs: int) -> list[tuple[list[float], np.ndarray, np.ndarray]]:
    """(features, epochs, first ``max_epochs`` values) of the completed trials with numeric features and a
    finite curve of at least ``max_epochs`` epochs: what a regressor can learn from."""
    out = []
    for t in _complete_curves(study):
        e, v = trial_curve(t)
        f = _features(t)
        if f is not None and e.size >= max_epochs and np.all(np.isfinite(v[:max_epochs])):
            out.append((f, e, v[:max_epochs]))
    return out


def prior_from_study(study: optuna.Study, max_epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """(features, curves) of an earlier study's trials that ran ``max_epochs`` epochs with finite values,
    for ``BakerPruner(prior=...)``: a search of the same space stops sooner when it learns from that one's
    curves. Trials with other numbers of features than the most common are left out (their columns would
    not line up). No usable trial is an error."""
    _check_max_epochs(max_epochs)
    rows = [(f, v) for f, e, v in _full_curves(study, max_epochs)
            if np.array_equal(e[:max_epochs], np.arange(1, max_epochs + 1))]
    if rows:
        widths = [len(f) for f, _ in rows]
        common = max(set(widths), key=widths.count)
        rows = [r for r in rows if len(r[0]) == common]
    if not rows:
        raise ArchscoutError(f"study {study.study_name!r} has no completed trial with a finite curve of "
                             f"{max_epochs} epochs to learn from")
    return np.array([f for f, _ in rows], float).reshape(len(rows), -1), np.array([c for _, c in rows])


class BakerPruner(_CurvePruner):
    """Baker et al.'s rule: stop when predicted final + ``margin`` x std is worse than the best final.

    Needs ``n_train`` completed trials (their full curves train one regressor per checked cut-off).
    ``margin=None`` (default): the one-sided (1 - ``delta``) Student-t quantile with as many degrees of
    freedom as finished curves minus one (the std already holds the cross-validated residual
    variance, so this is a prediction bound, not a fixed 1 std); it is the rule with
    ``calibrate=False``. ``calibrate=True`` (default) replaces it by the online calibration of the
    module doc, which starts once ``n_calib`` trials completed after the regressor existed.
    ``checkpoints``: fractions of ``max_epochs`` at which to check (default 10/20/30/50/75%); None: every
    epoch from ``min_epochs`` on (every ``max_epochs // 50`` on longer schedules). Every epoch is faster on
    Baker's sets but more looks are more chances to stop the best (BENCHMARKS.md, end of (c)).
    The regressor reads the trial's features with the curve, so it may look from the first epoch on
    (``min_epochs`` defaults to 10% of the schedule, at least 1): with the parametric pruner's floor of 3
    epochs, the 10% checkpoint of a 20-epoch schedule (epoch 2) was never checked.
    ``impute``: a trial this pruner stopped at epoch e joins the training set of every cut-off before e,
    with the final value it predicted when it stopped the trial. Without it the regressor of an early
    cut-off learns only from trials that passed every later check too, i.e. whose curves went on well,
    and over-predicts a loser (survivor bias); with it, each cut-off trains on every trial that went past
    it, a set selected on the curve up to that cut-off only. Kept in memory, like the calibration: a
    resumed search starts without the stand-ins (which errs on the side of keeping trials). ``"bound"``
    imputes the optimistic bound that stopped the trial instead (measured slower than no imputation).
    ``guard``: never stop a trial that is at least as good as the best completed trial was at the same epoch
    (alone it kept one best network the default loses and lost another, so it is off by default).
    ``n_train=6, impute=True, guard=True`` is 6-22% faster than the defaults on Baker's sets and LCBench but
    not safer (5 lost best networks in 138 replayed searches against 6, larger ones on LCBench task 7593), so
    the defaults stay (BENCHMARKS.md, end of (c)).
    ``prior``: ``(features, curves)`` of networks trained before, e.g. an earlier search on another dataset
    with the same hyperparameters (one row per network; curves of ``max_epochs`` epochs, features in this
    study's layout). They join every regressor's training data, so the rule can predict from the first
    trial instead of waiting for ``n_train`` finished curves of this study; the online calibration still
    learns only from this study's trials, and is what guards against a prior that does not transfer.
    ``keep_prior=False`` drops the prior once ``n_train`` of this study's curves finished. Measured on
    replayed curves (BENCHMARKS.md (b), "A prior from earlier curves"): an earlier search of the same
    dataset makes the rule clearly faster at the same regret; curves of other datasets (other LCBench
    tasks, the other MetaQNN set) help little or not at all: their cross-dataset errors widen the
    predictive std.
    ``prior_from_study`` reads a prior from an earlier Optuna study.
    """

    min_points = 1

    def __init__(self, max_epochs: int, metric: Metric | None = None, model: str = "svr",
                 margin: float | None = None,
                 min_epochs: int | None = None, checkpoints: tuple[float, ...] | None = (0.1, 0.2, 0.3, 0.5, 0.75),
                 n_train: int = 10, n_search: int = 15, refit_growth: float = 0.25, seed: int = 0,
                 calibrate: bool = True, delta: float = 0.05, n_calib: int = 5, impute: bool | str = False,
                 guard: bool = False, prior: tuple[Any, Any] | None = None, keep_prior: bool = True) -> None:
        self._prior = self._check_prior(prior, max_epochs)
        n_prior = len(self._prior[1]) if self._prior is not None else 0
        super().__init__(max_epochs, metric, min_epochs, checkpoints, max(n_train - n_prior, 6 if not n_prior else 1),
                         calibrate, delta, n_calib)
        check_seed(seed)
        if margin is not None and not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin >= 0):
            raise ArchscoutError(f"margin (std units) must be a finite number >= 0 or None, not {margin!r}")
        if impute not in (True, False, "bound"):
            raise ArchscoutError(f"impute must be True, False or 'bound', not {impute!r}")
        self.impute = impute
        self.guard = guard
        self.keep_prior = bool(keep_prior)
        # trial number -> (epoch it was stopped at, predicted final then): the stand-in final value of a
        # stopped trial in the training set of every earlier cut-off (``impute``)
        self._stopped: dict[int, tuple[int, float]] = {}
        from archscout.estimation.curves.regression import MODELS

        if model not in MODELS:
            raise ArchscoutError(f"unknown regression model {model!r}; choose from {', '.join(MODELS)}")
        self.model = model
        self.margin = margin
        self.n_train = n_train
        self.kw = {"n_search": n_search, "seed": seed}
        self.refit_growth = refit_growth
        self._reg = None

    @staticmethod
    def _check_prior(prior: object, max_epochs: object) -> tuple[np.ndarray, np.ndarray] | None:
        if prior is None:
            return None
        _check_max_epochs(max_epochs)
        try:
            feats, curves = prior  # type: ignore[misc]
            F = np.asarray(feats, dtype=float)
            C = np.asarray(curves, dtype=float)
        except (TypeError, ValueError):
            raise ArchscoutError("prior must be a pair (features, curves) of numeric arrays") from None
        if F.ndim == 1 and len(C) == len(F):
            F = F[:, None]
        if C.ndim != 2 or F.ndim != 2 or len(F) != len(C) or len(C) == 0:
            raise ArchscoutError(f"prior must be (features, curves) with one row per network; got shapes {F.shape} "
                                 f"and {C.shape}")
        if C.shape[1] < int(max_epochs):
            raise ArchscoutError(f"prior curves have {C.shape[1]} epochs; the pruner's schedule has {max_epochs}")
        C = C[:, : int(max_epochs)]
        if not (np.all(np.isfinite(C)) and np.all(np.isfinite(F))):
            raise ArchscoutError("prior curves and features must be finite (no NaN/inf)")
        return F, C

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        stop = super().prune(study, trial)
        if not stop:
            return False
        d = self.decisions[-1]  # a stop always comes with its decision
        if self.guard and self._ahead_of_incumbent(study, trial):
            d.update(prune=False, guard=True)
            return False
        if self.impute:
            v = float(d["mean"])
            if self.impute == "bound":  # the most optimistic of the bounds that stopped it
                sign = _metric_for(study, self.metric).sign
                v = max(v + sign * d["margin"] * d["std"], d.get("optimistic", -sign * math.inf), key=lambda x: sign * x)
            self._stopped[trial.number] = (int(d["epoch"]), v)
        return True

    def _ahead_of_incumbent(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        """Is the trial at least as good now as the best completed trial was at the same epoch?"""
        metric = _metric_for(study, self.metric)
        done = [t for t in _complete_curves(study) if np.isfinite(final_value(t))]
        if not done:
            return False
        inc = max(done, key=lambda t: metric.sign * final_value(t))
        e, v = trial_curve(trial)
        ie, iv = trial_curve(inc)
        at = np.flatnonzero(ie == e[-1])
        return bool(at.size and metric.sign * v[-1] >= metric.sign * iv[at[0]])

    def _pool(self, study: optuna.Study, tau: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(features, curves) of the finished trials; with ``tau`` and ``impute``, also the trials this
        pruner stopped after epoch ``tau``, their final value being its prediction when it stopped them
        (curves then hold ``tau`` epochs and the final value)."""
        return self._rows(study, tau)[:2]

    def _rows(self, study: optuna.Study, tau: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
        """`_pool`, and how many of its rows are finished trials (the rest are stand-ins)."""
        feats, curves = [], []
        if self._use_prior(study):
            PF, PC = self._prior
            feats.extend(list(r) for r in PF)
            curves.extend(PC if tau is None else np.column_stack([PC[:, :tau], PC[:, -1]]))
        for f, _, v in _full_curves(study, self.max_epochs):
            feats.append(f)
            curves.append(v if tau is None else np.append(v[:tau], v[-1]))
        n_done = len(curves)
        if tau is not None and self.impute and self._stopped:
            for t in study.get_trials(deepcopy=False, states=(TrialState.PRUNED,)):
                s = self._stopped.get(t.number)
                if s is None or s[0] <= tau:
                    continue
                e, v = trial_curve(t)
                f = _features(t)
                if (f is not None and e.size >= tau and int(e[tau - 1]) == tau and np.all(np.isfinite(v[:tau]))
                        and np.isfinite(s[1])):
                    feats.append(f)
                    curves.append(np.append(v[:tau], s[1]))
        if not curves:
            return np.zeros((0, 0)), np.zeros((0, self.max_epochs if tau is None else tau + 1)), 0
        nf = min(len(f) for f in feats)
        return np.array([f[:nf] for f in feats], float).reshape(len(feats), nf), np.array(curves), n_done

    def _use_prior(self, study: optuna.Study) -> bool:
        """The prior is used always (``keep_prior``) or until ``n_train`` of this study's curves finished."""
        if self._prior is None:
            return False
        return self.keep_prior or len(_complete_curves(study)) < self.n_train

    def predict(self, study: optuna.Study, trial: FrozenTrial, values: np.ndarray, metric: Metric) -> tuple[float, float]:
        from archscout.estimation.curves.regression import CutoffRegressors

        F, C, n_done = self._rows(study, len(values))  # one pass over the study's trials per check
        if n_done < self.n_train:
            raise InsufficientData(f"too little data: {n_done} fully trained curves, need {self.n_train}")
        if self._reg is None or self._reg.metric != metric:
            self._reg = CutoffRegressors(self.model, metric, self.refit_growth, **self.kw)
        if not np.all(np.isfinite(values)):
            raise InsufficientData("too little data: the curve has NaN/inf points")
        metric.check(values)
        own = _features(trial)
        if own is None:
            raise InsufficientData("too little data: the trial's user attr 'features' are not finite numbers")
        if self._prior is not None and len(own) != self._prior[0].shape[1]:
            raise InsufficientData(f"too little data: the trial has {len(own)} features, the prior "
                                   f"{self._prior[0].shape[1]}")
        f = np.array(own[: F.shape[1]], float)
        if f.size != F.shape[1]:
            raise InsufficientData("too little data: the trial lacks the features the model was trained on")
        return self._reg.predict(F, C, f, values, n_fixed=len(self._prior[1]) if self._use_prior(study) else 0)

    def _decide(self, study, trial, epochs, values, metric, best):
        if epochs.size != int(epochs[-1]):
            raise InsufficientData("too little data: the curve has missing epochs")
        mean, std = self.predict(study, trial, values, metric)
        margin = self.margin
        if margin is None:  # the one-sided (1 - delta) Student-t bound, dof = curves the regressor saw
            from scipy.stats import t as student_t

            margin = float(student_t.ppf(1 - self.delta, max(self._reg_n(study) - 1, 1)))
        optimistic = mean + metric.sign * margin * std
        stop = best is not None and metric.better(best, optimistic)
        return stop, {"mean": mean, "std": std, "margin": margin}

    def _reg_n(self, study: optuna.Study) -> int:
        return len(self._pool(study)[1])


class PredictiveSuccessiveHalvingPruner(BasePruner):
    """Successive halving whose rungs rank trials by their predicted final value.

    Rungs at ``min_resource * reduction_factor**k`` epochs (below ``max_epochs``). At a rung a trial
    goes on if its prediction is in the top 1/reduction_factor of the predictions recorded at that
    rung (Optuna's ASHA rule); ``predictor`` is ``"lce"`` (Domhan, fast mode), ``"baker"`` or
    ``"last"`` (the current value: plain successive halving). A trial whose curve cannot be
    extrapolated is ranked by its current value.
    """

    def __init__(self, max_epochs: int, metric: Metric | None = None, predictor: str = "lce",
                 min_resource: int = 1, reduction_factor: int = 3, bracket: int = 0, seed: int = 0,
                 n_train: int = 10) -> None:
        if predictor not in ("lce", "baker", "last"):
            raise ArchscoutError(f"unknown predictor {predictor!r}; choose lce, baker or last")
        if min_resource < 1 or reduction_factor < 2:
            raise ArchscoutError("min_resource must be >= 1 and reduction_factor >= 2")
        self.max_epochs = int(max_epochs)
        self.metric = metric
        self.predictor = predictor
        self.min_resource = min_resource
        self.eta = reduction_factor
        self.bracket = bracket
        self.rungs = []
        r = min_resource * reduction_factor**bracket
        while r < max_epochs:
            self.rungs.append(int(r))
            r *= reduction_factor
        self._lce = LCEPruner(max_epochs, metric, min_epochs=2, seed=seed)
        self._baker = BakerPruner(max_epochs, metric, min_epochs=1, checkpoints=None, n_train=n_train, seed=seed)
        self.decisions: list[dict[str, Any]] = []

    def _predict(self, study: optuna.Study, trial: FrozenTrial, e: np.ndarray, v: np.ndarray, metric: Metric) -> float:
        try:
            if self.predictor == "lce":
                return float(self._lce.predict(e, v, metric, trial.number).mean[0])
            if self.predictor == "baker":
                return self._baker.predict(study, trial, v, metric)[0]
        except (ArchscoutError, ValueError, FloatingPointError, np.linalg.LinAlgError):
            pass
        return float(v[-1])

    def _key(self, rung: int) -> str:
        return f"archscout:psh:{self.predictor}:b{self.bracket}:rung{rung}"

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        e, v = trial_curve(trial)
        if e.size == 0 or int(e[-1]) not in self.rungs or not np.isfinite(v[-1]):
            return False
        rung = int(e[-1])
        key = self._key(rung)
        if key in trial.system_attrs:
            return False
        metric = _metric_for(study, self.metric)
        pred = self._predict(study, trial, e, v, metric)
        if not np.isfinite(pred):
            pred = float(v[-1])
        study._storage.set_trial_system_attr(trial._trial_id, key, pred)
        competing = [t.system_attrs[key] for t in study.get_trials(deepcopy=False) if key in t.system_attrs
                     and t.number != trial.number] + [pred]
        k = max(len(competing) // self.eta - 1, 0)
        ranked = sorted(competing, reverse=metric.direction == "maximize")
        keep = not metric.better(ranked[k], pred)
        self.decisions.append({"trial": trial.number, "epoch": rung, "pred": pred, "prune": not keep})
        return not keep


class PredictiveHyperbandPruner(BasePruner):
    """Hyperband over :class:`PredictiveSuccessiveHalvingPruner` brackets (trial number -> bracket)."""

    def __init__(self, max_epochs: int, metric: Metric | None = None, predictor: str = "lce",
                 min_resource: int = 1, reduction_factor: int = 3, seed: int = 0) -> None:
        _check_max_epochs(max_epochs)
        if min_resource < 1 or reduction_factor < 2:
            raise ArchscoutError("min_resource must be >= 1 and reduction_factor >= 2")
        n = max(1, int(math.floor(math.log(max_epochs / min_resource, reduction_factor))) + 1)
        self.brackets = [PredictiveSuccessiveHalvingPruner(max_epochs, metric, predictor, min_resource,
                                                           reduction_factor, b, seed) for b in range(n)]

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        return self.brackets[trial.number % len(self.brackets)].prune(study, trial)


class EitherPruner(BasePruner):
    """Stops a trial when any of its pruners would (each asked at every report, so each keeps the
    predictions its own calibration learns from). ``lce_baker``: Domhan's rule or Baker's. Where one
    model cannot tell a loser from a winner the other may: the parametric fit reads the curve's shape
    alone, the regressor reads the hyperparameters and what the finished trials did.
    (``make_pruner("lce_baker", ...)`` builds it with Baker's regressor fitted from 6 finished curves.)

    ``veto`` (default None: off): a stop that one rule wants is vetoed when another rule's latest
    prediction for the trial, mean + ``veto`` x std, is at least as good as the best final value: the
    other model, reading other evidence, still expects it to win. ``veto=0`` asks the other's mean.
    ``veto_by``: the positions of the pruners whose predictions may veto (default: all); ``lce_baker``'s
    ``veto_by=(1,)`` lets Baker's regressor veto Domhan's stops and not the other way round.
    Measured on replayed curves (BENCHMARKS.md (b), "A veto, a more cautious Domhan part"): with ``veto=0``
    it kept none of the networks ``lce_baker`` lost and made the search slower, so it is off by default.
    """

    def __init__(self, *pruners: BasePruner, veto: float | None = None,
                 veto_by: tuple[int, ...] | None = None) -> None:
        if len(pruners) < 2 or not all(isinstance(p, BasePruner) for p in pruners):
            raise ArchscoutError("EitherPruner takes two or more Optuna pruners")
        if veto is not None and not (isinstance(veto, (int, float)) and not isinstance(veto, bool)
                                     and math.isfinite(veto)):
            raise ArchscoutError(f"veto (std units) must be a finite number or None, not {veto!r}")
        if veto_by is not None and veto is None:
            raise ArchscoutError("veto_by says whose predictions may veto a stop; it needs veto (std units)")
        if veto_by is not None and (not all(isinstance(j, int) and 0 <= j < len(pruners) for j in veto_by)):
            raise ArchscoutError(f"veto_by holds positions of the pruners (0 to {len(pruners) - 1}), not {veto_by!r}")
        self.pruners = pruners
        self.veto = veto
        self.veto_by = tuple(range(len(pruners))) if veto_by is None else tuple(veto_by)
        self.vetoed: list[dict[str, Any]] = []  # (trial, epoch, which rule wanted to stop), for tests and reports

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        votes = [p.prune(study, trial) for p in self.pruners]  # a list: every pruner is asked
        if not any(votes) or self.veto is None:
            return any(votes)
        for i, stop in enumerate(votes):
            if stop and not self._vetoed_by_other(study, trial, i):
                return True
        e, _ = trial_curve(trial)
        self.vetoed.append({"trial": trial.number, "epoch": int(e[-1]), "by": [i for i, v in enumerate(votes) if v]})
        return False

    def _vetoed_by_other(self, study: optuna.Study, trial: FrozenTrial, i: int) -> bool:
        """Does a pruner other than the i-th still expect the trial to beat the best (its latest prediction)?"""
        for j, p in enumerate(self.pruners):
            preds = getattr(p, "_preds", {}).get(trial.number) if j != i and j in self.veto_by else None
            if not preds:
                continue
            mean, std = preds[max(preds)]
            metric = _metric_for(study, p.metric)
            best = best_final(study, metric)
            if best is not None and np.isfinite(mean) and not metric.better(
                    best, mean + metric.sign * self.veto * max(std, 0.0)):
                return True
        return False


PRUNERS = ("lce", "lce_cal", "baker", "lce_baker", "median", "hyperband", "sh_lce", "hyperband_lce", "hyperband_baker",
           "none")


def make_pruner(name: str, max_epochs: int, metric: Metric | None = None, seed: int = 0, **kw: Any) -> BasePruner:
    """A pruner by name: lce, lce_cal (lce with combine="calibrated"), baker, lce_baker (either of the two;
    options prefixed ``lce_`` / ``baker_`` go to that one, ``prior`` to both), median, hyperband
    (Optuna's own), sh_lce, hyperband_lce, hyperband_baker (prediction-ranked), none. ``lce_baker``'s Baker
    part defaults to ``n_train=6`` (``baker_n_train``; Baker's rule alone keeps 10). An option the pruner
    does not take is one clear error (Optuna's median / hyperband take only their own few)."""
    known = {"median": {"n_startup_trials", "n_warmup_steps"}, "hyperband": {"min_resource", "reduction_factor"},
             "none": set()}
    if name in known and set(kw) - known[name]:
        raise ArchscoutError(f"pruner {name!r} takes no option {sorted(set(kw) - known[name])[0]!r}; "
                             f"its options: {', '.join(sorted(known[name])) or 'none'}")
    try:
        return _make_pruner(name, max_epochs, metric, seed, **kw)
    except TypeError as e:
        raise ArchscoutError(f"pruner {name!r}: {e}") from None


def _make_pruner(name: str, max_epochs: int, metric: Metric | None, seed: int, **kw: Any) -> BasePruner:
    if name == "lce":
        return LCEPruner(max_epochs, metric, seed=seed, **kw)
    if name == "lce_cal":
        return LCEPruner(max_epochs, metric, seed=seed, **{"combine": "calibrated", **kw})
    if name == "baker":
        return BakerPruner(max_epochs, metric, seed=seed, **kw)
    if name == "lce_baker":  # options prefixed lce_ / baker_ go to that pruner; a prior goes to both
        lk = {k[4:]: v for k, v in kw.items() if k.startswith("lce_")}
        bk = {k[6:]: v for k, v in kw.items() if k.startswith("baker_")}
        rest = {k: v for k, v in kw.items() if not k.startswith(("lce_", "baker_"))}
        if set(rest) - {"prior", "veto", "veto_by"}:
            raise TypeError(f"unexpected option {sorted(set(rest) - {'prior', 'veto', 'veto_by'})[0]!r} (prefix it "
                            f"lce_ or baker_)")
        by = rest.get("veto_by")
        if by is not None and not (isinstance(by, str) and by in ("lce", "baker")):
            raise TypeError(f"veto_by is 'lce' or 'baker', not {by!r}")
        if "prior" in rest:
            lk.setdefault("prior", rest["prior"])
            bk.setdefault("prior", rest["prior"])
        # Baker's part learns from 6 finished curves, not 10: the runs that Domhan's part stops never finish,
        # so with 10 the regressor starts late (replayed curves, BENCHMARKS.md (b): faster on all 10 development
        # rows and on 14 of the 17 evaluation sets, level on 2, 3% slower on 1; the same runs lost)
        bk.setdefault("n_train", 6)
        return EitherPruner(LCEPruner(max_epochs, metric, seed=seed, **lk),
                            BakerPruner(max_epochs, metric, seed=seed, **bk), veto=rest.get("veto"),
                            veto_by=None if by is None else (("lce", "baker").index(by),))
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=kw.get("n_startup_trials", 5),
                                           n_warmup_steps=kw.get("n_warmup_steps", 0))
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=kw.get("min_resource", 1), max_resource=max_epochs,
                                              reduction_factor=kw.get("reduction_factor", 3))
    if name == "sh_lce":
        return PredictiveSuccessiveHalvingPruner(max_epochs, metric, "lce", seed=seed, **kw)
    if name in ("hyperband_lce", "hyperband_baker"):
        return PredictiveHyperbandPruner(max_epochs, metric, name.split("_")[1], seed=seed, **kw)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ArchscoutError(f"unknown pruner {name!r}; choose from {', '.join(PRUNERS)}")
