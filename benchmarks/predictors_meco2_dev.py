"""Does a second MeCo pass help the zero-cost predictor? Development seeds only (BENCHMARKS.md, predictors).

Why: the bundled MeCo score of each cell comes from one forward pass of one image through one random
initialisation (`training_free_proxies.py --seed 0`), so it carries that image's and that initialisation's
noise. A second pass with another image and initialisation (`--seed 1`, all 9,445 cells:
`training_free_meco_seed1.jsonl`) can be averaged with it (the mean of the two passes' normal scores over the
pool) or given as a second column. This compares `ens-et` and `ens-et-gnn` with `--features zcsmooth meco` and
the bundled MeCo replaced by each, 100 training cells, CIFAR-10, seeds 100-109 (never the reported 0-9).
Resumable: one JSON line per (variant, seed) in benchmarks/results/predictors_meco2_dev.jsonl.

    for i in 0 1; do python benchmarks/training_free_proxies.py --n 9445 --seed 1 --proxies meco --part $i \\
        --parts 2 --out benchmarks/results/training_free_meco_seed1.jsonl & done; wait
    OMP_NUM_THREADS=1 python benchmarks/predictors_meco2_dev.py [--variants ...] [--report]
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import numpy as np

import archscout.cli.bench_predictors as bp
from archscout.benchmarks import get_benchmark
from archscout.estimation.predictors.ensemble import normal_scores
from predictors_dev_runs import parser, read_done, run_seeds, table

RESULTS = Path(__file__).resolve().parent / "results"
OUT = RESULTS / "predictors_meco2_dev.jsonl"
SEED1 = RESULTS / "training_free_meco_seed1.jsonl"
# variant -> (predictor, MeCo columns: "s0" the bundled pass, "s1" the second, "mean" their mean normal score)
VARIANTS = {
    "ens-et, meco s0": ("ens-et", ("s0",)),
    "ens-et, meco s1": ("ens-et", ("s1",)),
    "ens-et, meco mean": ("ens-et", ("mean",)),
    "ens-et, meco s0 + s1": ("ens-et", ("s0", "s1")),
    "ens-et-gnn, meco s0": ("ens-et-gnn", ("s0",)),
    "ens-et-gnn, meco mean": ("ens-et-gnn", ("mean",)),
    "ens-et-gnn, meco s0 + s1": ("ens-et-gnn", ("s0", "s1")),
}


def meco_passes() -> tuple[list[str], np.ndarray, np.ndarray]:
    """(cells, bundled MeCo, second-pass MeCo) over the cells both passes scored."""
    from archscout.estimation.zerocost.table import MECO_FILE

    with gzip.open(MECO_FILE, "rt") as fh:  # the bundled file itself: main() repoints bp.default_meco_table
        rows = [line.rstrip("\n").split(",") for line in fh][1:]
    s0 = {a: float(v) for a, v in rows}
    s1 = {}
    for line in SEED1.read_text().splitlines():
        r = json.loads(line)
        s1[r["arch"]] = r["scores"]["meco"]
    cells = sorted(set(s0) & set(s1))
    return cells, np.array([s0[a] for a in cells]), np.array([s1[a] for a in cells])


def write_table(path: Path, cols: tuple[str, ...]) -> None:
    cells, a, b = meco_passes()
    data = {"s0": a, "s1": b, "mean": (normal_scores(a) + normal_scores(b)) / 2}
    with gzip.open(path, "wt") as fh:
        fh.write("arch," + ",".join(f"meco_{c}" for c in cols) + "\n")
        for i, cell in enumerate(cells):
            fh.write(cell + "," + ",".join(repr(float(data[c][i])) for c in cols) + "\n")


def main() -> None:
    a = parser(VARIANTS, OUT).parse_args()
    done = read_done(a.out)
    if not a.report:
        from scipy.stats import spearmanr

        cells, s0, s1 = meco_passes()
        print(f"{len(cells)} cells; Spearman between the two passes {spearmanr(s0, s1)[0]:.3f}", flush=True)
        bench = get_benchmark("nb201")
        tmp = Path(tempfile.mkdtemp())
        for v in a.variants:
            name, cols = VARIANTS[v]
            if all((v, s) in done for s in a.seeds):
                continue
            path = tmp / f"meco_{'_'.join(cols)}.csv.gz"
            write_table(path, cols)
            bp.default_meco_table = lambda path=path: path  # load_pool reads MeCo from here
            blocks: dict = {}
            archs, y, feats = bp.load_pool(bench, "cifar10", ["zcsmooth", "meco"], "canonical", None, blocks)
            kw = bp.pool_kwargs(name, archs, feats, blocks)
            run_seeds(a.out, done, v, name, bench.space, archs, y, feats, a.seeds, kw)
    table(done, VARIANTS, a.seeds)

if __name__ == "__main__":
    main()
