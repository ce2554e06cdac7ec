"""`archscout bench build-table` on a tiny budget: curves recorded, resumable, loads as a tabular benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archscout.cli.main import main

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (SHARED / "cifar10" / "cifar10_subset.npz").exists() or not (SHARED / "nb201" / "test_accuracy.csv").exists(),
    reason="shared data missing",
)


def test_build_table_small_and_resumable(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ARCHSCOUT_SHARED_DATA", str(SHARED))
    argv = ["bench", "build-table", "--out", str(tmp_path), "--cells", "3", "--top", "1", "--second-seed", "1",
            "--epochs", "2", "--n-train", "100", "--json"]
    assert main(argv + ["--max-runs", "2"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["runs_done"] == 2 and first["runs_planned"] == 5
    assert main(argv) == 0  # the same command finishes the plan without redoing the first two runs
    s = json.loads(capsys.readouterr().out)
    assert s["runs_done"] == 5 and s["cells"] == 4 and s["seed_pairs"] == 1
    assert "spearman_test_vs_nb201_cifar10_200ep" in s  # None when 2 epochs on 90 images give constant accuracies
    runs = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines()]
    assert len(runs) == 5 and len({(r["arch"], r["seed"]) for r in runs}) == 5
    assert all(len(r["valid_acc"]) == 2 and len(r["train_acc"]) == 2 and r["params"] > 0 and r["flops"] > 0 for r in runs)
    assert sum(r["origin"] == "top" for r in runs) == 1

    from archscout.benchmarks import nb201

    bench = nb201(table=tmp_path / "table.csv", epochs=2)
    assert len(bench.archs()) == 4
    assert {"cifar10", "cifar10_valid", "valid_epoch_2", "params", "flops"} <= set(bench.columns())
    a = bench.archs()[0]
    assert bench.lookup(a, "cifar10") == pytest.approx(next(r["test_acc"] for r in runs if r["seed"] == 0
                                                            and r["arch"] == bench.space.to_string(a)), abs=1e-3)


def test_build_table_shards_share_one_folder(tmp_path, capsys, monkeypatch):
    """Two shards split the plan between them; together they do every run once, and a cut-off line is redone."""
    monkeypatch.setenv("ARCHSCOUT_SHARED_DATA", str(SHARED))
    argv = ["bench", "build-table", "--out", str(tmp_path), "--cells", "3", "--top", "0", "--second-seed", "0",
            "--epochs", "1", "--n-train", "100", "--json"]
    assert main(argv + ["--shard", "1/2"]) == 0
    assert json.loads(capsys.readouterr().out)["runs_done"] == 1  # jobs 1 only
    with (tmp_path / "runs.jsonl").open("a") as fh:
        fh.write('{"arch": "cut off by a ki')  # a kill mid-write
    assert main(argv + ["--shard", "0/2"]) == 0  # jobs 0 and 2
    s = json.loads(capsys.readouterr().out)
    assert s["runs_done"] == 3 and s["cells"] == 3
    assert json.loads((tmp_path / "meta.json").read_text())["command"].count("--shard") == 0
    assert main(argv + ["--shard", "2/2"]) == 2
