"""PNAS on the chain space: seeded, resumable, valid chains only, depth grows, the surrogate matters."""

import numpy as np
import optuna
import pytest

from archscout.errors import ArchscoutError
from archscout.spaces.chain import POOL, ChainSpace
from archscout.spaces.nb201 import NB201Space
from archscout.strategies import STRATEGIES, make_sampler
from archscout.strategies.pnas import PNASSampler

SPACE = ChainSpace(max_layers=4)
# a small, fast surrogate for the tests (the default has 500 trees)
FAST = {"predictor_kwargs": {"encoding": ("onehot", "chainstats"), "n_estimators": 60}}


def toy(arch) -> float:
    """A cheap synthetic objective: additive over layers (3-wide 64-filter stride-1 convs are best,
    pools hurt), so deeper chains of good layers score higher; GAP and fewer FC layers are better."""
    layers, head, fcs = arch
    s = 0.0
    for layer in layers:
        if layer == POOL:
            s -= 0.5
        else:
            _, f, k, stride = layer
            s += (1.0 if k == 3 else 0.2) + (0.5 if f == 64 else 0.0) - (0.3 if stride == 2 else 0.0)
    return s + 0.5 * (head == "gap") - 0.3 * len(fcs)


def _run(seed, n, study=None, cls=None, **kw):
    sampler = (cls or PNASSampler)(SPACE, seed=seed, **{**FAST, **kw})
    study = study or optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: toy(SPACE.suggest(t)), n_trials=n)
    return study, [SPACE.to_string(SPACE.from_params(t.params)) for t in study.trials]


def test_registered_and_seeded():
    assert STRATEGIES["pnas"] is PNASSampler
    _, a = _run(0, 20)
    _, b = _run(0, 20)
    _, c = _run(1, 20)
    assert a == b and a != c


def test_valid_unique_chains_and_depth_grows_one_layer_per_level():
    study, archs = _run(2, 8 + 4 * 3 + 4, n_init=8, k=4)
    chains = [SPACE.from_string(s) for s in archs]  # from_string validates every proposal
    assert len(set(archs)) == len(archs)
    depths = [len(c[0]) for c in chains]
    # level 1: 8 one-layer chains; levels 2, 3, 4: four chains each, one layer deeper per level
    assert depths[:20] == [1] * 8 + [2] * 4 + [3] * 4 + [4] * 4
    # every level-b chain extends a chain of depth b-1 that was evaluated before it
    for i in range(8, 20):
        assert any(chains[j][0] == chains[i][0][:-1] for j in range(i)), archs[i]
    # past the largest depth (4 here) it refines: neighbours of the best, still valid and new
    assert all(1 <= d <= 4 for d in depths[20:])
    assert study.sampler.last_fit_size_ == 20 and study.sampler.last_model_.fitted_


def test_resumed_study_continues_exactly(tmp_path):
    _, full = _run(3, 18)
    url = f"sqlite:///{tmp_path / 's.db'}"
    s1 = optuna.create_study(storage=url, study_name="x", direction="maximize",
                             sampler=PNASSampler(SPACE, seed=3, **FAST))
    _run(3, 11, study=s1)
    s2 = optuna.load_study(storage=url, study_name="x", sampler=PNASSampler(SPACE, seed=3, **FAST))
    _, resumed = _run(3, 7, study=s2)
    assert resumed == full


class ShuffledPNAS(PNASSampler):
    """Control: the surrogate is fitted on the same architectures with their values shuffled."""

    def fit_predictor(self, history, rng):
        from archscout.strategies.base import History

        shuffled = list(np.random.default_rng([self.seed, len(history)]).permutation(history.values))
        return super().fit_predictor(History(archs=history.archs, values=shuffled), rng)


def test_surrogate_ranking_beats_a_shuffled_control():
    """Same schedule and budget (24 queries, depth up to 4); only the surrogate's labels differ."""
    real = [max(toy(SPACE.from_string(s)) for s in _run(seed, 24)[1]) for seed in range(3)]
    ctrl = [max(toy(SPACE.from_string(s)) for s in _run(seed, 24, cls=ShuffledPNAS)[1]) for seed in range(3)]
    assert np.mean(real) > np.mean(ctrl) + 1.0


def test_needs_the_chain_space_and_sane_options():
    with pytest.raises(ArchscoutError, match="chain space"):
        make_sampler("pnas", NB201Space())
    with pytest.raises(ArchscoutError, match="at least 1"):
        PNASSampler(SPACE, k=0)
    with pytest.raises(ArchscoutError, match="unknown predictor"):
        PNASSampler(SPACE, predictor="svm")


def test_bad_predictor_options_fail_at_construction():
    with pytest.raises(ArchscoutError, match="op graph"):
        PNASSampler(SPACE, predictor="gnn")
    with pytest.raises(ArchscoutError, match="predictor 'xgb'"):
        PNASSampler(SPACE, predictor_kwargs={"epochs": 3})
    with pytest.raises(ArchscoutError, match="unknown encoding"):
        PNASSampler(SPACE, predictor_kwargs={"encoding": "pathstats"})
