"""Choosing the returned trial: re-evaluation candidates, the reserve kept for them, the pick."""

from __future__ import annotations

import optuna
import pytest

from archscout.training.selection import ATTR, Candidate, pick, reserve_seconds, top_trials


def _study(values_seconds):
    study = optuna.create_study(direction="maximize")
    for v, secs in values_seconds:
        t = study.ask()
        if secs is not None:
            t.set_user_attr("cost_seconds", secs)
        study.tell(t, v)
    return study


def test_top_trials_best_first_earliest_among_ties():
    study = _study([(90.0, 1), (95.0, 1), (95.0, 1), (80.0, 1)])
    assert [t.number for t in top_trials(study, 3)] == [1, 2, 0]


def test_reserve_counts_the_current_top_k_without_a_cached_second_score():
    study = _study([(90.0, 10.0), (95.0, 20.0), (80.0, 40.0)])
    assert reserve_seconds(study, 2, cap=1e9) == pytest.approx(1.1 * (20 + 10))
    study.set_user_attr(f"{ATTR}1", {"valid": 94.0, "seconds": 20.0, "epochs": 2})
    assert reserve_seconds(study, 2, cap=1e9) == pytest.approx(1.1 * 10)


def test_reserve_never_cuts_the_first_trials_short_and_is_capped():
    # one complete trial: nothing to choose between yet, so nothing is kept (a guess here once pruned the
    # warm start of a loaded machine's Quickstart and ended the search with no complete trial)
    assert reserve_seconds(_study([(90.0, 500.0)]), 3, cap=150.0) == 0.0
    assert reserve_seconds(_study([]), 3, cap=150.0) == 0.0
    assert reserve_seconds(_study([(90.0, 500.0), (91.0, 500.0)]), 3, cap=150.0) == 150.0


def test_pick_corrects_the_winners_curse():
    study = _study([(99.0, 1), (98.5, 1), (98.0, 1)])
    t = study.trials
    lucky, solid, third = Candidate(t[0], 99.0, 97.0), Candidate(t[1], 98.5, 98.75), Candidate(t[2], 98.0, 98.0)
    assert pick([lucky, solid, third]) is solid
    # the leader without a second score (no time left for it): no re-evaluated runner-up takes its place
    assert pick([Candidate(t[0], 99.0, None), solid]).trial.number == 0
    # a prefix of the ranking was re-evaluated: the choice is among that prefix
    assert pick([lucky, solid, Candidate(t[2], 98.0, None)]) is solid
    # none re-evaluated: the best first score
    assert pick([Candidate(t[1], 98.5, None), Candidate(t[0], 99.0, None)]).trial.number == 0


def test_reevaluate_starts_nothing_that_cannot_finish(tmp_path):
    import time

    from archscout.training.selection import reevaluate

    study = _study([(99.0, 500.0), (98.0, 1.0)])
    calls = []
    out = reevaluate(study, space=None, data_b=None, config_for=lambda a: calls.append(a), k=2, build=None,
                     checkpoint_dir=tmp_path, key="k", deadline=time.time() + 60.0, seed=0)
    # the leader's first training took 500 s > 60 s left: neither it nor the runner-up is started
    assert calls == [] and [c.valid_b for c in out] == [None, None] and pick(out).trial.number == 0
