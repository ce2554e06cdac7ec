"""Dataset loaders for live training: no network access, every bad input one ArchscoutError.

A `Dataset` holds float32 arrays already split into train / validation / test and standardised
with statistics of the training split only (so validation and test never leak into training).
Layouts are channels-first: images ``(N, C, H, W)``, signals ``(N, C, L)``, tabular rows ``(N, F)``.

Sources (`load_dataset(spec)`):
  ``mnist1d``  generated locally by the `mnist1d` package's own generator with its default
               arguments (4,000 train / 1,000 test, 40-long signals, 10 classes); never downloaded;
  ``digits``   scikit-learn's bundled 8x8 digits (1,797 images; a seeded 20% becomes the test set);
  ``cifar10``  the real CIFAR-10 subset in ``../shared/data/cifar10/cifar10_subset.npz``;
  ``PATH.npz`` ``x_train``, ``y_train`` and optionally ``x_test``, ``y_test`` (images NCHW or NHWC,
               signals ``(N, L)`` with ``kind='signal'`` or ``(N, C, L)``, tabular rows ``(N, F)``);
  ``PATH.csv`` tabular rows with a named label column (``label`` by default).
"""

from __future__ import annotations

import csv
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archscout.errors import ArchscoutError

KINDS = ("image", "signal", "tabular")
BUILTIN = ("mnist1d", "digits", "cifar10")


@dataclass
class Dataset:
    """Train / validation / test arrays of one classification task, ready for a network."""

    name: str
    kind: str  # image | signal | tabular
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    num_classes: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one example, channels first (what `to_module` takes)."""
        return tuple(int(s) for s in self.x_train.shape[1:])

    def describe(self) -> str:
        n_test = 0 if self.x_test is None else len(self.x_test)
        return (f"{self.name}: {self.kind} {self.input_shape}, {self.num_classes} classes, "
                f"{len(self.x_train)} train / {len(self.x_val)} valid / {n_test} test")


def shared_data_dir() -> Path:
    """``../shared/data`` relative to the repository root (override with ARCHSCOUT_SHARED_DATA)."""
    env = os.environ.get("ARCHSCOUT_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def cache_dir() -> Path:
    """Where generated datasets are cached (ARCHSCOUT_CACHE, else ~/.cache/archscout)."""
    env = os.environ.get("ARCHSCOUT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "archscout"


# --- validation ----------------------------------------------------------------------------------
def check_labels(y: np.ndarray, what: str, num_classes: int | None = None) -> np.ndarray:
    """Labels must be integers 0..K-1 with every class present in training; returns int64."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ArchscoutError(f"{what} must be a 1-D array of class labels, got shape {y.shape}")
    if y.size == 0:
        raise ArchscoutError(f"{what} is empty")
    if y.dtype.kind not in "iub":
        try:
            yf = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ArchscoutError(f"{what} must hold integer class labels 0..K-1, got {y.dtype} values like {y[0]!r}") from None
        if not np.all(np.isfinite(yf)) or np.any(yf != np.round(yf)):
            raise ArchscoutError(f"{what} must hold integer class labels 0..K-1, found non-integer values")
        y = yf.astype(np.int64)
    y = y.astype(np.int64)
    if num_classes is None:
        classes = np.unique(y)
        k = len(classes)
        if k < 2:
            raise ArchscoutError(f"{what} holds a single class ({classes[0]}); classification needs at least 2")
        if classes[0] != 0 or classes[-1] != k - 1:
            raise ArchscoutError(
                f"labels must be 0..K-1 with every class present: {what} has {k} classes but values "
                f"{classes.min()}..{classes.max()}"
            )
    else:
        bad = (y < 0) | (y >= num_classes)
        if bad.any():
            raise ArchscoutError(f"{what} has labels outside 0..{num_classes - 1} (e.g. {y[bad][0]})")
    return y


def check_features(x: np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind not in "iufb":
        raise ArchscoutError(f"{what} must be numeric, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ArchscoutError(f"{what} must have one row per example (at least 2-D), got shape {x.shape}")
    if x.shape[0] == 0:
        raise ArchscoutError(f"{what} is empty")
    if any(s == 0 for s in x.shape[1:]):
        raise ArchscoutError(f"{what} has an empty dimension: shape {x.shape}")
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        n = int(np.size(x) - np.isfinite(x).sum())
        raise ArchscoutError(f"{what} contains {n} NaN/inf values; clean or impute them first")
    return x


def _to_channels_first(x: np.ndarray, kind: str | None, what: str) -> tuple[np.ndarray, str]:
    """Decide the layout from the rank (and `kind` for 2-D arrays) and move channels first."""
    if x.ndim == 4:
        if kind not in (None, "image"):
            raise ArchscoutError(f"{what} is 4-D (images) but kind={kind!r}")
        n, a, b, c = x.shape
        if c <= 4 and a > 4:
            return np.ascontiguousarray(x.transpose(0, 3, 1, 2)), "image"  # NHWC
        if a <= 4 and c > 4:
            return x, "image"  # NCHW
        if a <= 4 and c <= 4:
            return x, "image"
        raise ArchscoutError(
            f"{what} has shape {x.shape}: cannot tell NCHW from NHWC (channels must be 1..4 on axis 1 or 3)"
        )
    if x.ndim == 3:
        if kind == "image":  # (N, H, W) grey images
            return x[:, None], "image"
        if kind not in (None, "signal"):
            raise ArchscoutError(f"{what} is 3-D (signals N,C,L) but kind={kind!r}")
        return x, "signal"
    if x.ndim == 2:
        if kind == "signal":
            return x[:, None, :], "signal"
        if kind not in (None, "tabular"):
            raise ArchscoutError(f"{what} is 2-D; kind must be 'signal' or 'tabular', got {kind!r}")
        return x, "tabular"
    raise ArchscoutError(f"{what} has shape {x.shape}; expected 2-D rows, 3-D signals or 4-D images")


def _standardise(x_tr: np.ndarray, others: list[np.ndarray | None], kind: str) -> list[Any]:
    """Per-channel (images, signals) or per-feature (tabular) standardisation from training stats."""
    axes = (0,) if kind == "tabular" else tuple(i for i in range(x_tr.ndim) if i != 1)
    mean = x_tr.mean(axis=axes, keepdims=True, dtype=np.float64)
    std = x_tr.std(axis=axes, keepdims=True, dtype=np.float64)
    std[std < 1e-12] = 1.0
    out = [((x_tr - mean) / std).astype(np.float32)]
    for x in others:
        out.append(None if x is None else ((x - mean) / std).astype(np.float32))
    # An exported network standardises its own inputs with these (training-split) statistics.
    out.append({"mean": mean[0].astype(np.float32), "std": std[0].astype(np.float32)})
    return out


def make_dataset(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    kind: str | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    standardise: bool = True,
    meta: dict[str, Any] | None = None,
) -> Dataset:
    """Validate arrays, hold out a seeded stratified validation split, standardise, return a Dataset."""
    if kind is not None and kind not in KINDS:
        raise ArchscoutError(f"unknown data kind {kind!r}; choose from {', '.join(KINDS)}")
    if not 0.0 < val_fraction < 1.0:
        raise ArchscoutError(f"the validation fraction must be in (0, 1), got {val_fraction}")
    x_train = check_features(x_train, f"{name}: x_train")
    y_train = check_labels(y_train, f"{name}: y_train")
    if len(x_train) != len(y_train):
        raise ArchscoutError(f"{name}: x_train has {len(x_train)} rows but y_train has {len(y_train)} labels")
    k = int(y_train.max()) + 1
    x_train, kind = _to_channels_first(x_train, kind, f"{name}: x_train")
    if (x_test is None) != (y_test is None):
        raise ArchscoutError(f"{name}: give both x_test and y_test, or neither")
    if x_test is not None:
        x_test = check_features(x_test, f"{name}: x_test")
        y_test = check_labels(y_test, f"{name}: y_test", num_classes=k)
        if len(x_test) != len(y_test):
            raise ArchscoutError(f"{name}: x_test has {len(x_test)} rows but y_test has {len(y_test)} labels")
        x_test, _ = _to_channels_first(x_test, kind, f"{name}: x_test")
        if x_test.shape[1:] != x_train.shape[1:]:
            raise ArchscoutError(f"{name}: test examples have shape {x_test.shape[1:]}, training ones {x_train.shape[1:]}")
    # Stratified, seeded validation split: every class keeps the same share in both parts.
    rng = np.random.default_rng(seed)
    val_idx = []
    for c in range(k):
        idx = np.flatnonzero(y_train == c)
        rng.shuffle(idx)
        n_val = int(round(len(idx) * val_fraction))
        val_idx.append(idx[:n_val])
    val = np.sort(np.concatenate(val_idx))
    mask = np.ones(len(y_train), dtype=bool)
    mask[val] = False
    if mask.sum() < 2 or len(val) < 1:
        raise ArchscoutError(f"{name}: too few examples ({len(y_train)}) for a training and a validation split")
    x_tr, x_va = x_train[mask], x_train[val]
    stats: dict[str, Any] = {}
    if standardise:
        x_tr, x_va, x_te, stats = _standardise(x_tr.astype(np.float64), [x_va, x_test], kind)
    else:
        x_te = None if x_test is None else x_test.astype(np.float32)
        x_tr, x_va = x_tr.astype(np.float32), x_va.astype(np.float32)
    return Dataset(name=name, kind=kind, x_train=x_tr, y_train=y_train[mask], x_val=x_va, y_val=y_train[val],
                   x_test=x_te, y_test=y_test, num_classes=k,
                   meta=dict(meta or {}, val_fraction=val_fraction, seed=seed, **stats))


def refit_dataset(data: Dataset) -> Dataset:
    """The same task with the validation split merged back into training, for a final training.

    Why: a search needs held-out examples to compare trials, but the network it returns need not lose
    them; standard NAS practice trains the chosen architecture once more on every training example.
    The standardisation stays that of the search's training split (so an exported network and the
    search's numbers use one input scaling). `x_val` stays for the trainer's per-epoch report, but it
    is no longer held out: the refit network's validation score means nothing and is marked so in `meta`.
    """
    return Dataset(name=data.name, kind=data.kind,
                   x_train=np.concatenate([data.x_train, data.x_val]),
                   y_train=np.concatenate([data.y_train, data.y_val]),
                   x_val=data.x_val, y_val=data.y_val, x_test=data.x_test, y_test=data.y_test,
                   num_classes=data.num_classes, meta=dict(data.meta, refit=True, val_held_out=False))


# --- sources -------------------------------------------------------------------------------------
def mnist1d_arrays() -> dict[str, np.ndarray]:
    """MNIST-1D from the package's own generator with default arguments, cached as .npz.

    `make_dataset` is pure numpy (never downloads); it reseeds numpy's global RNG, so we save and
    restore that state to leave the caller's randomness untouched.
    """
    path = cache_dir() / "mnist1d_default.npz"
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    try:
        from mnist1d.data import get_dataset_args
        from mnist1d.data import make_dataset as _mnist1d_make
    except ImportError:
        raise ArchscoutError("MNIST-1D needs the `mnist1d` package: pip install mnist1d") from None
    import random

    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        ds = _mnist1d_make(get_dataset_args())
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    out = {"x_train": ds["x"], "y_train": ds["y"], "x_test": ds["x_test"], "y_test": ds["y_test"]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **out)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs regeneration time
    return out


def load_mnist1d(val_fraction: float = 0.1, seed: int = 0) -> Dataset:
    a = mnist1d_arrays()
    return make_dataset("mnist1d", a["x_train"], a["y_train"], a["x_test"], a["y_test"], kind="signal",
                        val_fraction=val_fraction, seed=seed)


def load_digits(val_fraction: float = 0.1, seed: int = 0) -> Dataset:
    """scikit-learn's bundled 8x8 digits; the test set is a fixed stratified 20% (seed 0)."""
    try:
        from sklearn.datasets import load_digits as _digits
    except ImportError:
        raise ArchscoutError("the digits dataset needs scikit-learn: pip install scikit-learn") from None
    d = _digits()
    x, y = d.images.astype(np.float32), d.target.astype(np.int64)
    rng = np.random.default_rng(0)  # the test split does not move with the search seed
    test = np.zeros(len(y), dtype=bool)
    for c in range(10):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        test[idx[: int(round(0.2 * len(idx)))]] = True
    return make_dataset("digits", x[~test], y[~test], x[test], y[test], kind="image",
                        val_fraction=val_fraction, seed=seed)


def read_cifar10(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x_train, y_train, x_test, y_test of the CIFAR-10 subset .npz (default: the shared one), checked.

    Why: any file can be given as the subset; an empty, foreign or malformed one must be one clear error
    naming the file, not a numpy traceback halfway through loading.
    """
    if path:
        path = Path(path)
        if not path.exists():
            raise ArchscoutError(f"the CIFAR-10 subset {str(path)!r} does not exist")
    else:
        path = shared_data_dir() / "cifar10" / "cifar10_subset.npz"
        if not path.exists():
            raise ArchscoutError(f"the CIFAR-10 subset is not at {path}; set ARCHSCOUT_SHARED_DATA to the shared data folder")
    if path.is_dir():
        raise ArchscoutError(f"the CIFAR-10 subset {str(path)!r} is a folder; give its .npz file")
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
        if head != b"PK":  # an .npz is a zip archive; numpy would take anything else for a pickle
            raise ArchscoutError(f"the CIFAR-10 subset {str(path)!r} is {'an empty file' if not head else 'not an .npz archive'}")
        with np.load(path, allow_pickle=False) as z:
            files = set(z.files)
            arrays = [z[k] for k in keys if k in files]
    except ArchscoutError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ArchscoutError(f"cannot read {str(path)!r} as the CIFAR-10 subset .npz: {why}") from None
    missing = [k for k in keys if k not in files]
    if missing:
        raise ArchscoutError(f"the CIFAR-10 subset {str(path)!r} lacks {', '.join(missing)} "
                             f"(it has {', '.join(sorted(files)) or 'nothing'})")
    xtr, ytr, xte, yte = arrays
    for x, y, part in ((xtr, ytr, "train"), (xte, yte, "test")):
        if x.ndim != 4 or x.shape[1:] != (32, 32, 3) or y.shape != (len(x),):
            raise ArchscoutError(f"the CIFAR-10 subset {str(path)!r} has x_{part} {x.shape} and y_{part} {y.shape}; "
                                 "expected (N, 32, 32, 3) images and N labels")
    return xtr, ytr, xte, yte


def load_cifar10(val_fraction: float = 0.1, seed: int = 0, resolution: int = 32, n_train: int | None = None,
                 path: str | Path | None = None) -> Dataset:
    """The shared real CIFAR-10 subset (10,000 train / 2,000 test), optionally downsampled and cut.

    `resolution` 16 averages 2x2 blocks; `n_train` keeps a seeded class-balanced subset of training.
    """
    if resolution < 1 or 32 % resolution:
        raise ArchscoutError(f"CIFAR-10 resolution must divide 32, got {resolution}")
    return cifar10_dataset(read_cifar10(path), val_fraction, seed, resolution, n_train)


def cifar10_dataset(arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], val_fraction: float = 0.1,
                    seed: int = 0, resolution: int = 32, n_train: int | None = None) -> Dataset:
    """:func:`load_cifar10` on arrays already read by :func:`read_cifar10` (a caller that checks them first reads
    the file once)."""
    if resolution < 1 or 32 % resolution:
        raise ArchscoutError(f"CIFAR-10 resolution must divide 32, got {resolution}")
    xtr, ytr, xte, yte = arrays
    f = 32 // resolution

    def down(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32) / 255.0
        if f > 1:
            x = x.reshape(len(x), resolution, f, resolution, f, 3).mean(axis=(2, 4))
        return x

    if n_train is not None:
        if not 10 <= n_train <= len(ytr):
            raise ArchscoutError(f"n_train must be in 10..{len(ytr)}, got {n_train}")
        rng = np.random.default_rng(12345)  # the same images whatever the search seed
        keep = np.concatenate([rng.permutation(np.flatnonzero(ytr == c))[: n_train // 10] for c in range(10)])
        keep.sort()
        xtr, ytr = xtr[keep], ytr[keep]
    return make_dataset(f"cifar10-{resolution}px", down(xtr), ytr, down(xte), yte, kind="image",
                        val_fraction=val_fraction, seed=seed)


def load_npz(path: str | Path, val_fraction: float = 0.1, seed: int = 0, kind: str | None = None) -> Dataset:
    path = Path(path)
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise ArchscoutError(f"cannot read {str(path)!r} as .npz: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    with z:
        files = set(z.files)
        missing = [k for k in ("x_train", "y_train") if k not in files]
        if missing:
            raise ArchscoutError(f"{path.name} lacks {', '.join(missing)} (it has {', '.join(sorted(files)) or 'nothing'})")
        if kind is None and "kind" in files:
            kind = str(z["kind"])
        arrays = {k: z[k] for k in ("x_train", "y_train", "x_test", "y_test") if k in files}
    return make_dataset(path.stem, arrays["x_train"], arrays["y_train"], arrays.get("x_test"), arrays.get("y_test"),
                        kind=kind, val_fraction=val_fraction, seed=seed)


def load_csv(path: str | Path, label: str = "label", val_fraction: float = 0.1, seed: int = 0) -> Dataset:
    """Tabular rows with a header; `label` names the class column (integers 0..K-1), the rest are features."""
    path = Path(path)
    try:
        with open(path, newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError as e:
        raise ArchscoutError(f"cannot read {str(path)!r}: {e.strerror or e}") from None
    if not rows:
        raise ArchscoutError(f"{path.name} is empty")
    header, body = [h.strip() for h in rows[0]], [r for r in rows[1:] if any(c.strip() for c in r)]
    if label not in header:
        raise ArchscoutError(f"{path.name} has no label column {label!r} (columns: {', '.join(header)}); pass --label NAME")
    if len(header) < 2:
        raise ArchscoutError(f"{path.name} has no feature columns besides {label!r}")
    if not body:
        raise ArchscoutError(f"{path.name} has a header but no rows")
    li = header.index(label)
    values = np.empty((len(body), len(header)), dtype=np.float64)
    for r, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ArchscoutError(f"{path.name} line {r}: {len(row)} fields, header has {len(header)}")
        for c, cell in enumerate(row):
            try:
                values[r - 2, c] = float(cell)
            except ValueError:
                raise ArchscoutError(f"{path.name} line {r}, column {header[c]!r}: {cell!r} is not a number") from None
    y = values[:, li]
    x = np.delete(values, li, axis=1)
    return make_dataset(path.stem, x, y, kind="tabular", val_fraction=val_fraction, seed=seed)


def load_dataset(spec: str | Path, val_fraction: float = 0.1, seed: int = 0, label: str = "label",
                 kind: str | None = None) -> Dataset:
    """A dataset by name (mnist1d, digits, cifar10) or path (.npz, .csv)."""
    s = str(spec)
    if s == "mnist1d":
        return load_mnist1d(val_fraction, seed)
    if s == "digits":
        return load_digits(val_fraction, seed)
    if s == "cifar10":
        return load_cifar10(val_fraction, seed)
    path = Path(s)
    if path.suffix.lower() not in (".npz", ".csv"):
        raise ArchscoutError(f"unknown dataset {s!r}: use {', '.join(BUILTIN)}, or a .npz or .csv file")
    if not path.exists():
        raise ArchscoutError(f"dataset file {s!r} does not exist")
    if path.suffix.lower() == ".npz":
        return load_npz(path, val_fraction, seed, kind)
    return load_csv(path, label, val_fraction, seed)


__all__ = ["Dataset", "make_dataset", "refit_dataset", "load_dataset", "load_mnist1d", "load_digits", "load_cifar10",
           "cifar10_dataset", "read_cifar10",
           "load_npz", "load_csv", "shared_data_dir", "check_labels", "check_features"]
