"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Hashable
from pathlib import Path

from archscout.errors import ArchscoutError


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show an option's default once: only when its help does not already say it, and never 'None'."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text.lower() or action.default is None or action.default is False or action.default == argparse.SUPPRESS:
            return text
        return super()._get_help_string(action)


def read_results(path: Path | None, key: Callable[[dict], Hashable]) -> dict[Hashable, dict]:
    """The runs already in a JSON-lines resume file, by key (later lines win).

    A run killed while writing leaves a cut-off last line: it is removed from the file (so the next
    record starts on a line of its own), and the same command resumes.
    """
    done: dict[Hashable, dict] = {}
    if path is None or not path.exists():
        return done
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    for i, line in enumerate(lines):
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines) - 1:
                path.write_text("".join(x + "\n" for x in lines[:-1]))
                break
            raise ArchscoutError(f"resume file {str(path)!r} line {i + 1} is not JSON; move the file away to start afresh") from None
        done[key(r)] = r
    return done
