"""Supernet training: seeded, SPOS trains only the sampled path, first-order DARTS moves alpha only on validation steps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archscout.errors import ArchscoutError
from archscout.estimation.oneshot import derive, train_supernet
from archscout.estimation.oneshot.supernet import NB201Supernet
from archscout.estimation.oneshot.train import arch_step, weight_step

KW = {"epochs": 1, "C": 4, "N": 1, "batch_size": 32}


def _same(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("mode", ["spos", "dropout", "darts"])
def test_training_is_deterministic_under_a_seed(tiny_data, mode: str) -> None:
    a = train_supernet(tiny_data, mode=mode, seed=0, **KW)
    b = train_supernet(tiny_data, mode=mode, seed=0, **KW)
    c = train_supernet(tiny_data, mode=mode, seed=1, **KW)
    assert _same(a.supernet, b.supernet) and a.curve["train_loss"] == b.curve["train_loss"]
    assert not _same(a.supernet, c.supernet)
    if mode == "darts":
        assert np.array_equal(a.alpha, b.alpha) and a.alpha.shape == (6, 5)
        assert a.derived == derive(a.alpha) and a.derived_history == [a.derived]
    else:
        assert a.alpha is None and a.derived is None


def test_spos_step_changes_only_the_sampled_path(tiny_data) -> None:
    torch.manual_seed(0)
    s = NB201Supernet(tiny_data.input_shape, tiny_data.num_classes, C=4, N=1)
    before = {k: v.clone() for k, v in s.state_dict().items()}
    opt = torch.optim.SGD(s.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    arch = (3, 0, 2, 3, 0, 1)
    x, y = torch.as_tensor(tiny_data.x_train[:32]), torch.as_tensor(tiny_data.y_train[:32])
    weight_step(s, opt, x, y, 5.0, arch=arch)
    after = s.state_dict()
    for k in before:
        if ".ops." in k and k.endswith("weight"):
            edge, op = int(k.split(".")[3]), int(k.split(".")[5])
            assert torch.equal(before[k], after[k]) == (arch[edge] != op), k
    assert not torch.equal(before["stem.0.weight"], after["stem.0.weight"])


def test_darts_alpha_moves_only_on_the_validation_step(tiny_data) -> None:
    torch.manual_seed(0)
    s = NB201Supernet(tiny_data.input_shape, tiny_data.num_classes, C=4, N=1)
    alpha = (1e-3 * torch.randn(6, 5)).requires_grad_(True)
    w_opt = torch.optim.SGD(s.parameters(), lr=0.1, momentum=0.9)
    a_opt = torch.optim.Adam([alpha], lr=0.05, betas=(0.5, 0.999))
    xt, yt = torch.as_tensor(tiny_data.x_train[:32]), torch.as_tensor(tiny_data.y_train[:32])
    xv, yv = torch.as_tensor(tiny_data.x_val), torch.as_tensor(tiny_data.y_val)

    a0, w0 = alpha.detach().clone(), {k: v.clone() for k, v in s.named_parameters()}
    weight_step(s, w_opt, xt, yt, 5.0, alpha=alpha.detach())
    assert torch.equal(alpha.detach(), a0) and alpha.grad is None
    assert any(not torch.equal(w0[k], v) for k, v in s.named_parameters())

    w1 = {k: v.detach().clone() for k, v in s.named_parameters()}
    w_opt.zero_grad(set_to_none=True)
    arch_step(s, alpha, a_opt, xv, yv)
    assert not torch.equal(alpha.detach(), a0)
    assert all(torch.equal(w1[k], v) for k, v in s.named_parameters())
    assert all(p.grad is None for p in s.parameters())  # the validation batch never reaches the weights


def test_darts_with_a_frozen_alpha_keeps_the_uniform_start(tiny_data) -> None:
    r = train_supernet(tiny_data, mode="darts", seed=0, arch_lr=1e-12, **KW)
    moved = train_supernet(tiny_data, mode="darts", seed=0, arch_lr=0.05, **KW)
    start = 1e-3 * torch.randn(6, 5, generator=torch.Generator().manual_seed(0)).numpy()
    assert np.allclose(r.alpha, start, atol=1e-6)
    assert np.abs(moved.alpha - start).max() > 1e-3


def test_bad_settings_are_one_clear_error(tiny_data) -> None:
    with pytest.raises(ArchscoutError, match="unknown one-shot mode 'enas'"):
        train_supernet(tiny_data, mode="enas")
    with pytest.raises(ArchscoutError, match="epochs"):
        train_supernet(tiny_data, epochs=0)
    with pytest.raises(ArchscoutError, match="drop_prob"):
        train_supernet(tiny_data, mode="dropout", drop_prob=1.0)
