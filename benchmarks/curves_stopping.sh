#!/usr/bin/env bash
# Compute saved vs regret (BENCHMARKS.md, "Learning curves and early stopping", table b).
# Resumable: results in benchmarks/results/curves_stopping.jsonl; rerun skips finished runs.
# Usage: nice -n 10 bash benchmarks/curves_stopping.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=benchmarks/results/curves_stopping.jsonl
mkdir -p benchmarks/results
P="none lce baker median hyperband hyperband_lce"
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
  archscout bench stopping --curves $D/baker2018/$f.csv --pruners $P --trials 100 --seeds 3 --out $OUT
done
archscout bench stopping --curves $D/baker2018/lstm_ptb.csv --minimize --pruners $P --trials 100 --seeds 3 --out $OUT
archscout bench stopping --curves $D/nb201/learning_curves_cifar10.csv --pruners $P --trials 100 --seeds 3 --out $OUT
for t in 3945 7593; do
  archscout bench stopping --curves lcbench:$t --lcbench-configs 500 --pruners $P --trials 100 --seeds 3 --out $OUT
done
echo done
