"""Every archscout sampler: seeded determinism, exact resume, use inside a plain Optuna study."""

import numpy as np
import optuna
import pytest

from archscout.errors import ArchscoutError
from archscout.strategies import STRATEGIES, make_sampler
from archscout.strategies.evolution import RegularizedEvolutionSampler
from archscout.strategies.reinforce import ReinforceSampler

CORE = ["random", "rea", "local", "bo", "reinforce"]


def _run(bench, name, seed, n, study=None):
    study = study or optuna.create_study(direction="maximize", sampler=make_sampler(name, bench.space, seed=seed))
    study.optimize(lambda t: bench.lookup(bench.space.suggest(t), "cifar10"), n_trials=n)
    return study, [t.user_attrs["arch"] for t in study.trials]


@pytest.mark.parametrize("name", CORE)
def test_same_seed_same_search_other_seed_other_search(nb201_bench, name):
    n = 30
    _, a = _run(nb201_bench, name, 0, n)
    _, b = _run(nb201_bench, name, 0, n)
    _, c = _run(nb201_bench, name, 1, n)
    assert a == b
    assert a != c


@pytest.mark.parametrize("name", CORE)
def test_resumed_study_continues_exactly(nb201_bench, name, tmp_path):
    """A study stopped after 18 trials and reopened by a fresh sampler proposes what an uninterrupted one would."""
    _, full = _run(nb201_bench, name, 3, 30)
    url = f"sqlite:///{tmp_path / 's.db'}"
    s1 = optuna.create_study(storage=url, study_name="x", direction="maximize", sampler=make_sampler(name, nb201_bench.space, seed=3))
    _run(nb201_bench, name, 3, 18, study=s1)
    s2 = optuna.load_study(storage=url, study_name="x", sampler=make_sampler(name, nb201_bench.space, seed=3))
    _, resumed = _run(nb201_bench, name, 3, 12, study=s2)
    assert resumed == full


@pytest.mark.parametrize("name", CORE)
def test_works_in_plain_optuna_study_with_other_params(nb201_bench, name):
    space = nb201_bench.space
    sampler = make_sampler(name, space, seed=0)

    def objective(trial):
        arch = space.suggest(trial)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)  # not an architecture decision: Optuna's random
        assert 1e-4 <= lr <= 1e-1
        return nb201_bench.lookup(arch, "cifar100")

    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=25)
    assert len(study.trials) == 25 and all(t.state.is_finished() for t in study.trials)
    assert study.best_value > 60


def test_minimisation_is_respected(nb201_bench):
    """On `minimize`, REA must find a bad cell quickly: the history is oriented by the study direction."""
    space = nb201_bench.space
    study = optuna.create_study(direction="minimize", sampler=make_sampler("rea", space, seed=0))
    study.optimize(lambda t: nb201_bench.lookup(space.suggest(t), "cifar10"), n_trials=60)
    assert study.best_value < 15  # the table's worst cells sit at 10% (chance)


@pytest.mark.parametrize("name", ["rea", "local", "bo"])
def test_model_based_strategies_beat_random_on_average(nb201_bench, name):
    """Over 6 seeds and 60 queries, guided search finds better cells than random search."""
    def best(strategy):
        return np.mean([max(t.value for t in _run(nb201_bench, strategy, s, 60)[0].trials) for s in range(6)])

    assert best(name) > best("random")


def test_rea_population_and_unique_children(nb201_bench):
    space = nb201_bench.space
    sampler = RegularizedEvolutionSampler(space, population_size=10, tournament_size=3, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: nb201_bench.lookup(space.suggest(t), "cifar10"), n_trials=40)
    archs = [space.from_string(t.user_attrs["arch"]) for t in study.trials]
    # after the random population every child is one mutation away from some earlier member
    for i in range(10, 40):
        assert any(sum(x != y for x, y in zip(archs[i], archs[j])) == 1 for j in range(max(0, i - 10), i))
    assert len(set(archs)) == 40
    with pytest.raises(ValueError):
        RegularizedEvolutionSampler(space, population_size=3, tournament_size=5)


def test_reinforce_policy_moves_towards_rewarded_choices(nb201_bench):
    from archscout.strategies.base import History

    space = nb201_bench.space
    s = ReinforceSampler(space, learning_rate=0.2, seed=0)
    rng = np.random.default_rng(0)
    h = History()
    conv = space.from_string("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    for _ in range(40):  # rewarded: all-conv3x3; unrewarded: random others
        a = space.sample(rng)
        h.archs += [conv, a]
        h.values += [90.0, 10.0]
    probs = s.policy(h)
    assert all(p[3] > 0.5 for p in probs.values())  # index 3 = nor_conv_3x3


def test_unknown_strategy_is_a_clear_error(nb201_bench):
    with pytest.raises(ArchscoutError, match="unknown strategy 'sa'"):
        make_sampler("sa", nb201_bench.space)
    assert set(CORE) <= set(STRATEGIES)


def test_strategy_specs_carry_options_and_name_bad_ones():
    from archscout.errors import ArchscoutError
    from archscout.spaces import NB201Space
    from archscout.strategies import make_sampler, parse_strategy

    assert parse_strategy("rea") == ("rea", {})
    assert parse_strategy("rea:population_size=20, tournament_size=5") == ("rea", {"population_size": 20, "tournament_size": 5})
    space = NB201Space()
    s = make_sampler("rea:population_size=7", space, seed=0, population_size=3, tournament_size=2)
    assert s.population_size == 7 and s.tournament_size == 2  # the spec wins over the caller's defaults
    for spec, msg in [("rea:populaton_size=7", "has no option 'populaton_size'; its options:"),
                      ("rea:population_size", "expected name:key=value"), ("ra", "unknown strategy 'ra'")]:
        with pytest.raises(ArchscoutError, match=msg):
            make_sampler(spec, space, seed=0)
