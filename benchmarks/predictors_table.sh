#!/bin/sh
# The predictor harness table of BENCHMARKS.md ("Performance predictors"), most important rows first.
# One process at a time, one thread; every command is resumable (--out): rerun this script to continue.
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1
R=benchmarks/results
B="nice -n 10 python -m archscout bench predictors --benchmark nb201 --test-size 1000"
arch() {  # architecture only, the fast models: every train size, 10 seeds
  $B --dataset $1 --predictor xgb rf gp --train-size 10 20 50 100 200 500 1000 --seeds 10 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_arch.md
}
feats() {  # extra features (the zero-cost scores were computed on CIFAR-10 images, used for both datasets)
  $B --dataset $1 --predictor xgb rf gp --train-size 100 400 --seeds 10 --features zc \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_zc.md
  $B --dataset $1 --predictor xgb rf gp --train-size 100 400 --seeds 10 --features epoch12 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_epoch12.md
  $B --dataset $1 --predictor xgb --train-size 100 --seeds 10 --features zc epoch12 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_zc_epoch12.md
  # encoding ablation (XGBoost)
  for e in onehot path pathstats; do
    $B --dataset $1 --predictor xgb --train-size 100 --seeds 10 --encoding $e \
       --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_enc_$e.md
  done
  # control: shuffled training labels
  $B --dataset $1 --predictor xgb --train-size 100 --seeds 10 --shuffle-labels \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_control.md
}
ens() {  # the committee (XGBoost + RF + GP with rank-normalised features / targets), 10 seeds
  $B --dataset $1 --predictor ens --train-size 100 400 --seeds 10 --features zc \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_ens_zc.md
  $B --dataset $1 --predictor ens --train-size 100 --seeds 10 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_ens_arch.md
  $B --dataset $1 --predictor ens --train-size 100 --seeds 10 --features zc epoch12 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_ens_zc_epoch12.md
}
smooth() {  # zero-cost scores smoothed over the unlabelled pool (predictors/pool.py), committee with extra trees
  $B --dataset $1 --predictor ens-et --train-size 100 400 --seeds 10 --features zcsmooth \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_enset_zcsmooth.md
  $B --dataset $1 --predictor ens --train-size 100 --seeds 10 --features zcsmooth \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_ens_zcsmooth.md
  $B --dataset $1 --predictor ens-et --train-size 100 --seeds 10 --features zc \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_enset_zc.md
  $B --dataset $1 --predictor ens-et --train-size 100 --seeds 10 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_enset_arch.md
  $B --dataset $1 --predictor ens-et --train-size 100 --seeds 10 --features zcsmooth epoch12 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_enset_zcsmooth_epoch12.md
}
neural() {  # the torch predictors (slower): 3 seeds
  $B --dataset $1 --predictor mlp gnn --train-size $2 --seeds 3 \
     --out $R/predictors_$1.jsonl --markdown $R/predictors_$1_neural_$3.md
}
if [ -n "$ONLY_SMOOTH" ]; then smooth cifar10; exit 0; fi
if [ -z "$SKIP_CIFAR10" ]; then
arch cifar10
feats cifar10
neural cifar10 "100" 100
ens cifar10
smooth cifar10
fi
ens cifar100
$B --dataset cifar100 --predictor ens-et --train-size 100 --seeds 10 --features zcsmooth \
   --out $R/predictors_cifar100.jsonl --markdown $R/predictors_cifar100_enset_zcsmooth.md
$B --dataset cifar100 --predictor ens-et --train-size 100 --seeds 10 \
   --out $R/predictors_cifar100.jsonl --markdown $R/predictors_cifar100_enset_arch.md
# CIFAR-100: the GP at 1000 cells was first left out (a fit took ~4 min on the loaded machine); added 2026-12-01
$B --dataset cifar100 --predictor xgb rf --train-size 10 20 50 100 200 500 1000 --seeds 10 \
   --out $R/predictors_cifar100.jsonl --markdown $R/predictors_cifar100_arch.md
$B --dataset cifar100 --predictor gp --train-size 10 20 50 100 200 500 1000 --seeds 10 \
   --out $R/predictors_cifar100.jsonl --markdown $R/predictors_cifar100_arch_gp.md
# transfer CIFAR-10 -> CIFAR-100 (BANANAS warm start)
nice -n 10 python benchmarks/predictors_transfer.py --seeds ${TRANSFER_SEEDS:-20}
feats cifar100
neural cifar10 "10 20 50 100 200 500 1000" all
neural cifar100 "10 20 50 100 200 500 1000" all
