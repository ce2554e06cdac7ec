"""One exception type for every user mistake, so the CLI can turn it into one line and exit code 2."""


class ArchscoutError(ValueError):
    """Bad input from the user: a malformed architecture, an unknown column, an unusable storage URL.

    The message is meant to be shown as-is, on one line, without a traceback.
    """
