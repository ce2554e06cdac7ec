#!/usr/bin/env bash
# The `lce` pruner again after the fast mode became tempered importance sampling (BENCHMARKS.md,
# "(c) Cost of the machinery"): seeds 0-2 of the searches of benchmarks/curves_stopping.sh, results in
# benchmarks/results/curves_stopping_v3.jsonl (resumable), compared with the rows of the same seeds in
# curves_stopping.jsonl (Laplace fast mode). Then the probe of Domhan's rule without online calibration.
# Usage: nice -n 10 bash benchmarks/curves_stopping_v3.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=benchmarks/results/curves_stopping_v3.jsonl
archscout bench stopping --curves $D/nb201/learning_curves_cifar10.csv --pruners none lce hyperband_lce --trials 100 --seeds 3 --out $OUT
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
  archscout bench stopping --curves $D/baker2018/$f.csv --pruners none lce --trials 100 --seeds 3 --out $OUT
done
archscout bench stopping --curves $D/baker2018/lstm_ptb.csv --minimize --pruners none lce --trials 100 --seeds 3 --out $OUT
for t in 3945 7593; do
  archscout bench stopping --curves lcbench:$t --lcbench-configs 500 --pruners none lce --trials 100 --seeds 3 --out $OUT
done
python benchmarks/curves_stopping_nocal.py $D/nb201/learning_curves_cifar10.csv
python benchmarks/curves_stopping_nocal.py $D/baker2018/metaqnn_cifar10.csv
echo done
