#!/bin/sh
# One-shot weight sharing on archscout's low-fidelity NB201 table: one supernet per mode and seed,
# each ranking every cell the table has at that moment. One JSON file per run (skipped when present).
# Epochs give each mode about the same CPU time (~2.5 minutes of supernet training; 8-12 minutes of wall
# clock on the shared 2-core VM under load): SPOS 40 epochs, path dropout 15, first-order DARTS 6 (one DARTS epoch
# costs ~7 SPOS epochs: all ops run, plus the alpha step). SPECS overrides, e.g. SPECS="spos:100".
# Waits for a running `bench oneshot` first (never two at a time on this machine).
# Usage: sh benchmarks/oneshot.sh [SEEDS...]   (default: 0)
set -u
OUT=benchmarks/results/oneshot
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
SEEDS="${*:-0}"
SPECS="${SPECS:-spos:40 dropout:15 darts:6}"
while pgrep -f "archscout bench oneshot" >/dev/null; do sleep 10; done
for seed in $SEEDS; do
  for spec in $SPECS; do
    mode=${spec%%:*}; epochs=${spec##*:}
    f="$OUT/${mode}_e${epochs}_seed${seed}.json"
    [ -f "$f" ] && continue
    echo "$(date -u +%H:%M:%S) $mode seed $seed ($epochs epochs), load $(cut -d' ' -f1-3 /proc/loadavg)"
    nice -n 15 archscout bench oneshot --mode "$mode" --epochs "$epochs" --seed "$seed" --out "$f" --json \
      || echo "$mode seed $seed failed"
  done
done
