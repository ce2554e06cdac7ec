#!/usr/bin/env bash
# PNAS-style progressive search (--strategy pnas) on trained networks: the Quickstart's main job (MNIST-1D, chain
# space, 10 minutes, current defaults: 20% validation split, --refit) with pnas instead of rea, the given seeds side
# by side at one torch thread each, one folder (SQLite file) per seed. Compare with the REA rows of
# benchmarks/results/live_mnist1d_defaults_10min (same command with --strategy rea). Resumable: a rerun skips
# finished seeds. Table: python benchmarks/live_refit_report.py --ab benchmarks/results/live_mnist1d_pnas_10min/seed*
# Usage: bash benchmarks/live_pnas.sh SEED_A SEED_B
set -euo pipefail
cd "$(dirname "$0")/.."
for s in "$@"; do
    python benchmarks/live_search.py --data mnist1d --space chain --strategy pnas --minutes 10 --seeds "$s" --threads 1 \
        --out "benchmarks/results/live_mnist1d_pnas_10min/seed$s" &
done
wait
