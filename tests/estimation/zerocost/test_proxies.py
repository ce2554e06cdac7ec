"""Each proxy on tiny networks whose scores can be worked out by hand (or with numpy, without autograd)."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from archscout.errors import ArchscoutError  # noqa: E402
from archscout.estimation.zerocost import PROXIES, resolve  # noqa: E402
from archscout.estimation.zerocost.proxies import Proxy, score_all, score_archs  # noqa: E402

torch.set_num_threads(1)
W1 = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]])  # 3 x 2
W2 = np.array([[1.0, -0.5, 0.25], [-2.0, 0.5, 1.0]])  # 2 x 3
X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7], [2.0, 1.0]])
Y = np.array([0, 1, 1, 0])


def linear_net() -> nn.Module:
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.Linear(3, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1))
        net[1].weight.copy_(torch.tensor(W2))
    return net


def batch() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(X, dtype=torch.float32), torch.tensor(Y)


def manual_grads() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cross-entropy gradients of the two-layer linear net, by hand."""
    h = X @ W1.T
    z = h @ W2.T
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    gz = (p - np.eye(2)[Y]) / len(Y)  # dL/dz
    gh = gz @ W2  # dL/dh
    return gz.T @ h, gh.T @ X, h, gh, z, gz  # dW2, dW1, activations and their gradients


def test_params_flops_l2_by_hand() -> None:
    s = score_all(linear_net(), batch(), ["params", "flops", "l2_norm"])
    assert s["params"] == 12
    assert s["flops"] == 2 * 3 + 3 * 2
    assert s["l2_norm"] == pytest.approx(np.linalg.norm(W1) + np.linalg.norm(W2), rel=1e-6)


def test_synflow_two_layer_linear() -> None:
    # |W|, ones input: R = 1^T |W2| |W1| 1 and every layer's sum |w dR/dw| equals R, so synflow = log(2R).
    r = np.abs(W2).sum(0) @ np.abs(W1) @ np.ones(2)
    assert Proxy("synflow").score(linear_net(), batch()) == pytest.approx(math.log(2 * r), rel=1e-9)


def test_synflow_removes_batchnorm() -> None:
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.BatchNorm1d(3), nn.Linear(3, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1))
        net[2].weight.copy_(torch.tensor(W2))
    r = np.abs(W2).sum(0) @ np.abs(W1) @ np.ones(2)
    assert Proxy("synflow").score(net, batch()) == pytest.approx(math.log(2 * r), rel=1e-9)


def test_gradient_proxies_match_hand_gradients() -> None:
    d_w2, d_w1, h, gh, z, gz = manual_grads()
    s = score_all(linear_net(), batch(), ["grad_norm", "snip", "plain", "fisher"])
    assert s["grad_norm"] == pytest.approx(np.linalg.norm(d_w1) + np.linalg.norm(d_w2), rel=1e-5)
    assert s["snip"] == pytest.approx(np.abs(W1 * d_w1).sum() + np.abs(W2 * d_w2).sum(), rel=1e-5)
    assert s["plain"] == pytest.approx((W1 * d_w1).sum() + (W2 * d_w2).sum(), rel=1e-4, abs=1e-7)
    # fisher: per output unit 0.5 * mean_n (a * dL/da)^2, counted fan_in times (= 2 and 3 here)
    fisher = 2 * (0.5 * ((h * gh) ** 2).mean(0)).sum() + 3 * (0.5 * ((z * gz) ** 2).mean(0)).sum()
    assert s["fisher"] == pytest.approx(fisher, rel=1e-4)


def test_grasp_is_minus_w_times_hessian_gradient() -> None:
    net = linear_net()
    xb, yb = batch()
    params = [m.weight for m in net]

    def grads(ws: list[torch.Tensor]) -> list[torch.Tensor]:
        h = xb.double() @ ws[0].T
        return list(torch.autograd.grad(nn.functional.cross_entropy(h @ ws[1].T, yb), ws))

    w = [p.detach().double().requires_grad_(True) for p in params]
    g = [t.detach() for t in grads(w)]
    eps = 1e-4  # Hg by central differences of the gradient, no double backward
    plus = grads([(a + eps * b).detach().requires_grad_(True) for a, b in zip(w, g)])
    minus = grads([(a - eps * b).detach().requires_grad_(True) for a, b in zip(w, g)])
    expected = sum(float((-a.detach() * (p - m) / (2 * eps)).sum()) for a, p, m in zip(w, plus, minus))
    assert Proxy("grasp").score(net, batch()) == pytest.approx(expected, rel=1e-3)


def test_nwot_counts_relu_agreements() -> None:
    net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(), nn.Linear(2, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(2))
    x = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
    # codes (1,1), (1,0), (0,0): K = [[2,1,0],[1,2,1],[0,1,2]], det 4
    assert Proxy("naswot").score(net, (x, torch.tensor([0, 1, 0]))) == pytest.approx(math.log(4.0), rel=1e-9)


def test_jacov_and_epe_nas_with_identical_jacobians() -> None:
    # a linear net has the same input Jacobian for every sample: the correlation matrix is all ones.
    k, n = 1e-5, len(X)
    s = score_all(linear_net(), batch(), ["jacob_cov", "epe_nas"])
    eig = np.array([n] + [0.0] * (n - 1))
    assert s["jacov"] == pytest.approx(-np.sum(np.log(eig + k) + 1.0 / (eig + k)), rel=1e-3)
    # classes 0 and 1 each hold 2 samples: s_c = 4 log(1 + k) for both, so the spread is 0
    assert s["epe_nas"] == pytest.approx(0.0, abs=1e-9)
    xb, _ = batch()
    s2 = score_all(linear_net(), (xb[:3], torch.tensor([0, 0, 1])), ["epe_nas"])
    assert s2["epe_nas"] == pytest.approx(3 * math.log(1 + k), rel=1e-6)  # (|4-1| + |1-4|) log(1+k) / 2


def test_zen_is_seeded_and_leaves_the_module_alone() -> None:
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(4, 2))
    before = [p.detach().clone() for p in net.parameters()]
    b = (torch.randn(4, 1, 6, 6), torch.tensor([0, 1, 0, 1]))
    a1, a2, other = Proxy("zen", seed=1).score(net, b), Proxy("zen", seed=1).score(net, b), Proxy("zen", seed=2).score(net, b)
    assert a1 == a2 and a1 != other and math.isfinite(a1)
    assert all(torch.equal(p, q) for p, q in zip(before, net.parameters()))


def test_all_proxies_on_nb201_cell_and_nan_sentinel() -> None:
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    x = torch.randn(4, 3, 8, 8)
    y = torch.tensor([0, 1, 2, 1])
    torch.manual_seed(0)
    good = score_all(space.to_module((3, 1, 2, 4, 0, 3), (3, 8, 8), 3, C=2, N=1), (x, y))
    assert set(good) == set(PROXIES) and all(math.isfinite(v) for v in good.values())
    empty = score_all(space.to_module((0,) * 6, (3, 8, 8), 3, C=2, N=1), (x, y), ["synflow", "jacov", "params"])
    assert math.isnan(empty["synflow"]) and math.isnan(empty["jacov"]) and empty["params"] > 0


def test_score_archs_caches_and_is_seeded() -> None:
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    b = (torch.randn(4, 3, 8, 8), torch.tensor([0, 1, 2, 1]))
    archs = [(3, 1, 2, 4, 0, 3), (1, 1, 1, 1, 1, 1)]
    build = lambda a: space.to_module(a, (3, 8, 8), 3, C=2, N=1)  # noqa: E731
    seen = []
    cache: dict = {}
    first = score_archs(build, archs, b, ["snip", "l2_norm"], seed=3, key=space.to_string, cache=cache,
                        on_result=lambda k, s: seen.append(k), progress=False)
    again = score_archs(build, archs, b, ["snip", "l2_norm"], seed=3, key=space.to_string, progress=False)
    assert first == again and len(seen) == 2
    score_archs(build, archs, b, ["snip"], seed=3, key=space.to_string, cache=cache,
                on_result=lambda k, s: seen.append(k), progress=False)
    assert len(seen) == 2  # served from the cache


def test_bad_input() -> None:
    with pytest.raises(ArchscoutError):
        resolve("accuracy")
    with pytest.raises(ArchscoutError, match="forward pass"):
        Proxy("snip").score(linear_net(), (torch.randn(4, 5), torch.tensor([0, 1, 0, 1])))
    with pytest.raises(ArchscoutError):
        Proxy("snip").score(linear_net(), torch.randn(4, 2))


def test_score_archs_names_the_failing_architecture() -> None:
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    wrong = (torch.randn(4, 1, 8, 8), torch.tensor([0, 1, 2, 1]))  # 1 channel for a 3-channel network
    with pytest.raises(ArchscoutError, match=r"architecture \|nor_conv_3x3~0\|.*forward pass"):
        score_archs(lambda a: space.to_module(a, (3, 8, 8), 3, C=2, N=1), [(3, 1, 2, 4, 0, 3)], wrong, ["snip"],
                    key=space.to_string, progress=False)
