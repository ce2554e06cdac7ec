#!/bin/sh
# Reported seeds (0-9) for the pool-pretrained GNN (BENCHMARKS.md "Performance predictors", issue 5):
# gnn-pre and ens-et-gnn next to ens-et on exactly the same seeds and zcsmooth features. Settings were
# chosen on development seeds 100-109 (benchmarks/predictors_gnnpre_dev.py). One process, one thread;
# resumable (--out). Pretraining reads no accuracy and is cached within each call (one per call, not per seed).
# FEATURES / TAG pick the zero-cost block and the result files (predictors_meco.sh: "zcsmooth meco", meco).
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
R=benchmarks/results
T=${TAG:-gnnpre}
B="nice -n ${NICE:-15} python -m archscout bench predictors --benchmark nb201 --test-size 1000 --seeds 10 --features ${FEATURES:-zcsmooth}"
$B --dataset cifar10 --predictor ens-et ens-et-gnn gnn-pre --train-size 100 \
   --out $R/predictors_cifar10_$T.jsonl --markdown $R/predictors_cifar10_$T.md
if [ -n "$WITH_400" ]; then
  $B --dataset cifar10 --predictor ens-et ens-et-gnn gnn-pre --train-size 400 \
     --out $R/predictors_cifar10_$T.jsonl --markdown $R/predictors_cifar10_${T}_400.md
fi
if [ -n "$WITH_CIFAR100" ]; then
  $B --dataset cifar100 --predictor ens-et ens-et-gnn gnn-pre --train-size 100 \
     --out $R/predictors_cifar100_$T.jsonl --markdown $R/predictors_cifar100_$T.md
fi
