"""Ranking with inherited weights: BN statistics recomputed per cell, the supernet left as it was."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archscout.errors import ArchscoutError
from archscout.estimation.oneshot import rank_archs, recalibrate_bn, train_supernet
from archscout.estimation.oneshot.rank import evaluate


@pytest.fixture(scope="module")
def trained(tiny_data):
    return train_supernet(tiny_data, mode="spos", epochs=2, seed=0, C=4, N=1, batch_size=32).supernet


def test_recalibration_recomputes_the_exact_batch_statistics(trained, tiny_data) -> None:
    s = trained
    x = torch.as_tensor(tiny_data.x_train[:64])
    bn = s.stem[1]
    old = bn.running_mean.clone()
    recalibrate_bn(s, (3, 2, 1, 4, 0, 3), [x[:32], x[32:]])
    with torch.no_grad():
        h = s.stem[0](x)
    assert torch.allclose(bn.running_mean, h.mean(dim=(0, 2, 3)), atol=1e-5)  # the average of the two batches
    assert not torch.allclose(bn.running_mean, old)
    assert bn.momentum == 0.1 and not s.training
    # the last BN sees a cell-dependent input: two cells get two different statistics
    recalibrate_bn(s, (1,) * 6, [x])
    m1 = s.lastact[0].running_mean.clone()
    recalibrate_bn(s, (3,) * 6, [x])
    assert not torch.allclose(m1, s.lastact[0].running_mean)


def test_rank_matches_a_manual_evaluation_and_restores_the_supernet(trained, tiny_data) -> None:
    s = trained
    archs = [(3, 2, 1, 4, 0, 3), (1,) * 6, (0,) * 6, (3,) * 6]
    before = {k: v.clone() for k, v in s.state_dict().items()}
    r = rank_archs(s, tiny_data, archs, bn_batches=2, bn_batch_size=16, eval_batch_size=7)
    assert r.val_acc.shape == r.val_loss.shape == (4,) and r.val_acc.dtype == np.float64
    assert all(torch.equal(before[k], v) for k, v in s.state_dict().items())
    again = rank_archs(s, tiny_data, archs, bn_batches=2, bn_batch_size=16)
    assert np.array_equal(r.val_acc, again.val_acc) and np.allclose(r.val_loss, again.val_loss)
    # by hand: the same seeded batches, then evaluate
    idx = np.random.default_rng([0, 7]).choice(len(tiny_data.y_train), size=32, replace=False)
    xb = torch.as_tensor(tiny_data.x_train[idx])
    recalibrate_bn(s, archs[0], [xb[:16], xb[16:]])
    loss, acc = evaluate(s, archs[0], torch.as_tensor(tiny_data.x_val), torch.as_tensor(tiny_data.y_val))
    assert acc == r.val_acc[0] and loss == pytest.approx(r.val_loss[0])
    s.load_state_dict(before)
    # the all-'none' cell predicts one class for every image: at most the largest class share
    assert r.val_acc[2] <= 100.0 * np.bincount(tiny_data.y_val).max() / len(tiny_data.y_val) + 1e-9


def test_recalibration_changes_the_scores(trained, tiny_data) -> None:
    archs = [(3, 2, 1, 4, 0, 3), (2, 3, 3, 1, 2, 3)]
    kept = rank_archs(trained, tiny_data, archs, bn_batches=0)
    recal = rank_archs(trained, tiny_data, archs, bn_batches=2, bn_batch_size=32)
    assert not np.allclose(kept.val_loss, recal.val_loss)


def test_rank_rejects_other_spaces(trained, tiny_data) -> None:
    with pytest.raises(ArchscoutError, match="NAS-Bench-201"):
        rank_archs(trained, tiny_data, [(1, 2, 3)])
    with pytest.raises(ArchscoutError, match="no architectures"):
        rank_archs(trained, tiny_data, [])
