"""Scoring architectures with a supernet's inherited weights: the one-shot estimate of how good each is.

Why BatchNorm is recalibrated first: during supernet training every BN layer's running statistics
average over all the paths that went through it, so they fit no single cell (the shared stem,
reduction and last BN layers see a different input distribution for every cell). As in SPOS (Guo et
al. 2020), each cell's statistics are recomputed on a few training batches through its own path
before it is evaluated; the same batches for every cell, so the comparison is fair. The supernet's
weights are never changed, and its BN buffers are restored at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archscout.data import Dataset
from archscout.errors import ArchscoutError


@dataclass
class RankResult:
    """Validation accuracy (%) and mean cross-entropy of each architecture, in input order."""

    val_acc: np.ndarray
    val_loss: np.ndarray
    seconds: float


def _bn_layers(module) -> list:
    from torch import nn

    return [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def recalibrate_bn(supernet, arch: Sequence[int], batches: Sequence) -> None:
    """Reset every BN layer's running statistics and recompute them (cumulative average) on `batches` through `arch`."""
    import torch

    layers = _bn_layers(supernet)
    momenta = [m.momentum for m in layers]
    for m in layers:
        m.reset_running_stats()
        m.momentum = None  # the exact average over the batches, not an exponential one
    supernet.train()
    with torch.no_grad():
        for xb in batches:
            supernet(xb, arch=arch)
    for m, mom in zip(layers, momenta):
        m.momentum = mom
    supernet.eval()


def evaluate(supernet, arch: Sequence[int], x, y, batch_size: int = 500) -> tuple[float, float]:
    """(mean cross-entropy, accuracy in %) of one path on (x, y), in eval mode."""
    import torch
    import torch.nn.functional as F

    supernet.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(y), batch_size):
            out = supernet(x[i:i + batch_size], arch=arch)
            yb = y[i:i + batch_size]
            loss += float(F.cross_entropy(out, yb, reduction="sum"))
            correct += int((out.argmax(1) == yb).sum())
    return loss / len(y), 100.0 * correct / len(y)


def rank_archs(
    supernet,
    data: Dataset,
    archs: Sequence[Sequence[int]],
    bn_batches: int = 4,
    bn_batch_size: int = 128,
    eval_batch_size: int = 500,
    seed: int = 0,
    progress: bool = False,
) -> RankResult:
    """One-shot validation accuracy and loss of every architecture in `archs` (higher accuracy = better).

    `bn_batches` training batches of `bn_batch_size` (drawn once, seeded) recompute the BN statistics
    of each architecture; 0 keeps the statistics the supernet ended training with.
    """
    import torch

    from archscout.estimation.oneshot.supernet import _check_arch

    if bn_batches < 0 or bn_batch_size < 1 or eval_batch_size < 1:
        raise ArchscoutError(f"bn_batches must be >= 0 and batch sizes >= 1 (got {bn_batches}, {bn_batch_size}, {eval_batch_size})")
    checked = [_check_arch(a) for a in archs]
    if not checked:
        raise ArchscoutError("no architectures to rank")
    dev = next(supernet.parameters()).device
    rng = np.random.default_rng([seed, 7])
    n_bn = min(len(data.y_train), bn_batches * bn_batch_size)
    idx = rng.choice(len(data.y_train), size=n_bn, replace=False) if bn_batches else np.zeros(0, int)
    x_bn = torch.as_tensor(data.x_train[idx], device=dev)
    batches = [x_bn[i:i + bn_batch_size] for i in range(0, n_bn, bn_batch_size)]
    x_va, y_va = torch.as_tensor(data.x_val, device=dev), torch.as_tensor(data.y_val, device=dev)
    saved = {k: v.clone() for k, v in supernet.state_dict().items() if k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    acc, loss = np.empty(len(checked)), np.empty(len(checked))
    t0 = time.perf_counter()
    try:
        for i, a in enumerate(checked):
            if batches:
                recalibrate_bn(supernet, a, batches)
            loss[i], acc[i] = evaluate(supernet, a, x_va, y_va, eval_batch_size)
            if progress:
                print(f"\rranked {i + 1}/{len(checked)}", end="", file=sys.stderr, flush=True)
    finally:
        supernet.load_state_dict(saved, strict=False)
        if progress:
            print(file=sys.stderr)
    return RankResult(val_acc=acc, val_loss=loss, seconds=time.perf_counter() - t0)
