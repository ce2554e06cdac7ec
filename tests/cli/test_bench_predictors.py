"""`archscout bench predictors`: JSON shape, features, resume, and bad input as one-line errors."""

import json

import numpy as np
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
    """The committee on the default graph encoding (arch only: 0.845 on these 2 seeds) gains from the
    zero-cost scores (0.852) and more from the 12-epoch accuracy (0.864). XGBoost alone no longer gains
    from the 13 raw scores once it has the graph features (0.833 -> 0.824): BENCHMARKS.md."""
    zc = shared_data / "nb201" / "zero_cost_cifar10.csv"
    args = ["bench", "predictors", "--predictor", "ens-et", "--seeds", "2", "--train-size", "100", "--test-size",
            "1000", "--json"]
    assert main(args) == 0
    base = json.loads(capsys.readouterr().out)[0]["kendall_tau"]
    assert main([*args, "--features", "zc", "--zc-table", str(zc)]) == 0
    with_zc = json.loads(capsys.readouterr().out)[0]
    assert with_zc["features"] == ["zc"] and with_zc["kendall_tau"] > base + 0.004
    assert main([*args, "--features", "epoch12"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["kendall_tau"] > base + 0.01


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


def test_meco_feature_joins_the_zero_cost_block(capsys, nb201_bench, shared_data):
    """`meco` (archscout's bundled MeCo scores) is one more column of the zero-cost block, or the block on
    its own; alone it lifts XGBoost above the graph encoding by itself."""
    from archscout.cli.bench_predictors import load_pool

    zc = shared_data / "nb201" / "zero_cost_cifar10.csv"
    blocks: dict = {}
    archs, y, feats = load_pool(nb201_bench, "cifar10", ["zc", "meco"], "canonical", zc, blocks)
    assert len(archs) == 9445 and blocks == {"zc": (0, 14)} and feats.shape == (9445, 14)
    blocks = {}
    _, _, alone = load_pool(nb201_bench, "cifar10", ["meco"], "canonical", None, blocks)
    assert blocks == {"zc": (0, 1)} and np.array_equal(alone[:, 0], feats[:, 13])
    args = ["bench", "predictors", "--predictor", "xgb", "--seeds", "1", "--train-size", "50", "--test-size", "300", "--json"]
    assert main(args) == 0
    base = json.loads(capsys.readouterr().out)[0]["kendall_tau"]
    assert main([*args, "--features", "meco"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["features"] == ["meco"] and row["kendall_tau"] > base + 0.015  # 0.809 against 0.788
