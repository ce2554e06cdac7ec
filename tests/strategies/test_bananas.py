"""BANANAS and NPENAS: seeded determinism, exact resume, predictor refits, search beats random."""

import numpy as np
import optuna
import pytest

from archscout.errors import ArchscoutError
from archscout.strategies import STRATEGIES, make_sampler

# small networks so a 20-trial search takes seconds; the registered defaults are larger
FAST = {
    "bananas": {"predictor_kwargs": {"encoding": ("path", "pathstats"), "n_models": 3, "epochs": 20, "batch_size": 64}},
    "npenas": {"predictor_kwargs": {"n_models": 1, "epochs": 20, "batch_size": 64}},
    "guided-local": {"predictor_kwargs": {"n_estimators": 100}},
}


def _run(bench, name, seed, n, study=None, **kw):
    kw = {**FAST[name], "n_init": 5, "refit_every": 5, **kw}
    study = study or optuna.create_study(direction="maximize", sampler=make_sampler(name, bench.space, seed=seed, **kw))
    study.optimize(lambda t: bench.lookup(bench.space.suggest(t), "cifar10"), n_trials=n)
    return study, [t.user_attrs["arch"] for t in study.trials]


@pytest.mark.parametrize("name", ["bananas", "npenas", "guided-local"])
def test_registered_seeded_and_resumable(nb201_bench, name, tmp_path):
    assert name in STRATEGIES
    study, a = _run(nb201_bench, name, 0, 16)
    _, b = _run(nb201_bench, name, 0, 16)
    _, c = _run(nb201_bench, name, 1, 16)
    assert a == b and a != c
    # proposals after the warm-up are new equivalence classes
    space = nb201_bench.space
    classes = [space.canonical(space.from_string(s)) for s in a]
    assert len(set(classes)) == len(classes)
    # the predictor was refit on every result up to the last refit point (15 = 5 + 2 * 5)
    assert study.sampler.last_fit_size_ == 15 and study.sampler.last_model_.fitted_
    # stop after 8 trials, reopen with a fresh sampler: the same 16 proposals
    url = f"sqlite:///{tmp_path / 's.db'}"
    kw = {**FAST[name], "n_init": 5, "refit_every": 5}
    s1 = optuna.create_study(storage=url, study_name="x", direction="maximize",
                             sampler=make_sampler(name, space, seed=0, **kw))
    _run(nb201_bench, name, 0, 8, study=s1)
    s2 = optuna.load_study(storage=url, study_name="x", sampler=make_sampler(name, space, seed=0, **kw))
    _, resumed = _run(nb201_bench, name, 0, 8, study=s2)
    assert resumed == a


def test_guided_proposals_beat_random_ones(nb201_bench):
    """After a warm-up of 10 random cells, the 10 cells BANANAS proposes are better on average
    than random cells (mean CIFAR-10 accuracy of a random cell: ~83.6)."""
    space = nb201_bench.space
    means = []
    for seed in range(2):
        _, archs = _run(nb201_bench, "bananas", seed, 20, n_init=10, refit_every=10)
        means.append(np.mean([nb201_bench.lookup(space.from_string(s), "cifar10") for s in archs[10:]]))
    assert np.mean(means) > nb201_bench.values("cifar10").mean() + 3.0


def test_bad_options(nb201_bench):
    with pytest.raises(ArchscoutError, match="unknown predictor"):
        make_sampler("bananas", nb201_bench.space, predictor="svm")
    with pytest.raises(ArchscoutError, match="unknown acquisition"):
        make_sampler("npenas", nb201_bench.space, acquisition="pi")
    with pytest.raises(ArchscoutError, match="at least 1"):
        make_sampler("bananas", nb201_bench.space, refit_every=0)


def test_transfer_from_cifar10_warm_starts_cifar100(nb201_bench):
    """With 200 CIFAR-10 results as the source, the warm-up cells are far better on CIFAR-100
    than random ones (random cell: ~61 on CIFAR-100), and the search is still seeded."""
    space = nb201_bench.space
    rng = np.random.default_rng(0)
    src = list({space.canonical(space.sample(rng)) for _ in range(200)})
    source = (src, [nb201_bench.lookup(a, "cifar10") for a in src])

    def run(seed):
        s = make_sampler("bananas", space, seed=seed, source=source, n_init=5, **FAST["bananas"])
        study = optuna.create_study(direction="maximize", sampler=s)
        study.optimize(lambda t: nb201_bench.lookup(space.suggest(t), "cifar100"), n_trials=8)
        return [t.value for t in study.trials], [t.user_attrs["arch"] for t in study.trials]

    values, archs = run(0)
    assert archs == run(0)[1]
    assert np.mean(values[:5]) > nb201_bench.values("cifar100").mean() + 6.0


def test_local_pool_holds_the_incumbents_neighbourhood_once_per_class(nb201_bench):
    """n_local = 1: the pool has every one-edit neighbour of the best result (one cell per
    equivalence class, none already evaluated) besides the mutations of the top architectures."""
    space = nb201_bench.space
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(12)]
    from archscout.strategies.base import History

    hist = History(archs=archs, values=[nb201_bench.lookup(a, "cifar10") for a in archs])
    seen = {space.canonical(a) for a in archs}
    best = archs[int(np.argmax(hist.values))]
    sampler = make_sampler("bananas", space, seed=0, n_local=1, pool_size=20)
    pool = sampler.candidates(hist, np.random.default_rng(1), seen)
    classes = [space.canonical(a) for a in pool]
    assert len(set(classes)) == len(classes) and not set(classes) & seen
    want = {space.canonical(n) for n in space.neighbours(best)} - seen
    assert want <= set(classes) and len(pool) > len(want)
    # n_local = 0 is the original BANANAS pool: no more than pool_size mutations
    assert len(make_sampler("bananas", space, seed=0, pool_size=20).candidates(hist, np.random.default_rng(1), seen)) <= 20
    with pytest.raises(ArchscoutError, match="n_local"):
        make_sampler("bananas", space, n_local=-1)


def test_another_predictor_starts_from_its_own_defaults(nb201_bench):
    """predictor="xgb" must not inherit the MLP's epochs/batch size (it used to fail on the first refit)."""
    s = make_sampler("bananas", nb201_bench.space, seed=0, predictor="xgb", n_init=5, refit_every=5)
    assert s.predictor_kwargs == {}
    study = optuna.create_study(direction="maximize", sampler=s)
    study.optimize(lambda t: nb201_bench.lookup(nb201_bench.space.suggest(t), "cifar10"), n_trials=7)
    assert s.last_model_.name == "xgb" and s.last_fit_size_ == 5


def test_guided_local_defaults_and_guided_proposals_beat_random_ones(nb201_bench):
    """guided-local: XGBoost, greedy, refit after every result, the pool is the incumbent's neighbourhood
    (every proposal is a one-edit neighbour of an earlier result); its 10 proposals after a 10-cell
    warm-up beat random cells by a wide margin."""
    space = nb201_bench.space
    s = make_sampler("guided-local", space, seed=0)
    assert (s.predictor, s.acquisition, s.refit_every, s.n_local, s.pool_size, s.rank_targets) == ("xgb", "mean", 1, 1, 0, True)
    means = []
    for seed in range(2):
        _, archs = _run(nb201_bench, "guided-local", seed, 20, n_init=10, refit_every=1)
        cells = [space.from_string(a) for a in archs]
        for i in range(10, 20):
            assert any(space.canonical(cells[i]) in {space.canonical(n) for n in space.neighbours(c)} for c in cells[:i])
        means.append(np.mean([nb201_bench.lookup(space.from_string(a), "cifar10") for a in archs[10:]]))
    assert np.mean(means) > nb201_bench.values("cifar10").mean() + 5.0


def test_on_the_chain_space_the_default_encoding_falls_back_and_bad_choices_fail_early():
    """pathstats needs an op graph: on the chain space the samplers' default encodings become
    one-hot + chain statistics and the search runs; a GNN or an encoding the space cannot give
    is an error at construction, before any trial is paid for."""
    from archscout.spaces.chain import ChainSpace

    space = ChainSpace(max_layers=3)
    s = make_sampler("guided-local", space, seed=0, n_init=4, predictor_kwargs=None)
    assert s.predictor_kwargs["encoding"] == ("onehot", "chainstats")
    study = optuna.create_study(direction="maximize", sampler=s)
    study.optimize(lambda t: float(len(space.suggest(t)[0])), n_trials=7)
    assert s.last_fit_size_ == 6 and s.last_model_.fitted_
    with pytest.raises(ArchscoutError, match="op graph"):
        make_sampler("npenas", space)
    with pytest.raises(ArchscoutError, match="does not apply"):
        make_sampler("bananas", space, predictor="xgb", predictor_kwargs={"encoding": "path"})


@pytest.mark.parametrize("name", ["bananas", "npenas", "guided-local"])
def test_the_extra_trees_committee_runs_inside_guided_search(nb201_bench, name):
    """predictor="ens-et" (XGBoost + extra trees + GP): refit inside each guided sampler, and its
    proposals after a 10-cell warm-up beat random cells (mean CIFAR-10 accuracy ~83.6)."""
    space = nb201_bench.space
    s = make_sampler(name, space, seed=0, predictor="ens-et", n_init=10, refit_every=5)
    study = optuna.create_study(direction="maximize", sampler=s)
    study.optimize(lambda t: nb201_bench.lookup(space.suggest(t), "cifar10"), n_trials=20)
    assert s.last_model_.name == "ens-et" and s.last_fit_size_ == 15
    proposed = [nb201_bench.lookup(space.from_string(t.user_attrs["arch"]), "cifar10") for t in study.trials[10:]]
    assert np.mean(proposed) > nb201_bench.values("cifar10").mean() + 3.0
