#!/bin/sh
# Search curves of the predictor-guided samplers (BENCHMARKS.md, "Performance predictors").
# One process, one thread, resumable: rerun to continue where it stopped.
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
for d in ${DATASETS:-cifar10 cifar100}; do
  nice -n 10 python -m archscout bench strategies --strategies guided-local bananas npenas --datasets $d \
    --seeds 20 --queries 50 --jobs 1 --out benchmarks/results/predictors_search.jsonl \
    --markdown benchmarks/results/predictors_search_$d.md
done
