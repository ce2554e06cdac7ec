"""A NAS-Bench-201 supernet: every edge of every cell holds all 5 candidate ops, each with its own weights.

The macro skeleton is `NB201Network`'s (stem, three stages of N cells with C, 2C, 4C channels, residual
reduction blocks, BN + ReLU, global pooling, linear classifier) and the ops are `nb201_net.make_op`'s,
so the network of one architecture *is* a sub-network of the supernet: `to_network(arch)` copies its
weights into a standalone `NB201Network` that computes exactly what ``forward(x, arch=arch)`` does.

Three explicit forward modes, one per family of one-shot methods:
  ``forward(x, arch=cell)``       the single path of one cell (SPOS, RSPS; ranking with inherited weights);
                                  ``none`` edges contribute zero and cost nothing;
  ``forward(x, alpha=a)``         DARTS' continuous relaxation: edge k outputs sum_o softmax(a[k])_o op_o(x);
  ``forward(x, drop_prob=p, rng)`` Bender et al.'s path dropout: each op of an edge is dropped with
                                  probability p, at least one kept, the sum rescaled by 1 / (1 - p).
Every cell of the network uses the same choice, as in NB201 (one cell repeated 3N times).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from archscout.errors import ArchscoutError
from archscout.spaces.nb201 import EDGES, NONE, NUM_NODES, OPS
from archscout.spaces.nb201_net import NB201Network, build_macro, make_op

# (op index, weight) pairs for one edge; weight None means 1 (no multiply, so the single path is exact).
EdgeChoice = Sequence[tuple[int, "float | torch.Tensor | None"]]
LIVE_OPS = tuple(o for o in range(len(OPS)) if o != NONE)  # what path dropout may keep or drop


class MixedEdge(nn.Module):
    """All candidate ops of one edge; ``forward`` sums the chosen ones, each times its weight."""

    def __init__(self, channels: int, dim: int = 2) -> None:
        super().__init__()
        self.ops = nn.ModuleList(make_op(name, channels, dim) for name in OPS)

    def forward(self, x: torch.Tensor, choice: EdgeChoice) -> torch.Tensor | None:
        """None when nothing is chosen (or only ``none``): the caller treats it as zeros."""
        total = None
        for o, w in choice:
            if o == NONE:
                continue
            y = self.ops[o](x)
            if w is not None:
                y = y * w
            total = y if total is None else total + y
        return total


class SuperCell(nn.Module):
    """A NB201 cell with a MixedEdge on each of its 6 edges; node j sums its incoming edges."""

    def __init__(self, channels: int, dim: int = 2) -> None:
        super().__init__()
        self.edges = nn.ModuleList(MixedEdge(channels, dim) for _ in EDGES)

    def forward(self, x: torch.Tensor, choices: Sequence[EdgeChoice]) -> torch.Tensor:
        nodes = [x]
        for j in range(1, NUM_NODES):
            total = None
            for k, (i, jj) in enumerate(EDGES):
                if jj == j:
                    y = self.edges[k](nodes[i], choices[k])
                    if y is not None:
                        total = y if total is None else total + y
            nodes.append(torch.zeros_like(x) if total is None else total)
        return nodes[-1]


class NB201Supernet(nn.Module):
    """The weight-sharing network over all 15,625 NB201 cells, for one input shape and class count."""

    def __init__(self, input_shape: Sequence[int], num_classes: int, C: int = 16, N: int = 5) -> None:
        super().__init__()
        input_shape = tuple(int(s) for s in input_shape)
        if len(input_shape) not in (2, 3) or min(input_shape) < 1:
            raise ArchscoutError(f"input_shape must be (channels, length) or (channels, height, width), got {input_shape!r}")
        if num_classes < 1 or C < 1 or N < 1:
            raise ArchscoutError(f"num_classes, C and N must be positive (got {num_classes}, {C}, {N})")
        dim = len(input_shape) - 1
        self.input_shape, self.num_classes, self.C, self.N, self.dim = input_shape, num_classes, C, N, dim
        # Same skeleton as NB201Network: the state dicts line up key by key.
        build_macro(self, input_shape, num_classes, C, N, dim, lambda c: SuperCell(c, dim))

    # --- forward modes ---------------------------------------------------------------------------
    def forward(
        self,
        x: torch.Tensor,
        arch: Sequence[int] | None = None,
        alpha: torch.Tensor | None = None,
        drop_prob: float | None = None,
        rng: np.random.Generator | None = None,
    ) -> torch.Tensor:
        """Logits under exactly one mode: a single path (`arch`), a mixture (`alpha`) or path dropout."""
        given = [m for m, v in (("arch", arch), ("alpha", alpha), ("drop_prob", drop_prob)) if v is not None]
        if len(given) != 1:
            raise ArchscoutError(f"the supernet needs exactly one of arch, alpha or drop_prob (got {', '.join(given) or 'none'})")
        if arch is not None:
            choices = self.single_path(arch)
        elif alpha is not None:
            choices = self.mixture(alpha)
        else:
            if rng is None:
                raise ArchscoutError("path dropout needs a numpy Generator `rng` (the masks are seeded)")
            choices = self.dropout_choice(float(drop_prob), rng)
        return self.classifier(self.features(x, choices))

    def features(self, x: torch.Tensor, choices: Sequence[EdgeChoice]) -> torch.Tensor:
        out = self.stem(x)
        for m in self.cells:
            out = m(out, choices) if isinstance(m, SuperCell) else m(out)
        return self.global_pooling(self.lastact(out)).flatten(1)

    @staticmethod
    def single_path(arch: Sequence[int]) -> list[EdgeChoice]:
        arch = _check_arch(arch)
        return [[(o, None)] for o in arch]

    @staticmethod
    def mixture(alpha: torch.Tensor) -> list[EdgeChoice]:
        if tuple(alpha.shape) != (len(EDGES), len(OPS)):
            raise ArchscoutError(f"alpha must have shape ({len(EDGES)}, {len(OPS)}), got {tuple(alpha.shape)}")
        w = torch.softmax(alpha, dim=-1)
        return [[(o, w[k, o]) for o in range(len(OPS))] for k in range(len(EDGES))]

    @staticmethod
    def dropout_choice(p: float, rng: np.random.Generator) -> list[EdgeChoice]:
        """Drop each live op of each edge with probability p; an edge that lost all keeps one at random.

        ``none`` outputs zeros whatever happens, so only the 4 other ops take part. The kept ops are
        scaled by 1 / (1 - p) (inverted dropout) so the expected edge output does not shrink as p grows.
        """
        if not 0.0 <= p < 1.0:
            raise ArchscoutError(f"path dropout probability must be in [0, 1), got {p}")
        out: list[EdgeChoice] = []
        for _ in EDGES:
            keep = [o for o in LIVE_OPS if rng.random() >= p]
            if not keep:
                keep = [LIVE_OPS[int(rng.integers(len(LIVE_OPS)))]]
            scale = None if p == 0.0 else 1.0 / (1.0 - p)
            out.append([(o, scale) for o in keep])
        return out

    # --- standalone networks ---------------------------------------------------------------------
    def to_network(self, arch: Sequence[int]) -> NB201Network:
        """The standalone NB201 network of `arch` with the supernet's weights (copies; BN stats included)."""
        arch = _check_arch(arch)
        net = NB201Network(arch, self.input_shape, self.num_classes, C=self.C, N=self.N)
        net.load_state_dict(self.network_state(arch))
        return net

    def network_state(self, arch: Sequence[int]) -> dict[str, torch.Tensor]:
        """`arch`'s weights under NB201Network's state-dict keys: cells.c.edges.k.X <- cells.c.edges.k.ops.arch[k].X."""
        arch = _check_arch(arch)
        state = self.state_dict()
        out: dict[str, torch.Tensor] = {}
        cell_ids = {str(i) for i, m in enumerate(self.cells) if isinstance(m, SuperCell)}
        prefixes = {f"cells.{c}.edges.{k}.ops.{arch[k]}.": f"cells.{c}.edges.{k}." for c in cell_ids for k in range(len(EDGES))}
        for key, value in state.items():
            parts = key.split(".")
            if parts[0] == "cells" and parts[1] in cell_ids:
                prefix = ".".join(parts[:6]) + "."
                if prefix in prefixes:
                    out[prefixes[prefix] + key[len(prefix):]] = value.clone()
            else:
                out[key] = value.clone()
        return out


def _check_arch(arch: Sequence[int]) -> tuple[int, ...]:
    if isinstance(arch, str) or not all(isinstance(o, (int, np.integer)) and not isinstance(o, bool) for o in arch):
        raise ArchscoutError(f"not a NAS-Bench-201 architecture: {arch!r} (want 6 op indices; parse strings with NB201Space.from_string)")
    a = tuple(int(o) for o in arch)
    if len(a) != len(EDGES) or not all(0 <= o < len(OPS) for o in a):
        raise ArchscoutError(f"not a NAS-Bench-201 architecture: {arch!r}")
    return a
