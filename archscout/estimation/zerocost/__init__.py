"""Training-free estimation: zero-cost proxies and tables of published proxy scores.

Importing this package does not import torch; `archscout.estimation.zerocost.proxies` does.
"""

from __future__ import annotations

from typing import Any

from archscout.errors import ArchscoutError

# The 13 proxies of NAS-Bench-Suite-Zero, under the names its files use.
PROXIES: tuple[str, ...] = (
    "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm",
    "nwot", "params", "plain", "snip", "synflow", "zen",
)
# Proxies archscout computes beyond those 13 (not in the published tables, not in the default set).
EXTRA_PROXIES: tuple[str, ...] = ("meco",)
ALIASES: dict[str, str] = {"jacob_cov": "jacov", "naswot": "nwot", "grad-norm": "grad_norm"}
# The proxies that do not look at the data (only at the network), so that archscout's scores and the
# published ones must agree up to weight initialisation.
DATA_INDEPENDENT: tuple[str, ...] = ("params", "flops", "synflow", "l2_norm")


def resolve(name: str) -> str:
    """Canonical proxy name; unknown names are a user error."""
    n = ALIASES.get(name, name)
    if n not in PROXIES and n not in EXTRA_PROXIES:
        raise ArchscoutError(f"unknown zero-cost proxy {name!r}; choose from {', '.join(PROXIES + EXTRA_PROXIES)}")
    return n


def __getattr__(name: str) -> Any:  # lazy access to the torch-backed API
    if name in ("Proxy", "score_all", "score_archs"):
        from archscout.estimation.zerocost import proxies

        return getattr(proxies, name)
    if name in ("ProxyTable", "load_proxy_table", "DEFAULT_PROXY_FILE"):
        from archscout.estimation.zerocost import table

        return getattr(table, name)
    raise AttributeError(name)


__all__ = ["PROXIES", "EXTRA_PROXIES", "ALIASES", "DATA_INDEPENDENT", "resolve", "Proxy", "score_all", "score_archs",
           "ProxyTable", "load_proxy_table"]
