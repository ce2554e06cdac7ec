"""`archscout bench strategies`: the comparison table, its resume file, and the random-search expectation."""

import json

import numpy as np
import pytest

from archscout.cli.bench_strategies import expected_best_of_random
from archscout.cli.main import main


def test_comparison_writes_runs_incrementally_and_resumes(capsys, tmp_path):
    out = tmp_path / "runs.jsonl"
    args = ["bench", "strategies", "--datasets", "cifar10", "--strategies", "random", "rea", "--seeds", "2",
            "--queries", "30", "--out", str(out), "--json"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    runs = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(runs) == 4 and all(len(r["values"]) == 30 for r in runs)
    entry = summary["datasets"]["cifar10"]
    assert entry["optimum"] == pytest.approx(94.3733)
    for s in ("random", "rea"):
        means = entry["strategies"][s]["mean"]
        assert means["25"] <= entry["optimum"] and entry["strategies"][s]["seeds"] == 2
    # rerun: nothing is recomputed, the same summary comes back
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == summary
    assert len(out.read_text().splitlines()) == 4


def test_markdown_table(capsys, tmp_path):
    md = tmp_path / "t.md"
    assert main(["bench", "strategies", "--datasets", "cifar100", "--strategies", "local", "--seeds", "1",
                 "--queries", "25", "--out", str(tmp_path / "r.jsonl"), "--markdown", str(md)]) == 0
    text = md.read_text()
    assert "| local | 1 |" in text and "exact expectation" in text and "cifar100" in text


def test_exact_expectation_of_random_search_matches_simulation():
    rng = np.random.default_rng(0)
    values = rng.normal(size=500)
    sims = [values[rng.integers(0, 500, size=20)].max() for _ in range(20000)]
    assert expected_best_of_random(values, 20) == pytest.approx(np.mean(sims), abs=0.01)
    assert expected_best_of_random(values, 1) == pytest.approx(values.mean())


def test_bad_strategy_or_column(capsys, tmp_path):
    assert main(["bench", "strategies", "--strategies", "magic", "--out", str(tmp_path / "r")]) == 2
    assert "unknown strategy 'magic'" in capsys.readouterr().err
    assert main(["bench", "strategies", "--datasets", "svhn", "--out", str(tmp_path / "r")]) == 2
    assert "unknown dataset column 'svhn'" in capsys.readouterr().err


def test_a_run_killed_mid_write_resumes(capsys, tmp_path):
    out = tmp_path / "runs.jsonl"
    args = ["bench", "strategies", "--datasets", "cifar10", "--strategies", "random", "--seeds", "2",
            "--queries", "20", "--out", str(out), "--json"]
    assert main(args) == 0
    capsys.readouterr()
    lines = out.read_text().splitlines()
    out.write_text(lines[0] + "\n" + lines[1][:40])  # the second run was cut off while being written
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["datasets"]["cifar10"]["strategies"]["random"]["seeds"] == 2
    assert [json.loads(x)["seed"] for x in out.read_text().splitlines()] == [0, 1]  # the file is whole again
    assert main(args) == 0
    capsys.readouterr()
    out.write_text("garbage\n" + lines[0] + "\n")  # damage in the middle is not guessed at
    assert main(args) == 2
    assert "line 1 is not a JSON record" in capsys.readouterr().err


def test_strategy_variants_are_rows_of_their_own(capsys, tmp_path):
    out = tmp_path / "runs.jsonl"
    assert main(["bench", "strategies", "--datasets", "cifar10", "--strategies", "rea:population_size=5,tournament_size=2",
                 "rea:population_size=10", "--seeds", "1", "--queries", "25", "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["datasets"]["cifar10"]["strategies"]) == {"rea:population_size=5,tournament_size=2",
                                                                "rea:population_size=10"}
    runs = [json.loads(line) for line in out.read_text().splitlines()]
    assert runs[0]["values"] != runs[1]["values"]  # the option reached the sampler


def test_unknown_strategy_option_exits_2_before_any_run(capsys, tmp_path):
    out = tmp_path / "runs.jsonl"
    assert main(["bench", "strategies", "--strategies", "rea:size=5", "--out", str(out)]) == 2
    assert "has no option 'size'" in capsys.readouterr().err and not out.exists()
    assert main(["search", "--strategy", "rea:size=5", "--storage", f"sqlite:///{tmp_path / 's.db'}"]) == 2
    assert not (tmp_path / "s.db").exists()
