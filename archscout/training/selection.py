"""Choosing the network a live search returns: re-evaluate the top trials on a second split.

Why: the search ranks trials by one validation score each, on a split that is small on the datasets users
bring (MNIST-1D: 399 signals, 0.25 points per signal). The highest of many noisy scores is biased upward
(the winner's curse): the 2026-11-25 Quickstart run returned a chain with 99.00% validation and 97.80%
test accuracy. Training the top K architectures again, with another seed on another stratified validation
split, gives each of them a second score that took no part in choosing them; the pick is the best mean of
the two. It costs K trainings, which the search keeps in reserve (see `reserve_seconds`). Measured on the
Quickstart's search (BENCHMARKS.md, "Choosing the returned trial") it was not better than the best single
validation score, so it is opt-in (`--select reeval`).

Results are cached as study user attributes (``reeval:<trial number>``), so a rerun of the same command
re-trains nothing it already re-evaluated, and a re-evaluation cut by a kill resumes from its checkpoint.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from archscout.training.trainer import BudgetExhausted, TrainConfig, Trainer, TrainingDiverged

ATTR = "reeval:"
SPLIT_OFFSET = 1000  # fold B's split seed = the search seed + this; its training seed = search seed + 1


@dataclass
class Candidate:
    trial: FrozenTrial
    valid: float  # the search's own validation accuracy (fold A)
    valid_b: float | None  # the re-trained network's validation accuracy on fold B (None: not re-evaluated)
    seconds_b: float = 0.0
    epochs_b: int = 0

    @property
    def score(self) -> float:
        return (self.valid + self.valid_b) / 2 if self.valid_b is not None else self.valid


def top_trials(study: optuna.Study, k: int) -> list[FrozenTrial]:
    """The k best complete trials, best first; among equal values the earliest (as Optuna's best_trial)."""
    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
    return sorted(done, key=lambda t: (-t.value, t.number))[:k]


def reserve_seconds(study: optuna.Study, k: int, cap: float) -> float:
    """Seconds to keep for re-evaluating the current top k: their own training times (+10%), at most `cap`.

    Nothing is kept before two trials have completed (there is nothing to choose between yet, and a guess
    of the training time would only cut the first trials short), and a cached second score costs nothing.
    """
    top = top_trials(study, k)
    if len(top) < 2:
        return 0.0
    cached = study.user_attrs
    total = sum(1.1 * float(t.user_attrs.get("cost_seconds") or 0.0) for t in top if f"{ATTR}{t.number}" not in cached)
    return min(total, cap)


def reevaluate(
    study: optuna.Study,
    space: Any,
    data_b: Any,
    config_for: Any,
    k: int,
    build: Any,
    checkpoint_dir: Path | None,
    key: str,
    deadline: float | None,
    seed: int,
) -> list[Candidate]:
    """Re-train the top k trials, best first, on fold B (`data_b`, training seed + 1); cached in the study.

    `config_for(arch)` gives the trial's TrainConfig, `build(arch, data)` its module. A re-training is only
    started when its first training's time still fits before `deadline`; the first one that does not fit
    (or is cut anyway) ends the re-evaluation, so the re-evaluated candidates are always a prefix of the
    ranking and the budget is not overrun. A re-training that diverges scores 0.
    """
    out = []
    stopped = False
    for t in top_trials(study, k):
        attr = f"{ATTR}{t.number}"
        cached = study.user_attrs.get(attr)
        if cached is None and not stopped and deadline is not None:
            need = float(t.user_attrs.get("cost_seconds") or 0.0)
            stopped = time.time() + need > deadline
        if cached is None and stopped:
            out.append(Candidate(t, t.value, None))
            continue
        if cached is None:
            arch = space.from_params(t.params)
            cfg: TrainConfig = config_for(arch).updated(seed=seed + 1)
            trainer = Trainer(data_b, cfg)
            ckpt = None
            if checkpoint_dir is not None:
                checkpoint_dir.mkdir(parents=True, exist_ok=True)
                ckpt = checkpoint_dir / f"reeval-{t.number}.pt"
            try:
                res = trainer.fit(lambda: build(arch, data_b), checkpoint=ckpt, key=f"{key}|reeval|{t.number}",
                                  deadline=deadline)
            except BudgetExhausted:
                if ckpt is not None:
                    ckpt.unlink(missing_ok=True)
                stopped = True
                out.append(Candidate(t, t.value, None))
                continue
            except TrainingDiverged as e:  # unstable under another seed: evidence against it
                cached = {"valid": 0.0, "reason": e.reason, "seconds": 0.0, "epochs": 0}
            else:
                cached = {"valid": res.val_acc, "valid_loss": res.curve["val_loss"][-1],
                          "seconds": res.seconds, "epochs": res.epochs_trained}
            study.set_user_attr(attr, cached)
            if ckpt is not None:
                ckpt.unlink(missing_ok=True)
        v = cached.get("valid")
        out.append(Candidate(t, t.value, v if v is not None and math.isfinite(v) else None,
                             float(cached.get("seconds", 0.0)), int(cached.get("epochs", 0))))
    return out


def pick(candidates: list[Candidate]) -> Candidate:
    """The best mean of the two scores among the re-evaluated candidates, which must include the best one by
    its first score (a prefix of the ranking, as `reevaluate` leaves them); otherwise the best first score.

    Why the prefix: comparing a re-evaluated runner-up with an unscored leader would hand the search's
    choice to whichever trial happened to fit in the remaining time.
    """
    ranked = sorted(candidates, key=lambda c: (-c.valid, c.trial.number))
    scored = []
    for c in ranked:
        if c.valid_b is None:
            break
        scored.append(c)
    if not scored:
        return ranked[0]
    return max(scored, key=lambda c: (c.score, -c.trial.number))
