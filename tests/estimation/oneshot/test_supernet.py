"""The NB201 supernet: its single paths are the benchmark's networks, and its other modes mix or drop ops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archscout.errors import ArchscoutError
from archscout.estimation.oneshot.supernet import LIVE_OPS, NB201Supernet
from archscout.spaces.nb201 import NB201Space, OPS

SHAPE = (3, 8, 8)
SPACE = NB201Space()


def perturbed_supernet(seed: int = 0, C: int = 4, N: int = 1) -> NB201Supernet:
    """A supernet whose BN layers are not the identity, so eval mode really uses the copied statistics."""
    torch.manual_seed(seed)
    s = NB201Supernet(SHAPE, 10, C=C, N=N)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in s.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g))
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.randn(m.num_features, generator=g))
                m.bias.copy_(torch.randn(m.num_features, generator=g))
    return s


ARCHS = [(3, 2, 1, 4, 0, 3), (0,) * 6, (1,) * 6, (3,) * 6, (0, 0, 0, 2, 0, 0), (4, 0, 3, 0, 1, 2)] + [
    SPACE.sample(np.random.default_rng(i)) for i in range(6)]


@pytest.mark.parametrize("N", [1, 2])
def test_single_path_equals_the_benchmark_network_with_copied_weights(N: int) -> None:
    s = perturbed_supernet(N=N)
    x = torch.randn(6, *SHAPE, generator=torch.Generator().manual_seed(3))
    for arch in ARCHS:
        net = SPACE.to_module(arch, SHAPE, 10, C=4, N=N)
        net.load_state_dict(s.network_state(arch), strict=True)  # every key of the standalone net, nothing else
        for train in (True, False):
            s.train(train)
            net.train(train)
            with torch.no_grad():
                assert torch.equal(s(x, arch=arch), net(x)), (arch, train)
    # and the comparison can fail: another cell's weights give another output
    net = s.to_network((3, 2, 1, 4, 0, 2))
    s.eval()
    net.eval()
    with torch.no_grad():
        assert not torch.allclose(s(x, arch=(3, 2, 1, 4, 0, 3)), net(x))


def test_to_network_copies_and_counts_like_the_benchmark() -> None:
    from archscout.training.measure import count_params

    s = perturbed_supernet()
    arch = (3, 2, 1, 4, 0, 3)
    net = s.to_network(arch)
    assert count_params(net) == count_params(SPACE.to_module(arch, SHAPE, 10, C=4, N=1))
    with torch.no_grad():
        net.stem[0].weight.add_(1.0)
    assert not torch.equal(net.stem[0].weight, s.stem[0].weight)  # a copy, not shared storage


def test_none_edges_give_zeros_and_a_lone_skip_is_the_identity() -> None:
    s = perturbed_supernet().eval()
    x = torch.randn(5, *SHAPE)
    with torch.no_grad():
        out = s(x, arch=(0,) * 6)  # every cell outputs zeros: the logits no longer depend on the input
        assert torch.allclose(out, out[:1].expand_as(out))
        h = torch.randn(2, 4, 8, 8)
        cell = s.cells[0]
        assert torch.equal(cell(h, s.single_path((0, 0, 0, 1, 0, 0))), h)  # only 3<-0 = skip
        assert torch.equal(cell(h, s.single_path((1, 0, 0, 0, 1, 0))), h)  # 1<-0 skip, 3<-1 skip
        assert torch.equal(cell(h, s.single_path((1, 1, 1, 0, 0, 1))), 2 * h)  # node 2 = h + h, node 3 = node 2


def test_single_path_runs_only_its_ops() -> None:
    s = perturbed_supernet()
    calls: list[tuple[int, int]] = []
    edges = s.cells[0].edges
    for k, edge in enumerate(edges):
        for o, op in enumerate(edge.ops):
            op.register_forward_hook(lambda m, i, out, k=k, o=o: calls.append((k, o)))
    arch = (3, 0, 1, 4, 0, 2)
    s(torch.randn(2, *SHAPE), arch=arch)
    assert sorted(calls) == [(k, o) for k, o in enumerate(arch) if o != 0]  # 'none' costs nothing


def test_mixture_of_a_peaked_alpha_is_the_single_path_and_uniform_is_the_mean() -> None:
    s = perturbed_supernet().eval()
    x = torch.randn(4, *SHAPE)
    arch = (3, 2, 1, 4, 0, 3)
    alpha = torch.full((6, 5), -1e4)
    alpha[torch.arange(6), torch.tensor(arch)] = 1e4
    with torch.no_grad():
        assert torch.allclose(s(x, alpha=alpha), s(x, arch=arch), atol=1e-5)
        h = torch.randn(2, 4, 8, 8)
        edge = s.cells[0].edges[0]
        mean = sum(edge.ops[o](h) for o in range(1, 5)) / 5  # 'none' adds zeros
        assert torch.allclose(edge(h, s.mixture(torch.zeros(6, 5))[0]), mean, atol=1e-6)
    with pytest.raises(ArchscoutError, match="shape"):
        s(x, alpha=torch.zeros(6, 4))


def test_path_dropout_keeps_at_least_one_op_and_rescales() -> None:
    rng = np.random.default_rng(0)
    kept = []
    for _ in range(300):
        for edge in NB201Supernet.dropout_choice(0.99, rng):
            assert len(edge) >= 1 and all(o in LIVE_OPS for o, _ in edge)
            assert all(w == pytest.approx(100.0) for _, w in edge)
            kept.append(len(edge))
    assert np.mean(kept) < 1.1  # almost always the forced single op at p = 0.99
    assert NB201Supernet.dropout_choice(0.0, rng) == [[(o, None) for o in LIVE_OPS]] * 6
    frac = np.mean([len(e) for _ in range(500) for e in NB201Supernet.dropout_choice(0.3, rng)]) / 4
    assert 0.66 < frac < 0.74  # each op kept with probability 0.7
    with pytest.raises(ArchscoutError):
        NB201Supernet.dropout_choice(1.0, rng)


def test_path_dropout_forward_is_seeded() -> None:
    s = perturbed_supernet().train()
    x = torch.randn(4, *SHAPE)
    a = s(x, drop_prob=0.5, rng=np.random.default_rng(1))
    b = s(x, drop_prob=0.5, rng=np.random.default_rng(1))
    c = s(x, drop_prob=0.5, rng=np.random.default_rng(2))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_forward_takes_exactly_one_mode_and_real_archs() -> None:
    s = perturbed_supernet()
    x = torch.randn(2, *SHAPE)
    with pytest.raises(ArchscoutError, match="exactly one"):
        s(x)
    with pytest.raises(ArchscoutError, match="exactly one"):
        s(x, arch=(1,) * 6, alpha=torch.zeros(6, 5))
    with pytest.raises(ArchscoutError, match="rng"):
        s(x, drop_prob=0.2)
    for bad in [(1,) * 5, (1, 1, 1, 1, 1, len(OPS)), "|none~0|", (1.0,) * 6]:
        with pytest.raises(ArchscoutError, match="NAS-Bench-201"):
            s(x, arch=bad)
