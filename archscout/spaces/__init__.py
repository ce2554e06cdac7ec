"""Search spaces: what an architecture is, how to sample, mutate, encode and name it."""

from archscout.spaces.base import Arch, SearchSpace
from archscout.spaces.chain import ChainSpace
from archscout.spaces.mlp import MLPSpace
from archscout.spaces.nb201 import NB201Space

SPACES: dict[str, type[SearchSpace]] = {"nb201": NB201Space, "chain": ChainSpace, "mlp": MLPSpace}


def get_space(name: str) -> SearchSpace:
    from archscout.errors import ArchscoutError

    if name not in SPACES:
        raise ArchscoutError(f"unknown search space {name!r}; choose from {', '.join(sorted(SPACES))}")
    return SPACES[name]()


__all__ = ["Arch", "SearchSpace", "NB201Space", "ChainSpace", "MLPSpace", "SPACES", "get_space"]
