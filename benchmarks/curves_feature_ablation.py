"""Feature-set ablation of the sequential regressor at a 25% cut-off (BENCHMARKS.md, learning curves, (a)).

Which part of the curve features matters: "full" (values, differences, second differences, summaries),
"summ" (the 10 summary statistics only), "summ5" (last, tail mean, max, slope, last difference),
"raw" / "raw_summ" / "raw_d1". 100 training curves, seeds 0-4 (same splits as `bench curves`).
Usage: python benchmarks/curves_feature_ablation.py SETS VARIANTS MODELS OUT.jsonl
  e.g. python benchmarks/curves_feature_ablation.py metaqnn_svhn full,summ,summ5,raw_summ svr \
       benchmarks/results/curves_feature_ablation.jsonl
"""
import sys, time, json, numpy as np
from pathlib import Path
from threadpoolctl import threadpool_limits
import archscout.estimation.curves.regression as R
from archscout.estimation.curves.data import read_curves
from archscout.estimation.curves.base import Metric
from archscout.estimation.curves.evaluate import cutoff_columns

orig = R.curve_features
def summ_only(p):
    p = np.asarray(p, float); n, tau = p.shape
    f = orig(p)
    return f[:, -10:]
def summ_small(p):
    # last value, mean tail, max, slope, last diff
    f = orig(p)[:, -10:]
    return f[:, [0, 1, 2, 4, 5]]
def raw_only(p):
    return np.asarray(p, float)
def raw_summ(p):
    f = orig(p); n, tau = np.asarray(p).shape
    return np.hstack([np.asarray(p, float), f[:, -10:]])
def raw_d1(p):
    p=np.asarray(p,float); return np.hstack([p, np.diff(p,axis=1)])
VARS = {"full": orig, "summ": summ_only, "summ5": summ_small, "raw": raw_only, "raw_summ": raw_summ, "raw_d1": raw_d1}
sets = sys.argv[1].split(",")
variants = sys.argv[2].split(",")
models = sys.argv[3].split(",")
out = open(sys.argv[4], "a")
for s in sets:
    minimize = s == "lstm_ptb"
    cs = read_curves(Path(__file__).resolve().parents[2] / "shared" / "data" / "baker2018" / f"{s}.csv")
    metric = Metric.loss() if minimize else Metric.accuracy(percent=float(np.nanmax(cs.curves)) > 1)
    final = cs.curves[:, -1]
    usable = np.flatnonzero(np.isfinite(final))
    tau, ncol = cutoff_columns(cs, 0.25)
    P = cs.curves[:, :ncol]
    for v in variants:
        R.curve_features = VARS[v]
        for m in models:
            r2s = []
            t0 = time.time()
            for seed in range(5):
                perm = np.random.default_rng(seed).permutation(usable)
                tr, te = perm[:100], perm[100:]
                with threadpool_limits(1):
                    reg = R.SequentialRegressor(m, metric, n_search=40, seed=seed).fit(cs.features[tr], P[tr], final[tr])
                    mu, sd = reg.predict(cs.features[te], P[te])
                y = final[te]
                r2s.append(float(1 - np.sum((mu - y) ** 2) / np.sum((y - y.mean()) ** 2)))
            rec = {"set": s, "var": v, "model": m, "r2": r2s, "mean": float(np.mean(r2s)), "sd": float(np.std(r2s)), "sec": time.time() - t0}
            print(json.dumps(rec), flush=True); out.write(json.dumps(rec) + "\n"); out.flush()
