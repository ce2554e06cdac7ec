"""Tiny supernets train fastest on one thread, and the test machine's cores are shared."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny_data():
    """160 random 8x8 RGB images of 4 classes (128 train / 32 validation), with a learnable signal."""
    from archscout.data import make_dataset

    rng = np.random.default_rng(0)
    y = np.arange(160) % 4
    x = rng.normal(size=(160, 3, 8, 8)) + y[:, None, None, None] * 0.5
    return make_dataset("tiny", x, y, kind="image", val_fraction=0.2, seed=0)
