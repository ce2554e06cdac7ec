"""The NAS-Bench-201 cell space (Dong & Yang 2020): 4 nodes, 6 edges, 5 operations per edge.

An architecture is a tuple of 6 op indices in the benchmark's edge order
(1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2), written as ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import SearchSpace

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
NUM_NODES = 4
NONE = 0

# Input-to-output paths as lists of edge indices; the path encoding has one bit per op sequence.
_PATHS: tuple[tuple[int, ...], ...] = ((3,), (0, 4), (1, 5), (0, 2, 5))
_LIVE_OPS = OPS[1:]  # "none" breaks a path, so it never appears in one
_PATH_INDEX: dict[tuple[int, ...], int] = {}
for _length in (1, 2, 3):
    for _seq in itertools.product(range(1, len(OPS)), repeat=_length):
        _PATH_INDEX[_seq] = len(_PATH_INDEX)
PATH_ENCODING_LENGTH = len(_PATH_INDEX)  # 4 + 16 + 64 = 84

# Links of the op-node DAG (0 = input, k+1 = edge k, 7 = output), present when both ends are live.
_OP_GRAPH_LINKS: tuple[tuple[int, int], ...] = tuple(
    [(0, k + 1) for k, (i, _) in enumerate(EDGES) if i == 0]
    + [(m + 1, k + 1) for k, (i, _) in enumerate(EDGES) for m, (_, b) in enumerate(EDGES) if b == i]
    + [(k + 1, len(EDGES) + 1) for k, (_, j) in enumerate(EDGES) if j == NUM_NODES - 1]
)

_TOKEN = re.compile(r"^([a-z0-9_]+)~(\d+)$")


@functools.lru_cache(maxsize=3 * 15625)
def _encode_cached(space: NB201Space, arch: tuple[int, ...], kind: str) -> np.ndarray:
    """Encodings are pure functions of the cell; BO and predictors ask for the same ones again and again."""
    v = space._encode(arch, kind)
    v.setflags(write=False)
    return v


class NB201Space(SearchSpace):
    """The 15,625 cells of NAS-Bench-201 (9,445 after removing edges that lie on no path)."""

    name = "nb201"

    def __init__(self) -> None:
        self._canonical_cache: dict[tuple[int, ...], tuple[int, ...]] = {}

    def __eq__(self, other: object) -> bool:  # stateless apart from caches: all instances are one space
        return isinstance(other, NB201Space)

    def __hash__(self) -> int:
        return hash(NB201Space)

    # --- basics ------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> tuple[int, ...]:
        return tuple(int(x) for x in rng.integers(0, len(OPS), size=len(EDGES)))

    def mutate(self, arch: tuple[int, ...], rng: np.random.Generator) -> tuple[int, ...]:
        edge = int(rng.integers(len(EDGES)))
        new_op = int(rng.integers(len(OPS) - 1))
        if new_op >= arch[edge]:
            new_op += 1
        out = list(arch)
        out[edge] = new_op
        return tuple(out)

    def neighbours(self, arch: tuple[int, ...]) -> list[tuple[int, ...]]:
        out = []
        for edge in range(len(EDGES)):
            for op in range(len(OPS)):
                if op != arch[edge]:
                    n = list(arch)
                    n[edge] = op
                    out.append(tuple(n))
        return out

    def size(self) -> int:
        return len(OPS) ** len(EDGES)

    def enumerate(self) -> Iterator[tuple[int, ...]]:
        return (tuple(a) for a in itertools.product(range(len(OPS)), repeat=len(EDGES)))

    # --- strings -----------------------------------------------------------------------------
    def to_string(self, arch: tuple[int, ...]) -> str:
        self._check(arch)
        parts, k = [], 0
        for node in range(1, NUM_NODES):
            parts.append("|" + "|".join(f"{OPS[arch[k + i]]}~{i}" for i in range(node)) + "|")
            k += node
        return "+".join(parts)

    def from_string(self, text: str) -> tuple[int, ...]:
        text = text.strip()
        nodes = text.split("+")
        if len(nodes) != NUM_NODES - 1:
            raise ArchscoutError(f"malformed NAS-Bench-201 architecture {text!r}: expected 3 node groups joined by '+'")
        ops: list[int] = []
        for node, group in enumerate(nodes, start=1):
            if not (group.startswith("|") and group.endswith("|")):
                raise ArchscoutError(f"malformed NAS-Bench-201 architecture {text!r}: group {group!r} must be wrapped in '|'")
            tokens = group[1:-1].split("|")
            if len(tokens) != node:
                raise ArchscoutError(
                    f"malformed NAS-Bench-201 architecture {text!r}: node {node} needs {node} inputs, got {len(tokens)}"
                )
            for i, token in enumerate(tokens):
                m = _TOKEN.match(token)
                if not m:
                    raise ArchscoutError(f"malformed NAS-Bench-201 architecture {text!r}: bad edge {token!r} (want op~input)")
                op, src = m.group(1), int(m.group(2))
                if op not in OPS:
                    raise ArchscoutError(f"unknown op {op!r} in {text!r}; NAS-Bench-201 ops are {', '.join(OPS)}")
                if src != i:
                    raise ArchscoutError(f"malformed NAS-Bench-201 architecture {text!r}: edge {token!r} should come from node {i}")
                ops.append(OPS.index(op))
        return tuple(ops)

    # --- equivalence -------------------------------------------------------------------------
    def canonical(self, arch: tuple[int, ...]) -> tuple[int, ...]:
        """Set every edge that lies on no input-to-output path to ``none``, to a fixed point.

        Such an edge feeds a node whose output never reaches the cell output (or reads a node that
        receives nothing), so it changes nothing: 15,625 cells collapse to 9,445 classes.
        """
        arch = tuple(arch)
        cached = self._canonical_cache.get(arch)
        if cached is not None:
            return cached
        cur = list(arch)
        while True:
            live = [(i, j) for (i, j), op in zip(EDGES, cur) if op != NONE]
            reach_from_in = {0}
            for i, j in sorted(live, key=lambda e: e[1]):  # edges go forward, so sort by target
                if i in reach_from_in:
                    reach_from_in.add(j)
            reach_to_out = {NUM_NODES - 1}
            for i, j in sorted(live, key=lambda e: -e[0]):
                if j in reach_to_out:
                    reach_to_out.add(i)
            new = [op if (op != NONE and i in reach_from_in and j in reach_to_out) else NONE for (i, j), op in zip(EDGES, cur)]
            if new == cur:
                break
            cur = new
        out = tuple(cur)
        self._canonical_cache[arch] = out
        return out

    def is_connected(self, arch: tuple[int, ...]) -> bool:
        """False when no path joins input and output (the cell outputs zeros)."""
        return any(op != NONE for op in self.canonical(arch))

    # --- encodings ---------------------------------------------------------------------------
    def encoding_kinds(self) -> tuple[str, ...]:
        return ("onehot", "adjacency", "path")

    def encode(self, arch: tuple[int, ...], kind: str = "onehot") -> np.ndarray:
        self._check(arch)
        if kind not in self.encoding_kinds():
            raise ArchscoutError(f"unknown encoding {kind!r} for nb201; choose from {', '.join(self.encoding_kinds())}")
        return _encode_cached(self, tuple(arch), kind)

    def _encode(self, arch: tuple[int, ...], kind: str) -> np.ndarray:
        if kind == "onehot":
            v = np.zeros((len(EDGES), len(OPS)))
            v[np.arange(len(EDGES)), list(arch)] = 1.0
            return v.ravel()
        if kind == "adjacency":
            adj, ops = self.op_graph(arch)
            iu = np.triu_indices(adj.shape[0], k=1)
            onehot = np.zeros((len(EDGES), len(OPS)))
            onehot[np.arange(len(EDGES)), list(arch)] = 1.0
            return np.concatenate([adj[iu], onehot.ravel()])
        if kind == "path":
            v = np.zeros(PATH_ENCODING_LENGTH)
            for path in _PATHS:
                seq = tuple(arch[e] for e in path)
                if NONE not in seq:
                    v[_PATH_INDEX[seq]] = 1.0
            return v
        raise AssertionError(kind)

    def op_graph(self, arch: tuple[int, ...]) -> tuple[np.ndarray, list[str]]:
        """The cell as a DAG of operations: nodes = input, the 6 edge ops, output.

        This is the view graph predictors (GNNs, adjacency encodings) use: op node k reads the op
        nodes of the edges that end where edge k starts.
        """
        n = len(EDGES) + 2
        adj = np.zeros((n, n))
        live = [op != NONE for op in arch]
        for src, dst in _OP_GRAPH_LINKS:
            if (src == 0 or live[src - 1]) and (dst == n - 1 or live[dst - 1]):
                adj[src, dst] = 1
        labels = ["input"] + [OPS[o] for o in arch] + ["output"]
        return adj, labels

    # --- Optuna view -------------------------------------------------------------------------
    def decisions(self) -> dict[str, Sequence[Any]]:
        return {f"edge_{j}<-{i}": OPS for i, j in EDGES}

    def to_params(self, arch: tuple[int, ...]) -> dict[str, Any]:
        return {name: OPS[op] for name, op in zip(self.decisions(), arch)}

    def from_params(self, params: dict[str, Any]) -> tuple[int, ...]:
        try:
            return tuple(OPS.index(params[name]) for name in self.decisions())
        except KeyError as e:
            raise ArchscoutError(f"parameters do not describe a NAS-Bench-201 cell: missing {e.args[0]!r}") from None
        except ValueError as e:
            raise ArchscoutError(f"parameters do not describe a NAS-Bench-201 cell: {e}") from None

    def to_module(self, arch: tuple[int, ...], input_shape: Sequence[int], num_classes: int, C: int = 16, N: int = 5) -> Any:
        """The benchmark's PyTorch network for this cell (torch imported only here).

        `input_shape` is (channels, height, width) for images or (channels, length) for 1-D signals.
        """
        self._check(tuple(arch))
        from archscout.spaces.nb201_net import NB201Network

        return NB201Network(arch, input_shape, num_classes, C=C, N=N)

    def _check(self, arch: Any) -> None:
        if not (isinstance(arch, tuple) and len(arch) == len(EDGES) and all(isinstance(o, int) and 0 <= o < len(OPS) for o in arch)):
            raise ArchscoutError(f"not a NAS-Bench-201 architecture: {arch!r}")
