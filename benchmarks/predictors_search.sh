#!/bin/sh
# Search curves of the predictor-guided samplers (BENCHMARKS.md, "Performance predictors").
# One process, one torch thread, resumable: rerun to continue where it stopped.
set -e
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1
nice -n 10 python -m archscout bench strategies --strategies bananas npenas --datasets ${DATASETS:-cifar10} \
  --seeds 20 --queries 50 --jobs 1 --out benchmarks/results/predictors_search.jsonl \
  --markdown benchmarks/results/predictors_search_${DATASETS:-cifar10}.md
