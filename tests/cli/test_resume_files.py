"""Resume files and output paths of the `bench` commands: nothing stored is lost, nothing computed with other
settings is handed back, and a path that cannot be written fails before any work."""

import json

import numpy as np
import pytest

from archscout.cli.main import main


@pytest.fixture
def curves(tmp_path):
    """30 saturating curves of 10 epochs (accuracy fractions), one feature column."""
    rng = np.random.default_rng(0)
    top = rng.uniform(0.5, 0.9, 30)
    rate = rng.uniform(0.2, 0.6, 30)
    t = np.arange(1, 11)
    acc = top[:, None] * (1 - np.exp(-rate[:, None] * t)) + rng.normal(0, 0.005, (30, 10))
    lines = ["lr," + ",".join(f"acc_{e}" for e in t)]
    lines += [f"{r:.3f}," + ",".join(f"{v:.4f}" for v in row) for r, row in zip(rate, acc)]
    p = tmp_path / "curves.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


def stopping(curves, out, *extra):
    return main(["bench", "stopping", "--curves", str(curves), "--pruners", "none", "median", "--trials", "10",
                 "--seeds", "1", "--out", str(out), "--json", *extra])


def test_a_file_that_is_not_a_resume_file_is_left_alone(curves, tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    assert stopping(curves, notes) == 2
    assert "not a JSON record" in capsys.readouterr().err
    assert notes.read_text() == "my notes\n"
    other = tmp_path / "other.jsonl"  # JSON, but not this command's records
    other.write_text('{"a": 1}\n')
    assert stopping(curves, other) == 2
    assert "not a record of this command" in capsys.readouterr().err
    assert other.read_text() == '{"a": 1}\n'
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\x89PNG\x00\xff")
    assert stopping(curves, binary) == 2
    assert binary.read_bytes() == b"\x89PNG\x00\xff"


def test_records_survive_a_missing_newline_and_a_cut_off_record(curves, tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert stopping(curves, out) == 0
    records = out.read_text().splitlines()
    assert len(records) == 2
    out.write_text("\n".join(records))  # the last record lost its newline
    assert main(["bench", "stopping", "--curves", str(curves), "--pruners", "hyperband", "--trials", "10",
                 "--seeds", "1", "--out", str(out), "--json"]) == 0
    lines = out.read_text().splitlines()
    assert [json.loads(x)["pruner"] for x in lines] == ["none", "median", "hyperband"]
    out.write_text("\n".join(lines) + "\n" + lines[0][:30])  # a kill while a record was being written
    assert stopping(curves, out) == 0
    assert "cut-off last record" in capsys.readouterr().err
    assert out.read_text().splitlines() == lines  # only the cut-off tail went; nothing was recomputed


def test_other_settings_are_not_handed_back(curves, tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert stopping(curves, out) == 0
    first = json.loads(capsys.readouterr().out)
    assert stopping(curves, out, "--range", "0", "2") == 0  # another declared metric: computed again
    assert len(out.read_text().splitlines()) == 4
    assert [json.loads(x)["settings"]["metric"] for x in out.read_text().splitlines()][2:] == [["maximize", 0, 2]] * 2
    capsys.readouterr()
    assert stopping(curves, out) == 0  # the first settings' rows are still found, nothing recomputed
    assert json.loads(capsys.readouterr().out) == first
    assert len(out.read_text().splitlines()) == 4


def test_curves_keys_on_the_test_set_size(curves, tmp_path, capsys):
    out = tmp_path / "c.jsonl"
    args = ["bench", "curves", "--curves", str(curves), "--train-size", "10", "--methods", "last", "--cutoff", "0.3",
            "--out", str(out), "--json"]
    assert main(args) == 0
    assert main([*args, "--max-test", "5"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["n_test"] for r in rows] == [20, 5]
    assert json.loads(capsys.readouterr().out.splitlines()[-1])[0]["n_test"] == 5


@pytest.mark.parametrize("extra, message", [
    (["--seed", "-1"], "--seed: must be at least 0"),
    (["--max-test", "0"], "--max-test: must be at least 1"),
    (["--anchor", "foo"], "'foo' is neither a number"),
])
def test_curves_rejects_bad_numbers(curves, extra, message, capsys):
    assert main(["bench", "curves", "--curves", str(curves), "--train-size", "10", "--methods", "last", *extra]) == 2
    assert message in capsys.readouterr().err


def test_an_unwritable_out_path_fails_before_any_work(curves, tmp_path, capsys):
    for out, message in ((tmp_path / "nodir" / "r.jsonl", "does not exist"), (tmp_path, "is a folder")):
        assert stopping(curves, out) == 2
        assert message in capsys.readouterr().err
        assert main(["bench", "curves", "--curves", str(curves), "--train-size", "10", "--out", str(out)]) == 2
        assert message in capsys.readouterr().err
    assert main(["bench", "predictors", "--train-size", "10", "--seeds", "1", "--markdown", str(tmp_path)]) == 2
    assert "--markdown" in capsys.readouterr().err
    assert not (tmp_path / "nodir").exists()


def test_stopping_checks_the_declared_range_and_complete_curves(curves, tmp_path, capsys):
    assert stopping(curves, tmp_path / "r.jsonl", "--range", "0", "0.1") == 2
    assert "outside the declared metric range [0, 0.1]" in capsys.readouterr().err
    nan = tmp_path / "nan.csv"
    nan.write_text("acc_1,acc_2,acc_3\n" + "nan,nan,nan\n" * 12)
    assert stopping(nan, tmp_path / "r.jsonl") == 2
    assert "0 complete curves" in capsys.readouterr().err


def test_strategies_never_mix_tables(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("arch,cifar10\n" + "".join(
        f"|{a}~0|+|{b}~0|{c}~1|+|none~0|none~1|none~2|,{v}\n"
        for (a, b, c), v in zip([("nor_conv_3x3", "skip_connect", "avg_pool_3x3"), ("skip_connect", "skip_connect", "skip_connect"),
                                 ("nor_conv_1x1", "nor_conv_3x3", "skip_connect"), ("avg_pool_3x3", "nor_conv_1x1", "nor_conv_3x3")],
                                [10.0, 20.0, 30.0, 40.0])))
    out = tmp_path / "s.jsonl"
    base = ["bench", "strategies", "--datasets", "cifar10", "--strategies", "random", "--seeds", "1", "--queries", "3",
            "--out", str(out), "--json"]
    assert main(base) == 0
    nb201 = json.loads(capsys.readouterr().out)["datasets"]["cifar10"]
    assert main([*base, "--table", str(table)]) == 0
    own = json.loads(capsys.readouterr().out)["datasets"]["cifar10"]
    assert own["optimum"] == 40.0 and own["strategies"]["random"]["mean"]["3"] <= 40.0
    assert nb201["strategies"]["random"]["mean"]["3"] > 40.0  # NB201's values were not handed back for the table
    assert len(out.read_text().splitlines()) == 2
    assert main([*base[:-5], "--queries", "5", "--table", str(table), "--out", str(out)]) == 2
    assert "--queries 5 is more than the 4 architectures" in capsys.readouterr().err


def test_strategy_options_are_checked(tmp_path, capsys):
    base = ["bench", "strategies", "--datasets", "cifar10", "--seeds", "1", "--queries", "3", "--out", str(tmp_path / "s")]
    assert main([*base, "--strategies", "rea:population_size=abc"]) == 2
    assert "option population_size takes a number" in capsys.readouterr().err
    assert main([*base, "--strategies", "rea:"]) == 2
    assert "no options after ':'" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_predictors_reject_options_that_would_be_ignored(capsys):
    base = ["bench", "predictors", "--train-size", "10", "--seeds", "1", "--test-size", "50"]
    assert main([*base, "--zc-table", "x.csv"]) == 2
    assert "--zc-table is read only with --features zc" in capsys.readouterr().err
    assert main([*base, "--top", "51"]) == 2
    assert "--top must be" in capsys.readouterr().err
