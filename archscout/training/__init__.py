"""Live training: the Trainer (curves, checkpoints, devices) and the Optuna objective around it.

Importing this package does not import torch; the Trainer imports it when it is built.
"""

from archscout.training.objective import LiveObjective
from archscout.training.trainer import BudgetExhausted, TrainConfig, Trainer, TrainingDiverged, TrainResult

__all__ = ["LiveObjective", "Trainer", "TrainConfig", "TrainResult", "TrainingDiverged", "BudgetExhausted"]
