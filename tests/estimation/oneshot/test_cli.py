"""`archscout bench oneshot`: bad input is one line and exit code 2; a tiny table runs end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archscout.cli.main import main
from archscout.spaces.nb201 import NB201Space

LOFI = Path(__file__).resolve().parents[3] / "benchmarks" / "results" / "nb201_lofi"
CELLS = ["|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
         "|none~0|+|none~0|none~1|+|avg_pool_3x3~0|nor_conv_3x3~1|avg_pool_3x3~2|",
         "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
         "|nor_conv_1x1~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|"]


def write_table(folder: Path, archs: list[str], data: str = "cifar10-8px: image (3, 8, 8), 10 classes, 100 train / 20 valid / 2000 test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text(json.dumps({"data": data, "C": 4, "N": 1, "epochs": 12}))
    rows = ["arch,cifar10,cifar10_valid"] + [f"{a},{40 + i},{39 + i}" for i, a in enumerate(archs)]
    (folder / "table.csv").write_text("\n".join(rows) + "\n")
    return folder


def error_of(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("archscout: error: ")
    return err[0]


def test_bad_input_is_one_line_and_exit_code_2(tmp_path: Path, capsys) -> None:
    good = write_table(tmp_path / "good", CELLS)
    assert "unknown one-shot mode 'enas'" in error_of(capsys, ["bench", "oneshot", "--table", str(good), "--mode", "enas"])
    assert "--epochs must be at least 1" in error_of(capsys, ["bench", "oneshot", "--table", str(good), "--epochs", "0"])
    assert "no meta.json" in error_of(capsys, ["bench", "oneshot", "--table", str(tmp_path / "missing")])
    other = write_table(tmp_path / "chain", ["conv3x3-16|maxpool|fc-64"])  # a layer-wise chain, not a NB201 cell
    assert "line 2" in error_of(capsys, ["bench", "oneshot", "--table", str(other), "--epochs", "1"])
    one = write_table(tmp_path / "one", CELLS[:1])
    assert "at least 2" in error_of(capsys, ["bench", "oneshot", "--table", str(one), "--epochs", "1"])
    bad_meta = write_table(tmp_path / "meta", CELLS, data="mnist1d: signal")
    assert "does not describe" in error_of(capsys, ["bench", "oneshot", "--table", str(bad_meta), "--epochs", "1"])


def test_a_tiny_table_end_to_end(tmp_path: Path, capsys, shared_data) -> None:
    table = write_table(tmp_path / "t", CELLS)
    out = tmp_path / "r.json"
    assert main(["bench", "oneshot", "--table", str(table / "table.csv"), "--mode", "darts", "--epochs", "1",
                 "--bn-batches", "1", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(out.read_text())
    assert printed["cells"] == saved["cells"] == 4 and len(saved["scores"]) == 4
    assert [s["arch"] for s in saved["scores"]] == CELLS
    assert -1 <= saved["spearman_vs_table_test"] <= 1 and -1 <= saved["kendall_vs_nb201_200ep"] <= 1
    # both scores are reported; the loss-based ones are computed from the saved per-cell losses (lower is better)
    from archscout.estimation.predictors.metrics import spearman

    loss = [s["oneshot_val_loss"] for s in saved["scores"]]
    assert saved["spearman_loss_vs_table_test"] == pytest.approx(spearman([40, 41, 42, 43], [-x for x in loss]))
    assert saved["top10_loss_best_table_test"] == 43.0 and -1 <= saved["kendall_loss_vs_nb201_200ep"] <= 1
    assert saved["random10_expected_best_table_test"] == 43.0  # 4 cells < 10: the best of all of them
    NB201Space().from_string(saved["derived"])
    assert 0 < saved["derived_nb201_200ep"] < 100 and len(saved["alpha"]) == 6
    assert saved["supernet_seconds"] > 0 and saved["data"].startswith("cifar10-8px")
