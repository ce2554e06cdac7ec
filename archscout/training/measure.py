"""Parameter and FLOP counts of a built module.

FLOPs are operations of one forward pass on one example: convolutions and linear layers one per
weight use (+1 per output for a bias), pools kernel-size per output; additions are free. With
``elementwise=True`` ReLU counts one and BatchNorm two per element and global average pooling one per
input element, the rules of NAS-Bench-Suite-Zero's ``flops`` column. Counting needs a forward pass
(spatial sizes), made in eval mode with batch size 1 so BN statistics are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def count_params(module: Any) -> int:
    """Trainable parameters (BN running statistics are buffers and do not count)."""
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


def count_flops(module: Any, input_shape: Sequence[int], elementwise: bool = False) -> int:
    import math

    import torch
    from torch import nn

    total = [0]

    def conv_hook(m: Any, inp: tuple, out: Any) -> None:
        per_out = (m.in_channels // m.groups) * math.prod(m.kernel_size)
        total[0] += out.numel() * per_out + (out.numel() if m.bias is not None else 0)

    def linear_hook(m: Any, inp: tuple, out: Any) -> None:
        total[0] += out.numel() * m.in_features + (out.numel() if m.bias is not None else 0)

    def pool_hook(m: Any, inp: tuple, out: Any) -> None:
        k = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * (out.dim() - 2)
        total[0] += out.numel() * math.prod(k)

    def per_element(per: int) -> Any:
        def hook(m: Any, inp: tuple, out: Any) -> None:
            total[0] += per * out.numel()

        return hook

    def gap_hook(m: Any, inp: tuple, out: Any) -> None:
        total[0] += inp[0].numel()

    hooks = []
    for m in module.modules():
        if elementwise and isinstance(m, nn.ReLU):
            hooks.append(m.register_forward_hook(per_element(1)))
        elif elementwise and isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            hooks.append(m.register_forward_hook(per_element(2)))
        elif elementwise and isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)):
            hooks.append(m.register_forward_hook(gap_hook))
        elif isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, (nn.AvgPool1d, nn.AvgPool2d, nn.MaxPool1d, nn.MaxPool2d)):
            hooks.append(m.register_forward_hook(pool_hook))
    was_training = module.training
    module.eval()
    try:
        p = next(module.parameters(), None)
        kw = {"dtype": p.dtype, "device": p.device} if p is not None else {}
        with torch.no_grad():
            module(torch.zeros((1, *tuple(input_shape)), **kw))
    finally:
        for h in hooks:
            h.remove()
        module.train(was_training)
    return int(total[0])
