"""Regularized (aging) evolution, Real et al. 2019."""

from __future__ import annotations

import numpy as np

from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History


class RegularizedEvolutionSampler(ArchSampler):
    """Tournament selection from the youngest `population_size` results; the oldest die.

    The first `population_size` proposals are random. After that the parent is the best of
    `tournament_size` members drawn from the population (the last `population_size` finished
    trials: age-based removal), and the child is one mutation of it. Because the population is read
    from the study, a resumed run continues exactly where it stopped.
    """

    def __init__(
        self,
        space: SearchSpace,
        population_size: int = 20,
        tournament_size: int = 5,
        seed: int | None = None,
        unique: bool = True,
    ) -> None:
        super().__init__(space, seed=seed, unique=unique)
        if not 1 <= tournament_size <= population_size:
            raise ValueError("need 1 <= tournament_size <= population_size")
        self.population_size = population_size
        self.tournament_size = tournament_size

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        if len(history) < self.population_size:
            return self.sample_new(rng, history.seen)
        pop = range(len(history) - self.population_size, len(history))
        contenders = rng.choice(np.fromiter(pop, int), size=self.tournament_size, replace=False)
        parent = max(contenders, key=lambda i: history.values[i])
        return self.mutate_new(history.archs[parent], rng, history.seen)
