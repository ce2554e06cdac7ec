"""One-shot weight sharing on NAS-Bench-201: a supernet, its training modes, ranking with inherited weights.

    from archscout.estimation.oneshot import train_supernet, rank_archs
    res = train_supernet(data, mode="spos", epochs=10, seed=0, C=8, N=1)
    scores = -rank_archs(res.supernet, data, archs, bn_batches=4).val_loss  # higher is better

The validation loss ranks cells better than the validation accuracy (BENCHMARKS.md, "One-shot weight
sharing"): on a few hundred images the accuracy moves in coarse steps with many ties.

Plain objects and functions (torch imported only inside them); nothing here knows about Optuna.
"""

from archscout.estimation.oneshot.rank import RankResult, rank_archs, recalibrate_bn
from archscout.estimation.oneshot.train import MODES, SupernetResult, derive, train_supernet

__all__ = ["MODES", "RankResult", "SupernetResult", "derive", "rank_archs", "recalibrate_bn", "train_supernet"]
