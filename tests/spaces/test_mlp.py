"""The MLP funnel space: the funnel, hand-counted parameters, training hyperparameters, round trips."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
import torch

from archscout.errors import ArchscoutError
from archscout.spaces import SPACES, MLPSpace
from archscout.strategies import make_sampler
from archscout.training import TrainConfig


@pytest.fixture
def space() -> MLPSpace:
    return MLPSpace()


def test_registered_and_size(space):
    assert SPACES["mlp"] is MLPSpace
    assert space.size() == 5 * 5 * 4 * 7 * 6 * 5 * 5 == sum(1 for _ in space.enumerate())


def test_round_trips(space):
    rng = np.random.default_rng(1)
    for _ in range(200):
        a = space.sample(rng)
        assert space.from_string(space.to_string(a)) == a
        assert space.from_params(space.to_params(a)) == a
        assert space.encode(a).sum() == 7
    a = space.sample(rng)
    assert len(space.neighbours(a)) == sum(len(c) - 1 for c in space.decisions().values())


def test_funnel_and_hand_count(space):
    a = space.from_string("num_layers=2 max_units=64 max_dropout=0.5 lr=0.01 batch_size=32 weight_decay=0.0001 momentum=0.9")
    assert space.hidden_layers(a, 10) == [(64, 0.5), (37, 0.25)]
    # 20 inputs: 20*64+64 + 64*37+37 + 37*10+10
    assert space.param_count(a, (20,), 10) == 1344 + 2405 + 380
    m = space.to_module(a, (1, 4, 5), 10)  # images are flattened
    assert m(torch.zeros(3, 1, 4, 5)).shape == (3, 10)
    assert sum(isinstance(x, torch.nn.Dropout) for x in m) == 2
    cfg = TrainConfig().updated(**space.train_config(a))
    assert (cfg.optimizer, cfg.lr, cfg.batch_size, cfg.weight_decay, cfg.momentum) == ("sgd", 0.01, 32, 1e-4, 0.9)


@pytest.mark.parametrize("text, problem", [
    ("num_layers=2", "lacks"),
    ("num_layers=9 max_units=64 max_dropout=0.5 lr=0.01 batch_size=32 weight_decay=0.0001 momentum=0.9", "not one of"),
    ("depth=2 max_units=64", "unknown MLP setting"),
    ("num_layers:2", "bad token"),
])
def test_bad_strings(space, text, problem):
    with pytest.raises(ArchscoutError, match=problem):
        space.from_string(text)


def test_sampler_proposes_training_hyperparameters(space):
    study = optuna.create_study(direction="maximize", sampler=make_sampler("rea", space, seed=0))
    study.optimize(lambda t: -space.suggest(t)[3], n_trials=5)
    assert {"lr", "batch_size", "weight_decay", "momentum"} <= set(study.best_params)
