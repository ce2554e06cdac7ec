"""Performance predictors: fit on evaluated architectures, predict (mean, std) for unseen ones.

The registry maps names to classes lazily, so importing this package pulls in neither scikit-learn,
XGBoost nor torch; a model's dependency is imported when it is fitted.
"""

from __future__ import annotations

import importlib
from typing import Any

from archscout.errors import ArchscoutError
from archscout.estimation.predictors.base import Predictor
from archscout.estimation.predictors.encodings import Encoder, chain_stats, graf_stats, path_stats
from archscout.estimation.predictors.metrics import (
    all_metrics, kendall_tau, pearson, precision_at_t, rmse, spearman,
)
from archscout.spaces.base import SearchSpace

# name -> (module, class); every model here takes (space, encoding=..., seed=...); those whose class has
# `uses_pool = True` also need pool_archs= / pool_features= (the unlabelled pool and its zero-cost scores)
PREDICTORS: dict[str, tuple[str, str]] = {
    "gp": ("archscout.estimation.predictors.gaussian", "GPPredictor"),
    "rf": ("archscout.estimation.predictors.trees", "RandomForestPredictor"),
    "et": ("archscout.estimation.predictors.trees", "ExtraTreesPredictor"),
    "xgb": ("archscout.estimation.predictors.trees", "XGBoostPredictor"),
    "mlp": ("archscout.estimation.predictors.mlp", "MLPEnsemblePredictor"),
    "gnn": ("archscout.estimation.predictors.gnn", "GNNPredictor"),
    "gnn-pre": ("archscout.estimation.predictors.gnn_pre", "PretrainedGNNPredictor"),
    "ens": ("archscout.estimation.predictors.ensemble", "EnsemblePredictor"),
    "ens-et": ("archscout.estimation.predictors.ensemble", "ExtraTreesEnsemblePredictor"),
    "ens-et-gnn": ("archscout.estimation.predictors.ensemble", "GNNCommitteePredictor"),
}


def predictor_class(name: str) -> type[Predictor]:
    if name not in PREDICTORS:
        raise ArchscoutError(f"unknown predictor {name!r}; choose from {', '.join(PREDICTORS)}")
    module, cls = PREDICTORS[name]
    return getattr(importlib.import_module(module), cls)


def make_predictor(name: str, space: SearchSpace, seed: int = 0, **kwargs: Any) -> Predictor:
    """Build a predictor by name with its defaults (``encoding=`` etc. override them)."""
    cls = predictor_class(name)
    try:
        return cls(space, seed=seed, **kwargs)
    except TypeError as e:  # an option this model does not have (e.g. epochs= for a tree model)
        raise ArchscoutError(f"predictor {name!r}: {e}") from None


__all__ = [
    "Predictor", "Encoder", "path_stats", "graf_stats", "chain_stats", "PREDICTORS", "predictor_class", "make_predictor",
    "kendall_tau", "spearman", "pearson", "rmse", "precision_at_t", "all_metrics",
]
