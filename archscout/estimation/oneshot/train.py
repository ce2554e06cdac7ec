"""Training a NB201 supernet in one of three one-shot modes, deterministically under a seed.

  ``spos``     Guo et al. 2020 (and NB201's RSPS): every batch trains one cell drawn uniformly from
               the 15,625, so every single path gets trained weights it can be ranked with;
  ``dropout``  Bender et al. 2018: every batch trains the whole supernet with path dropout, the rate
               ramped linearly from 0 to `drop_prob` over training, so the network learns to work
               when ops are missing, as they are in any one cell;
  ``darts``    Liu et al. 2019, first order: alternate an Adam step on the architecture weights alpha
               (validation batch) and an SGD step on the network weights (training batch) through the
               softmax mixture; the derived cell is the argmax op of every edge (over all 5 ops,
               ``none`` included, as NB201's DARTS-V1 derives it).
Why it looks like this: batch order, sampled paths and dropout masks come from (seed, epoch), never
from a running generator, so the same call gives the same supernet on CPU; the network weights get
SGD with a cosine schedule (NB201's one-shot setting), alpha gets DARTS' Adam. Validation data never
reaches the network weights' gradients, in any mode (darts' alpha step does run in train mode, so BN
running statistics see validation batches, as in DARTS; ranking recomputes them per cell anyway).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from archscout.data import Dataset
from archscout.errors import ArchscoutError

MODES = ("spos", "dropout", "darts")


@dataclass
class SupernetResult:
    """A trained supernet, what it cost, and for darts the architecture weights and their argmax cell."""

    supernet: Any = field(repr=False)
    mode: str
    seed: int
    epochs: int
    seconds: float
    curve: dict[str, list[float]]  # per epoch: train_loss, train_acc (%), seconds (+ val_loss, val_acc for darts)
    settings: dict[str, Any]
    alpha: np.ndarray | None = None  # (6, 5) for darts
    derived: tuple[int, ...] | None = None  # darts: argmax cell after the last epoch
    derived_history: list[tuple[int, ...]] = field(default_factory=list)  # darts: argmax cell after each epoch


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ArchscoutError(f"unknown one-shot mode {mode!r}; choose {', '.join(MODES)}")
    return mode


def derive(alpha: np.ndarray) -> tuple[int, ...]:
    """The cell of the largest architecture weight on every edge."""
    return tuple(int(o) for o in np.asarray(alpha).argmax(axis=1))


def weight_step(supernet: Any, opt: Any, xb: Any, yb: Any, grad_clip: float | None, **mode: Any) -> tuple[float, int]:
    """One SGD step of the network weights on a training batch; returns (loss, correct)."""
    import torch
    import torch.nn.functional as F

    supernet.train()
    out = supernet(xb, **mode)
    loss = F.cross_entropy(out, yb)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if grad_clip:
        torch.nn.utils.clip_grad_norm_(supernet.parameters(), grad_clip)
    opt.step()
    return float(loss.detach()), int((out.detach().argmax(1) == yb).sum())


def arch_step(supernet: Any, alpha: Any, opt: Any, xb: Any, yb: Any) -> tuple[float, int]:
    """One step of alpha on a validation batch (first-order DARTS): the network weights get no gradient."""
    import torch
    import torch.nn.functional as F

    supernet.train()
    out = supernet(xb, alpha=alpha)
    loss = F.cross_entropy(out, yb)
    (grad,) = torch.autograd.grad(loss, [alpha])
    opt.zero_grad(set_to_none=True)
    alpha.grad = grad
    opt.step()
    return float(loss.detach()), int((out.detach().argmax(1) == yb).sum())


def train_supernet(
    data: Dataset,
    mode: str = "spos",
    epochs: int = 10,
    seed: int = 0,
    C: int = 8,
    N: int = 1,
    batch_size: int = 64,
    lr: float = 0.05,
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    grad_clip: float | None = 5.0,
    drop_prob: float = 0.5,
    arch_lr: float = 3e-4,
    arch_weight_decay: float = 1e-3,
    device: str = "cpu",
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> SupernetResult:
    """Train a NB201 supernet on `data`'s training split (darts: alpha on its validation split)."""
    import torch

    from archscout.estimation.oneshot.supernet import NB201Supernet
    from archscout.spaces.nb201 import EDGES, OPS, NB201Space
    from archscout.training.trainer import resolve_device

    check_mode(mode)
    if epochs < 1:
        raise ArchscoutError(f"epochs must be at least 1, got {epochs}")
    if batch_size < 1:
        raise ArchscoutError(f"batch size must be at least 1, got {batch_size}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ArchscoutError(f"learning rate must be a positive number, got {lr}")
    if not 0.0 <= drop_prob < 1.0:
        raise ArchscoutError(f"drop_prob must be in [0, 1), got {drop_prob}")
    if data.kind not in ("image", "signal"):
        raise ArchscoutError(f"NB201 supernets take images or signals, not {data.kind} data ({data.name})")
    dev = torch.device(resolve_device(device))
    settings = {"C": C, "N": N, "batch_size": batch_size, "lr": lr, "momentum": momentum, "weight_decay": weight_decay,
                "grad_clip": grad_clip, "optimizer": "SGD nesterov, cosine", "data": data.describe()}
    if mode == "dropout":
        settings["drop_prob"] = drop_prob
    if mode == "darts":
        settings.update(arch_lr=arch_lr, arch_weight_decay=arch_weight_decay, arch_optimizer="Adam betas (0.5, 0.999)")

    torch.manual_seed(seed)
    supernet = NB201Supernet(data.input_shape, data.num_classes, C=C, N=N).to(dev)
    x_tr, y_tr = torch.as_tensor(data.x_train, device=dev), torch.as_tensor(data.y_train, device=dev)
    x_va, y_va = torch.as_tensor(data.x_val, device=dev), torch.as_tensor(data.y_val, device=dev)
    n = len(y_tr)
    steps_per_epoch = math.ceil(n / batch_size)
    total_steps = epochs * steps_per_epoch
    opt = torch.optim.SGD(supernet.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=momentum > 0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    alpha = a_opt = None
    if mode == "darts":
        # DARTS' init: 1e-3 x standard normal (seeded), so the first softmax is almost uniform
        alpha = (1e-3 * torch.randn(len(EDGES), len(OPS), generator=torch.Generator().manual_seed(seed))).to(dev)
        alpha.requires_grad_(True)
        a_opt = torch.optim.Adam([alpha], lr=arch_lr, betas=(0.5, 0.999), weight_decay=arch_weight_decay)
    space = NB201Space()
    curve: dict[str, list[float]] = {k: [] for k in ("train_loss", "train_acc", "seconds")}
    if mode == "darts":
        curve.update(val_loss=[], val_acc=[])
    history: list[tuple[int, ...]] = []
    g = torch.Generator()
    step = 0
    t_start = time.perf_counter()
    for epoch in range(epochs):
        t0 = time.perf_counter()
        g.manual_seed(seed * 1_000_003 + epoch)
        perm = torch.randperm(n, generator=g).to(dev)
        val_perm = torch.randperm(len(y_va), generator=g).to(dev)
        rng = np.random.default_rng([seed, epoch])
        loss_sum, correct, v_loss, v_correct, v_seen, vi = 0.0, 0, 0.0, 0, 0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = x_tr[idx], y_tr[idx]
            if mode == "spos":
                kw: dict[str, Any] = {"arch": space.sample(rng)}
            elif mode == "dropout":
                kw = {"drop_prob": drop_prob * step / max(1, total_steps - 1), "rng": rng}
            else:
                if vi >= len(y_va):
                    vi = 0
                vidx = val_perm[vi:vi + batch_size]
                vi += batch_size
                vl, vc = arch_step(supernet, alpha, a_opt, x_va[vidx], y_va[vidx])
                v_loss, v_correct, v_seen = v_loss + vl * len(vidx), v_correct + vc, v_seen + len(vidx)
                kw = {"alpha": alpha.detach()}
            loss, c = weight_step(supernet, opt, xb, yb, grad_clip, **kw)
            sched.step()
            step += 1
            if not math.isfinite(loss):
                raise ArchscoutError(f"supernet training diverged: loss {loss} in epoch {epoch + 1} ({mode}); try a lower lr")
            loss_sum, correct = loss_sum + loss * len(idx), correct + c
        curve["train_loss"].append(loss_sum / n)
        curve["train_acc"].append(100.0 * correct / n)
        curve["seconds"].append(time.perf_counter() - t0)
        if mode == "darts":
            curve["val_loss"].append(v_loss / v_seen)
            curve["val_acc"].append(100.0 * v_correct / v_seen)
            history.append(derive(alpha.detach().cpu().numpy()))
        if on_epoch is not None:
            on_epoch(epoch + 1, {k: v[-1] for k, v in curve.items()})
    seconds = time.perf_counter() - t_start
    supernet.eval()
    a = None if alpha is None else alpha.detach().cpu().numpy()
    return SupernetResult(supernet=supernet, mode=mode, seed=seed, epochs=epochs, seconds=seconds, curve=curve,
                          settings=settings, alpha=a, derived=None if a is None else derive(a), derived_history=history)
