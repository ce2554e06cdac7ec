"""The Trainer: determinism, resume after a simulated kill, NaN handling, pruning, budget, Optuna attrs."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest
import torch

from archscout.data import make_dataset
from archscout.spaces import ChainSpace, MLPSpace
from archscout.training import BudgetExhausted, LiveObjective, TrainConfig, Trainer, TrainingDiverged


@pytest.fixture(scope="module")
def data():
    """A small learnable signal task: the class is where a bump sits."""
    rng = np.random.default_rng(0)
    n, length = 240, 16
    y = np.arange(n) % 3
    x = rng.normal(scale=0.3, size=(n, 1, length))
    for i, c in enumerate(y):
        x[i, 0, 2 + 5 * c: 5 + 5 * c] += 2.0
    return make_dataset("bumps", x[:200], y[:200], x[200:], y[200:], val_fraction=0.2, seed=0)


ARCH = ChainSpace().from_string("C(16,3,1) FLATTEN")


def factory(data, dropout: bool = False):
    def build():
        m = ChainSpace().to_module(ARCH, data.input_shape, data.num_classes)
        if dropout:
            m.insert(len(m) - 1, torch.nn.Dropout(0.3))
        return m

    return build


def _weights(module) -> np.ndarray:
    return torch.cat([p.detach().flatten() for p in module.parameters()]).numpy()


def test_learns_and_is_deterministic(data):
    cfg = TrainConfig(epochs=3, batch_size=32, lr=1e-2, seed=3)
    a = Trainer(data, cfg).fit(factory(data, dropout=True))
    b = Trainer(data, cfg).fit(factory(data, dropout=True))
    c = Trainer(data, cfg.updated(seed=4)).fit(factory(data, dropout=True))
    assert a.curve["val_acc"] == b.curve["val_acc"] and a.curve["train_loss"] == b.curve["train_loss"]
    assert np.array_equal(_weights(a.module), _weights(b.module))
    assert not np.array_equal(_weights(a.module), _weights(c.module))
    assert a.curve["train_loss"][-1] < a.curve["train_loss"][0]
    assert a.val_acc > 60.0  # chance is 33%
    assert all(len(v) == 3 for v in a.curve.values()) and a.epochs_trained == 3


class Killed(Exception):
    pass


def test_resume_after_kill_matches_uninterrupted_run(data, tmp_path):
    cfg = TrainConfig(epochs=4, batch_size=32, lr=1e-2, seed=1)
    full = Trainer(data, cfg).fit(factory(data, dropout=True))
    ckpt = tmp_path / "run.pt"

    def kill_after_two(epoch, stats):
        if epoch == 2:
            raise Killed()

    with pytest.raises(Killed):
        Trainer(data, cfg).fit(factory(data, dropout=True), checkpoint=ckpt, key="a", on_epoch=kill_after_two)
    assert ckpt.exists()
    resumed = Trainer(data, cfg).fit(factory(data, dropout=True), checkpoint=ckpt, key="a")
    assert resumed.epochs_trained == 2
    assert resumed.curve["val_acc"] == full.curve["val_acc"]
    assert np.allclose(resumed.curve["train_loss"], full.curve["train_loss"])
    assert np.array_equal(_weights(resumed.module), _weights(full.module))
    # a checkpoint made under another key (architecture / config) is not reused
    other = Trainer(data, cfg).fit(factory(data, dropout=True), checkpoint=ckpt, key="b")
    assert other.epochs_trained == 4


class NaNNet(torch.nn.Module):
    def __init__(self, data):
        super().__init__()
        self.lin = torch.nn.Linear(int(np.prod(data.input_shape)), data.num_classes)

    def forward(self, x):
        return self.lin(x.flatten(1)) * torch.tensor(float("nan"))


def test_nan_loss_raises_with_reason(data, tmp_path):
    with pytest.raises(TrainingDiverged, match="epoch 1"):
        Trainer(data, TrainConfig(epochs=2)).fit(lambda: NaNNet(data), checkpoint=tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()


def test_nan_trial_fails_and_search_goes_on(data):
    space = MLPSpace()
    lr_big = space.from_string("num_layers=1 max_units=64 max_dropout=0.0 lr=0.1 batch_size=16 weight_decay=0.0 momentum=0.99")
    ok = space.from_string("num_layers=1 max_units=64 max_dropout=0.0 lr=0.01 batch_size=32 weight_decay=0.0 momentum=0.9")
    bad_data = make_dataset("bumps", data.x_train, data.y_train, val_fraction=0.2, seed=0)
    bad_data.x_train = data.x_train * np.float32(1e38)  # overflow: logits become inf, the loss NaN
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial(space.to_params(lr_big))
    study.enqueue_trial(space.to_params(ok))
    objective = LiveObjective(space, bad_data, TrainConfig(epochs=2))
    study.optimize(objective, n_trials=1)
    objective.data = data
    study.optimize(objective, n_trials=1)
    t0, t1 = study.trials
    assert t0.state == optuna.trial.TrialState.FAIL
    assert "loss became" in t0.user_attrs["fail_reason"]
    assert t1.state == optuna.trial.TrialState.COMPLETE and t1.value > 40


class AlwaysPrune(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return True


def test_reports_curve_and_cost_to_optuna(data, tmp_path):
    space = ChainSpace()
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    study.enqueue_trial(space.to_params(ARCH))
    study.optimize(LiveObjective(space, data, TrainConfig(epochs=2, lr=1e-2), checkpoint_dir=tmp_path), n_trials=1)
    t = study.trials[0]
    assert sorted(t.intermediate_values) == [1, 2] and t.value == t.intermediate_values[2]
    assert len(t.user_attrs["curve_train_loss"]) == 2 and t.user_attrs["cost_epochs"] == 2
    assert t.user_attrs["cost_seconds"] > 0 and t.user_attrs["params"] == space.param_count(ARCH, (1, 16), 3)
    assert t.user_attrs["flops"] > 0

    pruned = optuna.create_study(direction="maximize", pruner=AlwaysPrune())
    pruned.enqueue_trial(space.to_params(ARCH))
    pruned.optimize(LiveObjective(space, data, TrainConfig(epochs=5, lr=1e-2), checkpoint_dir=tmp_path / "p"), n_trials=1)
    p = pruned.trials[0]
    assert p.state == optuna.trial.TrialState.PRUNED and list(p.intermediate_values) == [1]
    assert not list((tmp_path / "p").glob("*.pt"))


def test_deadline_stops_before_an_epoch_that_cannot_finish(data):
    import time

    trainer = Trainer(data, TrainConfig(epochs=50))
    with pytest.raises(BudgetExhausted):
        trainer.fit(factory(data), deadline=time.time() + 0.001)


def test_test_split_only_through_evaluate(data):
    tr = Trainer(data, TrainConfig(epochs=1))
    r = tr.fit(factory(data))
    loss, acc = tr.evaluate(r.module, "test")
    assert math.isfinite(loss) and 0 <= acc <= 100
    assert set(r.curve) == {"train_loss", "train_acc", "val_loss", "val_acc", "seconds"}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_when_present(data):
    tr = Trainer(data, TrainConfig(epochs=1, device="auto"))
    assert tr.device == "cuda"
    r = tr.fit(factory(data))
    assert next(r.module.parameters()).is_cuda


def test_torch_is_imported_lazily():
    import subprocess
    import sys

    code = ("import sys, archscout, archscout.spaces, archscout.data, archscout.training, archscout.cli.main; "
            "archscout.cli.main.build_parser(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
