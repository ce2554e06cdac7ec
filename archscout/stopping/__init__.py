"""Early stopping as Optuna pruners: Domhan's and Baker's rules, prediction-ranked successive halving."""

from archscout.stopping.pruners import (
    PRUNERS,
    BakerPruner,
    LCEPruner,
    PredictiveHyperbandPruner,
    PredictiveSuccessiveHalvingPruner,
    make_pruner,
)

__all__ = ["PRUNERS", "BakerPruner", "LCEPruner", "PredictiveHyperbandPruner", "PredictiveSuccessiveHalvingPruner",
           "make_pruner"]
