"""SWAP (sample-wise activation patterns) as one more zero-cost proxy: development check (BENCHMARKS.md, predictors).

Why: the committee's proxies are nearly all read off the untrained network at one point; SWAP (Peng et al.,
ICLR 2024) counts how many distinct on/off patterns the network's ReLU inputs take across a batch of inputs
(one bit per sample per neuron; a pattern = one neuron's bits over the batch), a measure of how finely the
untrained network separates the inputs. It needs one forward pass and no label. This script (1) scores all
9,445 canonical NB201 cells with it (same networks, initialisation and CIFAR-10 batch as the bundled MeCo:
`training_free_proxies.py --seed 0`, C = 16, N = 5, 64 images; resumable JSON lines), then (2) adds it to
`--features zcsmooth meco` and compares `ens-et` and `ens-et-gnn` with and without it, 100 training cells,
CIFAR-10, development seeds 100-109 (never the reported 0-9). The pool (and so the smoothing, the GNN's
pretraining and the test cells) is the cells scored so far, the same for both variants, so a partial scoring
run (the cells are scored in a seeded order) already gives a fair comparison on a smaller pool.

    for i in 0 1; do OMP_NUM_THREADS=1 python benchmarks/training_free_swap_dev.py score --part $i --parts 2 & done; wait
    OMP_NUM_THREADS=1 python benchmarks/training_free_swap_dev.py predict [--report]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from predictors_dev_runs import parser, read_done, run_seeds, table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SCORES = RESULTS / "training_free_swap.jsonl"
OUT = RESULTS / "predictors_swap_dev.jsonl"
VARIANTS = {"ens-et": ("ens-et", False), "ens-et + swap": ("ens-et", True),
            "ens-et-gnn": ("ens-et-gnn", False), "ens-et-gnn + swap": ("ens-et-gnn", True)}


def swap_score(net, x) -> float:
    """Distinct sample-wise activation patterns of every ReLU's input over the batch (the input must be <= 64)."""
    import torch

    codes = []
    weights = torch.tensor([1 << i for i in range(x.shape[0])], dtype=torch.int64)

    def hook(_module, inputs):
        bits = (inputs[0] > 0).reshape(inputs[0].shape[0], -1).to(torch.int64)  # (samples, neurons)
        codes.append((bits * weights[:, None]).sum(0).numpy())  # one 64-bit code per neuron

    handles = [m.register_forward_pre_hook(hook) for m in net.modules() if isinstance(m, torch.nn.ReLU)]
    try:
        with torch.no_grad():
            net(x)
    finally:
        for h in handles:
            h.remove()
    return float(len(np.unique(np.concatenate(codes)))) if codes else 0.0


def score(args: argparse.Namespace) -> None:
    import torch
    from training_free_proxies import cifar_batch, published

    from archscout.spaces.nb201 import NB201Space

    torch.set_num_threads(1)
    space = NB201Space()
    names = sorted(published())
    archs = [names[i] for i in np.random.default_rng(0).choice(len(names), size=len(names), replace=False)]
    archs = archs[args.part::args.parts]
    done = set()
    if SCORES.exists():
        done = {json.loads(line)["arch"] for line in SCORES.read_text().splitlines() if line.strip()}
    x, _ = cifar_batch(64, 0)
    x = x[:63]  # 63 bits: the codes stay positive int64
    with SCORES.open("a") as fh:
        for a in archs:
            if a in done:
                continue
            torch.manual_seed(0)
            net = space.to_module(space.from_string(a), (3, 32, 32), 10)
            net.train()  # as MeCo: training-mode BatchNorm on the batch
            fh.write(json.dumps({"arch": a, "swap": swap_score(net, x)}) + "\n")
            fh.flush()


def predict(args: argparse.Namespace) -> None:
    import archscout.cli.bench_predictors as bp
    from archscout.benchmarks import get_benchmark
    from archscout.estimation.zerocost.table import MECO_FILE

    done = read_done(args.out, args.features)
    if not args.report:
        swap = {r["arch"]: r["swap"] for r in map(json.loads, SCORES.read_text().splitlines())}
        with gzip.open(MECO_FILE, "rt") as fh:
            meco = dict(line.rstrip("\n").split(",") for line in list(fh)[1:])
        cells = sorted(set(meco) & set(swap))
        tmp = Path(tempfile.mkdtemp())
        tables = {True: tmp / "meco_swap.csv.gz", False: tmp / "meco.csv.gz"}
        with gzip.open(tables[True], "wt") as fh:
            fh.write("arch,meco,swap\n")
            fh.writelines(f"{c},{meco[c]},{swap[c]!r}\n" for c in cells)
        with gzip.open(tables[False], "wt") as fh:  # the same cells without SWAP: both variants see one pool
            fh.write("arch,meco\n")
            fh.writelines(f"{c},{meco[c]}\n" for c in cells)
        bench = get_benchmark("nb201")
        space = bench.space
        from scipy.stats import spearmanr

        from training_free_proxies import test_accuracy

        acc = test_accuracy(space, "cifar10")
        print(f"SWAP on {len(cells)} cells: Spearman {spearmanr([swap[c] for c in cells], [acc[c] for c in cells])[0]:.3f} "
              f"with CIFAR-10 test accuracy, {spearmanr([swap[c] for c in cells], [float(meco[c]) for c in cells])[0]:.3f} "
              "with MeCo", flush=True)
        for v in args.variants:
            name, with_swap = VARIANTS[v]
            if all((v, s) in done for s in args.seeds):
                continue
            bp.default_meco_table = lambda t=tables[with_swap]: t
            blocks: dict = {}
            archs, y, feats = bp.load_pool(bench, "cifar10", args.features, "canonical", None, blocks)
            kw = bp.pool_kwargs(name, archs, feats, blocks)
            run_seeds(args.out, done, v, name, space, archs, y, feats, args.seeds, kw, features=args.features)
    table(done, VARIANTS, args.seeds, setting=f", {' '.join(args.features)}")


def main() -> None:
    ap = parser(VARIANTS, OUT)
    ap.add_argument("stage", choices=["score", "predict"])
    ap.add_argument("--part", type=int, default=0)
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--features", nargs="+", default=["zcsmooth", "meco"], help="as `bench predictors` (meco needed)")
    a = ap.parse_args()
    score(a) if a.stage == "score" else predict(a)


if __name__ == "__main__":
    main()
