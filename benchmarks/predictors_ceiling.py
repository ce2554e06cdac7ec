"""How well can any predictor rank NB201 CIFAR-10 test accuracy? A noise reference for Kendall tau.

The zero-cost CSV carries the 200-epoch CIFAR-10 *valid* accuracy of the same trained networks: its
Kendall tau against the test accuracy says how far one more measurement of the same networks gets
(the two differ only by evaluation noise). It is a reference, not a bound: a predictor fitted on many
cells averages that noise out (the GNN at 1,000 training cells exceeds it, BENCHMARKS.md). Also
prints the tau of the 12-epoch valid accuracy alone.

    python benchmarks/predictors_ceiling.py
"""

from pathlib import Path

import numpy as np

from archscout.benchmarks import nb201
from archscout.benchmarks.tabular import Table
from archscout.estimation.predictors import kendall_tau

root = Path(__file__).resolve().parents[1]
bench = nb201()
space = bench.space
zc = Table.from_csv(root.parent / "shared" / "data" / "nb201" / "zero_cost_cifar10.csv", space, 200)
archs = [space.from_string(k) for k in zc.index]
test = np.array([bench.lookup(a, "cifar10") for a in archs])
print(f"{len(archs)} canonical cells")
print(f"tau(200-epoch valid, 200-epoch test) = {kendall_tau(test, zc.columns['valid_accuracy']):.3f}")
print(f"tau(12-epoch valid, 200-epoch test)  = {kendall_tau(test, [bench.lookup(a, 'cifar10_valid', 12) for a in archs]):.3f}")
