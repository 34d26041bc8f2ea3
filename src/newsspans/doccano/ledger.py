"""What push gave whom, kept on the repository side so that annotators never see it.

Doccano spans carry a label and nothing else. Gold's registry links and author claimants
used to travel in every example's metadata, where every annotator could read them. They
live here instead: `<home>/pushed/<project>-<hash>.json` (home as in client.doccano_home,
git-ignored), one entry per document version pushed with pre-annotations:

    {"server": URL, "project": NAME, "documents": {"<doc_id>@<version>": {
        "sha256": ...,
        "sources": {"gold": {"entities": [...], "quotes": [...], "claims": [...]}, ...},
        "given": {"<doccano user>": "gold" | "<annotator whose layer was copied>"}}}}

Pull reads it to give back a user's mentions the links (and claims the author) of the
layer that user started from; a user who started from an empty page inherits nothing.
"""

import hashlib
import re

import orjson

from newsspans.errors import DoccanoError
from newsspans.model.annotations import AnnotationFile
from newsspans.model.labels import LAYERS
from newsspans.store.reading import read_file
from newsspans.store.writing import atomic_write
from newsspans.doccano.client import doccano_home

MAX_LEDGER_BYTES = 2 * 1024 ** 3


def ledger_path(root, url: str, project: str):
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", project)[:64]
    digest = hashlib.sha256(f"{url}\n{project}".encode()).hexdigest()[:12]
    return doccano_home(root) / "pushed" / f"{slug}-{digest}.json"


class Ledger:
    """The record of one project on one server; `save()` writes it atomically."""

    def __init__(self, root, url: str, project: str):
        self.path = ledger_path(root, url, project)
        self.data = {"server": url, "project": project, "documents": {}}
        self.changed = False
        if self.path.is_file():
            try:
                loaded = orjson.loads(read_file(self.path, limit=MAX_LEDGER_BYTES))
            except orjson.JSONDecodeError as exc:
                raise DoccanoError(f"{self.path}: not JSON ({exc}); delete it and push again") from None
            if not isinstance(loaded, dict) or not isinstance(loaded.get("documents"), dict):
                raise DoccanoError(f"{self.path}: not a push record; delete it and push again")
            self.data = loaded

    def give(self, doc_id: str, version: int, sha256: str, user: str, source: str,
             annotations: AnnotationFile) -> None:
        """Record that `user`'s layer of the document starts from `annotations` (`source`)."""
        entry = self.data["documents"].setdefault(f"{doc_id}@{version}",
                                                  {"sha256": sha256, "sources": {}, "given": {}})
        if entry["sha256"] != sha256:
            entry.update(sha256=sha256, sources={}, given={})
        layers = {k: [x.asdict() for x in getattr(annotations, k)] for k in LAYERS}
        if entry["sources"].get(source) != layers or entry["given"].get(user) != source:
            entry["sources"][source] = layers
            entry["given"][user] = source
            self.changed = True

    def given(self, doc_id: str, version: int, sha256: str, user: str):
        """(source name, AnnotationFile) that `user` started from on this version, else None."""
        entry = self.data["documents"].get(f"{doc_id}@{version}")
        if not entry or entry.get("sha256") != sha256 or user not in entry.get("given", {}):
            return None
        source = entry["given"][user]
        layers = entry["sources"].get(source)
        if layers is None:
            return None
        return source, AnnotationFile.fromdict({"doc_id": doc_id, "version": version, "sha256": sha256,
                                                "provenance": {}, **layers})

    def save(self) -> None:
        if self.changed:
            atomic_write(self.path, orjson.dumps(self.data, option=orjson.OPT_SORT_KEYS))
            self.changed = False
