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


# --- MeCo ------------------------------------------------------------------------------------------------

def numpy_meco(fmap: np.ndarray) -> float:
    """The published recipe: channels x pixels, Pearson correlation, NaN -> 0, smallest eigenvalue."""
    f = fmap.reshape(fmap.shape[0], -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.corrcoef(f)
    return float(np.linalg.eigvalsh(np.nan_to_num(c, nan=0.0, posinf=0.0, neginf=0.0)).min())


def test_meco_of_map_two_channels_and_constant_channel() -> None:
    from archscout.estimation.zerocost.proxies import meco_of_map

    rng = np.random.default_rng(0)
    a = rng.normal(size=50)
    b = 0.6 * a + 0.8 * rng.normal(size=50)
    r = np.corrcoef(a, b)[0, 1]
    assert meco_of_map(torch.tensor(np.stack([a, b]).reshape(2, 5, 10))) == pytest.approx(1 - abs(r), abs=1e-10)
    assert meco_of_map(torch.tensor(np.stack([a, 3 * a + 1]).reshape(2, 5, 10))) == pytest.approx(0, abs=1e-10)
    with_const = np.stack([a, b, np.full(50, 2.5)]).reshape(3, 5, 10)  # its row and column count as 0
    assert meco_of_map(torch.tensor(with_const)) == pytest.approx(numpy_meco(with_const), abs=1e-10)
    assert meco_of_map(torch.tensor(with_const)) == pytest.approx(0, abs=1e-12)
    for _ in range(3):
        m = rng.normal(size=(6, 4, 4)) @ rng.normal(size=(4, 4))  # correlated random channels
        assert meco_of_map(torch.tensor(m)) == pytest.approx(numpy_meco(m), abs=1e-9)


def test_meco_of_a_nan_input_is_nan_not_zero() -> None:
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 3))
    y = torch.tensor([0, 1, 2, 0])
    assert math.isnan(Proxy("meco").score(net, (torch.full((4, 3, 8, 8), float("nan")), y)))
    assert math.isfinite(Proxy("meco").score(net, (torch.randn(4, 3, 8, 8), y)))


def test_meco_counts_each_map_once_and_reads_only_the_first_input() -> None:
    from archscout.estimation.zerocost.proxies import meco_of_map

    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    net = nn.Sequential(nn.Sequential(conv, nn.Identity()), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                        nn.Linear(4, 2))
    x = torch.randn(5, 3, 6, 6)
    with torch.no_grad():
        c = conv(x[:1])[0]
    expected = meco_of_map(c) + meco_of_map(torch.relu(c))  # conv, relu; pooled (1x1) maps add 0
    got = score_all(net, (x, torch.tensor([0, 1, 0, 1, 0])), ["meco"])["meco"]
    assert got == pytest.approx(expected, abs=1e-6)
    x2 = x.clone()
    x2[1:] = torch.randn(4, 3, 6, 6)  # other inputs and the labels do not matter
    assert score_all(net, (x2, torch.tensor([1, 1, 1, 1, 1])), ["meco"])["meco"] == pytest.approx(got, abs=1e-9)
    assert resolve("meco") == "meco" and "meco" not in PROXIES  # not one of the 13 published proxies


def test_meco_ranks_nb201_cells_and_runs_with_batchnorm1d() -> None:
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    b = (torch.randn(4, 3, 8, 8), torch.tensor([0, 1, 2, 1]))
    torch.manual_seed(0)
    conv = score_all(space.to_module((3, 3, 3, 3, 3, 3), (3, 8, 8), 3, C=4, N=1), b, ["meco"])["meco"]
    torch.manual_seed(0)
    empty = score_all(space.to_module((0,) * 6, (3, 8, 8), 3, C=4, N=1), b, ["meco"])["meco"]
    assert conv > empty >= 0  # an all-3x3 cell has more (and less collinear) maps than the empty cell
    mlp = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))  # no spatial maps: 0, no crash
    assert Proxy("meco").score(mlp, batch()) == 0.0


def test_bundled_meco_table_is_reproducible_and_ranks_nb201(shared_data) -> None:
    """The bundled MeCo scores come from this code: recompute a few cells exactly as the NOTICE says,
    and the table as a whole ranks NB201's CIFAR-10 test accuracy (the paper: Spearman 0.89)."""
    import csv
    import gzip

    from scipy.stats import spearmanr

    from archscout.estimation.zerocost.table import MECO_FILE
    from archscout.spaces.nb201 import NB201Space

    space = NB201Space()
    with gzip.open(MECO_FILE, "rt") as fh:
        table = {r["arch"]: float(r["meco"]) for r in csv.DictReader(fh)}
    assert len(table) == 9445 and all(math.isfinite(v) for v in table.values())
    d = np.load(shared_data / "cifar10" / "cifar10_subset.npz")
    idx = np.random.default_rng(0).choice(len(d["y_train"]), size=64, replace=False)
    mean, std = np.array([0.49139968, 0.48215827, 0.44653124]), np.array([0.24703233, 0.24348505, 0.26158768])
    x = torch.tensor(((d["x_train"][idx] / 255.0 - mean) / std).transpose(0, 3, 1, 2), dtype=torch.float32)
    b = (x, torch.tensor(d["y_train"][idx].astype(np.int64)))
    for arch in sorted(table)[::2000]:
        torch.manual_seed(0)
        net = space.to_module(space.from_string(arch), (3, 32, 32), 10)
        assert Proxy("meco").score(net, b) == pytest.approx(table[arch], rel=1e-5, abs=1e-6)
    acc = {}
    with (shared_data / "nb201" / "test_accuracy.csv").open() as fh:
        for r in csv.DictReader(fh):
            acc.setdefault(space.to_string(space.canonical(space.from_string(r["arch"]))), float(r["cifar10"]))
    keys = sorted(table)
    assert spearmanr([table[k] for k in keys], [acc[k] for k in keys]).statistic > 0.85


def test_default_proxy_table_adds_bundled_meco_on_request(tmp_path) -> None:
    import csv
    import gzip

    from archscout.estimation.zerocost.table import MECO_FILE, load_proxy_table

    with gzip.open(MECO_FILE, "rt") as fh:
        meco = {r["arch"]: float(r["meco"]) for r in csv.DictReader(fh)}
    t = load_proxy_table(names=["nwot", "meco"])
    assert t.names == ("nwot", "meco") and len(t) == 9445
    got = dict(zip((t.space.to_string(a) for a in t.archs), t.scores[:, 1]))
    assert all(got[k] == pytest.approx(v) for k, v in list(meco.items())[:200])
    assert "meco" not in load_proxy_table().names  # not part of the default set of 13
    own = tmp_path / "p.csv"
    own.write_text("arch,nwot\n|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|,1.0\n")
    with pytest.raises(ArchscoutError, match="meco"):  # a user's file is never completed behind their back
        load_proxy_table(own, names=["nwot", "meco"])


def test_misuse_is_one_clear_error() -> None:
    x, y = batch()
    with pytest.raises(ArchscoutError, match="no trainable parameters"):
        Proxy("snip").score(nn.Flatten(), (x, y))
    with pytest.raises(ArchscoutError, match="labels run from"):
        Proxy("snip").score(linear_net(), (x, y + 100))
    with pytest.raises(ArchscoutError, match="one integer class index per input"):
        Proxy("snip").score(linear_net(), (x, torch.nn.functional.one_hot(y, 3).float()))
    with pytest.raises(ArchscoutError, match="not a string"):
        score_all(linear_net(), (x, y), "snip")

    class DictNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = linear_net()

        def forward(self, v):
            return {"logits": self.net(v)}

    with pytest.raises(ArchscoutError, match="returns logits of shape"):
        Proxy("snip").score(DictNet(), (x, y))
