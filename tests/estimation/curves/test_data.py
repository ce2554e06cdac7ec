"""The curve-CSV reader on Baker et al.'s published files, NB201 curves, and malformed CSVs."""

import csv

import numpy as np
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.curves import read_curves


@pytest.mark.parametrize(
    "name, n, epochs, untrained, features",
    [
        ("metaqnn_cifar10", 1000, 20, False, ["num_params", "depth", "lr"]),
        ("metaqnn_svhn", 1300, 20, False, ["num_params", "depth", "lr"]),
        ("deep_resnets_cifar10", 486, 49, True, ["num_params", "lr"]),
        ("lstm_ptb", 280, 59, True, ["n_layer", "n_inputs", "base_lr"]),
    ],
)
def test_reads_bakers_files_as_published(shared_data, name, n, epochs, untrained, features):
    cs = read_curves(shared_data / "baker2018" / f"{name}.csv")
    assert len(cs) == n
    assert cs.n_epochs == epochs and cs.untrained == untrained
    assert cs.curves.shape == (n, epochs + (1 if untrained else 0))
    assert set(cs.feature_names) <= set(features) and "net" not in cs.feature_names
    assert np.isfinite(cs.curves).all()


def test_first_metaqnn_row_matches_the_file(shared_data):
    cs = read_curves(shared_data / "baker2018" / "metaqnn_cifar10.csv")
    assert cs.curves[0, 0] == pytest.approx(0.3152) and cs.curves[0, -1] == pytest.approx(0.5672)
    assert cs.features[0].tolist() == [370112.0, 8.0, 0.001]
    lstm = read_curves(shared_data / "baker2018" / "lstm_ptb.csv")
    assert lstm.curves[0, 0] == pytest.approx(296.0) and lstm.curves[0, -1] == pytest.approx(87.01)


def test_nb201_curves_pick_the_metric_rows(shared_data):
    path = shared_data / "nb201" / "learning_curves_cifar10.csv"
    valid = read_curves(path)
    train = read_curves(path, metric="train_accuracy")
    assert len(valid) == len(train) == 200 and valid.n_epochs == 200 and not valid.untrained
    assert valid.ids[0].startswith("|") and valid.feature_names == []
    assert train.curves[:, -1].mean() > valid.curves[:, -1].mean()  # train accuracy ends higher
    with pytest.raises(ArchscoutError, match="no rows of metric 'test'"):
        read_curves(path, metric="test")


def test_csv_without_epoch_columns_is_one_clear_error(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("arch,cifar10\na,1\n")
    with pytest.raises(ArchscoutError, match="no per-epoch columns"):
        read_curves(p)


def test_malformed_csvs(tmp_path):
    with pytest.raises(ArchscoutError, match="does not exist"):
        read_curves(tmp_path / "missing.csv")
    p = tmp_path / "bad.csv"
    p.write_text("lr,acc_1,acc_2\n0.1,0.5,oops\n")
    with pytest.raises(ArchscoutError, match="not a number"):
        read_curves(p)
    p.write_text("lr,acc_1,acc_2\n0.1,0.5\n")
    with pytest.raises(ArchscoutError, match="fields"):
        read_curves(p)
    p.write_text("")
    with pytest.raises(ArchscoutError, match="empty"):
        read_curves(p)


def test_missing_cells_are_nan(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("lr,acc_1,acc_2,acc_3\n0.1,0.5,,0.7\n0.2,0.4,0.5,0.6\n")
    cs = read_curves(p)
    assert np.isnan(cs.curves[0, 1]) and cs.curves[1].tolist() == [0.4, 0.5, 0.6]


def archscout_table(path, rows, partial=None):
    """A table as `archscout bench build-table` writes it (12 epochs; outcomes, then per-epoch groups)."""
    head = (["arch", "cifar10", "cifar10_seconds", "cifar10_valid", "cifar10_seed1", "params", "flops"]
            + [f"valid_epoch_{e}" for e in range(1, 13)] + [f"train_epoch_{e}" for e in range(1, 13)]
            + [f"train_loss_epoch_{e}" for e in range(1, 13)])
    lines = [",".join(head)]
    for k, c in enumerate(rows):
        v = [c * (1 - 0.5 / e) for e in range(1, 13)]
        tr = [x + 5 for x in v]
        loss = [2.0 / e for e in range(1, 13)]
        lines.append(",".join([f"|arch{k}|", f"{v[-1] + 1:.4f}", "30.5", f"{v[-1]:.4f}", "", str(1000 + k), str(5000 + k)]
                              + [f"{x:.4f}" for x in v + tr + loss]))
    text = "\n".join(lines) + "\n"
    if partial:
        text += partial  # a row still being written: no newline yet
    path.write_text(text)


def test_reads_archscouts_own_table_by_epoch_group(tmp_path):
    p = tmp_path / "table.csv"
    archscout_table(p, [60.0, 70.0, 80.0], partial="|arch9|,55.0,30,54.0,,1,2,10.0,12")
    cs = read_curves(p)
    assert len(cs) == 3 and cs.n_epochs == 12 and not cs.untrained  # the growing last line is skipped
    np.testing.assert_allclose(cs.curves[1], [70.0 * (1 - 0.5 / e) for e in range(1, 13)], atol=1e-4)
    # outcomes of the same training (cifar10, cifar10_valid, ...) would leak the final value
    assert cs.feature_names == ["params", "flops"] and cs.ids[2] == "|arch2|"
    train = read_curves(p, metric="train")
    np.testing.assert_allclose(train.curves - cs.curves, 5.0, atol=1e-3)
    loss = read_curves(p, metric="train_loss")
    assert loss.curves[0, 0] == pytest.approx(2.0) and loss.curves[0, -1] == pytest.approx(2 / 12, abs=1e-4)
    with pytest.raises(ArchscoutError, match="no test_epoch_N columns"):
        read_curves(p, metric="test")


def test_bench_stopping_reads_archscouts_table(tmp_path, capsys):
    import json

    from archscout.cli.main import main

    p = tmp_path / "table.csv"
    archscout_table(p, list(np.linspace(50, 90, 30)))
    out = tmp_path / "s.jsonl"
    assert main(["bench", "stopping", "--curves", str(p), "--pruners", "none", "median", "--trials", "30",
                 "--seeds", "1", "--range", "0", "100", "--out", str(out), "--json"]) == 0
    res = {r["pruner"]: r for r in json.loads(capsys.readouterr().out)}
    assert res["none"]["speedup_median"] == 1.0 and res["median"]["speedup_median"] > 1.0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["epochs_full"] for r in rows} == {30 * 12}
    # each run names the curves returned, with and without stopping (the table's arch strings)
    cells = {r["arch"] for r in csv.DictReader(p.open())}
    none = next(r for r in rows if r["pruner"] == "none")
    assert none["found_id"] == none["nostop_id"] and none["nostop_id"] in cells
