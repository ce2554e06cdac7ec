"""Semi-supervised use of the unlabelled pool: each zero-cost score smoothed over architecture space.

Why: a zero-cost proxy is computed at one random initialisation, so part of its value is noise that
no other cell shares (grasp, epe_nas and plain most of all). Every cell of the pool has its proxies,
trained or not, so a model from the architecture encoding to each proxy can be fitted on the whole
pool (9,445 NB201 cells) without a single accuracy; its prediction keeps the part of the proxy that
the architecture explains and drops the rest. A predictor fitted on 100 labelled cells then sees
both the raw score and this smoothed one. Accuracies are never read here, so the transform is as
legitimate as the proxies themselves.

Cross-fitted (each cell's smoothed value comes from a model that did not see that cell), so a cell's
own noise cannot leak back into its smoothed value; the raw columns are mapped to the normal score
of their rank over the pool (the proxies are heavy-tailed; trees do not care, the GP does).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import norm, rankdata

from archscout.errors import ArchscoutError
from archscout.estimation.predictors.encodings import Encoder, default_encoding
from archscout.spaces.base import Arch, SearchSpace

MIN_POOL = 50  # below this a per-proxy model from the architecture is guesswork


def pool_normal_scores(features: np.ndarray) -> np.ndarray:
    """Each column replaced by the normal score of its rank over the pool (ties share a rank)."""
    f = np.asarray(features, float)
    return np.column_stack([norm.ppf((rankdata(c) - 0.5) / len(c)) for c in f.T]) if f.shape[1] else f


def smooth_over_pool(
    space: SearchSpace, archs: Sequence[Arch], features: np.ndarray, folds: int = 5, seed: int = 0,
    encoding: str | Sequence[str] | None = None,
) -> np.ndarray:
    """[pool normal scores of `features`, their cross-fitted prediction from the architecture].

    `archs` is the whole unlabelled pool and `features` its proxies (one row per architecture); the
    result has twice as many columns. XGBoost (depth 6, 100 trees, learning rate 0.3) per column.
    """
    archs = list(archs)
    f = np.asarray(features, dtype=float)
    if f.ndim == 1:
        f = f[:, None]
    if f.ndim != 2 or f.shape[0] != len(archs):
        raise ArchscoutError(f"pool smoothing: features must have one row per architecture ({len(archs)}), "
                             f"got shape {f.shape}")
    if not np.isfinite(f).all():
        r, c = np.argwhere(~np.isfinite(f))[0]
        raise ArchscoutError(f"pool smoothing: feature column {c} of architecture #{r} is {f[r, c]}")
    if folds < 2:
        raise ArchscoutError("pool smoothing needs at least 2 folds")
    if len(archs) < max(MIN_POOL, 2 * folds):
        raise ArchscoutError(f"pool smoothing needs a pool of at least {max(MIN_POOL, 2 * folds)} architectures, "
                             f"got {len(archs)}")
    import xgboost as xgb

    if encoding is None:  # the one-hot (which edge holds which op) next to the space's default statistics
        own = ("onehot",) if "onehot" in space.encoding_kinds() else ()
        # without the graph features: on 9,445 cells the smoother does not need them (a scratch run on the
        # development seeds showed no gain for ens-et), and zcsmooth stays as reported
        encoding = own + tuple(k for k in default_encoding(space) if k not in own and k != "graf")
    x = Encoder(space, encoding)(archs)
    z = pool_normal_scores(f)
    fold = np.random.default_rng(seed).permutation(len(archs)) % folds
    smooth = np.zeros_like(z)
    for j in range(z.shape[1]):
        if np.ptp(z[:, j]) == 0:  # a constant proxy stays constant
            continue
        for k in range(folds):
            model = xgb.XGBRegressor(n_estimators=100, max_depth=6, learning_rate=0.3, n_jobs=1, verbosity=0,
                                     random_state=seed)
            model.fit(x[fold != k], z[fold != k, j])
            smooth[fold == k, j] = model.predict(x[fold == k])
    return np.hstack([z, smooth])
