"""RoBoT (He et al., "Robustifying and Boosting Training-Free NAS", ICLR 2024) as an Optuna sampler.

Single zero-cost proxies rank architectures unreliably, and which one is best changes with the task.
RoBoT learns a weighted combination instead:

1. min-max normalise each proxy over the candidate pool; the robust metric of weights w in (-1, 1)^k
   is M_w(A) = sum_i w_i M_i(A);
2. Bayesian optimisation over w (GP with a Matérn-5/2 kernel + UCB) for `budget` iterations, where
   f(w) is the queried accuracy of argmax_A M_w(A). An argmax already queried is answered from the
   history and does not count as a query;
3. greedy exploitation: with w* the best weights found, query the architectures down the ranking
   of M_{w*} until the study stops (RoBoT's budget T = the number of trials).

Every proposal replays the whole procedure from the study's history with generators seeded by
(seed, BO iteration), so a resumed or replayed study proposes exactly what an uninterrupted one would.
Proxy scores come from a table (`ProxyTable`, default: the bundled NAS-Bench-Suite-Zero CIFAR-10 scores).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.estimation.predictors.gp import GPRegressor
from archscout.spaces.base import Arch, SearchSpace
from archscout.strategies.base import ArchSampler, History

ROBOT_ATTR = "archscout:robot"


def _one_blas_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only a speed-up
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


class RoBoTSampler(ArchSampler):
    """BO over proxy weights, then greedy search down the learned ranking.

    `proxies`: a CSV path or a loaded `ProxyTable` (None: the bundled table); `names`: which proxy
    columns enter (None: all); `budget`: T, the number of BO iterations (pass the number of trials);
    `n_init`: random weight vectors before the GP takes over; `ucb_beta`: UCB exploration weight.
    """

    def __init__(
        self,
        space: SearchSpace,
        proxies: Any = None,
        names: list[str] | tuple[str, ...] | None = None,
        budget: int = 20,
        n_init: int = 5,
        ucb_beta: float = 2.576,
        n_candidates: int = 2000,
        seed: int | None = None,
    ) -> None:
        from archscout.estimation.zerocost.table import ProxyTable, load_proxy_table

        super().__init__(space, seed=seed, unique=True)
        if n_init < 1:
            raise ArchscoutError("RoBoT needs at least one random warm-up iteration (n_init >= 1)")
        if budget < n_init:
            raise ArchscoutError(
                f"RoBoT's budget T={budget} is smaller than its BO warm-up of {n_init} random weight vectors; "
                f"raise --trials to at least {n_init}"
            )
        if isinstance(proxies, ProxyTable):
            table = proxies.select(list(names) if names is not None else None)
        else:
            table = load_proxy_table(Path(proxies) if proxies is not None else None, space,
                                     list(names) if names is not None else None)
        self.table = table
        self.names = table.names
        self.pool: list[Arch] = list(table.archs)
        self.metrics = table.normalised()  # (pool, k) in [0, 1], NaN -> 0
        self.budget = int(budget)
        self.n_init = int(n_init)
        self.ucb_beta = float(ucb_beta)
        self.n_candidates = int(n_candidates)
        self._memo: dict[tuple, np.ndarray] = {}

    # --- the algorithm ---------------------------------------------------------------------------
    def robust_scores(self, w: np.ndarray) -> np.ndarray:
        """M_w over the pool."""
        return self.metrics @ np.asarray(w, float)

    def _argmax(self, w: np.ndarray) -> int:
        return int(np.argmax(self.robust_scores(w)))  # ties: the first in pool order

    def _next_w(self, t: int, ws: list[np.ndarray], fs: list[float]) -> np.ndarray:
        key = (t, np.asarray(ws).tobytes(), tuple(fs))
        w = self._memo.get(key)
        if w is not None:
            return w
        k = len(self.names)
        rng = np.random.default_rng([self.seed, t])
        if t < self.n_init or len(fs) < 2:
            w = rng.uniform(-1.0, 1.0, size=k)
        else:
            x, y = np.asarray(ws), np.asarray(fs)
            with _one_blas_thread():  # a 20-point GP: BLAS threads only spin (10x slower on a busy machine)
                gp = GPRegressor(seed=int(rng.integers(2**31))).fit(x, y)
            cands = [rng.uniform(-1.0, 1.0, size=(self.n_candidates, k))]
            for i in np.argsort(-y, kind="stable")[:3]:  # refine around the best weights too
                cands.append(np.clip(x[i] + 0.1 * rng.standard_normal((self.n_candidates // 4, k)), -1.0, 1.0))
            c = np.vstack(cands)
            mean, sd = gp.predict(c)
            w = c[int(np.argmax(mean + self.ucb_beta * sd))]
        self._memo[key] = w
        return w

    def replay(self, history: History) -> dict[str, Any]:
        """Run RoBoT against what the history already knows.

        Returns the next architecture to query (``arch``, None when nothing is left), the ``phase``
        ("bo" or "greedy"), the BO observations (``weights``, ``values``, ``archs``) and the best weights.
        """
        known: dict[Arch, float] = {}
        for a, v in history.value_of().items():
            c = self.space.canonical(a)
            if c not in known or v > known[c]:
                known[c] = v
        pending = {self.space.canonical(a) for a in history.pending}
        ws: list[np.ndarray] = []
        fs: list[float] = []
        picked: list[Arch] = []
        for t in range(self.budget):
            w = self._next_w(t, ws, fs)
            arch = self.pool[self._argmax(w)]
            if arch in known:  # a repeat: its value is known, no query spent
                ws.append(w)
                fs.append(known[arch])
                picked.append(arch)
                continue
            if arch in pending:  # another worker is evaluating it
                continue
            return {"arch": arch, "phase": "bo", "iteration": t, "weights": ws, "values": fs, "archs": picked,
                    "best_w": ws[int(np.argmax(fs))] if fs else None}
        best_w = ws[int(np.argmax(fs))] if fs else self._next_w(0, [], [])
        order = np.argsort(-self.robust_scores(best_w), kind="stable")
        nxt = next((self.pool[i] for i in order if self.pool[i] not in known and self.pool[i] not in pending), None)
        return {"arch": nxt, "phase": "greedy", "iteration": self.budget, "weights": ws, "values": fs,
                "archs": picked, "best_w": best_w}

    def propose(self, history: History, rng: np.random.Generator, study, trial) -> Arch:
        state = self.replay(history)
        arch = state["arch"]
        if arch is None:  # the whole pool has been queried
            return self.sample_new(rng, history.seen)
        info = {"phase": state["phase"], "iteration": state["iteration"]}
        if state["best_w"] is not None:
            info["weights"] = dict(zip(self.names, np.round(state["best_w"], 6).tolist()))
        self.set_trial_attr(study, trial, ROBOT_ATTR, json.dumps(info))
        return arch


def precision_at_k(scores: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Fraction of the true top-k that the score's top-k recovers (NaN scores rank last)."""
    s = np.where(np.isfinite(scores), scores, -np.inf)
    top_s = set(np.argsort(-s, kind="stable")[:k].tolist())
    top_t = set(np.argsort(-np.asarray(truth), kind="stable")[:k].tolist())
    return len(top_s & top_t) / float(k)
