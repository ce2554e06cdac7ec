"""GP predictor: the project's numpy GP (Matérn-5/2, marginal-likelihood fit) on standardised features.

Standardising matters: the GP uses one lengthscale for all dimensions, so features on different
scales (op counts next to zero-cost scores of order 1e3) would otherwise be dominated by the largest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archscout.estimation.predictors.base import Predictor, standardise
from archscout.estimation.predictors.encodings import DEFAULT_ENCODING
from archscout.estimation.predictors.gp import GPRegressor
from archscout.spaces.base import Arch, SearchSpace


class GPPredictor(Predictor):
    name = "gp"
    min_points = 3

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = DEFAULT_ENCODING, seed: int = 0, restarts: int = 2,
    ) -> None:
        super().__init__(space, encoding, seed)
        self.restarts = restarts

    def _fit(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        self.x_ref_ = x
        self.gp_ = GPRegressor(restarts=self.restarts, seed=self.seed).fit(standardise(x, x), y)

    def _predict(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.gp_.predict(standardise(x, self.x_ref_))
