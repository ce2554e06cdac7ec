"""Does the committee's GNN gain from the graph features the trees read? Development seeds only (BENCHMARKS.md, predictors).

Why: the GRAF-style graph features (`graf`: path counts restricted to op sets, degrees by op) lifted the
trees from 0.768 to 0.834 on the architecture alone (round 6 of `predictors_gnnpre_dev.py`), but the GNN
member of `ens-et-gnn` gets only the zero-cost block in its head: it must learn those counts from the cell
graph with 100 labels. Here its head also gets the `graf` (or `pathstats` + `graf`) columns, standardised
like the proxies. `--features zcsmooth meco`, 100 training cells, CIFAR-10, seeds 100-109 (never the
reported 0-9). Resumable: one JSON line per (variant, seed) in benchmarks/results/predictors_gnngraf_dev.jsonl.

    OMP_NUM_THREADS=1 python benchmarks/predictors_gnngraf_dev.py [--variants ...] [--report]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from archscout.benchmarks import get_benchmark
from archscout.cli.bench_predictors import load_pool, pool_kwargs
from archscout.estimation import predictors as P
from archscout.estimation.predictors.encodings import graf_stats, path_stats
from archscout.estimation.predictors.ensemble import GNNCommitteePredictor
from archscout.estimation.predictors.gnn_pre import PretrainedGNNPredictor
from predictors_dev_runs import parser, read_done, run_seeds, table

OUT = Path(__file__).resolve().parent / "results" / "predictors_gnngraf_dev.jsonl"
GRAPH = {"graf": (graf_stats,), "pathstats+graf": (path_stats, graf_stats)}


def graph_block(space, archs, kinds) -> np.ndarray:
    return np.array([np.concatenate([f(space, a) for f in GRAPH[kinds]]) for a in archs], dtype=float)


class GNNWithGraph(PretrainedGNNPredictor):
    """gnn-pre whose head also reads graph features of each cell (appended to the given features)."""

    name = "gnn-pre+graph"
    graph = "graf"

    def fit(self, archs, y, features=None):
        if not hasattr(self, "keep_"):  # columns constant on the training cells carry nothing
            self.keep_ = np.flatnonzero(graph_block(self.space, list(archs), self.graph).std(0) > 0)
        return super().fit(archs, y, self._with_graph(archs, features))

    def predict(self, archs, features=None):
        return super().predict(archs, self._with_graph(archs, features))

    def _with_graph(self, archs, features):
        g = graph_block(self.space, list(archs), self.graph)
        g = g[:, self.keep_]
        return g if features is None else np.hstack([np.asarray(features, float), g])


class CommitteeWithGraph(GNNCommitteePredictor):
    """ens-et-gnn whose GNN member is `GNNWithGraph`."""

    name = "ens-et-gnn+graph"
    graph = "graf"

    def _fit(self, archs, x, y):
        super(GNNCommitteePredictor, self)._fit(archs, x, y)  # the three ens-et members
        self.gnn_ = GNNWithGraph(self.space, seed=self.seed, pool_archs=self.pool_archs,
                                 pool_features=self.pool_features, **self.gnn_kwargs)
        self.gnn_.graph = self.graph
        g = graph_block(self.space, archs, self.graph)
        self.gnn_.keep_ = np.flatnonzero(g.std(0) > 0)  # columns constant on the training cells carry nothing
        self.gnn_.fit(archs, y, x[:, self.n_enc_:] if self.n_features_ else None)


def _make(graph: str, committee: bool):
    base = CommitteeWithGraph if committee else GNNWithGraph
    return type(f"{base.__name__}_{graph}", (base,), {"graph": graph, "name": f"{base.name}:{graph}"})


# variant -> predictor name (registered below)
VARIANTS = {
    "gnn-pre": "gnn-pre",
    "gnn-pre + graf": "gnn-pre+graph:graf",
    "ens-et-gnn": "ens-et-gnn",
    "ens-et-gnn, gnn + graf": "ens-et-gnn+graph:graf",
    "ens-et-gnn, gnn + pathstats + graf": "ens-et-gnn+graph:pathstats+graf",
}


def register() -> None:
    for g in GRAPH:
        for committee in (False, True):
            cls = _make(g, committee)
            cls.uses_pool = True
            globals()[cls.__name__] = cls  # the registry imports (module, class name)
            P.PREDICTORS[cls.name] = (__name__, cls.__name__)


def main() -> None:
    a = parser(VARIANTS, OUT).parse_args()
    done = read_done(a.out)
    if not a.report:
        register()
        bench = get_benchmark("nb201")
        blocks: dict = {}
        archs, y, feats = load_pool(bench, "cifar10", ["zcsmooth", "meco"], "canonical", None, blocks)
        for v in a.variants:
            kw = pool_kwargs(VARIANTS[v], archs, feats, blocks)
            run_seeds(a.out, done, v, VARIANTS[v], bench.space, archs, y, feats, a.seeds, kw)
    table(done, VARIANTS, a.seeds, fit=True)

if __name__ == "__main__":
    main()
