"""The GNN pretrained on the pool's zero-cost scores (`gnn-pre`) and the committee with it (`ens-et-gnn`)."""

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import kendall_tau, make_predictor
from archscout.estimation.predictors import gnn_pre
from archscout.spaces.nb201 import NB201Space

SPACE = NB201Space()
# tiny settings: the suite stays fast; the thresholds below hold with a wide margin
TINY = {"n_models": 2, "hidden": 16, "pretrain_epochs": 3, "pretrain_batch_size": 256, "epochs": 40, "batch_size": 64}


@pytest.fixture(scope="module")
def zc_pool(nb201_bench, shared_data):
    """An unlabelled pool of 600 canonical cells with their 13 real zero-cost scores; the accuracies of
    the first 100 (train) and last 300 (test) are looked up separately, never given to the pool."""
    from archscout.benchmarks.tabular import Table
    from archscout.cli.bench_predictors import ZC_EXCLUDE

    t = Table.from_csv(shared_data / "nb201" / "zero_cost_cifar10.csv", SPACE, epochs=0)
    names = [c for c in t.columns if c not in ZC_EXCLUDE]
    archs = sorted({SPACE.canonical(SPACE.from_string(k)) for k in t.index})
    pick = np.random.default_rng(0).permutation(len(archs))[:600]
    archs = [archs[i] for i in pick]
    f = np.array([[t.columns[c][t.row(SPACE, a)] for c in names] for a in archs])
    y = np.array([nb201_bench.lookup(a, "cifar10") for a in archs])
    return archs, f, y


def split(zc_pool):
    archs, f, y = zc_pool
    return archs[:100], y[:100], f[:100], archs[-300:], y[-300:], f[-300:]


def model(zc_pool, name="gnn-pre", seed=0, **kw):
    archs, f, _ = zc_pool
    opts = {**TINY, **kw} if name == "gnn-pre" else {"gnn_kwargs": {**TINY, **kw}}
    return make_predictor(name, SPACE, seed=seed, pool_archs=archs, pool_features=f, **opts)


@pytest.mark.parametrize("name", ["gnn-pre", "ens-et-gnn"])
def test_beats_shuffled_label_control(zc_pool, name):
    tr, ytr, ftr, te, yte, fte = split(zc_pool)
    real = model(zc_pool, name).fit(tr, ytr, ftr)
    shuffled = model(zc_pool, name).fit(tr, np.random.default_rng(1).permutation(ytr), ftr)
    mean, std = real.predict(te, fte)
    tau, tau_shuffled = kendall_tau(yte, mean), kendall_tau(yte, shuffled.predict(te, fte)[0])
    assert mean.shape == std.shape == (300,) and np.all(std >= 0)
    assert tau > 0.6, (name, tau)
    assert tau > tau_shuffled + 0.4, (name, tau, tau_shuffled)


def test_architecture_only_head_still_learns_from_the_pool(zc_pool):
    """Without any feature at fit/predict time the proxies reach the model only through pretraining."""
    tr, ytr, _, te, yte, _ = split(zc_pool)
    m = model(zc_pool, head_features=False).fit(tr, ytr)
    assert kendall_tau(yte, m.predict(te)[0]) > 0.55


def test_seeded_and_pretraining_is_cached_and_label_free(zc_pool):
    import torch

    tr, ytr, ftr, te, _, fte = split(zc_pool)
    gnn_pre._PRETRAINED.clear()
    runs = gnn_pre.STATS["pretrain_runs"]
    a = model(zc_pool).fit(tr, ytr, ftr)
    (state_a,) = gnn_pre._PRETRAINED.values()
    gnn_pre._PRETRAINED.clear()  # pretrain again from scratch, this time next to other labels
    b = model(zc_pool).fit(tr, np.random.default_rng(2).permutation(ytr) * 2 - 30, ftr)
    (state_b,) = gnn_pre._PRETRAINED.values()
    assert gnn_pre.STATS["pretrain_runs"] == runs + 2
    # the pretrained body does not depend on the labels (it never sees them) and is deterministic
    assert state_a.keys() == state_b.keys() and all(torch.equal(state_a[k], state_b[k]) for k in state_a)
    # fine-tuning moved the body away from the pretrained state (body_lr > 0)
    assert any(not torch.equal(a.net_.body.state_dict()[k], state_a[k]) for k in state_a)
    # same seed, same labels: the same predictions, and the body comes from the cache
    hits = gnn_pre.STATS["cache_hits"]
    c = model(zc_pool).fit(tr, ytr, ftr)
    assert gnn_pre.STATS["pretrain_runs"] == runs + 2 and gnn_pre.STATS["cache_hits"] == hits + 1
    assert np.array_equal(a.predict(te, fte)[0], c.predict(te, fte)[0])
    assert not np.allclose(a.predict(te, fte)[0], b.predict(te, fte)[0])
    other = model(zc_pool, seed=1).fit(tr, ytr, ftr)  # another run seed: another head and fine-tuning
    assert not np.allclose(a.predict(te, fte)[0], other.predict(te, fte)[0])


def test_bad_pool_input_is_a_clear_error(zc_pool):
    archs, f, y = zc_pool
    tr, ytr, ftr = archs[:20], y[:20], f[:20]
    with pytest.raises(ArchscoutError, match="pass pool_archs and pool_features"):
        make_predictor("gnn-pre", SPACE, **TINY).fit(tr, ytr, ftr)
    bad = f.copy()
    bad[7, 3] = np.nan
    with pytest.raises(ArchscoutError, match="pool feature column 3 of pool architecture #7"):
        make_predictor("gnn-pre", SPACE, pool_archs=archs, pool_features=bad, **TINY).fit(tr, ytr, ftr)
    with pytest.raises(ArchscoutError, match="one row per pool architecture"):
        make_predictor("gnn-pre", SPACE, pool_archs=archs, pool_features=f[:-1], **TINY).fit(tr, ytr, ftr)
    with pytest.raises(ArchscoutError, match="not in the pool"):
        make_predictor("gnn-pre", SPACE, pool_archs=archs[50:], pool_features=f[50:], **TINY).fit(tr, ytr, ftr)
    with pytest.raises(ArchscoutError, match="at least 50"):
        make_predictor("gnn-pre", SPACE, pool_archs=archs[:30], pool_features=f[:30], **TINY).fit(tr, ytr, ftr)
    with pytest.raises(ArchscoutError, match="NaN"):  # NaN in the fit-time features: the base class check
        ftr_bad = ftr.copy()
        ftr_bad[0, 0] = np.nan
        make_predictor("gnn-pre", SPACE, pool_archs=archs, pool_features=f, **TINY).fit(tr, ytr, ftr_bad)


def test_harness_passes_only_the_zero_cost_block_to_pool_predictors():
    from archscout.cli.bench_predictors import pool_kwargs

    archs = list(range(5))
    feats = np.arange(5 * 27, dtype=float).reshape(5, 27)  # epoch12 (1 column) then zcsmooth (26)
    kw = pool_kwargs("gnn-pre", archs, feats, {"epoch12": (0, 1), "zcsmooth": (1, 27)})
    assert kw["pool_archs"] is archs and np.array_equal(kw["pool_features"], feats[:, 1:])
    assert pool_kwargs("ens-et", archs, feats, {"epoch12": (0, 1)}) == {}
    with pytest.raises(ArchscoutError, match="--features zc or zcsmooth"):
        pool_kwargs("ens-et-gnn", archs, feats[:, :1], {"epoch12": (0, 1)})


def test_through_the_harness_and_without_zero_cost_features(capsys, nb201_canonical_table, shared_data):
    """`bench predictors --predictor gnn-pre --features zc` on a 400-cell table (the pool = those cells):
    it ranks well; without zero-cost features it is a one-line error, and `all` skips it."""
    import json

    from archscout.cli.main import main

    args = ["bench", "predictors", "--table", str(nb201_canonical_table), "--dataset", "acc", "--predictor", "gnn-pre", "--seeds", "1",
            "--train-size", "100", "--test-size", "250", "--json"]
    assert main([*args, "--features", "zc"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["pool"] == 400 and row["kendall_tau"] > 0.6
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "--features zc or zcsmooth" in err and len(err.splitlines()) == 1


def test_inside_predictor_guided_search(nb201_bench, shared_data):
    """BANANAS with `gnn-pre` (pool = every canonical cell and its zero-cost scores): seeded, refits
    reuse the one pretrained body, and the proposals after the warm-up beat random cells."""
    import optuna

    from archscout.benchmarks.tabular import Table
    from archscout.cli.bench_predictors import ZC_EXCLUDE
    from archscout.strategies import make_sampler

    t = Table.from_csv(shared_data / "nb201" / "zero_cost_cifar10.csv", SPACE, epochs=0)
    names = [c for c in t.columns if c not in ZC_EXCLUDE]
    pool = sorted({SPACE.canonical(a) for a in nb201_bench.archs()})
    f = np.array([[t.columns[c][t.row(SPACE, a)] for c in names] for a in pool])
    kw = {"pool_archs": pool, "pool_features": f, **TINY, "head_features": False}

    def run(seed):
        sampler = make_sampler("bananas", SPACE, seed=seed, predictor="gnn-pre", predictor_kwargs=kw,
                               n_init=10, refit_every=5)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.optimize(lambda tr: nb201_bench.lookup(SPACE.suggest(tr), "cifar10"), n_trials=20)
        return [tr.value for tr in study.trials]

    runs = gnn_pre.STATS["pretrain_runs"]
    a, b = run(0), run(0)
    assert a == b and gnn_pre.STATS["pretrain_runs"] <= runs + 1  # one pretraining for every refit of both runs
    assert np.mean(a[10:]) > nb201_bench.values("cifar10").mean() + 3.0
