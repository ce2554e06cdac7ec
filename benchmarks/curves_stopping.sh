#!/usr/bin/env bash
# Compute saved vs regret (BENCHMARKS.md, "Learning curves and early stopping", table b).
# Resumable: results in benchmarks/results/curves_stopping.jsonl; rerun skips finished runs.
# History: curves_stopping_v1.jsonl = the first run (lce by its posterior's P(better) < delta, baker
# with a 1-std margin); curves_stopping_v2.jsonl = lce/baker calibrated online alone (before the
# "model's own rule must agree" fix). The rows of the pruners whose code did not change
# (none/median/hyperband/hyperband_lce) were carried over from v1.
# Pass 1 runs seeds 0-2 everywhere, pass 2 adds seeds 3-4 (200-epoch NB201 curves: 3 seeds only).
# Usage: nice -n 10 bash benchmarks/curves_stopping.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=benchmarks/results/curves_stopping.jsonl
mkdir -p benchmarks/results
P="none lce baker median hyperband hyperband_lce"
for n in 3 5; do
  for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
    archscout bench stopping --curves $D/baker2018/$f.csv --pruners $P --trials 100 --seeds $n --out $OUT
  done
  archscout bench stopping --curves $D/baker2018/lstm_ptb.csv --minimize --pruners $P --trials 100 --seeds $n --out $OUT
  for t in 3945 7593; do
    archscout bench stopping --curves lcbench:$t --lcbench-configs 500 --pruners $P --trials 100 --seeds $n --out $OUT
  done
  if [ $n = 3 ]; then
    archscout bench stopping --curves $D/nb201/learning_curves_cifar10.csv --pruners $P --trials 100 --seeds 3 --out $OUT
  fi
done
# archscout's own low-fidelity NAS-Bench-201 table (12 epochs, valid accuracy): its own script and results file
# (curves_stopping_lofi.jsonl), which also looks up the test accuracy of the returned cells
python benchmarks/curves_stopping_lofi.py --seeds 5 --trials 100
echo done
