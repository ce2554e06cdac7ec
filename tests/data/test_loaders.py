"""Dataset loaders: shapes, splits, no network, and one clear error per kind of bad input."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from archscout.data import load_cifar10, load_dataset, load_digits, make_dataset
from archscout.errors import ArchscoutError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a, **k):
        raise AssertionError("a dataset loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_mnist1d_generated_locally_with_default_arguments(tmp_path, monkeypatch):
    _no_network(monkeypatch)
    monkeypatch.setenv("ARCHSCOUT_CACHE", str(tmp_path))
    state = np.random.get_state()[1].copy()
    d = load_dataset("mnist1d", val_fraction=0.1, seed=0)
    assert np.array_equal(np.random.get_state()[1], state), "the generator must not move numpy's global RNG"
    assert d.kind == "signal" and d.input_shape == (1, 40) and d.num_classes == 10
    assert len(d.y_train) + len(d.y_val) == 4000 and len(d.y_test) == 1000
    assert (tmp_path / "mnist1d_default.npz").exists()
    again = load_dataset("mnist1d", val_fraction=0.1, seed=0)  # from the cache: identical
    assert np.array_equal(again.x_test, d.x_test) and np.array_equal(again.y_train, d.y_train)


def test_digits_split_is_seeded_and_stratified():
    a, b, c = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    assert a.input_shape == (1, 8, 8) and a.num_classes == 10
    assert len(a.y_train) + len(a.y_val) + len(a.y_test) == 1797
    assert np.array_equal(a.y_val, b.y_val) and np.array_equal(a.x_val, b.x_val)
    assert not np.array_equal(a.x_val, c.x_val)
    assert np.array_equal(a.y_test, c.y_test), "the test set must not move with the search seed"
    assert np.allclose(a.x_test, c.x_test, atol=0.01)  # only the training statistics differ
    counts = np.bincount(a.y_val, minlength=10)
    assert counts.min() >= 12 and counts.max() <= 17  # ~10% of ~144 per class
    # standardised with training statistics only
    assert abs(float(a.x_train.mean())) < 1e-4 and abs(float(a.x_train.std()) - 1) < 1e-3


@pytest.mark.skipif(not (SHARED / "cifar10" / "cifar10_subset.npz").exists(), reason="shared data missing")
def test_cifar10_subset_downsampled():
    d = load_cifar10(resolution=16, n_train=5000, val_fraction=0.1, seed=0, path=SHARED / "cifar10" / "cifar10_subset.npz")
    assert d.input_shape == (3, 16, 16) and d.num_classes == 10
    assert len(d.y_train) + len(d.y_val) == 5000 and len(d.y_test) == 2000
    assert np.bincount(d.y_train).min() == 450


def _save(tmp_path: Path, **arrays) -> Path:
    p = tmp_path / "d.npz"
    np.savez(p, **arrays)
    return p


def test_npz_layouts(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 10)
    nhwc = rng.normal(size=(30, 6, 5, 3))
    d = load_dataset(_save(tmp_path, x_train=nhwc, y_train=y))
    assert d.kind == "image" and d.input_shape == (3, 6, 5)
    nchw = rng.normal(size=(30, 1, 6, 5))
    assert load_dataset(_save(tmp_path, x_train=nchw, y_train=y)).input_shape == (1, 6, 5)
    sig = rng.normal(size=(30, 2, 17))
    d = load_dataset(_save(tmp_path, x_train=sig, y_train=y, x_test=sig[:6], y_test=y[:6]))
    assert d.kind == "signal" and d.input_shape == (2, 17) and len(d.y_test) == 6
    rows = rng.normal(size=(30, 4))
    assert load_dataset(_save(tmp_path, x_train=rows, y_train=y)).kind == "tabular"
    d = load_dataset(_save(tmp_path, x_train=rows, y_train=y, kind=np.array("signal")))
    assert d.kind == "signal" and d.input_shape == (1, 4)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.pop("x_train"), "lacks x_train"),
        (lambda a: a.update(y_train=np.array([0, 1, 3] * 10)), "0..K-1"),
        (lambda a: a.update(y_train=np.array([-1, 0, 1] * 10)), "0..K-1"),
        (lambda a: a.update(y_train=np.array([0.5, 1, 2] * 10)), "non-integer"),
        (lambda a: a["x_train"].__setitem__((3, 1), np.nan), "NaN/inf"),
        (lambda a: a["x_train"].__setitem__((3, 1), np.inf), "NaN/inf"),
        (lambda a: a.update(x_train=np.zeros((0, 4)), y_train=np.zeros(0, int)), "empty"),
        (lambda a: a.update(y_train=np.zeros(30, int)), "single class"),
        (lambda a: a.update(y_train=np.arange(3).repeat(9)), "27 labels"),
        (lambda a: a.update(x_test=np.zeros((4, 4)), y_test=np.array([0, 1, 2, 3])), "outside 0..2"),
        (lambda a: a.update(x_test=np.zeros((4, 5)), y_test=np.array([0, 1, 2, 0])), "shape"),
        (lambda a: a.update(x_test=np.zeros((4, 4))), "both x_test and y_test"),
        (lambda a: a.update(x_train=np.zeros((30, 8, 8, 8))), "NCHW"),
        (lambda a: a.update(x_train=np.array(["a"] * 120).reshape(30, 4)), "numeric"),
    ],
)
def test_npz_errors(tmp_path, change, message):
    arrays = {"x_train": np.random.default_rng(0).normal(size=(30, 4)), "y_train": np.repeat(np.arange(3), 10)}
    change(arrays)
    with pytest.raises(ArchscoutError, match=message):
        load_dataset(_save(tmp_path, **arrays))


def test_csv_with_named_label(tmp_path):
    p = tmp_path / "rows.csv"
    lines = ["a,b,cls"] + [f"{i * 0.1},{i % 3},{i % 2}" for i in range(20)]
    p.write_text("\n".join(lines) + "\n")
    d = load_dataset(p, label="cls")
    assert d.kind == "tabular" and d.input_shape == (2,) and d.num_classes == 2
    with pytest.raises(ArchscoutError, match="no label column 'label'"):
        load_dataset(p)
    p.write_text("a,cls\n1,0\nx,1\n")
    with pytest.raises(ArchscoutError, match="'x' is not a number"):
        load_dataset(p, label="cls")
    p.write_text("a,cls\n")
    with pytest.raises(ArchscoutError, match="no rows"):
        load_dataset(p, label="cls")


def test_unknown_sources():
    with pytest.raises(ArchscoutError, match="unknown dataset"):
        load_dataset("mnist")
    with pytest.raises(ArchscoutError, match="does not exist"):
        load_dataset("nowhere/data.npz")
    with pytest.raises(ArchscoutError, match="validation fraction"):
        make_dataset("x", np.zeros((4, 2)), np.array([0, 1, 0, 1]), val_fraction=1.0)
