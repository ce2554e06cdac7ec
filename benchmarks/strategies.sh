#!/usr/bin/env bash
# The strategy comparison of BENCHMARKS.md ("Search strategies on NAS-Bench-201").
# 5 strategies x CIFAR-10/100 x 20 seeds (0..19) x 300 queries on the bundled 200-epoch table.
# Resumable: runs already in the JSON-lines file are skipped when the script is rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p benchmarks/results
nice -n 5 archscout bench strategies --benchmark nb201 --datasets cifar10 cifar100 \
  --strategies bo reinforce rea local random --seeds 20 --queries 300 --jobs "${JOBS:-2}" \
  --out benchmarks/results/strategies.jsonl --markdown benchmarks/results/strategies.md
