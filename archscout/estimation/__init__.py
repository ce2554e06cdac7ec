"""Performance estimation: learning curves, predictors, zero-cost proxies, one-shot supernets.

Estimators are plain objects (fit / predict / score) that samplers and pruners use; none of them
knows about Optuna, so each can be benchmarked on its own.
"""
