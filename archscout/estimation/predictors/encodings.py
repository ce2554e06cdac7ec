"""Architecture -> feature vector, for every predictor.

Kinds: any of the space's own encodings (``onehot``, ``adjacency``, ``path`` for NB201), always of
the *canonical* architecture (equivalent cells must get equal features, else a model learns noise),
plus ``pathstats``: op statistics over the input-to-output paths of the op graph, and ``graf``:
neural graph features in the manner of GRAF (Kadlecová et al., ICML 2024), the paths that use only
a given set of ops.

Why ``pathstats``: what an NB201 cell can learn is decided by its input-output paths (which edges
feed the output at all, how many convolutions lie in series on the deepest path, whether a
parameter-free path short-circuits the convs). A one-hot of the 6 edges makes a tree or GP rediscover
these interactions from 100 points; giving them directly is what lifts Kendall tau at 100 training
cells from ~0.55 (one-hot) to ~0.75 (see BENCHMARKS.md, `archscout bench predictors`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import Arch, SearchSpace

EXTRA_KINDS = ("pathstats", "graf", "chainstats")
# The default of the tree, GP and committee predictors on cell spaces (chosen on development seeds
# 100-109, BENCHMARKS.md "Performance predictors"); elsewhere samplers use `default_encoding(space)`.
DEFAULT_ENCODING: tuple[str, ...] = ("pathstats", "graf")


def _paths(adj: np.ndarray) -> list[list[int]]:
    """Every path from node 0 (input) to the last node (output) of a DAG."""
    n = adj.shape[0]
    out: list[list[int]] = []
    stack = [[0]]
    while stack:
        p = stack.pop()
        if p[-1] == n - 1:
            out.append(p)
            continue
        for j in np.flatnonzero(adj[p[-1]]):
            stack.append(p + [int(j)])
    return out


def op_vocabulary(space: SearchSpace) -> list[str]:
    """The op names of a space (every choice of any decision), without the 'none' op."""
    vocab: list[str] = []
    for choices in space.decisions().values():
        for c in choices:
            if isinstance(c, str) and c != "none" and c not in vocab:
                vocab.append(c)
    return vocab


def path_stats(space: SearchSpace, arch: Arch) -> np.ndarray:
    """Per op: #live nodes, total / max / min count along input-output paths; + #paths, longest, shortest.

    Needs ``space.op_graph`` (adjacency of the op DAG + node labels, input first, output last).
    """
    adj, labels = space.op_graph(arch)  # type: ignore[attr-defined]
    vocab = op_vocabulary(space)
    paths = _paths(np.asarray(adj))
    counts = np.zeros((max(len(paths), 1), len(vocab)))
    live: set[int] = set()
    for r, p in enumerate(paths):
        for node in p[1:-1]:
            live.add(node)
            if labels[node] in vocab:
                counts[r, vocab.index(labels[node])] += 1
    node_counts = np.zeros(len(vocab))
    for node in live:
        if labels[node] in vocab:
            node_counts[vocab.index(labels[node])] += 1
    lengths = [len(p) - 2 for p in paths] or [0]
    return np.concatenate([
        node_counts, counts.sum(0), counts.max(0), counts.min(0),
        [len(paths), max(lengths), min(lengths)],
    ])


def _op_subsets(vocab: list[str]) -> list[tuple[str, ...]]:
    """Every non-empty set of ops (at most 3 ops per set once there are more than 6 ops)."""
    top = len(vocab) if len(vocab) <= 6 else 3
    return [s for r in range(1, top + 1) for s in itertools.combinations(vocab, r)]


def graf_stats(space: SearchSpace, arch: Arch) -> np.ndarray:
    """GRAF-style features: for every set S of ops, the input-output paths made of ops in S only
    (their number, shortest and longest length in ops, -1 when there is none); per op, how many of
    the output's inputs and of the input's readers it is.

    Why: a cell's accuracy hinges on such restricted paths (is there a path of convolutions only, how
    long; is there a parameter-free shortcut). `pathstats` counts ops along paths but never asks which
    paths avoid an op, so a tree must rebuild that from 100 points; given it directly, `ens-et` on the
    architecture alone goes from 0.77 to 0.83 Kendall tau at 100 NB201 cells (BENCHMARKS.md).
    Needs ``space.op_graph``.
    """
    adj, labels = space.op_graph(arch)  # type: ignore[attr-defined]
    adj = np.asarray(adj)
    vocab = op_vocabulary(space)
    paths = [[labels[n] for n in p[1:-1]] for p in _paths(adj)]
    out: list[float] = []
    for ops in _op_subsets(vocab):
        lengths = [len(p) for p in paths if all(o in ops for o in p)]
        out += [len(lengths), min(lengths) if lengths else -1, max(lengths) if lengths else -1]
    last = adj.shape[0] - 1
    for o in vocab:
        out.append(sum(1 for i in np.flatnonzero(adj[:, last]) if labels[i] == o))
        out.append(sum(1 for j in np.flatnonzero(adj[0]) if labels[j] == o))
    return np.array(out, dtype=float)


def chain_stats(space: SearchSpace, arch: Arch) -> np.ndarray:
    """Depth-independent statistics of a chain architecture (spaces/chain.py), for models that must
    rank chains deeper than any they were trained on (PNAS's progressive search).

    A one-hot is positional: a layer at a depth no training chain reached is a column the model never
    saw, so every expansion of a parent would score alike. These statistics extend to any depth:
    depth, #conv, #pool, #stride-2 convs, total downsampling, receptive field (log2), per filter width
    and per kernel size the number of convs, log2 of the first / last / widest conv's filters, whether
    the convs widen monotonically, head (GAP or not), #FC layers and log2 of their total units.
    """
    from archscout.spaces.chain import FILTERS, KERNELS, POOL

    layers, head, fcs = arch
    convs = [layer for layer in layers if layer != POOL]
    n_pool = len(layers) - len(convs)
    n_s2 = sum(1 for c in convs if c[3] == 2)
    rf, jump = 1.0, 1.0  # receptive field along one axis
    for layer in layers:
        k, s = (2, 2) if layer == POOL else (layer[2], layer[3])
        rf += (k - 1) * jump
        jump *= s
    widths = [c[1] for c in convs]
    return np.array(
        [len(layers), len(convs), n_pool, n_s2, n_pool + n_s2, np.log2(rf)]
        + [sum(1 for c in convs if c[1] == f) for f in FILTERS]
        + [sum(1 for c in convs if c[2] == k) for k in KERNELS]
        + [np.log2(widths[0]) if widths else 0.0, np.log2(widths[-1]) if widths else 0.0,
           np.log2(max(widths)) if widths else 0.0, float(widths == sorted(widths))]
        + [float(head == "gap"), len(fcs), np.log2(1 + sum(fcs))],
        dtype=float,
    )


def extra_kinds(space: SearchSpace) -> tuple[str, ...]:
    """The encodings computed here (beyond the space's own) that apply to `space`."""
    from archscout.spaces.chain import ChainSpace

    if hasattr(space, "op_graph"):
        return ("pathstats", "graf")
    if isinstance(space, ChainSpace):
        return ("chainstats",)
    return ()


def default_encoding(space: SearchSpace) -> tuple[str, ...]:
    """The encoding a predictor should use on `space` when its own default does not apply there:
    path statistics + GRAF-style graph features for cell spaces with an op graph, one-hot + chain
    statistics for chains, else the space's first encoding."""
    extra = extra_kinds(space)
    if "pathstats" in extra:
        return DEFAULT_ENCODING
    if "chainstats" in extra:
        return ("onehot", "chainstats")
    return (tuple(space.encoding_kinds()) or ("onehot",))[:1]


def encoding_applies(space: SearchSpace, kinds: str | Sequence[str]) -> bool:
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    allowed = tuple(space.encoding_kinds()) + extra_kinds(space)
    return bool(kinds) and all(k in allowed for k in kinds)


_EXTRA = {"pathstats": path_stats, "graf": graf_stats, "chainstats": chain_stats}
_SHARED: dict[tuple, dict[Arch, np.ndarray]] = {}
_SHARED_MAX = 200_000


class Encoder:
    """Concatenated encodings of the canonical architecture, cached per architecture."""

    def __init__(self, space: SearchSpace, kinds: str | Sequence[str] = "pathstats") -> None:
        self.space = space
        self.kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        if not self.kinds:
            raise ArchscoutError("an encoding needs at least one kind")
        allowed = tuple(space.encoding_kinds()) + extra_kinds(space)
        for k in self.kinds:
            if k not in allowed:
                raise ArchscoutError(f"unknown encoding {k!r} for {space.name}; choose from {', '.join(allowed)}")
        # shared by every encoder of the same space and kinds: a sampler builds a new model (and
        # encoder) at each refit and scores mostly the same candidates again
        key = (space, self.kinds)
        if key not in _SHARED or len(_SHARED[key]) > _SHARED_MAX:
            _SHARED[key] = {}
        self._cache: dict[Arch, np.ndarray] = _SHARED[key]

    def one(self, arch: Arch) -> np.ndarray:
        v = self._cache.get(arch)
        if v is None:
            try:
                self.space.to_string(arch)  # the space's own validation names the problem
                c = self.space.canonical(arch)
                parts = [_EXTRA[k](self.space, c) if k in _EXTRA else self.space.encode(c, k) for k in self.kinds]
            except (TypeError, IndexError, KeyError, AttributeError, ValueError) as e:
                if isinstance(e, ArchscoutError):
                    raise
                raise ArchscoutError(f"not a {self.space.name} architecture: {arch!r}") from None
            v = np.concatenate(parts).astype(float)
            self._cache[arch] = v
        return v

    def __call__(self, archs: Sequence[Arch]) -> np.ndarray:
        if len(archs) == 0:
            return np.zeros((0, 0))
        return np.vstack([self.one(a) for a in archs])
