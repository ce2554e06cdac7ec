"""`archscout search` on the tabular benchmark: output, resume, and one-line errors with exit code 2."""

import json
import subprocess
import sys

import optuna
import pytest

from archscout.cli.main import main

FIRST = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"


def _search(capsys, *args):
    code = main(["search", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_search_and_resume_extends_the_same_study(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    code, out, _ = _search(capsys, "--strategy", "rea", "--trials", "15", "--storage", url, "--json")
    assert code == 0
    r = json.loads(out)
    assert r["trials"] == 15 and r["cost"] == {"queries": 15, "epochs": 3000.0, "seconds": None}
    assert r["best_arch"].startswith("|") and 10 < r["best_value"] < 94.38
    code, out, _ = _search(capsys, "--strategy", "rea", "--trials", "25", "--storage", url, "--json")
    r2 = json.loads(out)
    assert r2["trials"] == 25 and r2["best_value"] >= r["best_value"]
    # the same command again adds nothing
    _search(capsys, "--strategy", "rea", "--trials", "25", "--storage", url, "--json")
    assert len(optuna.load_study(study_name=r["study"], storage=url).trials) == 25


def test_resume_after_a_kill_matches_an_uninterrupted_run(capsys, tmp_path):
    url_a = f"sqlite:///{tmp_path / 'a.db'}"
    url_b = f"sqlite:///{tmp_path / 'b.db'}"
    _search(capsys, "--strategy", "local", "--trials", "30", "--storage", url_a, "--json")
    _search(capsys, "--strategy", "local", "--trials", "12", "--storage", url_b, "--json")  # "killed" after 12
    _search(capsys, "--strategy", "local", "--trials", "30", "--storage", url_b, "--json")
    a = [t.user_attrs["arch"] for t in optuna.load_study(study_name="nb201-cifar10-local-seed0", storage=url_a).trials]
    b = [t.user_attrs["arch"] for t in optuna.load_study(study_name="nb201-cifar10-local-seed0", storage=url_b).trials]
    assert a == b


def test_text_output_names_best_cost_and_study(capsys):
    code, out, _ = _search(capsys, "--trials", "5", "--storage", "memory", "--dataset", "cifar100")
    assert code == 0
    assert "best architecture" in out and "cifar100" in out and "1000 epochs" in out


def test_user_table(capsys, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(f"arch,mine\n{FIRST},42.5\n")
    code, out, _ = _search(capsys, "--table", str(p), "--dataset", "mine", "--trials", "3", "--strategy", "random",
                           "--storage", "memory", "--json")
    # the only cell in the table can be found; other cells are missing -> a clear error, not a crash
    assert code in (0, 2)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--dataset", "imagenet"], "unknown dataset column 'imagenet'"),
        (["--strategy", "annealing"], "unknown strategy 'annealing'"),
        (["--benchmark", "nb101"], "unknown benchmark 'nb101'"),
        (["--trials", "0"], "--trials must be at least 1"),
        (["--storage", "sqlite:////no/such/folder/x.db"], "cannot open storage"),
        (["--storage", "postgresql://nobody@127.0.0.1:1/x"], "cannot open storage"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, args, words):
    code, out, err = _search(capsys, *args, "--trials", "3", *args) if args[0] != "--trials" else _search(capsys, *args)
    assert code == 2
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_table_writes_nothing_to_the_study(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"arch,acc\n{FIRST},oops\n")
    code, _, err = _search(capsys, "--table", str(bad), "--dataset", "acc", "--storage", url)
    assert code == 2 and "not a number" in err
    assert not (tmp_path / "a.db").exists() or optuna.get_all_study_summaries(url) == []


def test_study_of_another_space_or_setup_is_refused(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    study = optuna.create_study(storage=url, study_name="mine")
    study.set_user_attr("archscout:space", "chain")
    code, _, err = _search(capsys, "--study", "mine", "--storage", url, "--trials", "2")
    assert code == 2 and "searched space 'chain', not 'nb201'" in err
    _search(capsys, "--study", "other", "--storage", url, "--trials", "2", "--strategy", "rea")
    code, _, err = _search(capsys, "--study", "other", "--storage", url, "--trials", "3", "--strategy", "bo")
    assert code == 2 and "another setup" in err and "strategy" in err
    assert len(optuna.load_study(study_name="other", storage=url).trials) == 2


def test_console_script_help_and_argparse_errors():
    r = subprocess.run([sys.executable, "-m", "archscout", "search", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--strategy" in r.stdout and "resume" in r.stdout
    r = subprocess.run([sys.executable, "-m", "archscout", "search", "--trials", "many"], capture_output=True, text=True)
    assert r.returncode == 2 and "invalid int value" in r.stderr
    r = subprocess.run([sys.executable, "-m", "archscout", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "search" in r.stdout and "bench" in r.stdout


def test_journal_storage_for_parallel_workers(capsys, tmp_path):
    """Two workers on one JournalStorage file share a study and never evaluate the same cell twice."""
    url = f"journal:{tmp_path / 'j.log'}"
    code, out, _ = _search(capsys, "--strategy", "random", "--trials", "10", "--storage", url, "--json")
    assert code == 0 and json.loads(out)["trials"] == 10
    code, out, _ = _search(capsys, "--strategy", "random", "--trials", "16", "--storage", url, "--json")
    r = json.loads(out)
    assert r["trials"] == 16
    study = optuna.load_study(study_name=r["study"], storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(tmp_path / "j.log"))))
    archs = [t.user_attrs["arch"] for t in study.trials]
    assert len(set(archs)) == 16
    code, _, err = _search(capsys, "--storage", f"journal:{tmp_path / 'nope' / 'j.log'}")
    assert code == 2 and "does not exist" in err


def test_lofi_table_replays_its_own_curves_for_a_pruner(capsys, tmp_path):
    """`--benchmark nb201_lofi` carries validation curves, so `--pruner` needs no --curves; pruned trials cost less."""
    import numpy as np

    from archscout.spaces import NB201Space

    space = NB201Space()
    rng = np.random.default_rng(0)
    cells = {space.to_string(space.canonical(space.sample(rng))) for _ in range(40)}
    rows = ["arch,cifar10,cifar10_valid,valid_epoch_1,valid_epoch_2,valid_epoch_3,valid_epoch_4"]
    for i, a in enumerate(sorted(cells)[:20]):
        top = 30 + 2 * i  # curves that never cross: the ranking at epoch 1 is the final ranking
        rows.append(f"{a},{top - 1},{top},{top / 4},{top / 2},{top * 0.9},{top}")
    p = tmp_path / "lofi.csv"
    p.write_text("\n".join(rows) + "\n")
    url = f"sqlite:///{tmp_path / 'a.db'}"
    code, out, err = _search(capsys, "--benchmark", "nb201_lofi", "--table", str(p), "--pruner", "median",
                             "--trials", "20", "--strategy", "random", "--storage", url, "--json")
    assert code == 0, err
    r = json.loads(out)
    study = optuna.load_study(study_name=r["study"], storage=url)
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    assert pruned and all(t.user_attrs["cost_epochs"] < 4 for t in pruned)
    assert r["cost"]["epochs"] < 4 * r["trials"]
    # without curves of its own, a tabular benchmark still refuses a pruner with one clear line
    code, _, err = _search(capsys, "--pruner", "median", "--trials", "3")
    assert code == 2 and "needs per-epoch curves" in err


def test_lofi_benchmark_without_a_bundled_table_says_how_to_get_one(capsys):
    from archscout.benchmarks.tabular import LOFI_FILE, _bundled

    code, out, err = _search(capsys, "--benchmark", "nb201_lofi", "--trials", "2", "--storage", "memory", "--json")
    if _bundled(LOFI_FILE).exists():
        assert code == 0 and json.loads(out)["benchmark"] == "nb201_lofi"
    else:
        assert code == 2 and "bench build-table" in err and err.count("\n") == 1


def test_a_journal_record_being_written_by_another_worker_is_no_error(tmp_path):
    from archscout.cli.search import check_journal

    log = tmp_path / "j.log"
    log.write_bytes(b'{"op_code": 0, "worker_id": "a"}\n{"op_code": 4, "wor')  # the second one is mid-write
    check_journal(f"journal:{log}")


@pytest.mark.parametrize("content", [b"garbage\n", b"garbage", b'{"a": 1}\n', b"\x00\xff\xfe binary\n", b"\n"])
def test_a_file_that_is_not_an_optuna_journal_is_refused_and_left_as_it_was(capsys, tmp_path, content):
    log = tmp_path / "g.log"
    log.write_bytes(content)
    code, _, err = _search(capsys, "--storage", f"journal:{log}", "--trials", "3")
    assert code == 2 and "is not an Optuna journal file" in err and str(log) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert log.read_bytes() == content  # Optuna never opened it: nothing appended
    code, _, err = _search(capsys, "--storage", f"journal:{tmp_path}", "--trials", "3")
    assert code == 2 and "is a folder" in err


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: None, "does not exist"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.write_bytes(b"arch,x\n\xff\xfe\x00\x01,3\n"), "not a UTF-8 text CSV"),
    (lambda p: p.write_bytes(b"arch,x\n\x00\x00\x00,3\n"), "not a UTF-8 text CSV"),
])
def test_a_table_path_that_is_no_csv_is_one_line_exit_2(capsys, tmp_path, make, words):
    from archscout.benchmarks.tabular import Table
    from archscout.errors import ArchscoutError
    from archscout.spaces import NB201Space

    path = tmp_path / "t.csv"
    make(path)
    with pytest.raises(ArchscoutError, match=words):
        Table.from_csv(path, NB201Space(), epochs=200)
    for args in (["search", "--table", str(path), "--storage", "memory"],
                 ["search", "--strategy", "robot", "--proxies", str(path), "--storage", "memory"],
                 ["bench", "predictors", "--table", str(path)],
                 ["bench", "predictors", "--features", "zc", "--zc-table", str(path)]):
        code = main(args + ["--trials", "3"] if args[0] == "search" else args)
        err = capsys.readouterr().err
        said = "not found" if "--zc-table" in args and words == "does not exist" else words  # its own wording
        assert code == 2 and said in err and str(path) in err and err.count("\n") == 1, (args, err)


def test_robot_reports_a_bad_proxies_path_before_its_budget(capsys, tmp_path):
    code, _, err = _search(capsys, "--strategy", "robot", "--proxies", str(tmp_path), "--trials", "3",
                           "--storage", "memory")
    assert code == 2 and "is a folder" in err and "budget" not in err


def test_negative_or_too_large_seed_is_an_argument_error(capsys):
    from archscout.errors import ArchscoutError
    from archscout.spaces import NB201Space
    from archscout.strategies import make_sampler

    for seed in ("-1", str(2**32)):
        try:  # argparse's own exit, whether main() returns its code or lets it through
            code = main(["search", "--seed", seed, "--storage", "memory", "--trials", "3"])
        except SystemExit as e:
            code = e.code
        err = capsys.readouterr().err
        assert code == 2 and "argument --seed: must be between 0 and 2**32 - 1" in err and "Traceback" not in err
    with pytest.raises(ArchscoutError, match="seed must be between 0 and 2"):
        make_sampler("random", NB201Space(), seed=-1)


def test_unknown_pruner_is_named_with_the_valid_ones(capsys):
    code, _, err = _search(capsys, "--pruner", "bogus", "--trials", "3", "--storage", "memory")
    assert code == 2 and "unknown pruner 'bogus'" in err and "hyperband" in err and "curves" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("extra, named", [
    (["--export", "m.pt"], "--export"),
    (["--epochs", "3"], "--epochs"),
    (["--robot-pool", "50"], "--robot-pool"),
    (["--select", "reeval"], "--select"),
    (["--checkpoints", "ck"], "--checkpoints"),
    (["--no-refit", "--space", "mlp"], "--space, --no-refit"),
])
def test_live_only_options_on_a_table_are_refused(capsys, tmp_path, monkeypatch, extra, named):
    monkeypatch.chdir(tmp_path)
    code, _, err = _search(capsys, "--trials", "3", "--storage", f"sqlite:///{tmp_path / 'a.db'}", *extra)
    assert code == 2 and f"{named} need" in err and "--data" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # no study, no model file, no checkpoint folder
    # the defaults, given explicitly, are no error
    code, _, _ = _search(capsys, "--trials", "2", "--storage", "memory", "--select", "valid", "--refit")
    assert code == 0


@pytest.mark.parametrize("extra, named", [
    (["--table", "t.csv"], "--table is"),
    (["--dataset", "cifar100", "--proxies", "p.csv"], "--dataset, --proxies are"),
])
def test_table_only_options_with_data_are_refused(capsys, tmp_path, monkeypatch, extra, named):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "--data", "digits", "--budget-minutes", "0.1", "--storage", f"sqlite:///{tmp_path / 'a.db'}",
                 *extra]) == 2
    err = capsys.readouterr().err
    assert named in err and "with --data" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_memory_study_does_not_offer_to_resume(capsys, tmp_path):
    code, out, _ = _search(capsys, "--trials", "2", "--storage", "memory")
    assert code == 0 and "rerun" not in out and "not stored" in out
    code, out, _ = _search(capsys, "--trials", "2", "--storage", f"sqlite:///{tmp_path / 'a.db'}")
    assert code == 0 and "rerun to resume" in out


def test_ctrl_c_in_a_trial_is_quiet_and_the_resumed_run_completes_the_budget(capsys, tmp_path, monkeypatch):
    """A KeyboardInterrupt inside a trial: exit 130, only archscout's line (no Optuna 'Trial N failed' warning
    with its traceback), and the interrupted (FAIL) trial does not count toward --trials on resume."""
    import logging

    from archscout.objectives import TabularObjective

    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append
    logging.getLogger("optuna").addHandler(handler)
    real = TabularObjective.__call__
    calls = []

    def interrupted(self, trial):
        calls.append(trial.number)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, trial)

    url = f"sqlite:///{tmp_path / 'a.db'}"
    try:
        monkeypatch.setattr(TabularObjective, "__call__", interrupted)
        code, _, err = _search(capsys, "--strategy", "random", "--trials", "5", "--storage", url)
        monkeypatch.setattr(TabularObjective, "__call__", real)
    finally:
        logging.getLogger("optuna").removeHandler(handler)
    assert code == 130 and err == "archscout: interrupted; rerun the same command to resume\n"
    assert not [r for r in seen if r.levelno >= logging.WARNING]
    code, out, _ = _search(capsys, "--strategy", "random", "--trials", "5", "--storage", url, "--json")
    assert code == 0
    states = [t.state for t in optuna.load_study(study_name=json.loads(out)["study"], storage=url).trials]
    assert states.count(optuna.trial.TrialState.FAIL) == 1 and states.count(optuna.trial.TrialState.COMPLETE) == 5


def test_ctrl_c_from_the_terminal_prints_one_line(tmp_path):
    """A real SIGINT to a running search: exit 130 and archscout's line alone on stderr."""
    import os
    import signal
    import time

    log = tmp_path / "j.log"
    p = subprocess.Popen([sys.executable, "-m", "archscout", "search", "--strategy", "random", "--trials", "100000",
                          "--storage", f"journal:{log}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        t0 = time.time()
        while time.time() - t0 < 60 and (not log.exists() or log.read_bytes().count(b"\n") < 30):
            time.sleep(0.1)  # wait until trials are running
        os.kill(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 130 and err == "archscout: interrupted; rerun the same command to resume\n"


@pytest.mark.parametrize("pruner", ["baker", "lce"])
def test_prior_study_lets_the_pruner_stop_before_ten_curves_of_its_own(capsys, tmp_path, pruner):
    """--prior-study: the second search of a table learns from the first one's curves (baker: its
    regressor; lce: its calibration) and stops runs among its first trials; without the prior, both
    wait for 10 completed trials."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    common = ["--benchmark", "nb201_lofi", "--pruner", pruner, "--strategy", "random", "--storage", url, "--json"]
    code, _, err = _search(capsys, *common, "--trials", "40", "--study", "first")
    assert code == 0, err

    def first_stop(*extra):
        code, out, err = _search(capsys, *common, "--trials", "25", "--seed", "1", *extra)
        assert code == 0, err
        study = optuna.load_study(study_name=json.loads(out)["study"], storage=url)
        done = 0
        for t in study.trials:
            if t.state == optuna.trial.TrialState.PRUNED:
                return done  # completed trials before the first stop
            done += t.state == optuna.trial.TrialState.COMPLETE
        return None

    without = first_stop("--study", "plain")
    with_prior = first_stop("--study", "second", "--prior-study", "first")
    assert without is None or without >= 10
    assert with_prior is not None and with_prior < 10


def test_prior_study_misuse_is_one_clear_error(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    common = ["--benchmark", "nb201_lofi", "--strategy", "random", "--storage", url, "--trials", "3"]
    code, _, err = _search(capsys, *common, "--pruner", "median", "--prior-study", "x")
    assert code == 2 and "--pruner baker, lce, lce_cal, lce_baker only" in err
    code, _, err = _search(capsys, *common, "--pruner", "baker", "--prior-study", "nope")
    assert code == 2 and "'nope' is not in" in err
    code, _, err = _search(capsys, *common, "--pruner", "baker", "--study", "s", "--prior-study", "s")
    assert code == 2 and "names the study being run" in err
    code, _, err = _search(capsys, *common, "--pruner", "none", "--study", "early")  # no curves: nothing to learn from
    assert code == 0, err
    code, _, err = _search(capsys, *common, "--pruner", "baker", "--prior-study", "early")
    assert code == 2 and "no completed trial with a finite curve" in err
    code, _, err = _search(capsys, *common, "--pruner", "baker", "--storage", "memory", "--prior-study", "early")
    assert code == 2 and "in-memory" in err
