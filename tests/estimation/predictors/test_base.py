"""The predictor interface takes architectures as callers hold them, and refuses values no model can fit."""

from __future__ import annotations

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import make_predictor
from archscout.spaces import NB201Space


def test_lists_and_arrays_are_the_same_architectures(nb201_split):
    archs, y, test, _ = nb201_split
    tuples = make_predictor("rf", NB201Space(), seed=0).fit(archs[:30], y[:30]).predict(test[:5])[0]
    lists = make_predictor("rf", NB201Space(), seed=0).fit([list(a) for a in archs[:30]], y[:30])
    assert np.allclose(lists.predict([np.array(a) for a in test[:5]])[0], tuples)


def test_targets_or_features_too_large_to_fit_are_refused(nb201_split):
    archs, y, _, _ = nb201_split
    with pytest.raises(ArchscoutError, match="rescale them"):
        make_predictor("xgb", NB201Space()).fit(archs[:20], y[:20] * 1e40)
    f = np.ones((20, 1))
    f[3, 0] = 1e39
    with pytest.raises(ArchscoutError, match="feature column 0 of architecture #3"):
        make_predictor("rf", NB201Space()).fit(archs[:20], y[:20], f)

