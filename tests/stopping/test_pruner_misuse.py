"""Misuse of the pruners is one clear error when the pruner is built (or at its first check), never a study that
quietly keeps every trial or stops the best ones."""

import math

import numpy as np
import optuna
import pytest

from archscout.errors import ArchscoutError
from archscout.estimation.curves.base import Metric
from archscout.stopping import BakerPruner, LCEPruner, make_pruner

optuna.logging.set_verbosity(optuna.logging.ERROR)


@pytest.mark.parametrize("build, message", [
    (lambda: make_pruner("lce", 20, bogus=1), "unexpected keyword argument 'bogus'"),
    (lambda: make_pruner("baker", 20, bogus=1), "unexpected keyword argument 'bogus'"),
    (lambda: make_pruner("median", 20, bogus=1), "takes no option 'bogus'"),
    (lambda: LCEPruner(20, metric="maximize"), "must be an archscout Metric"),
    (lambda: LCEPruner(20, mode="bad"), "unknown extrapolation mode"),
    (lambda: LCEPruner(20, families=("foo",)), "unknown curve families"),
    (lambda: LCEPruner(20, n_samples=0), "n_samples must be an integer >= 1"),
    (lambda: LCEPruner(20, seed=-100), "seed must be an integer >= 0"),
    (lambda: BakerPruner(20, seed=-1), "seed must be an integer >= 0"),
    (lambda: BakerPruner(20, margin=math.nan), "margin"),
    (lambda: LCEPruner("20"), "max_epochs"),
    (lambda: make_pruner("hyperband_lce", 20, reduction_factor=1), "reduction_factor >= 2"),
    (lambda: make_pruner("hyperband_lce", 0), "max_epochs"),
])
def test_bad_settings_fail_when_the_pruner_is_built(build, message):
    with pytest.raises(ArchscoutError, match=message):
        build()


def curve(top: float, t: int) -> float:
    return top * (1 - math.exp(-0.4 * t))


def test_a_metric_declared_against_the_study_direction_is_an_error():
    pruner = make_pruner("lce", 20, Metric("minimize", 0, 1))
    study = optuna.create_study(direction="maximize", pruner=pruner)

    def objective(trial):
        for t in range(1, 21):
            trial.report(curve(0.9, t), t)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return curve(0.9, 20)

    with pytest.raises(ArchscoutError, match="declared to minimize but the study's direction is maximize"):
        study.optimize(objective, n_trials=3)


def test_one_trial_with_bad_features_does_not_switch_baker_off():
    """A trial whose user attr 'features' are not numbers is left out of the regressor's data; the rest is pruned."""
    rng = np.random.default_rng(0)
    tops = rng.uniform(0.3, 0.9, 40)

    def run(bad_first: bool) -> int:
        pruner = BakerPruner(20, Metric.accuracy(), n_train=6, n_search=3, checkpoints=(0.2, 0.5))
        study = optuna.create_study(direction="maximize", pruner=pruner)

        def objective(trial):
            top = tops[trial.number]
            trial.set_user_attr("features", ["x"] if bad_first and trial.number == 0 else [top * 0 + 1.0])
            for t in range(1, 21):
                trial.report(curve(top, t), t)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            return curve(top, 20)

        study.optimize(objective, n_trials=40)
        return sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)

    plain = run(False)
    assert plain > 5
    assert run(True) >= plain - 3  # it was 0: every check failed on the one bad trial
