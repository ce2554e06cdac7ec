"""`archscout bench predictors`: JSON shape, features, resume, and bad input as one-line errors."""

import json

import pytest

from archscout.cli.main import main

FAST = ["--predictor", "xgb", "--seeds", "2", "--train-size", "20", "50", "--test-size", "300"]


def test_json_one_object_per_predictor_and_size(capsys, tmp_path):
    out = tmp_path / "runs.jsonl"
    assert main(["bench", "predictors", *FAST, "--json", "--out", str(out)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["predictor"], r["train_size"]) for r in rows] == [("xgb", 20), ("xgb", 50)]
    for r in rows:
        assert {"kendall_tau", "spearman", "rmse", "pearson", "precision_at_t", "fit_seconds"} <= set(r)
        assert r["seeds"] == 2 and r["pool"] == 9445
    assert rows[1]["kendall_tau"] > 0.5  # 50 real NB201 cells already rank well
    lines = out.read_text().splitlines()
    assert len(lines) == 4
    # rerun: everything is read back from the resume file, nothing is refitted
    assert main(["bench", "predictors", *FAST, "--json", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out) == rows
    assert out.read_text().splitlines() == lines


def test_shuffled_labels_control_is_near_zero(capsys):
    assert main(["bench", "predictors", "--predictor", "xgb", "--seeds", "2", "--train-size", "50",
                 "--test-size", "300", "--shuffle-labels", "--json"]) == 0
    assert abs(json.loads(capsys.readouterr().out)[0]["kendall_tau"]) < 0.2


def test_zero_cost_and_epoch12_features_raise_tau(capsys, shared_data):
    zc = shared_data / "nb201" / "zero_cost_cifar10.csv"
    args = ["bench", "predictors", "--predictor", "xgb", "--seeds", "1", "--train-size", "50", "--test-size", "300", "--json"]
    assert main(args) == 0
    base = json.loads(capsys.readouterr().out)[0]["kendall_tau"]
    assert main([*args, "--features", "zc", "--zc-table", str(zc)]) == 0
    with_zc = json.loads(capsys.readouterr().out)[0]
    assert with_zc["features"] == ["zc"] and with_zc["kendall_tau"] > base
    assert main([*args, "--features", "epoch12"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["kendall_tau"] > base


@pytest.mark.parametrize("extra, message", [
    (["--predictor", "svm"], "unknown predictor"),
    (["--train-size", "9000", "--test-size", "1000"], "exceeds"),
    (["--dataset", "imagenet"], "unknown dataset column"),
    (["--features", "zc", "--zc-table", "/nonexistent.csv"], "not found"),
])
def test_bad_input_is_one_line_exit_2(capsys, extra, message):
    assert main(["bench", "predictors", "--seeds", "1", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_epoch12_needs_a_low_fidelity_table(capsys, tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("arch,acc\n" + "".join(
        f"|nor_conv_3x3~0|+|skip_connect~0|none~1|+|{op}~0|none~1|nor_conv_1x1~2|,{i}\n"
        for i, op in enumerate(["skip_connect", "nor_conv_1x1", "avg_pool_3x3"])))
    assert main(["bench", "predictors", "--table", str(table), "--dataset", "acc", "--features", "epoch12",
                 "--test-size", "2", "--train-size", "1"]) == 2
    assert "12-epoch" in capsys.readouterr().err


def test_pool_smoothed_zero_cost_features_through_the_harness(capsys, nb201_canonical_table, shared_data):
    """`--features zcsmooth` on a 400-cell table: the committee `ens-et` ranks well on the smoothed scores
    (the shuffled-label control is in tests/estimation/predictors/test_pool_smoothing.py); zc and
    zcsmooth together is an error."""
    table = nb201_canonical_table
    args = ["bench", "predictors", "--table", str(table), "--dataset", "acc", "--predictor", "ens-et", "--seeds", "1",
            "--train-size", "100", "--test-size", "250", "--json", "--features", "zcsmooth"]
    assert main(args) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["pool"] == 400 and row["features"] == ["zcsmooth"] and row["kendall_tau"] > 0.7
    assert main([*args, "zc"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not both" in err and len(err.splitlines()) == 1
