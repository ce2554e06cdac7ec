"""Write the "## Performance predictors" section of BENCHMARKS.md from benchmarks/results/predictors_*.md.

Only that section is replaced (up to the next "## " heading); the tables themselves are what the
commands in predictors_search.sh / predictors_table.sh / predictors_transfer.py printed.

    python benchmarks/predictors_report.py
"""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
R = ROOT / "benchmarks" / "results"
HEADING = "## Performance predictors"


def block(name: str, title: str) -> str:
    p = R / name
    if not p.exists():
        return f"**{title}**: not run yet (`{name}` missing).\n"
    return f"**{title}**\n\n{p.read_text().strip()}\n"


def seed_split() -> str:
    """Best after 50 queries on seeds 0-9 and 10-19 separately, and how many runs hit the optimum."""
    import json

    import numpy as np

    path = R / "predictors_search.jsonl"
    if not path.exists():
        return ""
    runs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines = ["| strategy | dataset | seeds 0-9 | seeds 10-19 | runs reaching the optimum |", "|---|---|---|---|---|"]
    for d, opt in (("cifar10", 94.37), ("cifar100", 73.51)):
        for s in ("guided-local", "bananas", "npenas"):
            rs = [r for r in runs if r["dataset"] == d and r["strategy"] == s and r["queries"] == 50]
            if not rs:
                continue
            best = {r["seed"]: max(r["values"][:50]) for r in rs}
            cells = []
            for lo in (0, 10):
                b = np.array([v for k, v in best.items() if lo <= k < lo + 10])
                cells.append(f"{b.mean():.2f} ± {b.std():.2f}" if len(b) else "-")
            hits = sum(v >= opt - 0.005 for v in best.values())
            lines.append(f"| {s} | {d} | {cells[0]} | {cells[1]} | {hits} of {len(best)} |")
    return "**best after 50 queries by seed half** (from `predictors_search.jsonl`)\n\n" + "\n".join(lines) + "\n"


def main() -> None:
    intro = (ROOT / "benchmarks" / "predictors_intro.md").read_text().strip()
    machine = (f"Tables regenerated from the results files on "
               f"{subprocess.run(['date', '-u'], capture_output=True, text=True).stdout.strip()} (the runs' dates are in the "
               f"text above); machine: `nproc` = {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} "
               f"(shared with other jobs: times are inflated), Python {platform.python_version()} ({sys.platform}).")
    parts = [HEADING, "", intro, "", machine, ""]
    for d in ("cifar10", "cifar100"):
        parts += [f"### NB201 {d}: `bench predictors`", ""]
        for suffix, title in [("arch", "architecture only (default encodings)"), ("arch_gp", "architecture only, GP"), ("zc", "+ 13 zero-cost scores"),
                              ("epoch12", "+ 12-epoch validation accuracy"), ("zc_epoch12", "+ both"),
                              ("enc_onehot", "encoding ablation: one-hot"), ("enc_path", "encoding ablation: path"),
                              ("enc_pathstats", "encoding ablation: path statistics alone (the default before 2026-12-01)"),
                              ("control", "control: shuffled training labels"),
                              ("neural_100", "MLP ensemble and GNN at 100 training cells"),
                              ("neural_all", "MLP ensemble and GNN, every train size"),
                              ("ens_arch", "committee `ens` (XGBoost + RF + GP), architecture only"),
                              ("ens_zc", "committee `ens` + 13 zero-cost scores"),
                              ("ens_zc_epoch12", "committee `ens` + zero-cost scores + 12-epoch accuracy"),
                              ("enset_arch", "committee `ens-et` (XGBoost + extra trees + GP), architecture only"),
                              ("enset_zc", "committee `ens-et` + 13 zero-cost scores"),
                              ("ens_zcsmooth", "committee `ens` + pool-smoothed zero-cost scores (`zcsmooth`)"),
                              ("enset_zcsmooth", "committee `ens-et` + pool-smoothed zero-cost scores (`zcsmooth`)"),
                              ("enset_zcsmooth_epoch12", "committee `ens-et` + `zcsmooth` + 12-epoch accuracy"),
                              ("gnnpre", "GNN pretrained on the pool's zero-cost scores (`gnn-pre`, `ens-et-gnn`) next "
                                         "to `ens-et`, `zcsmooth`, same seeds (`benchmarks/predictors_gnnpre.sh`)"),
                              ("gnnpre_400", "the same at 400 training cells"),
                              ("meco", "with archscout's MeCo as a 14th proxy (`--features zcsmooth meco`, "
                                       "`benchmarks/predictors_meco.sh`), same seeds")]:
            if (R / f"predictors_{d}_{suffix}.md").exists() or suffix in ("arch", "zc"):
                parts.append(block(f"predictors_{d}_{suffix}.md", title))
    parts += ["### Predictor-guided search (`bench strategies`)", "", block("predictors_search_cifar10.md", "CIFAR-10"),
              block("predictors_search_cifar100.md", "CIFAR-100"), seed_split(),
              "#### Ablation on the way to `guided-local` (`benchmarks/predictors_search_ablation.sh`)", "",
              block("predictors_search_ablation_a.md", "uncertainty-driven (5 bootstrapped boosters, Thompson sampling)"),
              block("predictors_search_ablation_b.md", "greedy (predicted mean), selection seeds 0-9"),
              block("predictors_search_ablation_c.md", "the two finalists on seeds 100-109"),
              block("predictors_search_ablation_d.md", "BANANAS and NPENAS (registered defaults) on seeds 100-109"),
              "### PNAS on the chain space (`benchmarks/predictors_pnas_toy.py`)", "",
              block("predictors_pnas_toy.md", "synthetic objective, no training"),
              "### Zero-cost features: development seeds (`benchmarks/predictors_zc_dev.py`)", "",
              block("predictors_zc_dev.md", "model choice for `ens`, seeds never reported above"),
              block("predictors_zc_dev_round2.md", "second round: `ens-et` and `zcsmooth`, seeds 100-109"),
              block("predictors_zc_errors.md", "where the best committee still errs (`benchmarks/predictors_zc_errors.py`)"),
              "### GNN pretrained on the pool's zero-cost scores, MeCo, graph features: development seeds "
              "(`benchmarks/predictors_gnnpre_dev.py`)", ""]
    for k, title in ((1, "round 1: pretraining, head inputs, body learning rate, committee (accuracy targets)"),
                     (2, "round 2: rank targets, longer pretraining / fine-tuning, more members, wider"),
                     (3, "round 3: the committee with the rank-target member"),
                     (4, "round 4: hidden 64 with rank targets"),
                     (5, "round 5: archscout's MeCo as a 14th proxy (encoding: `pathstats`, the default then)"),
                     (6, "round 6: GRAF-style graph features in the encoding (`pathstats` + `graf`)"),
                     (7, "round 7: with the graph features, raw or pool-smoothed proxies"),
                     (8, "round 8: the committee's trees on the normal scores of the ranks, like its GP and GNN "
                         "(`rank_targets=True`): worse, not taken"),
                     (9, "round 9: the GNN fine-tuned with a pairwise ranking loss (RankNet) next to its MSE "
                         "(`rank_loss`): no gain, not taken")):
        if (R / f"predictors_gnnpre_dev_round{k}.md").exists():
            parts.append(block(f"predictors_gnnpre_dev_round{k}.md", title))
    parts += [
              "### Transfer CIFAR-10 -> CIFAR-100", "", block("predictors_transfer.md", "BANANAS warm start"), ""]
    section = "\n".join(parts)
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if HEADING in text:
        start = text.index(HEADING)
        nxt = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
