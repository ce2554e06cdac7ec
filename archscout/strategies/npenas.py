"""NPENAS (Wei et al. 2022, "NPENAS: Neural Predictor Guided Evolution for NAS").

Evolution whose offspring are filtered by a neural predictor: the best architectures are parents,
their offspring (here: every one-edit neighbour, parents taken in order of accuracy until the pool is
full) form the candidate pool, and the graph neural network predictor (GIN over the op DAG, refit on
the whole history at every step) picks the offspring to evaluate — NPENAS-NP ranks by the predicted
mean; ``acquisition="its"`` with ``n_models > 1`` gives the NPENAS-BO flavour.
"""

from __future__ import annotations

import numpy as np

from archscout.spaces.base import Arch
from archscout.strategies.base import History
from archscout.strategies.bananas import PredictorGuidedSampler


class NPENASSampler(PredictorGuidedSampler):
    default_predictor = "gnn"
    default_acquisition = "mean"
    default_predictor_kwargs = {"n_models": 1, "epochs": 100, "batch_size": 64}

    def candidates(self, history: History, rng: np.random.Generator, seen: set[Arch]) -> list[Arch]:
        order = np.argsort(-np.asarray(history.values), kind="stable")
        pool: dict[Arch, Arch] = {}
        for i in order:
            for child in self.space.neighbours(history.archs[int(i)]):
                c = self.space.canonical(child)
                if c not in seen and c not in pool:
                    pool[c] = child
            if len(pool) >= self.pool_size:
                break
        return list(pool.values())
