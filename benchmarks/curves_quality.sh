#!/usr/bin/env bash
# Extrapolation quality (BENCHMARKS.md, "Learning curves and early stopping", table a).
# Resumable: results go to benchmarks/results/curves_quality.jsonl; rerun skips what is there.
# Usage: nice -n 10 bash benchmarks/curves_quality.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=benchmarks/results/curves_quality.jsonl
mkdir -p benchmarks/results
ALL="last curvefit lce svr bayes_ridge ensemble"
CUTS="0.1 0.2 0.3 0.5"
# 1. the issue's reference point: 25% cut-off, 100 training curves, learned methods on every test curve, seeds 0-4
for s in 0 1 2 3 4; do
  for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
    archscout bench curves --curves $D/baker2018/$f.csv --cutoff 0.25 --seed $s --methods last svr rf bayes_ridge ensemble --out $OUT >/dev/null
  done
  archscout bench curves --curves $D/baker2018/lstm_ptb.csv --minimize --cutoff 0.25 --seed $s --methods last svr rf bayes_ridge ensemble --out $OUT >/dev/null
done
# 1b. the same with the regressors' target anchored halfway (--anchor 0.5: final - 0.5 x last value)
for s in 0 1 2 3 4; do
  for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
    archscout bench curves --curves $D/baker2018/$f.csv --cutoff 0.25 --seed $s --methods svr ensemble --anchor 0.5 --out $OUT >/dev/null
  done
  archscout bench curves --curves $D/baker2018/lstm_ptb.csv --minimize --cutoff 0.25 --seed $s --methods svr ensemble --anchor 0.5 --out $OUT >/dev/null
done
# 1c. held-out check of --anchor 0.5 on sets not used to choose it (LCBench, NAS-Bench-201), seeds 0-2
for s in 0 1 2; do
  for src in lcbench:3945 lcbench:7593 lcbench:34539 $D/nb201/learning_curves_cifar10.csv; do
    for a in 1 0.5; do
      archscout bench curves --curves $src --lcbench-configs 500 --cutoff 0.25 --seed $s --methods svr ensemble --anchor $a --out $OUT.anchor >/dev/null
    done
  done
done
# 1d. the anchor chosen by cross-validation from (0, 0.5, 1), metaqnn_svhn
for s in 0 1 2 3 4; do
  archscout bench curves --curves $D/baker2018/metaqnn_svhn.csv --cutoff 0.25 --seed $s --methods svr ensemble --anchor cv --out $OUT.anchor_cv >/dev/null
done
# 2. all methods incl. the parametric ones at every cut-off, on (at most) 200 seeded test curves
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
  archscout bench curves --curves $D/baker2018/$f.csv --cutoff $CUTS --max-test 200 --methods $ALL --out $OUT.maxtest >/dev/null
done
archscout bench curves --curves $D/baker2018/lstm_ptb.csv --minimize --cutoff $CUTS --max-test 200 --methods $ALL --out $OUT.maxtest >/dev/null
archscout bench curves --curves $D/nb201/learning_curves_cifar10.csv --cutoff $CUTS --max-test 200 --methods $ALL --out $OUT.maxtest >/dev/null
for t in 3945 7593 34539; do
  archscout bench curves --curves lcbench:$t --lcbench-configs 500 --cutoff $CUTS --max-test 200 --methods $ALL --out $OUT.maxtest >/dev/null
done
echo done
