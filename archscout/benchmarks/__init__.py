"""Benchmarks that answer "how good is this architecture" from tables or surrogates, with cost."""

from archscout.benchmarks.tabular import BENCHMARKS, Cost, Table, TabularBenchmark, get_benchmark, nb201

__all__ = ["BENCHMARKS", "Cost", "Table", "TabularBenchmark", "get_benchmark", "nb201"]
