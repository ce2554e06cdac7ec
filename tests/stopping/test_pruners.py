"""The pruners' decisions on crafted curves, in plain Optuna studies and in `archscout search`."""

import json
import logging

import numpy as np
import optuna
import pytest

from archscout.cli.main import main
from archscout.errors import ArchscoutError
from archscout.estimation.curves import Metric
from archscout.stopping import (
    BakerPruner,
    EitherPruner,
    LCEPruner,
    PredictiveSuccessiveHalvingPruner,
    PriorCurves,
    make_pruner,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)
X = np.arange(1, 21, dtype=float)


def good(c=0.9):
    return c - 0.6 * X**-0.7


def bad():
    return 0.25 - 0.1 * X**-0.5


def replay(curves, features=None):
    def objective(trial):
        curve = curves[trial.number]
        if features is not None:
            trial.set_user_attr("features", list(features[trial.number]))
        for e, v in enumerate(curve, start=1):
            trial.report(float(v), e)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(curve[-1])

    return objective


def states(study):
    return [t.state.name for t in study.trials]


def test_lce_prunes_a_hopeless_curve_and_keeps_good_ones():
    pruner = LCEPruner(20, Metric(), min_epochs=4, checkpoints=(0.25, 0.5), calibrate=False)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    curves = [good(), bad(), good(0.92), good(0.85)]
    study.optimize(replay(curves), n_trials=4)
    assert states(study) == ["COMPLETE", "PRUNED", "COMPLETE", "PRUNED"]
    bad_trial = study.trials[1]
    assert max(bad_trial.intermediate_values) == 5  # stopped at the first check (25% of 20 epochs)
    # trial 3 ends 0.05 below the best (0.92 - 0.6 * 20^-0.7): stopped with a small P(better)
    d = [x for x in pruner.decisions if x["trial"] == 3 and x["prune"]][0]
    assert d["p_better"] < 0.05 and d["mean"] < d["best"]


def test_lce_never_prunes_before_a_complete_trial_or_min_epochs():
    pruner = LCEPruner(20, Metric(), min_epochs=8, checkpoints=None, calibrate=False)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay([bad(), good(), bad()]), n_trials=3)
    assert states(study) == ["COMPLETE", "COMPLETE", "PRUNED"]
    assert max(study.trials[2].intermediate_values) == 8


def test_lce_minimising_a_loss():
    pruner = LCEPruner(20, Metric.loss(), min_epochs=5, checkpoints=(0.25,), calibrate=False)
    study = optuna.create_study(direction="minimize", pruner=pruner)
    study.optimize(replay([80 + 200 * X**-0.8, 300 + 200 * X**-0.8, 70 + 200 * X**-0.8]), n_trials=3)
    assert states(study) == ["COMPLETE", "PRUNED", "COMPLETE"]


def test_bad_curves_keep_the_trial_and_never_crash(caplog):
    nan_curve = good(0.95)
    nan_curve[[2, 3, 4, 6, 7]] = np.nan
    percent = 100 * good(0.95)  # accuracy in percent while [0, 1] was declared
    constant = np.full(20, 0.1)
    pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), calibrate=False)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    with caplog.at_level(logging.INFO):
        study.optimize(replay([good(), nan_curve, percent, constant]), n_trials=4)
    # NaN points: 2 usable of 5 -> too little data, kept; out of range: kept with a warning;
    # a constant curve at chance level is extrapolated and stopped
    assert states(study) == ["COMPLETE", "COMPLETE", "COMPLETE", "PRUNED"]
    assert any("too little data" in r.message and r.levelno == logging.INFO for r in caplog.records)
    assert any("outside the declared metric range" in r.message and r.levelno == logging.WARNING
               for r in caplog.records)


def jumped(c):
    """A curve whose schedule ends with a jump (a learning-rate drop at epoch 15) no family foresees."""
    return c - 0.5 * X**-0.7 + 0.1 * (X >= 15)


def test_calibrated_lce_waits_for_n_calib_completed_trials():
    pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), n_calib=4)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay([good()] + [bad()] * 5), n_trials=6)
    # 4 completed trials with a prediction at epoch 5 are needed before anything is stopped
    assert states(study) == ["COMPLETE"] * 4 + ["PRUNED"] * 2
    assert [x["trial"] for x in pruner.decisions] == [4, 5]
    d = pruner.decisions[0]
    assert d["n_calib"] == 4 and d["optimistic"] < d["best"]


def test_lce_by_default_waits_for_10_completed_trials():
    pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,))
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay([good()] + [bad()] * 11), n_trials=12)
    assert states(study) == ["COMPLETE"] * 10 + ["PRUNED"] * 2
    assert [x["n_calib"] for x in pruner.decisions] == [10, 10]


def test_calibration_learns_a_late_jump_the_posterior_misses():
    curves = [jumped(c) for c in (0.66, 0.60, 0.62, 0.64, 0.61)] + [jumped(0.70), bad()]
    out = {}
    for calibrate in (False, True):
        pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25, 0.5), calibrate=calibrate, n_calib=5)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay(curves), n_trials=len(curves))
        out[calibrate] = (states(study), pruner)
    # Domhan's own P(better) < delta stops the network that ends best: no family foresees the jump
    assert out[False][0][5] == "PRUNED"
    # calibrated: the 5 finished curves show the predictions are ~0.1 too low; the best network
    # runs to the end and the hopeless one is still stopped at the first check
    st, pruner = out[True]
    assert st == ["COMPLETE"] * 6 + ["PRUNED"]
    d = [x for x in pruner.decisions if x["trial"] == 5]
    assert d and all(x["q"] > 2 for x in d) and all(x["optimistic"] > x["best"] for x in d)
    q, n = pruner.calibration(study, Metric(), 5)
    assert n == 6 and q > 0


def test_calibration_both_never_narrows_the_models_own_bound():
    # five identical finished curves: their z-spread is small (only the sampler's seed differs), so
    # the calibrated bound alone is tight and would stop a network within the posterior's own
    # uncertainty of the best
    pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), n_calib=5, combine="both")
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay([good()] * 5 + [good(0.83)]), n_trials=6)
    d = pruner.decisions[-1]
    assert d["trial"] == 5 and d["optimistic"] < d["best"] and d["p_better"] > pruner.delta
    assert states(study)[-1] == "COMPLETE" and not d["prune"]


def test_calibrated_alone_stops_on_its_own_bound_and_keeps_a_winner():
    # combine="calibrated": the calibrated bound decides alone, so the network within the
    # posterior's own uncertainty that "both" keeps (test above) is stopped, a hopeless one too,
    # and a network that ends above every finished one runs to the end
    curves = [good()] * 5 + [good(0.83), bad(), good(0.95)]
    out = {}
    for combine in ("both", "calibrated"):
        pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), n_calib=5, combine=combine)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay(curves), n_trials=len(curves))
        out[combine] = (states(study), pruner)
    assert out["both"][0] == ["COMPLETE"] * 6 + ["PRUNED", "COMPLETE"]
    st, pruner = out["calibrated"]
    assert st == ["COMPLETE"] * 5 + ["PRUNED", "PRUNED", "COMPLETE"]
    d = {x["trial"]: x for x in pruner.decisions}
    assert d[5]["p_better"] > pruner.delta and d[5]["optimistic"] < d[5]["best"]
    assert d[7]["optimistic"] > d[7]["best"] and not d[7]["prune"]


def test_combine_must_be_known():
    with pytest.raises(ArchscoutError):
        LCEPruner(20, combine="either")


def lce_prior(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return np.array([good(c) + 0.002 * rng.standard_normal(20) for c in rng.uniform(0.8, 0.95, n)])


def test_lce_with_a_prior_stops_before_n_calib_trials_of_its_own_completed():
    curves = [good(), bad(), bad(), good(0.93)]

    def search(**kw):
        pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), **kw)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay(curves), n_trials=len(curves))
        return states(study), pruner

    assert search()[0] == ["COMPLETE"] * 4  # alone it waits for 10 completed trials
    st, pruner = search(prior=lce_prior())
    assert st == ["COMPLETE", "PRUNED", "PRUNED", "COMPLETE"]
    # the calibration holds the 10 prior curves' errors and the one completed trial's
    assert [d["n_calib"] for d in pruner.decisions if d["prune"]] == [11, 11]
    # a (features, curves) pair, as BakerPruner takes it, is read as the same curves
    assert search(prior=(np.zeros((10, 1)), lce_prior()))[0] == st


def test_lce_keep_prior_false_uses_the_prior_only_until_n_calib_own_trials_completed():
    prior = PriorCurves(lce_prior(6))
    out = {}
    for keep in (True, False):
        pruner = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), n_calib=3, prior=prior, keep_prior=keep)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay([good(0.9), good(0.91), good(0.92), good(0.93)]), n_trials=4)
        out[keep] = pruner.calibration(study, Metric(), 5)[1]
    assert out == {True: 10, False: 4}  # 6 prior + 4 own; then the 4 own alone


def test_prior_curves_are_fitted_once_per_epoch_and_shared_between_pruners():
    prior = PriorCurves(lce_prior(4))
    a = LCEPruner(20, Metric(), checkpoints=(0.25,), prior=prior, seed=0)
    b = LCEPruner(20, Metric(), checkpoints=(0.25,), prior=prior, seed=7)
    za = prior.errors(a, Metric(), 5)
    assert za.shape == (4,) and np.all(np.isfinite(za))
    assert prior.errors(b, Metric(), 5) is za  # another pruner, another seed: no refit
    assert prior.errors(a, Metric(), 10) is not za


@pytest.mark.parametrize("prior, kw, match", [
    (np.full((3, 12), 0.5), {}, "12 epochs"),
    (np.full((3, 20), np.nan), {}, "finite"),
    (np.full(20, 0.5), {}, "2-d"),
    ("curves.csv", {}, "2-d|numeric"),
    (np.full((3, 20), 0.5), {"calibrate": False}, "calibrate"),
])
def test_lce_prior_misuse_is_one_clear_error(prior, kw, match):
    with pytest.raises(ArchscoutError, match=match):
        LCEPruner(20, Metric(), prior=prior, **kw)


def test_either_pruner_stops_when_any_of_its_pruners_would_and_asks_them_all():
    class Recorder(optuna.pruners.BasePruner):  # never stops; remembers every report it was asked about
        def __init__(self):
            self.asked = []

        def prune(self, study, trial):
            self.asked.append((trial.number, trial.last_step))
            return False

    lce, rec = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), calibrate=False), Recorder()
    study = optuna.create_study(direction="maximize", pruner=EitherPruner(lce, rec))
    study.optimize(replay([good(), bad(), good(0.93)]), n_trials=3)
    assert states(study) == ["COMPLETE", "PRUNED", "COMPLETE"]  # lce alone stops the hopeless one
    assert [(d["trial"], d["prune"]) for d in lce.decisions] == [(1, True), (2, False)]
    # the other pruner was asked about the report at which lce stopped trial 1, and about every other one
    assert (1, 5) in rec.asked and len(rec.asked) == 20 + 5 + 20
    p = make_pruner("lce_baker", 20, Metric(), lce_delta=0.1, baker_n_train=8, prior=(np.zeros((10, 1)), lce_prior()))
    assert isinstance(p, EitherPruner) and p.pruners[0].delta == 0.1 and p.pruners[1].n_train == 8
    # in the union Baker's regressor starts from 6 finished curves; alone it waits for 10
    assert make_pruner("lce_baker", 20).pruners[1].n_train == 6 and make_pruner("baker", 20).n_train == 10
    assert len(p.pruners[0].prior) == 10 and p.pruners[1]._prior is not None
    with pytest.raises(ArchscoutError, match="lce_ or baker_"):
        make_pruner("lce_baker", 20, delta=0.1)
    with pytest.raises(ArchscoutError, match="two or more"):
        EitherPruner(lce)


class Opinion(optuna.pruners.BasePruner):
    """Never stops; predicts each trial's final value as `means[trial]` (std 0.01), like a curve pruner."""

    def __init__(self, means):
        self.means, self.metric, self._preds = means, None, {}

    def prune(self, study, trial):
        if trial.number in self.means:  # a dict may leave a trial out: no opinion on it
            self._preds.setdefault(trial.number, {})[trial.last_step] = (self.means[trial.number], 0.01)
        return False


@pytest.mark.parametrize("veto, other_says, stopped", [
    (None, 0.95, True),   # no veto: lce alone stops the hopeless trial
    (0.0, 0.95, False),   # the other rule still expects it to win (mean above the best, 0.83): vetoed
    (0.0, 0.30, True),    # the other rule agrees it loses: stopped
    (10.0, 0.80, False),  # 0.80 + 10 x 0.01 = 0.90 still beats the best: vetoed
    (1.0, 0.80, True),    # 0.80 + 0.01 does not: stopped
])
def test_either_pruner_veto_keeps_a_trial_the_other_rule_expects_to_win(veto, other_says, stopped):
    lce = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), calibrate=False)
    pruner = EitherPruner(lce, Opinion({0: 0.5, 1: other_says, 2: 0.5}), veto=veto)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay([good(), bad(), good(0.93)]), n_trials=3)
    assert [d["prune"] for d in lce.decisions if d["trial"] == 1] == [True]  # lce wanted to stop it
    assert study.trials[1].state.name == ("PRUNED" if stopped else "COMPLETE")
    assert pruner.vetoed == ([] if stopped else [{"trial": 1, "epoch": 5, "by": [0]}])


def test_either_pruner_veto_needs_an_opinion_and_a_number():
    lce = LCEPruner(20, Metric(), min_epochs=5, checkpoints=(0.25,), calibrate=False)
    study = optuna.create_study(direction="maximize", pruner=EitherPruner(lce, Opinion({0: 0.95}), veto=0.0))
    study.optimize(replay([good(), bad()]), n_trials=2)  # the other rule never predicted trial 1: no veto
    assert states(study) == ["COMPLETE", "PRUNED"]
    for bad_veto in ("1", float("nan"), True):
        with pytest.raises(ArchscoutError, match="veto"):
            EitherPruner(lce, Opinion({}), veto=bad_veto)
    # only lce's predictions may veto (veto_by): the other rule's optimism no longer keeps the trial
    study = optuna.create_study(direction="maximize",
                                pruner=EitherPruner(lce, Opinion({1: 0.95}), veto=0.0, veto_by=(0,)))
    study.optimize(replay([good(), bad()]), n_trials=2)
    assert states(study) == ["COMPLETE", "PRUNED"]
    with pytest.raises(ArchscoutError, match="veto_by"):
        EitherPruner(lce, Opinion({}), veto=0.0, veto_by=(2,))
    with pytest.raises(ArchscoutError, match="needs veto"):
        EitherPruner(lce, Opinion({}), veto_by=(1,))
    assert make_pruner("lce_baker", 20, Metric(), veto=0.5).veto_by == (0, 1)
    assert make_pruner("lce_baker", 20, Metric(), veto=0.5, veto_by="baker").veto_by == (1,)
    with pytest.raises(ArchscoutError, match="veto_by"):
        make_pruner("lce_baker", 20, Metric(), veto=0.5, veto_by="median")


def test_baker_prunes_once_it_has_training_curves():
    rng = np.random.default_rng(0)
    cs = list(rng.uniform(0.6, 0.95, 10))
    best = max(c - 0.5 * 20**-0.6 for c in cs)
    cs += [0.62, max(cs) + 0.03]  # a poor network, then one better than all
    curves = [c - 0.5 * X**-0.6 + 0.003 * rng.standard_normal(20) for c in cs]
    feats = [[c + 0.02 * rng.standard_normal()] for c in cs]
    pruner = BakerPruner(20, Metric(), model="bayes_ridge", checkpoints=(0.25,), n_train=10, calibrate=False)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay(curves, feats), n_trials=len(curves))
    assert states(study) == ["COMPLETE"] * 10 + ["PRUNED", "COMPLETE"]  # nothing stopped before 10 finished
    assert max(study.trials[10].intermediate_values) == 5
    d = [x for x in pruner.decisions if x["trial"] == 10][0]
    # default margin: one-sided 95% Student-t bound with 10 - 1 degrees of freedom
    assert d["margin"] == pytest.approx(1.833, abs=1e-3)
    assert d["mean"] == pytest.approx(0.62 - 0.5 * 20**-0.6, abs=0.03) and d["mean"] + d["margin"] * d["std"] < best


def test_baker_with_a_prior_stops_a_poor_trial_before_any_curve_of_its_own_finished():
    rng = np.random.default_rng(0)
    prior_c = rng.uniform(0.6, 0.95, 10)
    prior = ([[c + 0.02 * rng.standard_normal()] for c in prior_c],
             [c - 0.5 * X**-0.6 + 0.003 * rng.standard_normal(20) for c in prior_c])
    cs = [0.9, 0.62]  # a good network completes, then a poor one
    curves = [c - 0.5 * X**-0.6 + 0.003 * rng.standard_normal(20) for c in cs]
    feats = [[c] for c in cs]

    def search(**kw):
        pruner = BakerPruner(20, Metric(), model="bayes_ridge", checkpoints=(0.25,), n_train=10, calibrate=False, **kw)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay(curves, feats), n_trials=2)
        return states(study), pruner

    assert search()[0] == ["COMPLETE", "COMPLETE"]  # without a prior it waits for 10 finished curves
    st, pruner = search(prior=prior)
    assert st == ["COMPLETE", "PRUNED"]
    d = pruner.decisions[-1]
    assert d["trial"] == 1 and d["epoch"] == 5 and d["mean"] == pytest.approx(0.62 - 0.5 * 20**-0.6, abs=0.03)
    # a prior whose features do not line up with the trials' is never used to stop one
    wide = ([[c, 1.0] for c, in prior[0]], prior[1])
    assert search(prior=wide)[0] == ["COMPLETE", "COMPLETE"]


def test_baker_keep_prior_false_drops_the_prior_once_n_train_own_curves_finished():
    rng = np.random.default_rng(2)
    prior = (rng.uniform(0.6, 0.9, (8, 1)), np.array([c - 0.5 * X**-0.6 for c in rng.uniform(0.6, 0.9, 8)]))
    cs = rng.uniform(0.6, 0.95, 4)
    curves = [c - 0.5 * X**-0.6 for c in cs]
    sizes = {}
    for keep in (True, False):
        pruner = BakerPruner(20, Metric(), model="bayes_ridge", n_train=3, calibrate=False, prior=prior, keep_prior=keep)
        study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
        study.optimize(replay(curves, [[c] for c in cs]), n_trials=2)
        before = len(pruner._pool(study)[1])
        study.optimize(replay(curves, [[c] for c in cs]), n_trials=2)
        sizes[keep] = (before, len(pruner._pool(study)[1]))
    assert sizes[True] == (10, 12)  # 8 prior rows + the study's own
    assert sizes[False] == (10, 4)  # 2 < n_train own curves: with the prior; then without


def test_baker_prior_growth_refits_on_the_searchs_own_curves():
    from archscout.estimation.curves.regression import CutoffRegressors

    rng = np.random.default_rng(1)
    F = rng.uniform(0, 0.9, (40, 1))
    C = np.column_stack([F[:, 0] + 0.01 * k for k in range(6)])
    reg = CutoffRegressors("bayes_ridge", Metric(), refit_growth=0.25)
    reg.predict(F[:30], C[:30], F[0], C[0, :3], n_fixed=30)
    first = reg._models[3][2]
    reg.predict(F[:31], C[:31], F[0], C[0, :3], n_fixed=30)  # one own curve more: refit (30 prior rows do not count)
    assert reg._models[3][2] is not first
    second = reg._models[3][2]
    reg.predict(F[:31], C[:31], F[0], C[0, :3], n_fixed=30)
    assert reg._models[3][2] is second  # nothing new: no refit


@pytest.mark.parametrize("prior, match", [
    (([[1.0]], [[0.5] * 19]), "19 epochs"),
    (([[1.0], [2.0]], [[0.5] * 20]), "one row per network"),
    (([[np.nan]], [[0.5] * 20]), "finite"),
    ("curves.csv", "pair"),
])
def test_baker_prior_misuse_is_one_clear_error(prior, match):
    with pytest.raises(ArchscoutError, match=match):
        BakerPruner(20, Metric(), prior=prior)


def test_baker_looks_at_the_10_percent_cutoff_of_a_20_epoch_schedule():
    # the regressor reads features with the curve, so unlike the parametric fit it needs no 3 points
    assert BakerPruner(20, Metric()).min_epochs == 2 and LCEPruner(20, Metric()).min_epochs == 3
    rng = np.random.default_rng(0)
    cs = list(rng.uniform(0.6, 0.95, 10)) + [0.62]
    curves = [c - 0.5 * X**-0.6 + 0.003 * rng.standard_normal(20) for c in cs]
    pruner = BakerPruner(20, Metric(), model="bayes_ridge", n_train=10, calibrate=False)
    study = optuna.create_study(direction="maximize", pruner=pruner)
    study.optimize(replay(curves, [[c] for c in cs]), n_trials=len(curves))
    assert study.trials[10].state.name == "PRUNED" and max(study.trials[10].intermediate_values) == 2


def test_baker_on_a_12_epoch_schedule_decides_after_the_first_epoch(caplog):
    # 10% of 12 epochs rounds to epoch 1: a one-point prefix must give a decision, not a kept trial
    x = np.arange(1, 13, dtype=float)
    rng = np.random.default_rng(2)
    cs = list(rng.uniform(0.6, 0.95, 10)) + [0.62]
    curves = [c - 0.5 * x**-0.6 + 0.003 * rng.standard_normal(12) for c in cs]
    pruner = BakerPruner(12, Metric(), model="bayes_ridge", n_train=10, calibrate=False)
    assert sorted(pruner.check_epochs) == [1, 2, 4, 6, 9]
    study = optuna.create_study(direction="maximize", pruner=pruner)
    with caplog.at_level(logging.INFO, logger="archscout.stopping"):
        study.optimize(replay(curves, [[c] for c in cs]), n_trials=len(curves))
    assert "cannot extrapolate" not in caplog.text
    assert [d["epoch"] for d in pruner.decisions if d["trial"] == 10][0] == 1


def test_baker_impute_puts_stopped_trials_into_the_earlier_cutoffs_training_sets():
    # ten finished curves, then two trials that start like the best and collapse after epoch 2: the
    # first is stopped at epoch 10; with impute its predicted final joins the epoch-2 training set,
    # so the second (its look-alike) is predicted lower at epoch 2
    rng = np.random.default_rng(1)
    cs = list(rng.uniform(0.6, 0.95, 10))
    curves = [c - 0.5 * X**-0.6 + 0.003 * rng.standard_normal(20) for c in cs]
    top = max(cs)
    collapse = np.where(X <= 2, top - 0.5 * X**-0.6, 0.35)
    curves += [collapse, collapse + 0.001]
    feats = [[c] for c in cs] + [[top], [top]]
    means = {}
    for impute in (False, True):
        pruner = BakerPruner(20, Metric(), model="bayes_ridge", checkpoints=(0.1, 0.5), n_train=10, refit_growth=0.0,
                             calibrate=False, impute=impute)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay(curves, feats), n_trials=len(curves))
        assert max(study.trials[10].intermediate_values) == 10  # kept at epoch 2, stopped at epoch 10
        stop_mean = [d["mean"] for d in pruner.decisions if d["trial"] == 10 and d["epoch"] == 10][0]
        F, C = pruner._pool(study, 2)
        if impute:  # the trial stopped at epoch 10 is in the pool of cut-off 2 (not of 10), with its prediction
            assert len(C) == 12 and C.shape[1] == 3 and stop_mean in C[:, -1]
            assert len(pruner._pool(study, 10)[1]) == 10
        else:
            assert len(C) == 10
        means[impute] = [d["mean"] for d in pruner.decisions if d["trial"] == 11 and d["epoch"] == 2][0]
    assert means[True] < means[False] - 0.01


def test_baker_guard_keeps_a_trial_ahead_of_the_incumbent_at_the_same_epoch():
    from optuna.distributions import FloatDistribution
    from optuna.trial import create_trial

    def trial(curve, state):
        return create_trial(state=state, value=curve[-1] if state == optuna.trial.TrialState.COMPLETE else None,
                            params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)},
                            intermediate_values=dict(enumerate(curve, start=1)))

    study = optuna.create_study(direction="maximize")
    done = optuna.trial.TrialState.COMPLETE
    study.add_trial(trial([0.3, 0.5, 0.9], done))  # the incumbent: 0.5 at epoch 2
    study.add_trial(trial([0.6, 0.7, 0.8], done))  # ahead early, worse at the end: not the incumbent
    pruner = BakerPruner(3, Metric(), guard=True)
    running = optuna.trial.TrialState.RUNNING
    assert pruner._ahead_of_incumbent(study, trial([0.2, 0.5], running))  # level with it: kept
    assert not pruner._ahead_of_incumbent(study, trial([0.2, 0.49], running))
    assert not BakerPruner(3, Metric(direction="minimize"), guard=True)._ahead_of_incumbent(
        optuna.create_study(direction="minimize"), trial([0.2, 0.5], running))  # no completed trial: no guard


def test_predicted_successive_halving_keeps_a_slow_starter_that_plain_halving_drops():
    x = np.arange(1, 28, dtype=float)
    fast = [c - 0.3 * np.exp(-x) for c in (0.60, 0.61, 0.59)]
    slow = 0.95 - 0.9 * x**-0.5  # worse than the others at epoch 5, better at the end
    out = {}
    for predictor in ("last", "lce"):
        pruner = PredictiveSuccessiveHalvingPruner(27, Metric(), predictor, min_resource=5, reduction_factor=3)
        study = optuna.create_study(direction="maximize", pruner=pruner)
        study.optimize(replay(fast + [slow]), n_trials=4)
        out[predictor] = study.trials[3].state.name
    assert out == {"last": "PRUNED", "lce": "COMPLETE"}


def test_make_pruner_names():
    assert isinstance(make_pruner("lce", 20), LCEPruner)
    assert make_pruner("lce", 20).combine == "both" and make_pruner("lce_cal", 20).combine == "calibrated"
    assert isinstance(make_pruner("baker", 20), BakerPruner)
    assert isinstance(make_pruner("median", 20), optuna.pruners.MedianPruner)
    assert isinstance(make_pruner("hyperband", 20), optuna.pruners.HyperbandPruner)
    assert isinstance(make_pruner("none", 20), optuna.pruners.NopPruner)
    with pytest.raises(ArchscoutError, match="unknown pruner"):
        make_pruner("asha", 20)
    with pytest.raises(ArchscoutError, match="delta"):
        make_pruner("lce", 20, delta=2.0)
    with pytest.raises(ArchscoutError, match="impute"):
        make_pruner("baker", 20, impute="mean")


def test_search_with_pruner_on_replayed_nb201_curves(shared_data, capsys):
    path = str(shared_data / "nb201" / "learning_curves_cifar10.csv")
    costs = {}
    for pruner in ("none", "median"):
        rc = main(["search", "--curves", path, "--strategy", "random", "--trials", "25", "--pruner", pruner,
                   "--storage", "memory", "--json"])
        assert rc == 0
        costs[pruner] = json.loads(capsys.readouterr().out)["cost"]["epochs"]
    assert costs["none"] == 25 * 200 and costs["median"] < costs["none"]


def test_search_pruner_needs_curves(capsys):
    assert main(["search", "--pruner", "lce", "--trials", "3", "--storage", "memory"]) == 2
    assert "needs per-epoch curves" in capsys.readouterr().err


def test_checks_every_epoch_on_short_schedules_and_every_fiftieth_on_long_ones():
    # checkpoints=None: every epoch from min_epochs on, thinned on schedules over 50 epochs (one
    # regressor per checked cut-off for Baker's rule, one fit per check for Domhan's)
    assert BakerPruner(20, Metric(), checkpoints=None).check_epochs is None
    assert BakerPruner(200, Metric(), checkpoints=None).check_epochs == set(range(20, 200, 4))
    assert LCEPruner(200, Metric(), checkpoints=None).check_epochs == set(range(20, 200, 4))
    assert BakerPruner(20, Metric()).check_epochs == {2, 4, 6, 10, 15}  # the default cut-offs
