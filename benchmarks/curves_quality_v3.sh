#!/usr/bin/env bash
# `lce` (tempered fast mode) again on the test curves of table (a) step 2 (benchmarks/curves_quality.sh:
# every cut-off, at most 200 seeded test curves). Resumable.
# Since 2026-12-02 the fast mode's temperature is max(2, n / 10) (was 2): its rows go to curves_quality_v4.jsonl.
# Earlier rows: the Laplace fast mode's are in curves_quality.jsonl.maxtest; the temperature-2 ones in
# curves_quality_v3.jsonl (reproduced by LCE_ARGS="--lce-temperature 2" OUT=benchmarks/results/curves_quality_v3.jsonl);
# a dropped first choice, max(1, n / 10), in curves_quality_v4_floor1.jsonl.
# Usage: nice -n 10 bash benchmarks/curves_quality_v3.sh
set -euo pipefail
cd "$(dirname "$0")/.."
D=../shared/data
OUT=${OUT:-benchmarks/results/curves_quality_v4.jsonl}
CUTS="0.1 0.2 0.3 0.5"
for f in metaqnn_cifar10 metaqnn_svhn deep_resnets_cifar10; do
  archscout bench curves --curves $D/baker2018/$f.csv --cutoff $CUTS --max-test 200 --methods lce ${LCE_ARGS:-} --out $OUT >/dev/null
done
archscout bench curves --curves $D/baker2018/lstm_ptb.csv --minimize --cutoff $CUTS --max-test 200 --methods lce ${LCE_ARGS:-} --out $OUT >/dev/null
archscout bench curves --curves $D/nb201/learning_curves_cifar10.csv --cutoff $CUTS --max-test 200 --methods lce ${LCE_ARGS:-} --out $OUT >/dev/null
for t in 3945 7593 34539; do
  archscout bench curves --curves lcbench:$t --lcbench-configs 500 --cutoff $CUTS --max-test 200 --methods lce ${LCE_ARGS:-} --out $OUT >/dev/null
done
echo done
