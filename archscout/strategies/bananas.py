"""BANANAS (White, Neiswanger & Savani 2021): predictor-guided search with an ensemble and Thompson sampling.

Every `refit_every` results the predictor is refit on all results so far (the predictor is
"fine-tuned during search" by retraining on the grown history), a candidate pool is built by
mutating the best architectures and ranked by an acquisition over the ensemble's mean and spread;
the next proposals are the best-ranked candidates not evaluated yet. BANANAS evaluates k = 10
candidates per refit; the default here is 5 (and 1 refits before every proposal), a compromise
between adaptivity and the CPU time of retraining an ensemble. Candidates whose equivalence class
(canonical cell) was already evaluated are skipped: retraining an identical network wastes a query.

Transfer (``source=(archs, values)``: results of the same space on another dataset): a source
predictor (XGBoost by default) is fitted on them; the warm-up proposes the cells it ranks best instead
of random ones, and its prediction is an extra feature of every target-dataset refit.

`PredictorGuidedSampler` is the shared machinery; NPENAS (npenas.py) changes the predictor, the pool
and the acquisition; `GuidedLocalSampler` (strategy ``guided-local``, end of this file) makes the pool
the unevaluated neighbourhood of the best result, ranked by XGBoost on rank-normalised targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import norm

from archscout.errors import ArchscoutError
from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History

ACQUISITIONS = ("its", "ei", "ucb", "mean")


class PredictorGuidedSampler(ArchSampler):
    """Random warm-up, then: refit predictor -> candidate pool -> acquisition -> propose the best unseen."""

    default_predictor = "mlp"
    default_acquisition = "its"
    default_predictor_kwargs: dict[str, Any] = {}

    def __init__(
        self,
        space: SearchSpace,
        predictor: str | None = None,
        predictor_kwargs: dict[str, Any] | None = None,
        acquisition: str | None = None,
        n_init: int = 10,
        pool_size: int = 100,
        n_parents: int = 10,
        ucb_beta: float = 2.0,
        refit_every: int = 5,
        n_local: int = 0,
        n_random: int = 0,
        rank_targets: bool = False,
        source: tuple[Sequence[Arch], Sequence[float]] | None = None,
        source_predictor: str = "xgb",
        seed: int | None = None,
    ) -> None:
        from archscout.estimation.predictors import make_predictor, predictor_class

        super().__init__(space, seed=seed, unique=True)
        self.predictor = predictor or self.default_predictor
        cls = predictor_class(self.predictor)  # raises on an unknown name
        own = predictor_kwargs is None
        if own:  # the defaults belong to the default predictor; another starts from its own
            predictor_kwargs = self.default_predictor_kwargs if self.predictor == self.default_predictor else {}
        self.predictor_kwargs = dict(predictor_kwargs)
        self._fit_encoding_to_space(cls, own)
        make_predictor(self.predictor, space, **self.predictor_kwargs)  # bad options fail now, not at the first refit
        self.acquisition = acquisition or self.default_acquisition
        if self.acquisition not in ACQUISITIONS:
            raise ArchscoutError(f"unknown acquisition {self.acquisition!r}; choose from {', '.join(ACQUISITIONS)}")
        if pool_size < 0 or n_parents < 1 or refit_every < 1:
            raise ArchscoutError("n_parents and refit_every must be at least 1, pool_size at least 0")
        if pool_size == 0 and n_local == 0:
            raise ArchscoutError("an empty pool: pool_size = 0 needs n_local > 0")
        self.n_init = max(n_init, cls.min_points)
        self.pool_size = pool_size
        self.n_parents = n_parents
        self.ucb_beta = ucb_beta
        self.refit_every = refit_every
        if n_local < 0 or n_random < 0:
            raise ArchscoutError("n_local and n_random must be at least 0")
        self.n_local = n_local
        self.n_random = n_random
        self.rank_targets = rank_targets
        self.last_model_: Any = None  # the latest fitted predictor and how many results it saw
        self.last_fit_size_ = 0
        self._ranked: tuple[tuple, list[Arch]] | None = None
        # transfer: results of the same space on another dataset (or task)
        self.source = None if source is None else (list(source[0]), [float(v) for v in source[1]])
        self.source_predictor = source_predictor
        predictor_class(source_predictor)
        if self.source is not None and len(self.source[0]) != len(self.source[1]):
            raise ArchscoutError("source: as many values as architectures are needed")
        self._source_model: Any = None

    def _fit_encoding_to_space(self, cls: type, own: bool) -> None:
        """Documented fallback: a default encoding the space cannot give (``pathstats`` needs an op
        graph) is replaced by `default_encoding(space)` (one-hot + chain statistics on the chain
        space); an encoding the user chose, or a predictor the space cannot serve, is an error now,
        not after the warm-up's trials have been paid for."""
        import inspect

        from archscout.estimation.predictors.encodings import default_encoding, encoding_applies

        if self.predictor == "gnn" and not hasattr(self.space, "op_graph"):
            raise ArchscoutError(f"the gnn predictor needs a cell space with an op graph; {self.space.name} has none "
                                 "(use predictor='xgb')")
        enc = self.predictor_kwargs.get("encoding", inspect.signature(cls.__init__).parameters["encoding"].default)
        if encoding_applies(self.space, enc):
            return
        if not own and "encoding" in self.predictor_kwargs:
            raise ArchscoutError(f"encoding {enc!r} does not apply to the {self.space.name} space")
        self.predictor_kwargs["encoding"] = default_encoding(self.space)

    # --- what the two strategies differ in ------------------------------------------------------
    def candidates(self, history: History, rng: np.random.Generator, seen: set[Arch]) -> list[Arch]:
        """The pool the acquisition ranks (canonical cells not evaluated yet, each once).

        BANANAS: `pool_size` mutations (1 or 2 edits) spread over the top `n_parents` architectures;
        with ``n_local = m > 0`` also every one-edit neighbour of the m best (the neighbourhood a
        local search would walk, here ranked by the predictor instead of tried at random), and with
        ``n_random = q > 0`` q random cells (global candidates, so that a predictor that has learnt
        what matters can leave the basin the best results lie in).
        """
        pool = self.local_pool(history, seen)
        if self.pool_size:
            pool.update(self.mutation_pool(history, rng, seen, pool))
        for _ in range(self.n_random):
            arch = self.space.sample(rng)
            c = self.space.canonical(arch)
            if c not in seen and c not in pool:
                pool[c] = arch
        return list(pool.values())

    def local_pool(self, history: History, seen: set[Arch]) -> dict[Arch, Arch]:
        """Every unevaluated one-edit neighbour of the `n_local` best architectures that still have
        one (a fully explored neighbourhood is passed over), by canonical form."""
        pool: dict[Arch, Arch] = {}
        centres = 0
        for i in np.argsort(-np.asarray(history.values), kind="stable"):
            if centres == self.n_local:
                break
            added = 0
            for child in self.space.neighbours(history.archs[int(i)]):
                c = self.space.canonical(child)
                if c not in seen and c not in pool:
                    pool[c] = child
                    added += 1
            centres += added > 0
        return pool

    def mutation_pool(
        self, history: History, rng: np.random.Generator, seen: set[Arch], taken: dict[Arch, Arch] | None = None
    ) -> dict[Arch, Arch]:
        """`pool_size` mutations (1 or 2 edits) spread over the top `n_parents` architectures."""
        taken = taken or {}
        order = np.argsort(-np.asarray(history.values), kind="stable")[: self.n_parents]
        pool: dict[Arch, Arch] = {}
        per_parent = int(np.ceil(self.pool_size / len(order)))
        for i in order:
            parent, added = history.archs[int(i)], 0
            for _ in range(per_parent * 3):  # a few tries per slot: many mutations land on seen classes
                child = self.space.mutate(parent, rng)
                if rng.random() < 0.5:
                    child = self.space.mutate(child, rng)
                c = self.space.canonical(child)
                if c not in seen and c not in pool and c not in taken:
                    pool[c] = child
                    added += 1
                    if added == per_parent:
                        break
        return dict(list(pool.items())[: self.pool_size])

    # --- shared loop ----------------------------------------------------------------------------
    def fit_predictor(self, history: History, rng: np.random.Generator):
        from archscout.estimation.predictors import make_predictor

        model = make_predictor(self.predictor, self.space, seed=int(rng.integers(2**31)), **self.predictor_kwargs)
        y = np.asarray(history.values, float)
        if self.rank_targets:  # only the order matters to the search: collapsed cells (10%) weigh no more than it
            from archscout.estimation.predictors.ensemble import normal_scores

            y = normal_scores(y)
        return model.fit(history.archs, y, self.source_feature(history.archs))

    def source_feature(self, archs: list[Arch]) -> np.ndarray | None:
        """Transfer: the source-dataset predictor's prediction, an extra feature for the target model."""
        if self.source is None:
            return None
        if self._source_model is None:
            from archscout.estimation.predictors import make_predictor

            self._source_model = make_predictor(self.source_predictor, self.space, seed=self.seed).fit(*self.source)
        return self._source_model.predict(archs)[0][:, None]

    def score(self, mean: np.ndarray, std: np.ndarray, best: float, rng: np.random.Generator) -> np.ndarray:
        if self.acquisition == "its":  # independent Thompson sampling: one draw per candidate
            return mean + std * rng.standard_normal(len(mean))
        if self.acquisition == "ei":
            sd = np.maximum(std, 1e-9)
            z = (mean - best) / sd
            return (mean - best) * norm.cdf(z) + sd * norm.pdf(z)
        if self.acquisition == "ucb":
            return mean + self.ucb_beta * std
        return mean

    def rank(self, history: History, rng: np.random.Generator) -> list[Arch]:
        """Fit the predictor on `history`, build the pool, return it best-first by the acquisition."""
        seen = {self.space.canonical(a) for a in history.archs}
        cands = self.candidates(history, rng, seen)
        if not cands:
            return []
        model = self.fit_predictor(history, rng)
        self.last_model_, self.last_fit_size_ = model, len(history)
        mean, std = model.predict(cands, self.source_feature(cands))
        best = float(np.max(history.values))
        if self.rank_targets:
            from archscout.estimation.predictors.ensemble import normal_scores

            best = float(np.max(normal_scores(np.asarray(history.values, float))))
        s = self.score(mean, std, best, rng)
        order = np.lexsort((rng.random(len(s)), -s))  # best first, ties broken at random
        return [cands[int(i)] for i in order]

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        seen = {self.space.canonical(a) for a in history.seen}
        n = len(history)
        if n < self.n_init:
            if self.source is None:
                return self._random_unseen(rng, history, seen)
            return self._warm_start(history, seen)
        # The predictor is refit when `refit_every` new results have arrived, on the first r results.
        # Fixing r by the history length (not by what this process happened to cache) keeps a
        # resumed study proposing exactly what an uninterrupted one would.
        r = self.n_init + (n - self.n_init) // self.refit_every * self.refit_every
        key = (r, tuple(history.archs[:r]), tuple(history.values[:r]))
        if self._ranked is None or self._ranked[0] != key:
            prefix = History(archs=list(history.archs[:r]), values=list(history.values[:r]))
            self._ranked = (key, self.rank(prefix, np.random.default_rng([self.seed, r, 1])))
        for cand in self._ranked[1]:
            if self.space.canonical(cand) not in seen:
                return cand
        return self._random_unseen(rng, history, seen)

    def _warm_start(self, history: History, seen: set[Arch]) -> Arch:
        """Transfer warm-up: the best unseen cells by the source predictor, from a fixed random pool."""
        if getattr(self, "_warm_pool", None) is None:
            rng = np.random.default_rng([self.seed, 0, 2])
            pool = list({self.space.canonical(self.space.sample(rng)) for _ in range(10 * self.pool_size)})
            mean = self.source_feature(pool)[:, 0]
            self._warm_pool = [pool[int(i)] for i in np.argsort(-mean, kind="stable")]
        for cand in self._warm_pool:
            if self.space.canonical(cand) not in seen:
                return cand
        return self._random_unseen(np.random.default_rng([self.seed, len(history), 3]), history, seen)

    def _random_unseen(self, rng: np.random.Generator, history: History, seen: set[Arch]) -> Arch:
        arch = self.sample_new(rng, history.seen)
        for _ in range(100):
            if self.space.canonical(arch) not in seen:
                break
            arch = self.sample_new(rng, history.seen)
        return arch


class BananasSampler(PredictorGuidedSampler):
    """BANANAS: MLP ensemble on the path encoding, independent Thompson sampling, mutation pool.

    The ensemble is trained on ``("path", "pathstats")`` (the path encoding plus path statistics,
    see estimation/predictors/encodings.py) for 100 epochs, to keep a refit per query affordable.
    """

    default_predictor = "mlp"
    default_acquisition = "its"
    default_predictor_kwargs = {"encoding": ("path", "pathstats"), "n_models": 5, "epochs": 100, "batch_size": 64}


class GuidedLocalSampler(PredictorGuidedSampler):
    """Predictor-guided local search: the BANANAS loop (White et al. 2021) with a local pool.

    - pool: the unevaluated one-edit neighbours of the best result (``n_local=1``, ``pool_size=0``;
      once that neighbourhood is used up, of the next best that still has one): the moves a local
      search would make, one cell per equivalence class, ranked by the predictor instead of tried at
      random (local search is a strong baseline on NB201, White et al. 2021; the predictor decides
      which neighbour to spend a query on);
    - predictor: XGBoost on `pathstats` (Kendall tau 0.75 at 100 training cells vs 0.59 on one-hot;
      BENCHMARKS.md), refit after every result (``refit_every=1``: a fit takes well under a second);
    - targets: normal scores of the ranks (``rank_targets``): the search needs the order, and a few
      collapsed cells (10% accuracy) would otherwise dominate the squared loss of a 20-point fit;
    - acquisition: the predicted mean (a single booster has no spread; ``predictor_kwargs={"n_models": 5}``
      with ``acquisition="its"`` or ``"ucb"`` gives an uncertainty-driven one).

    ``pool_size=100`` adds BANANAS' mutations of the top 10 to the pool (measured: a little worse at 50
    queries on NB201, see BENCHMARKS.md).
    """

    default_predictor = "xgb"
    default_acquisition = "mean"
    default_predictor_kwargs: dict[str, Any] = {}

    def __init__(self, space: SearchSpace, n_local: int = 1, pool_size: int = 0, refit_every: int = 1,
                 rank_targets: bool = True, **kwargs: Any) -> None:
        super().__init__(space, n_local=n_local, pool_size=pool_size, refit_every=refit_every,
                         rank_targets=rank_targets, **kwargs)
