"""One exception type for every user mistake, so the CLI can turn it into one line and exit code 2, and the
seed check every seeded component shares."""


class ArchscoutError(ValueError):
    """Bad input from the user: a malformed architecture, an unknown column, an unusable storage URL.

    The message is meant to be shown as-is, on one line, without a traceback.
    """


def check_seed(seed: object, what: str = "seed", allow_none: bool = False, below: int | None = None) -> None:
    """A seed is an integer >= 0 (and < `below`, for libraries that take 32-bit seeds); None when allowed.

    Checked where the component is built: a bad seed used to fail only at its first use, inside a study.
    """
    import numpy as np

    if seed is None and allow_none:
        return
    ok = isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0
    if not ok or (below is not None and seed >= below):
        bound = f" below {below}" if below is not None else ""
        raise ArchscoutError(f"{what} must be {'None or ' if allow_none else ''}an integer >= 0{bound}, not {seed!r}")
