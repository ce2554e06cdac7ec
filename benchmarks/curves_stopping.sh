#!/usr/bin/env bash
# Compute saved vs regret (BENCHMARKS.md, "Learning curves and early stopping", table b).
# Resumable: results in benchmarks/results/curves_stopping.jsonl; rerun skips finished runs.
# (curves_stopping_v1.jsonl: the first run, before the lce/baker pruners were calibrated; the rows of
# the pruners whose code did not change since, none/median/hyperband/hyperband_lce, were carried over.)
# Usage: nice -n 10 bash benchmarks/curves_stopping.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=benchmarks/results/curves_stopping.jsonl
mkdir -p benchmarks/results
P="none lce baker median hyperband hyperband_lce"
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
  archscout bench stopping --curves $D/baker2018/$f.csv --pruners $P --trials 100 --seeds 5 --out $OUT
done
archscout bench stopping --curves $D/baker2018/lstm_ptb.csv --minimize --pruners $P --trials 100 --seeds 5 --out $OUT
for t in 3945 7593; do
  archscout bench stopping --curves lcbench:$t --lcbench-configs 500 --pruners $P --trials 100 --seeds 5 --out $OUT
done
# 200-epoch curves: a calibrated lce search costs minutes here, so 3 seeds
archscout bench stopping --curves $D/nb201/learning_curves_cifar10.csv --pruners $P --trials 100 --seeds 3 --out $OUT
echo done
