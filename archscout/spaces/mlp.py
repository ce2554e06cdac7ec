"""An MLP funnel space for tabular data (Auto-PyTorch / LCBench-like), training hyperparameters included.

An architecture fixes seven values: ``num_layers``, ``max_units``, ``max_dropout`` (the network) and
``lr``, ``batch_size``, ``weight_decay``, ``momentum`` (how it is trained: SGD with Nesterov momentum
and a cosine schedule, as in LCBench). Hidden layer i of n has
``max_units - (max_units - num_classes) * i / n`` units and dropout ``max_dropout * (n - i) / n``
(both shrink towards the output: a funnel). Each hidden layer is Linear + ReLU + Dropout; images and
signals are flattened first. Choices are LCBench's ranges on a grid, so the space is enumerable.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError
from archscout.spaces.base import SearchSpace

CHOICES: dict[str, tuple[Any, ...]] = {
    "num_layers": (1, 2, 3, 4, 5),
    "max_units": (64, 128, 256, 512, 1024),
    "max_dropout": (0.0, 0.1, 0.25, 0.5),
    "lr": (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1),
    "batch_size": (16, 32, 64, 128, 256, 512),
    "weight_decay": (0.0, 1e-5, 1e-4, 1e-3, 1e-2),
    "momentum": (0.0, 0.5, 0.9, 0.95, 0.99),
}
NAMES = tuple(CHOICES)
TRAINING = ("lr", "batch_size", "weight_decay", "momentum")
_TOKEN = re.compile(r"^([a-z_]+)=([-+0-9.e]+)$")

MLPArch = tuple  # one value per NAMES entry, in that order


def _fmt(v: Any) -> str:
    return str(v) if isinstance(v, int) else repr(float(v))


class MLPSpace(SearchSpace):
    """Funnel MLPs plus their SGD hyperparameters: 5*5*4*7*6*5*5 = 105,000 configurations."""

    name = "mlp"

    def default_arch(self) -> MLPArch:
        """A sensible starting configuration (live searches train it first)."""
        return (2, 256, 0.1, 1e-2, 64, 1e-4, 0.9)

    def sample(self, rng: np.random.Generator) -> MLPArch:
        return tuple(c[int(rng.integers(len(c)))] for c in CHOICES.values())

    def neighbours(self, arch: MLPArch) -> list[MLPArch]:
        self._check(arch)
        out = []
        for i, c in enumerate(CHOICES.values()):
            for v in c:
                if v != arch[i]:
                    out.append(arch[:i] + (v,) + arch[i + 1:])
        return out

    def mutate(self, arch: MLPArch, rng: np.random.Generator) -> MLPArch:
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def size(self) -> int:
        return int(np.prod([len(c) for c in CHOICES.values()]))

    def enumerate(self) -> Iterator[MLPArch]:
        return (tuple(a) for a in itertools.product(*CHOICES.values()))

    # --- strings -----------------------------------------------------------------------------
    def to_string(self, arch: MLPArch) -> str:
        self._check(arch)
        return " ".join(f"{n}={_fmt(v)}" for n, v in zip(NAMES, arch))

    def from_string(self, text: str) -> MLPArch:
        values: dict[str, Any] = {}
        for token in text.split():
            m = _TOKEN.match(token)
            if not m:
                raise ArchscoutError(f"malformed MLP configuration {text!r}: bad token {token!r} (want name=value)")
            name, raw = m.group(1), m.group(2)
            if name not in CHOICES:
                raise ArchscoutError(f"unknown MLP setting {name!r} in {text!r}; settings are {', '.join(NAMES)}")
            values[name] = raw
        missing = [n for n in NAMES if n not in values]
        if missing:
            raise ArchscoutError(f"MLP configuration {text!r} lacks {', '.join(missing)}")
        arch = []
        for n in NAMES:
            match = [c for c in CHOICES[n] if np.isclose(float(c), float(values[n]), rtol=1e-9, atol=0)]
            if not match:
                raise ArchscoutError(f"MLP setting {n}={values[n]} is not one of {CHOICES[n]}")
            arch.append(match[0])
        return tuple(arch)

    def _check(self, arch: Any) -> None:
        if not (isinstance(arch, tuple) and len(arch) == len(NAMES) and all(v in c for v, c in zip(arch, CHOICES.values()))):
            raise ArchscoutError(f"not an MLP configuration: {arch!r}")

    # --- encodings ---------------------------------------------------------------------------
    def encode(self, arch: MLPArch, kind: str = "onehot") -> np.ndarray:
        if kind != "onehot":
            raise ArchscoutError(f"unknown encoding {kind!r} for mlp; choose from onehot")
        self._check(arch)
        return np.concatenate([np.eye(len(c))[c.index(v)] for v, c in zip(arch, CHOICES.values())])

    # --- Optuna view -------------------------------------------------------------------------
    def decisions(self) -> dict[str, Sequence[Any]]:
        return dict(CHOICES)

    def to_params(self, arch: MLPArch) -> dict[str, Any]:
        self._check(arch)
        return dict(zip(NAMES, arch))

    def from_params(self, params: dict[str, Any]) -> MLPArch:
        try:
            arch = tuple(params[n] for n in NAMES)
        except KeyError as e:
            raise ArchscoutError(f"parameters do not describe an MLP configuration: missing {e.args[0]!r}") from None
        self._check(arch)
        return arch

    # --- networks and training ---------------------------------------------------------------
    def hidden_layers(self, arch: MLPArch, num_classes: int) -> list[tuple[int, float]]:
        """(units, dropout) of each hidden layer: the funnel."""
        n, units, drop = arch[0], arch[1], arch[2]
        return [(max(num_classes, int(round(units - (units - num_classes) * i / n))), drop * (n - i) / n)
                for i in range(n)]

    def to_module(self, arch: MLPArch, input_shape: Sequence[int], num_classes: int) -> Any:
        from torch import nn

        self._check(arch)
        if num_classes < 2:
            raise ArchscoutError(f"need at least 2 classes, got {num_classes}")
        width = int(np.prod([int(s) for s in input_shape]))
        if width < 1:
            raise ArchscoutError(f"input shape {tuple(input_shape)} has no features")
        mods: list[Any] = [nn.Flatten()]
        for units, p in self.hidden_layers(arch, num_classes):
            mods += [nn.Linear(width, units), nn.ReLU(inplace=True)]
            if p > 0:
                mods.append(nn.Dropout(p))
            width = units
        mods.append(nn.Linear(width, num_classes))
        return nn.Sequential(*mods)

    def train_config(self, arch: MLPArch) -> dict[str, Any]:
        """The training hyperparameters this configuration fixes (for `TrainConfig.updated`)."""
        self._check(arch)
        p = dict(zip(NAMES, arch))
        return {"optimizer": "sgd", "lr": float(p["lr"]), "batch_size": int(p["batch_size"]),
                "weight_decay": float(p["weight_decay"]), "momentum": float(p["momentum"])}

    def param_count(self, arch: MLPArch, input_shape: Sequence[int], num_classes: int) -> int:
        from archscout.training.measure import count_params

        return count_params(self.to_module(arch, input_shape, num_classes))

    def flops(self, arch: MLPArch, input_shape: Sequence[int], num_classes: int) -> int:
        from archscout.training.measure import count_flops

        return count_flops(self.to_module(arch, input_shape, num_classes), input_shape)
