"""Base class that turns "propose the next architecture from the history" into an Optuna sampler.

A strategy only implements `propose(history, rng)`. The base class reads the study's trials into a
`History`, seeds a generator from (seed, trial number) so that a resumed or replayed study proposes
exactly what an uninterrupted one would, and hands the proposal to Optuna parameter by parameter.
Parameters that are not architecture decisions (a learning rate the user also searches) fall back
to Optuna's RandomSampler, so the sampler works in any study.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from archscout.errors import ArchscoutError
from archscout.spaces.base import Arch, SearchSpace

PROPOSAL_ATTR = "archscout:proposal"


@dataclass
class History:
    """Finished evaluations in trial order, values oriented so that higher is better."""

    archs: list[Arch] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    trials: list[FrozenTrial] = field(default_factory=list)
    pending: list[Arch] = field(default_factory=list)  # proposed to running trials (parallel workers)

    def __len__(self) -> int:
        return len(self.archs)

    @property
    def seen(self) -> set[Arch]:
        return set(self.archs) | set(self.pending)

    def best(self) -> tuple[Arch, float] | None:
        if not self.values:
            return None
        i = int(np.argmax(self.values))
        return self.archs[i], self.values[i]

    def value_of(self) -> dict[Arch, float]:
        """Best value seen for each architecture (a repeated query keeps its best)."""
        out: dict[Arch, float] = {}
        for a, v in zip(self.archs, self.values):
            if a not in out or v > out[a]:
                out[a] = v
        return out


def read_history(study: Study, space: SearchSpace, include_pruned: bool = False) -> History:
    """Collect (arch, value) pairs of the finished trials of a study, oldest first."""
    sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
    names = list(space.decisions())
    hist = History()
    for t in study.get_trials(deepcopy=False):
        if not all(n in t.params for n in names):
            if t.state == TrialState.RUNNING and PROPOSAL_ATTR in t.system_attrs:
                hist.pending.append(space.from_string(t.system_attrs[PROPOSAL_ATTR]))
            continue
        arch = space.from_params(t.params)
        if t.state == TrialState.COMPLETE and t.value is not None and np.isfinite(t.value):
            value = t.value
        elif include_pruned and t.state == TrialState.PRUNED and t.intermediate_values:
            value = t.intermediate_values[max(t.intermediate_values)]
        else:
            if t.state == TrialState.RUNNING:
                hist.pending.append(arch)
            continue
        hist.archs.append(arch)
        hist.values.append(sign * float(value))
        hist.trials.append(t)
    return hist


class ArchSampler(BaseSampler):
    """An Optuna sampler that proposes whole architectures of a `SearchSpace`.

    Use it in any study whose objective calls ``space.suggest(trial)``.
    """

    def __init__(self, space: SearchSpace, seed: int | None = None, unique: bool = True) -> None:
        self.space = space
        if seed is not None and not 0 <= int(seed) < 2**32:  # numpy's RandomSampler would fail later, less clearly
            raise ArchscoutError(f"seed must be between 0 and 2**32 - 1, got {seed}")
        self.seed = int(np.random.SeedSequence().entropy % (2**32)) if seed is None else int(seed)
        self.unique = unique
        self._fallback = RandomSampler(seed=self.seed)
        self._proposals: dict[int, Arch] = {}

    # --- what strategies implement ------------------------------------------------------------
    @abstractmethod
    def propose(self, history: History, rng: np.random.Generator, study: Study, trial: FrozenTrial) -> Arch:
        """The next architecture to evaluate."""

    # --- helpers for strategies --------------------------------------------------------------
    def sample_new(self, rng: np.random.Generator, seen: set[Arch], tries: int = 100) -> Arch:
        """A random architecture not in `seen` (if `unique`), falling back to any after `tries`."""
        arch = self.space.sample(rng)
        if self.unique:
            for _ in range(tries):
                if arch not in seen:
                    break
                arch = self.space.sample(rng)
        return arch

    def mutate_new(self, parent: Arch, rng: np.random.Generator, seen: set[Arch], tries: int = 20) -> Arch:
        child = self.space.mutate(parent, rng)
        if self.unique:
            for _ in range(tries):
                if child not in seen:
                    break
                child = self.space.mutate(parent, rng)
        return child

    def set_trial_attr(self, study: Study, trial: FrozenTrial, key: str, value: Any) -> None:
        study._storage.set_trial_system_attr(trial._trial_id, key, value)

    # --- Optuna plumbing ----------------------------------------------------------------------
    def reseed_rng(self) -> None:  # Optuna calls this for n_jobs > 1; proposals stay seeded by trial number
        self._fallback.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        return {}

    def _proposal(self, study: Study, trial: FrozenTrial) -> Arch:
        arch = self._proposals.get(trial._trial_id)
        if arch is None:
            if study._is_multi_objective():
                raise ArchscoutError("archscout samplers optimise a single objective")
            history = read_history(study, self.space)
            rng = np.random.default_rng([self.seed, trial.number])
            arch = self.propose(history, rng, study, trial)
            self._proposals[trial._trial_id] = arch
            self.set_trial_attr(study, trial, PROPOSAL_ATTR, self.space.to_string(arch))
        return arch

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        params = self.space.to_params(self._proposal(study, trial))
        if param_name in params:
            return params[param_name]
        return self._fallback.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None
    ) -> None:
        self._proposals.pop(trial._trial_id, None)


optuna.logging.set_verbosity(optuna.logging.WARNING)
