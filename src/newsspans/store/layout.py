"""The corpus folder: where each file lives and how it is read."""

import os
import re
from pathlib import Path

from newsspans.errors import CorpusError
from newsspans.store.reading import decode_utf8, loads_json, read_file

DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_doc_id(doc_id: str) -> str:
    """Return `doc_id` if it is a slug; a CorpusError otherwise (no path can escape)."""
    if not isinstance(doc_id, str) or not DOC_ID.fullmatch(doc_id):
        raise CorpusError(f"document id {doc_id!r} is not a slug matching {DOC_ID.pattern}")
    return doc_id


def check_user_name(user: str) -> str:
    """Return `user` if it is safe as a file name; a CorpusError otherwise."""
    if not isinstance(user, str) or not USER_NAME.fullmatch(user) or ".." in user:
        raise CorpusError(f"annotator name {user!r} is not allowed as a file name "
                          f"(letters, digits, '_', '.', '-'; no '..')")
    return user


class Layout:
    """A corpus repository on disk: corpus/, annotations/, exports/."""

    def __init__(self, root):
        self.root = Path(root)
        self._prefix = os.path.join(os.fspath(self.root), "")

    def rel(self, path) -> str:
        """`path` relative to the root, as the messages show it."""
        text = os.fspath(path)
        if text.startswith(self._prefix):
            return text[len(self._prefix):].replace(os.sep, "/")
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return text

    # Layout -----------------------------------------------------------------------------
    @property
    def corpus_dir(self) -> Path:
        return self.root / "corpus"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    @property
    def registry_path(self) -> Path:
        return self.annotations_dir / "entities.json"

    def doc_dir(self, doc_id: str) -> Path:
        return self.corpus_dir / check_doc_id(doc_id)

    def document_path(self, doc_id: str) -> Path:
        return self.doc_dir(doc_id) / "document.json"

    def version_path(self, doc_id: str, version: int) -> Path:
        return self.doc_dir(doc_id) / f"v{int(version)}.txt"

    def gold_path(self, doc_id: str) -> Path:
        return self.annotations_dir / check_doc_id(doc_id) / "gold.json"

    def annotator_path(self, doc_id: str, user: str) -> Path:
        return self.annotations_dir / check_doc_id(doc_id) / "annotators" / f"{check_user_name(user)}.json"

    def doc_ids(self):
        """Folder names under corpus/, sorted: every one is a document (or a problem)."""
        if not self.corpus_dir.is_dir():
            return []
        return sorted(p.name for p in self.corpus_dir.iterdir() if p.is_dir())

    def annotation_paths(self, doc_id: str):
        """gold.json first, then each annotator file, sorted by name."""
        return [Path(self._prefix + rel) for rel in self.annotation_files(doc_id)]

    def annotation_files(self, doc_id: str) -> list:
        """`annotation_paths` relative to the root, as plain strings ('annotations/d/gold.json')."""
        folder = f"annotations/{doc_id}"
        found = [f"{folder}/gold.json"] if os.path.lexists(f"{self._prefix}{folder}/gold.json") else []
        annotators = f"{self._prefix}{folder}/annotators"
        if os.path.isdir(annotators):
            found.extend(f"{folder}/annotators/{name}" for name in sorted(os.listdir(annotators))
                         if name.endswith(".json"))
        return found

    # Reading ----------------------------------------------------------------------------
    def read_bytes(self, path: Path) -> bytes:
        """A corpus file's bytes, through the one reader: a regular file inside the
        repository (no link out of it, at any component), of sane size."""
        return read_file(path, root=self.root, name=self.rel(path))

    def read_json(self, path: Path):
        return loads_json(self.read_bytes(path), self.rel(path))

    def read_text(self, path: Path) -> str:
        return decode_utf8(self.read_bytes(path), self.rel(path))

    def document(self, doc_id: str) -> dict:
        return self.read_json(self.document_path(doc_id))

    def text(self, doc_id: str, version: int) -> str:
        return self.read_text(self.version_path(doc_id, version))

    def registry(self) -> dict:
        """Registry entities by id ({} when there is no registry file)."""
        if not self.registry_path.is_file():
            return {}
        return {e["id"]: e for e in self.read_json(self.registry_path)["entities"]}
