"""Shared pieces of the learning-curve models: the metric declaration, the predictive distribution,
the curve-model interface and input checking.

A metric is *declared* (direction and valid range), never guessed from the data: accuracy in
[0, 1] or [0, 100] to maximise, a loss or perplexity in [0, inf) to minimise.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from archscout.errors import ArchscoutError


class InsufficientData(ArchscoutError):
    """The curve has too few usable points to extrapolate; callers (pruners) keep the trial."""


@dataclass(frozen=True)
class Metric:
    """What a curve measures: direction and valid range (either bound may be infinite)."""

    direction: str = "maximize"
    lower: float = 0.0
    upper: float = 1.0

    def __post_init__(self) -> None:
        if self.direction not in ("maximize", "minimize"):
            raise ArchscoutError(f"metric direction must be 'maximize' or 'minimize', not {self.direction!r}")
        if not self.lower < self.upper:
            raise ArchscoutError(f"metric range [{self.lower}, {self.upper}] is empty")

    @classmethod
    def accuracy(cls, percent: bool = False) -> Metric:
        return cls("maximize", 0.0, 100.0 if percent else 1.0)

    @classmethod
    def loss(cls) -> Metric:
        """A loss or perplexity: lower is better, bounded below by 0, unbounded above."""
        return cls("minimize", 0.0, math.inf)

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "maximize" else -1.0

    def better(self, a: float, b: float) -> bool:
        """True if `a` is strictly better than `b`."""
        return a > b if self.direction == "maximize" else a < b

    def check(self, values: np.ndarray, what: str = "curve") -> None:
        bad = (values < self.lower) | (values > self.upper)
        if np.any(bad):
            v = float(values[np.argmax(bad)])
            raise ArchscoutError(
                f"{what} value {v:g} is outside the declared metric range [{self.lower:g}, {self.upper:g}]; "
                "declare the metric's range (e.g. accuracy in percent: 0..100)"
            )


@dataclass
class Normaliser:
    """Affine map ``z = (s*y - a) / b`` so that larger z is better and the plausible range is ~[0, 1].

    Fixed boxes on the families' parameters are only meaningful in such a space.
    """

    s: float
    a: float
    b: float
    zlo: float
    zhi: float

    @classmethod
    def for_curve(cls, metric: Metric, y: np.ndarray) -> Normaliser:
        s = metric.sign
        ulo, uhi = sorted((s * metric.lower, s * metric.upper))
        u = s * y
        umin, umax = float(np.min(u)), float(np.max(u))
        if math.isfinite(ulo) and math.isfinite(uhi):
            a, b = ulo, uhi - ulo
        elif math.isfinite(uhi):
            a, b = umin, uhi - umin
        elif math.isfinite(ulo):
            a, b = ulo, umax - ulo
        else:
            a, b = umin, umax - umin
        if not b > 0 or not math.isfinite(b):
            b = max(abs(a), 1.0)
        return cls(s, a, b, (ulo - a) / b, (uhi - a) / b)

    def z(self, y: np.ndarray) -> np.ndarray:
        return (self.s * np.asarray(y, float) - self.a) / self.b

    def y(self, z: np.ndarray) -> np.ndarray:
        return self.s * (np.asarray(z, float) * self.b + self.a)


@dataclass
class Predictive:
    """Predictive distribution of the metric at some epochs.

    ``samples`` (s, n) are noise-free curve values drawn from the posterior, ``noise`` (s,) their
    observation-noise std (0 for models without one); ``mean``/``std`` include the noise.
    """

    epochs: np.ndarray
    samples: np.ndarray
    noise: np.ndarray
    metric: Metric

    @property
    def mean(self) -> np.ndarray:
        return self.samples.mean(axis=0)

    @property
    def std(self) -> np.ndarray:
        return np.sqrt(self.samples.var(axis=0) + np.mean(self.noise**2))

    def prob_better(self, y_best: float, index: int = -1) -> float:
        """P(y at epochs[index] is at least as good as y_best), noise integrated analytically."""
        from scipy.special import ndtr

        f = self.samples[:, index]
        sd = np.maximum(self.noise, 1e-12)
        d = (f - y_best) / sd if self.metric.direction == "maximize" else (y_best - f) / sd
        return float(np.mean(ndtr(d)))

    def logpdf(self, y: float, index: int = -1) -> float:
        """Log density of an observed value (mixture of Gaussians over the samples)."""
        from scipy.special import logsumexp

        f = self.samples[:, index]
        sd = np.maximum(self.noise, 1e-9 * (1 + np.abs(f)))
        lp = -0.5 * ((y - f) / sd) ** 2 - np.log(sd) - 0.5 * math.log(2 * math.pi)
        return float(logsumexp(lp) - math.log(len(f)))


def clean_curve(epochs: np.ndarray, values: np.ndarray, min_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop NaN/inf points (a diverged epoch says nothing about the trend); too few left -> InsufficientData."""
    e = np.asarray(epochs, float).ravel()
    v = np.asarray(values, float).ravel()
    if e.shape != v.shape:
        raise ArchscoutError(f"a curve needs as many epochs as values ({e.size} vs {v.size})")
    ok = np.isfinite(e) & np.isfinite(v)
    e, v = e[ok], v[ok]
    if np.any(e < 1):
        raise ArchscoutError("curve epochs must be >= 1 (epoch 1 = after the first epoch of training)")
    order = np.argsort(e, kind="stable")
    e, v = e[order], v[order]
    if e.size < min_points:
        raise InsufficientData(f"too little data to extrapolate: {e.size} usable points, need {min_points}")
    return e, v


class CurveModel(ABC):
    """``fit(epochs, values)`` on one partial curve, then ``predict(epochs)`` -> :class:`Predictive`."""

    metric: Metric

    @abstractmethod
    def fit(self, epochs: np.ndarray, values: np.ndarray) -> CurveModel: ...

    @abstractmethod
    def predict(self, epochs: np.ndarray | float) -> Predictive: ...

    def prob_better(self, epoch: float, y_best: float) -> float:
        """P(the metric at `epoch` is at least as good as `y_best`)."""
        return self.predict(np.array([epoch], float)).prob_better(y_best)
