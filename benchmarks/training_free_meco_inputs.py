"""Why `Proxy("meco")` reads the first input alone (BENCHMARKS.md, "MeCo"): on a seeded sample of NB201
cells, MeCo from a forward pass of that one input against the same input's maps inside a pass of the whole
64-image batch (training-mode BatchNorm sees the batch then), each against the 200-epoch CIFAR-10 test
accuracy, with the seconds per network (building it included). One thread:

    python benchmarks/training_free_meco_inputs.py --n 150 > benchmarks/results/training_free_meco_inputs.md
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    import torch
    from scipy.stats import spearmanr

    from archscout.estimation.zerocost.proxies import _meco_pass
    from archscout.spaces.nb201 import NB201Space
    from training_free_proxies import cifar_batch, published, test_accuracy

    torch.set_num_threads(1)
    space = NB201Space()
    names = sorted(published())
    archs = [names[i] for i in np.random.default_rng(a.seed).choice(len(names), size=a.n, replace=False)]
    acc = test_accuracy(space, "cifar10")
    x, _ = cifar_batch(64, a.seed)
    rows = []
    for label, inputs in (("first input alone", x[:1]), ("first input of the 64-image pass", x)):
        scores, t0 = [], time.perf_counter()
        for s in archs:
            torch.manual_seed(a.seed)
            scores.append(_meco_pass(space.to_module(space.from_string(s), (3, 32, 32), 10), inputs))
        sec = (time.perf_counter() - t0) / len(archs)
        rho = spearmanr(scores, [acc[s] for s in archs]).statistic
        rows.append(f"| {label} | {len(archs)} | {rho:.3f} | {sec:.3f} |")
    print("| MeCo from | cells | Spearman vs CIFAR-10 test acc | s per network |\n|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
