"""RoBoT: proxy tables, normalisation, the BO-then-greedy procedure, determinism and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import optuna
import pytest

from archscout.benchmarks import nb201
from archscout.errors import ArchscoutError
from archscout.estimation.zerocost.table import DEFAULT_PROXY_FILE, load_proxy_table
from archscout.objectives import TabularObjective
from archscout.spaces.nb201 import NB201Space
from archscout.strategies import make_sampler
from archscout.strategies.robot import ROBOT_ATTR, RoBoTSampler, precision_at_k

SPACE = NB201Space()


def pool(n: int, seed: int = 0) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    out: list[tuple[int, ...]] = []
    while len(out) < n:
        a = SPACE.canonical(SPACE.sample(rng))
        if a not in out and SPACE.is_connected(a):
            out.append(a)
    return out


def write_csv(path: Path, archs, columns: dict[str, list[float]]) -> Path:
    lines = ["arch," + ",".join(columns)]
    for i, a in enumerate(archs):
        lines.append(SPACE.to_string(a) + "," + ",".join(str(v[i]) for v in columns.values()))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def bench():
    return nb201()


def test_minmax_normalisation_and_nan(tmp_path: Path) -> None:
    archs = pool(4)
    t = load_proxy_table(write_csv(tmp_path / "p.csv", archs, {"a": [1, 3, 5, 2], "b": [-2, "nan", 0, 8],
                                                               "valid_accuracy": [1, 2, 3, 4]}))
    assert t.names == ("a", "b")  # accuracy columns never enter as proxies
    np.testing.assert_allclose(t.normalised(), [[0, 0], [0.5, 0], [1, 0.2], [0.25, 1]])


def test_bundled_table_reads_published_sentinel_as_nan() -> None:
    t = load_proxy_table()
    assert len(t) == 9445 and len(t.names) == 13 and DEFAULT_PROXY_FILE.exists()
    row = t.rows([(0,) * 6])[0]
    assert math.isnan(row[t.names.index("nwot")]) and row[t.names.index("params")] > 0
    # a non-canonical cell is found through its canonical class
    assert np.array_equal(t.rows([(1, 0, 0, 3, 0, 0)]), t.rows([(0, 0, 0, 3, 0, 0)]), equal_nan=True)


def test_bad_tables(tmp_path: Path) -> None:
    archs = pool(3)
    with pytest.raises(ArchscoutError, match="no finite value"):
        load_proxy_table(write_csv(tmp_path / "dead.csv", archs, {"a": [1, 2, 3], "b": ["nan"] * 3}))
    t = load_proxy_table(write_csv(tmp_path / "ok.csv", archs, {"a": [1, 2, 3]}))
    missing = next(a for a in pool(10, seed=1) if a not in archs)
    with pytest.raises(ArchscoutError, match="missing from proxy table"):
        t.rows([missing])
    with pytest.raises(ArchscoutError, match="not in"):
        t.select(["synflow"])
    with pytest.raises(ArchscoutError, match="warm-up"):
        RoBoTSampler(SPACE, proxies=t, budget=2, n_init=3)


def test_precision_at_k() -> None:
    truth = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    assert precision_at_k(np.array([1.0, 9.0, 0.0, 8.0, np.nan]), truth, 2) == 0.5
    assert precision_at_k(truth, truth, 3) == 1.0


def run_study(sampler, bench, trials: int, column: str = "cifar10") -> optuna.Study:
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(TabularObjective(bench, column), n_trials=trials)
    return study


def test_single_proxy_repeats_are_free_then_greedy(tmp_path: Path, bench) -> None:
    # With one proxy every w > 0 picks the argmax and every w < 0 the argmin: BO can only ever query
    # those two, the rest of its iterations are repeats that cost nothing; greedy then walks the ranking.
    archs = pool(12)
    score = list(range(12))
    t = load_proxy_table(write_csv(tmp_path / "one.csv", archs, {"p": score}))
    s = RoBoTSampler(SPACE, proxies=t, budget=6, n_init=3, n_candidates=200, seed=0)
    study = run_study(s, bench, 6)
    got = [SPACE.canonical(SPACE.from_params(tr.params)) for tr in study.trials]
    assert len(set(got)) == 6
    assert set(got[:2]) == {archs[0], archs[11]}
    phases = [json.loads(tr.system_attrs[ROBOT_ATTR])["phase"] for tr in study.trials]
    assert phases == ["bo", "bo", "greedy", "greedy", "greedy", "greedy"]
    value = {a: bench.lookup(a, "cifar10") for a in (archs[0], archs[11])}
    w = 1.0 if value[archs[11]] >= value[archs[0]] else -1.0  # the better end gives w*'s sign
    ranked = sorted(range(12), key=lambda i: -w * score[i])
    assert got[2:] == [archs[i] for i in ranked if archs[i] not in got[:2]][:4]


def test_deterministic_under_seed(tmp_path: Path, bench) -> None:
    archs = pool(40)
    rng = np.random.default_rng(0)
    t = load_proxy_table(write_csv(tmp_path / "three.csv", archs, {k: rng.normal(size=40).tolist() for k in "abc"}))

    def seq(seed: int) -> list:
        st = run_study(RoBoTSampler(SPACE, proxies=t, budget=6, n_init=3, n_candidates=300, seed=seed), bench, 6)
        return [tr.params for tr in st.trials]

    first = seq(5)
    assert first == seq(5)
    assert len({json.dumps(p, sort_keys=True) for p in first}) == 6  # never the same architecture twice
    assert seq(6) != first


def test_registered_and_cli(tmp_path: Path, capsys) -> None:
    from archscout.cli.main import main

    archs = pool(30)
    csv = write_csv(tmp_path / "px.csv", archs, {"a": list(range(30)), "b": [(i * 7) % 30 for i in range(30)]})
    assert isinstance(make_sampler("robot", SPACE, seed=0, budget=5, proxies=csv), RoBoTSampler)
    assert main(["search", "--strategy", "robot", "--trials", "3", "--storage", "memory"]) == 2
    assert main(["search", "--strategy", "rea", "--proxies", str(csv), "--trials", "3", "--storage", "memory"]) == 2
    capsys.readouterr()
    assert main(["search", "--strategy", "robot", "--trials", "5", "--proxies", str(csv), "--storage", "memory", "--json"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["trials"] == 5 and result["study"] == "nb201-cifar10-robot-seed0-px"
    assert SPACE.canonical(SPACE.from_string(result["best_arch"])) in archs
    assert "scores 30 of the 9445" in err  # the partial pool is announced


def test_bench_training_free_resumes(tmp_path: Path) -> None:
    from archscout.cli.main import main

    archs = pool(25)
    csv = write_csv(tmp_path / "px.csv", archs, {"a": list(range(25)), "b": [(i * 7) % 25 for i in range(25)]})
    out = tmp_path / "runs.jsonl"
    args = ["bench", "training-free", "--datasets", "cifar10", "--seeds", "1", "--trials", "5", "--proxies", str(csv),
            "--out", str(out), "--json"]
    assert main(args) == 0
    run = json.loads(out.read_text().splitlines()[0])
    assert len(run["values"]) == 5 and run["bo_queries"] + run["phases"].count("greedy") == 5
    assert main(args) == 0 and len(out.read_text().splitlines()) == 1  # resumed: nothing rerun
    assert run["transform"] == "log" and run["exploit"] == "pairwise"  # archscout's defaults
    assert main(args + ["--transform", "none", "--exploit", "argmax"]) == 0  # the paper's: a run of its own
    paper = json.loads(out.read_text().splitlines()[1])
    assert (paper["transform"], paper["exploit"], paper["seed"]) == ("none", "argmax", 0)
    assert main(args + ["--exploit", "rank"]) == 0  # the previous default: reachable, and a run of its own
    assert json.loads(out.read_text().splitlines()[2])["exploit"] == "rank"
    assert main(["bench", "training-free", "--seeds", "0", "--out", str(out)]) == 2


def test_log_transform_only_heavy_tailed_columns(tmp_path: Path) -> None:
    archs = pool(30)
    heavy = [1.0] * 29 + [1000.0]  # one outlier: skewness ~5.2
    even = list(range(30))
    t = load_proxy_table(write_csv(tmp_path / "h.csv", archs, {"heavy": heavy, "even": even, "neg": [-h for h in heavy]}))
    assert t.heavy_tailed() == [0, 2]
    raw, logged = t.normalised("none"), t.normalised("log")
    np.testing.assert_allclose(logged[:, 1], raw[:, 1])  # a symmetric column is left alone
    # asinh(x / median|x|), then min-max: the 29 ones sit at 0, the outlier at 1, and the signed copy mirrors it
    np.testing.assert_allclose(logged[:, 0], raw[:, 0])
    x = np.array([1.0] * 28 + [2.0, 1000.0])
    t2 = load_proxy_table(write_csv(tmp_path / "h2.csv", archs, {"p": x.tolist()}))
    got = t2.normalised("log")[:, 0]
    want = (np.arcsinh(x) - np.arcsinh(1.0)) / (np.arcsinh(1000.0) - np.arcsinh(1.0))
    np.testing.assert_allclose(got, want)
    assert got[28] > 0.05 > t2.normalised("none")[28, 0]  # 2 vs 1 is no longer lost next to the outlier
    with pytest.raises(ArchscoutError, match="transform"):
        t.normalised("rank")


def test_observed_rank_correlation_and_rank_fit(tmp_path: Path) -> None:
    archs = pool(20)
    a = np.arange(20.0)
    b = ((np.arange(20) * 7) % 20).astype(float)
    t = load_proxy_table(write_csv(tmp_path / "ab.csv", archs, {"a": a.tolist(), "b": b.tolist()}))
    s = RoBoTSampler(SPACE, proxies=t, budget=5, n_init=3, seed=0, transform="none")
    queried = [archs[i] for i in (0, 5, 9, 14, 19)]
    values = [float(a[i]) for i in (0, 5, 9, 14, 19)]  # the truth is proxy a
    rho = s.observed_rank_correlation([np.array([1.0, 0.0]), np.array([-1.0, 0.0]), np.array([0.0, 1.0])], queried, values)
    from scipy.stats import spearmanr

    np.testing.assert_allclose(rho, [1.0, -1.0, spearmanr(b[[0, 5, 9, 14, 19]], values).statistic])
    # fewer than 3 distinct architectures: undefined, 0
    assert not s.observed_rank_correlation([np.array([1.0, 0.0])], queried[:2] * 2, values[:2] * 2).any()
    # the rank fit puts its weight on the proxy that orders the queried cells; the paper's w* is the best f
    ws = [np.array([-0.2, 0.9]), np.array([0.1, 0.8]), np.array([0.5, -0.5])]
    fs = [values[4], values[3], values[2]]
    w = s.rank_fit(ws, fs, [queried[4], queried[3], queried[2]])
    assert w[0] > 0 and w[0] > abs(w[1])
    paper = RoBoTSampler(SPACE, proxies=t, budget=5, n_init=3, seed=0, transform="none", exploit="argmax")
    np.testing.assert_array_equal(paper.exploit_weights(ws, fs, [queried[4], queried[3], queried[2]]), ws[0])
    with pytest.raises(ArchscoutError, match="exploit"):
        RoBoTSampler(SPACE, proxies=t, exploit="best")


def test_live_proxies_are_cached_in_the_study(monkeypatch) -> None:
    import archscout.estimation.zerocost.proxies as px
    from archscout.data import load_digits
    from archscout.spaces import get_space
    from archscout.strategies.robot import PROXY_CACHE_ATTR, candidate_pool, live_proxy_table

    space = get_space("chain")
    data = load_digits()
    pool_ = candidate_pool(space, 4, seed=0)
    assert len(set(pool_)) == 4 and pool_ == candidate_pool(space, 4, seed=0)
    study = optuna.create_study(direction="maximize")
    first = live_proxy_table(space, data, {}, pool_, seed=0, study=study)
    cached = json.loads(study.user_attrs[PROXY_CACHE_ATTR])
    assert set(cached) == {space.to_string(a) for a in pool_} and first.archs == pool_
    # params is exact: the networks the search trains, on this data's input shape
    from archscout.training.measure import count_params
    from archscout.training.objective import build_module

    assert first.scores[:, first.names.index("params")].tolist() == [float(count_params(build_module(space, a, data))) for a in pool_]

    def boom(*a, **k):
        raise AssertionError("scored again")

    monkeypatch.setattr(px, "score_all", boom)
    again = live_proxy_table(space, data, {}, pool_, seed=0, study=study)  # served from the study
    np.testing.assert_array_equal(again.scores, first.scores)
    s = RoBoTSampler(space, proxies=again, budget=4, n_init=2, seed=0)
    assert set(s.pool) == set(pool_)


def test_live_robot_search_cli(tmp_path: Path, capsys) -> None:
    from archscout.cli.main import main

    db = f"sqlite:///{tmp_path / 's.db'}"
    args = ["search", "--data", "digits", "--space", "chain", "--strategy", "robot", "--trials", "6", "--robot-pool", "12",
            "--epochs", "1", "--budget-minutes", "5", "--threads", "1", "--storage", db, "--json"]
    assert main(args) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["complete"] == 6 and r["strategy"] == "robot"
    study = optuna.load_study(study_name=r["study"], storage=db)
    phases = [json.loads(t.system_attrs[ROBOT_ATTR])["phase"] for t in study.trials if ROBOT_ATTR in t.system_attrs]
    assert len(phases) == 5 and set(phases) <= {"bo", "greedy"}  # trial 0 is the warm start
    from archscout.spaces import get_space
    from archscout.strategies.robot import PROXY_CACHE_ATTR, candidate_pool

    space = get_space("chain")
    pool_ = {space.to_string(a) for a in candidate_pool(space, 12, seed=0)}
    assert set(json.loads(study.user_attrs[PROXY_CACHE_ATTR])) == pool_
    assert {t.user_attrs["arch"] for t in study.trials[1:]} <= pool_  # RoBoT proposes from its scored pool


def test_pairwise_fit_recovers_the_proxy_that_is_the_accuracy(tmp_path: Path) -> None:
    # Crafted pool: proxy "exact" is exactly the accuracy, two others are noise and a third is its mirror
    # image plus noise. From 12 queried cells the fit must put its weight on "exact" and rank the whole
    # pool as the accuracy does.
    from scipy.stats import spearmanr

    rng = np.random.default_rng(3)
    archs = pool(300)
    acc = rng.uniform(40.0, 95.0, size=300)
    cols = {"noise1": rng.normal(size=300).tolist(), "exact": acc.tolist(), "noise2": rng.normal(size=300).tolist(),
            "anti": (-acc + 15.0 * rng.normal(size=300)).tolist()}
    t = load_proxy_table(write_csv(tmp_path / "acc.csv", archs, cols))
    s = RoBoTSampler(SPACE, proxies=t, budget=5, n_init=3, seed=0, transform="none")
    assert s.exploit == "pairwise"
    q = rng.choice(300, size=12, replace=False).tolist()
    queried, values = [archs[i] for i in q], [float(acc[i]) for i in q]
    ws = [rng.uniform(-1, 1, size=4) for _ in q]  # BO weights play no part in this fit
    w = s.exploit_weights(ws, values, queried)
    j = s.names.index("exact")
    assert len(s.names) == 4 and np.argmax(np.abs(w)) == j and w[j] == 1.0  # the largest weight, scaled to 1
    assert spearmanr(s.robust_scores(w), acc).statistic > 0.98
    # repeats of a cell add no pair; deterministic; a flat history (no pair) falls back to the BO's best w
    np.testing.assert_array_equal(s.pairwise_fit(ws + ws[:1], values + values[:1], queried + queried[:1]), w)
    flat = s.pairwise_fit(ws[:3], [50.0, 50.0, 50.0], queried[:3])
    np.testing.assert_array_equal(flat, ws[0])


def test_pairwise_fit_weights_pairs_by_gap() -> None:
    from archscout.strategies.robot import fit_pairwise

    # One dead cell (10%) and five good ones (90.0 .. 90.4). Feature 1 orders the good ones' near-ties
    # (10 pairs, gaps <= 0.4) but puts the dead cell level with the best (5 pairs, gaps ~80). Weighted
    # by gap, the big differences decide: feature 1's weight goes negative. Unweighted, the ten
    # near-tie pairs would outvote the five and make it positive.
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.25], [1.0, 0.5], [1.0, 0.75], [1.0, 1.0]])
    y = np.array([10.0, 90.0, 90.1, 90.2, 90.3, 90.4])
    hi, lo = np.nonzero(y[:, None] > y[None, :])
    w = fit_pairwise(x, y, hi, lo, 1e-3)
    assert w[0] == 1.0 and w[1] < 0
    assert np.argmin(x @ w) == 0  # the dead cell ranks last
    with pytest.raises(ArchscoutError, match="pair_l2"):
        RoBoTSampler(SPACE, proxies=load_proxy_table(), pair_l2=0.0)


def test_robot_on_part_of_the_space_proposes_that_part_only() -> None:
    """On a partial table (a SubsetSpace) RoBoT's pool is the table's cells: every query is a new one of them
    (it used to propose cells outside the table, which the space mapped to one stand-in, query after query)."""
    import optuna

    from archscout.benchmarks import get_benchmark
    from archscout.objectives import TabularObjective
    from archscout.strategies import make_sampler

    bench = get_benchmark("nb201_lofi")
    objective = TabularObjective(bench, "cifar10")
    sampler = make_sampler("robot", objective.space, seed=0, budget=12)
    inside = {objective.space.canonical(a) for a in objective.space.archs}
    assert {objective.space.canonical(a) for a in sampler.pool} <= inside
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=12)
    archs = [t.user_attrs["arch"] for t in study.trials]
    assert len(set(archs)) == 12
    assert all(objective.space.from_string(a) in set(objective.space.archs) for a in archs)
