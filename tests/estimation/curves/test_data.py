"""The curve-CSV reader on Baker et al.'s published files, NB201 curves, and malformed CSVs."""

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
