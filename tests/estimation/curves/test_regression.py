"""Baker et al.'s sequential regression on real curves, and the bench curves command."""

import json

import numpy as np
import pytest

from archscout.cli.main import main
from archscout.errors import ArchscoutError
from archscout.estimation.curves import Metric, SequentialRegressor, read_curves
from archscout.estimation.curves.regression import curve_features


def r2(y, p):
    return 1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2)


def test_curve_features_by_hand():
    f = curve_features(np.array([[0.1, 0.3, 0.4]]))[0]
    # values, first differences, second difference, then the summaries
    np.testing.assert_allclose(f[:6], [0.1, 0.3, 0.4, 0.2, 0.1, -0.1])
    assert f[6] == pytest.approx(0.4)  # last
    assert f[8] == pytest.approx(0.4) and f[9] == pytest.approx(0.1)  # max, min


def test_curve_features_of_one_epoch():
    # Baker's rule may look after the first epoch: one value, no differences, no slope
    f = curve_features(np.array([[0.3], [0.5]]))
    assert f.shape == (2, 11) and np.all(np.isfinite(f))
    np.testing.assert_allclose(f[:, 0], [0.3, 0.5])
    np.testing.assert_allclose(f[:, 5], 0.0)  # the slope of a single point


@pytest.mark.parametrize("model", ["svr", "bayes_ridge"])
def test_beats_the_last_value_on_metaqnn_cifar10(shared_data, model):
    cs = read_curves(shared_data / "baker2018" / "metaqnn_cifar10.csv")
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(cs))
    tr, te = perm[:100], perm[100:400]
    P, y = cs.curves[:, :5], cs.curves[:, -1]
    reg = SequentialRegressor(model, Metric(), n_search=8).fit(cs.features[tr], P[tr], y[tr])
    mu, sd = reg.predict(cs.features[te], P[te])
    assert r2(y[te], mu) > 0.85 > r2(y[te], P[te, -1])
    z = np.abs(mu - y[te]) / sd
    assert 0.5 < np.mean(z < 1.0) < 0.95  # the uncertainty is roughly calibrated


def test_perplexity_is_modelled_on_a_log_scale(shared_data):
    cs = read_curves(shared_data / "baker2018" / "lstm_ptb.csv")
    P, y = cs.curves[:, :16], cs.curves[:, -1]
    reg = SequentialRegressor("bayes_ridge", Metric.loss()).fit(cs.features[:100], P[:100], y[:100])
    mu, sd = reg.predict(cs.features[100:], P[100:])
    assert r2(y[100:], mu) > 0.9 and np.all(mu > 0) and np.all(sd > 0)


def test_anchor_sets_where_a_curve_unlike_the_training_ones_ends():
    # training curves all near 0.85 that gain ~0.05; the test curve is stuck at chance (0.1), as
    # MetaQNN-SVHN's few networks still at chance at epoch 5 (most recover, none in the training set)
    rng = np.random.default_rng(0)
    c = rng.uniform(0.8, 0.9, 60)
    P = c[:, None] + 0.01 * np.arange(5)[None, :] + 0.003 * rng.standard_normal((60, 5))
    y = P[:, -1] + 0.05 + 0.005 * rng.standard_normal(60)
    stuck = np.full((1, 5), 0.1)
    pred = {}
    for a in (0.0, 0.5, 1.0):
        reg = SequentialRegressor("rf", Metric(), anchor=a).fit(np.zeros((60, 0)), P, y)
        pred[a] = float(reg.predict(np.zeros((1, 0)), stuck)[0][0])
        # in-distribution curves are predicted well whatever the target
        mu, _ = reg.predict(np.zeros((60, 0)), P)
        assert np.sqrt(np.mean((mu - y) ** 2)) < 0.02
    # outside the training range a model's target stays at what it learned at the edge (here the
    # lowest training curves, final ~0.89): anchor 1 -> last value + their gain, anchor 0 -> their
    # final value, 0.5 -> halfway between the two
    low = y[np.argsort(P[:, -1])[:10]].mean()
    assert pred[1.0] == pytest.approx(0.1 + 0.05, abs=0.02)
    assert pred[0.0] == pytest.approx(low, abs=0.02)
    assert pred[0.5] == pytest.approx((pred[0.0] + pred[1.0]) / 2, abs=0.02)
    with pytest.raises(ArchscoutError, match="anchor"):
        SequentialRegressor("svr", anchor=1.5)


def test_too_few_curves_is_an_error():
    with pytest.raises(ArchscoutError, match="at least 6 finished curves"):
        SequentialRegressor("svr").fit(np.zeros((3, 1)), np.ones((3, 4)) * 0.5, np.ones(3) * 0.6)
    with pytest.raises(ArchscoutError, match="unknown regression model"):
        SequentialRegressor("xgb")


def test_bench_curves_json(shared_data, capsys):
    rc = main(["bench", "curves", "--curves", str(shared_data / "baker2018" / "metaqnn_cifar10.csv"),
               "--cutoff", "0.25", "--max-test", "60", "--methods", "last", "bayes_ridge", "curvefit", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert {(r["method"], r["cutoff"]) for r in out} == {("last", 0.25), ("bayes_ridge", 0.25), ("curvefit", 0.25)}
    for r in out:
        assert {"r2", "mse", "loglik"} <= set(r) and r["n_test"] == 60
    by = {r["method"]: r for r in out}
    assert by["bayes_ridge"]["r2"] > by["last"]["r2"]
    assert by["bayes_ridge"]["anchor"] == 1.0 and by["last"]["anchor"] is None


def test_bench_curves_resume_keeps_anchors_apart(shared_data, tmp_path, capsys):
    out = tmp_path / "q.jsonl"
    base = ["bench", "curves", "--curves", str(shared_data / "baker2018" / "metaqnn_cifar10.csv"), "--cutoff", "0.25",
            "--max-test", "40", "--methods", "last", "bayes_ridge", "--out", str(out), "--json"]
    for a in ("1", "0.5", "0.5"):
        assert main(base + ["--anchor", a]) == 0
    capsys.readouterr()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    # 'last' has no anchor and is computed once; bayes_ridge once per anchor; the rerun adds nothing
    assert sorted((r["method"], r["anchor"]) for r in rows) == [("bayes_ridge", 0.5), ("bayes_ridge", 1.0),
                                                                ("last", None)]


def test_bench_curves_bad_input_exits_2(tmp_path, capsys):
    p = tmp_path / "t.csv"
    p.write_text("arch,cifar10\na,1\n")
    assert main(["bench", "curves", "--curves", str(p)]) == 2
    assert "no per-epoch columns" in capsys.readouterr().err
    q = tmp_path / "small.csv"
    q.write_text("lr,acc_1,acc_2,acc_3\n" + "".join(f"0.{i},0.1,0.2,0.3\n" for i in range(1, 9)))
    assert main(["bench", "curves", "--curves", str(q)]) == 2
    assert "need --train-size" in capsys.readouterr().err


def test_bench_curves_lce_temperature_is_its_own_row(shared_data, tmp_path, capsys):
    """--lce-temperature fixes the fast mode's temperature: kept apart in the resume file, and past 20 observed
    epochs (deep_resnets at 50%: 24) different from the default max(2, n / 10); a bad value exits 2."""
    out = tmp_path / "q.jsonl"
    base = ["bench", "curves", "--curves", str(shared_data / "baker2018" / "deep_resnets_cifar10.csv"), "--cutoff",
            "0.5", "--max-test", "12", "--methods", "lce", "--out", str(out), "--json"]
    for extra in ([], ["--lce-temperature", "2"], ["--lce-temperature", "2"]):
        assert main(base + extra) == 0
    capsys.readouterr()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(str(r.get("lce_temperature")) for r in rows) == ["2.0", "None"]  # the rerun added nothing
    default, fixed = sorted(rows, key=lambda r: r.get("lce_temperature") or 0)
    assert default["epochs_seen"] == 24 and default["loglik"] != fixed["loglik"]
    assert main(base + ["--lce-temperature", "0.5"]) == 2
    assert "--lce-temperature must be at least 1" in capsys.readouterr().err
