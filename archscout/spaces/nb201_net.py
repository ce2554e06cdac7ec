"""The NAS-Bench-201 network in PyTorch, built as the benchmark builds it (Dong & Yang, ICLR 2020).

Macro skeleton (the benchmark's "TinyNetwork" with a fixed cell): a 3x3 conv + BN stem, three stages
of N identical cells with C, 2C and 4C channels, a residual reduction block (ReLU-Conv-BN 3x3 stride 2,
ReLU-Conv-BN 3x3, shortcut = 2x2 average pool + 1x1 conv) between stages, then BN + ReLU, global
average pooling and a linear classifier. Inside a cell node j sums op(i->j)(node i) over i < j and the
cell returns node 3. Ops: ``none`` (zeros), ``skip_connect`` (identity), ``nor_conv_1x1`` and
``nor_conv_3x3`` (ReLU-Conv-BN), ``avg_pool_3x3`` (stride 1, padding excluded from the average).
With C=16, N=5 on 3x32x32 inputs this reproduces the benchmark's parameter counts exactly
(e.g. 1.531546 M for the all-3x3 cell on CIFAR-10; see tests/spaces/test_nb201_net.py).

The same network is built with 1-D layers for signals of shape (channels, length), e.g. MNIST-1D.
torch is imported here only: ``import archscout.spaces`` never pulls it in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from archscout.errors import ArchscoutError
from archscout.spaces.nb201 import EDGES, NUM_NODES, OPS


def _layers(dim: int) -> tuple[type, type, type, type]:
    if dim == 2:
        return nn.Conv2d, nn.BatchNorm2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d
    if dim == 1:
        return nn.Conv1d, nn.BatchNorm1d, nn.AvgPool1d, nn.AdaptiveAvgPool1d
    raise ArchscoutError(f"NB201 networks take 1-D signals or 2-D images, not {dim}-D inputs")


class ReLUConvBN(nn.Module):
    """ReLU -> Conv (no bias) -> BatchNorm, the benchmark's convolution op."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, dim: int = 2) -> None:
        super().__init__()
        conv, bn, _, _ = _layers(dim)
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            conv(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            bn(c_out, affine=True, track_running_stats=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(x)


class Zero(nn.Module):
    """The ``none`` op: an edge that carries zeros (keeps the graph, so gradients see the cell)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class ResidualReduction(nn.Module):
    """The benchmark's reduction block between stages: halves the resolution, changes channels."""

    def __init__(self, c_in: int, c_out: int, dim: int = 2) -> None:
        super().__init__()
        conv, _, pool, _ = _layers(dim)
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1, dim)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1, dim)
        self.downsample = nn.Sequential(
            pool(kernel_size=2, stride=2, padding=0), conv(c_in, c_out, 1, stride=1, padding=0, bias=False)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x) + self.conv_b(self.conv_a(x))


def make_op(name: str, channels: int, dim: int = 2) -> nn.Module:
    """One cell op (stride 1, same channels in and out, as in every NB201 cell)."""
    _, _, pool, _ = _layers(dim)
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, 1, 0, dim)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, 1, 1, dim)
    if name == "avg_pool_3x3":
        return pool(3, stride=1, padding=1, count_include_pad=False)
    raise ArchscoutError(f"unknown NAS-Bench-201 op {name!r}; ops are {', '.join(OPS)}")


class Cell(nn.Module):
    """A NB201 cell: node j = sum_{i<j} op_{i->j}(node i); the output is the last node."""

    def __init__(self, arch: Sequence[int], channels: int, dim: int = 2) -> None:
        super().__init__()
        self.edges = nn.ModuleList(make_op(OPS[o], channels, dim) for o in arch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for j in range(1, NUM_NODES):
            total = None
            for k, (i, jj) in enumerate(EDGES):
                if jj == j:
                    y = self.edges[k](nodes[i])
                    total = y if total is None else total + y
            nodes.append(total)
        return nodes[-1]


def build_macro(net: nn.Module, input_shape: tuple[int, ...], num_classes: int, C: int, N: int, dim: int,
                make_cell: Callable[[int], nn.Module]) -> None:
    """NB201's macro skeleton on `net`: stem, 3 stages of N cells (C, 2C, 4C channels) joined by residual
    reduction blocks, BN-ReLU, global pooling, linear classifier. Shared by the benchmark network and the
    one-shot supernet, so their attribute names and state-dict keys line up."""
    conv, bn, _, gap = _layers(dim)
    net.stem = nn.Sequential(conv(input_shape[0], C, 3, padding=1, bias=False), bn(C))
    cells: list[nn.Module] = []
    c_prev = C
    for stage, c in enumerate((C, 2 * C, 4 * C)):
        if stage > 0:
            cells.append(ResidualReduction(c_prev, c, dim))
        cells.extend(make_cell(c) for _ in range(N))
        c_prev = c
    net.cells = nn.Sequential(*cells)
    net.lastact = nn.Sequential(bn(c_prev), nn.ReLU(inplace=True))
    net.global_pooling = gap(1)
    net.classifier = nn.Linear(c_prev, num_classes)


class NB201Network(nn.Module):
    """The full NAS-Bench-201 network for one cell; ``forward`` returns logits."""

    def __init__(
        self, arch: Sequence[int], input_shape: Sequence[int], num_classes: int, C: int = 16, N: int = 5
    ) -> None:
        super().__init__()
        arch = tuple(int(a) for a in arch)
        if len(arch) != len(EDGES) or not all(0 <= a < len(OPS) for a in arch):
            raise ArchscoutError(f"not a NAS-Bench-201 architecture: {arch!r}")
        input_shape = tuple(int(s) for s in input_shape)
        if len(input_shape) not in (2, 3) or min(input_shape) < 1:
            raise ArchscoutError(
                f"input_shape must be (channels, length) or (channels, height, width), got {input_shape!r}"
            )
        if num_classes < 1 or C < 1 or N < 1:
            raise ArchscoutError(f"num_classes, C and N must be positive (got {num_classes}, {C}, {N})")
        dim = len(input_shape) - 1
        self.arch, self.input_shape, self.num_classes, self.C, self.N, self.dim = arch, input_shape, num_classes, C, N, dim
        build_macro(self, input_shape, num_classes, C, N, dim, lambda c: Cell(arch, c, dim))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The pooled pre-classifier features (what NASWOT-style proxies look at is inside)."""
        out = self.lastact(self.cells(self.stem(x)))
        return self.global_pooling(out).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def build(arch: Sequence[int], input_shape: Sequence[int], num_classes: int, C: int = 16, N: int = 5) -> NB201Network:
    return NB201Network(arch, input_shape, num_classes, C=C, N=N)


def count_params(module: nn.Module) -> int:
    """Trainable parameters (BN running statistics are buffers and do not count, as in NB201)."""
    from archscout.training.measure import count_params as _count

    return _count(module)


def count_flops(module: nn.Module, input_shape: Sequence[int]) -> int:
    """Operations of one forward pass on one input, counted as the NAS-Bench-Suite-Zero ``flops`` column.

    With these rules (`archscout.training.measure.count_flops(..., elementwise=True)`) the counts of
    all NB201 cells (C=16, N=5, CIFAR) equal the published column minus a constant 1,078 (checked on
    300 cells; the constant does not change any ranking).
    """
    from archscout.training.measure import count_flops as _count

    return _count(module, input_shape, elementwise=True)
