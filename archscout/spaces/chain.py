"""A layer-wise chain space (MetaQNN-like, Baker et al. 2017): a variable-depth sequence of layers.

An architecture is ``(layers, head, fcs)``:
  ``layers``  1..L entries, each ``("conv", filters, kernel, stride)`` (conv + BatchNorm + ReLU, "same"
              padding) or ``("pool",)`` (max-pool 2, stride 2);
  ``head``    ``"gap"`` (global average pooling) or ``"flatten"`` (flatten the feature map; maps larger
              than 16 positions (1-D) or 8x8 (2-D) are first average-pooled to that size, so the first
              fully-connected layer stays affordable);
  ``fcs``     0..2 fully-connected layers (units each, + ReLU) before the classifier.
Written MetaQNN-style as ``C(32,5,1) C(64,3,2) P(2,2) GAP FC(128)``.

Variable length meets Optuna's fixed parameter set through fixed slots: a ``depth`` decision plus
``layer{i}_*`` decisions for every slot i < L (slots beyond the depth are ignored, and `to_params`
fills them with defaults), likewise ``fc_layers`` plus ``fc{i}_units``.

The same architecture builds a 1-D network for signals ``(C, L)``, a 2-D one for images ``(C, H, W)``,
and treats tabular rows ``(F,)`` as a 1-channel signal. A pool that meets a map smaller than 2 is
skipped (the built module, its parameter and FLOP counts reflect what actually runs).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import SearchSpace

TYPES = ("conv", "pool")
FILTERS = (16, 32, 64, 128)
KERNELS = (1, 3, 5, 7)
STRIDES = (1, 2)
HEADS = ("gap", "flatten")
UNITS = (64, 128, 256, 512)
DEFAULT_LAYER = ("conv", 32, 3, 1)
DEFAULT_UNITS = 128
POOL = ("pool",)
FLATTEN_CAP = {1: 16, 2: 8}

Layer = tuple
ChainArch = tuple  # (tuple[Layer, ...], str, tuple[int, ...])

_CONV = re.compile(r"^C\((\d+),(\d+),(\d+)\)$")
_FC = re.compile(r"^FC\((\d+)\)$")


class ChainSpace(SearchSpace):
    """Chains of conv / pool layers, a GAP or flatten head and 0..2 fully-connected layers."""

    name = "chain"

    def __init__(self, max_layers: int = 6, max_fc: int = 2) -> None:
        if max_layers < 1 or max_fc < 0:
            raise ArchscoutError("a chain space needs max_layers >= 1 and max_fc >= 0")
        self.max_layers = max_layers
        self.max_fc = max_fc

    def default_arch(self) -> ChainArch:
        """A strong hand-written starting point: five 5-wide conv+BN layers of 32 filters, GAP.

        Live searches train it first (a warm start, as Auto-PyTorch starts from defaults), so the
        search is measured against the standard baseline rather than against random chains.
        """
        return ((("conv", 32, 5, 1),) * min(5, self.max_layers), "gap", ())

    # --- basics ------------------------------------------------------------------------------
    def _random_layer(self, rng: np.random.Generator) -> Layer:
        if TYPES[int(rng.integers(len(TYPES)))] == "pool":
            return POOL
        return ("conv", FILTERS[int(rng.integers(len(FILTERS)))], KERNELS[int(rng.integers(len(KERNELS)))],
                STRIDES[int(rng.integers(len(STRIDES)))])

    def sample(self, rng: np.random.Generator) -> ChainArch:
        depth = int(rng.integers(1, self.max_layers + 1))
        layers = tuple(self._random_layer(rng) for _ in range(depth))
        head = HEADS[int(rng.integers(len(HEADS)))]
        n_fc = int(rng.integers(0, self.max_fc + 1))
        fcs = tuple(UNITS[int(rng.integers(len(UNITS)))] for _ in range(n_fc))
        return (layers, head, fcs)

    def neighbours(self, arch: ChainArch) -> list[ChainArch]:
        """Every architecture one Optuna decision away (depth +-1, one field of one layer, head, fc)."""
        self._check(arch)
        layers, head, fcs = arch
        out: list[ChainArch] = []
        if len(layers) > 1:
            out.append((layers[:-1], head, fcs))
        if len(layers) < self.max_layers:
            out.append((layers + (DEFAULT_LAYER,), head, fcs))
        for i, layer in enumerate(layers):
            def put(new: Layer, i: int = i) -> None:
                out.append((layers[:i] + (new,) + layers[i + 1:], head, fcs))

            if layer == POOL:
                put(DEFAULT_LAYER)
                continue
            _, f, k, s = layer
            put(POOL)
            for f2 in FILTERS:
                if f2 != f:
                    put(("conv", f2, k, s))
            for k2 in KERNELS:
                if k2 != k:
                    put(("conv", f, k2, s))
            for s2 in STRIDES:
                if s2 != s:
                    put(("conv", f, k, s2))
        for h in HEADS:
            if h != head:
                out.append((layers, h, fcs))
        if len(fcs) > 0:
            out.append((layers, head, fcs[:-1]))
        if len(fcs) < self.max_fc:
            out.append((layers, head, fcs + (DEFAULT_UNITS,)))
        for i, u in enumerate(fcs):
            for u2 in UNITS:
                if u2 != u:
                    out.append((layers, head, fcs[:i] + (u2,) + fcs[i + 1:]))
        return out

    def mutate(self, arch: ChainArch, rng: np.random.Generator) -> ChainArch:
        """One random change; structural changes (add/remove a layer) insert or delete anywhere."""
        self._check(arch)
        layers, head, fcs = arch
        r = rng.random()
        if r < 0.15 and len(layers) < self.max_layers:
            i = int(rng.integers(len(layers) + 1))
            return (layers[:i] + (self._random_layer(rng),) + layers[i:], head, fcs)
        if r < 0.3 and len(layers) > 1:
            i = int(rng.integers(len(layers)))
            return (layers[:i] + layers[i + 1:], head, fcs)
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    # --- strings -----------------------------------------------------------------------------
    def to_string(self, arch: ChainArch) -> str:
        self._check(arch)
        layers, head, fcs = arch
        parts = ["P(2,2)" if layer == POOL else f"C({layer[1]},{layer[2]},{layer[3]})" for layer in layers]
        parts.append(head.upper())
        parts += [f"FC({u})" for u in fcs]
        return " ".join(parts)

    def from_string(self, text: str) -> ChainArch:
        tokens = text.split()
        heads = [i for i, t in enumerate(tokens) if t.lower() in HEADS]
        if len(heads) != 1:
            raise ArchscoutError(f"malformed chain architecture {text!r}: need exactly one head, GAP or FLATTEN")
        h = heads[0]
        layers: list[Layer] = []
        for t in tokens[:h]:
            if t == "P(2,2)":
                layers.append(POOL)
                continue
            m = _CONV.match(t)
            if not m:
                raise ArchscoutError(f"malformed chain architecture {text!r}: bad layer {t!r} (want C(filters,kernel,stride) or P(2,2))")
            layers.append(("conv", int(m.group(1)), int(m.group(2)), int(m.group(3))))
        fcs = []
        for t in tokens[h + 1:]:
            m = _FC.match(t)
            if not m:
                raise ArchscoutError(f"malformed chain architecture {text!r}: bad fully-connected layer {t!r} (want FC(units))")
            fcs.append(int(m.group(1)))
        arch = (tuple(layers), tokens[h].lower(), tuple(fcs))
        self._check(arch, text)
        return arch

    def _check(self, arch: Any, text: str | None = None) -> None:
        what = repr(text) if text is not None else repr(arch)
        if not (isinstance(arch, tuple) and len(arch) == 3):
            raise ArchscoutError(f"not a chain architecture: {what}")
        layers, head, fcs = arch
        if not isinstance(layers, tuple) or not 1 <= len(layers) <= self.max_layers:
            raise ArchscoutError(f"chain architecture {what} needs 1..{self.max_layers} layers")
        for layer in layers:
            if layer == POOL:
                continue
            ok = (isinstance(layer, tuple) and len(layer) == 4 and layer[0] == "conv" and layer[1] in FILTERS
                  and layer[2] in KERNELS and layer[3] in STRIDES)
            if not ok:
                raise ArchscoutError(
                    f"chain architecture {what}: bad layer {layer!r}; filters {FILTERS}, kernels {KERNELS}, strides {STRIDES}"
                )
        if head not in HEADS:
            raise ArchscoutError(f"chain architecture {what}: head must be one of {HEADS}")
        if not isinstance(fcs, tuple) or len(fcs) > self.max_fc or any(u not in UNITS for u in fcs):
            raise ArchscoutError(f"chain architecture {what}: up to {self.max_fc} fully-connected layers of {UNITS} units")

    # --- encodings ---------------------------------------------------------------------------
    def encode(self, arch: ChainArch, kind: str = "onehot") -> np.ndarray:
        if kind != "onehot":
            raise ArchscoutError(f"unknown encoding {kind!r} for chain; choose from onehot")
        self._check(arch)
        layers, head, fcs = arch
        parts = [np.eye(self.max_layers)[len(layers) - 1]]
        for i in range(self.max_layers):
            v = np.zeros(1 + len(TYPES) + len(FILTERS) + len(KERNELS) + len(STRIDES))
            if i < len(layers):
                v[0] = 1.0
                if layers[i] == POOL:
                    v[2] = 1.0
                else:
                    _, f, k, s = layers[i]
                    o = 1 + len(TYPES)
                    v[1] = 1.0
                    v[o + FILTERS.index(f)] = 1.0
                    v[o + len(FILTERS) + KERNELS.index(k)] = 1.0
                    v[o + len(FILTERS) + len(KERNELS) + STRIDES.index(s)] = 1.0
            parts.append(v)
        parts.append(np.eye(len(HEADS))[HEADS.index(head)])
        parts.append(np.eye(self.max_fc + 1)[len(fcs)])
        for i in range(self.max_fc):
            v = np.zeros(len(UNITS))
            if i < len(fcs):
                v[UNITS.index(fcs[i])] = 1.0
            parts.append(v)
        return np.concatenate(parts)

    # --- Optuna view -------------------------------------------------------------------------
    def decisions(self) -> dict[str, Sequence[Any]]:
        d: dict[str, Sequence[Any]] = {"depth": tuple(range(1, self.max_layers + 1))}
        for i in range(self.max_layers):
            d[f"layer{i}_type"] = TYPES
            d[f"layer{i}_filters"] = FILTERS
            d[f"layer{i}_kernel"] = KERNELS
            d[f"layer{i}_stride"] = STRIDES
        d["head"] = HEADS
        d["fc_layers"] = tuple(range(self.max_fc + 1))
        for i in range(self.max_fc):
            d[f"fc{i}_units"] = UNITS
        return d

    def to_params(self, arch: ChainArch) -> dict[str, Any]:
        self._check(arch)
        layers, head, fcs = arch
        p: dict[str, Any] = {"depth": len(layers)}
        for i in range(self.max_layers):
            layer = layers[i] if i < len(layers) else DEFAULT_LAYER
            full = ("pool",) + DEFAULT_LAYER[1:] if layer == POOL else layer
            p[f"layer{i}_type"], p[f"layer{i}_filters"], p[f"layer{i}_kernel"], p[f"layer{i}_stride"] = full
        p["head"] = head
        p["fc_layers"] = len(fcs)
        for i in range(self.max_fc):
            p[f"fc{i}_units"] = fcs[i] if i < len(fcs) else DEFAULT_UNITS
        return p

    def from_params(self, params: dict[str, Any]) -> ChainArch:
        try:
            depth = int(params["depth"])
            layers = []
            for i in range(depth):
                if params[f"layer{i}_type"] == "pool":
                    layers.append(POOL)
                else:
                    layers.append(("conv", int(params[f"layer{i}_filters"]), int(params[f"layer{i}_kernel"]),
                                   int(params[f"layer{i}_stride"])))
            fcs = tuple(int(params[f"fc{i}_units"]) for i in range(int(params["fc_layers"])))
            arch = (tuple(layers), str(params["head"]), fcs)
        except KeyError as e:
            raise ArchscoutError(f"parameters do not describe a chain architecture: missing {e.args[0]!r}") from None
        except (TypeError, ValueError) as e:
            raise ArchscoutError(f"parameters do not describe a chain architecture: {e}") from None
        self._check(arch)
        return arch

    # --- networks ----------------------------------------------------------------------------
    def to_module(self, arch: ChainArch, input_shape: Sequence[int], num_classes: int) -> Any:
        """A torch module for inputs of `input_shape` (one example, channels first)."""
        from torch import nn

        self._check(arch)
        layers, head, fcs = arch
        shape = tuple(int(s) for s in input_shape)
        if num_classes < 2:
            raise ArchscoutError(f"need at least 2 classes, got {num_classes}")
        mods: list[Any] = []
        if len(shape) == 1:  # tabular rows: one channel along the features
            mods.append(nn.Unflatten(1, (1, shape[0])))
            shape = (1, shape[0])
        if len(shape) not in (2, 3) or any(s < 1 for s in shape):
            raise ArchscoutError(f"the chain space takes rows (F,), signals (C, L) or images (C, H, W); got input shape {tuple(input_shape)}")
        dim = len(shape) - 1
        conv = nn.Conv1d if dim == 1 else nn.Conv2d
        bn = nn.BatchNorm1d if dim == 1 else nn.BatchNorm2d
        pool = nn.MaxPool1d if dim == 1 else nn.MaxPool2d
        c, size = shape[0], list(shape[1:])
        for layer in layers:
            if layer == POOL:
                if min(size) < 2:
                    continue
                mods.append(pool(2, 2))
                size = [s // 2 for s in size]
            else:
                _, f, k, s = layer
                mods += [conv(c, f, k, stride=s, padding=k // 2, bias=False), bn(f), nn.ReLU(inplace=True)]
                size = [(n + 2 * (k // 2) - k) // s + 1 for n in size]
                c = f
        if head == "gap":
            mods += [(nn.AdaptiveAvgPool1d(1) if dim == 1 else nn.AdaptiveAvgPool2d(1)), nn.Flatten()]
            width = c
        else:
            cap = FLATTEN_CAP[dim]
            if max(size) > cap:
                size = [min(s, cap) for s in size]
                mods.append(nn.AdaptiveAvgPool1d(size[0]) if dim == 1 else nn.AdaptiveAvgPool2d(tuple(size)))
            mods.append(nn.Flatten())
            width = c * int(np.prod(size))
        for u in fcs:
            mods += [nn.Linear(width, u), nn.ReLU(inplace=True)]
            width = u
        mods.append(nn.Linear(width, num_classes))
        return nn.Sequential(*mods)

    def param_count(self, arch: ChainArch, input_shape: Sequence[int], num_classes: int) -> int:
        from archscout.training.measure import count_params

        return count_params(self.to_module(arch, input_shape, num_classes))

    def flops(self, arch: ChainArch, input_shape: Sequence[int], num_classes: int) -> int:
        from archscout.training.measure import count_flops

        return count_flops(self.to_module(arch, input_shape, num_classes), input_shape)
