"""Which trial should a live search return? Data for the selection rule (issue 3's winner's curse).

The Quickstart's search picks the trial with the best validation accuracy, but MNIST-1D's validation split
has 400 signals (0.25 points each), so the best of ~45 validation scores is partly the luckiest one: the
2026-11-25 run returned a 99.00%-valid chain that scored 97.80% on test. This script records, for every
trial of the Quickstart's own search (REA, population 6, tournament 3, warm start, 10 epochs, Adam 3e-3,
seeded), what a selection rule could use and what it should have picked:

- the search's own fold A: per-epoch validation accuracy and loss (the split of `--data` with the search
  seed), and the trained network's test accuracy (measured here for the study only; archscout itself
  never looks at test data before the final report);
- a re-evaluation, fold B: the same architecture trained again with another seed on another stratified
  validation split (split seed + 1000), its validation accuracy/loss and test accuracy.

One JSON line per trial in OUT/trials.jsonl; the study lives in OUT/studies.db, so a rerun resumes (REA's
proposals depend only on (seed, trial number) and past results). `benchmarks/live_selection_report.py`
replays selection rules on these rows.

    nice -n 2 python benchmarks/live_selection.py --seeds 0 1 --trials 40 --out benchmarks/results/live_selection
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from archscout.cli.bench_build_table import read_runs  # JSON lines; a line cut by a kill is dropped


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="mnist1d")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--trials", type=int, default=40)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()

    import optuna
    import torch

    from archscout.cli.live import DEFAULT_TRAIN, LIVE_STRATEGY_KWARGS
    from archscout.data import load_dataset
    from archscout.spaces import get_space
    from archscout.strategies import make_sampler
    from archscout.training import LiveObjective, TrainConfig, Trainer
    from archscout.training.objective import build_module

    torch.set_num_threads(a.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    a.out.mkdir(parents=True, exist_ok=True)
    rows_path = a.out / "trials.jsonl"
    done = {(r["seed"], r["number"]) for r in read_runs(rows_path)}
    space = get_space("chain")
    ckpt_dir = a.out / "selection_checkpoints"  # ignored by git; kept so a resumed run can record a finished trial
    for seed in a.seeds:
        data_a = load_dataset(a.data, val_fraction=0.1, seed=seed)
        data_b = load_dataset(a.data, val_fraction=0.1, seed=seed + 1000)
        cfg = TrainConfig(epochs=a.epochs, seed=seed, device="cpu", **DEFAULT_TRAIN["chain"])
        sampler = make_sampler("rea", space, seed=seed, **LIVE_STRATEGY_KWARGS["rea"])
        study = optuna.create_study(storage=f"sqlite:///{a.out / 'studies.db'}", study_name=f"{a.data}-seed{seed}",
                                    direction="maximize", sampler=sampler, pruner=optuna.pruners.NopPruner(),
                                    load_if_exists=True)
        if not study.get_trials(deepcopy=False):
            mine = sorted((r for r in read_runs(rows_path) if r["seed"] == seed), key=lambda r: r["number"])
            if mine:  # a later session without the (git-ignored) study: rebuild REA's history from the rows
                for r in mine:
                    study.add_trial(optuna.trial.create_trial(
                        params=space.to_params(space.from_string(r["arch"])), distributions={k: optuna.distributions.CategoricalDistribution(list(v))
                                       for k, v in space.decisions().items()},
                        value=r["val_acc_a"][-1], user_attrs={"arch": r["arch"]}))
            else:
                study.enqueue_trial(space.to_params(space.default_arch()))
        objective = LiveObjective(space, data_a, cfg, checkpoint_dir=ckpt_dir, key=f"selection-{seed}")

        def record(st: optuna.Study, t: optuna.trial.FrozenTrial, seed: int = seed, data_a=data_a, data_b=data_b,
                   cfg=cfg, objective=objective) -> None:
            if (seed, t.number) in done or t.state != optuna.trial.TrialState.COMPLETE:
                return
            arch = space.from_params(t.params)
            trainer_a = Trainer(data_a, cfg)
            module = build_module(space, arch, data_a).to(trainer_a.device)
            ckpt = objective.checkpoint_path(arch)
            if ckpt.exists():
                module.load_state_dict(torch.load(ckpt, map_location="cpu", weights_only=False)["model"])
            else:  # finished before a kill, not yet recorded: the trainer is deterministic, train it again
                module = trainer_a.fit(lambda: build_module(space, arch, data_a)).module
            test_loss_a, test_a = trainer_a.evaluate(module, "test")
            ckpt.unlink(missing_ok=True)
            t0 = time.perf_counter()
            trainer_b = Trainer(data_b, cfg.updated(seed=seed + 1))
            res_b = trainer_b.fit(lambda: build_module(space, arch, data_b))
            test_loss_b, test_b = trainer_b.evaluate(res_b.module, "test")
            row = {"seed": seed, "number": t.number, "arch": space.to_string(arch),
                   "params": t.user_attrs.get("params"),
                   "val_acc_a": t.user_attrs["curve_val_acc"], "val_loss_a": t.user_attrs["curve_val_loss"],
                   "train_acc_a": t.user_attrs["curve_train_acc"], "seconds_a": sum(t.user_attrs["curve_seconds"]),
                   "test_acc_a": test_a, "test_loss_a": test_loss_a,
                   "val_acc_b": res_b.curve["val_acc"], "val_loss_b": res_b.curve["val_loss"],
                   "test_acc_b": test_b, "test_loss_b": test_loss_b, "seconds_b": time.perf_counter() - t0}
            with rows_path.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            done.add((seed, t.number))
            print(f"seed {seed} trial {t.number}: valid {row['val_acc_a'][-1]:.2f} / {row['val_acc_b'][-1]:.2f}, "
                  f"test {test_a:.2f} / {test_b:.2f}  {row['arch']}", flush=True)

        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            study.tell(t.number, state=optuna.trial.TrialState.FAIL)  # killed mid-trial: REA skips it
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
            record(study, t)
        todo = a.trials - len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
        if todo > 0:
            study.optimize(objective, n_trials=todo, callbacks=[record], gc_after_trial=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
