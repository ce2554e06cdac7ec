#!/bin/sh
# archscout's own low-fidelity NAS-Bench-201 table (issue 3): 300 random canonical cells + the 10 best
# cells of the NB201 CIFAR-10 table + a second seed for 50 cells = 360 trainings on the CIFAR-10 subset
# (16x16, 5,000 train images, C=8, N=1, 12 epochs). One shard per core; rerun to resume (a killed run
# restarts from its last epoch checkpoint). When every run is done, the table is bundled as package data.
set -e
OUT=${OUT:-benchmarks/results/nb201_lofi}   # tracked: commit runs.jsonl as it grows, a later session resumes
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
for i in 0 1; do
    nice -n 5 archscout bench build-table --out "$OUT" --shard $i/2 >> "$OUT/shard$i.log" 2>&1 &
done
wait
archscout bench build-table --out "$OUT" --json > "$OUT/summary.out"   # every run done: trains nothing, summarises
cat "$OUT/summary.out"
if python -c "import json,sys; s=json.load(open('$OUT/summary.json')); sys.exit(s['runs_done'] < s['runs_planned'])"; then
    gzip -9 -n -c "$OUT/table.csv" > archscout/benchmarks/data/nb201_lofi_cifar10.csv.gz
    cp "$OUT/meta.json" archscout/benchmarks/data/nb201_lofi_meta.json
    echo "bundled archscout/benchmarks/data/nb201_lofi_cifar10.csv.gz"
fi
