"""The live path of `archscout search --data ...`: a real NAS on this machine within a wall-clock budget.

Everything the user can get wrong (data, space/shape mismatch, strategy, a budget too small for one
epoch, a study name used with another setup) is checked before the study is written or any
training starts. A rerun of the same command reopens the same study: trials a killed run left
RUNNING are closed as failed ("interrupted") and their architectures re-enqueued, so they resume
from their last checkpointed epoch.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

from archscout.errors import ArchscoutError

# Epochs per trial when --epochs is not given: enough for a small CNN to converge on MNIST-1D /
# digits (cosine schedule) while leaving room for tens of trials in 10 minutes.
DEFAULT_EPOCHS = {"chain": 10, "mlp": 20, "nb201": 8}
# Training defaults per space (the MLP space searches its own lr/batch/wd/momentum).
DEFAULT_TRAIN = {"chain": {"optimizer": "adam", "lr": 3e-3, "batch_size": 64},
                 "nb201": {"optimizer": "adam", "lr": 3e-3, "batch_size": 64},
                 "mlp": {}}
# REA for live budgets: a small population so evolution starts after a handful of trainings.
LIVE_STRATEGY_KWARGS = {"rea": {"population_size": 6, "tournament_size": 3}}
# Warm start for spaces without their own default_arch(): NB201's all-3x3-conv cell.
NB201_DEFAULT = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def add_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("live search (train real networks; chosen by --data)")
    g.add_argument("--data", default=None,
                   help="train for real on mnist1d, digits, cifar10 or your own .npz/.csv file")
    g.add_argument("--space", default=None, help="search space for --data: nb201, chain or mlp (default chain)")
    g.add_argument("--budget-minutes", type=float, default=10.0, help="wall-clock budget of this run")
    g.add_argument("--epochs", type=int, default=None, help="epochs per trial (default: 10 chain, 20 mlp, 8 nb201)")
    g.add_argument("--label", default="label", help="label column of a CSV dataset")
    g.add_argument("--val-fraction", type=float, default=0.2,
                   help="share of training data held out to compare trials (default 0.2; --refit gives it back to the "
                        "returned network)")
    g.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    g.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    g.add_argument("--channels", type=int, default=16, help="nb201 network: channels C of the first stage")
    g.add_argument("--cells", type=int, default=1, help="nb201 network: cells N per stage (1 keeps 10-minute CPU budgets useful)")
    g.add_argument("--robot-pool", type=int, default=200,
                   help="--strategy robot: candidate architectures whose zero-cost proxies are computed on the data")
    g.add_argument("--select", choices=("valid", "reeval"), default="valid",
                   help="which trial to return: valid (best validation score) or reeval (re-train the --reeval-top best "
                        "on a second validation split, pick the best mean of both scores; the budget keeps time for it)")
    g.add_argument("--reeval-top", type=int, default=3, help="--select reeval: how many of the best trials to re-train")
    g.add_argument("--refit", action=argparse.BooleanOptionalAction, default=True,
                   help="train the returned architecture once more on all training data (validation split included) "
                        "before the test evaluation and --export; the budget keeps time for it (default: on)")
    g.add_argument("--refit-epochs", type=int, default=None,
                   help="--refit: epochs of the final training (default: twice the search's epochs per trial)")
    g.add_argument("--no-warm-start", action="store_true",
                   help="do not train the space's default architecture as the first trial")
    g.add_argument("--export", type=Path, default=None, metavar="FILE",
                   help="save the returned network (weights, architecture, input standardisation) to FILE; load it "
                        "with archscout.training.export.load_model")
    g.add_argument("--checkpoints", type=Path, default=None,
                   help="folder for per-epoch checkpoints (default: next to the SQLite file)")


def live_only_options(args: argparse.Namespace) -> list[str]:
    """The live-search options the user set (a value other than the default), as typed: a tabular search
    would silently ignore them, so e.g. --export would write no model file although the user asked for one."""
    probe = argparse.ArgumentParser(add_help=False)
    add_arguments(probe)
    named = []
    for a in probe._actions:
        value = getattr(args, a.dest, a.default)
        if a.dest == "data" or value == a.default:
            continue
        negative = [s for s in a.option_strings if s.startswith("--no-")]
        named.append(negative[0] if value is False and negative else a.option_strings[0])
    return named


def _checkpoint_root(storage: str, explicit: Path | None) -> tuple[Path, bool]:
    """(folder, temporary?) for checkpoints of this storage."""
    if explicit is not None:
        return explicit, False
    if storage.startswith("sqlite:///"):
        db = Path(storage[len("sqlite:///"):])
        return db.parent / f"{db.stem}_checkpoints", False
    if storage.startswith("journal:"):
        j = Path(storage[len("journal:"):])
        return j.parent / f"{j.stem}_checkpoints", False
    if storage == "memory":
        return Path(tempfile.mkdtemp(prefix="archscout-")), True
    return Path("archscout_checkpoints"), False


def estimate_epoch_seconds(space: Any, data: Any, config: Any, module_kwargs: dict[str, Any]) -> float:
    """Time one training step of a typical network and scale it to an epoch (+ validation)."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    from archscout.training.objective import build_module
    from archscout.training.trainer import resolve_device

    arch = space.sample(np.random.default_rng(0))
    cfg = config
    own = getattr(space, "train_config", None)
    if own:
        cfg = cfg.updated(**own(arch))
    dev = resolve_device(cfg.device)
    module = build_module(space, arch, data, **module_kwargs).to(dev)
    bs = min(cfg.batch_size, len(data.y_train))
    x = torch.as_tensor(data.x_train[:bs], device=dev)
    y = torch.as_tensor(data.y_train[:bs], device=dev)
    opt = torch.optim.SGD(module.parameters(), lr=1e-3)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        loss = F.cross_entropy(module(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    step = min(times[1:])
    n_steps = -(-len(data.y_train) // bs)
    return step * n_steps * (1 + 0.3 * len(data.y_val) / max(1, len(data.y_train)))


INTERRUPTED = "interrupted; re-enqueued to resume from its checkpoint"
MEMORY_NOTE = "not stored: give --storage to keep and resume it"  # --storage memory: nothing to resume
# Finished trials that count toward --trials: a trial failed by an interruption is re-run, not counted.
COUNTED = (TrialState.COMPLETE, TrialState.PRUNED)


def _recover_interrupted(study: optuna.Study) -> int:
    """Close trials a killed run left RUNNING and re-enqueue their architectures (one worker per study)."""
    n = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study._storage.set_trial_user_attr(t._trial_id, "fail_reason", INTERRUPTED)
        study.tell(t.number, state=TrialState.FAIL)
        if t.params:
            study.enqueue_trial(dict(t.params), skip_if_exists=False)
            n += 1
    return n


def _resumable(objective: Callable[[optuna.Trial], float]) -> Callable[[optuna.Trial], float]:
    """The objective, but a trial stopped by Ctrl-C is marked and enqueued again like a killed run's (Optuna
    itself only marks it FAIL), so the rerun resumes it from its checkpoint instead of dropping it."""

    def run(trial: optuna.Trial) -> float:
        try:
            return objective(trial)
        except KeyboardInterrupt:
            trial.set_user_attr("fail_reason", INTERRUPTED)
            if trial.params:
                trial.study.enqueue_trial(dict(trial.params), skip_if_exists=False)
            raise

    return run


def _fmt_time(s: float) -> str:
    s = max(0, int(s))
    return f"{s // 60}:{s % 60:02d}"


def run_live(args: argparse.Namespace) -> int:
    start = time.time()
    from archscout.data import load_dataset, refit_dataset
    from archscout.objectives import study_cost
    from archscout.spaces import get_space
    from archscout.strategies import check_strategy, make_sampler
    from archscout.study import open_study
    from archscout.training import LiveObjective, TrainConfig, Trainer
    from archscout.training.objective import FAIL_REASON, build_module, check_space_fits, module_kwargs_for
    from archscout.training.refit import ATTR as REFIT_ATTR
    from archscout.training.refit import checkpoint_name as refit_checkpoint_name
    from archscout.training.refit import refit, refit_seconds
    from archscout.training.selection import SPLIT_OFFSET, Candidate, pick, reevaluate, reserve_seconds

    space_name = args.space or "chain"
    if args.budget_minutes is None or not args.budget_minutes > 0:
        raise ArchscoutError(f"--budget-minutes must be positive, got {args.budget_minutes}")
    if args.trials < 1:
        raise ArchscoutError("--trials must be at least 1")
    if args.threads < 0:
        raise ArchscoutError("--threads must be 0 (torch's default) or more")
    # robot's sampler is built after the study opens: check its options now, before anything is written
    strategy_name, _ = check_strategy(args.strategy)
    if args.reeval_top < 1:
        raise ArchscoutError("--reeval-top must be at least 1")
    if args.refit_epochs is not None and args.refit_epochs < 1:
        raise ArchscoutError("--refit-epochs must be at least 1")
    if args.channels < 1 or args.cells < 1:
        raise ArchscoutError("--channels and --cells must be at least 1")
    export = getattr(args, "export", None)
    if export is not None:
        from archscout.training.export import check_export_path

        check_export_path(export)
    if args.checkpoints is not None:
        from archscout.cli.common import check_out_path

        check_out_path(args.checkpoints, option="--checkpoints", folder=True)
    space = get_space(space_name)
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS.get(space_name, 10)
    config = TrainConfig(epochs=epochs, seed=args.seed, device=args.device, **DEFAULT_TRAIN.get(space_name, {}))
    try:
        import torch
    except ImportError:
        raise ArchscoutError("live search needs PyTorch: pip install torch") from None
    if args.threads:
        torch.set_num_threads(args.threads)
    data = load_dataset(args.data, val_fraction=args.val_fraction, seed=args.seed, label=args.label)
    module_kwargs = module_kwargs_for(space, {"C": args.channels, "N": args.cells})
    check_space_fits(space, data, **module_kwargs)
    budget = args.budget_minutes * 60.0
    per_epoch = estimate_epoch_seconds(space, data, config, module_kwargs)
    left = budget - (time.time() - start)
    if per_epoch > left:
        raise ArchscoutError(
            f"--budget-minutes {args.budget_minutes:g} is too small: one epoch of a typical {space_name} network on "
            f"{data.name} takes about {per_epoch:.{0 if per_epoch >= 10 else 1}f} s here, and "
            f"{max(left, 0.0):.1f} s of the budget are left after loading the data"
        )
    strategy_kwargs = LIVE_STRATEGY_KWARGS.get(strategy_name, {})
    # RoBoT live gets its proxies from the data once the study is open (they are cached in it); until then: random
    sampler = make_sampler("random" if strategy_name == "robot" else args.strategy, space, seed=args.seed, **strategy_kwargs)
    data_id = args.data if args.data in ("mnist1d", "digits", "cifar10") else Path(args.data).stem
    name = args.study or f"live-{data_id}-{space_name}-{args.strategy}-seed{args.seed}-e{epochs}"
    study_config = {"data": str(args.data), "space": space_name, "strategy": args.strategy, "seed": args.seed,
                    "warm_start": not args.no_warm_start,
                    "epochs": epochs, "val_fraction": args.val_fraction, "label": args.label,
                    "train": {k: v for k, v in config.as_dict().items() if k != "device"}, **module_kwargs}
    if getattr(args, "pruner", "none") not in (None, "none"):
        study_config["pruner"] = args.pruner
    # No pruning unless asked for: Optuna's default MedianPruner would cut short-schedule curves at epoch 1.
    pruner = getattr(args, "live_pruner", None) or optuna.pruners.NopPruner()
    if getattr(args, "prior_study", None) == name:
        raise ArchscoutError("--prior-study names the study being run; give an earlier one")
    study = open_study(args.storage, name, space.name, study_config, sampler, pruner)
    resumed = _recover_interrupted(study)
    if strategy_name == "robot":
        from archscout.strategies.robot import candidate_pool, live_proxy_table

        pool = candidate_pool(space, args.robot_pool, args.seed)
        table = live_proxy_table(space, data, module_kwargs, pool, seed=args.seed, study=study, progress=not args.json)
        study.sampler = make_sampler(args.strategy, space, seed=args.seed, proxies=table, budget=args.trials)
    if not args.no_warm_start and not study.get_trials(deepcopy=False):
        default = getattr(space, "default_arch", None)
        start_arch = default() if default else (space.from_string(NB201_DEFAULT) if space.name == "nb201" else None)
        if start_arch is not None:
            study.enqueue_trial(space.to_params(start_arch))
    ckpt_root, temporary = _checkpoint_root(args.storage, args.checkpoints)
    ckpt_dir = ckpt_root / name
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    deadline = start + budget - 2.0  # keep a moment for the final test evaluation
    reeval_k = args.reeval_top if args.select == "reeval" else 0
    refit_epochs = args.refit_epochs or 2 * epochs
    n_search, n_full = len(data.x_train), len(data.x_train) + len(data.x_val)

    def search_deadline() -> float:
        """New trials leave time to re-evaluate the current top trials (--select reeval) and to refit the
        current best (--refit): each at most a quarter of the budget, so neither crowds out the search."""
        keep = reserve_seconds(study, reeval_k, cap=0.25 * budget) if reeval_k else 0.0
        if args.refit:
            try:
                leader = study.best_trial
            except ValueError:
                leader = None
            if leader is not None and f"{REFIT_ATTR}{leader.number}" not in study.user_attrs:
                keep += min(refit_seconds(leader, n_search, n_full, refit_epochs), 0.25 * budget)
        return deadline - keep

    objective = LiveObjective(space, data, config, checkpoint_dir=ckpt_dir, deadline=search_deadline(),
                              module_kwargs=module_kwargs, key=json.dumps(study_config, sort_keys=True),
                              epoch_seconds=per_epoch)
    show = not args.json
    if show:
        print(f"archscout: {data.describe()}; space {space_name}, strategy {args.strategy}, {epochs} epochs per trial, "
              f"budget {args.budget_minutes:g} min" + (f"; resuming {resumed} interrupted trial(s)" if resumed else ""),
              file=sys.stderr, flush=True)

    def progress(st: optuna.Study, t: optuna.trial.FrozenTrial) -> None:
        objective.deadline = search_deadline()
        if time.time() + per_epoch >= objective.deadline:
            st.stop()  # the rest of the budget is the re-evaluation's
        if not show:
            return
        done = len(st.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)))
        try:
            best = f"{st.best_value:.2f}%"
        except ValueError:
            best = "-"
        val = f"{t.value:.2f}%" if t.state == TrialState.COMPLETE else t.state.name.lower()
        print(f"  trial {t.number:>3}  {val:>8}  best {best:>7}  done {done:>3}  time left "
              f"{_fmt_time(deadline - time.time())}  {t.user_attrs.get('arch', '')}", file=sys.stderr, flush=True)

    todo = args.trials - len(study.get_trials(deepcopy=False, states=COUNTED))
    if todo > 0 and objective.deadline - time.time() > per_epoch:
        from archscout.cli.search import optimize

        optimize(study, _resumable(objective), todo, timeout=max(1.0, deadline - time.time()), callbacks=[progress],
                 interrupt_trials=True, gc_after_trial=False)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        raise ArchscoutError(
            f"no trial finished within {args.budget_minutes:g} minutes; raise --budget-minutes or lower --epochs "
            "(rerun the same command to continue)"
        )
    candidates: list[Candidate] = []
    if reeval_k and len(complete) > 1:
        if show:
            print(f"archscout: re-training the {min(reeval_k, len(complete))} best trials on a second validation split "
                  f"(time left {_fmt_time(deadline - time.time())})", file=sys.stderr, flush=True)
        data_b = load_dataset(args.data, val_fraction=args.val_fraction, seed=args.seed + SPLIT_OFFSET, label=args.label)
        candidates = reevaluate(study, space, data_b, objective.config_for, reeval_k,
                                lambda a, d: build_module(space, a, d, **module_kwargs), ckpt_dir, objective.key,
                                deadline, args.seed)
        best = pick(candidates).trial
    else:
        best = study.best_trial
    best_arch = space.from_params(best.params)
    test_acc = test_acc_search = None
    exported = None
    ckpt = objective.checkpoint_path(best_arch)
    state = torch.load(ckpt, map_location="cpu", weights_only=False) if ckpt is not None and ckpt.exists() else None
    trainer = Trainer(data, objective.config_for(best_arch))
    if state is not None and data.x_test is not None:
        module = build_module(space, best_arch, data, **module_kwargs).to(trainer.device)
        module.load_state_dict(state["model"])
        test_acc = test_acc_search = trainer.evaluate(module, "test")[1]
    refitted = None
    if args.refit:
        if show:
            print(f"archscout: training trial {best.number}'s architecture on all {n_full} training examples for "
                  f"{refit_epochs} epochs (time left {_fmt_time(deadline - time.time())})", file=sys.stderr, flush=True)
        refitted = refit(study, best, best_arch, refit_dataset(data), objective.config_for(best_arch).updated(
            epochs=refit_epochs), lambda a, d: build_module(space, a, d, **module_kwargs), ckpt_dir,
            objective.key, deadline, n_search, min_epochs=min(epochs, refit_epochs))
        if refitted.done:
            state = {"model": refitted.module.state_dict()}
            if data.x_test is not None:
                test_acc = trainer.evaluate(refitted.module, "test")[1]
    if export is not None:
        if state is None:
            raise ArchscoutError(f"nothing exported: the weights of trial {best.number} are gone (checkpoint {ckpt} "
                                 "missing); the study itself is intact")
        from archscout.training.export import export_model

        exported = str(export_model(export, space, best_arch, data, state["model"], module_kwargs,
                                    {"trial": best.number, "valid_accuracy": best.value, "test_accuracy": test_acc,
                                     "study": name, "epochs": epochs, "seed": args.seed,
                                     "refit": refitted.as_dict() if refitted else None}))
    # Keep only the best trial's weights: everything else is either finished or gone.
    for f in ckpt_dir.glob("*.pt"):
        if f != ckpt and f.name != refit_checkpoint_name(best.number):
            f.unlink()
    if temporary:
        shutil.rmtree(ckpt_root, ignore_errors=True)
    second = {c.trial.number: c for c in candidates}
    rows = []
    for t in study.get_trials(deepcopy=False):
        c = second.get(t.number)
        rows.append({"number": t.number, "state": t.state.name.lower(), "value": t.value,
                     "value_reeval": c.valid_b if c else None,
                     "epochs": t.user_attrs.get("cost_epochs", 0), "seconds": t.user_attrs.get("cost_seconds"),
                     "params": t.user_attrs.get("params"), "arch": t.user_attrs.get("arch"),
                     "fail_reason": t.user_attrs.get(FAIL_REASON)})
    cost = study_cost(study)
    cost["reeval_epochs"] = sum(c.epochs_b for c in candidates)
    cost["reeval_seconds"] = sum(c.seconds_b for c in candidates)
    selection = {"rule": "reeval" if candidates else "valid", "picked": best.number,
                 "candidates": [{"trial": c.trial.number, "valid": c.valid, "valid_reeval": c.valid_b}
                                for c in candidates]}
    result = {
        "best_arch": space.to_string(best_arch),
        "best_value": best.value,
        "best_value_reeval": second[best.number].valid_b if best.number in second else None,
        "test_accuracy": test_acc,
        "test_accuracy_search": test_acc_search,
        "refit": refitted.as_dict() if refitted else None,
        "exported": exported,
        "best_trial": best.number,
        "best_params": best.user_attrs.get("params"),
        "trials": len(rows),
        "complete": len(complete),
        "cost": cost,
        "selection": selection,
        "elapsed_seconds": round(time.time() - start, 1),
        "data": data.describe(),
        "space": space_name,
        "strategy": args.strategy,
        "epochs": epochs,
        "seed": args.seed,
        "study": name,
        "storage": args.storage,
        "trial_table": rows,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{'trial':>5}  {'state':<8} {'valid %':>7} {'re-eval':>7} {'epochs':>6} {'secs':>6} {'params':>8}  architecture")
    shown = sorted(rows, key=lambda r: -(r["value"] if r["value"] is not None else -1.0))[:20]
    for r in shown:
        v = f"{r['value']:.2f}" if r["value"] is not None else "-"
        v2 = f"{r['value_reeval']:.2f}" if r["value_reeval"] is not None else ""
        s = f"{r['seconds']:.0f}" if r["seconds"] is not None else "-"
        extra = f"  ({r['fail_reason']})" if r["fail_reason"] and r["state"] != "complete" else ""
        mark = "*" if r["number"] == best.number else " "
        print(f"{r['number']:>4}{mark}  {r['state']:<8} {v:>7} {v2:>7} {r['epochs']:>6} {s:>6} {r['params'] or '-':>8}  "
              f"{r['arch']}{extra}")
    if len(rows) > len(shown):
        print(f"  ... {len(rows) - len(shown)} more trials in the study")
    print(f"best architecture  {result['best_arch']}")
    how = (f"; re-trained on a second split: {result['best_value_reeval']:.2f}%, picked as the best mean of the "
           f"{len(candidates)} best trials" if result["best_value_reeval"] is not None else "")
    print(f"valid accuracy     {best.value:.2f}%  (trial {best.number} of {len(rows)}{how})")
    print(f"test accuracy      {test_acc:.2f}%" if test_acc is not None else "test accuracy      - (no test split or checkpoint)")
    if refitted is not None:
        if refitted.done:
            searched = f"; the search's own weights: {test_acc_search:.2f}%" if test_acc_search is not None else ""
            short = f" (of {refit_epochs}: what the time left held)" if refitted.epochs < refit_epochs else ""
            print(f"refit              {refitted.epochs} epochs{short} on {refitted.n_train} examples, {refitted.seconds:.0f} s "
                  f"(the test accuracy above is the refit network's{searched})")
        else:
            print(f"refit              not done, {refitted.reason}; the search's own weights are returned")
    if exported:
        print(f"exported           {exported} (archscout.training.export.load_model)")
    extra_cost = (f" + {cost['reeval_epochs']} epochs ({cost['reeval_seconds']:.0f} s) of re-evaluation"
                  if cost["reeval_epochs"] else "")
    print(f"cost               {cost['epochs']:.0f} epochs, {cost['seconds'] or 0:.0f} s of training{extra_cost}; "
          f"{result['elapsed_seconds']:.0f} s wall")
    print(f"study              {name} in {args.storage} "
          + (f"({MEMORY_NOTE})" if args.storage == "memory" else "(rerun the same command to resume)"))
    return 0
