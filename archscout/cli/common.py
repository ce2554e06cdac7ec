"""Helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
import os
import sys
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


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer >= `minimum` (argparse then names the option and exits 2)."""

    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {v}")
        return v

    parse.__name__ = f"integer >= {minimum}"
    return parse


def check_out_path(path: Path | None, option: str = "--out", folder: bool = False) -> None:
    """Fail before any work if `path` cannot be written: its folder must exist, and the path itself must
    not be a folder (``folder=True``: it must be one, or not exist yet, under a folder that exists)."""
    if path is None:
        return
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists() and path.is_dir() != folder:
        raise ArchscoutError(f"{option} {str(path)!r} is a {'file' if folder else 'folder'}; give a {'folder' if folder else 'file'} path")
    if not parent.is_dir():
        raise ArchscoutError(f"{option} {str(path)!r}: the folder {str(parent)!r} does not exist; create it first")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK) or (not path.exists() and not _can_create(parent)):
        raise ArchscoutError(f"{option} {str(path)!r} cannot be written here (permission denied or a read-only place)")


def _can_create(folder: Path) -> bool:
    """Whether a file can really be created in `folder` (os.access is not enough on /proc and the like)."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".archscout-write-check-"):
            return True
    except OSError:
        return False


def read_results(path: Path | None, key: Callable[[dict], Hashable]) -> dict[Hashable, dict]:
    """The runs already in a JSON-lines resume file, by key (later lines win).

    Only a file of this command's records is read; anything else is an error that leaves the file as it is
    (it may be the user's own file, given as --out by mistake). One exception: a run killed while writing
    leaves its last record cut off (no newline, not JSON); that tail alone is removed, atomically, and the
    same command resumes. A last record without its newline gets one, so the next record starts on a line
    of its own.
    """
    done: dict[Hashable, dict] = {}
    if path is None or not path.exists():
        return done
    if path.is_dir():
        raise ArchscoutError(f"--out {str(path)!r} is a folder; give a file path")
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise ArchscoutError(f"--out {str(path)!r} is not a results file of this command (not text); "
                             "move it away or choose another path") from None
    lines = text.splitlines(keepends=True)
    offset = 0
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        if line.strip():
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                if last and not line.endswith("\n") and line.lstrip().startswith("{"):
                    write_atomic(path, text[:offset])  # the record a killed run was writing
                    print(f"archscout: {path}: dropped a cut-off last record (an interrupted run)", file=sys.stderr)
                    return done
                raise ArchscoutError(f"--out {str(path)!r} line {i + 1} is not a JSON record: it is not a results file "
                                     "of this command; move it away or choose another path") from None
            try:
                done[key(r)] = r
            except (KeyError, TypeError, IndexError):
                raise ArchscoutError(f"--out {str(path)!r} line {i + 1} is not a record of this command; "
                                     "move the file away or choose another path") from None
        offset += len(line)
    if text and not text.endswith("\n"):
        with path.open("a") as fh:
            fh.write("\n")
    return done


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: a kill leaves the old file or the new, never half (the
    temporary name holds the process id, so processes sharing a folder never write the same one)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
