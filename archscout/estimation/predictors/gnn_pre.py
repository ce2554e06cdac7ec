"""The GNN pretrained on the unlabelled pool's zero-cost proxies, then fine-tuned on the labelled cells.

Why: every cell of the pool (9,445 canonical NB201 cells) has its zero-cost scores without any
training, while only ~100 cells have an accuracy. A GIN body (the same network as `gnn.py`) is first
trained on ALL pool cells to predict their proxies (each column mapped to the normal score of its
rank over the pool, one output per column, multi-task MSE) — this reads no accuracy at all — and
then fine-tuned on the labelled cells with a freshly initialised head (a smaller learning rate for
the body, ``body_lr``; 0 freezes it). The body has thus seen the whole space before it sees a label.
`n_models` members (ensemble-batched, each with its own pretrained body) give the std.

The pool is passed in ``__init__`` (``pool_archs`` + ``pool_features``), exactly the cells and
proxies that `pool.py`'s smoothing gets in the harness. Because pretraining is label-free and
depends only on (pool, proxies, pretraining settings, ``pretrain_seed``), its result is cached per
process (`_PRETRAINED`): the runs of one harness call over 10 seeds, or the refits inside a search,
pretrain once. Sharing the body between seeds is legitimate for the same reason the proxies
themselves are shared: no label of any seed enters it. The run's ``seed`` still seeds the head and
the fine-tuning.

With ``head_features`` (default) the extra features given to fit/predict (e.g. the proxies
themselves) are appended to the graph embedding before the head, as in `gnn.py`. With
``rank_targets`` (default; development seeds: 0.813 against 0.797 with accuracy targets, better on
all 10 seeds, BENCHMARKS.md) the network fits the normal scores of the training accuracies' ranks and its
prediction is mapped back through the training quantiles (as the committee's GP does): a few
collapsed cells at 10% then no longer dominate the squared loss. ``rank_loss`` > 0 adds a pairwise
RankNet term to the fine-tuning's MSE (off: no gain on the development seeds, round 9 of
`benchmarks/predictors_gnnpre_dev.py`).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from archscout.errors import ArchscoutError
from archscout.estimation.predictors import _torch
from archscout.estimation.predictors.base import Predictor, standardise
from archscout.estimation.predictors.gnn import OpGraphInput
from archscout.estimation.predictors.pool import MIN_POOL, pool_normal_scores
from archscout.spaces.base import Arch, SearchSpace

_PRETRAINED: OrderedDict[tuple, dict] = OrderedDict()  # cache key -> body state (cloned tensors)
_CACHE_SIZE = 4
STATS = {"pretrain_runs": 0, "cache_hits": 0, "pretrain_seconds": 0.0}  # for tests and timing


def _modules(members: int, n_labels: int, hidden: int, layers: int, n_out: int, n_extra: int, gen):
    import torch
    import torch.nn as nn

    lin = lambda a, b: _torch.elinear(members, a, b, gen)  # noqa: E731

    class Body(nn.Module):  # gnn.py's GIN up to the graph embedding
        def __init__(self) -> None:
            super().__init__()
            self.embed = lin(n_labels, hidden)
            self.convs = nn.ModuleList(nn.ModuleList([lin(3 * hidden, hidden), lin(hidden, hidden)]) for _ in range(layers))

        def forward(self, nodes, adj):  # (B, N, L), (B, N, N) -> (M, B, 2H)
            h = self.embed(nodes.unsqueeze(0).expand(members, *nodes.shape))
            a = adj.unsqueeze(0)
            for first, second in self.convs:
                pred = a.transpose(-1, -2) @ h
                succ = a @ h
                h = h + torch.relu(second(torch.relu(first(torch.cat([h, pred, succ], -1)))))
            return torch.cat([h.sum(2), h[:, :, -1]], -1)

    class Net(nn.Module):
        def __init__(self, body: nn.Module) -> None:
            super().__init__()
            self.body = body
            self.head = nn.ModuleList([lin(2 * hidden + n_extra, hidden), lin(hidden, n_out)])

        def forward(self, nodes, adj, extra):  # -> (M, B, n_out), or (M, B) for one output
            g = self.body(nodes, adj)
            if n_extra:
                g = torch.cat([g, extra.unsqueeze(0).expand(members, *extra.shape)], -1)
            out = self.head[1](torch.relu(self.head[0](g)))
            return out.squeeze(-1) if n_out == 1 else out

    return Body, Net


class PretrainedGNNPredictor(OpGraphInput, _torch.OneThreadFit, Predictor):
    name = "gnn-pre"
    min_points = 4
    uses_pool = True  # the harness passes pool_archs / pool_features (the zero-cost block of the pool)

    def __init__(
        self, space: SearchSpace, encoding: str | Sequence[str] = "onehot", seed: int = 0,
        pool_archs: Sequence[Arch] | None = None, pool_features: np.ndarray | None = None,
        n_models: int = 3, hidden: int = 64, layers: int = 3,
        pretrain_epochs: int = 20, pretrain_lr: float = 3e-3, pretrain_batch_size: int = 128, pretrain_seed: int = 0,
        epochs: int = 150, lr: float = 3e-3, body_lr: float = 3e-4, batch_size: int = 32, weight_decay: float = 1e-4,
        head_features: bool = True, rank_targets: bool = True, rank_loss: float = 0.0,
    ) -> None:
        super().__init__(space, encoding, seed)
        if not hasattr(space, "op_graph"):
            raise ArchscoutError(f"the gnn-pre predictor needs a space with an op graph; {space.name} has none")
        self.pool_archs, self.pool_features = pool_archs, pool_features
        self.n_models, self.hidden, self.layers = n_models, hidden, layers
        self.pretrain_epochs, self.pretrain_lr = pretrain_epochs, pretrain_lr
        self.pretrain_batch_size, self.pretrain_seed = pretrain_batch_size, pretrain_seed
        self.epochs, self.lr, self.body_lr = epochs, lr, body_lr
        self.batch_size, self.weight_decay, self.head_features = batch_size, weight_decay, head_features
        self.rank_targets, self.rank_loss = rank_targets, rank_loss
        self._graph_cache: dict[Arch, tuple[np.ndarray, list[str]]] = {}

    # --- pool -------------------------------------------------------------------------------------
    def _pool(self) -> tuple[list[Arch], np.ndarray]:
        if self.pool_archs is None or self.pool_features is None:
            raise ArchscoutError(
                "gnn-pre pretrains on an unlabelled pool: pass pool_archs and pool_features (the zero-cost scores "
                "of every pool cell; in `bench predictors`, --features zc or zcsmooth)")
        archs = [self.space.canonical(a) for a in self.pool_archs]
        f = np.asarray(self.pool_features, dtype=float)
        if f.ndim == 1:
            f = f[:, None]
        if f.ndim != 2 or f.shape[0] != len(archs) or f.shape[1] == 0:
            raise ArchscoutError(f"gnn-pre: pool_features must have one row per pool architecture ({len(archs)}) "
                                 f"and at least one column, got shape {f.shape}")
        if not np.isfinite(f).all():
            r, c = np.argwhere(~np.isfinite(f))[0]
            raise ArchscoutError(f"gnn-pre: pool feature column {c} of pool architecture #{r} is {f[r, c]}")
        if len(archs) < MIN_POOL:
            raise ArchscoutError(f"gnn-pre needs a pool of at least {MIN_POOL} architectures, got {len(archs)}")
        return archs, f

    def _pretrained_body(self, pool: list[Arch], f: np.ndarray):
        """The GIN body after pretraining on the pool's proxies (cached; no accuracy is read)."""
        import torch

        h = hashlib.sha1()
        h.update(repr(pool).encode())
        h.update(np.ascontiguousarray(f).tobytes())
        key = (self.space.name, h.hexdigest(), tuple(self.vocab_), self.n_models, self.hidden, self.layers,
               self.pretrain_epochs, self.pretrain_lr, self.pretrain_batch_size, self.weight_decay, self.pretrain_seed)
        z = pool_normal_scores(f)
        keep = np.ptp(z, axis=0) > 0  # a constant proxy teaches nothing
        if not keep.any():
            raise ArchscoutError("gnn-pre: every pool feature is constant; nothing to pretrain on")
        z = z[:, keep]
        gen = torch.Generator().manual_seed(self.pretrain_seed)
        body_cls, net_cls = _modules(max(1, self.n_models), len(self.vocab_) + 1, self.hidden, self.layers,
                                     z.shape[1], 0, gen)
        body = body_cls()
        if key in _PRETRAINED:
            _PRETRAINED.move_to_end(key)
            STATS["cache_hits"] += 1
            body.load_state_dict(_PRETRAINED[key])
            return body
        net = net_cls(body)
        t0 = time.perf_counter()
        nodes, adj = self._graphs(pool)
        _torch.train(net, (nodes, adj, torch.zeros(len(pool), 0)), z, self.pretrain_seed, self.pretrain_epochs,
                     self.pretrain_lr, self.pretrain_batch_size, self.weight_decay)
        STATS["pretrain_runs"] += 1
        STATS["pretrain_seconds"] += time.perf_counter() - t0
        _PRETRAINED[key] = {k: v.detach().clone() for k, v in body.state_dict().items()}
        while len(_PRETRAINED) > _CACHE_SIZE:
            _PRETRAINED.popitem(last=False)
        return body

    # --- fit / predict ----------------------------------------------------------------------------
    def _extra(self, x: np.ndarray):
        import torch

        if not self.head_features:
            return torch.zeros(len(x), 0)
        extra, ref = x[:, self.n_enc_:], self.x_ref_[:, self.n_enc_:]
        return torch.as_tensor(standardise(extra, ref) if extra.shape[1] else extra, dtype=torch.float32)

    def _fit_torch(self, archs: list[Arch], x: np.ndarray, y: np.ndarray) -> None:
        import torch

        pool, f = self._pool()
        in_pool = set(pool)
        missing = [i for i, a in enumerate(archs) if self.space.canonical(a) not in in_pool]
        if missing:
            raise ArchscoutError(
                f"gnn-pre: {len(missing)} training architectures are not in the pool (first: #{missing[0]}); the pool "
                f"must hold every cell the predictor is fitted on")
        self.n_enc_ = self.encoder(archs[:1]).shape[1]
        self.x_ref_ = x
        labels: set[str] = set()
        for a in pool:
            labels.update(self.space.op_graph(a)[1])  # type: ignore[attr-defined]
        self.vocab_ = sorted(labels)
        body = self._pretrained_body(pool, f)
        nodes, adj = self._graphs(archs)
        extra = self._extra(x)
        if self.rank_targets:  # fit the normal scores of the ranks; map back through the training quantiles
            from archscout.estimation.predictors.ensemble import normal_scores

            t = normal_scores(y)
            self.y_sorted_, self.t_sorted_ = np.sort(y), np.sort(t)
        else:
            t = y
        self.mu_, self.sd_ = float(t.mean()), float(t.std())
        gen = torch.Generator().manual_seed(self.seed)
        _, net_cls = _modules(max(1, self.n_models), len(self.vocab_) + 1, self.hidden, self.layers, 1,
                              extra.shape[1], gen)
        self.net_ = net_cls(body)
        head = list(self.net_.head.parameters())
        if self.body_lr > 0:
            groups = [{"params": head}, {"params": list(body.parameters()), "lr": self.body_lr}]
        else:
            for p in body.parameters():
                p.requires_grad_(False)
            groups = [{"params": head}]
        _torch.train(self.net_, (nodes, adj, extra), (t - self.mu_) / self.sd_, self.seed, self.epochs, self.lr,
                     self.batch_size, self.weight_decay, param_groups=groups, rank_weight=self.rank_loss)

    def _predict_torch(self, archs: list[Arch], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nodes, adj = self._graphs(archs)
        preds = _torch.predict(self.net_, (nodes, adj, self._extra(x))) * self.sd_ + self.mu_
        if self.rank_targets:
            preds = np.interp(preds, self.t_sorted_, self.y_sorted_)
        return preds.mean(0), preds.std(0)
