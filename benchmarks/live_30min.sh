#!/usr/bin/env bash
# The Quickstart's main job with a 30-minute budget, current defaults (20% validation split, --refit), two seeds
# side by side at one torch thread each, one folder (SQLite file) per seed. Resumable: a rerun skips finished seeds.
# Usage: bash benchmarks/live_30min.sh SEED_A SEED_B
set -euo pipefail
cd "$(dirname "$0")/.."
for s in "$@"; do
    python benchmarks/live_search.py --data mnist1d --space chain --minutes 30 --seeds "$s" --threads 1 \
        --out "benchmarks/results/live_mnist1d_chain_30min_refit/seed$s" &
done
wait
