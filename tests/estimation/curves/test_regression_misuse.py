"""SequentialRegressor: misuse and data outside the declared metric are one clear error, not a silent answer."""

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.curves.base import Metric
from archscout.estimation.curves.regression import SequentialRegressor


def data(n=30, tau=4, seed=0):
    rng = np.random.default_rng(seed)
    top = rng.uniform(0.4, 0.9, n)
    t = np.arange(1, 11)
    curves = top[:, None] * (1 - np.exp(-0.3 * t))
    return rng.uniform(0, 1, (n, 2)), curves[:, :tau], curves[:, -1]


def test_values_outside_the_metric_are_refused():
    f, p, y = data()
    with pytest.raises(ArchscoutError, match="outside the declared metric range"):
        SequentialRegressor("bayes_ridge", Metric.loss()).fit(f, -p, -y)  # a loss cannot be negative


@pytest.mark.parametrize("kw, message", [({"cv": 1}, "cv"), ({"n_ensemble": 0}, "n_ensemble"), ({"seed": -1}, "seed")])
def test_bad_settings(kw, message):
    with pytest.raises(ArchscoutError, match=message):
        SequentialRegressor("rf", Metric.accuracy(), **kw)


def test_predict_checks_what_it_is_given():
    f, p, y = data()
    reg = SequentialRegressor("rf", Metric.accuracy(), n_search=2).fit(f, p, y)
    mean, std = reg.predict(f[:3], p[:3])
    assert mean.shape == (3,) and np.all(std > 0)
    with pytest.raises(ArchscoutError, match="fitted on 4-epoch prefixes"):
        reg.predict(f[:3], np.hstack([p[:3], p[:3]]))
    with pytest.raises(ArchscoutError, match="fitted on 2 features"):
        reg.predict(f[:3, :1], p[:3])
    bad = p[:3].copy()
    bad[0, 1] = np.nan
    with pytest.raises(ArchscoutError, match="finite"):
        reg.predict(f[:3], bad)
    with pytest.raises(ArchscoutError, match="final values"):
        SequentialRegressor("rf", Metric.accuracy()).fit(f, p, y[:-1])
