#!/usr/bin/env bash
# The `lce` pruner's decision rule swept over delta, the way the calibrated bound is combined with
# the model's own rule, and n_calib (benchmarks/curves_stopping_sweep.py; BENCHMARKS.md, end of
# "(c) Cost of the machinery"). Development seeds 10-12 first (where the variants were compared),
# then the reported seeds 0-2 for the variants kept. Rows in benchmarks/results/curves_stopping_sweep.jsonl
# (resumable); tables: python benchmarks/curves_stopping_sweep.py --report --seeds 10 11 12 (or 0 1 2).
# Usage: OMP_NUM_THREADS=1 nice -n 2 bash benchmarks/curves_stopping_sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
S="python benchmarks/curves_stopping_sweep.py"
NB=$D/nb201/learning_curves_cifar10.csv
sweep() {  # seeds, variants... over the 7 sources of curves_stopping_v3.sh (into $OUT if set)
  local seeds=$1; shift
  $S $NB --seeds $seeds --variants "$@" ${OUT:+--out $OUT}
  for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do $S $D/baker2018/$f.csv --seeds $seeds --variants "$@" ${OUT:+--out $OUT}; done
  $S $D/baker2018/lstm_ptb.csv --minimize --seeds $seeds --variants "$@" ${OUT:+--out $OUT}
  for t in 3945 7593; do $S lcbench:$t --lcbench-configs 500 --seeds $seeds --variants "$@" ${OUT:+--out $OUT}; done
}
# development, stage 1 (metaqnn_cifar10 and lstm_ptb also had lce_both@0.2, lce_nocal@0.05/0.1, lce_cal@0.2;
# NB201 lce_both@0.2 and lce_cal@0.2)
$S $D/baker2018/metaqnn_cifar10.csv --seeds 10 11 12 --variants lce_both@0.05 lce_both@0.1 lce_both@0.2 \
  lce_nocal@0.05 lce_nocal@0.1 lce_cal@0.05 lce_cal@0.1 lce_cal@0.2
$S $D/baker2018/lstm_ptb.csv --minimize --seeds 10 11 12 --variants lce_both@0.05 lce_both@0.1 lce_both@0.2 \
  lce_nocal@0.05 lce_nocal@0.1 lce_cal@0.05 lce_cal@0.1 lce_cal@0.2
$S $NB --seeds 10 11 12 --variants lce_both@0.05 lce_both@0.1 lce_both@0.2 lce_cal@0.05 lce_cal@0.1 lce_cal@0.2
sweep "10 11 12" lce_both@0.05 lce_both@0.1 lce_cal@0.05 lce_cal@0.1
# development, stage 2: the safer side (smaller delta, more completed trials before calibrating)
for src in "lcbench:7593 --lcbench-configs 500" "$D/baker2018/metaqnn_cifar10.csv" "$D/baker2018/lstm_ptb.csv --minimize" "$NB"; do
  $S $src --seeds 10 11 12 --variants lce_both@0.02 lce_both@0.05:n10 lce_both@0.02:n10
done
# development, stage 3: n_calib = 10 (the only variant clean on NB201 and no worse elsewhere) on the other sources
for src in "$D/baker2018/metaqnn_svhn.csv" "$D/baker2018/deep_resnets_cifar10.csv" "lcbench:3945 --lcbench-configs 500"; do
  $S $src --seeds 10 11 12 --variants lce_both@0.05:n10
done
# development, stage 4 (2026-12-01): Baker's rule at its 5 cut-offs vs checked every epoch (dev seeds only)
sweep "10 11 12" baker@0.05 baker@0.05:all
# development, stage 5: Baker's own Student-t rule without the online calibration, then the reported seeds
sweep "10 11 12" baker@0.05:nocal
for src in "$D/baker2018/metaqnn_cifar10.csv" "$D/baker2018/metaqnn_svhn.csv" "$D/baker2018/deep_resnets_cifar10.csv" \
           "$D/baker2018/lstm_ptb.csv --minimize" "lcbench:3945 --lcbench-configs 500" "lcbench:7593 --lcbench-configs 500"; do
  $S $src --seeds 0 1 2 3 4 --variants baker@0.05 baker@0.05:nocal
done
$S $NB --seeds 0 1 2 --variants baker@0.05 baker@0.05:nocal
for src in "$D/baker2018/metaqnn_cifar10.csv" "$D/baker2018/metaqnn_svhn.csv" "$D/baker2018/deep_resnets_cifar10.csv" \
           "$D/baker2018/lstm_ptb.csv --minimize" "lcbench:3945 --lcbench-configs 500" "lcbench:7593 --lcbench-configs 500"; do
  $S $src --seeds 10 11 12 --variants baker@0.05:all:nocal
done
# reported seeds
sweep "0 1 2" lce_both@0.05 lce_both@0.05:n10 lce_both@0.02 lce_both@0.1 lce_cal@0.05 lce_cal@0.1
echo done
baker6() {  # seeds, variants... over Baker's four sets and the two LCBench tasks
  local seeds=$1; shift
  for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do $S $D/baker2018/$f.csv --seeds $seeds --variants "$@"; done
  $S $D/baker2018/lstm_ptb.csv --minimize --seeds $seeds --variants "$@"
  for t in 3945 7593; do $S lcbench:$t --lcbench-configs 500 --seeds $seeds --variants "$@"; done
}
# stage 6 (2026-12-01 evening): the first-check fix (`baker` looks at 10% of a 20-epoch schedule, epoch 2; `:e3` =
# the rule before), stopped trials as training data (`:imp`, `:impb`), the incumbent guard (`:g`), a 6-curve
# warm-up (`:t6`); development seeds 10-17, then seeds 20-29 (never looked at before the choice) and the reported 0-4
for f in metaqnn_cifar10 metaqnn_svhn; do
  $S $D/baker2018/$f.csv --seeds 10 11 12 --variants baker@0.05:e2 baker@0.05:e3 baker@0.05:e2:imp
done
$S benchmarks/results/nb201_lofi/table.csv --range 0 100 --seeds 0 1 2 3 4 10 11 12 --variants baker@0.05 baker@0.05:e2 baker@0.05:e3
sweep "10 11 12" baker@0.05:imp
for f in "deep_resnets_cifar10.csv" "lstm_ptb.csv --minimize"; do
  $S $D/baker2018/$f --seeds 13 14 15 16 17 --variants baker@0.05 baker@0.05:imp baker@0.05:impb
done
baker6 "10 11 12 13 14 15 16 17" baker@0.05 baker@0.05:t6 baker@0.05:g baker@0.05:t6:imp:g baker@0.05:imp
# faster and unsafe on lstm_ptb: every epoch / every epoch from 10% to 75% of the schedule
baker6 "10 11 12" baker@0.05:all:imp baker@0.05:dense:imp
baker6 "10 11 12 13 14 15 16 17" baker@0.05:dense:t6:imp:g
# seeds never looked at before, and the reported seeds
baker6 "20 21 22 23 24 25 26 27 28 29" baker@0.05 baker@0.05:t6:imp:g
baker6 "0 1 2 3 4" baker@0.05:imp baker@0.05:t6:imp:g
# the guard alone, afterwards, on the same seeds
baker6 "20 21 22 23 24 25 26 27 28 29" baker@0.05:g
baker6 "0 1 2 3 4" baker@0.05:g
$S $NB --seeds 0 1 2 --variants baker@0.05:imp baker@0.05:t6:imp:g
# development, stage 6 (2026-12-02): with the fast mode's temperature max(2, n / 10), the default rule against the
# calibrated bound alone with 10 or 15 completed trials (lce_cal lost on lcbench:7593 with 5); own results file
T10=benchmarks/results/curves_stopping_sweep_t10.jsonl
V6="lce_both@0.05:n10 lce_cal@0.05:n10 lce_cal@0.05:n15"
$S $NB --seeds 10 11 12 --variants $V6 --out $T10
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do $S $D/baker2018/$f.csv --seeds 10 11 12 --variants $V6 --out $T10; done
$S $D/baker2018/lstm_ptb.csv --minimize --seeds 10 11 12 --variants $V6 --out $T10
for t in 3945 7593; do $S lcbench:$t --lcbench-configs 500 --seeds 10 11 12 --variants $V6 --out $T10; done
# development, stage 7 (2026-12-03): either rule stops a trial (pruner lce_baker), against each rule alone at its
# defaults; own results file
E7=benchmarks/results/curves_stopping_sweep_either.jsonl
# as run: the defaults (seeds 10-12), then V7=lce_baker@0.05 SEEDS7="0 1 2 3 4" (table (b)'s seeds; NB201 0-2 as in
# table (b): $S $NB --seeds 0 1 2 ...), V7=lce_baker@0.05:l0.01 on seeds 10-12 (lce's part with delta 0.01), and
# V7=lce_baker@0.05:t6 on seeds 10-12 (not NB201), then on 0-4 (NB201 0-2) (baker's part with n_train=6)
V7=${V7:-"lce_both@0.05:n10 baker@0.05 lce_baker@0.05"}
SEEDS7=${SEEDS7:-"10 11 12"}
OUT=$E7 sweep "$SEEDS7" $V7
# development, stage 8 (2026-12-03): lce_baker with baker's n_train=6 and a veto: a stop one rule wants is
# vetoed while the other's latest prediction, mean + Z std, still beats the best (Z = 0, 1); same file as stage 7.
# As run: the defaults (seeds 10-12); V8=lce_baker@0.05:t6:vb0 (only baker vetoes) was stopped after its first
# search (rows in stopped_sweep_either_vb0.jsonl); V8=lce_baker@0.05:l0.01:t6 on seeds 10-12, then on the
# reported seeds with SEEDS8="0 1 2 3 4" for Baker's four sets and seeds 0-2 for NB201 (as table (b)), not LCBench
# (its evaluation tasks are curves_stopping_transfer.py's); then V8="lce_baker@0.1:l0.05:t6 lce_baker@0.2:l0.05:t6"
# (baker's part with delta 0.1 / 0.2, lce's at 0.05) on seeds 10-12, and the first of the two on the reported seeds
V8=${V8:-"lce_baker@0.05:t6:v0 lce_baker@0.05:t6:v1"}
SEEDS8=${SEEDS8:-"10 11 12"}
OUT=$E7 sweep "$SEEDS8" $V8
