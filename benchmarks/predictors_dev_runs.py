"""Shared plumbing of the predictor development scripts (`predictors_*_dev.py`, `training_free_swap_dev.py`).

Each script compares variants of a predictor over seeds with `bench_predictors.one_run` (the harness's own split
and metrics): this module holds their common arguments, the resumable JSON-lines file of runs, the loop over
seeds and the markdown table, so that a script only says what its variants are.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def parser(variants: dict, out: Path) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", nargs="+", default=list(variants), choices=list(variants))
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 110)))
    ap.add_argument("--out", type=Path, default=out)
    ap.add_argument("--report", action="store_true")
    return ap


def read_done(path: Path, features: list[str] | None = None) -> dict:
    """(variant, seed) -> run of the file; with `features`, only the runs made with them (untagged rows:
    `--features zcsmooth meco`, the setting of the scripts that did not tag them)."""
    done = {}
    if path.exists():
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if features is None or r.get("features", ["zcsmooth", "meco"]) == features:
                done[(r["variant"], r["seed"])] = r
    return done


def run_seeds(out: Path, done: dict, variant: str, name: str, space, archs, y, feats, seeds, kw: dict,
              **tags) -> None:
    """One run of predictor `name` per missing seed, 100 training cells, 1,000 test cells; each appended to `out`."""
    from archscout.cli.bench_predictors import one_run

    for s in seeds:
        if (variant, s) in done:
            continue
        r = one_run(name, space, archs, y, feats, 100, 1000, s, None, 0.1, False, kw)
        r.update(variant=variant, seed=s, **tags)
        with out.open("a") as fh:
            fh.write(json.dumps(r) + "\n")
        done[(variant, s)] = r
        print(variant, s, f"{r['kendall_tau']:.3f}", flush=True)


def table(done: dict, variants, seeds, fit: bool = False, setting: str = "") -> None:
    """Kendall τ per variant: mean ± std (runs), optionally the mean fit seconds, and each seed's value."""
    print(f"| variant | Kendall τ (mean ± std), 100 cells, seeds {seeds[0]}-{seeds[-1]}{setting} |"
          + (" fit s (mean) |" if fit else "") + " per seed |")
    print("|---|---|" + ("---|" if fit else "") + "---|")
    for v in variants:
        rs = [done[(v, s)] for s in seeds if (v, s) in done]
        if rs:
            t = [r["kendall_tau"] for r in rs]
            cells = [f"{np.mean(t):.3f} ± {np.std(t):.3f} ({len(t)})"]
            if fit:
                cells.append(f"{np.mean([r['fit_seconds'] for r in rs]):.1f}")
            print(f"| {v} | {' | '.join(cells)} | {' '.join(f'{x:.3f}' for x in t)} |")
