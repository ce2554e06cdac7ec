"""A space restricted to the architectures that have data (a partial table, the 200 cells with curves).

A user's table, or archscout's own low-fidelity table of a few hundred cells, answers only for its
rows; a search over it must propose only those.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import Arch, SearchSpace


class SubsetSpace(SearchSpace):
    """A space restricted to the architectures that have data (e.g. the 200 cells with curves).

    Sampling, mutation and neighbours stay inside the subset; an architecture from outside (an
    Optuna sampler choosing each decision independently) maps to the nearest one inside (fewest
    differing decisions, then table order).
    """

    def __init__(self, base: SearchSpace, archs: Sequence[Arch]) -> None:
        if not archs:
            raise ArchscoutError("a subset space needs at least one architecture")
        self.base = base
        self.archs = list(dict.fromkeys(archs))
        self._set = set(self.archs)
        self.name = base.name

    def _nearest(self, arch: Arch) -> Arch:
        if arch in self._set:
            return arch
        a = np.array(arch)
        d = [int(np.sum(np.array(b) != a)) for b in self.archs]
        return self.archs[int(np.argmin(d))]

    def sample(self, rng: np.random.Generator) -> Arch:
        return self.archs[int(rng.integers(len(self.archs)))]

    def mutate(self, arch: Arch, rng: np.random.Generator) -> Arch:
        nb = self.neighbours(arch)
        return nb[int(rng.integers(len(nb)))] if nb else self.sample(rng)

    def neighbours(self, arch: Arch) -> list[Arch]:
        return [b for b in self.base.neighbours(arch) if b in self._set]

    def encode(self, arch: Arch, kind: str = "onehot") -> np.ndarray:
        return self.base.encode(arch, kind)

    def encoding_kinds(self) -> tuple[str, ...]:
        return self.base.encoding_kinds()

    def to_string(self, arch: Arch) -> str:
        return self.base.to_string(arch)

    def from_string(self, text: str) -> Arch:
        return self.base.from_string(text)

    def canonical(self, arch: Arch) -> Arch:
        return self.base.canonical(arch)

    def decisions(self) -> dict[str, Sequence[Any]]:
        return self.base.decisions()

    def to_params(self, arch: Arch) -> dict[str, Any]:
        return self.base.to_params(arch)

    def from_params(self, params: dict[str, Any]) -> Arch:
        return self._nearest(self.base.from_params(params))

    def size(self) -> int:
        return len(self.archs)

    def enumerate(self) -> Iterator[Arch]:
        return iter(self.archs)

    def __getattr__(self, name: str) -> Any:  # op_graph, to_module, ... of the base space
        if name == "base":
            raise AttributeError(name)
        return getattr(self.base, name)
