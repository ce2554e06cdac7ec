"""The final training on all training examples: the merged data, its time estimate, skip and reuse."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from archscout.data import make_dataset, refit_dataset
from archscout.training.refit import ATTR, MARGIN, refit, refit_seconds


def _data():
    rng = np.random.default_rng(0)
    y = np.arange(100) % 2
    x = rng.normal(size=(100, 8)) + y[:, None]
    return make_dataset("toy", x, y, x[:20], y[:20], kind="tabular", val_fraction=0.2, seed=3)


def test_refit_dataset_merges_the_validation_split_into_training():
    data = _data()
    full = refit_dataset(data)
    assert len(full.x_train) == len(data.x_train) + len(data.x_val) == 100
    assert np.array_equal(full.x_train[len(data.x_train):], data.x_val)
    assert np.array_equal(full.y_train, np.concatenate([data.y_train, data.y_val]))
    assert full.x_test is data.x_test and full.num_classes == 2
    assert full.meta["val_held_out"] is False and full.meta["mean"] is data.meta["mean"]  # one input scaling
    assert "val_held_out" not in data.meta  # the search's own dataset is untouched


def _trial(seconds, epochs):
    study = optuna.create_study(direction="maximize")
    t = study.ask()
    t.set_user_attr("cost_seconds", seconds)
    t.set_user_attr("cost_epochs", epochs)
    study.tell(t, 90.0)
    return study, study.trials[0]


def test_refit_seconds_scales_per_trained_epoch_and_example():
    _, t = _trial(20.0, 5)  # e.g. a trial the budget cut after 5 of 10 epochs: 4 s per epoch
    assert refit_seconds(t, n_search=900, n_full=1000, epochs=10) == pytest.approx(MARGIN * 4 * 10 * 1000 / 900)
    _, t0 = _trial(0.0, 0)
    assert refit_seconds(t0, 900, 1000, 10) == 0.0


def test_refit_is_skipped_when_it_cannot_finish_and_reused_when_done(tmp_path):
    import time

    from archscout.spaces import get_space
    from archscout.training import TrainConfig
    from archscout.training.objective import build_module

    space = get_space("mlp")
    data = _data()
    arch = space.default_arch()
    cfg = TrainConfig(epochs=2, seed=0, device="cpu").updated(**space.train_config(arch))
    study, t = _trial(500.0, 2)  # 250 s per epoch: cannot fit in 10 s
    build = lambda a, d: build_module(space, a, d)  # noqa: E731
    full = refit_dataset(data)
    r = refit(study, t, arch, full, cfg, build, tmp_path, "k", time.time() + 10.0, len(data.x_train))
    assert not r.done and r.module is None and "skipped" in r.reason and f"{ATTR}0" not in study.user_attrs
    r = refit(study, t, arch, full, cfg, build, tmp_path, "k", None, len(data.x_train))
    assert r.done and r.n_train == 100 and r.epochs == 2 and (tmp_path / "refit-0.pt").exists()
    assert study.user_attrs[f"{ATTR}0"]["done"]
    # again, even with no time left: the finished refit comes back from its checkpoint, nothing is trained
    r2 = refit(study, t, arch, full, cfg, build, tmp_path, "k", time.time() - 1.0, len(data.x_train))
    assert r2.done and r2.seconds == pytest.approx(r.seconds)
    for a, b in zip(r.module.state_dict().values(), r2.module.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy())


def test_refit_runs_a_shorter_complete_schedule_when_time_is_short(tmp_path):
    import time

    from archscout.spaces import get_space
    from archscout.training import TrainConfig
    from archscout.training.objective import build_module

    space = get_space("mlp")
    data = _data()
    arch = space.default_arch()
    cfg = TrainConfig(epochs=20, seed=0, device="cpu").updated(**space.train_config(arch))
    study, t = _trial(10.0, 10)  # 1 s per epoch on 80 examples: 1.3 * 100 / 80 = 1.625 s per refit epoch
    build = lambda a, d: build_module(space, a, d)  # noqa: E731
    full = refit_dataset(data)
    r = refit(study, t, arch, full, cfg, build, tmp_path, "k", time.time() + 10.0, 80, min_epochs=8)
    assert not r.done and "skipped: 8 epochs" in r.reason  # 6 would fit, fewer than the search's own 8
    r = refit(study, t, arch, full, cfg, build, tmp_path, "k", time.time() + 10.0, 80, min_epochs=5)
    assert r.done and r.epochs == 6 and study.user_attrs[f"{ATTR}0"]["requested"] == 20
