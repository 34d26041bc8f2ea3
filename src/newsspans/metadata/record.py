"""The release record, releases/releases.json: the one source of the dataset version.

Every generated file that shows the version (croissant.json, the README card, the hub
commit message) takes it from here, never from another generated file: deleting
croissant.json and exporting again restores the same version. No record at all means no
release yet, version 0.1.0. The record is validated against schema/releases.schema.json
before it is used, so a malformed one is an error naming the file and the JSON path.
"""

import os
from pathlib import Path

from newsspans.errors import CorpusError
from newsspans.store.reading import loads_json
from newsspans.store.reading import read_file

HISTORY = "releases/releases.json"
DEFAULT_VERSION = "0.1.0"


def read_releases(root) -> list:
    """Every release in the record, oldest first; [] when there is no record."""
    path = Path(root) / HISTORY
    if not os.path.lexists(path):
        return []
    data = loads_json(read_file(path, root=root, name=HISTORY), HISTORY)
    _check_shape(data)
    return data["releases"]


def record_version(root) -> str:
    """The dataset version: the last release's, or 0.1.0 when nothing was released."""
    releases = read_releases(root)
    return releases[-1]["version"] if releases else DEFAULT_VERSION


def record_date(root):
    """The date of the last release (YYYY-MM-DD), or None when nothing was released."""
    releases = read_releases(root)
    return releases[-1].get("date") if releases else None


def _check_shape(data) -> None:
    """CorpusError at the first schema error: the outermost path, a missing key before others."""
    from newsspans.validation.schemas import is_valid, validator
    if is_valid("releases", data):
        return
    errors = sorted(validator("releases").iter_errors(data),
                    key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path],
                                   e.validator != "required"))
    first = errors[0]
    raise CorpusError(f"{HISTORY} {first.json_path}: {first.message}")
