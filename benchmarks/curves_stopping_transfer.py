"""Does a prior from other tasks' curves let `baker` stop sooner on LCBench? (issue 4, BENCHMARKS.md (b))

`BakerPruner(prior=(features, curves))` adds curves trained before (here: other LCBench tasks, the same seven
hyperparameters) to every regressor's training data, so the rule predicts from the first trial instead of
after 10 finished curves; the online calibration still waits for `n_calib` (5) completed trials of this
search. The warm-up of full-length trials falls from 15 to 5, which alone lifts the oracle bound of table (c)
from ~4x to ~6x.

Fixed task split (no task is in two roles):
- evaluation: table (b)'s 3945 and 7593 and the ten tasks of `curves_stopping_lcbench_tasks.py`;
- 34539 (table (a)'s) is left out;
- of the other 21 tasks, 4 drawn with seed 1 are development targets (choices are made on them, seeds
  10-12), and the remaining 17 give the prior (`--per-task` configurations each, sampled with seed 1000,
  so no prior configuration is one of the evaluated 500 of seed 0 by construction of the draw).

Each search is exactly table (b)'s (`archscout bench stopping --curves lcbench:TASK --lcbench-configs 500
--trials 100`, the same seeded order), and the `none` / `baker` rows without a prior are recomputed here
so that every comparison is within one file (they equal table (b)'s). One JSON line per search (resumable);
`--report` reads every `curves_stopping_transfer*.jsonl`. `--targets baker`: Baker's four sets, seeds 0-4,
with a prior of 100 other curves of the same file (an earlier search of the same dataset) and, for the two
MetaQNN sets, 100 curves of the other one (the same CNNs and features on another dataset).

As run on 2026-12-02 (two processes, `_p1` is the second's file):

    for i in 0 1; do OMP_NUM_THREADS=1 nice -n 5 python benchmarks/curves_stopping_transfer.py --targets dev \
        --seeds 10 11 12 --part $i --parts 2 --variants none baker baker+prior baker+prior:drop \
        --out benchmarks/results/curves_stopping_transfer$([ $i = 1 ] && echo _p1).jsonl & done; wait
    # the same with --variants "baker+same-task prior" --per-task 50; then --targets eval --seeds 0 1 2 3 4
    # with --variants none baker "baker+same-task prior" --per-task 50, then --variants baker+prior
    OMP_NUM_THREADS=1 nice -n 5 python benchmarks/curves_stopping_transfer.py --targets baker --seeds 0 1 2 3 4 \
        --out benchmarks/results/curves_stopping_transfer_baker.jsonl
    python benchmarks/curves_stopping_transfer.py --report
    python benchmarks/curves_stopping_transfer.py --diagnose 189865 12   # where the trials stop, and the std

(`baker+prior:imp` was stopped after 8 of its 12 development runs: it was as fast as `baker+prior`.)

On 2026-12-03, Domhan's rule and either rule (`lce_baker`), files `curves_stopping_transfer_lce_{dev,eval}[_p1].jsonl`:

    for i in 0 1; do OMP_NUM_THREADS=1 nice -n 5 python benchmarks/curves_stopping_transfer.py --targets dev \
        --seeds 10 11 12 --part $i --parts 2 --variants lce lce_baker \
        --out benchmarks/results/curves_stopping_transfer_lce_dev$([ $i = 1 ] && echo _p1).jsonl & done; wait
    # (lce+prior and lce_baker+prior: the first three development runs only, then stopped; "lce_baker:l0.01" on dev)
    # then --targets eval --seeds 0 1 2 3 4 --variants lce_baker, then "lce_baker:t6" (files ..._lce_eval[_p1].jsonl);
    # the report's evaluation `lce` column is read from table (b)'s and the ten-task table's files (table_b_lce)

Later on 2026-12-03 (one process each, beside stage 8 of curves_stopping_sweep.sh): `--targets dev --seeds 10 11 12
--variants lce_baker:t6 lce_baker:t6:v0 lce_baker:t6:v1`, then `lce_baker:t6:l0.01` (lce's part with delta 0.01),
then `--targets eval --seeds 0 1 2 3 4 --part $i --parts 2 --variants lce_baker:t6:l0.01` (two processes). The
`lce_baker:t6:vb0` development run was stopped after 7 of its 12 searches (the symmetric veto it is a weaker form of
had saved no lost run); its rows are in `stopped_transfer_lce_baker_vb0_dev.jsonl`. Since then `make_pruner`'s
`lce_baker` has `baker_n_train=6` by default, so the `lce_baker` variants above pin the old `baker_n_train=10`.
Then `--targets dev --seeds 10 11 12 --variants lce_baker:t6:b0.1 lce_baker:t6:b0.2` (Baker's part with delta 0.1 or
0.2) and `--targets eval --seeds 0 1 2 3 4 --part $i --parts 2 --variants lce_baker:t6:b0.1`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from curves_stopping_lcbench_tasks import speedup_table, tasks as ten_tasks  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "curves_stopping_transfer.jsonl"
VARIANTS = {  # label -> (pruner kwargs, use the prior)
    "none": (None, False),
    "baker": ({}, False),
    "baker+prior": ({}, True),
    "baker+prior:imp": ({"impute": True}, True),
    "baker+prior:drop": ({"keep_prior": False}, True),
    # not transfer: the curves of an earlier search on the same task (--per-task of them, seed 1000), i.e. what
    # a user has who searches a dataset again; its cost is not counted, so it says nothing about the target
    "baker+same-task prior": ({}, "same"),
    # Domhan's rule: the prior curves calibrate it (its errors on them at each epoch), the model is per curve
    "lce": ({}, False),
    "lce+prior": ({}, True),
    "lce+prior:drop": ({"keep_prior": False}, True),
    # either rule stops a trial
    "lce_baker": ({"baker_n_train": 10}, False),  # the defaults until 2026-12-03 (now baker_n_train=6)
    "lce_baker:l0.01": ({"lce_delta": 0.01, "baker_n_train": 10}, False),  # lce's part more cautious (delta 0.01)
    "lce_baker:t6": ({"baker_n_train": 6}, False),  # baker's regressor from 6 finished curves instead of 10
    "lce_baker+prior": ({"baker_n_train": 10}, True),
    # a stop one rule wants is vetoed while the other rule's latest mean (+ Z std) still beats the best
    "lce_baker:t6:v0": ({"baker_n_train": 6, "veto": 0.0}, False),
    "lce_baker:t6:v1": ({"baker_n_train": 6, "veto": 1.0}, False),
    "lce_baker:t6:vb0": ({"baker_n_train": 6, "veto": 0.0, "veto_by": "baker"}, False),  # baker vetoes lce only
    "lce_baker:t6:l0.01": ({"baker_n_train": 6, "lce_delta": 0.01}, False),
    "lce_baker:t6:b0.1": ({"baker_n_train": 6, "baker_delta": 0.1}, False),  # baker's part bolder (delta 0.1)
    "lce_baker:t6:b0.2": ({"baker_n_train": 6, "baker_delta": 0.2}, False),
    # Domhan's fit leaves a first-epoch jump out (DomhanLCE(warmup="auto"), 2026-12-03)
    "lce:wauto": ({"warmup": "auto"}, False),
    "lce_baker:t6:wauto": ({"baker_n_train": 6, "lce_warmup": "auto"}, False),
    # the same with heavier-tailed noise (Student-t, 1.5 dof instead of 3)
    "lce:wauto:dof1.5": ({"warmup": "auto", "noise_dof": 1.5}, False),
    "lce_baker:t6:wauto:dof1.5": ({"baker_n_train": 6, "lce_warmup": "auto", "lce_noise_dof": 1.5}, False),
}
_SHARED: dict = {}  # id of a prior's curves -> PriorCurves, so that every lce search of a process fits them once


def pruner_name(variant: str) -> str:
    return variant.split("+")[0].split(":")[0]


def split() -> tuple[list[str], list[str], list[str]]:
    """(evaluation, development, prior) task ids."""
    ev = ["3945", "7593", *ten_tasks(10, 0)]
    from archscout.benchmarks.lcbench import LCBench

    rest = sorted(t for t in LCBench().tasks if t not in set(ev) | {"34539"})  # the surrogate's 34 tasks
    dev = [rest[i] for i in np.random.default_rng(1).choice(len(rest), size=4, replace=False)]
    return ev, dev, [t for t in rest if t not in dev]


def prior_curves(lc, tasks: list[str], per_task: int) -> tuple[np.ndarray, np.ndarray]:
    F, C = [], []
    for t in tasks:
        cs = lc.curve_set(t, per_task, seed=1000)
        F.append(cs.features)
        C.append(cs.curves)
    return np.vstack(F), np.vstack(C)


def one_search(cs, order, kwargs, prior, seed: int, metric=None, name: str = "baker") -> dict:
    import optuna

    from archscout.benchmarks.curves import CurveReplay
    from archscout.estimation.curves.base import Metric
    from archscout.stopping import make_pruner

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    metric = metric or Metric.accuracy(percent=True)  # as bench stopping infers for LCBench
    T = int(cs.n_epochs)
    if kwargs is None:
        pruner = optuna.pruners.NopPruner()
    else:
        extra = {}
        if prior is not None and name in ("lce", "lce_baker"):
            from archscout.stopping import PriorCurves

            shared = _SHARED.setdefault(id(prior[1]), PriorCurves(prior[1]))
            extra = {"prior": shared} if name == "lce" else {"lce_prior": shared, "baker_prior": prior}
        elif prior is not None:
            extra = {"prior": prior}
        pruner = make_pruner(name, T, metric, seed=seed, **kwargs, **extra)
    study = optuna.create_study(direction=metric.direction, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=seed))
    t0 = time.perf_counter()
    study.optimize(CurveReplay(cs, order), n_trials=len(order))
    epochs = sum(t.user_attrs.get("cost_epochs", 0) for t in study.trials)
    done = [t.value for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    sg = metric.sign
    best_all = sg * float(np.max(sg * cs.curves[order, -1]))
    full = cs.curves.shape[1] - (1 if cs.untrained else 0)  # bench stopping's count: epoch 0 is not trained
    return {"epochs": float(epochs), "epochs_full": float(len(order) * full), "regret": best_all - sg * max(sg * np.array(done)),
            "completed": len(done), "seconds": time.perf_counter() - t0}


def table_b_lce(seeds=(0, 1, 2, 3, 4)) -> list[dict]:
    """`lce` at its defaults on the evaluation tasks, from table (b) and the ten-task table (same searches, seeds
    0-4), in this script's row format: the column the either-rule (`lce_baker`) is compared with."""
    out = []
    for name in ("curves_stopping.jsonl", "curves_stopping_lcbench_tasks.jsonl"):
        for line in (OUT.parent / name).read_text().splitlines():
            r = json.loads(line)
            if r["pruner"] == "lce" and r["source"].startswith("lcbench:") and r["trials"] == 100 and r["seed"] in seeds:
                out.append({**r, "task": r["source"].split(":")[1], "variant": "lce", "per_task": 0})
    return out


def report(paths: list[Path]) -> str:
    rows = [json.loads(s) for p in paths for s in p.read_text().splitlines() if s.strip()]
    ev, dev, _ = split()
    rows += [r for r in table_b_lce() if r["task"] in set(ev)]  # no eval-task lce row is in this script's files
    out = []
    for role, names in (("LCBench development tasks", dev), ("LCBench evaluation tasks", ev),
                        ("Baker's sets", list(METAQNN + OWN_ONLY))):
        by: dict = {}
        for r in rows:
            if r["task"] in names:
                by.setdefault((r["task"], r["variant"], r["per_task"]), {})[r["seed"]] = r
        variants = sorted({(v, n) for (_, v, n) in by}, key=lambda x: (list(VARIANTS).index(x[0]), x[1]))
        if not variants:
            continue
        if role.startswith("Baker"):
            names_b = {"baker+prior": "baker+prior (100 curves of the other MetaQNN set)",
                       "baker+same-task prior": "baker+same-set prior (100 other curves of the file)"}
            head = [names_b.get(v, v) for v, _ in variants]
        else:
            head = [f"{v}" + (f" ({n}/task)" if VARIANTS[v][1] else "") for v, n in variants]
        runs = {(t, k): list(by.get((t, *k), {}).values()) for t in names for k in variants}
        out += [f"{role} (cells: median speed-up over seeds, mean regret, runs with no regret)", "",
                *speedup_table(runs, names, variants, head, "**median over tasks** (clean runs)")]
        if names == ev:  # the ten tasks that no setting of the pruners was ever chosen on (3945, 7593 were)
            out.append(speedup_table(runs, ev[2:], variants, head, "median over the ten tasks without 3945 and 7593")[-1])
        out.append("")
    return "\n".join(out)


METAQNN = ("metaqnn_cifar10", "metaqnn_svhn")  # the same MetaQNN CNNs and features on two datasets
OWN_ONLY = ("deep_resnets_cifar10", "lstm_ptb")  # no partner set: an earlier search of the same set only


def baker_sets(a) -> None:
    """Baker's sets with a prior of 100 other curves of the same file (an earlier search of the same
    dataset), and the two MetaQNN sets also with 100 curves of the other one (transfer across datasets)."""
    from archscout.estimation.curves.base import Metric
    from archscout.estimation.curves.data import read_curves

    data = ROOT / ".." / "shared" / "data" / "baker2018"
    sets = {n: read_curves(data / f"{n}.csv") for n in METAQNN + OWN_ONLY}
    ok = {n: np.flatnonzero(np.all(np.isfinite(cs.curves), axis=1)) for n, cs in sets.items()}
    done = set()
    if a.out.exists():
        done = {(r["task"], r["variant"], r["per_task"], r["seed"]) for r in map(json.loads, a.out.read_text().splitlines())}
    variants = {"none": (None, None), "baker": ({}, None), "baker+prior": ({}, "other"),
                "baker+same-task prior": ({}, "same")}
    for name, cs in sets.items():
        metric = Metric.loss() if name == "lstm_ptb" else Metric.accuracy(percent=False)  # as curves_stopping.sh
        other_name = METAQNN[1 - METAQNN.index(name)] if name in METAQNN else None
        other = sets.get(other_name)
        pick = np.random.default_rng(1000).choice(ok[other_name], 100, replace=False) if other_name else None
        for s in a.seeds:
            order = np.random.default_rng(s).permutation(ok[name])[:100]  # bench stopping's order
            for v, (kwargs, src) in variants.items():
                if src == "other" and other is None:
                    continue
                n = 100 if src else 0
                if (name, v, n, s) in done:
                    continue
                if src == "other":
                    prior = (other.features[pick], other.curves[pick, (1 if other.untrained else 0):])
                elif src == "same":
                    rest = np.setdiff1d(ok[name], order)
                    own = np.random.default_rng(1000 + s).choice(rest, 100, replace=False)
                    prior = (cs.features[own], cs.curves[own, (1 if cs.untrained else 0):])  # epochs 1..T
                else:
                    prior = None
                r = one_search(cs, order, kwargs, prior, s, metric)
                r.update(task=name, variant=v, per_task=n, seed=s, prior_tasks=1 if src else 0,
                         prior_source=None if not src else name if src == "same" else other_name)
                with a.out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
                print(json.dumps(r), flush=True)


def diagnose(task: str, seed: int) -> None:
    """Why a cross-task prior saves little: one LCBench search with and without it, where its trials stop
    and how wide the predictive std is at the first check."""
    import collections

    import optuna

    from archscout.benchmarks.curves import CurveReplay
    from archscout.benchmarks.lcbench import LCBench
    from archscout.estimation.curves.base import Metric
    from archscout.stopping import make_pruner

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    ev, dev, prior_tasks = split()
    lc = LCBench()
    prior = prior_curves(lc, prior_tasks, 20)
    cs = lc.curve_set(task, 500, seed=0)
    order = np.random.default_rng(seed).permutation(len(cs))[:100]
    print(f"| lcbench:{task}, seed {seed} | first stopped trial | trials stopped at epoch: count | "
          "median predictive std at the first check (epoch 5), points |")
    print("|---|---|---|---|")
    for label, kw in (("baker", {}), ("baker+prior (20/task)", {"prior": prior})):
        p = make_pruner("baker", 52, Metric.accuracy(percent=True), seed=seed, **kw)
        st = optuna.create_study(direction="maximize", pruner=p, sampler=optuna.samplers.RandomSampler(seed=seed))
        st.optimize(CurveReplay(cs, order), n_trials=100)
        stops = collections.Counter(t.user_attrs["cost_epochs"] for t in st.trials if t.state.name == "PRUNED")
        first = next(t.number for t in st.trials if t.state.name == "PRUNED")
        sd = np.median([d["std"] for d in p.decisions if d["epoch"] == 5])
        print(f"| {label} | {first} | {', '.join(f'{e}: {n}' for e, n in sorted(stops.items()))} | {sd:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", choices=["dev", "eval", "baker"], default="dev")
    ap.add_argument("--seeds", type=int, nargs="+", default=[10, 11, 12])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--per-task", type=int, default=20)
    ap.add_argument("--part", type=int, default=0)
    ap.add_argument("--parts", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--diagnose", nargs=2, metavar=("TASK", "SEED"), help="see diagnose()")
    a = ap.parse_args()
    if a.diagnose:
        diagnose(a.diagnose[0], int(a.diagnose[1]))
        return
    if a.report:  # the default: every results file of this script (one per process that wrote one)
        print(report(sorted(OUT.parent.glob("curves_stopping_transfer*.jsonl")) if a.out == OUT else [a.out]))
        return
    if a.targets == "baker":
        baker_sets(a)
        return
    from archscout.benchmarks.lcbench import LCBench

    ev, dev, prior_tasks = split()
    lc = LCBench()
    prior = prior_curves(lc, prior_tasks, a.per_task)
    done = set()
    if a.out.exists():
        done = {(r["task"], r["variant"], r["per_task"], r["seed"]) for r in map(json.loads, a.out.read_text().splitlines())}
    for t in (ev if a.targets == "eval" else dev)[a.part::a.parts]:
        cs = lc.curve_set(t, 500, seed=0)
        for s in a.seeds:
            order = np.random.default_rng(s).permutation(len(cs))[:100]  # bench stopping's order (all curves finite)
            for v in a.variants:
                kwargs, use_prior = VARIANTS[v]
                n = a.per_task if use_prior else 0
                if (t, v, n, s) in done:
                    continue
                p = prior_curves(lc, [t], n) if use_prior == "same" else prior if use_prior else None
                r = one_search(cs, order, kwargs, p, s, name=pruner_name(v))
                r.update(task=t, variant=v, per_task=n, seed=s,
                         prior_tasks=(1 if use_prior == "same" else len(prior_tasks)) if use_prior else 0)
                with a.out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
                print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
