#!/bin/sh
# Reported seeds (0-9) with archscout's MeCo as a 14th zero-cost proxy (`--features zcsmooth meco`;
# BENCHMARKS.md "Performance predictors", issue 5): predictors_gnnpre.sh with that block, next to its own
# rows without it (same seeds, same test cells). Chosen on development seeds 100-109
# (`predictors_gnnpre_dev.py --round 5`). WITH_CIFAR100=1 adds CIFAR-100.
cd "$(dirname "$0")/.." && FEATURES="zcsmooth meco" TAG=meco NICE=10 exec sh benchmarks/predictors_gnnpre.sh
