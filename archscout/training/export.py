"""Export the network a live search found, so it can be used without archscout's search machinery.

The file is one ``torch.save`` dictionary: the space and architecture string, the input shape and number
of classes, the trained weights, and the training split's standardisation statistics. `load_model`
rebuilds the network from the space (so the file holds no pickled code) and wraps it in `Standardised`,
which applies the same standardisation the search trained with: feed it inputs laid out channels first
(N, C, H, W images, N, C, L signals, N, F rows) in the units of the data you searched on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError

FORMAT = "archscout-model/1"


def _standardised_class() -> Any:
    import torch

    class Standardised(torch.nn.Module):
        """(x - mean) / std, then the network: the preprocessing is part of the exported model."""

        def __init__(self, net: torch.nn.Module, mean: np.ndarray | None, std: np.ndarray | None) -> None:
            super().__init__()
            self.net = net
            self.register_buffer("mean", torch.as_tensor(0.0 if mean is None else mean, dtype=torch.float32))
            self.register_buffer("std", torch.as_tensor(1.0 if std is None else std, dtype=torch.float32))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net((x - self.mean) / self.std)

    return Standardised


def check_export_path(path: str | Path) -> Path:
    """The export target must be a writable file path in an existing folder: checked before a search spends
    its budget, so a bad --export fails in a second, not after the search and the refit."""
    from archscout.cli.common import check_out_path

    path = Path(path)
    check_out_path(path, option="--export")
    return path


def export_model(path: str | Path, space: Any, arch: Any, data: Any, state_dict: dict[str, Any],
                 module_kwargs: dict[str, Any] | None = None, info: dict[str, Any] | None = None) -> Path:
    """Write the network to `path` atomically (a killed export leaves any earlier file intact)."""
    import torch

    path = check_export_path(path)
    blob = {
        "format": FORMAT,
        "space": space.name,
        "arch": space.to_string(arch),
        "input_shape": list(data.input_shape),
        "num_classes": int(data.num_classes),
        "module_kwargs": dict(module_kwargs or {}),
        "mean": data.meta.get("mean"),
        "std": data.meta.get("std"),
        "data": data.describe(),
        "state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
        "info": dict(info or {}),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        torch.save(blob, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def load_model(path: str | Path, map_location: str = "cpu") -> Any:
    """The exported network as a `torch.nn.Module` in eval mode (standardisation included).

    Its ``archscout`` attribute holds the file's description: space, arch, input_shape, num_classes, info.
    """
    import torch

    from archscout.spaces import get_space

    path = Path(path)
    if not path.is_file():
        raise ArchscoutError(f"no exported model at {path}")
    try:
        blob = torch.load(path, map_location=map_location, weights_only=False)
    except Exception as e:  # a truncated or foreign file: say which, not a pickle traceback
        raise ArchscoutError(f"{path} is not an archscout model file ({type(e).__name__})") from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ArchscoutError(f"{path} is not an archscout model file (format {FORMAT} expected)")
    space = get_space(blob["space"])
    arch = space.from_string(blob["arch"])
    kwargs = blob["module_kwargs"] if space.name == "nb201" else {}
    net = space.to_module(arch, tuple(blob["input_shape"]), blob["num_classes"], **kwargs)
    net.load_state_dict(blob["state_dict"])
    model = _standardised_class()(net, blob.get("mean"), blob.get("std"))
    model.eval()
    model.archscout = {k: blob[k] for k in ("space", "arch", "input_shape", "num_classes", "data", "info")}
    return model
