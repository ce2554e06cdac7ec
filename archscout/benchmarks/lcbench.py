"""LCBench learning curves from the YAHPO Gym surrogate (Pfisterer et al. 2022; LCBench by Zimmer et al.).

The surrogate is an ONNX model (Apache-2.0, not bundled: read from ``../shared/data/lcbench`` or a
path the user gives) that predicts, for an MLP configuration on one of 34 OpenML tasks, the
validation accuracy at each of 52 epochs. Only ``onnxruntime`` is needed (imported lazily).

Sampled configurations become a :class:`~archscout.estimation.curves.data.CurveSet` (features = the
7 hyperparameters, learning rate and batch size on a log scale via the regressors' own log rule),
so the same benchmarks run on it as on Baker's CSVs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from archscout.errors import ArchscoutError

EPOCHS = 52
# order of x_cont expected by the model (README of the data folder)
CONT = ("epoch", "batch_size", "learning_rate", "momentum", "weight_decay", "num_layers", "max_units", "max_dropout")
OUTPUTS = ("time", "val_accuracy", "val_cross_entropy", "val_balanced_accuracy", "test_cross_entropy",
           "test_balanced_accuracy")


def default_path() -> Path:
    """``../shared/data/lcbench`` next to the repository (where CI and the dev machines keep it)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lcbench"


class LCBench:
    """Query the surrogate: ``curves(task, configs)`` -> (n, 52) validation accuracy in percent."""

    def __init__(self, path: str | Path | None = None) -> None:
        folder = Path(path) if path is not None else default_path()
        model = folder / "model.onnx" if folder.is_dir() else folder
        folder = model.parent
        for f in (model, folder / "config_space.json", folder / "encoding.json"):
            if not f.exists():
                raise ArchscoutError(
                    f"LCBench surrogate file {str(f)!r} not found; give the folder holding model.onnx, "
                    "config_space.json and encoding.json (YAHPO Gym lcbench)"
                )
        try:
            import onnxruntime as ort
        except ImportError:
            raise ArchscoutError("the LCBench surrogate needs onnxruntime: pip install onnxruntime") from None
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self.encoding = json.loads((folder / "encoding.json").read_text())["OpenML_task_id"]
        space = json.loads((folder / "config_space.json").read_text())["hyperparameters"]
        self.space = {h["name"]: h for h in space}
        self.tasks = [str(t) for t in self.space["OpenML_task_id"]["choices"]]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n configurations (n, 7) in the order of CONT[1:], uniform (log-uniform where declared)."""
        cols = []
        for name in CONT[1:]:
            h = self.space[name]
            lo, hi = float(h["lower"]), float(h["upper"])
            u = rng.uniform(math.log(lo), math.log(hi), n) if h.get("log") else rng.uniform(lo, hi, n)
            u = np.exp(u) if h.get("log") else u
            if h["type"] == "uniform_int":
                u = np.clip(np.round(u), lo, hi)
            cols.append(u)
        return np.column_stack(cols)

    def curves(self, task: str, configs: np.ndarray, output: str = "val_accuracy") -> np.ndarray:
        task = str(task)
        if task not in self.tasks or task not in self.encoding:
            raise ArchscoutError(f"unknown LCBench task {task!r}; tasks: {', '.join(self.tasks)}")
        if output not in OUTPUTS:
            raise ArchscoutError(f"unknown LCBench output {output!r}; choose from {', '.join(OUTPUTS)}")
        configs = np.asarray(configs, float).reshape(-1, len(CONT) - 1)
        n = len(configs)
        ep = np.repeat(np.arange(1, EPOCHS + 1, dtype=float), n)
        x_cont = np.column_stack([ep, np.tile(configs, (EPOCHS, 1))]).astype(np.float32)
        x_cat = np.full((len(x_cont), 1), self.encoding[task], dtype=np.int32)
        inputs = {i.name: (x_cat if "cat" in i.name else x_cont) for i in self.session.get_inputs()}
        out = self.session.run(None, inputs)[0]
        col = out[:, OUTPUTS.index(output)]
        return col.reshape(EPOCHS, n).T.astype(float)

    def curve_set(self, task: str, n: int, seed: int = 0, output: str = "val_accuracy"):
        """n sampled configurations of one task as a CurveSet (epochs 1..52)."""
        from archscout.estimation.curves.data import CurveSet

        rng = np.random.default_rng(seed)
        cfg = self.sample(n, rng)
        curves = self.curves(task, cfg, output)
        return CurveSet(curves, np.arange(1, EPOCHS + 1, dtype=float), cfg, list(CONT[1:]),
                        [f"{task}:{i}" for i in range(n)], f"lcbench:{task}")
