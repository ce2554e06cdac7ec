"""Markdown tables for BENCHMARKS.md from the learning-curve benchmark results (benchmarks/results/curves_*).

Usage: python benchmarks/curves_report.py
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

RES = Path(__file__).resolve().parent / "results"
REFERENCE = {"metaqnn_cifar10": 0.943, "metaqnn_svhn": 0.683, "deep_resnets_cifar10": 0.473, "lstm_ptb": 0.047}


def rows(name: str) -> list[dict]:
    p = RES / name
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()] if p.exists() else []


def short(src: str) -> str:
    return Path(src).stem if not src.startswith("lcbench") else src


def reference_table() -> None:
    rs = rows("curves_quality.jsonl")
    if not rs:
        return
    for r in rs:  # rows written before --anchor existed: the regressors used anchor 1
        r.setdefault("anchor", 1.0 if r["method"] != "last" else None)
    by = defaultdict(list)
    for r in rs:
        by[(short(r["source"]), r["method"], r["anchor"])].append(r["r2"])
    methods = [("last", None), ("svr", 1.0), ("rf", 1.0), ("bayes_ridge", 1.0), ("ensemble", 1.0),
               ("svr", 0.5), ("ensemble", 0.5)]
    names = [m if a in (None, 1.0) else f"{m} (anchor {a:g})" for m, a in methods]
    print("| set | reference (issue) | " + " | ".join(names) + " | ensemble beats reference on seeds (anchor 1 / 0.5) |")
    print("|---|---|" + "---|" * len(methods) + "---|")
    for s, ref in REFERENCE.items():
        cells = []
        for m, a in methods:
            v = by.get((s, m, a), [])
            cells.append(f"{np.mean(v):.3f} ± {np.std(v):.3f} (n={len(v)})" if v else "-")
        beats = []
        for a in (1.0, 0.5):
            v = by.get((s, "ensemble", a), [])
            beats.append(f"{sum(x > ref for x in v)}/{len(v)}")
        print(f"| {s} | {ref} | " + " | ".join(cells) + f" | {' / '.join(beats)} |")


def anchor_table() -> None:
    """Held-out check of --anchor 0.5 on sets not used to choose it (LCBench, NAS-Bench-201)."""
    rs = rows("curves_quality.jsonl.anchor")
    if not rs:
        return
    by = defaultdict(list)
    for r in rs:
        by[(short(r["source"]), r["method"], r["anchor"])].append(r["r2"])
    sets = sorted({k[0] for k in by})
    cols = [("svr", 1.0), ("svr", 0.5), ("ensemble", 1.0), ("ensemble", 0.5)]
    print("| set | " + " | ".join(f"{m} anchor {a:g}" for m, a in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for s_ in sets:
        cells = [f"{np.mean(by[(s_, m, a)]):.3f} ± {np.std(by[(s_, m, a)]):.3f} (n={len(by[(s_, m, a)])})"
                 if by.get((s_, m, a)) else "-" for m, a in cols]
        print(f"| {s_} | " + " | ".join(cells) + " |")


def summary(g: list[dict]) -> tuple[float, float, int]:
    """Searches of one (set, pruner): median speed-up, mean regret, runs with no regret."""
    sp = float(np.median([r["epochs_full"] / max(r["epochs"], 1) for r in g]))
    return sp, float(np.mean([r["regret"] for r in g])), sum(r["regret"] <= 1e-12 for r in g)


def run_cell(g: list[dict], words: bool = True) -> str:
    """'2.17x, regret 0, 5/5 clean' (or '2.17x, 0, 5/5' without the words); '-' for no runs."""
    if not g:
        return "-"
    sp, reg, nz = summary(g)
    return f"{sp:.2f}x, regret {reg:.3g}, {nz}/{len(g)} clean" if words else f"{sp:.2f}x, {reg:.3g}, {nz}/{len(g)}"


def stopping_history() -> None:
    """lce and baker in the versions of the stopping benchmark, on the seeds all of them ran. The third is the
    calibrated rule of 2026-11-25 (lce: Laplace fast mode, n_calib 5, curves_stopping_laplace.jsonl); "now" is
    table (b) as it stands (lce since 2026-12-02: tempered fast mode, temperature max(2, n / 10), n_calib 10)."""
    versions = [("v1: posterior / 1-std margin", "curves_stopping_v1.jsonl"),
                ("v2: calibration alone", "curves_stopping_v2.jsonl"),
                ("v3: calibrated and own rule (lce: Laplace)", "curves_stopping_laplace.jsonl"),
                ("now", "curves_stopping.jsonl")]
    data = {v: [r for r in rows(f) if r["pruner"] in ("lce", "baker")] for v, f in versions}
    # baker did not change between v3 and now except for the MetaQNN first-check fix: its v3 rows are table (b)'s
    data[versions[2][0]] += [r for r in data["now"] if r["pruner"] == "baker"]
    keys = sorted({(short(r["source"]), r["pruner"]) for r in data[versions[-1][0]]})
    print("| set | pruner | " + " | ".join(v for v, _ in versions) + " |")
    print("|---|---|" + "---|" * len(versions))
    for s_, p in keys:
        cells = [run_cell([r for r in data[v] if short(r["source"]) == s_ and r["pruner"] == p and r["seed"] < 3])
                 for v, _ in versions]
        print(f"| {s_} | {p} | " + " | ".join(cells) + " |")


def stopping_fast_mode() -> None:
    """lce with the Laplace fast mode (curves_stopping_laplace.jsonl: table (b)'s lce / hyperband_lce rows until
    2026-12-02) vs the tempered one at temperature 2 (curves_stopping_v3.jsonl), seeds 0-2; lce_nocal = Domhan's
    rule without online calibration (probe)."""
    new = rows("curves_stopping_v3.jsonl")
    old = rows("curves_stopping_laplace.jsonl") + [r for r in rows("curves_stopping.jsonl")
                                                   if r["pruner"] not in ("lce", "hyperband_lce")]
    if not new:
        return
    print("| set | pruner | Laplace fast mode | tempered fast mode | epochs (3 runs): Laplace / tempered |")
    print("|---|---|---|---|---|")
    for s_, p in sorted({(short(r["source"]), r["pruner"]) for r in new if r["pruner"] != "none"}):
        g_new = [r for r in new if short(r["source"]) == s_ and r["pruner"] == p and r["seed"] < 3]
        g_old = [r for r in old if short(r["source"]) == s_ and r["pruner"] == p and r["seed"] < 3]
        e_old = f"{sum(r['epochs'] for r in g_old):.0f}" if g_old else "-"
        print(f"| {s_} | {p} | {run_cell(g_old)} | {run_cell(g_new)} | {e_old} / {sum(r['epochs'] for r in g_new):.0f} |")


def stopping_calibrated_alone() -> None:
    """lce with combine="calibrated" (the calibrated bound alone, n_calib 10) on table (b)'s reported seeds and
    the ten LCBench tasks (curves_stopping*_cal.jsonl, run 2026-12-02 after it was chosen on development seeds
    and reverted on these), next to the default "both" (table (b) and the ten-task file); cells: median
    speed-up, mean regret, clean runs."""
    cal = rows("curves_stopping_cal.jsonl")
    if not cal:
        return
    both = [r for r in rows("curves_stopping.jsonl") if r["pruner"] == "lce"]

    print("| set | `lce` (\"both\", the default) | calibrated bound alone |")
    print("|---|---|---|")
    for s_ in sorted({short(r["source"]) for r in cal}):
        g_b = [r for r in both if short(r["source"]) == s_]
        g_c = [r for r in cal if short(r["source"]) == s_]
        print(f"| {s_} | {run_cell(g_b, False)} | {run_cell(g_c, False)} |")
    for name, label in (("curves_stopping_lcbench_tasks.jsonl", "\"both\""), ("curves_stopping_lcbench_tasks_cal.jsonl", "alone")):
        g = [r for r in rows(name) if r["pruner"] == "lce"]
        per_task = {}
        for r in g:
            per_task.setdefault(r["source"], []).append(r["epochs_full"] / max(r["epochs"], 1))
        med = np.median([np.median(v) for v in per_task.values()])
        nz = sum(r["regret"] <= 1e-12 for r in g)
        print(f"| ten LCBench tasks, {label}: median over tasks | {med:.2f}x | {nz}/{len(g)} clean |")


def quality_fast_mode() -> None:
    """lce at every cut-off on table (a)'s test curves: Laplace (curves_quality.jsonl.maxtest), tempered at
    temperature 2 (curves_quality_v3.jsonl), at max(1, n / 10) (curves_quality_v4_floor1.jsonl: a first choice,
    dropped) and at the default max(2, n / 10) (curves_quality_v4.jsonl); cells R2 / log-likelihood."""
    v3 = {(short(r["source"]), r["cutoff"]): r for r in rows("curves_quality_v3.jsonl") if r["method"] == "lce"}
    new = {(short(r["source"]), r["cutoff"]): r for r in rows("curves_quality_v4.jsonl") if r["method"] == "lce"}
    f1 = {(short(r["source"]), r["cutoff"]): r for r in rows("curves_quality_v4_floor1.jsonl") if r["method"] == "lce"}
    old = {(short(r["source"]), r["cutoff"]): r for r in rows("curves_quality.jsonl.maxtest") if r["method"] == "lce"}
    if not new:
        return
    print("| set | cut-off (epochs seen) | Laplace: R² / loglik | temperature 2: R² / loglik | max(1, n / 10) (dropped) "
          "| **max(2, n / 10)**: R² / loglik | test curves | ms per curve (max(2, n / 10)) |")
    print("|---|---|---|---|---|---|---|---|")

    def cell(r: dict | None) -> str:
        if r is None:
            return "-"
        ll = f"{r['loglik']:.2f}" if r["loglik"] is not None else "-"
        return f"{r['r2']:.3f} / {ll}"

    for (s_, c), r in sorted(new.items()):
        print(f"| {s_} | {c:g} ({r['epochs_seen']}) | {cell(old.get((s_, c)))} | {cell(v3.get((s_, c)))} "
              f"| {cell(f1.get((s_, c)))} | {cell(r)} | {r['n_test']} | {r['ms_per_curve']:.0f} |")


def quality_table() -> None:
    rs = rows("curves_quality.jsonl.maxtest")
    if not rs:
        return
    methods = ["last", "curvefit", "lce", "svr", "bayes_ridge", "ensemble"]
    print("| set | cut-off (epochs seen) | " + " | ".join(methods) + " |")
    print("|---|---|" + "---|" * len(methods))
    key = defaultdict(dict)
    for r in rs:
        key[(short(r["source"]), r["cutoff"], r["epochs_seen"])][r["method"]] = r
    for (s, c, e), d in sorted(key.items()):
        cells = []
        for m in methods:
            r = d.get(m)
            if r is None:
                cells.append("-")
                continue
            ll = f"{r['loglik']:.2f}" if r["loglik"] is not None else "-"
            cells.append(f"{r['r2']:.3f} / {r['mse']:.3g} / {ll}")
        print(f"| {s} | {c:g} ({e}) | " + " | ".join(cells) + " |")


def stopping_table() -> None:
    rs = rows("curves_stopping.jsonl")
    if not rs:
        return
    order = ["none", "lce", "baker", "median", "hyperband", "hyperband_lce"]
    print("| set | pruner | speed-up (median over seeds) | mean regret | runs with no regret | s per search |")
    print("|---|---|---|---|---|---|")
    by = defaultdict(list)
    for r in rs:
        by[(short(r["source"]), r["pruner"])].append(r)
    for (s, p) in sorted(by, key=lambda k: (k[0], order.index(k[1]) if k[1] in order else 99)):
        g = by[(s, p)]
        sp, reg, nz = summary(g)
        print(f"| {s} | {p} | {sp:.2f}x | {reg:.4g} | {nz}/{len(g)} | {np.mean([r['seconds'] for r in g]):.1f} |")


def cost_pairs(rs: list[dict]) -> list[tuple[str, float, list[dict], list[dict]]]:
    """(set, cut-off, fast rows, MCMC rows) per cell, over the curves where both modes gave a prediction."""
    by = defaultdict(lambda: defaultdict(dict))
    for r in rs:
        by[(short(r["source"]), r["cutoff"])][r["curve"]][r["mode"]] = r
    out = []
    for (s, c), curves in sorted(by.items()):
        pairs = [(d["fast"], d["mcmc"]) for d in curves.values() if "fast" in d and "mcmc" in d
                 and "failed" not in d["fast"] and "failed" not in d["mcmc"]]
        if pairs:
            out.append((s, c, [a for a, _ in pairs], [b for _, b in pairs]))
    return out


def cost_table(name: str = "curves_cost.jsonl") -> None:
    rs = rows(name)
    if not rs:
        return
    if "heldout" in name:
        return cost_table_heldout(rs)
    # the earlier fast modes, kept for comparison: v1 Laplace around each family's ML fit (reported curves
    # only), v2 the importance sampler at a fixed temperature 2 (both sets of curves)
    v1 = {(r["source"], r["curve"], r["cutoff"]): r for r in rows("curves_cost_laplace.jsonl") if "nll" in r}
    if name != "curves_cost.jsonl":
        v1 = {}
    v2 = {(r["source"], r["curve"], r["cutoff"]): r for r in rows(name.replace(".jsonl", "_tau2.jsonl")) if "nll" in r}
    # and the first choice of a growing temperature, max(1, n / 10), dropped (curves_temperature_dev.py)
    f1 = {(r["source"], r["curve"], r["cutoff"]): r for r in rows(name.replace(".jsonl", "_floor1.jsonl")) if "nll" in r}
    print("| set | cut-off | curves | fast ms (median) | MCMC ms (median) | fast NLL (mean) | MCMC NLL (mean) | NLL gap "
          "| within 10% | v1 Laplace NLL (gap) | v2 τ = 2 NLL (gap) | max(1, n / 10), dropped: NLL (gap) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    allf, allm, allv, allw, allx = [], [], [], [], []
    for s, c, f, m in cost_pairs(rs):
        v = [v1.get((a["source"], a["curve"], a["cutoff"])) for a in f]
        w = [v2.get((a["source"], a["curve"], a["cutoff"])) for a in f]
        u = [f1.get((a["source"], a["curve"], a["cutoff"])) for a in f]
        allf += f
        allm += m
        allv += v
        allw += w
        allx += u
        print(cost_row(s, f"{c:g}", f, m, v, w, u))
    if allf:
        print(cost_row("all", "", allf, allm, allv, allw, allx))
        lf = np.median([x["load1"] for x in allf])
        lm = np.median([x["load1"] for x in allm])
        print(f"\nload average (1 min), median: {lf:.1f} during the fast runs, {lm:.1f} during the MCMC runs (2 cores)")
    failed = [r for r in rs if "failed" in r]
    if failed:
        print("\nfailed (no pair): " + "; ".join(f"{short(r['source'])} curve {r['curve']} at {r['cutoff']:g} "
                                              f"{r['mode']}: {r['failed']}" for r in failed))


def cost_table_heldout(rs: list[dict]) -> None:
    """The cost table on many curves: the mean NLL gap (the target's measure) and, because a mean over many
    curves is set by a few tails, the median per-curve gap and on how many curves the fast mode is better."""
    print("| set | cut-off | curves | fast ms (median) | MCMC ms (median) | fast NLL (mean) | MCMC NLL (mean) | NLL gap "
          "| within 10% | per-curve gap (median) | fast better on |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    allf, allm = [], []

    def row(s: str, c: str, f: list[dict], m: list[dict]) -> str:
        gaps = np.array([a["nll"] - b["nll"] for a, b in zip(f, m)])
        return (cost_row(s, c, f, m).rstrip(" |") + f" | {np.median(gaps):+.3f} | {int((gaps <= 0).sum())}/{len(gaps)} |")

    for s, c, f, m in cost_pairs(rs):
        allf += f
        allm += m
        print(row(s, f"{c:g}", f, m))
    if allf:
        print(row("all", "", allf, allm))
        print(f"\nload average (1 min), median: {np.median([x['load1'] for x in allf]):.1f} during the fast runs, "
              f"{np.median([x['load1'] for x in allm]):.1f} during the MCMC runs (2 cores)")
    failed = [r for r in rs if "failed" in r]
    if failed:
        print("\nno pair (" + str(len(failed)) + "): " + "; ".join(
            f"{short(r['source'])} curve {r['curve']} at {r['cutoff']:g} {r['mode']}" for r in failed))


def cost_row(s: str, c: str, f: list[dict], m: list[dict], *old: list[dict | None]) -> str:
    """One row of the cost table; 'within 10%': fast NLL <= MCMC NLL + 10% of |MCMC NLL|; then the
    NLL (gap to MCMC) of each earlier fast mode on the same pairs ("-" where it lacks one)."""
    nf, nm = np.mean([x["nll"] for x in f]), np.mean([x["nll"] for x in m])
    ok = "yes" if nf - nm <= 0.1 * abs(nm) else "no"
    cols = [f"{np.mean([x['nll'] for x in v]):.3f} ({np.mean([x['nll'] for x in v]) - nm:+.3f})"
            if v and all(v) else "-" for v in old]
    return (f"| {s} | {c} | {len(f)} | {np.median([x['ms'] for x in f]):.0f} | {np.median([x['ms'] for x in m]):.0f} "
            f"| {nf:.3f} | {nm:.3f} | {nf - nm:+.3f} | {ok} | {' | '.join(cols)} |")


if __name__ == "__main__":
    for title, fn in [("reference", reference_table), ("anchor (held-out)", anchor_table), ("quality", quality_table),
                      ("stopping", stopping_table), ("stopping: lce/baker versions (seeds 0-2)", stopping_history),
                      ("stopping: lce, Laplace vs tempered fast mode (seeds 0-2)", stopping_fast_mode),
                      ("stopping: lce, the calibrated bound alone on the reported seeds", stopping_calibrated_alone),
                      ("quality: lce, Laplace vs tempered fast mode", quality_fast_mode),
                      ("cost", cost_table),
                      ("cost, development curves", lambda: cost_table("curves_cost_dev.jsonl")),
                      ("cost, held-out curves (table (a)'s test curves 100-199)",
                       lambda: cost_table("curves_cost_heldout.jsonl"))]:
        print(f"\n### {title}\n")
        fn()
