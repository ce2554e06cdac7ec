"""Tree ensembles: random forest and extra trees (scikit-learn), gradient-boosted trees (XGBoost).

Trees suit architecture features: they are invariant to feature scaling, need no tuning to be
sensible, and take well under a second for a thousand points. Uncertainty = spread of the ensemble
(the trees of the forest; for XGBoost, `n_models` boosters fitted on bootstrap resamples).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archscout.estimation.predictors.base import Predictor
from archscout.estimation.predictors.encodings import DEFAULT_ENCODING
from archscout.spaces.base import Arch, SearchSpace


class RandomForestPredictor(Predictor):
    name = "rf"
    min_points = 3

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = DEFAULT_ENCODING, seed: int = 0,
        n_estimators: int = 300, max_features: float = 0.5, min_samples_leaf: int = 1,
    ) -> None:
        super().__init__(space, encoding, seed)
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf

    def _fit(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        self.model_ = self._forest()(
            n_estimators=self.n_estimators, max_features=self.max_features, min_samples_leaf=self.min_samples_leaf,
            random_state=self.seed, n_jobs=1,
        ).fit(x, y)

    def _forest(self) -> type:
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor

    def _predict(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        per_tree = np.stack([t.predict(x) for t in self.model_.estimators_])
        return per_tree.mean(0), per_tree.std(0)


class ExtraTreesPredictor(RandomForestPredictor):
    """Extremely randomised trees: split points drawn at random instead of optimised, on the full
    sample. At 100 training cells with 26+ noisy zero-cost columns the random splits average into a
    smoother function than the forest's greedy ones (development seeds: BENCHMARKS.md)."""

    name = "et"

    def _forest(self) -> type:
        from sklearn.ensemble import ExtraTreesRegressor

        return ExtraTreesRegressor


class XGBoostPredictor(Predictor):
    name = "xgb"
    min_points = 3

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = DEFAULT_ENCODING, seed: int = 0,
        n_estimators: int = 500, max_depth: int = 3, learning_rate: float = 0.03,
        subsample: float = 0.8, colsample_bytree: float = 0.7, n_models: int = 1,
    ) -> None:
        super().__init__(space, encoding, seed)
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.n_models = n_models

    def _fit(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        import xgboost as xgb

        rng = np.random.default_rng(self.seed)
        self.models_ = []
        for m in range(max(1, self.n_models)):
            # one model on all data; extra models on bootstrap resamples give the std
            idx = np.arange(len(y)) if m == 0 else rng.integers(0, len(y), len(y))
            model = xgb.XGBRegressor(
                n_estimators=self.n_estimators, max_depth=self.max_depth, learning_rate=self.learning_rate,
                subsample=self.subsample, colsample_bytree=self.colsample_bytree,
                random_state=self.seed + m, n_jobs=1, verbosity=0,
            )
            self.models_.append(model.fit(x[idx], y[idx]))

    def _predict(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        preds = np.stack([m.predict(x) for m in self.models_]).astype(float)
        if len(preds) == 1:
            return preds[0], np.zeros(len(x))
        return preds[0], preds.std(0)
