"""The live objective: a trial proposes an architecture, the Trainer trains it for real.

Each trial records its curve, ``params``/``flops``, ``cost_epochs``/``cost_seconds`` (like
TabularObjective, so `study_cost` adds live and tabular trials alike) and, when it fails, a
``fail_reason``. A diverged run (NaN/inf loss) fails with its reason and the search goes on; a run the
budget cuts short is pruned. Checkpoints live under `checkpoint_dir`, one per architecture, so a trial
killed mid-training and re-enqueued resumes from its last epoch.
"""

from __future__ import annotations

import hashlib
import math
import time
from pathlib import Path
from typing import Any

import optuna

from archscout.data import Dataset
from archscout.errors import ArchscoutError
from archscout.spaces.base import SearchSpace
from archscout.training.trainer import BudgetExhausted, TrainConfig, Trainer, TrainingDiverged

FAIL_REASON = "fail_reason"


def module_kwargs_for(space: SearchSpace, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Only the nb201 network takes C and N; other spaces take no extra arguments."""
    return kwargs if space.name == "nb201" else {}


def build_module(space: SearchSpace, arch: Any, data: Dataset, **kwargs: Any) -> Any:
    to_module = getattr(space, "to_module", None)
    if to_module is None:
        raise ArchscoutError(f"the {space.name} space cannot build networks yet (no to_module)")
    return to_module(arch, data.input_shape, data.num_classes, **module_kwargs_for(space, kwargs))


def check_space_fits(space: SearchSpace, data: Dataset, **kwargs: Any) -> None:
    """Build one network of the space for the data before any training: shape errors surface now."""
    import numpy as np

    from archscout.training.measure import count_flops

    arch = space.sample(np.random.default_rng(0))
    try:
        module = build_module(space, arch, data, **kwargs)
        count_flops(module, data.input_shape)
    except ArchscoutError:
        raise
    except (RuntimeError, ValueError) as e:
        raise ArchscoutError(
            f"the {space.name} space does not fit {data.name} (input shape {data.input_shape}): {str(e).splitlines()[0]}"
        ) from None


class LiveObjective:
    """Train the trial's architecture on `data`; return its final validation accuracy (%)."""

    def __init__(
        self,
        space: SearchSpace,
        data: Dataset,
        config: TrainConfig,
        checkpoint_dir: str | Path | None = None,
        deadline: float | None = None,
        module_kwargs: dict[str, Any] | None = None,
        key: str = "",
        epoch_seconds: float = 0.0,
    ) -> None:
        self.space = space
        self.data = data
        self.config = config
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self.deadline = deadline
        self.module_kwargs = dict(module_kwargs or {})
        self.key = key
        self.epoch_seconds = epoch_seconds  # an estimate: a trial starts only if one epoch still fits

    def config_for(self, arch: Any) -> TrainConfig:
        own = getattr(self.space, "train_config", None)
        return self.config.updated(**own(arch)) if own else self.config

    def checkpoint_path(self, arch: Any) -> Path | None:
        if self.checkpoint_dir is None:
            return None
        h = hashlib.sha1(f"{self.key}|{self.space.name}|{self.space.to_string(arch)}".encode()).hexdigest()[:16]
        return self.checkpoint_dir / f"{h}.pt"

    def __call__(self, trial: optuna.Trial) -> float:
        from archscout.training.measure import count_flops, count_params

        arch = self.space.suggest(trial)
        if self.deadline is not None and time.time() + self.epoch_seconds >= self.deadline:
            trial.set_user_attr(FAIL_REASON, "budget exhausted before training started")
            raise optuna.TrialPruned("budget exhausted")
        cfg = self.config_for(arch)
        trainer = Trainer(self.data, cfg)
        probe = build_module(self.space, arch, self.data, **self.module_kwargs)
        trial.set_user_attr("params", count_params(probe))
        trial.set_user_attr("flops", count_flops(probe, self.data.input_shape))
        ckpt = self.checkpoint_path(arch)
        if ckpt is not None:
            trial.set_user_attr("checkpoint", str(ckpt))
        try:
            result = trainer.fit(lambda: build_module(self.space, arch, self.data, **self.module_kwargs), trial=trial,
                                 checkpoint=ckpt, key=self.space.to_string(arch), deadline=self.deadline)
        except TrainingDiverged as e:
            trial.set_user_attr(FAIL_REASON, e.reason)
            return math.nan  # Optuna marks the trial FAIL and the search goes on
        except BudgetExhausted as e:
            trial.set_user_attr(FAIL_REASON, str(e))
            if ckpt is not None and ckpt.exists():
                ckpt.unlink()
            raise optuna.TrialPruned(str(e)) from None
        except optuna.TrialPruned:
            if ckpt is not None and ckpt.exists():
                ckpt.unlink()
            raise
        return result.val_acc
