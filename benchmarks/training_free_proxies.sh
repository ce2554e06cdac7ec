#!/bin/sh
# The published-score check in three resumable phases, one single-threaded process at a time:
# the data-independent proxies first (cheap), then the data-dependent ones, then GraSP (a double
# backward, half of the total cost). Rerun to resume; results accumulate in the JSON-lines file.
# On a busy machine, balance the slow proxies over the same first networks of the sample with
# --limit K (e.g. `--limit 50 --proxies grasp`), as done for BENCHMARKS.md.
set -e
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1  # BLAS threads spin on a shared machine
OUT=${OUT:-benchmarks/results/training_free_proxies.jsonl}
N=${N:-500}
nice -n 10 python benchmarks/training_free_proxies.py --n "$N" --seed 0 --out "$OUT" --proxies params flops synflow l2_norm
nice -n 10 python benchmarks/training_free_proxies.py --n "$N" --seed 0 --out "$OUT" --proxies nwot jacov epe_nas grad_norm snip fisher plain zen
nice -n 10 python benchmarks/training_free_proxies.py --n "$N" --seed 0 --out "$OUT" --proxies grasp
python benchmarks/training_free_proxies.py --report --seed 0 --out "$OUT"
