"""The layer-wise chain space: decisions round-trip, modules build for 1-D / 2-D / rows, counts by hand."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
import torch

from archscout.errors import ArchscoutError
from archscout.spaces import SPACES, ChainSpace, get_space
from archscout.strategies import make_sampler


@pytest.fixture
def space() -> ChainSpace:
    return ChainSpace()


def test_registered():
    assert SPACES["chain"] is ChainSpace and get_space("chain").name == "chain"


def test_strings_params_and_encodings_round_trip(space):
    rng = np.random.default_rng(0)
    length = len(space.encode(space.sample(rng)))
    for _ in range(200):
        a = space.sample(rng)
        assert space.from_string(space.to_string(a)) == a
        p = space.to_params(a)
        assert set(p) == set(space.decisions())
        assert all(p[k] in v for k, v in space.decisions().items())
        assert space.from_params(p) == a
        assert len(space.encode(a)) == length
        m = space.mutate(a, rng)
        assert m != a and space.from_string(space.to_string(m)) == m


def test_neighbours_are_one_decision_away(space):
    a = space.from_string("C(32,5,1) P(2,2) GAP FC(128)")
    nbrs = space.neighbours(a)
    assert len(set(nbrs)) == len(nbrs) and a not in nbrs
    for n in nbrs:
        diff = {k for k, v in space.to_params(n).items() if v != space.to_params(a)[k]}
        assert 1 <= len(diff) <= 4, diff  # a pool<->conv switch also resets that slot's fields
    assert space.from_string("C(32,5,1) GAP FC(128)") in nbrs  # depth - 1
    assert space.from_string("C(32,5,1) P(2,2) FLATTEN FC(128)") in nbrs


@pytest.mark.parametrize("text, problem", [
    ("C(32,5,1) C(32,5,1)", "one head"),
    ("C(33,5,1) GAP", "bad layer"),
    ("X(1) GAP", "bad layer"),
    ("C(32,5,1) GAP FC(100)", "fully-connected"),
    ("C(32,3,1) C(32,3,1) C(32,3,1) C(32,3,1) C(32,3,1) C(32,3,1) C(32,3,1) GAP", "1..6 layers"),
])
def test_bad_strings(space, text, problem):
    with pytest.raises(ArchscoutError, match=problem):
        space.from_string(text)


def test_hand_counted_params_and_flops_1d(space):
    a = space.from_string("C(16,3,1) P(2,2) GAP FC(64)")
    # conv 1->16 k3 no bias: 48; BN: 32; fc 16->64: 1088; classifier 64->10: 650
    assert space.param_count(a, (1, 40), 10) == 48 + 32 + 1088 + 650
    # MACs: conv 40*16*3 = 1920; pool 20*16*2 = 640; fc 16*64+64 = 1088; out 64*10+10 = 650
    assert space.flops(a, (1, 40), 10) == 1920 + 640 + 1088 + 650
    out = space.to_module(a, (1, 40), 10)(torch.zeros(5, 1, 40))
    assert out.shape == (5, 10)


def test_flatten_head_2d_and_rows(space):
    a = space.from_string("C(16,3,2) FLATTEN")
    # images 3x8x8, stride 2 -> 16 x 4x4 = 256 features: conv 3*16*9 = 432, BN 32, classifier 256*10+10
    assert space.param_count(a, (3, 8, 8), 10) == 432 + 32 + 2570
    assert space.to_module(a, (3, 8, 8), 10)(torch.zeros(2, 3, 8, 8)).shape == (2, 10)
    # big maps are average-pooled to 8x8 before flattening
    b = space.from_string("C(16,1,1) FLATTEN")
    assert space.param_count(b, (1, 32, 32), 4) == 16 + 32 + 16 * 64 * 4 + 4
    # tabular rows are a one-channel signal
    assert space.to_module(a, (7,), 3)(torch.zeros(4, 7)).shape == (4, 3)


def test_pools_on_tiny_maps_are_skipped(space):
    a = space.from_string("P(2,2) P(2,2) P(2,2) P(2,2) GAP")
    m = space.to_module(a, (1, 8, 8), 10)  # 8 -> 4 -> 2 -> 1, the 4th pool would empty the map
    assert sum(isinstance(x, torch.nn.MaxPool2d) for x in m) == 3
    assert m(torch.zeros(2, 1, 8, 8)).shape == (2, 10)


def test_expresses_a_five_layer_1d_cnn_with_batchnorm(space):
    a = space.from_string("C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) C(32,5,1) GAP")
    m = space.to_module(a, (1, 40), 10)
    assert sum(isinstance(x, torch.nn.Conv1d) for x in m) == 5
    assert sum(isinstance(x, torch.nn.BatchNorm1d) for x in m) == 5


def test_shape_errors(space):
    a = space.from_string("C(16,3,1) GAP")
    with pytest.raises(ArchscoutError, match="input shape"):
        space.to_module(a, (1, 2, 3, 4), 10)


def test_samplers_drive_the_space(space):
    for name in ("random", "rea", "local"):
        study = optuna.create_study(direction="maximize", sampler=make_sampler(name, space, seed=0))
        study.optimize(lambda t: float(len(space.suggest(t)[0])), n_trials=6)
        archs = [space.from_string(t.user_attrs["arch"]) for t in study.trials]
        assert len(set(archs)) == 6
