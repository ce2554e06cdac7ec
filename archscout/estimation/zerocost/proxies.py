"""Zero-cost proxies: score an untrained PyTorch network from one minibatch.

Definitions follow Abdelfattah et al. (ICLR 2021, "Zero-Cost Proxies for Lightweight NAS") and
NAS-Bench-Suite-Zero (Krishnakumar et al., NeurIPS 2022 D&B), so that the scores rank networks the
way the published ones do. "Layers" are the Conv1d/Conv2d/Linear modules; "loss" is cross-entropy on
the batch with the network in training mode (BatchNorm uses batch statistics).

- ``grad_norm``  sum over layers of ||dL/dW||_2
- ``snip``       sum |W * dL/dW|   (the gradient of the loss w.r.t. a multiplicative mask at 1)
- ``grasp``      sum -W * (H g), g = dL/dW, H the Hessian of the loss (Hessian-gradient product)
- ``fisher``     sum over layers and output channels of fan_in * 0.5 * mean_batch (sum_spatial a * dL/da)^2,
                 a = the layer's output (the per-channel value counted once per weight of the channel)
- ``plain``      sum W * dL/dW
- ``synflow``    log sum |W * dR/dW|, R = sum of outputs of the network with BatchNorm removed, all
                 weights replaced by their absolute values, in double precision, on an all-ones input
- ``jacov``      -sum_i log(v_i + k) + 1/(v_i + k), v the eigenvalues of the correlation matrix of the
                 per-sample input Jacobians (k = 1e-5); alias ``jacob_cov``
- ``epe_nas``    per class c: s_c = sum log(|corr(J_c)| + k); score = sum_{c,c'} |s_c - s_c'| / #classes
- ``nwot``       log |det K|, K_ij = number of ReLUs on which samples i and j agree (NASWOT); alias ``naswot``
- ``zen``        log E|f(x) - f(x + 0.01 e)| + sum over BN log sqrt(mean running var), f = pre-pooling
                 features with Gaussian weights and random inputs (Zen-NAS)
- ``meco``       sum over the feature maps of the first input of the batch of the smallest eigenvalue of
                 the channels' Pearson correlation matrix (pixels as observations; a constant channel's
                 correlations count as 0); every module's output map counts once: a map passed on
                 unchanged (a container's output, an identity) is not counted again (MeCo, Jiang et al. NeurIPS 2023)
- ``l2_norm``    sum over layers of ||W||_2;  ``params``: trainable parameters;  ``flops``: see
                 `archscout.spaces.nb201_net.count_flops`

Sentinel: a score that is NaN or infinite (e.g. a disconnected cell has synflow log 0 = -inf and an
undefined Jacobian correlation) is returned as ``NaN``; rankings (RoBoT, the benchmark) treat NaN as the
worst value. A network that cannot run a forward pass raises `ArchscoutError`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archscout.errors import ArchscoutError
from archscout.estimation.zerocost import PROXIES, resolve

Batch = tuple[torch.Tensor, torch.Tensor]
_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Linear)
_BN = (nn.BatchNorm1d, nn.BatchNorm2d)
EPS = 1e-5


def _layers(net: nn.Module) -> list[nn.Module]:
    return [m for m in net.modules() if isinstance(m, _LAYERS)]


def _finite(v: float) -> float:
    return float(v) if math.isfinite(v) else float("nan")


def _forward(net: nn.Module, x: torch.Tensor) -> torch.Tensor:
    try:
        out = net(x)
    except (RuntimeError, ValueError, IndexError) as e:
        raise ArchscoutError(f"the network failed a forward pass on an input of shape {tuple(x.shape)}: {e}") from None
    if isinstance(out, (tuple, list)) and out:  # networks that return (features, logits): the last is scored
        out = out[-1]
    if not isinstance(out, torch.Tensor) or out.ndim < 2 or out.shape[0] != x.shape[0]:
        raise ArchscoutError("a scored network returns logits of shape (batch, classes), or a tuple whose last "
                             f"element is that; got {type(out).__name__}"
                             + (f" of shape {tuple(out.shape)}" if isinstance(out, torch.Tensor) else ""))
    return out


def _labelled_loss(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the network's logits; labels beyond its outputs are one clear error."""
    out = _forward(net, x)
    if int(y.max()) >= out.shape[1] or int(y.min()) < 0:
        raise ArchscoutError(f"labels run from {int(y.min())} to {int(y.max())} but the network has {out.shape[1]} "
                             "outputs; labels are class indices 0 .. classes - 1")
    return F.cross_entropy(out, y)


def _check_batch(batch: Any) -> Batch:
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise ArchscoutError("a proxy batch is a pair (inputs, integer labels)")
    x, y = batch
    x = torch.as_tensor(x)
    y = torch.as_tensor(y)
    if y.ndim != 1 or y.is_floating_point() and not torch.equal(y, y.round()):
        raise ArchscoutError(f"proxy labels are one integer class index per input (shape (batch,)); got shape "
                             f"{tuple(y.shape)}{' with fractions' if y.ndim == 1 else ''}")
    y = y.long()
    if x.shape[0] != y.shape[0] or x.shape[0] < 2:
        raise ArchscoutError(f"a proxy batch needs >= 2 inputs with one label each (got {x.shape[0]} and {y.shape[0]})")
    return x.float(), y


# --- groups of proxies that share one computation ----------------------------------------------------

def _loss_gradients(net: nn.Module, batch: Batch) -> dict[str, float]:
    """One forward/backward of the loss: grad_norm, snip, plain, fisher, and the NASWOT kernel."""
    x, y = batch
    net = copy.deepcopy(net).train()
    layers = _layers(net)
    acts: dict[int, torch.Tensor] = {}
    fisher: dict[int, torch.Tensor] = {}
    n = x.shape[0]
    kernel = torch.zeros(n, n, dtype=torch.float64)
    hooks = []

    def act_hook(idx: int) -> Callable:
        def hook(m: nn.Module, inp: tuple, out: torch.Tensor) -> None:
            if not out.requires_grad:
                return
            # The gradient hook reads the activation from `acts`, never from `out` itself: a hook that
            # holds its own tensor makes a cycle through the autograd graph that Python's garbage
            # collector cannot see, and every scored network's graph stayed in memory (~150 MB each).
            acts[idx] = out.detach()

            def grad_hook(g: torch.Tensor) -> None:
                prod = acts[idx] * g.detach()
                if prod.dim() > 2:
                    prod = prod.sum(dim=tuple(range(2, prod.dim())))
                # per-channel Fisher, spread over the channel's weights as NAS-Bench-Suite-Zero sums it
                fan = m.weight.numel() // m.weight.shape[0]
                fisher[idx] = fisher.get(idx, 0.0) + 0.5 * prod.pow(2).mean(0).sum() * fan

            out.register_hook(grad_hook)
        return hook

    def relu_hook(m: nn.Module, inp: tuple, out: torch.Tensor) -> None:
        # ReLU(x) > 0 exactly where x > 0, so the output also serves in-place ReLUs.
        # agreements = c c^T + (1-c)(1-c)^T = 2 c c^T - |c_i| - |c_j| + units (exact in float32 here)
        code = (out.detach().reshape(n, -1) > 0).float()
        ones = code.sum(1, keepdim=True)
        k = 2.0 * (code @ code.T) - ones - ones.T + code.shape[1]
        kernel.add_(k.double())

    for i, layer in enumerate(layers):
        hooks.append(layer.register_forward_hook(act_hook(i)))
    for m in net.modules():
        if isinstance(m, nn.ReLU):
            hooks.append(m.register_forward_hook(relu_hook))
    net.zero_grad()
    loss = _labelled_loss(net, x, y)
    loss.backward()
    for h in hooks:
        h.remove()
    acts.clear()
    grad_norm = snip = plain = 0.0
    for layer in layers:
        g = layer.weight.grad
        if g is None:
            continue
        w = layer.weight.detach()
        grad_norm += float(g.norm())
        snip += float((w * g).abs().sum())
        plain += float((w * g).sum())
    sign, logdet = np.linalg.slogdet(kernel.numpy())
    return {
        "grad_norm": _finite(grad_norm),
        "snip": _finite(snip),
        "plain": _finite(plain),
        "fisher": _finite(float(sum(fisher.values()))) if fisher else float("nan"),
        "nwot": _finite(float(logdet)) if sign != 0 else float("nan"),
    }


def _input_jacobian(net: nn.Module, batch: Batch) -> dict[str, float]:
    """d(sum of outputs)/d(input) per sample: jacov and epe_nas."""
    x, y = batch
    net = copy.deepcopy(net).train()
    x = x.clone().requires_grad_(True)
    out = _forward(net, x)
    out.backward(torch.ones_like(out))
    jac = x.grad.reshape(x.shape[0], -1).double().numpy()
    return {"jacov": _jacov(jac), "epe_nas": _epe_nas(jac, y.numpy())}


def _jacov(jac: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        corr = np.corrcoef(jac)
    if not np.all(np.isfinite(corr)):
        return float("nan")
    v = np.linalg.eigvalsh(corr)
    return _finite(float(-np.sum(np.log(v + EPS) + 1.0 / (v + EPS))))


def _epe_nas(jac: np.ndarray, labels: np.ndarray) -> float:
    per_class = {}
    with np.errstate(all="ignore"):
        for c in np.unique(labels):
            rows = jac[labels == c]
            corr = np.corrcoef(rows) if len(rows) > 1 else np.ones((1, 1))
            s = float(np.sum(np.log(np.abs(corr) + EPS)))
            if math.isfinite(s):
                per_class[int(c)] = s
    if not per_class:
        return float("nan")
    s = np.array(list(per_class.values()))
    return _finite(float(np.abs(s[:, None] - s[None, :]).sum() / len(s)))


def _grasp(net: nn.Module, batch: Batch) -> dict[str, float]:
    """-W * Hg with g the loss gradient (temperature 1), via a double backward."""
    x, y = batch
    net = copy.deepcopy(net).train()
    layers = _layers(net)
    weights = [layer.weight for layer in layers]
    net.zero_grad()
    loss = _labelled_loss(net, x, y)
    grads = torch.autograd.grad(loss, weights, create_graph=True, allow_unused=True)
    z = sum((g * g.detach()).sum() for g in grads if g is not None)
    if not isinstance(z, torch.Tensor) or not z.requires_grad:
        return {"grasp": float("nan")}
    z.backward()
    total = 0.0
    for layer in layers:
        if layer.weight.grad is not None:
            total += float((-layer.weight.detach() * layer.weight.grad).sum())
    return {"grasp": _finite(total)}


def _synflow(net: nn.Module, batch: Batch) -> dict[str, float]:
    """Synaptic flow on the linearised network: BN removed, |weights|, double precision, ones input."""
    x, _ = batch
    net = copy.deepcopy(net)
    _remove_bn(net)
    net = net.double().train()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad()
    out = _forward(net, torch.ones((1, *x.shape[1:]), dtype=torch.float64))
    out.sum().backward()
    total = 0.0
    for layer in _layers(net):
        if layer.weight.grad is not None:
            total += float((layer.weight.detach() * layer.weight.grad).abs().sum())
    return {"synflow": math.log(total) if total > 0 and math.isfinite(total) else float("nan")}


def _remove_bn(net: nn.Module) -> None:
    for name, child in list(net.named_children()):
        if isinstance(child, _BN):
            setattr(net, name, nn.Identity())
        else:
            _remove_bn(child)


def _zen(net: nn.Module, batch: Batch, seed: int) -> dict[str, float]:
    """Zen score: feature-map sensitivity to a small input perturbation, Gaussian weights, + BN scale."""
    x, _ = batch
    net = copy.deepcopy(net).train()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, _LAYERS):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen))
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, _BN):
                m.reset_running_stats()
                if m.affine:
                    m.weight.fill_(1.0)
                    m.bias.zero_()
        pools = [m for m in net.modules() if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d))]
        feats: list[torch.Tensor] = []
        hook = pools[-1].register_forward_hook(lambda m, i, o: feats.append(i[0])) if pools else None
        a = torch.randn(x.shape, generator=gen)
        b = torch.randn(x.shape, generator=gen)
        out_a = _forward(net, a)
        out_b = _forward(net, a + 0.01 * b)
        if hook is not None:
            hook.remove()
            out_a, out_b = feats[0], feats[1]
        diff = (out_a - out_b).abs().reshape(x.shape[0], -1).sum(1).mean()
        score = math.log(float(diff)) if float(diff) > 0 else float("nan")
        for m in net.modules():
            if isinstance(m, _BN) and m.running_var is not None:
                score += math.log(math.sqrt(float(m.running_var.mean())))
    return {"zen": _finite(score)}


def meco_of_map(fmap: torch.Tensor) -> float:
    """Smallest eigenvalue of the channel correlation matrix of one feature map (C, *spatial)."""
    f = fmap.detach().reshape(fmap.shape[0], -1).double()
    if not bool(torch.isfinite(f).all()):
        return float("nan")  # a NaN/inf map has no correlation to measure (not "uncorrelated": 0)
    if f.shape[0] < 2 or f.shape[1] < 2:
        return 0.0
    f = f - f.mean(1, keepdim=True)
    norm = f.norm(dim=1)
    live = norm > 1e-12 * max(float(norm.max()), 1e-300)
    corr = torch.zeros(f.shape[0], f.shape[0], dtype=torch.float64)
    if live.any():  # a constant channel has no correlation: its row and column stay 0 (MeCo's convention)
        g = f[live] / norm[live, None]
        idx = torch.nonzero(live).squeeze(1)
        corr[idx[:, None], idx[None, :]] = g @ g.T
    return float(torch.linalg.eigvalsh(corr)[0])


def _meco(net: nn.Module, batch: Batch) -> dict[str, float]:
    """MeCo of the batch's first input, alone in one forward pass (training-mode BatchNorm), no labels.

    One input, as in the paper: on 150 NB201 cells it ranks CIFAR-10 accuracy as well as the first input
    of a 64-image pass (Spearman 0.914 vs 0.900) at half the cost (benchmarks/training_free_meco_inputs.py).
    A network whose BatchNorm needs more than one value per channel (BatchNorm1d on flat features) gets
    the first two inputs.
    """
    x, _ = batch
    try:
        return {"meco": _meco_pass(net, x[:1])}
    except ArchscoutError:
        return {"meco": _meco_pass(net, x[:2])}


def _meco_pass(net: nn.Module, x: torch.Tensor) -> float:
    net = copy.deepcopy(net).train()
    last: list[Any] = [None]  # the map the previous hook saw (a container returns its last child's)
    total = [0.0]

    def hook(module: nn.Module, inputs: Any, output: Any) -> None:
        out = output[0] if isinstance(output, (tuple, list)) else output
        if not isinstance(out, torch.Tensor) or out.dim() < 3 or out.shape[0] != x.shape[0]:
            return  # only per-sample maps with channels and at least one spatial axis
        if not getattr(module, "inplace", False) and (out is last[0] or any(out is i for i in inputs)):
            return  # passed on unchanged: counted already (or an identity of a map counted elsewhere)
        last[0] = out
        total[0] += meco_of_map(out[0])  # one NaN map makes the score NaN, the proxies' "cannot score"

    handles = [m.register_forward_hook(hook) for m in net.modules()]
    try:
        with torch.no_grad():
            _forward(net, x)
    finally:
        for h in handles:
            h.remove()
    return _finite(total[0])


def _static(net: nn.Module, batch: Batch) -> dict[str, float]:
    from archscout.spaces.nb201_net import count_flops, count_params

    x, _ = batch
    with torch.no_grad():
        l2 = sum(float(layer.weight.norm()) for layer in _layers(net))
    try:
        flops = float(count_flops(copy.deepcopy(net), x.shape[1:]))
    except (RuntimeError, ValueError) as e:
        raise ArchscoutError(f"the network failed a forward pass on an input of shape {(1, *x.shape[1:])}: {e}") from None
    return {"l2_norm": _finite(l2), "params": float(count_params(net)), "flops": flops}


_GROUPS: dict[str, tuple[str, ...]] = {
    "loss": ("grad_norm", "snip", "plain", "fisher", "nwot"),
    "jacobian": ("jacov", "epe_nas"),
    "grasp": ("grasp",),
    "synflow": ("synflow",),
    "zen": ("zen",),
    "meco": ("meco",),
    "static": ("l2_norm", "params", "flops"),
}


def score_all(module: nn.Module, batch: Any, names: Iterable[str] | None = None, seed: int = 0) -> dict[str, float]:
    """Every requested proxy of one network on one batch; proxies that share a pass share it.

    The module is never modified (each computation works on a copy). `seed` drives the random parts
    (Zen's Gaussian weights and inputs); weight initialisation is the caller's.
    """
    if isinstance(names, str):
        raise ArchscoutError(f"names is a list of proxy names, e.g. [{names!r}], not a string")
    wanted = [resolve(n) for n in (PROXIES if names is None else names)]
    if not any(p.requires_grad for p in module.parameters()):
        raise ArchscoutError("the network has no trainable parameters: zero-cost proxies score weights and gradients")
    b = _check_batch(batch)
    out: dict[str, float] = {}
    torch.manual_seed(seed)
    for group, members in _GROUPS.items():
        if not any(m in wanted for m in members):
            continue
        if group == "loss":
            out.update(_loss_gradients(module, b))
        elif group == "jacobian":
            out.update(_input_jacobian(module, b))
        elif group == "grasp":
            out.update(_grasp(module, b))
        elif group == "synflow":
            out.update(_synflow(module, b))
        elif group == "zen":
            out.update(_zen(module, b, seed))
        elif group == "meco":
            out.update(_meco(module, b))
        else:
            out.update(_static(module, b))
    return {n: out[n] for n in wanted}


class Proxy:
    """One zero-cost proxy: ``Proxy("snip").score(module, (x, y)) -> float`` (NaN = undefined).

    The module returns logits (batch, classes), or a tuple whose *last* element is the logits (as
    NAS-Bench-201's networks return (features, logits)); the labels are class indices.
    """

    def __init__(self, name: str, seed: int = 0) -> None:
        self.name = resolve(name)
        self.seed = seed

    def score(self, module: nn.Module, batch: Any) -> float:
        return score_all(module, batch, [self.name], seed=self.seed)[self.name]

    def __repr__(self) -> str:
        return f"Proxy({self.name!r})"


def score_archs(
    build: Callable[[Any], nn.Module],
    archs: Sequence[Any],
    batch: Any,
    names: Iterable[str] | None = None,
    seed: int = 0,
    key: Callable[[Any], str] = str,
    cache: dict[str, dict[str, float]] | None = None,
    on_result: Callable[[str, dict[str, float]], None] | None = None,
    progress: bool = True,
) -> list[dict[str, float]]:
    """Scores of many architectures, each network initialised from ``torch.manual_seed(seed)``.

    `build(arch)` returns the network; `cache` (key -> scores) skips architectures already scored and
    `on_result` is called after each new one (write it to a file to make a long run resumable).
    """
    from tqdm import tqdm

    wanted = [resolve(n) for n in (PROXIES if names is None else names)]
    cache = {} if cache is None else cache
    results = []
    bar = tqdm(archs, desc="zero-cost proxies", unit="net", disable=not progress)
    for arch in bar:
        k = key(arch)
        hit = cache.get(k)
        missing = [n for n in wanted if hit is None or n not in hit]
        if missing:  # only what is not cached yet
            torch.manual_seed(seed)
            net = build(arch)
            try:
                hit = {**(hit or {}), **score_all(net, batch, missing, seed=seed)}
            except ArchscoutError as e:
                raise ArchscoutError(f"architecture {k}: {e}") from None
            cache[k] = hit
            if on_result is not None:
                on_result(k, hit)
        results.append({n: hit[n] for n in wanted})
    return results
