"""The final training of the returned architecture on every training example (`search --refit`).

Why: a search compares trials on a held-out validation split, so each trial trains on only part of the
user's data (90% by default) with a short schedule. The network the user takes home need not carry that
handicap: standard NAS practice trains the chosen architecture once more from scratch on all training
examples, and often for longer (`--refit-epochs`). Its validation score is then no longer held out, so the
search's choice and its reported validation accuracy stay those of the search; only the weights (and the
test accuracy of the final report) change.

The refit is planned like the re-evaluation in `selection`: the search keeps the current best trial's
training time (scaled by data and epochs, +30%) in reserve, at most a quarter of the budget; when less time
is left, the refit runs as many epochs as fit (never fewer than the search's own), else it is skipped with
its reason and the search's own weights are returned. Its
checkpoint and a study user attribute (``refit:<trial number>``) make a rerun of the same command reuse a
finished refit, or resume one a kill cut short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from archscout.training.trainer import BudgetExhausted, TrainConfig, Trainer, TrainingDiverged

ATTR = "refit:"
MARGIN = 1.3  # reserve slack: with 10%, a refit estimated at 19 s overran the time kept for it and was cut (A/B, seed 2)


@dataclass
class Refit:
    """What the final training did: `module` is None when it was skipped (then `reason` says why)."""

    done: bool
    epochs: int
    n_train: int
    seconds: float = 0.0
    reason: str | None = None
    module: Any = None
    checkpoint: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"done": self.done, "epochs": self.epochs, "n_train": self.n_train,
                "seconds": round(self.seconds, 1), "reason": self.reason}


def refit_seconds(trial: FrozenTrial, n_search: int, n_full: int, epochs: int) -> float:
    """Expected seconds of the refit: the trial's own training time per epoch, scaled by examples and
    epochs (+30%). Unknown (0) for a trial without a recorded cost."""
    spent = float(trial.user_attrs.get("cost_seconds") or 0.0)
    trained = int(trial.user_attrs.get("cost_epochs") or 0)
    if trained < 1:
        return 0.0
    return MARGIN * spent / trained * epochs * n_full / max(n_search, 1)


def checkpoint_name(trial_number: int) -> str:
    return f"refit-{trial_number}.pt"


def refit(
    study: optuna.Study,
    trial: FrozenTrial,
    arch: Any,
    data_full: Any,
    config: TrainConfig,
    build: Any,
    checkpoint_dir: Path,
    key: str,
    deadline: float | None,
    n_search: int,
    min_epochs: int = 1,
) -> Refit:
    """Train `arch` (the search's pick, `trial`) on `data_full` for `config.epochs`; reuse a finished one.

    When the time left before `deadline` holds fewer epochs than asked (by the trial's own epoch time,
    +30%), the refit runs a complete but shorter schedule, down to `min_epochs` (the search's own); below
    that it is skipped. Why not cut a longer one short: the cosine schedule only ends at a low learning rate
    if it runs to its end. `build(arch, data)` gives the module. Never raises for the budget or a diverging
    loss: both leave the search's own weights as the answer, with the reason recorded.
    """
    n_full = len(data_full.x_train)
    attr = f"{ATTR}{trial.number}"
    ckpt = checkpoint_dir / checkpoint_name(trial.number)
    cached = study.user_attrs.get(attr)
    if cached and cached.get("done") and cached.get("requested") == config.epochs and ckpt.exists():
        epochs = int(cached["epochs"])  # finished before: the trainer finds every epoch in the checkpoint
    else:
        epochs = config.epochs
        per_epoch = refit_seconds(trial, n_search, n_full, 1)
        if deadline is not None and per_epoch > 0:
            left = deadline - time.time()
            epochs = min(epochs, int(left // per_epoch))
            if epochs < min_epochs:
                return Refit(False, config.epochs, n_full,
                             reason=f"skipped: {min_epochs} epochs would take about {min_epochs * per_epoch:.0f} s and "
                                    f"{max(left, 0):.0f} s are left")
    cfg = config.updated(epochs=epochs)
    trainer = Trainer(data_full, cfg)
    try:
        res = trainer.fit(lambda: build(arch, data_full), checkpoint=ckpt, key=f"{key}|refit|{trial.number}",
                          deadline=deadline)
    except BudgetExhausted:  # the checkpoint stays: a rerun that plans the same epochs resumes it
        return Refit(False, epochs, n_full, reason="cut by the budget (rerun the same command to finish it)")
    except TrainingDiverged as e:
        return Refit(False, epochs, n_full, reason=f"diverged: {e.reason}")
    seconds = float(sum(res.curve["seconds"]))  # the curve comes back with the checkpoint: all epochs, all runs
    study.set_user_attr(attr, {"done": True, "epochs": epochs, "requested": config.epochs, "n_train": n_full,
                               "seconds": seconds})
    return Refit(True, epochs, n_full, seconds=seconds, module=res.module, checkpoint=ckpt)
