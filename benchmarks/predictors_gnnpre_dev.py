"""Development seeds for the pool-pretrained GNN (`gnn-pre`, `ens-et-gnn`; BENCHMARKS.md "Performance predictors"),
and from round 5 on for the features of every predictor (MeCo, GRAF-style graph features).

Same protocol as `archscout bench predictors --features zc|zcsmooth --train-size 100` (load_pool,
pool_kwargs and one_run of that command) on seeds 100.. only, so choosing a variant here never looks
at the reported seeds 0-9. Each finished (variant, seed) is appended to --out (resumable); the
markdown table is rewritten after every variant. Pretraining is label-free and cached in the
process, so variants that share the pretraining settings pretrain once.

    OMP_NUM_THREADS=1 nice -n 15 python benchmarks/predictors_gnnpre_dev.py --round 1
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

# rounds 1-2 ran before rank targets became gnn-pre's default (chosen in round 2): spelt out here so
# that a rerun of those rounds reproduces their rows
R0 = {"rank_targets": False, "hidden": 32}
H32 = {"hidden": 32}  # rounds 1-3 ran before hidden 64 became the default (chosen in round 4)
ROUNDS = {  # label -> (predictor, extra features, predictor kwargs)
    1: {
        "gnn, zcsmooth (no pretraining)": ("gnn", "zcsmooth", {}),
        "gnn-pre, zc": ("gnn-pre", "zc", R0),
        "gnn-pre, zcsmooth": ("gnn-pre", "zcsmooth", R0),
        "gnn-pre, zcsmooth, no head features": ("gnn-pre", "zcsmooth", {**R0, "head_features": False}),
        "gnn-pre, zcsmooth, body frozen": ("gnn-pre", "zcsmooth", {**R0, "body_lr": 0.0}),
        "gnn-pre, zcsmooth, body_lr 3e-3": ("gnn-pre", "zcsmooth", {**R0, "body_lr": 3e-3}),
        "ens-et, zcsmooth": ("ens-et", "zcsmooth", {}),
        "ens-et-gnn, zcsmooth": ("ens-et-gnn", "zcsmooth", {"gnn_kwargs": R0}),
    },
    2: {
        "gnn-pre, zcsmooth, rank targets": ("gnn-pre", "zcsmooth", {"rank_targets": True, **H32}),
        "gnn-pre, zcsmooth, pretrain 60 epochs": ("gnn-pre", "zcsmooth", {**R0, "pretrain_epochs": 60}),
        "gnn-pre, zcsmooth, 300 epochs": ("gnn-pre", "zcsmooth", {**R0, "epochs": 300}),
        "gnn-pre, zcsmooth, 5 members": ("gnn-pre", "zcsmooth", {**R0, "n_models": 5}),
        "gnn-pre, zcsmooth, hidden 64": ("gnn-pre", "zcsmooth", {**R0, "hidden": 64}),
        "ens-et-gnn, zcsmooth, rank targets": ("ens-et-gnn", "zcsmooth", {"gnn_kwargs": {"rank_targets": True, **H32}}),
    },
    3: {  # round 2 was cut after its first three rows (a loaded machine); the two gains it showed, combined
        "gnn-pre, zcsmooth, rank targets, 300 epochs": ("gnn-pre", "zcsmooth", {"rank_targets": True, "epochs": 300, **H32}),
        "ens-et-gnn, zcsmooth, rank targets": ("ens-et-gnn", "zcsmooth", {"gnn_kwargs": {"rank_targets": True, **H32}}),
        "ens-et-gnn, zcsmooth, rank targets, 300 epochs": (
            "ens-et-gnn", "zcsmooth", {"gnn_kwargs": {"rank_targets": True, "epochs": 300, **H32}}),
    },
    4: {  # round 2's last rows (hidden 64 was its best) with the rank targets of the default
        "gnn-pre, zcsmooth, rank targets, hidden 64": ("gnn-pre", "zcsmooth", {"rank_targets": True, "hidden": 64}),
        "ens-et-gnn, zcsmooth, rank targets, hidden 64": (
            "ens-et-gnn", "zcsmooth", {"gnn_kwargs": {"rank_targets": True, "hidden": 64}}),
    },
    5: {  # archscout's MeCo (bundled, `--features ... meco`) as a 14th proxy of the zero-cost block
        "ens-et, zcsmooth": ("ens-et", "zcsmooth", {}),
        "ens-et, zcsmooth+meco": ("ens-et", "zcsmooth+meco", {}),
        "xgb, zc+meco": ("xgb", "zc+meco", {}),
        "ens-et, zc+meco": ("ens-et", "zc+meco", {}),
        "gnn-pre, zcsmooth+meco": ("gnn-pre", "zcsmooth+meco", {}),
        # the defaults, under round 4's label so that its rows are reused (labels key the resume file)
        "ens-et-gnn, zcsmooth, rank targets, hidden 64": (
            "ens-et-gnn", "zcsmooth", {"gnn_kwargs": {"rank_targets": True, "hidden": 64}}),
        "ens-et-gnn, zcsmooth+meco": ("ens-et-gnn", "zcsmooth+meco", {}),
    },
    6: {  # GRAF-style neural graph features (`--encoding pathstats graf`) next to the default `pathstats`
        "ens-et, arch": ("ens-et", "", {"encoding": ("pathstats",)}),
        "ens-et, arch, pathstats+graf": ("ens-et", "", {"encoding": ("pathstats", "graf")}),
        "ens-et, arch, graf": ("ens-et", "", {"encoding": ("graf",)}),
        "xgb, arch": ("xgb", "", {"encoding": ("pathstats",)}),
        "xgb, arch, pathstats+graf": ("xgb", "", {"encoding": ("pathstats", "graf")}),
        "ens-et, zcsmooth, pathstats+graf": ("ens-et", "zcsmooth", {"encoding": ("pathstats", "graf")}),
        "ens-et, zcsmooth+meco, pathstats+graf": ("ens-et", "zcsmooth+meco", {"encoding": ("pathstats", "graf")}),
        "ens-et-gnn, zcsmooth+meco, pathstats+graf": (
            "ens-et-gnn", "zcsmooth+meco", {"encoding": ("pathstats", "graf")}),
    },
    7: {  # with the graph features (the default since round 6), is the pool smoothing still worth it?
        # (labels key the resume file across rounds: these carry "graf" so that no earlier row is reused)
        "ens-et, zc+meco, graf": ("ens-et", "zc+meco", {}),
        "ens-et, zc, graf": ("ens-et", "zc", {}),
        "ens-et, zcsmooth, graf": ("ens-et", "zcsmooth", {}),
        "ens-et-gnn, zc+meco, graf": ("ens-et-gnn", "zc+meco", {}),
        "ens-et-gnn, zcsmooth, graf": ("ens-et-gnn", "zcsmooth", {}),
    },
    8: {  # the committee's trees on the normal scores of the ranks (as its GP and GNN already are)
        "ens-et, zc+meco, graf": ("ens-et", "zc+meco", {}),
        "ens-et, zc+meco, graf, rank targets": ("ens-et", "zc+meco", {"rank_targets": True}),
        "ens-et-gnn, zcsmooth+meco, pathstats+graf": (  # the reported default, round 6's label
            "ens-et-gnn", "zcsmooth+meco", {"encoding": ("pathstats", "graf")}),
        "ens-et-gnn, zcsmooth+meco, graf, rank targets": ("ens-et-gnn", "zcsmooth+meco", {"rank_targets": True}),
        "ens-et-gnn, zc+meco, graf, rank targets": ("ens-et-gnn", "zc+meco", {"rank_targets": True}),
    },
    9: {  # the GNN fine-tuned with a pairwise ranking loss (RankNet) next to its MSE
        "gnn-pre, zcsmooth+meco, graf": ("gnn-pre", "zcsmooth+meco", {}),
        "gnn-pre, zcsmooth+meco, rank loss 1": ("gnn-pre", "zcsmooth+meco", {"rank_loss": 1.0}),
        "gnn-pre, zcsmooth+meco, rank loss 3": ("gnn-pre", "zcsmooth+meco", {"rank_loss": 3.0}),
        "ens-et-gnn, zcsmooth+meco, gnn rank loss 1": (
            "ens-et-gnn", "zcsmooth+meco", {"gnn_kwargs": {"rank_loss": 1.0}}),
    },
}


# rounds 1-5 ran before the graph features joined the default encoding of the tree / GP / committee
# predictors (chosen in round 6): their encoding is spelt out so that a rerun reproduces their rows
PATHSTATS_ROUNDS = {1, 2, 3, 4, 5}


def has_default_encoding(name: str) -> bool:
    """Whether the predictor's own default encoding is the shared DEFAULT_ENCODING (the one that changed)."""
    import inspect

    from archscout.estimation.predictors import predictor_class
    from archscout.estimation.predictors.encodings import DEFAULT_ENCODING

    param = inspect.signature(predictor_class(name).__init__).parameters.get("encoding")
    return param is not None and param.default == DEFAULT_ENCODING


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--round", type=int, default=1, choices=sorted(ROUNDS))
    p.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 110)))
    p.add_argument("--train-size", type=int, default=100)
    p.add_argument("--only", nargs="*", default=None, help="labels of the round to run (default all)")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/predictors_gnnpre_dev.jsonl"))
    p.add_argument("--markdown", type=Path, default=None)
    args = p.parse_args()
    if min(args.seeds) < 100:
        raise SystemExit("development seeds are 100 and above (0-9 are the reported seeds)")
    md = args.markdown or Path(f"benchmarks/results/predictors_gnnpre_dev_round{args.round}.md")

    import torch

    torch.set_num_threads(1)
    from archscout.benchmarks import get_benchmark
    from archscout.cli.bench_predictors import load_pool, one_run, pool_kwargs

    bench = get_benchmark("nb201")
    pools = {}
    done: dict = {}
    if args.out.exists():
        for line in args.out.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                done[(r["label"], r["train_size"], r["seed"])] = r
    variants = {k: v for k, v in ROUNDS[args.round].items() if args.only is None or k in args.only}
    lines = [f"nb201 cifar10, {args.train_size} training cells, test 1000, development seeds "
             f"{', '.join(map(str, args.seeds))} (`predictors_gnnpre_dev.py --round {args.round}`)", "",
             "| variant | predictor | features | options | Kendall τ (mean ± std) | fit s (mean) | per seed |",
             "|---|---|---|---|---|---|---|"]
    for label, (name, feat, kw) in variants.items():
        if feat not in pools:
            blocks: dict = {}
            archs, y, feats = load_pool(bench, "cifar10", [f for f in feat.split("+") if f], "canonical", None, blocks)
            pools[feat] = (archs, y, feats, blocks)
        archs, y, feats, blocks = pools[feat]
        pin = {"encoding": ("pathstats",)} if args.round in PATHSTATS_ROUNDS and has_default_encoding(name) else {}
        kwargs = {**pool_kwargs(name, archs, feats, blocks), **pin, **kw}
        rs = []
        for s in args.seeds:
            k = (label, args.train_size, s)
            if k not in done:
                t0 = time.perf_counter()
                r = one_run(name, bench.space, archs, y, feats, args.train_size, 1000, s, None, 0.1, False, kwargs)
                r.update(label=label, predictor=name, features=feat, options=kw, train_size=args.train_size, seed=s,
                         wall_seconds=time.perf_counter() - t0)
                done[k] = r
                with args.out.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
                print(f"{label} seed {s}: tau {r['kendall_tau']:.3f} fit {r['fit_seconds']:.1f}s", flush=True)
            rs.append(done[k])
        taus = np.array([r["kendall_tau"] for r in rs])
        fit = np.mean([r["fit_seconds"] for r in rs])
        opts = ", ".join(f"{a}={b}" for a, b in kw.items()) or "defaults"
        lines.append(f"| {label} | {name} | {feat} | {opts} | {taus.mean():.3f} ± {taus.std():.3f} | {fit:.1f} | "
                     f"{' '.join(f'{t:.3f}' for t in taus)} |")
        print(lines[-1], flush=True)
        md.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
