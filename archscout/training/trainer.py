"""The Trainer: real epochs on real data, one learning curve per architecture.

Why it looks like this:
- every epoch's validation accuracy goes to ``trial.report(value, epoch)`` so any Optuna pruner can
  stop the run, and loss / train accuracy / seconds go to user attrs, so the study holds the curve;
- a checkpoint after every epoch (model, optimiser, schedule, curve) lets a killed run resume from its
  last finished epoch and end exactly where an uninterrupted run would: weight init, batch order and
  dropout masks are all seeded from (seed, epoch), never from a running generator;
- a NaN/inf loss raises `TrainingDiverged` with the reason instead of training on garbage;
- the test set is never touched here except through `evaluate(..., "test")`, which only the final
  report calls.
Accuracies are percentages, like the NAS-Bench-201 tables.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from archscout.data import Dataset
from archscout.errors import ArchscoutError

CURVE_KEYS = ("train_loss", "train_acc", "val_loss", "val_acc", "seconds")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or inf; `reason` says where."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BudgetExhausted(RuntimeError):
    """The next epoch would not finish before the deadline."""


@dataclass(frozen=True)
class TrainConfig:
    """How one architecture is trained. `updated(**kw)` applies a space's own hyperparameters."""

    epochs: int = 10
    batch_size: int = 64
    optimizer: str = "adam"  # adam | adamw | sgd
    lr: float = 3e-3
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "cosine"  # cosine | constant
    grad_clip: float | None = 5.0
    seed: int = 0
    device: str = "auto"  # auto (CUDA when present) | cpu | cuda
    eval_batch_size: int = 1024

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ArchscoutError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ArchscoutError(f"batch size must be at least 1, got {self.batch_size}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ArchscoutError(f"learning rate must be a positive number, got {self.lr}")
        if self.optimizer not in ("adam", "adamw", "sgd"):
            raise ArchscoutError(f"unknown optimizer {self.optimizer!r}; choose adam, adamw or sgd")
        if self.schedule not in ("cosine", "constant"):
            raise ArchscoutError(f"unknown schedule {self.schedule!r}; choose cosine or constant")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ArchscoutError(f"unknown device {self.device!r}; choose auto, cpu or cuda")

    def updated(self, **overrides: Any) -> TrainConfig:
        unknown = set(overrides) - set(asdict(self))
        if unknown:
            raise ArchscoutError(f"unknown training settings: {', '.join(sorted(unknown))}")
        return replace(self, **overrides)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainResult:
    """A finished (or resumed-and-finished) training: the full curve and what this call cost."""

    curve: dict[str, list[float]]
    epochs_trained: int  # by this call (the rest came from a checkpoint)
    seconds: float  # training time of this call
    module: Any = field(repr=False, default=None)

    @property
    def val_acc(self) -> float:
        return self.curve["val_acc"][-1]


def resolve_device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ArchscoutError("device 'cuda' requested but torch sees no CUDA device")
    return name


def _atomic_save(obj: Any, path: Path) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


class Trainer:
    """Trains modules on one Dataset with one TrainConfig."""

    def __init__(self, data: Dataset, config: TrainConfig | None = None) -> None:
        import torch

        self.data = data
        self.config = config or TrainConfig()
        self.device = resolve_device(self.config.device)
        dev = torch.device(self.device)
        self._x = {s: torch.as_tensor(getattr(data, f"x_{s}"), device=dev) for s in ("train", "val")}
        self._y = {s: torch.as_tensor(getattr(data, f"y_{s}"), device=dev) for s in ("train", "val")}
        if data.x_test is not None:
            self._x["test"] = torch.as_tensor(data.x_test, device=dev)
            self._y["test"] = torch.as_tensor(data.y_test, device=dev)

    # --- helpers ---------------------------------------------------------------------------------
    def build(self, factory: Callable[[], Any], seed: int | None = None) -> Any:
        """Build a module with seeded initial weights, on the trainer's device."""
        import torch

        torch.manual_seed(self.config.seed if seed is None else seed)
        return factory().to(self.device)

    def _optimiser(self, module: Any, cfg: TrainConfig, steps: int) -> tuple[Any, Any]:
        import torch

        params = [p for p in module.parameters() if p.requires_grad]
        if cfg.optimizer == "sgd":
            opt = torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay,
                                  nesterov=cfg.momentum > 0)
        elif cfg.optimizer == "adamw":
            opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        else:
            opt = torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        if cfg.schedule == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
        else:
            sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
        return opt, sched

    def evaluate(self, module: Any, split: str = "val") -> tuple[float, float]:
        """(mean cross-entropy, accuracy in %) on a split; "test" is for the final report only."""
        import torch
        import torch.nn.functional as F

        if split not in self._x:
            raise ArchscoutError(f"dataset {self.data.name} has no {split} split")
        x, y = self._x[split], self._y[split]
        module.eval()
        loss, correct = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(y), self.config.eval_batch_size):
                out = module(x[i:i + self.config.eval_batch_size])
                yb = y[i:i + self.config.eval_batch_size]
                loss += float(F.cross_entropy(out, yb, reduction="sum"))
                correct += int((out.argmax(1) == yb).sum())
        return loss / len(y), 100.0 * correct / len(y)

    # --- the training loop -----------------------------------------------------------------------
    def fit(
        self,
        factory: Callable[[], Any],
        trial: Any = None,
        checkpoint: str | Path | None = None,
        key: str = "",
        deadline: float | None = None,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    ) -> TrainResult:
        """Train `factory()` for `config.epochs` epochs, resuming from `checkpoint` if it matches `key`.

        With a trial: each epoch is reported (``trial.report(val_acc, epoch)``, epochs from 1) and
        ``optuna.TrialPruned`` is raised when the pruner says so. `deadline` (time.time() value)
        stops before an epoch that would not finish in time (BudgetExhausted).
        """
        import torch
        import torch.nn.functional as F

        cfg = self.config
        module = self.build(factory)
        n = len(self._y["train"])
        steps_per_epoch = math.ceil(n / cfg.batch_size)
        opt, sched = self._optimiser(module, cfg, cfg.epochs * steps_per_epoch)
        curve: dict[str, list[float]] = {k: [] for k in CURVE_KEYS}
        full_key = json.dumps({"key": key, "config": {k: v for k, v in cfg.as_dict().items() if k != "device"},
                               "data": [self.data.name, n]}, sort_keys=True)
        ckpt = Path(checkpoint) if checkpoint else None
        start = 0
        if ckpt is not None and ckpt.exists():
            try:
                state = torch.load(ckpt, map_location=self.device, weights_only=False)
            except Exception:  # a torn or foreign file: start over rather than fail the trial
                state = None
            if state is not None and state.get("key") == full_key:
                module.load_state_dict(state["model"])
                opt.load_state_dict(state["optim"])
                sched.load_state_dict(state["sched"])
                curve = state["curve"]
                start = int(state["epoch"])
        if trial is not None:
            for e in range(start):
                self._report(trial, e + 1, curve, e)
            if start:
                self._check_prune(trial)
        trained, spent = 0, 0.0
        g = torch.Generator()
        for epoch in range(start, cfg.epochs):
            if deadline is not None and curve["seconds"]:
                if time.time() + curve["seconds"][-1] > deadline:
                    raise BudgetExhausted(f"stopped before epoch {epoch + 1}: the budget ends first")
            t0 = time.perf_counter()
            module.train()
            g.manual_seed(cfg.seed * 1_000_003 + epoch)
            torch.manual_seed(cfg.seed * 7_919 + epoch)  # dropout masks: resumable, no hidden state
            perm = torch.randperm(n, generator=g).to(self.device)
            loss_sum = torch.zeros((), device=self.device)
            correct = torch.zeros((), device=self.device, dtype=torch.long)
            for i in range(0, n, cfg.batch_size):
                idx = perm[i:i + cfg.batch_size]
                xb, yb = self._x["train"][idx], self._y["train"][idx]
                out = module(xb)
                loss = F.cross_entropy(out, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if cfg.grad_clip:
                    torch.nn.utils.clip_grad_norm_(module.parameters(), cfg.grad_clip)
                opt.step()
                sched.step()
                loss_sum += loss.detach() * len(idx)
                correct += (out.detach().argmax(1) == yb).sum()
            train_loss = float(loss_sum) / n
            if not math.isfinite(train_loss):
                self._drop(ckpt)
                raise TrainingDiverged(f"training loss became {train_loss} in epoch {epoch + 1}")
            val_loss, val_acc = self.evaluate(module, "val")
            if not math.isfinite(val_loss):
                self._drop(ckpt)
                raise TrainingDiverged(f"validation loss became {val_loss} after epoch {epoch + 1}")
            secs = time.perf_counter() - t0
            trained, spent = trained + 1, spent + secs
            for k, v in zip(CURVE_KEYS, (train_loss, 100.0 * float(correct) / n, val_loss, val_acc, secs)):
                curve[k].append(float(v))
            if ckpt is not None:
                _atomic_save({"key": full_key, "epoch": epoch + 1, "model": module.state_dict(),
                              "optim": opt.state_dict(), "sched": sched.state_dict(), "curve": curve}, ckpt)
            if trial is not None:
                self._report(trial, epoch + 1, curve, epoch)
                trial.set_user_attr("cost_epochs", trained)
                trial.set_user_attr("cost_seconds", spent)
            if on_epoch is not None:
                on_epoch(epoch + 1, {k: curve[k][-1] for k in CURVE_KEYS})
            if trial is not None:
                self._check_prune(trial)
        return TrainResult(curve=curve, epochs_trained=trained, seconds=spent, module=module)

    @staticmethod
    def _report(trial: Any, step: int, curve: dict[str, list[float]], i: int) -> None:
        trial.report(curve["val_acc"][i], step)
        for k in CURVE_KEYS:
            trial.set_user_attr(f"curve_{k}", [round(v, 6) for v in curve[k][: i + 1]])

    @staticmethod
    def _check_prune(trial: Any) -> None:
        import optuna

        if trial.should_prune():
            raise optuna.TrialPruned()

    @staticmethod
    def _drop(ckpt: Path | None) -> None:
        if ckpt is not None and ckpt.exists():
            ckpt.unlink()


def seed_everything(seed: int) -> None:
    """Seed numpy and torch (the trainer seeds itself; this is for callers' own randomness)."""
    import torch

    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
