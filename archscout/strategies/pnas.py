"""PNAS-style progressive search for the chain space (Liu et al. 2018, "Progressive Neural Architecture Search").

PNAS grows cells one block at a time: train every (or a sample of) 1-block cell, fit a surrogate,
expand the beam by one block, let the surrogate rank the expansions, train only the top K, refit,
and repeat up to the largest size. Here the unit of growth is a layer of a chain (spaces/chain.py):

- level 1: `n_init` random 1-layer chains (random head and fully-connected layers);
- level b = 2 .. max_layers: the beam = the `beam` best evaluated chains of depth b - 1; their
  expansions = every layer (33 choices: a pool or a conv of any filters / kernel / stride) appended
  at the end, each with the parent's head and FC layers or one change to them (other head, one FC
  layer more / less / of other units); the predictor, refit on every result so far, ranks them and
  the `k` best unseen are proposed;
- after the last level the search goes on refining: the one-edit neighbours of the `beam` best
  results of any depth, ranked the same way, `k` per refit.

The surrogate must rank chains one layer deeper than any it was trained on, which a positional
one-hot cannot (the new layer's columns were always zero in training): the default encoding adds
depth-independent chain statistics (`chainstats`, estimation/predictors/encodings.py). PNAS used an
LSTM / MLP ensemble; the default here is XGBoost, the fastest of the predictors to refit.

Every proposal is a function of the finished trials (level and beam are read from the history, the
ranking is seeded by (seed, number of results)), so a resumed study proposes what an uninterrupted
one would.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History


class PNASSampler(ArchSampler):
    """Progressive search: depth grows by one layer per level; the surrogate picks the `k` to evaluate."""

    def __init__(
        self,
        space: SearchSpace,
        k: int = 4,
        beam: int | None = None,
        n_init: int = 8,
        predictor: str = "xgb",
        predictor_kwargs: dict[str, Any] | None = None,
        seed: int | None = None,
    ) -> None:
        from archscout.estimation.predictors import make_predictor, predictor_class
        from archscout.spaces.chain import ChainSpace

        if not isinstance(space, ChainSpace):
            raise ArchscoutError(f"pnas grows chains layer by layer: it needs the chain space, not {space.name}")
        super().__init__(space, seed=seed, unique=True)
        if k < 1 or (beam is not None and beam < 1):
            raise ArchscoutError("pnas: k and beam must be at least 1")
        self.k = k
        self.beam = k if beam is None else beam
        self.predictor = predictor
        cls = predictor_class(predictor)  # raises on an unknown name
        self.predictor_kwargs = {"encoding": ("onehot", "chainstats")} if predictor_kwargs is None else dict(predictor_kwargs)
        make_predictor(predictor, space, **self.predictor_kwargs)  # bad options fail now, not at the first refit
        self.n_init = max(n_init, cls.min_points)
        self.last_model_: Any = None
        self.last_fit_size_ = 0
        self._ranked: tuple[tuple, list[Arch]] | None = None

    # --- schedule -------------------------------------------------------------------------------
    def level(self, n_results: int) -> tuple[int, int]:
        """(level, r) for the next proposal after `n_results` results: the depth being proposed
        (max_layers + 1 and beyond: refinement) and how many results the ranking is fitted on."""
        if n_results < self.n_init:
            return 1, 0
        j = (n_results - self.n_init) // self.k
        return 2 + j, self.n_init + j * self.k

    # --- candidates -----------------------------------------------------------------------------
    def _layer_choices(self) -> list[tuple]:
        from archscout.spaces.chain import FILTERS, KERNELS, POOL, STRIDES

        return [POOL] + [("conv", f, kk, s) for f in FILTERS for kk in KERNELS for s in STRIDES]

    def _tails(self, arch: Arch) -> list[Arch]:
        """The chain itself and every chain differing from it in the head or one FC layer only."""
        layers = arch[0]
        return [arch] + [a for a in self.space.neighbours(arch) if a[0] == layers]

    def expansions(self, parents: list[Arch]) -> list[Arch]:
        out: dict[Arch, None] = {}
        for p in parents:
            layers, head, fcs = p
            for layer in self._layer_choices():
                for child in self._tails((layers + (layer,), head, fcs)):
                    out.setdefault(child, None)
        return list(out)

    def candidates(self, history: History, level: int) -> list[Arch]:
        values = np.asarray(history.values)
        order = np.argsort(-values, kind="stable")
        if level <= self.space.max_layers:
            parents = [history.archs[int(i)] for i in order if len(history.archs[int(i)][0]) == level - 1][: self.beam]
            if not parents:  # nothing of the previous depth finished (e.g. all failed): grow the best shallower ones
                parents = [history.archs[int(i)] for i in order if len(history.archs[int(i)][0]) < level][: self.beam]
            return self.expansions(parents)
        out: dict[Arch, None] = {}
        for i in order[: self.beam]:
            for a in self.space.neighbours(history.archs[int(i)]):
                out.setdefault(a, None)
        return list(out)

    # --- ranking --------------------------------------------------------------------------------
    def fit_predictor(self, history: History, rng: np.random.Generator):
        from archscout.estimation.predictors import make_predictor

        model = make_predictor(self.predictor, self.space, seed=int(rng.integers(2**31)), **self.predictor_kwargs)
        return model.fit(history.archs, history.values)

    def rank(self, history: History, level: int, rng: np.random.Generator) -> list[Arch]:
        seen = set(history.archs)
        cands = [c for c in self.candidates(history, level) if c not in seen]
        if not cands:
            return []
        model = self.fit_predictor(history, rng)
        self.last_model_, self.last_fit_size_ = model, len(history)
        mean, _ = model.predict(cands)
        order = np.lexsort((rng.random(len(mean)), -mean))  # best first, ties broken at random
        return [cands[int(i)] for i in order]

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        seen = history.seen
        level, r = self.level(len(history))
        if level == 1:
            return self._random_of_depth(1, rng, seen)
        key = (r, tuple(history.archs[:r]), tuple(history.values[:r]))
        if self._ranked is None or self._ranked[0] != key:
            prefix = History(archs=list(history.archs[:r]), values=list(history.values[:r]))
            self._ranked = (key, self.rank(prefix, level, np.random.default_rng([self.seed, r, 1])))
        for cand in self._ranked[1]:
            if cand not in seen:
                return cand
        return self._random_of_depth(min(level, self.space.max_layers), rng, seen)

    def _random_of_depth(self, depth: int, rng: np.random.Generator, seen: set[Arch]) -> Arch:
        """A random unseen chain of `depth` layers (any depth after 100 tries)."""
        arch = self.space.sample(rng)
        for _ in range(100):
            layers = arch[0][:depth]
            while len(layers) < depth:
                layers = layers + (self.space._random_layer(rng),)
            cand = (layers, arch[1], arch[2])
            if cand not in seen:
                return cand
            arch = self.space.sample(rng)
        return self.sample_new(rng, seen)
