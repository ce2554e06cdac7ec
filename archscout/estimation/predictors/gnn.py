"""A graph neural network over the cell's op DAG (GIN, Xu et al. 2019), trained with an MSE loss.

The predictor of NPENAS and of the seeds' "GNN predictor": node features are one-hot op labels of
``space.op_graph(arch)`` (of the canonical cell); each layer mixes a node with the sum of its
predecessors and the sum of its successors (information flows both ways in a small DAG); the graph
embedding is the sum over nodes plus the output node's state. Extra features are appended to the
graph embedding. `n_models` networks (trained together, ensemble-batched) give the std.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import _torch
from archscout.estimation.predictors.base import Predictor, standardise
from archscout.spaces.base import Arch, SearchSpace


def _build(members: int, n_labels: int, n_extra: int, hidden: int, layers: int, seed: int):
    import torch
    import torch.nn as nn

    gen = torch.Generator().manual_seed(seed)
    lin = lambda a, b: _torch.elinear(members, a, b, gen)  # noqa: E731

    class EnsembleGIN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = lin(n_labels, hidden)
            self.convs = nn.ModuleList(nn.ModuleList([lin(3 * hidden, hidden), lin(hidden, hidden)]) for _ in range(layers))
            self.head = nn.ModuleList([lin(2 * hidden + n_extra, hidden), lin(hidden, 1)])

        def forward(self, nodes, adj, extra):  # nodes (B, N, L), adj (B, N, N), extra (B, E) -> (M, B)
            h = self.embed(nodes.unsqueeze(0).expand(members, *nodes.shape))  # (M, B, N, H)
            a = adj.unsqueeze(0)
            for first, second in self.convs:
                pred = a.transpose(-1, -2) @ h  # sum over predecessors
                succ = a @ h  # sum over successors
                h = h + torch.relu(second(torch.relu(first(torch.cat([h, pred, succ], -1)))))
            e = extra.unsqueeze(0).expand(members, *extra.shape)
            g = torch.cat([h.sum(2), h[:, :, -1], e], -1)
            return self.head[1](torch.relu(self.head[0](g))).squeeze(-1)

    return EnsembleGIN()


class OpGraphInput:
    """Shared by the GNN predictors: (node one-hots, adjacency) tensors of architectures' op graphs.

    Needs ``self.space`` (with ``op_graph``), ``self._graph_cache`` and the fitted ``self.vocab_``.
    """

    space: SearchSpace
    _graph_cache: dict[Arch, tuple[np.ndarray, list[str]]]
    vocab_: list[str]

    def _graphs(self, archs: list[Arch]):
        import torch

        adjs, labs = [], []
        for a in archs:
            g = self._graph_cache.get(a)
            if g is None:
                adj, labels = self.space.op_graph(self.space.canonical(a))  # type: ignore[attr-defined]
                g = self._graph_cache[a] = (np.asarray(adj, float), list(labels))
            adjs.append(g[0])
            labs.append(g[1])
        index = {lab: i for i, lab in enumerate(self.vocab_)}
        nodes = np.zeros((len(archs), adjs[0].shape[0], len(self.vocab_) + 1))
        for b, ls in enumerate(labs):
            for i, lab in enumerate(ls):
                nodes[b, i, index.get(lab, len(self.vocab_))] = 1.0  # last slot: a label unseen in training
        return torch.as_tensor(nodes, dtype=torch.float32), torch.as_tensor(np.stack(adjs), dtype=torch.float32)


class GNNPredictor(OpGraphInput, _torch.OneThreadFit, Predictor):
    name = "gnn"
    min_points = 4

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = "onehot", seed: int = 0, n_models: int = 3,
        hidden: int = 32, layers: int = 3, epochs: int = 150, lr: float = 3e-3, batch_size: int = 32,
        weight_decay: float = 1e-4,
    ) -> None:
        # `encoding` only validates the architecture's space; the network reads the graph itself
        super().__init__(space, encoding, seed)
        if not hasattr(space, "op_graph"):
            raise ArchscoutError(f"the gnn predictor needs a space with an op graph; {space.name} has none")
        self.n_models, self.hidden, self.layers = n_models, hidden, layers
        self.epochs, self.lr, self.batch_size, self.weight_decay = epochs, lr, batch_size, weight_decay
        self._graph_cache: dict[Arch, tuple[np.ndarray, list[str]]] = {}

    def _extra(self, x: np.ndarray):
        import torch

        extra, ref = x[:, self.n_enc_:], self.x_ref_[:, self.n_enc_:]
        return torch.as_tensor(standardise(extra, ref) if extra.shape[1] else extra, dtype=torch.float32)

    def _fit_torch(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        self.n_enc_ = self.encoder(archs[:1]).shape[1]
        self.x_ref_ = x
        labels = set()
        for a in archs:
            labels.update(self.space.op_graph(self.space.canonical(a))[1])  # type: ignore[attr-defined]
        self.vocab_ = sorted(labels)
        nodes, adj = self._graphs(archs)
        extra = self._extra(x)
        self.mu_, self.sd_ = float(y.mean()), float(y.std())
        self.net_ = _build(max(1, self.n_models), nodes.shape[2], extra.shape[1], self.hidden, self.layers, self.seed)
        _torch.train(self.net_, (nodes, adj, extra), (y - self.mu_) / self.sd_, self.seed, self.epochs, self.lr,
                     self.batch_size, self.weight_decay)

    def _predict_torch(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nodes, adj = self._graphs(archs)
        preds = _torch.predict(self.net_, (nodes, adj, self._extra(x))) * self.sd_ + self.mu_
        return preds.mean(0), preds.std(0)
