"""`archscout bench build-table` on a tiny budget: curves recorded, resumable, loads as a tabular benchmark."""

from __future__ import annotations

import json
import sys
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
    assert all(json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines())  # the cut-off tail is gone
    assert json.loads((tmp_path / "meta.json").read_text())["command"].count("--shard") == 0
    assert main(argv + ["--shard", "2/2"]) == 2


# --- bad input: one clear error, exit 2, nothing written ------------------------------------------------
SMALL = ["--cells", "3", "--top", "0", "--second-seed", "0", "--epochs", "1", "--n-train", "100"]
ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|skip_connect~1|nor_conv_1x1~2|"
REPO_TABLE = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "nb201_lofi"


def build_table(out: Path, *extra: str) -> int:
    return main(["bench", "build-table", "--out", str(out), *SMALL, *extra])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def fake_run(arch: str, seed: int = 0, epochs: int = 1) -> str:
    """A runs.jsonl record as the command writes it, without the training."""
    curve = [10.0] * epochs
    return json.dumps({"arch": arch, "seed": seed, "origin": "random", "epochs": epochs, "train_acc": curve,
                       "train_loss": curve, "valid_acc": curve, "valid_loss": curve, "epoch_seconds": curve,
                       "test_acc": 10.0, "test_loss": 2.3, "wall_seconds": 1.0, "this_call_seconds": 1.0,
                       "params": 100, "flops": 1000, "nb201_cifar10_200ep": None}) + "\n"



@pytest.fixture
def table(tmp_path, monkeypatch, capsys):
    """A table folder begun with SMALL (meta.json written, nothing trained) holding one run."""
    monkeypatch.setenv("ARCHSCOUT_SHARED_DATA", str(SHARED))
    out = tmp_path / "table"
    argv = ["bench", "build-table", "--out", str(out), *SMALL, "--max-runs", "0"]
    monkeypatch.setattr(sys, "argv", ["archscout", *argv])  # what meta.json records as the command
    assert main(argv) == 0
    (out / "runs.jsonl").write_text(fake_run(ARCH))
    capsys.readouterr()
    return out


@pytest.mark.parametrize("extra, said", [
    (["--channels", "16"], "--channels: 8 then, 16 now"),
    (["--epochs", "2"], "--epochs: 1 then, 2 now"),
    (["--n-train", "200", "--sample-seed", "1"], "--sample-seed: 0 then, 1 now; --n-train: 100 then, 200 now"),
])
def test_build_table_refuses_another_setup(table, capsys, extra, said):
    """A folder's table has one setup: other values are refused before any work, and no file changes."""
    before = snapshot(table)
    assert main(["bench", "build-table", "--out", str(table), *SMALL, *extra, "--max-runs", "0"]) == 2
    err = capsys.readouterr().err
    assert "another setup" in err and said in err and err.count("\n") == 1
    assert snapshot(table) == before
    assert json.loads((table / "meta.json").read_text())["epochs"] == 1


def test_build_table_resumes_with_other_work_options(table, capsys):
    """--shard, --max-runs, --threads and --json only split or limit the work: the same table resumes."""
    before = (table / "meta.json").read_bytes()
    assert build_table(table, "--max-runs", "0", "--shard", "1/2", "--threads", "2", "--json") == 0
    assert json.loads(capsys.readouterr().out)["runs_done"] == 1
    assert (table / "meta.json").read_bytes() == before  # written once, by the call that began the table
    assert json.loads(before)["command"] == f"archscout bench build-table --out {table} {' '.join(SMALL)}"


def test_build_table_runs_of_another_epochs_without_meta_setup(table, capsys):
    """The runs record their epochs: they are checked too, and runs without meta.json are not adopted."""
    (table / "runs.jsonl").write_text(fake_run(ARCH, epochs=3))
    assert build_table(table, "--max-runs", "0") == 2
    assert "--epochs: 3 then, 1 now" in capsys.readouterr().err
    (table / "meta.json").unlink()
    assert build_table(table, "--max-runs", "0") == 2
    assert "no meta.json" in capsys.readouterr().err
    assert not (table / "meta.json").exists()


@pytest.mark.skipif(not (REPO_TABLE / "meta.json").exists(), reason="the repo's table is not here")
def test_build_table_accepts_the_repo_table(tmp_path):
    """benchmarks/results/nb201_lofi (meta.json from before "setup") stays resumable by build_table.sh's commands."""
    from archscout.cli.bench_build_table import SETUP, check_setup
    from archscout.cli.main import build_parser

    for name in ("meta.json", "runs.jsonl"):
        (tmp_path / name).write_bytes((REPO_TABLE / name).read_bytes())

    def check(*extra: str) -> None:
        args = build_parser().parse_args(["bench", "build-table", "--out", str(tmp_path), *extra])
        check_setup(args.out, {k: getattr(args, k) for k in SETUP})

    for extra in ([], ["--shard", "1/2"], ["--json"]):
        check(*extra)
    from archscout.errors import ArchscoutError

    with pytest.raises(ArchscoutError, match="--channels: 8 then, 16 now"):
        check("--channels", "16")
    with pytest.raises(ArchscoutError, match="--cells: 300 then, 5 now"):
        check("--cells", "5")


def test_build_table_garbage_line_in_runs_is_an_error(table, capsys):
    """Only a cut-off LAST record may be dropped; a bad line elsewhere names the file and line, and nothing is written."""
    runs = table / "runs.jsonl"
    runs.write_text(fake_run(ARCH) + "not a run\n" + fake_run(ARCH, seed=1))
    before = snapshot(table)
    assert build_table(table, "--max-runs", "0") == 2
    err = capsys.readouterr().err
    assert "runs.jsonl" in err and "line 2" in err and err.count("\n") == 1
    assert snapshot(table) == before


def test_build_table_cut_off_last_run_warns(table, capsys):
    with (table / "runs.jsonl").open("a") as fh:
        fh.write('{"arch": "cut off by a ki')
    assert build_table(table, "--max-runs", "0", "--json") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["runs_done"] == 1
    assert "warning" in err and "line 2" in err and "cut off" in err and err.count("\n") == 1


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHSCOUT_SHARED_DATA", str(SHARED))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.csv").touch()
    (tmp_path / "adir").mkdir()
    return tmp_path


@pytest.mark.parametrize("out, extra, said", [
    ("/proc/x", [], "--out '/proc/x' cannot be written"),
    ("empty.csv", [], "--out 'empty.csv' is a file"),
    ("o", ["--threads", "-1"], "--threads -1"),
    ("o", ["--cifar", "empty.csv"], "'empty.csv' is an empty file"),
    ("o", ["--cifar", "adir"], "'adir' is a folder"),
    ("o", ["--reference", "adir"], "'adir' is a folder"),
    ("o", ["--n-train", "10000000"], "--n-train 10000000: the CIFAR-10 subset has 10000 training images"),
    ("o", ["--resolution", "0"], "--resolution 0"),
])
def test_build_table_bad_input_is_one_error(scratch, capsys, out, extra, said):
    before = sorted(p.name for p in scratch.iterdir())
    assert main(["bench", "build-table", "--out", out, *SMALL, *extra, "--max-runs", "0"]) == 2
    err = capsys.readouterr().err
    assert said in err and err.startswith("archscout: error:") and err.count("\n") == 1
    assert sorted(p.name for p in scratch.iterdir()) == before  # no --out folder made
    assert (scratch / "empty.csv").read_bytes() == b""


def test_build_table_rejects_negative_max_runs(scratch, capsys):
    assert main(["bench", "build-table", "--out", "o", *SMALL, "--max-runs", "-1"]) == 2
    assert "--max-runs: must be at least 0, got -1" in capsys.readouterr().err
    assert not (scratch / "o").exists()


def test_build_table_threads_0_is_torchs_default(scratch, capsys):
    """As in `search --threads 0`: torch keeps its own number of threads."""
    import torch

    threads = torch.get_num_threads()
    assert main(["bench", "build-table", "--out", "o", *SMALL, "--max-runs", "0", "--threads", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs_done"] == 0
    assert torch.get_num_threads() == threads
