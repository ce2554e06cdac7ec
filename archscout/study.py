"""Opening, checking and running archscout searches as Optuna studies.

One search = one Optuna study; the storage is Optuna's (SQLite file by default, any SQLAlchemy URL,
or a JournalStorage file for many workers). Re-running the same command opens the same study and
runs only the trials still missing, so a killed search resumes.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage

from archscout.errors import ArchscoutError

SPACE_ATTR = "archscout:space"
CONFIG_ATTR = "archscout:config"


def open_storage(url: str | None) -> BaseStorage | str | None:
    """An Optuna storage from a URL: ``sqlite:///file.db``, any SQLAlchemy URL, ``journal:PATH``,
    or None for in-memory. Errors become one ArchscoutError naming the URL."""
    if url is None or url == "memory":
        return None
    try:
        if url.startswith("journal:"):
            from optuna.storages import JournalStorage
            from optuna.storages.journal import JournalFileBackend

            path = Path(url[len("journal:"):])
            if not path.parent.exists():
                raise ArchscoutError(f"cannot open storage {url!r}: folder {str(path.parent)!r} does not exist")
            return JournalStorage(JournalFileBackend(str(path)))
        if url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///"):])
            if path.parent != Path("") and not path.parent.exists():
                raise ArchscoutError(f"cannot open storage {url!r}: folder {str(path.parent)!r} does not exist")
            if path.exists() and path.is_dir():
                raise ArchscoutError(f"cannot open storage {url!r}: {str(path)!r} is a folder")
        with warnings.catch_warnings():  # heartbeat is "experimental" in Optuna but long stable
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(url, heartbeat_interval=30, grace_period=90)
    except ArchscoutError:
        raise
    except Exception as e:  # SQLAlchemy/Optuna raise many kinds; the user needs one line
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ArchscoutError(f"cannot open storage {url!r}: {msg}") from None


def open_study(
    storage: str | None,
    study_name: str,
    space_name: str,
    config: dict[str, Any],
    sampler: optuna.samplers.BaseSampler,
    pruner: optuna.pruners.BasePruner | None = None,
    direction: str = "maximize",
) -> optuna.Study:
    """Create the study, or load it after checking it searched the same space with the same setup."""
    store = open_storage(storage)
    if store is not None:
        existing = _summaries(store, storage)
        if study_name in existing:
            attrs = existing[study_name].user_attrs
            if attrs.get(SPACE_ATTR) != space_name:
                raise ArchscoutError(
                    f"study {study_name!r} in {storage} searched space {attrs.get(SPACE_ATTR)!r}, not {space_name!r}; "
                    "use another --study name"
                )
            old = json.loads(attrs.get(CONFIG_ATTR, "{}"))
            diff = {k: (old.get(k), v) for k, v in config.items() if k in old and old.get(k) != v}
            if diff:
                what = ", ".join(f"{k}: {a!r} then, {b!r} now" for k, (a, b) in diff.items())
                raise ArchscoutError(f"study {study_name!r} exists with another setup ({what}); use another --study name")
    study = optuna.create_study(  # no pruner means no pruning (Optuna's default would be MedianPruner)
        storage=store, study_name=study_name, sampler=sampler, pruner=pruner or optuna.pruners.NopPruner(), direction=direction, load_if_exists=True
    )
    if SPACE_ATTR not in study.user_attrs:
        study.set_user_attr(SPACE_ATTR, space_name)
        study.set_user_attr(CONFIG_ATTR, json.dumps(config, sort_keys=True))
    return study


def _summaries(store: BaseStorage | str, storage: str | None) -> dict[str, Any]:
    """The storage's studies by name; a storage that cannot be read is one error naming its URL."""
    try:
        return {s.study_name: s for s in optuna.get_all_study_summaries(store)}
    except Exception as e:
        raise ArchscoutError(f"cannot read storage {storage!r}: {str(e).splitlines()[0]}") from None


def load_prior(storage: str | None, study_name: str, space_name: str, max_epochs: int):
    """(features, curves) of an earlier study in the same storage, for ``BakerPruner(prior=...)``; one
    clear error when it is not there, searched another space, or has no full curve."""
    from archscout.stopping import prior_from_study

    store = open_storage(storage)
    if store is None:
        raise ArchscoutError("--prior-study reads an earlier study from --storage; an in-memory storage has none")
    existing = _summaries(store, storage)
    if study_name not in existing:
        names = ", ".join(sorted(existing)) or "none"
        raise ArchscoutError(f"--prior-study {study_name!r} is not in {storage} (studies there: {names})")
    space = existing[study_name].user_attrs.get(SPACE_ATTR)
    if space != space_name:
        raise ArchscoutError(f"--prior-study {study_name!r} searched space {space!r}, not {space_name!r}: its "
                             "features would not line up")
    study = optuna.load_study(study_name=study_name, storage=store)
    return prior_from_study(study, max_epochs)

