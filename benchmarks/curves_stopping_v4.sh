#!/usr/bin/env bash
# The `lce` pruner after its default became the calibrated bound alone (combine="calibrated", chosen
# on development seeds 10-12 with benchmarks/curves_stopping_sweep.py, rows in
# benchmarks/results/curves_stopping_sweep.jsonl): the reported seeds 0-2 of the searches of
# benchmarks/curves_stopping_v3.sh, results in benchmarks/results/curves_stopping_v4.jsonl (resumable).
# The previous default ("both", pruner name lce_both) on the same seeds is the "lce" rows of
# curves_stopping_v3.jsonl.
# Usage: OMP_NUM_THREADS=1 nice -n 2 bash benchmarks/curves_stopping_v4.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=benchmarks/results/curves_stopping_v4.jsonl
archscout bench stopping --curves $D/nb201/learning_curves_cifar10.csv --pruners none lce --trials 100 --seeds 3 --out $OUT
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
  archscout bench stopping --curves $D/baker2018/$f.csv --pruners none lce --trials 100 --seeds 3 --out $OUT
done
archscout bench stopping --curves $D/baker2018/lstm_ptb.csv --minimize --pruners none lce --trials 100 --seeds 3 --out $OUT
for t in 3945 7593; do
  archscout bench stopping --curves lcbench:$t --lcbench-configs 500 --pruners none lce --trials 100 --seeds 3 --out $OUT
done
echo done
