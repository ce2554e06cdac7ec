"""A small committee of unlike models: XGBoost, random forest and a GP, averaged.

Why: the three make different errors (boosted trees extrapolate steps, the forest averages them, the
GP is smooth), so their mean ranks better than each alone — the usual gain of a model average.

The GP gets two rank transforms that the trees do not need (trees are invariant to monotone maps):
- the extra features (zero-cost scores are heavy-tailed: synflow or fisher span orders of magnitude,
  and one stationary lengthscale cannot serve the bulk and the tail) are replaced by the normal score
  of their rank among the training architectures (a test value between two training values is
  interpolated);
- the target is replaced by the normal score of its rank (a few collapsed cells at 10% accuracy
  otherwise dominate a squared loss that Kendall tau does not care about), and the prediction is
  mapped back to accuracy through the training quantiles, so all members average in the same units.

Standard deviation: the spread between the members' predictions.

Trees are invariant to monotone maps of the features but not of the target; ``rank_targets=True`` fits
them on the normal scores too (mapped back like the GP). It is off: on the development seeds it ranks
worse (round 8 of `benchmarks/predictors_gnnpre_dev.py`; the squared loss on accuracy helps the trees).

`ens-et` is the same committee with extra trees in place of the random forest (chosen for the
zero-cost features on development seeds, BENCHMARKS.md "Zero-cost features: development seeds").
`ens-et-gnn` adds a fourth member, the pool-pretrained GNN (`gnn_pre.py`), so it needs the pool
(``pool_archs`` / ``pool_features``) like that model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import norm, rankdata

from archscout.estimation.predictors.base import Predictor
from archscout.estimation.predictors.encodings import DEFAULT_ENCODING
from archscout.estimation.predictors.gaussian import GPPredictor
from archscout.estimation.predictors.trees import ExtraTreesPredictor, RandomForestPredictor, XGBoostPredictor
from archscout.spaces.base import Arch, SearchSpace


def normal_scores(values: np.ndarray) -> np.ndarray:
    """Normal score of each value's rank (ties share the mean rank)."""
    return norm.ppf((rankdata(values) - 0.5) / len(values))


class _RankFeatures:
    """Column-wise map to the normal score of the rank among reference (training) values."""

    def fit(self, x: np.ndarray) -> _RankFeatures:
        self.ref_ = [np.unique(col) for col in x.T]
        self.score_ = [norm.ppf((np.arange(len(r)) + 0.5) / len(r)) if len(r) > 1 else np.zeros(1) for r in self.ref_]
        return self

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.column_stack([np.interp(col, r, s) for col, r, s in zip(x.T, self.ref_, self.score_)]) if len(x.T) else x


class EnsemblePredictor(Predictor):
    name = "ens"
    min_points = 4
    forest: type[RandomForestPredictor] = RandomForestPredictor

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = DEFAULT_ENCODING, seed: int = 0,
        rank_targets: bool = False,
    ) -> None:
        super().__init__(space, encoding, seed)
        self.rank_targets = rank_targets

    def _fit(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        self.n_enc_ = x.shape[1] - (self.n_features_ or 0)
        kw = {"encoding": self.encoding, "seed": self.seed}
        self.xgb_ = XGBoostPredictor(self.space, **kw)
        self.rf_ = self.forest(self.space, **kw)
        self.gp_ = GPPredictor(self.space, **kw)
        z = normal_scores(y)
        self.y_sorted_, self.z_sorted_ = np.sort(y), np.sort(z)
        t = z if self.rank_targets else y  # the trees' target
        self.xgb_._fit(archs, x, t)
        self.rf_._fit(archs, x, t)
        self.rank_ = _RankFeatures().fit(x[:, self.n_enc_:])
        self.gp_._fit(archs, self._gp_x(x), z)

    def _to_y(self, z: np.ndarray) -> np.ndarray:
        """Normal scores back to accuracy through the training quantiles."""
        return np.interp(z, self.z_sorted_, self.y_sorted_)

    def _members(self, archs: list[Arch], x: np.ndarray) -> list[np.ndarray]:
        """Each member's prediction in accuracy units (those fitted on normal scores mapped back)."""
        z, _ = self.gp_._predict(archs, self._gp_x(x))
        trees = [self.xgb_._predict(archs, x)[0], self.rf_._predict(archs, x)[0]]
        if self.rank_targets:
            trees = [self._to_y(t) for t in trees]
        return [*trees, self._to_y(z)]

    def _gp_x(self, x: np.ndarray) -> np.ndarray:
        return np.hstack([x[:, : self.n_enc_], self.rank_(x[:, self.n_enc_:])])

    def _predict(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        members = np.stack(self._members(archs, x))
        return members.mean(0), members.std(0)


class ExtraTreesEnsemblePredictor(EnsemblePredictor):
    """The committee with extra trees as its forest member."""

    name = "ens-et"
    forest = ExtraTreesPredictor


class GNNCommitteePredictor(ExtraTreesEnsemblePredictor):
    """`ens-et` plus the pool-pretrained GNN (`gnn-pre`) as a fourth member, all four averaged."""

    name = "ens-et-gnn"
    uses_pool = True

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = DEFAULT_ENCODING, seed: int = 0,
        pool_archs: Sequence[Arch] | None = None, pool_features: np.ndarray | None = None,
        gnn_kwargs: dict | None = None, rank_targets: bool = False,
    ) -> None:
        super().__init__(space, encoding, seed, rank_targets)
        self.pool_archs, self.pool_features = pool_archs, pool_features
        self.gnn_kwargs = dict(gnn_kwargs or {})

    def _fit(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        from archscout.estimation.predictors.gnn_pre import PretrainedGNNPredictor

        super()._fit(archs, x, y)
        self.gnn_ = PretrainedGNNPredictor(self.space, seed=self.seed, pool_archs=self.pool_archs,
                                           pool_features=self.pool_features, **self.gnn_kwargs)
        self.gnn_.fit(archs, y, x[:, self.n_enc_:] if self.n_features_ else None)

    def _members(self, archs: list[Arch], x: np.ndarray) -> list[np.ndarray]:
        gnn = self.gnn_.predict(archs, x[:, self.n_enc_:] if self.n_features_ else None)[0]
        return [*super()._members(archs, x), gnn]
