#!/bin/sh
# One-shot weight sharing on archscout's low-fidelity NB201 table: one supernet per mode and seed,
# each ranking every cell the table has at that moment. One JSON file per run (skipped when present).
# Epochs give each mode roughly the same wall clock (~7-9 minutes of supernet training on one core of
# the shared 2-core VM): SPOS 100 epochs, path dropout 50, first-order DARTS 20.
# Usage: sh benchmarks/oneshot.sh [SEEDS...]   (default: 0)
set -u
OUT=benchmarks/results/oneshot
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
SEEDS="${*:-0}"
for seed in $SEEDS; do
  for spec in spos:100 dropout:50 darts:20; do
    mode=${spec%%:*}; epochs=${spec##*:}
    f="$OUT/${mode}_e${epochs}_seed${seed}.json"
    [ -f "$f" ] && continue
    echo "$(date -u +%H:%M:%S) $mode seed $seed ($epochs epochs), load $(cut -d' ' -f1-3 /proc/loadavg)"
    nice -n 15 archscout bench oneshot --mode "$mode" --epochs "$epochs" --seed "$seed" --out "$f" --json \
      || echo "$mode seed $seed failed"
  done
done
