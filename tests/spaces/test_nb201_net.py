"""The NB201 network: shapes, and parameter / FLOP counts against the published benchmark values."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from archscout.errors import ArchscoutError  # noqa: E402
from archscout.spaces.nb201 import NB201Space  # noqa: E402
from archscout.spaces.nb201_net import NB201Network, count_flops, count_params  # noqa: E402

ZC = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nb201" / "zero_cost_cifar10.csv"
SPACE = NB201Space()


def test_forward_shapes_2d_and_1d() -> None:
    torch.manual_seed(0)
    net = SPACE.to_module((3, 1, 4, 2, 0, 3), (3, 32, 32), 10, C=4, N=1)
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    net1d = SPACE.to_module((3, 1, 4, 2, 0, 3), (1, 40), 10, C=4, N=2)
    assert net1d(torch.randn(5, 1, 40)).shape == (5, 10)
    assert any(isinstance(m, torch.nn.Conv1d) for m in net1d.modules())


def test_param_count_by_hand() -> None:
    # all-skip cell: only stem, two reduction blocks, last BN and the classifier carry weights.
    C = 4
    stem = 3 * C * 9 + 2 * C
    red1 = (C * 2 * C * 9 + 2 * 2 * C) + (2 * C * 2 * C * 9 + 2 * 2 * C) + C * 2 * C
    red2 = (2 * C * 4 * C * 9 + 2 * 4 * C) + (4 * C * 4 * C * 9 + 2 * 4 * C) + 2 * C * 4 * C
    head = 2 * 4 * C + 4 * C * 10 + 10
    net = NB201Network((1,) * 6, (3, 32, 32), 10, C=C, N=3)
    assert count_params(net) == stem + red1 + red2 + head
    # one 1x1 conv edge adds per cell C*C weights + 2C BN params, per stage width
    net2 = NB201Network((2, 1, 1, 1, 1, 1), (3, 32, 32), 10, C=C, N=3)
    assert count_params(net2) - count_params(net) == 3 * sum(c * c + 2 * c for c in (C, 2 * C, 4 * C))


def test_published_all_conv3x3_params() -> None:
    # NAS-Bench-201 reports 1.531546 M parameters for the all-3x3 cell on CIFAR-10 (C=16, N=5).
    assert count_params(NB201Network((3,) * 6, (3, 32, 32), 10)) == 1_531_546


@pytest.mark.skipif(not ZC.exists(), reason="shared NB201 zero-cost data not available")
def test_params_and_flops_match_published_columns() -> None:
    with ZC.open() as fh:
        rows = list(csv.DictReader(fh))[::1500]
    assert len(rows) >= 6
    offsets = set()
    for r in rows:
        net = SPACE.to_module(SPACE.from_string(r["arch"]), (3, 32, 32), 10)
        assert count_params(net) == round(float(r["params"]) * 1e6)
        offsets.add(round(float(r["flops"]) * 1e6) - count_flops(net, (3, 32, 32)))
    assert offsets == {1078}


def test_bad_input() -> None:
    with pytest.raises(ArchscoutError):
        SPACE.to_module((5, 0, 0, 0, 0, 0), (3, 32, 32), 10)
    with pytest.raises(ArchscoutError):
        NB201Network((1,) * 6, (3, 2, 32, 32), 10)


def test_import_space_does_not_import_torch() -> None:
    code = "import sys, archscout, archscout.spaces; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_flop_rules_by_hand_1d() -> None:
    net = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 3, padding=1, bias=False), torch.nn.BatchNorm1d(2), torch.nn.ReLU(),
                              torch.nn.AvgPool1d(3, stride=1, padding=1), torch.nn.AdaptiveAvgPool1d(1),
                              torch.nn.Flatten(), torch.nn.Linear(2, 4))
    # conv 10 outputs x 3 taps, BN 2 x 10, ReLU 10, pool 10 outputs x 3, global pool 10 inputs, linear 2 x 4 + 4 bias
    assert count_flops(net, (1, 5)) == 30 + 20 + 10 + 30 + 10 + 12
