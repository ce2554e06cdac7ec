"""The predictor interface: fit on (architecture, value) pairs, predict mean and std for new ones.

Every predictor is built with a search space and an encoding (see `encodings.py`), optionally takes
extra per-architecture features (zero-cost scores, low-fidelity accuracy, ...) appended to the
encoding, and validates its input once here so that models only see clean float matrices.

Documented fallback: constant training targets carry no ranking information, so the predictor fits
a constant model (mean = that value, std = 0) instead of letting a model invent an ordering.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from archscout.errors import ArchscoutError, check_seed
from archscout.estimation.predictors.encodings import DEFAULT_ENCODING, Encoder
from archscout.spaces.base import Arch, SearchSpace


HUGE = 1e30  # larger targets or features overflow the float32 tree models (and any squared loss)


def as_arch(a: object) -> object:
    """An architecture as the spaces make them (tuples of Python values): a list, a numpy array or numpy
    integers from the caller's own code are taken as the same architecture, not rejected as unhashable."""
    if isinstance(a, np.ndarray):
        a = a.tolist()
    if isinstance(a, (list, tuple)):
        return tuple(as_arch(x) for x in a)
    if isinstance(a, np.generic):
        return a.item()
    return a


class Predictor(ABC):
    """Scikit-learn style: parameters in ``__init__``, ``fit`` returns self, ``predict`` -> (mean, std)."""

    name = "predictor"
    min_points = 2  # fewer training points than this is an error

    def __init__(self, space: SearchSpace, encoding: str | Sequence[str] = DEFAULT_ENCODING, seed: int = 0) -> None:
        check_seed(seed, "a predictor's seed", below=2**32)  # the tree libraries take 32-bit seeds
        self.space = space
        self.encoding = encoding
        self.seed = int(seed)
        self.encoder = Encoder(space, encoding)

    # --- what models implement ----------------------------------------------------------------
    @abstractmethod
    def _fit(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        """Fit on the validated matrix `x` (encoding + extra features) and finite, non-constant `y`."""

    @abstractmethod
    def _predict(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation (zeros when the model has no uncertainty)."""

    # --- public API ---------------------------------------------------------------------------
    def fit(self, archs: Sequence[Arch], y: Sequence[float], features: np.ndarray | None = None) -> Predictor:
        archs = [as_arch(a) for a in archs]
        y_arr = np.asarray(y, dtype=float).ravel()
        if len(archs) != len(y_arr):
            raise ArchscoutError(f"{self.name}: {len(archs)} architectures but {len(y_arr)} target values")
        if len(archs) < self.min_points:
            raise ArchscoutError(
                f"{self.name} needs at least {self.min_points} training architectures, got {len(archs)}"
            )
        bad = np.flatnonzero(~np.isfinite(y_arr))
        if len(bad):
            raise ArchscoutError(f"{self.name}: target value of training architecture #{bad[0]} is {y_arr[bad[0]]}")
        if np.abs(y_arr).max() > HUGE:  # float32 models overflow, and squared errors do well before
            raise ArchscoutError(f"{self.name}: target values reach {np.abs(y_arr).max():.3g}; rescale them (|y| <= {HUGE:g})")
        self.n_features_ = None if features is None else self._check_features(features, len(archs)).shape[1]
        x = self._matrix(archs, features)
        self.constant_: float | None = float(y_arr[0]) if np.ptp(y_arr) == 0 else None
        if self.constant_ is None:
            self._fit(archs, x, y_arr)
        self.fitted_ = True
        return self

    def predict(self, archs: Sequence[Arch], features: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        if not getattr(self, "fitted_", False):
            raise ArchscoutError(f"{self.name}: call fit before predict")
        archs = [as_arch(a) for a in archs]
        if (features is None) != (self.n_features_ is None):
            raise ArchscoutError(
                f"{self.name} was fitted {'with' if self.n_features_ else 'without'} extra features; "
                f"predict must be called the same way"
            )
        if features is not None:
            f = self._check_features(features, len(archs))
            if f.shape[1] != self.n_features_:
                raise ArchscoutError(f"{self.name}: fitted with {self.n_features_} extra features, got {f.shape[1]}")
        if not archs:
            return np.zeros(0), np.zeros(0)
        x = self._matrix(archs, features)
        if self.constant_ is not None:
            return np.full(len(archs), self.constant_), np.zeros(len(archs))
        mean, std = self._predict(archs, x)
        return np.asarray(mean, float).ravel(), np.asarray(std, float).ravel()

    # --- helpers ------------------------------------------------------------------------------
    def _check_features(self, features: np.ndarray, n: int) -> np.ndarray:
        f = np.asarray(features, dtype=float)
        if f.ndim == 1:
            f = f[:, None]
        if f.ndim != 2 or f.shape[0] != n:
            raise ArchscoutError(f"{self.name}: features must have one row per architecture ({n}), got shape {f.shape}")
        bad = np.argwhere(~np.isfinite(f))
        if len(bad):
            r, c = bad[0]
            raise ArchscoutError(f"{self.name}: feature column {c} of architecture #{r} is {f[r, c]} (NaN or infinite)")
        if f.size and np.abs(f).max() > HUGE:
            r, c = np.unravel_index(int(np.argmax(np.abs(f))), f.shape)
            raise ArchscoutError(f"{self.name}: feature column {c} of architecture #{r} is {f[r, c]:.3g}; rescale the "
                                 f"features (|x| <= {HUGE:g})")
        return f

    def _matrix(self, archs: list[Arch], features: np.ndarray | None) -> np.ndarray:
        x = self.encoder(archs)
        if features is not None:
            x = np.hstack([x, self._check_features(features, len(archs))])
        return x

    def __repr__(self) -> str:
        return f"{type(self).__name__}(encoding={self.encoding!r}, seed={self.seed})"


def standardise(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Scale columns by the training matrix's mean and std (constant columns left centred)."""
    mu, sd = ref.mean(0), ref.std(0)
    sd[sd == 0] = 1.0
    return (x - mu) / sd
