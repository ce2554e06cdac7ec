"""The `archscout` command: one module per subcommand, each with `register(subparsers)`.

Every user error (ArchscoutError) is printed as one line and exits with code 2; argparse does the
same for malformed flags. `main` returns the exit code in both cases (it never raises SystemExit).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from archscout import __version__
from archscout.errors import ArchscoutError

# Modules that add top-level subcommands, and modules that add `archscout bench <name>` commands.
COMMANDS = ["archscout.cli.search"]
BENCH_COMMANDS = ["archscout.cli.bench_strategies", "archscout.cli.bench_predictors", "archscout.cli.bench_curves", "archscout.cli.bench_stopping", "archscout.cli.bench_build_table", "archscout.cli.bench_training_free", "archscout.cli.bench_oneshot"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archscout",
        description=(
            "Neural architecture search that estimates performance early: learning-curve extrapolation, "
            "predictors, one-shot and training-free estimation, on Optuna studies."
        ),
        epilog="Run `archscout COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"archscout {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    bench = sub.add_parser(
        "bench", help="benchmark strategies and estimators; results feed BENCHMARKS.md",
        description="Reproducible comparisons on tabular and surrogate benchmarks.",
    )
    bench_sub = bench.add_subparsers(dest="bench_command", metavar="BENCHMARK")
    for name in BENCH_COMMANDS:
        importlib.import_module(name).register(bench_sub)
    bench.set_defaults(func=lambda args: bench.print_help() or 0)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage error (2) or the help (0): return its code
        return e.code if isinstance(e.code, int) else 0 if e.code is None else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except ArchscoutError as e:
        print(f"archscout: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        stored = getattr(args, "storage", None) != "memory"  # an in-memory study is gone with the process
        print("archscout: interrupted" + ("; rerun the same command to resume" if stored else ""), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
