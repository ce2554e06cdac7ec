#!/usr/bin/env bash
# Every learning-curve benchmark, one after the other (one process at a time), all resumable.
# Usage: nice -n 10 bash benchmarks/curves_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash benchmarks/curves_quality.sh
bash benchmarks/curves_stopping.sh
python benchmarks/curves_cost.py --curves-per-set 8
echo all done
