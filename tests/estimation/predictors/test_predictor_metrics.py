import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import kendall_tau, pearson, precision_at_t, rmse, spearman


def test_hand_computed_values():
    # one discordant pair out of three: (2 - 1) / 3
    assert kendall_tau([1, 2, 3], [1, 3, 2]) == pytest.approx(1 / 3)
    assert spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert rmse([0, 0], [3, 4]) == pytest.approx((12.5) ** 0.5)
    # true top-2 = {3, 2}; predicted top-2 = {3, 1}: overlap 1 of 2
    assert precision_at_t([1, 2, 3, 4], [1, 4, 0, 5], 2) == 0.5
    assert precision_at_t(list(range(10)), list(range(10)), 0.3) == 1.0


def test_constant_prediction_has_no_ranking():
    assert kendall_tau([1, 2, 3], [5, 5, 5]) == 0.0


def test_bad_input():
    with pytest.raises(ArchscoutError):
        kendall_tau([1, 2], [1, 2, 3])
    with pytest.raises(ArchscoutError):
        rmse([1, float("nan")], [1, 2])
