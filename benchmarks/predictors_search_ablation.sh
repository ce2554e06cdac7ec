#!/bin/sh
# The ablation that led to `guided-local` (BENCHMARKS.md, "Performance predictors"): NB201 CIFAR-10,
# 50 queries; selection seeds 0-9 and a second set 100-109 for the finalists. Resumable.
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
A="nice -n 10 python benchmarks/predictors_search_ablation.py --out benchmarks/results/predictors_search_ablation.jsonl"
X='"predictor":"xgb"'
$A --seeds 5 --markdown benchmarks/results/predictors_search_ablation_a.md \
  --variant "xgb5_local1_r1_its=bananas:{$X,\"predictor_kwargs\":{\"n_models\":5},\"n_local\":1,\"refit_every\":1}"
$A --seeds 10 --markdown benchmarks/results/predictors_search_ablation_b.md \
  --variant "xgb_l0_r1_mean=bananas:{$X,\"n_local\":0,\"refit_every\":1,\"acquisition\":\"mean\"}" \
  --variant "xgb_l1_r1_mean=bananas:{$X,\"n_local\":1,\"refit_every\":1,\"acquisition\":\"mean\"}" \
  --variant "xgboh_l1_r1_mean=bananas:{$X,\"predictor_kwargs\":{\"encoding\":[\"onehot\",\"pathstats\"]},\"n_local\":1,\"refit_every\":1,\"acquisition\":\"mean\"}" \
  --variant "xgb_ls1_mean=bananas:{$X,\"n_local\":1,\"pool_size\":0,\"refit_every\":1,\"acquisition\":\"mean\"}" \
  --variant "xgb_l1_r1_mean_yr=bananas:{$X,\"n_local\":1,\"refit_every\":1,\"acquisition\":\"mean\",\"rank_targets\":true}" \
  --variant "xgb_ls1_mean_yr=bananas:{$X,\"n_local\":1,\"pool_size\":0,\"refit_every\":1,\"acquisition\":\"mean\",\"rank_targets\":true}"
$A --seeds 10 --first-seed 100 --markdown benchmarks/results/predictors_search_ablation_c.md \
  --variant "xgb_l1_r1_mean_yr=bananas:{$X,\"n_local\":1,\"refit_every\":1,\"acquisition\":\"mean\",\"rank_targets\":true}" \
  --variant "xgb_ls1_mean_yr=bananas:{$X,\"n_local\":1,\"pool_size\":0,\"refit_every\":1,\"acquisition\":\"mean\",\"rank_targets\":true}"
# the paper recipes (registered defaults) on the same seeds 100-109, for a like-for-like comparison
$A --seeds 10 --first-seed 100 --markdown benchmarks/results/predictors_search_ablation_d.md \
  --variant bananas --variant npenas
