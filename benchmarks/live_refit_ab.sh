#!/usr/bin/env bash
# A/B of the Quickstart's main job (MNIST-1D, chain space, REA, 10 minutes, seeds 0-4), two arms run side by
# side so each seed's pair shares the machine's load: arm 1 keeps the 10% validation split, arm 2 holds out 20%;
# both refit the returned architecture on all 4,000 training signals for 20 epochs. Each row also records the
# search's own weights' test accuracy (`test_accuracy_search`), i.e. the same search without --refit.
# Resumable: a rerun skips finished seeds. Summary: python benchmarks/live_summary.py DIR...
set -euo pipefail
cd "$(dirname "$0")/.."
python benchmarks/live_search.py --data mnist1d --space chain --minutes 10 --seeds 0 1 2 3 4 --threads 1 \
    --extra "--refit --refit-epochs 20" --out benchmarks/results/live_mnist1d_refit &
python benchmarks/live_search.py --data mnist1d --space chain --minutes 10 --seeds 0 1 2 3 4 --threads 1 \
    --extra "--val-fraction 0.2 --refit --refit-epochs 20" --out benchmarks/results/live_mnist1d_val20_refit &
wait
