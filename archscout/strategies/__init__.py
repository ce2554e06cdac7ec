"""Search strategies as Optuna samplers over an archscout SearchSpace."""

from __future__ import annotations

import inspect
import json
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


def parse_strategy(spec: str) -> tuple[str, dict[str, Any]]:
    """``rea`` or ``rea:population_size=20,tournament_size=5`` -> (name, options).

    Why a spec string: one CLI value names a strategy *variant*, so `bench strategies` can compare
    ``rea`` with ``rea:population_size=50`` in one table and a study's name says which one it ran.
    Values are read as JSON (numbers, true/false, null, quoted strings); anything else stays a string.
    """
    name, _, rest = spec.partition(":")
    name = name.strip()
    if name not in STRATEGIES:
        raise ArchscoutError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")
    options: dict[str, Any] = {}
    if _ and not rest.strip():  # "rea:" would be a row of its own that is plain rea
        raise ArchscoutError(f"strategy {spec!r}: no options after ':'; write {name!r} or {name}:key=value")
    for item in filter(None, (x.strip() for x in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise ArchscoutError(f"strategy {spec!r}: expected name:key=value[,key=value], got {item!r}")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value.strip()
    return name, options


def strategy_options(name: str) -> list[str]:
    """The keyword options a strategy's constructor takes (besides the space and the seed)."""
    params = inspect.signature(STRATEGIES[name].__init__).parameters
    return [p for p, v in params.items() if p not in ("self", "space", "seed")
            and v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)]


def check_strategy(spec: str) -> tuple[str, dict[str, Any]]:
    """`parse_strategy`, plus one clear error for an option the strategy does not take."""
    name, options = parse_strategy(spec)
    known = strategy_options(name)
    params = inspect.signature(STRATEGIES[name].__init__).parameters
    for key, value in options.items():
        if key not in known:
            raise ArchscoutError(f"strategy {name!r} has no option {key!r}; its options: {', '.join(known) or 'none'}")
        default = params[key].default
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ArchscoutError(f"strategy {name!r}: option {key} takes a number (default {default}), got {value!r}")
    return name, options


def make_sampler(name: str, space: SearchSpace, seed: int | None = None, **kwargs: Any) -> ArchSampler:
    """Build a strategy by its CLI name or spec (``rea:population_size=20``); the spec's options win
    over `kwargs` (the caller's defaults). An unknown option is one clear error naming the valid ones."""
    name, options = check_strategy(name)
    try:
        return STRATEGIES[name](space, seed=seed, **{**kwargs, **options})
    except (TypeError, ValueError) as e:
        if options:
            raise ArchscoutError(f"strategy {name!r} with options {options}: {e}") from None
        raise


__all__ = [
    "ArchSampler", "History", "read_history", "STRATEGIES", "make_sampler", "parse_strategy", "check_strategy", "strategy_options",
    "BOSampler", "RegularizedEvolutionSampler", "LocalSearchSampler", "RandomSearchSampler", "ReinforceSampler",
    "BananasSampler", "GuidedLocalSampler", "NPENASSampler", "PNASSampler", "RoBoTSampler",
]
