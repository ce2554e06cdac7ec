#!/bin/sh
# The predictor harness table of BENCHMARKS.md ("Performance predictors"), most important rows first.
# One process at a time, one thread; every command is resumable (--out): rerun this script to continue.
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1
R=benchmarks/results
B="nice -n 10 python -m archscout bench predictors --benchmark nb201 --test-size 1000"
for d in cifar10 cifar100; do
  # architecture only, the fast models: every train size, 10 seeds
  $B --dataset $d --predictor xgb rf gp --train-size 10 20 50 100 200 500 1000 --seeds 10 \
     --out $R/predictors_$d.jsonl --markdown $R/predictors_${d}_arch.md
  # with extra features (the zero-cost scores were computed on CIFAR-10 images for both datasets)
  $B --dataset $d --predictor xgb rf gp --train-size 100 400 --seeds 10 --features zc \
     --out $R/predictors_$d.jsonl --markdown $R/predictors_${d}_zc.md
  $B --dataset $d --predictor xgb rf gp --train-size 100 400 --seeds 10 --features epoch12 \
     --out $R/predictors_$d.jsonl --markdown $R/predictors_${d}_epoch12.md
  $B --dataset $d --predictor xgb --train-size 100 --seeds 10 --features zc epoch12 \
     --out $R/predictors_$d.jsonl --markdown $R/predictors_${d}_zc_epoch12.md
  # control: shuffled training labels
  $B --dataset $d --predictor xgb --train-size 100 --seeds 10 --shuffle-labels \
     --out $R/predictors_$d.jsonl --markdown $R/predictors_${d}_control.md
done
# transfer CIFAR-10 -> CIFAR-100 (BANANAS warm start)
nice -n 10 python benchmarks/predictors_transfer.py --seeds 20
# the neural predictors (slower): 3 seeds
for d in cifar10 cifar100; do
  $B --dataset $d --predictor mlp gnn --train-size 10 20 50 100 200 500 1000 --seeds 3 \
     --out $R/predictors_$d.jsonl --markdown $R/predictors_${d}_neural.md
done
