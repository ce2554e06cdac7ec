"""Local search (White, Nolen, Savani, Bhattacharjee & Zela 2021): hill climbing with restarts."""

from __future__ import annotations

import numpy as np

from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History

CENTER_ATTR = "archscout:ls_center"


class LocalSearchSampler(ArchSampler):
    """Evaluate neighbours of the current architecture; move to a better one; restart at a local optimum.

    Starts from the best of `n_init` random architectures. With ``first_improvement=True`` it moves
    as soon as an evaluated neighbour beats the current one (the query-efficient variant); otherwise
    it evaluates the whole neighbourhood first and moves to the best. The current architecture is
    stored with each trial, so a resumed study carries on from the same point.
    """

    def __init__(
        self, space: SearchSpace, n_init: int = 10, first_improvement: bool = True, seed: int | None = None
    ) -> None:
        super().__init__(space, seed=seed, unique=True)
        self.n_init = max(1, n_init)
        self.first_improvement = first_improvement

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        seen = history.seen
        if len(history) < self.n_init:
            return self._restart(history, rng, study, trial, seen)
        value = history.value_of()
        center = self._last_center(history)
        if center is None:
            center = max(value, key=value.get)
        if center not in value:  # the restart point is still running elsewhere
            return self._restart(history, rng, study, trial, seen)
        while True:
            nbrs = self.space.neighbours(center)
            done = [n for n in nbrs if n in value]
            better = [n for n in done if value[n] > value[center]]
            todo = [n for n in nbrs if n not in seen]
            if better and (self.first_improvement or not todo):
                center = max(better, key=value.get)
                continue
            if todo:
                self.set_trial_attr(study, trial, CENTER_ATTR, self.space.to_string(center))
                return todo[int(rng.integers(len(todo)))]
            return self._restart(history, rng, study, trial, seen)  # local optimum reached

    def _restart(self, history: History, rng, study, trial, seen) -> Arch:
        arch = self.sample_new(rng, seen)
        if len(history) >= self.n_init:
            self.set_trial_attr(study, trial, CENTER_ATTR, self.space.to_string(arch))
        return arch

    def _last_center(self, history: History) -> Arch | None:
        for t in reversed(history.trials):
            if CENTER_ATTR in t.system_attrs:
                return self.space.from_string(t.system_attrs[CENTER_ATTR])
        return None
