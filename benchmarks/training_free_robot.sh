#!/bin/sh
# RoBoT on NAS-Bench-201 (bundled 200-epoch test-accuracy table), CIFAR-10 and CIFAR-100, T = 20,
# seeds 0..9, proxies = the bundled NAS-Bench-Suite-Zero CIFAR-10 scores (all 13) for both datasets.
# Resumable: runs already in the JSON-lines file are skipped.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1  # BLAS threads spin on a shared machine (10x slower GP fits)
nice -n 10 python -m archscout bench training-free --datasets cifar10 cifar100 --seeds 10 --trials 20 \
    --out benchmarks/results/training_free_robot.jsonl --markdown benchmarks/results/training_free_robot.md
# The paper's six proxies (grad_norm, snip, grasp, fisher, synflow, jacob_cov), same protocol:
nice -n 10 python -m archscout bench training-free --datasets cifar10 cifar100 --seeds 10 --trials 20 \
    --names grad_norm snip grasp fisher synflow jacov \
    --out benchmarks/results/training_free_robot_six.jsonl --markdown benchmarks/results/training_free_robot_six.md
