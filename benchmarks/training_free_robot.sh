#!/bin/sh
# RoBoT on NAS-Bench-201 (bundled 200-epoch test-accuracy table), CIFAR-10 and CIFAR-100, T = 20,
# seeds 0..9, proxies = the bundled NAS-Bench-Suite-Zero CIFAR-10 scores for both datasets.
# Resumable: runs already in a JSON-lines file (same dataset, seed, T, proxies, transform, exploit) are skipped.
set -e
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1  # BLAS threads spin on a shared machine (10x slower GP fits)
R=benchmarks/results
SIX="grad_norm snip grasp fisher synflow jacov"  # the paper's six proxies
bench() { nice -n 10 python -m archscout bench training-free --datasets cifar10 cifar100 --trials 20 "$@"; }
# archscout's defaults (transform log, exploit rank), all 13 proxies, then the paper's six:
bench --seeds 10 --out $R/training_free_robot.jsonl --markdown $R/training_free_robot.md
bench --seeds 10 --names $SIX --out $R/training_free_robot_six.jsonl --markdown $R/training_free_robot_six.md
# The paper's procedure (no transform, w* = argmax f):
bench --seeds 10 --transform none --exploit argmax --out $R/training_free_robot.jsonl --markdown $R/training_free_robot_paper.md
bench --seeds 10 --transform none --exploit argmax --names $SIX --out $R/training_free_robot_six.jsonl --markdown $R/training_free_robot_six_paper.md
# Ablation: each change alone (all 13 proxies):
bench --seeds 10 --transform log --exploit argmax --out $R/training_free_robot.jsonl --markdown $R/training_free_robot_log_argmax.md
bench --seeds 10 --transform none --exploit rank --out $R/training_free_robot.jsonl --markdown $R/training_free_robot_none_rank.md
# Held-out seeds 10..29 (the defaults were chosen looking at seeds 0..19 of the first run):
bench --seeds 20 --first-seed 10 --out $R/training_free_robot.jsonl --markdown $R/training_free_robot_heldout.md
