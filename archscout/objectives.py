"""Objectives: what a trial does with the architecture its sampler proposed."""

from __future__ import annotations

import numpy as np
import optuna

from archscout.benchmarks.tabular import TabularBenchmark


class TabularObjective:
    """Look the architecture up in a tabular benchmark; record its cost on the trial.

    The cost is stored per trial (user attrs ``cost_epochs``/``cost_seconds``) so that the total of a
    resumed study is read from the study, not from a counter that died with the process.
    """

    def __init__(self, benchmark: TabularBenchmark, column: str, epochs: int | None = None,
                 curves: dict[str, np.ndarray] | None = None) -> None:
        benchmark.check_column(column, epochs)
        self.benchmark = benchmark
        self.column = column
        self.epochs = epochs
        self.space = benchmark.search_space(column, epochs)
        # Per-epoch curves (arch string -> values at epochs 1..T): replayed with trial.report so a
        # pruner can stop the trial; a stopped trial costs the epochs it ran.
        self.curves = curves

    def __call__(self, trial: optuna.Trial) -> float:
        arch = self.space.suggest(trial)
        curve = self.curves.get(self.benchmark.space.to_string(arch)) if self.curves else None
        if curve is not None:
            for e, v in enumerate(curve[:-1], start=1):
                trial.report(float(v), e)
                if trial.should_prune():
                    self.benchmark.cost.add(e, None)
                    trial.set_user_attr("cost_epochs", e)
                    raise optuna.TrialPruned()
            trial.report(float(curve[-1]), len(curve))
        before = self.benchmark.cost.as_dict()
        value = self.benchmark.query(arch, self.column, self.epochs)
        after = self.benchmark.cost.as_dict()
        trial.set_user_attr("cost_epochs", after["epochs"] - before["epochs"])
        if after["seconds"] is not None:
            trial.set_user_attr("cost_seconds", after["seconds"] - (before["seconds"] or 0.0))
        return value


def study_cost(study: optuna.Study) -> dict[str, float | int | None]:
    """Total cost of a study's finished trials, from what each trial recorded."""
    trials = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
    seconds = [t.user_attrs["cost_seconds"] for t in trials if "cost_seconds" in t.user_attrs]
    return {
        "queries": len(trials),
        "epochs": float(sum(t.user_attrs.get("cost_epochs", 0.0) for t in trials)),
        "seconds": float(sum(seconds)) if seconds else None,
    }
