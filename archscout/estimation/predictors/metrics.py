"""Ranking and regression metrics of a predictor (the ones NASLib reports).

A constant prediction carries no ranking, so the rank correlations return 0.0 for it rather than NaN
(which would break JSON output and averaging over seeds).
"""

from __future__ import annotations

import numpy as np

from archscout.errors import ArchscoutError


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true, float).ravel(), np.asarray(y_pred, float).ravel()
    if a.shape != b.shape:
        raise ArchscoutError(f"metric needs equally long arrays, got {a.shape[0]} and {b.shape[0]}")
    if a.size < 2:
        raise ArchscoutError("metric needs at least 2 values")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ArchscoutError("metric got NaN or infinite values")
    return a, b


def _corr(fn, y_true, y_pred) -> float:
    a, b = _pair(y_true, y_pred)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    return float(fn(a, b)[0])


def kendall_tau(y_true, y_pred) -> float:
    """Kendall's tau-b (ties handled)."""
    from scipy.stats import kendalltau

    return _corr(kendalltau, y_true, y_pred)


def spearman(y_true, y_pred) -> float:
    from scipy.stats import spearmanr

    return _corr(spearmanr, y_true, y_pred)


def pearson(y_true, y_pred) -> float:
    from scipy.stats import pearsonr

    return _corr(pearsonr, y_true, y_pred)


def rmse(y_true, y_pred) -> float:
    a, b = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((a - b) ** 2)))


def precision_at_t(y_true, y_pred, t: int | float = 0.1) -> float:
    """Overlap of the true top-T and the predicted top-T; `t` < 1 is a fraction of the set."""
    a, b = _pair(y_true, y_pred)
    k = int(round(t * len(a))) if t < 1 else int(t)
    k = max(1, min(k, len(a)))
    top_true = set(np.argsort(-a, kind="stable")[:k].tolist())
    top_pred = set(np.argsort(-b, kind="stable")[:k].tolist())
    return len(top_true & top_pred) / k


def all_metrics(y_true, y_pred, t: int | float = 0.1) -> dict[str, float]:
    return {
        "kendall_tau": kendall_tau(y_true, y_pred),
        "spearman": spearman(y_true, y_pred),
        "pearson": pearson(y_true, y_pred),
        "rmse": rmse(y_true, y_pred),
        "precision_at_t": precision_at_t(y_true, y_pred, t),
    }
