"""The SearchSpace protocol every strategy, predictor and benchmark works against.

An architecture is a plain hashable tuple; the space knows how to sample, mutate, encode and
serialise it. Strategies never look inside an architecture, so they work on any space.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import numpy as np

Arch = Hashable


class SearchSpace(ABC):
    """A set of architectures with the operations search strategies need.

    Architectures are exposed to Optuna as a set of categorical parameters (`distributions`,
    `to_params`, `from_params`), so a search over a space is an ordinary Optuna study.
    """

    name: str = "space"

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Arch:
        """A uniformly random architecture."""

    @abstractmethod
    def mutate(self, arch: Arch, rng: np.random.Generator) -> Arch:
        """A random neighbour: one decision changed."""

    @abstractmethod
    def neighbours(self, arch: Arch) -> list[Arch]:
        """Every architecture one decision away, in a fixed order."""

    @abstractmethod
    def encode(self, arch: Arch, kind: str = "onehot") -> np.ndarray:
        """A fixed-length float vector for predictors; `kind` names the encoding."""

    @abstractmethod
    def to_string(self, arch: Arch) -> str:
        """A human-readable string that `from_string` reads back."""

    @abstractmethod
    def from_string(self, text: str) -> Arch:
        """Parse a string; raises ArchscoutError naming what is wrong."""

    def canonical(self, arch: Arch) -> Arch:
        """The representative of the architecture's equivalence class (identity by default)."""
        return arch

    def hash(self, arch: Arch) -> str:
        """A stable key for the equivalence class (the canonical string)."""
        return self.to_string(self.canonical(arch))

    # --- Optuna view -------------------------------------------------------------------------
    @abstractmethod
    def decisions(self) -> dict[str, Sequence[Any]]:
        """Decision name -> the choices it takes (Optuna categorical parameters)."""

    @abstractmethod
    def to_params(self, arch: Arch) -> dict[str, Any]:
        """The architecture as Optuna parameter values."""

    @abstractmethod
    def from_params(self, params: dict[str, Any]) -> Arch:
        """Inverse of `to_params`."""

    def suggest(self, trial: Any) -> Arch:
        """Ask an Optuna trial for every decision and return the architecture.

        Works with any Optuna sampler; archscout's samplers propose a whole architecture at once.
        """
        params = {name: trial.suggest_categorical(name, list(choices)) for name, choices in self.decisions().items()}
        arch = self.from_params(params)
        trial.set_user_attr("arch", self.to_string(arch))
        return arch

    # --- optional -----------------------------------------------------------------------------
    def size(self) -> int | None:
        """The number of architectures when it is small enough to enumerate, else None."""
        return None

    def enumerate(self) -> Iterator[Arch]:
        raise NotImplementedError(f"{self.name} cannot be enumerated")

    def encoding_kinds(self) -> tuple[str, ...]:
        return ("onehot",)
