"""Early stopping as Optuna pruners: Domhan's and Baker's rules, prediction-ranked successive halving."""

from archscout.stopping.pruners import (
    PRUNERS,
    BakerPruner,
    EitherPruner,
    LCEPruner,
    PredictiveHyperbandPruner,
    PredictiveSuccessiveHalvingPruner,
    PriorCurves,
    make_pruner,
    prior_from_study,
)

__all__ = ["PRUNERS", "BakerPruner", "EitherPruner", "LCEPruner", "PredictiveHyperbandPruner",
           "PredictiveSuccessiveHalvingPruner", "PriorCurves", "make_pruner", "prior_from_study"]
