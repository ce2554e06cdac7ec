"""Sweep of the `lce` pruner's decision rule (delta x how the calibration is combined) on replayed curves.

Same searches as `archscout bench stopping` (the order of seed s is the seeded permutation of s,
100 trials). Variants, as pruner names in the output rows:

* ``lce_both@D``   the model's P(better) < D *and* the calibrated bound (``combine="both"``, the
  default);
* ``lce_nocal@D``  the model's own rule alone (``calibrate=False``);
* ``lce_cal@D``    the calibrated bound alone (``combine="calibrated"``);
* a suffix ``:nN`` sets ``n_calib=N`` (completed trials before the calibrated bound is used; 5);
* ``lce_baker@D``  ``EitherPruner(LCEPruner, BakerPruner)`` (pruner ``lce_baker``): either rule stops a
  trial; each with its own defaults (``lce``: ``n_calib=10``, every epoch; ``baker``: 10/20/30/50/75% and
  ``n_train=10``, not the 6 that ``make_pruner("lce_baker")`` gives it since 2026-12-03: ``:t6`` is that) and
  delta D; option ``:lD2`` gives ``lce`` the delta D2 instead, ``:tN`` gives ``baker`` ``n_train=N``, ``:vZ``
  sets ``veto=Z`` (a stop one rule wants is vetoed while the other's latest mean + Z std is not below the best),
  ``:vbZ`` the same with only ``baker`` vetoing (``veto_by=(1,)``: ``lce``'s stops need ``baker``'s consent),
  ``:w`` gives ``lce`` ``warmup="auto"`` (a first-epoch jump left out of its fit);
* a suffix ``:w`` on an ``lce_*`` kind: ``warmup="auto"``;
* ``baker@D``      Baker's rule, checked at 10/20/30/50/75% of the schedule (its first default); suffixes
  ``:all`` (check every epoch from ``min_epochs`` on; every ``T // 50`` on schedules over 50 epochs),
  ``:mMODEL`` (regression model, e.g. ``:mensemble``), ``:tN`` (``n_train``: finished curves before the
  regressor is fitted), ``:dense`` (every epoch from 10% to 75% of the schedule, the default's window; every
  ``T // 50`` on schedules over 50 epochs), ``:eN`` (``min_epochs``: the first epoch checked; ``baker`` looks from 10% of the
  schedule on, at least epoch 1, since 2026-12-01; before, like ``lce``, from epoch 3 at the earliest), ``:imp``
  (``impute``: the trials it stopped join the training set of the earlier cut-offs, with the final value it
  predicted when it stopped them; ``:impb``: with the optimistic bound that stopped them instead), ``:g``
  (``guard``: never stop a trial that is at least as good as the best completed trial was at the same epoch), ``:nocal`` (its own Student-t margin alone, no online calibration), ``:nN`` as above.

All `lce` variants of one seed share one cache of fits (a fit depends only on the trial's position in the
order and its observed epochs, never on the rule), so the sweep costs about one unpruned run per
seed. Development seeds are 10-12; the reported seeds (0-2) are run by curves_stopping_v4.sh.
Rows are appended to --out (resumable).
`--report [--seeds ...]` prints the markdown table of --out (median speed-up, mean regret, clean runs).
Usage: nice -n 2 python benchmarks/curves_stopping_sweep.py SOURCE [--minimize] --seeds 10 11 12
       --variants lce_both@0.05 lce_cal@0.05 lce_nocal@0.1 [--out PATH]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import archscout.cli.bench_stopping as bs
import archscout.stopping as st
from archscout.stopping import pruners

OUT = Path(__file__).resolve().parent / "results" / "curves_stopping_sweep.jsonl"


def make_variant(name: str, max_epochs: int, metric, seed: int):
    """A pruner from a variant name ``KIND@DELTA[:OPT...]`` (see the module doc)."""
    kind, d = name.split("@")
    d, *opts = d.split(":")
    if kind == "lce_baker":
        lce_delta, bk, lk, veto, veto_by = float(d), {}, {}, None, None
        for o in opts:
            if o == "w":
                lk["warmup"] = "auto"
            elif o.startswith("l") and o[1:].replace(".", "", 1).isdigit():
                lce_delta = float(o[1:])
            elif o.startswith("t") and o[1:].isdigit():
                bk["n_train"] = int(o[1:])
            elif o.startswith("vb") and o[2:].replace(".", "", 1).isdigit():  # baker's prediction vetoes lce's stops
                veto, veto_by = float(o[2:]), (1,)
            elif o.startswith("v") and o[1:].replace(".", "", 1).isdigit():
                veto = float(o[1:])
            else:
                raise SystemExit(f"lce_baker takes :lD (lce's delta), :tN (baker's n_train), :vZ (veto), :w (lce's "
                                 f"warmup='auto'): {name!r}")
        return pruners.EitherPruner(pruners.LCEPruner(max_epochs, metric, seed=seed, delta=lce_delta, **lk),
                                    pruners.BakerPruner(max_epochs, metric, seed=seed, delta=float(d), **bk),
                                    veto=veto, veto_by=veto_by)
    kw: dict = {"lce_both": {"combine": "both"}, "lce_nocal": {"calibrate": False},
                "lce_cal": {"combine": "calibrated"}, "baker": {"checkpoints": (0.1, 0.2, 0.3, 0.5, 0.75)}}[kind]
    kw = {**kw, "delta": float(d), "n_calib": 5}
    for o in opts:
        if o == "nocal" and kind == "baker":
            kw["calibrate"] = False
        elif o.startswith("n") and o[1:].isdigit():
            kw["n_calib"] = int(o[1:])
        elif o == "w" and kind != "baker":
            kw["warmup"] = "auto"
        elif o == "all" and kind == "baker":
            kw["checkpoints"] = None
        elif o == "dense" and kind == "baker":  # every epoch inside the default window, 10% to 75%
            lo, hi = max(1, round(0.1 * max_epochs)), round(0.75 * max_epochs)
            kw["checkpoints"] = tuple(e / max_epochs for e in range(lo, hi + 1, max(1, max_epochs // 50)))
        elif o.startswith("m") and kind == "baker":
            kw["model"] = o[1:]
        elif o == "imp" and kind == "baker":
            kw["impute"] = True
        elif o == "g" and kind == "baker":
            kw["guard"] = True
        elif o == "impb" and kind == "baker":
            kw["impute"] = "bound"
        elif o.startswith("e") and o[1:].isdigit():
            kw["min_epochs"] = int(o[1:])
        elif o.startswith("t") and o[1:].isdigit() and kind == "baker":
            kw["n_train"] = int(o[1:])
        else:
            raise SystemExit(f"unknown option {o!r} in variant {name!r}")
    if kind == "baker":
        return pruners.BakerPruner(max_epochs, metric, seed=seed, **kw)
    return pruners.LCEPruner(max_epochs, metric, seed=seed, **kw)


def report(out: Path, seeds: list[int], trials: int = 100) -> None:
    """Markdown table: one row per source, one column per variant (speed-up, mean regret, clean runs)."""
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    rows = [r for r in rows if r["seed"] in seeds and r["trials"] == trials]
    variants = sorted({r["pruner"] for r in rows}, key=lambda v: (v.split("@")[0], v))
    print("| set | " + " | ".join(variants) + " |")
    print("|---" * (len(variants) + 1) + "|")
    for src in sorted({r["source"] for r in rows}):
        cells = []
        for v in variants:
            rs = [r for r in rows if r["source"] == src and r["pruner"] == v]
            if not rs:
                cells.append("-")
                continue
            sp = np.median([r["epochs_full"] / max(r["epochs"], 1) for r in rs])
            clean = sum(r["regret"] <= 1e-12 for r in rs)
            cells.append(f"{sp:.2f}x, {np.mean([r['regret'] for r in rs]):.3g}, {clean}/{len(rs)}")
        print(f"| {src.split('/')[-1].removesuffix('.csv')} | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("curves", nargs="?")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--range", nargs=2, type=float, default=None)
    ap.add_argument("--metric", default=None)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seeds", type=int, nargs="+", default=[10, 11, 12])
    ap.add_argument("--variants", nargs="+", default=[])
    ap.add_argument("--lcbench-path", type=Path, default=None)
    ap.add_argument("--lcbench-configs", type=int, default=500)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.set_defaults(seed=0)
    args = ap.parse_args()
    if args.report:
        report(args.out, args.seeds, args.trials)
        return
    if args.curves is None or not args.variants:
        ap.error("SOURCE and --variants are needed unless --report")
    from archscout.cli.bench_curves import load

    cs, metric = load(args)
    ok = np.all(np.isfinite(cs.curves[:, (1 if cs.untrained else 0):]), axis=1)
    done = set()
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            r = json.loads(line)
            done.add((r["source"], r["pruner"], r["seed"], r["trials"]))
    cache: dict = {}
    fit = pruners.LCEPruner.predict

    def cached(self, epochs, values, metric, trial_number=0):
        key = (self.seed, trial_number, len(epochs), float(values[-1]), tuple(sorted(self.lce_kwargs.items())))
        if key not in cache:
            cache[key] = fit(self, epochs, values, metric, trial_number)
        return cache[key]

    pruners.LCEPruner.predict = cached
    st.make_pruner = lambda name, T, metric=None, seed=0, **kw: make_variant(name, T, metric, seed)
    for seed in args.seeds:
        cache.clear()
        order = np.random.default_rng(seed).permutation(np.flatnonzero(ok))[: args.trials]
        for v in args.variants:
            if (cs.source, v, seed, args.trials) in done:
                continue
            r = bs.one_run(cs, metric, v, order, seed)
            r["source"] = cs.source
            with open(args.out, "a") as fh:
                fh.write(json.dumps(r) + "\n")
            print(f"{cs.source} {v} seed {seed}: {r['epochs_full'] / max(r['epochs'], 1):.2f}x "
                  f"regret {r['regret']:.4g} ({r['seconds']:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
