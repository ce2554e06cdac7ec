"""Shared torch pieces for the MLP ensemble and the GNN: ensemble-batched layers and a seeded loop.

An ensemble of M networks is trained as ONE module whose weights carry a leading ensemble axis
(`ELinear`): one optimiser step updates all members at once, so an ensemble of 5 costs about as much
as one network — this is what keeps refitting inside a search affordable on a CPU. Members differ
by initialisation (deep ensembles, Lakshminarayanan et al. 2017); the loss is summed over members so
each gets the gradient it would get alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread, then restore the caller's setting.

    These networks are tiny (matrices of a few hundred rows): extra threads only add synchronisation,
    and on a busy machine spinning worker threads made a fit 20x slower than on one thread.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class OneThreadFit:
    """Mixin for the torch predictors: `_fit` / `_predict` run the model's `_fit_torch` /
    `_predict_torch` on one torch thread (see `one_thread`). List it before `Predictor`."""

    def _fit(self, archs, x: np.ndarray, y: np.ndarray) -> None:
        with one_thread():
            self._fit_torch(archs, x, y)

    def _predict(self, archs, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with one_thread():
            return self._predict_torch(archs, x)


def elinear(members: int, d_in: int, d_out: int, gen):
    """An ensemble of `members` linear layers; input (M, ..., d_in) -> (M, ..., d_out)."""
    import torch
    import torch.nn as nn

    class ELinear(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            bound = 1.0 / math.sqrt(d_in)  # nn.Linear's default initialisation range
            self.weight = nn.Parameter((torch.rand(members, d_in, d_out, generator=gen) * 2 - 1) * bound)
            self.bias = nn.Parameter((torch.rand(members, d_out, generator=gen) * 2 - 1) * bound)

        def forward(self, x):
            shape = x.shape
            out = x.reshape(shape[0], -1, shape[-1]) @ self.weight + self.bias[:, None, :]
            return out.reshape(*shape[:-1], d_out)

    return ELinear()


def train(model, inputs: tuple, y: np.ndarray, seed: int, epochs: int, lr: float, batch_size: int,
          weight_decay: float, param_groups: list[dict] | None = None, rank_weight: float = 0.0) -> None:
    """Adam + cosine schedule on MSE over standardised targets; model(*inputs) -> (M, batch).

    ``rank_weight`` > 0 adds a pairwise logistic ranking loss (RankNet) over the batch's ordered pairs,
    for single-task targets: Kendall tau counts pairs, the MSE does not.

    Multi-task: targets (n, K) against outputs (M, batch, K), the loss summed over members and tasks.
    `param_groups` (torch's optimiser groups, e.g. a smaller ``lr`` for a pretrained body) replaces
    ``model.parameters()`` when given.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters() if param_groups is None else param_groups, lr=lr,
                           weight_decay=weight_decay)
    yt = torch.as_tensor(y, dtype=torch.float32)
    n = len(y)
    steps = max(1, math.ceil(n / batch_size))
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for s in range(steps):
            idx = perm[s * batch_size:(s + 1) * batch_size]
            opt.zero_grad()
            out = model(*(t[idx] for t in inputs))
            loss = ((out - yt[idx]) ** 2).mean(1).sum()
            if rank_weight > 0:
                sign = torch.sign(yt[idx][:, None] - yt[idx][None, :])  # (b, b): +1 where i beats j
                diff = out[:, :, None] - out[:, None, :]  # (M, b, b)
                pairs = torch.nn.functional.softplus(-sign * diff)[:, sign > 0]
                if pairs.numel():
                    loss = loss + rank_weight * pairs.mean(1).sum()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()


def predict(model, inputs: tuple, chunk: int = 4096) -> np.ndarray:
    """(M, n) predictions, in chunks so that scoring a whole space stays small in memory."""
    import torch

    n = len(inputs[0])
    outs = []
    with torch.no_grad():
        for s in range(0, n, chunk):
            outs.append(model(*(t[s:s + chunk] for t in inputs)).numpy().astype(float))
    return np.concatenate(outs, axis=1)
