#!/bin/sh
# Reported seeds (0-9) with archscout's MeCo as a 14th zero-cost proxy (`--features zcsmooth meco`;
# BENCHMARKS.md "Performance predictors", issue 5), next to the same predictors without it in
# predictors_gnnpre.sh (same seeds, same test cells). Chosen on development seeds 100-109
# (`predictors_gnnpre_dev.py --round 5`). One process per call, one thread; resumable (--out).
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
R=benchmarks/results
B="nice -n 10 python -m archscout bench predictors --benchmark nb201 --test-size 1000 --seeds 10 --features zcsmooth meco"
$B --dataset cifar10 --predictor ens-et ens-et-gnn gnn-pre --train-size 100 \
   --out $R/predictors_cifar10_meco.jsonl --markdown $R/predictors_cifar10_meco.md
if [ -n "$WITH_CIFAR100" ]; then
  $B --dataset cifar100 --predictor ens-et ens-et-gnn gnn-pre --train-size 100 \
     --out $R/predictors_cifar100_meco.jsonl --markdown $R/predictors_cifar100_meco.md
fi
