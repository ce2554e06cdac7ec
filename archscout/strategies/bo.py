"""Bayesian optimisation over architectures: a GP on the architecture encoding plus an acquisition.

The acquisition is maximised over a local pool first: the unevaluated neighbours of the best
`top_k` architectures (White et al. 2021 found the local acquisition search the part of BO that
matters most on NAS benchmarks). When that neighbourhood is exhausted (a local optimum), the pool is
every unevaluated architecture if the space can be enumerated (NAS-Bench-201: 15,625), else
mutations of the best architectures plus random samples, so the GP chooses where to restart.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from archscout.errors import ArchscoutError
from archscout.estimation.predictors.gp import GPRegressor
from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History

ACQUISITIONS = ("ei", "ucb", "thompson")


class BOSampler(ArchSampler):
    """GP-based BO. `encodings` are concatenated (of the canonical architecture) to form the features."""

    def __init__(
        self,
        space: SearchSpace,
        n_init: int = 10,
        acquisition: str = "ei",
        encodings: tuple[str, ...] = ("adjacency",),
        pool: str = "local",
        top_k: int = 1,
        ucb_beta: float = 2.0,
        pool_size: int = 2000,
        enumerate_limit: int = 50_000,
        seed: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed, unique=True)
        if acquisition not in ACQUISITIONS:
            raise ArchscoutError(f"unknown acquisition {acquisition!r}; choose from {', '.join(ACQUISITIONS)}")
        self.n_init = max(2, n_init)
        self.acquisition = acquisition
        self.encodings = tuple(e for e in encodings if e in space.encoding_kinds()) or ("onehot",)
        if pool not in ("local", "all"):
            raise ArchscoutError(f"unknown candidate pool {pool!r}; choose 'local' or 'all'")
        self.pool = pool
        self.top_k = top_k
        self.ucb_beta = ucb_beta
        self.pool_size = pool_size
        self.enumerate_limit = enumerate_limit
        self._all: list[Arch] | None = None
        self._cache: dict[Arch, np.ndarray] = {}
        self._theta: dict[int, np.ndarray] = {}

    def _hyperparameters(self, history: History) -> np.ndarray:
        """GP hyperparameters, re-optimised only when the history has grown by 15% since the last fit.

        The refit points depend only on the number of results, and each fit sees exactly the first
        n of them, so a resumed study gets the same hyperparameters as an uninterrupted one.
        """
        n = len(history)
        m = self.n_init
        while round(m * 1.15) + 1 <= n:
            m = round(m * 1.15) + 1
        if m not in self._theta:
            y = np.asarray(history.values[:m])
            gp = GPRegressor(seed=self.seed + m).fit(self.features(history.archs[:m]), y)
            self._theta[m] = gp.theta_
        return self._theta[m]

    def features(self, archs: list[Arch]) -> np.ndarray:
        rows = []
        for a in archs:
            f = self._cache.get(a)
            if f is None:
                c = self.space.canonical(a)
                f = np.concatenate([self.space.encode(c, k) for k in self.encodings])
                self._cache[a] = f
            rows.append(f)
        return np.vstack(rows)

    def candidates(self, history: History, rng: np.random.Generator) -> tuple[list[Arch], np.ndarray]:
        seen = history.seen
        if self.pool == "local":
            order = np.argsort(history.values, kind="stable")[::-1]
            pool: dict[Arch, None] = {}
            for i in order[: self.top_k]:
                for n in self.space.neighbours(history.archs[i]):
                    if n not in seen:
                        pool[n] = None
            if pool:
                cands = list(pool)
                return cands, self.features(cands)
        # Global pool: neighbours of the ten best plus `pool_size` random unevaluated architectures
        # (drawn from the full enumeration when the space is small, else sampled).
        pool: dict[Arch, None] = {}
        for i in np.argsort(history.values, kind="stable")[::-1][:10]:
            for n in self.space.neighbours(history.archs[i]):
                if n not in seen:
                    pool[n] = None
        size = self.space.size()
        if size is not None and size <= self.enumerate_limit:
            if self._all is None:
                self._all = list(self.space.enumerate())
            keep = [a for a in self._all if a not in seen]
            if len(keep) > self.pool_size:
                keep = [keep[i] for i in rng.choice(len(keep), self.pool_size, replace=False)]
            pool.update(dict.fromkeys(keep))
        else:
            for _ in range(self.pool_size):
                a = self.space.sample(rng)
                if a not in seen:
                    pool[a] = None
        cands = list(pool)
        return cands, self.features(cands) if cands else np.zeros((0, 0))

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        if len(history) < self.n_init:
            return self.sample_new(rng, history.seen)
        y = np.asarray(history.values)
        gp = GPRegressor().fit(self.features(history.archs), y, theta=self._hyperparameters(history))
        cands, x = self.candidates(history, rng)
        if not cands:
            return self.sample_new(rng, history.seen)
        mean, sd = gp.predict(x)
        if self.acquisition == "ei":
            z = (mean - y.max()) / sd
            score = (mean - y.max()) * norm.cdf(z) + sd * norm.pdf(z)
        elif self.acquisition == "ucb":
            score = mean + self.ucb_beta * sd
        else:  # Thompson: one joint-free draw per candidate (independent marginals)
            score = mean + sd * rng.standard_normal(len(mean))
        best = np.flatnonzero(score == score.max())
        return cands[int(best[rng.integers(len(best))])]
