"""Markdown table of benchmarks/live_epoch_times.py output: python benchmarks/live_epoch_table.py FILE.jsonl"""
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| space | data | architecture | params | FLOPs (MACs) | batch | s/epoch | load (1 min) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    kw = ", ".join(f"{k}={v}" for k, v in r["module_kwargs"].items())
    arch = r["arch"].replace("|", "\\|") + (f" ({kw})" if kw else "")
    print(f"| {r['space']} | {r['data']} | `{arch}` | {r['params']:,} | {r['flops']:,} | {r['batch_size']} | {r['seconds_per_epoch']:.1f} | {r['load_1min']:.1f} |")
