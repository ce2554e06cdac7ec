"""`archscout search --data ...`: a real (tiny) search end to end, resume, and bad input -> exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import optuna
import pytest

from archscout.cli.main import main
from archscout.spaces import ChainSpace


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def signals(tmp_path):
    rng = np.random.default_rng(0)
    y = np.arange(150) % 3
    x = rng.normal(scale=0.3, size=(150, 12))
    for i, c in enumerate(y):
        x[i, 4 * c: 4 * c + 3] += 2.0
    p = tmp_path / "bumps.npz"
    np.savez(p, x_train=x[:120], y_train=y[:120], x_test=x[120:], y_test=y[120:], kind=np.array("signal"))
    return p


def test_mlp_on_digits_json(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 's.db'}"
    base = ["search", "--data", "digits", "--space", "mlp", "--strategy", "random", "--epochs", "1", "--threads", "1",
            "--budget-minutes", "2", "--storage", db, "--json"]
    code, out, _ = _run(capsys, *base, "--trials", "2")
    assert code == 0
    r = json.loads(out)
    assert {"best_arch", "best_value", "test_accuracy", "trials"} <= set(r)
    assert r["trials"] == 2 and 0 <= r["test_accuracy"] <= 100 and r["best_value"] > 10
    assert r["cost"]["epochs"] == 2
    assert r["refit"]["done"] and r["refit"]["epochs"] == 2  # on by default: twice the search's epochs
    # only the best trial's weights stay, and its refit's
    assert sorted(p.name.startswith("refit-") for p in (tmp_path / "s_checkpoints").rglob("*.pt")) == [False, True]


def test_chain_on_own_npz_text_report(signals, tmp_path, capsys):
    code, out, err = _run(capsys, "search", "--data", str(signals), "--space", "chain", "--epochs", "2", "--trials", "2",
                          "--threads", "1", "--storage", f"sqlite:///{tmp_path / 's.db'}")
    assert code == 0, err
    assert "best architecture" in out and "test accuracy" in out and "valid %" in out
    assert "trial   0" in err and "time left" in err  # progress lines


def test_interrupted_trial_is_resumed(signals, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["search", "--data", str(signals), "--space", "chain", "--strategy", "random", "--epochs", "2",
            "--threads", "1", "--storage", db, "--json"]
    assert _run(capsys, *argv, "--trials", "1")[0] == 0
    study = optuna.load_study(study_name="live-bumps-chain-random-seed0-e2", storage=db)
    space = ChainSpace()
    arch = space.from_string("C(16,3,1) FLATTEN")
    trial = study.ask()  # left RUNNING, as by a killed process
    for k, v in space.to_params(arch).items():
        study._storage.set_trial_param(trial._trial_id, k, space.decisions()[k].index(v),
                                       optuna.distributions.CategoricalDistribution(space.decisions()[k]))
    code, out, _ = _run(capsys, *argv, "--trials", "3")
    r = json.loads(out)  # the same command resumed the same study; the failed trial does not count
    assert code == 0 and r["trials"] == 4 and r["complete"] == 3
    trials = study.get_trials()
    assert trials[1].state == optuna.trial.TrialState.FAIL and "interrupted" in trials[1].user_attrs["fail_reason"]
    assert trials[2].state == optuna.trial.TrialState.COMPLETE and trials[2].user_attrs["arch"] == space.to_string(arch)


def test_reeval_retrains_the_best_trials_on_a_second_split(signals, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["search", "--data", str(signals), "--space", "chain", "--strategy", "random", "--epochs", "2",
            "--threads", "1", "--storage", db, "--json", "--trials", "4", "--select", "reeval", "--reeval-top", "2"]
    code, out, _ = _run(capsys, *argv)
    assert code == 0
    r = json.loads(out)
    sel = r["selection"]
    values = sorted((t["value"] for t in r["trial_table"] if t["state"] == "complete"), reverse=True)
    assert sel["rule"] == "reeval" and [c["valid"] for c in sel["candidates"]] == values[:2]
    assert all(c["valid_reeval"] is not None for c in sel["candidates"])
    means = {c["trial"]: (c["valid"] + c["valid_reeval"]) / 2 for c in sel["candidates"]}
    assert sel["picked"] == r["best_trial"] and means[r["best_trial"]] == max(means.values())
    assert r["best_value_reeval"] == next(c["valid_reeval"] for c in sel["candidates"] if c["trial"] == r["best_trial"])
    assert r["cost"]["reeval_epochs"] == 4  # two networks, two epochs each, on top of the search's own
    assert r["cost"]["epochs"] == sum(t["epochs"] for t in r["trial_table"])
    assert not list((tmp_path / "s_checkpoints").rglob("reeval-*.pt"))  # re-evaluation leaves no weights behind
    study = optuna.load_study(study_name="live-bumps-chain-random-seed0-e2", storage=db)
    assert {f"reeval:{c['trial']}" for c in sel["candidates"]} <= set(study.user_attrs)
    # the same command again: the cached second scores are reused, not re-trained
    code, out, _ = _run(capsys, *argv)
    r2 = json.loads(out)
    assert code == 0 and r2["selection"] == sel and r2["best_arch"] == r["best_arch"]


def test_select_valid_returns_the_best_validation_trial(signals, tmp_path, capsys):
    # the default rule (measured level with or better than re-evaluation on the Quickstart's search)
    code, out, _ = _run(capsys, "search", "--data", str(signals), "--space", "chain", "--strategy", "random",
                        "--epochs", "2", "--threads", "1", "--storage", "memory", "--json", "--trials", "3")
    r = json.loads(out)
    assert code == 0 and r["selection"] == {"rule": "valid", "picked": r["best_trial"], "candidates": []}
    assert r["best_value"] == max(t["value"] for t in r["trial_table"] if t["value"] is not None)
    assert r["cost"]["reeval_epochs"] == 0


def test_export_gives_the_returned_network_with_its_standardisation(signals, tmp_path, capsys):
    """The exported file rebuilds the returned network; on raw test inputs it scores the reported test accuracy."""
    import torch

    from archscout.training.export import load_model

    out_file = tmp_path / "best.pt"
    code, out, err = _run(capsys, "search", "--data", str(signals), "--space", "chain", "--strategy", "random",
                          "--epochs", "2", "--trials", "2", "--threads", "1", "--storage", "memory", "--json",
                          "--export", str(out_file))
    assert code == 0, err
    r = json.loads(out)
    assert r["exported"] == str(out_file) and out_file.exists()
    model = load_model(out_file)
    assert model.archscout["arch"] == r["best_arch"] and model.archscout["info"]["trial"] == r["best_trial"]
    with np.load(signals) as z:
        x, y = z["x_test"], z["y_test"]
    with torch.no_grad():
        pred = model(torch.as_tensor(x[:, None, :], dtype=torch.float32)).argmax(1).numpy()
    assert 100.0 * float((pred == y).mean()) == pytest.approx(r["test_accuracy"], abs=1e-6)
    assert not np.allclose(model.mean.numpy(), 0.0)  # the training split's statistics travel with the weights


def test_export_to_a_missing_folder_exits_2_before_training(signals, tmp_path, capsys):
    code, _, err = _run(capsys, "search", "--data", str(signals), "--space", "chain", "--storage", "memory",
                        "--export", str(tmp_path / "no" / "best.pt"))
    assert code == 2 and "does not exist" in err and err.count("\n") == 1


def test_load_model_rejects_a_foreign_file(tmp_path):
    from archscout.errors import ArchscoutError
    from archscout.training.export import load_model

    p = tmp_path / "x.pt"
    p.write_bytes(b"not a model")
    with pytest.raises(ArchscoutError, match="not an archscout model file"):
        load_model(p)


def _npz(tmp_path, name="bad", **arrays):
    p = tmp_path / f"{name}.npz"
    np.savez(p, **arrays)
    return str(p)


@pytest.mark.parametrize("extra, message", [
    (["--data", "digits", "--budget-minutes", "0"], "--budget-minutes must be positive"),
    (["--data", "digits", "--budget-minutes", "0.00001"], "too small"),
    (["--data", "nosuch"], "unknown dataset"),
    (["--data", "digits", "--strategy", "annealing"], "unknown strategy"),
    (["--data", "digits", "--space", "dag"], "unknown search space"),
    (["--data", "digits", "--epochs", "0"], "epochs must be at least 1"),
    (["--data", "digits", "--reeval-top", "0"], "--reeval-top must be at least 1"),
])
def test_bad_input_exits_2_before_training(tmp_path, capsys, extra, message):
    db = tmp_path / "s.db"
    code, out, err = _run(capsys, "search", "--storage", f"sqlite:///{db}", *extra)
    assert code == 2 and message in err and err.count("\n") == 1
    assert not list(tmp_path.glob("*_checkpoints"))


def test_bad_data_files_exit_2(tmp_path, capsys):
    x = np.random.default_rng(0).normal(size=(20, 5))
    y = np.arange(20) % 2
    xn = x.copy()
    xn[0, 0] = np.nan
    for path, message in [(_npz(tmp_path, x_train=xn, y_train=y), "NaN/inf"),
                          (_npz(tmp_path, "b", x_train=x, y_train=y + 1), "0..K-1"),
                          (_npz(tmp_path, "c", x_train=x, y_train=np.zeros(20, int)), "single class")]:
        code, _, err = _run(capsys, "search", "--data", path, "--storage", "memory")
        assert code == 2 and message in err
    csv = tmp_path / "rows.csv"
    csv.write_text("a,b\n1,0\n2,1\n")
    code, _, err = _run(capsys, "search", "--data", str(csv), "--storage", "memory")
    assert code == 2 and "no label column 'label'" in err


def test_nb201_needs_spatial_input(tmp_path, capsys):
    csv = tmp_path / "rows.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i},{i % 5},{i % 2}\n" for i in range(30)))
    code, _, err = _run(capsys, "search", "--data", str(csv), "--space", "nb201", "--storage", "memory")
    assert code == 2 and "(2,)" in err and err.count("\n") == 1  # rows do not fit the cell network


def test_refit_trains_the_pick_on_all_training_data_and_exports_it(signals, tmp_path, capsys):
    """--refit: the same pick and validation score, weights trained on train + validation, reused on rerun."""
    import torch

    from archscout.training.export import load_model

    db = f"sqlite:///{tmp_path / 's.db'}"
    out_file = tmp_path / "best.pt"
    argv = ["search", "--data", str(signals), "--space", "chain", "--strategy", "random", "--epochs", "2",
            "--trials", "3", "--threads", "1", "--storage", db, "--json", "--export", str(out_file)]
    code, out, err = _run(capsys, *argv, "--no-refit")
    assert code == 0, err
    plain = json.loads(out)
    assert plain["refit"] is None and plain["test_accuracy"] == plain["test_accuracy_search"]
    code, out, err = _run(capsys, *argv, "--refit", "--refit-epochs", "3")
    assert code == 0, err
    r = json.loads(out)
    assert r["best_trial"] == plain["best_trial"] and r["best_value"] == plain["best_value"]  # the choice is the search's
    assert r["refit"]["done"] and r["refit"]["n_train"] == 120 and r["refit"]["epochs"] == 3
    assert r["test_accuracy_search"] == plain["test_accuracy"]
    assert r["cost"]["epochs"] == plain["cost"]["epochs"]  # the refit is not a trial
    model = load_model(out_file)  # the exported weights are the refit network's: they score its test accuracy
    with np.load(signals) as z:
        x, y = z["x_test"], z["y_test"]
    with torch.no_grad():
        pred = model(torch.as_tensor(x[:, None, :], dtype=torch.float32)).argmax(1).numpy()
    assert 100.0 * float((pred == y).mean()) == pytest.approx(r["test_accuracy"], abs=1e-6)
    assert model.archscout["info"]["refit"]["done"]
    code, out, _ = _run(capsys, *argv, "--refit", "--refit-epochs", "3")  # rerun: the finished refit is reused
    r2 = json.loads(out)
    assert r2["refit"] == r["refit"] and r2["test_accuracy"] == r["test_accuracy"]


def test_refit_epochs_must_be_positive(signals, capsys):
    code, _, err = _run(capsys, "search", "--data", str(signals), "--storage", "memory", "--refit", "--refit-epochs", "0")
    assert code == 2 and "--refit-epochs" in err and err.count("\n") == 1


needs_proc = pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux's unwritable /proc")


@needs_proc
@pytest.mark.parametrize("option, path", [("--export", "/proc/x.pt"), ("--checkpoints", "/proc/ck")])
def test_an_unwritable_export_or_checkpoint_path_exits_2_before_the_study(signals, tmp_path, capsys, option, path):
    db = tmp_path / "s.db"
    code, _, err = _run(capsys, "search", "--data", str(signals), "--space", "chain", "--epochs", "1", "--trials", "2",
                        "--storage", f"sqlite:///{db}", option, path)
    assert code == 2 and f"{option} {path!r} cannot be written" in err and err.count("\n") == 1
    assert not db.exists() or optuna.get_all_study_summaries(f"sqlite:///{db}") == []
    assert not list(tmp_path.glob("*_checkpoints"))


def test_checkpoints_that_name_a_file_exit_2(signals, tmp_path, capsys):
    f = tmp_path / "ck"
    f.write_text("mine")
    code, _, err = _run(capsys, "search", "--data", str(signals), "--storage", "memory", "--checkpoints", str(f))
    assert code == 2 and "is a file; give a folder" in err and f.read_text() == "mine"


def test_ctrl_c_in_a_live_trial_is_quiet_and_the_rerun_resumes_that_trial(signals, tmp_path, capsys, monkeypatch):
    """Ctrl-C while a network trains: exit 130 with one line; the trial is marked interrupted and enqueued
    again, so the rerun trains the same architecture and --trials counts only finished ones."""
    from archscout.training.objective import Trainer

    db = f"sqlite:///{tmp_path / 's.db'}"
    argv = ["search", "--data", str(signals), "--space", "chain", "--strategy", "random", "--epochs", "1",
            "--threads", "1", "--no-refit", "--storage", db, "--json", "--trials", "2"]

    def ctrl_c(self, *a, **k):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(Trainer, "fit", ctrl_c)
        code, _, err = _run(capsys, *argv)
    assert code == 130 and err.splitlines()[-1] == "archscout: interrupted; rerun the same command to resume"
    assert "Traceback" not in err and "failed" not in err
    study = optuna.load_study(study_name="live-bumps-chain-random-seed0-e1", storage=db)
    first = study.trials[0]
    assert first.state == optuna.trial.TrialState.FAIL and "interrupted" in first.user_attrs["fail_reason"]
    code, out, _ = _run(capsys, *argv)
    r = json.loads(out)
    assert code == 0 and r["trials"] == 3 and r["complete"] == 2
    assert study.trials[1].params == first.params and study.trials[1].state == optuna.trial.TrialState.COMPLETE


def test_memory_study_does_not_offer_to_resume(signals, capsys):
    code, out, _ = _run(capsys, "search", "--data", str(signals), "--space", "chain", "--strategy", "random",
                        "--epochs", "1", "--trials", "1", "--threads", "1", "--no-refit", "--storage", "memory")
    assert code == 0 and "rerun" not in out and "not stored" in out


def test_live_baker_and_lce_baker_learn_from_a_prior_study(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 's.db'}"
    base = ["search", "--data", "digits", "--space", "mlp", "--strategy", "random", "--epochs", "3", "--threads", "1",
            "--budget-minutes", "2", "--storage", db, "--json", "--no-refit"]
    code, _, err = _run(capsys, *base, "--trials", "3", "--study", "first")  # no pruner: the curves are still stored
    assert code == 0, err
    code, out, err = _run(capsys, *base, "--trials", "2", "--seed", "1", "--pruner", "baker", "--prior-study", "first")
    assert code == 0, err
    assert json.loads(out)["trials"] == 2
    code, out, err = _run(capsys, *base, "--trials", "2", "--seed", "2", "--pruner", "lce_baker", "--prior-study", "first",
                          "--study", "either")  # both rules take the prior
    assert code == 0, err
    assert json.loads(out)["trials"] == 2
    code, _, err = _run(capsys, *[a if a != "3" else "4" for a in base], "--pruner", "baker", "--prior-study", "first")
    assert code == 2 and "no completed trial with a finite curve of 4 epochs" in err
    code, _, err = _run(capsys, *[a if a != "mlp" else "chain" for a in base], "--pruner", "baker", "--prior-study", "first")
    assert code == 2 and "searched space 'mlp', not 'chain'" in err
