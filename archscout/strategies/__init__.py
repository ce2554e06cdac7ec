"""Search strategies as Optuna samplers over an archscout SearchSpace."""

from __future__ import annotations

from typing import Any

from archscout.errors import ArchscoutError
from archscout.spaces.base import SearchSpace
from archscout.strategies.bananas import BananasSampler, GuidedLocalSampler
from archscout.strategies.base import ArchSampler, History, read_history
from archscout.strategies.bo import BOSampler
from archscout.strategies.evolution import RegularizedEvolutionSampler
from archscout.strategies.local import LocalSearchSampler
from archscout.strategies.npenas import NPENASSampler
from archscout.strategies.pnas import PNASSampler
from archscout.strategies.random import RandomSearchSampler
from archscout.strategies.reinforce import ReinforceSampler
from archscout.strategies.robot import RoBoTSampler

STRATEGIES: dict[str, type[ArchSampler]] = {
    "random": RandomSearchSampler,
    "rea": RegularizedEvolutionSampler,
    "local": LocalSearchSampler,
    "bo": BOSampler,
    "reinforce": ReinforceSampler,
    "bananas": BananasSampler,
    "guided-local": GuidedLocalSampler,
    "npenas": NPENASSampler,
    "pnas": PNASSampler,
    "robot": RoBoTSampler,
}


def make_sampler(name: str, space: SearchSpace, seed: int | None = None, **kwargs: Any) -> ArchSampler:
    """Build a strategy by its CLI name."""
    if name not in STRATEGIES:
        raise ArchscoutError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")
    return STRATEGIES[name](space, seed=seed, **kwargs)


__all__ = [
    "ArchSampler", "History", "read_history", "STRATEGIES", "make_sampler",
    "BOSampler", "RegularizedEvolutionSampler", "LocalSearchSampler", "RandomSearchSampler", "ReinforceSampler",
    "BananasSampler", "GuidedLocalSampler", "NPENASSampler", "PNASSampler", "RoBoTSampler",
]
