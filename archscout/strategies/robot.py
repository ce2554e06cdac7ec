"""RoBoT (He et al., "Robustifying and Boosting Training-Free NAS", ICLR 2024) as an Optuna sampler.

Single zero-cost proxies rank architectures unreliably, and which one is best changes with the task.
RoBoT learns a weighted combination instead:

1. min-max normalise each proxy over the candidate pool; the robust metric of weights w in (-1, 1)^k
   is M_w(A) = sum_i w_i M_i(A);
2. Bayesian optimisation over w (GP with a Matérn-5/2 kernel + UCB) for `budget` iterations, where
   f(w) is the queried accuracy of argmax_A M_w(A). An argmax already queried is answered from the
   history and does not count as a query;
3. greedy exploitation: with w* the best weights found, query the architectures down the ranking
   of M_{w*} (skipping those already queried; the pool holds one cell per isomorphism class) until
   the study stops (RoBoT's budget T = the number of trials).

Two changes of archscout's own, both on by default and both switchable back to the paper:

- ``transform="log"`` (paper: "none"): before min-max, each heavy-tailed proxy (|skewness| over the
  pool > 3: on NB201 fisher, grad_norm, snip, grasp, jacov) is mapped to asinh(x / median|x|), a
  monotone signed log. With plain min-max a few outliers squash every other cell of such a proxy into
  [0, 0.01], so its weight only matters for the outliers.
- ``exploit="pairwise"`` (paper: "argmax"): f(w) sees only the argmax of M_w, so many w tie and the
  w* with the best f often ranks the rest of the pool badly. Instead w* is fitted to rank the
  architectures the BO phase queried: a pairwise logistic (RankNet-style) fit over every pair of distinct
  queried cells, each pair weighted by its accuracy gap, with an L2 penalty `pair_l2` on w (see
  `pairwise_fit`). No query is spent on it. The BO phase itself is the paper's. ``exploit="rank"`` is
  the previous default: the mean of the `rank_top` candidate weight vectors whose M_w has the highest
  Spearman with the queried accuracies (see `rank_fit`).

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
EXPLOITS = ("pairwise", "rank", "argmax")  # greedy-phase weights: archscout's default, the previous one, the paper's


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
    `n_init`: random weight vectors before the GP takes over; `ucb_beta`: UCB exploration weight;
    `transform`: "log" (heavy-tailed proxies on a signed log scale, default) or "none" (paper);
    `exploit`: "pairwise" (w* fitted to the queried architectures' pairwise order, default), "rank"
    (the best-Spearman candidates averaged) or "argmax" (paper); `pair_l2`: the pairwise fit's L2
    penalty; `pair_weight`: "gap" (each pair weighted by its accuracy gap, default) or "equal";
    `rank_candidates`, `rank_top`: the size of the "rank" candidate set and how many of its
    best are averaged.
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
        transform: str = "log",
        exploit: str = "pairwise",
        pair_l2: float = 1e-3,
        pair_weight: str = "gap",
        rank_candidates: int = 3000,
        rank_top: int = 10,
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
        from archscout.spaces.subset import SubsetSpace

        # a partial table: propose only its own architectures (as the table names them), never a cell outside it,
        # which the space would map to the same nearest stand-in every time
        self._as_named: dict[Arch, Arch] = {}
        if isinstance(space, SubsetSpace):
            table = table.restrict(space.archs)
            for a in space.archs:
                self._as_named.setdefault(space.canonical(a), a)
        self.table = table
        self.names = table.names
        self.pool: list[Arch] = list(table.archs)
        self.transform = transform
        self.metrics = table.normalised(transform)  # (pool, k) in [0, 1], NaN -> 0
        self._index = {a: i for i, a in enumerate(self.pool)}
        if exploit not in EXPLOITS:
            raise ArchscoutError(f"RoBoT's exploit must be one of {', '.join(EXPLOITS)}, not {exploit!r}")
        if not isinstance(pair_l2, (int, float)) or not np.isfinite(pair_l2) or pair_l2 <= 0:
            raise ArchscoutError(f"RoBoT's pair_l2 must be a positive number, not {pair_l2!r}")
        if rank_top < 1 or rank_candidates < 1:
            raise ArchscoutError("RoBoT's rank_candidates and rank_top must be >= 1")
        self.exploit = exploit
        self.pair_l2 = float(pair_l2)
        if pair_weight not in ("gap", "equal"):
            raise ArchscoutError(f"RoBoT's pair_weight must be 'gap' or 'equal', not {pair_weight!r}")
        self.pair_weight = pair_weight
        self.rank_candidates = int(rank_candidates)
        self.rank_top = int(rank_top)
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

    def _next_w(self, t: int, ws: list[np.ndarray], ys: list[float]) -> np.ndarray:
        key = (t, np.asarray(ws).tobytes(), tuple(ys))
        w = self._memo.get(key)
        if w is not None:
            return w
        k = len(self.names)
        rng = np.random.default_rng([self.seed, t])
        if t < self.n_init or len(ys) < 2:
            w = rng.uniform(-1.0, 1.0, size=k)
        else:
            x, y = np.asarray(ws), np.asarray(ys)
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

    def observed_rank_correlation(self, ws: list[np.ndarray], archs: list[Arch], values: list[float]) -> np.ndarray:
        """Spearman of each M_w with the queried values over the distinct queried architectures.

        0 where it is undefined (fewer than 3 distinct architectures, or M_w or the values constant).
        """
        if not ws:
            return np.zeros(0)
        seen: dict[Arch, float] = {}
        for a, v in zip(archs, values):
            seen.setdefault(a, v)
        if len(seen) < 3:
            return np.zeros(len(ws))
        from scipy.stats import rankdata

        rows = self.metrics[[self._index[a] for a in seen]]
        rv = rankdata(np.array(list(seen.values())))
        rv = rv - rv.mean()
        if not np.any(rv):
            return np.zeros(len(ws))
        rm = rankdata(rows @ np.asarray(ws).T, axis=0)  # (distinct archs, len(ws)), ranked per w
        rm = rm - rm.mean(0)
        den = np.sqrt((rm * rm).sum(0) * (rv * rv).sum())
        return np.where(den > 0, (rm * rv[:, None]).sum(0) / np.where(den > 0, den, 1.0), 0.0)

    def rank_fit(self, ws: list[np.ndarray], fs: list[float], archs: list[Arch]) -> np.ndarray:
        """exploit="rank" (the previous default): the mean of the `rank_top` weight vectors that best rank the
        architectures queried in the BO phase (Spearman on the distinct ones), among the BO's own weights,
        `rank_candidates` uniform ones and perturbations (sd 0.1 and 0.3) of the three best BO weights.
        Costs no query; seeded by (seed, "rank") so that a replay gives the same weights."""
        key = ("rank", np.asarray(ws).tobytes(), tuple(fs))
        w = self._memo.get(key)
        if w is not None:
            return w
        k = len(self.names)
        rng = np.random.default_rng([self.seed, 0x72616E6B])
        cands = [np.asarray(ws), rng.uniform(-1.0, 1.0, size=(self.rank_candidates, k))]
        for i in np.argsort(-np.asarray(fs), kind="stable")[:3]:
            for sd in (0.1, 0.3):
                cands.append(np.clip(ws[i] + sd * rng.standard_normal((self.rank_candidates // 6, k)), -1.0, 1.0))
        c = np.vstack(cands)
        rho = self.observed_rank_correlation(list(c), archs, fs)
        if not np.any(rho):  # fewer than 3 distinct architectures (or constant values): nothing to rank by
            w = ws[int(np.argmax(fs))]
        else:
            w = c[np.argsort(-rho, kind="stable")[: self.rank_top]].mean(0)
        self._memo[key] = w
        return w

    def pairwise_fit(self, ws: list[np.ndarray], fs: list[float], archs: list[Arch]) -> np.ndarray:
        """archscout's exploitation weights: w minimising the accuracy-gap-weighted logistic loss of every
        ordered pair of distinct queried architectures, sum_{a>b} (y_a - y_b) log(1 + exp(-w . (M_a - M_b)))
        / sum (y_a - y_b), plus `pair_l2` ||w||^2; scaled to max |w_i| = 1 (the ranking does not change).

        Why this fit: a dozen cells against 13 weights is underdetermined, and the near-ties among the
        good cells the BO phase keeps finding (93.3 vs 93.4) are mostly noise for the pool-wide order;
        weighting by the gap lets the clear differences (a dead or weak cell against a good one) decide,
        and the penalty keeps w away from the many exact separators. Convex, deterministic, no query
        spent. Fewer than two distinct values (no pair): the BO's best weights."""
        key = ("pairwise", np.asarray(ws).tobytes(), tuple(fs))
        w = self._memo.get(key)
        if w is not None:
            return w
        seen: dict[Arch, float] = {}
        for a, v in zip(archs, fs):
            seen.setdefault(a, v)
        y = np.array(list(seen.values()), float)
        hi, lo = np.nonzero(y[:, None] > y[None, :])
        if len(hi) == 0:
            w = ws[int(np.argmax(fs))]
        else:
            w = fit_pairwise(self.metrics[[self._index[a] for a in seen]], y, hi, lo, self.pair_l2,
                             equal=self.pair_weight == "equal")
        self._memo[key] = w
        return w

    def exploit_weights(self, ws: list[np.ndarray], fs: list[float], archs: list[Arch]) -> np.ndarray:
        """w* for the greedy phase: argmax f(w) over the BO's weights (paper), `pairwise_fit` (default) or
        `rank_fit`."""
        if not fs:
            return self._next_w(0, [], [])
        if self.exploit == "argmax":
            return ws[int(np.argmax(fs))]
        if self.exploit == "rank":
            return self.rank_fit(ws, fs, archs)
        return self.pairwise_fit(ws, fs, archs)

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
        best_w = self.exploit_weights(ws, fs, picked)
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
        return self._as_named.get(arch, arch)


def fit_pairwise(x: np.ndarray, y: np.ndarray, hi: np.ndarray, lo: np.ndarray, l2: float,
                 equal: bool = False) -> np.ndarray:
    """The gap-weighted pairwise logistic fit of `RoBoTSampler.pairwise_fit` on features `x` (n, k) and
    values `y`, over the pairs y[hi] > y[lo] (`equal`: every pair weighs the same, the ablation);
    returned scaled to max |w_i| = 1 (zeros stay zeros)."""
    from scipy.optimize import minimize

    d = x[hi] - x[lo]
    gap = np.ones(len(hi)) if equal else y[hi] - y[lo]
    gap = gap / gap.sum()

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = d @ w
        # log(1 + e^-z) and its derivative -1 / (1 + e^z), both without overflow
        return float(gap @ np.logaddexp(0.0, -z) + l2 * w @ w), d.T @ (-gap * np.exp(-np.logaddexp(0.0, z))) + 2 * l2 * w

    w = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    top = float(np.abs(w).max())
    return w / top if top > 0 else w


def precision_at_k(scores: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Fraction of the true top-k that the score's top-k recovers (NaN scores rank last)."""
    s = np.where(np.isfinite(scores), scores, -np.inf)
    top_s = set(np.argsort(-s, kind="stable")[:k].tolist())
    top_t = set(np.argsort(-np.asarray(truth), kind="stable")[:k].tolist())
    return len(top_s & top_t) / float(k)


PROXY_CACHE_ATTR = "archscout:proxy_scores"  # study user attribute: {arch string: {proxy: score}}


def candidate_pool(space: SearchSpace, size: int, seed: int | None) -> list[Arch]:
    """`size` distinct canonical architectures drawn uniformly (seeded); disconnected NB201 cells are left out."""
    if size < 2:
        raise ArchscoutError("RoBoT's candidate pool needs at least 2 architectures")
    rng = np.random.default_rng([0 if seed is None else seed, 0x706F6F6C])
    connected = getattr(space, "is_connected", None)
    out: dict[Arch, None] = {}
    tries = 0
    while len(out) < size and tries < 50 * size:
        tries += 1
        a = space.canonical(space.sample(rng))
        if connected is None or connected(a):
            out.setdefault(a)
    return list(out)


def live_proxy_table(space: SearchSpace, data: Any, module_kwargs: dict[str, Any], pool: list[Arch],
                     seed: int | None = None, study: Any = None, batch_size: int = 64,
                     progress: bool = False) -> Any:
    """The 13 zero-cost proxies of every pool architecture, computed on one batch of the user's training data.

    Networks are built as the live search trains them (`module_kwargs`), initialised after
    ``torch.manual_seed(seed)``. Scores are cached in the study (user attribute `PROXY_CACHE_ATTR`,
    saved every 20 networks and at the end), so a resumed search does not score them again. Proxies
    undefined on every pool network (all NaN) are left out, with a note on stderr.
    """
    import sys

    import torch

    from archscout.estimation.zerocost import PROXIES
    from archscout.estimation.zerocost.proxies import score_archs
    from archscout.estimation.zerocost.table import ProxyTable
    from archscout.training.objective import build_module

    s = 0 if seed is None else int(seed)
    rng = np.random.default_rng([s, 0x626174])
    n = min(batch_size, len(data.y_train))
    idx = rng.choice(len(data.y_train), size=n, replace=False)
    batch = (torch.as_tensor(np.asarray(data.x_train[idx]), dtype=torch.float32),
             torch.as_tensor(np.asarray(data.y_train[idx])).long())
    cache: dict[str, dict[str, float]] = {}
    if study is not None:
        cache = json.loads(study.user_attrs.get(PROXY_CACHE_ATTR, "{}"))
    new = [0]

    def save(key: str, scores: dict[str, float]) -> None:
        new[0] += 1
        if study is not None and new[0] % 20 == 0:
            study.set_user_attr(PROXY_CACHE_ATTR, json.dumps(cache))

    rows = score_archs(lambda a: build_module(space, a, data, **module_kwargs), pool, batch, seed=s,
                       key=space.to_string, cache=cache, on_result=save, progress=progress)
    if study is not None and new[0]:
        study.set_user_attr(PROXY_CACHE_ATTR, json.dumps(cache))
    m = np.array([[r[p] for p in PROXIES] for r in rows], float)
    m[~np.isfinite(m)] = np.nan
    keep = [p for j, p in enumerate(PROXIES) if np.isfinite(m[:, j]).any()]
    if len(keep) < len(PROXIES):
        print(f"archscout: RoBoT leaves out {', '.join(p for p in PROXIES if p not in keep)}: undefined on every "
              f"network of the pool", file=sys.stderr)
    return ProxyTable(space, list(pool), PROXIES, m, f"proxies on {getattr(data, 'name', 'the data')}").select(keep)
