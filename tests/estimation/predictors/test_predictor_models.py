"""Every predictor on a real table: beats a shuffled-label control; bad input fails clearly."""

import subprocess
import sys

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import PREDICTORS, kendall_tau, make_predictor
from archscout.spaces.nb201 import NB201Space

SPACE = NB201Space()
# smaller than the defaults to keep the suite fast; still well above the thresholds below
FAST = {
    "mlp": {"epochs": 40, "batch_size": 64, "n_models": 3}, "gnn": {"epochs": 40, "batch_size": 64, "n_models": 2},
    "rf": {"n_estimators": 100}, "xgb": {"n_estimators": 200}, "gp": {"restarts": 0},
}


# the predictors that pretrain on an unlabelled pool need one: tested in test_gnn_pretrained.py
POOL = {"gnn-pre", "ens-et-gnn"}


@pytest.fixture(scope="module", params=[n for n in PREDICTORS if n not in POOL])
def fitted(request, nb201_split):
    name = request.param
    tr, ytr, te, yte = nb201_split
    real = make_predictor(name, SPACE, seed=0, **FAST.get(name, {})).fit(tr, ytr)
    shuffled = make_predictor(name, SPACE, seed=0, **FAST.get(name, {})).fit(tr, np.random.default_rng(1).permutation(ytr))
    return name, real, shuffled


def test_beats_shuffled_label_control(fitted, nb201_split):
    name, real, shuffled = fitted
    _, _, te, yte = nb201_split
    mean, std = real.predict(te)
    tau_real = kendall_tau(yte, mean)
    tau_shuffled = kendall_tau(yte, shuffled.predict(te)[0])
    assert mean.shape == std.shape == (len(te),) and np.all(std >= 0)
    # measured at 100 training cells: every model reaches 0.6-0.75; a shuffled-label model ~0
    assert tau_real > 0.55, (name, tau_real)
    assert tau_real > tau_shuffled + 0.4, (name, tau_real, tau_shuffled)


def test_predictions_are_seeded(fitted, nb201_split):
    name, real, _ = fitted
    tr, ytr, te, _ = nb201_split
    again = make_predictor(name, SPACE, seed=0, **FAST.get(name, {})).fit(tr, ytr)
    assert np.allclose(real.predict(te[:20])[0], again.predict(te[:20])[0])


def test_extra_features_are_used(nb201_split):
    tr, ytr, te, yte = nb201_split
    # a feature that is the target plus small noise must make the ranking near perfect
    rng = np.random.default_rng(0)
    m = make_predictor("xgb", SPACE, encoding="onehot").fit(tr, ytr, features=ytr + rng.normal(0, 0.01, len(ytr)))
    mean, _ = m.predict(te, features=yte + rng.normal(0, 0.01, len(yte)))
    assert kendall_tau(yte, mean) > 0.85  # trees step-approximate the feature: 0.88 measured


def test_too_few_points_nan_and_mismatch_are_errors(nb201_split):
    tr, ytr, te, _ = nb201_split
    with pytest.raises(ArchscoutError, match="at least 3"):
        make_predictor("gp", SPACE).fit(tr[:2], ytr[:2])
    with pytest.raises(ArchscoutError, match="target value"):
        make_predictor("rf", SPACE).fit(tr[:5], [1.0, 2.0, float("nan"), 3.0, 4.0])
    with pytest.raises(ArchscoutError, match="NaN"):
        make_predictor("rf", SPACE).fit(tr[:5], ytr[:5], features=np.array([1.0, np.nan, 2.0, 3.0, 4.0]))
    with pytest.raises(ArchscoutError, match="target values"):
        make_predictor("rf", SPACE).fit(tr[:5], ytr[:4])
    m = make_predictor("rf", SPACE, n_estimators=10).fit(tr[:10], ytr[:10], features=np.ones((10, 2)))
    with pytest.raises(ArchscoutError, match="extra features"):
        m.predict(te[:3])
    with pytest.raises(ArchscoutError, match="fit before predict"):
        make_predictor("rf", SPACE).predict(te[:3])
    with pytest.raises(ArchscoutError, match="not a NAS-Bench-201"):
        make_predictor("rf", SPACE).fit([(0, 1)] * 5, [1, 2, 3, 4, 5])
    with pytest.raises(ArchscoutError, match="unknown predictor"):
        make_predictor("svm", SPACE)


def test_constant_targets_fall_back_to_the_constant(nb201_split):
    tr, _, te, _ = nb201_split
    mean, std = make_predictor("xgb", SPACE).fit(tr[:10], [42.0] * 10).predict(te[:5])
    assert mean.tolist() == [42.0] * 5 and std.tolist() == [0.0] * 5


def test_import_does_not_pull_heavy_dependencies():
    code = "import sys, archscout.estimation.predictors; print(sorted(m for m in ('torch', 'sklearn', 'xgboost') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", ["mlp", "gnn"])
def test_torch_predictors_fit_on_one_thread_and_restore_the_callers(name, nb201_split, monkeypatch):
    import torch

    from archscout.estimation.predictors import _torch

    tr, ytr, te, _ = nb201_split
    model = make_predictor(name, SPACE, seed=0, **{**FAST[name], "epochs": 2})
    seen = []
    for method in ("_fit_torch", "_predict_torch"):
        inner = getattr(type(model), method)

        def spy(self, *a, inner=inner):
            seen.append(torch.get_num_threads())
            return inner(self, *a)

        monkeypatch.setattr(type(model), method, spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        model.fit(tr[:20], ytr[:20])
        model.predict(te[:5])
        assert seen == [1, 1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert isinstance(model, _torch.OneThreadFit)


def test_ensemble_rank_transforms_tame_a_heavy_tailed_feature(nb201_split):
    """A feature that orders the cells perfectly but spans 10 orders of magnitude: the committee's GP
    sees its rank normal scores (monotone, bounded), and the committee ranks with it near perfectly."""
    from archscout.estimation.predictors.ensemble import _RankFeatures, normal_scores

    tr, ytr, te, yte = nb201_split
    z = normal_scores(np.array([3.0, 1.0, 2.0, 2.0]))
    assert z[1] < z[2] == z[3] < z[0] and abs(z.sum()) < 1e-12
    f = _RankFeatures().fit(np.exp(ytr[:, None] / 4))
    g = f(np.exp(yte[:, None] / 4))[:, 0]
    assert np.all(np.diff(g[np.argsort(yte)]) >= 0) and np.abs(g).max() < 3.5
    m = make_predictor("ens", SPACE, seed=0).fit(tr, ytr, features=np.exp(ytr / 4))
    mean, std = m.predict(te, features=np.exp(yte / 4))
    assert kendall_tau(yte, mean) > 0.85 and np.all(std >= 0)


def test_ensemble_rank_targets_predicts_in_accuracy_units(nb201_split):
    """With rank_targets the trees fit normal scores, mapped back through the training quantiles: every
    member's prediction lies inside the training range, and the committee still ranks."""
    tr, ytr, te, yte = nb201_split
    m = make_predictor("ens-et", SPACE, seed=0, rank_targets=True).fit(tr, ytr)
    members = np.stack(m._members(te, m._matrix(te, None)))
    assert members.min() >= ytr.min() - 1e-9 and members.max() <= ytr.max() + 1e-9
    mean, std = m.predict(te)
    assert kendall_tau(yte, mean) > 0.6 and np.all(std >= 0)
    plain = make_predictor("ens-et", SPACE, seed=0).fit(tr, ytr)
    assert not np.allclose(plain.predict(te)[0], mean)  # the option changes the fit


def test_pairwise_rank_loss_orders_the_training_pairs():
    """_torch.train's rank_weight: on a linear model whose MSE optimum orders the pairs badly (one outlier
    target), the RankNet term orders more training pairs correctly."""
    import torch

    from archscout.estimation.predictors import _torch

    x = torch.linspace(-1, 1, 40)[:, None]
    y = np.sign(x[:, 0].numpy()) * 0.1 + np.where(np.arange(40) == 0, 30.0, 0.0)  # a step plus one outlier

    class Lin(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1, 1))

        def forward(self, xb):
            return (xb @ self.w).T  # (1 member, batch)

    def ordered(rank_weight):
        net = Lin()
        _torch.train(net, (x,), y, 0, 60, 0.05, 40, 0.0, rank_weight=rank_weight)
        p = net(x).detach().numpy()[0]
        return kendall_tau(y, p)

    assert ordered(5.0) > ordered(0.0)
