"""Learning-curve extrapolation: Domhan et al.'s parametric ensemble (:mod:`.lce`), Baker et al.'s
sequential regression (:mod:`.regression`), and the curve-CSV reader (:mod:`.data`).

Heavy dependencies (emcee, scikit-learn) are imported inside the functions that need them.
"""

from archscout.estimation.curves.base import CurveModel, InsufficientData, Metric, Predictive
from archscout.estimation.curves.data import CurveSet, read_curves
from archscout.estimation.curves.families import FAMILIES, FAMILY_NAMES
from archscout.estimation.curves.lce import DomhanLCE
from archscout.estimation.curves.regression import CutoffRegressors, SequentialRegressor

__all__ = ["FAMILIES", "FAMILY_NAMES", "CurveModel", "CurveSet", "CutoffRegressors", "DomhanLCE", "InsufficientData",
           "Metric", "Predictive", "SequentialRegressor", "read_curves"]
