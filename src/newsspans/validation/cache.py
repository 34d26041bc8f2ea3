"""Incremental validation: each document's problems kept, keyed by the sha256 of its inputs.

A document's problems depend on its files (corpus/<id>/ and annotations/<id>/), on the
registry entries its mentions link to (their existence and type, or the registry being
broken), on the schema files and on the tool's code. The cache (`.newsspans-cache/` under
the root, which ignores itself in git, or under $NEWSSPANS_CACHE_DIR) keeps, per document,
a digest of its files' paths and stats, one of their contents, the registry ids it links
to and its problems, in `SHARDS` files under `validate/` (a document's shard is fixed by
its id): a run rewrites only the shards of the documents it checked again, so one edited
file costs one small write, not the whole cache's (loading reads every shard: a few dozen
files). A later run walks the tree; a document is checked again when any file of it
differs (by sha256), when one of its linked registry entries changed (looked at only when
the registry as a whole changed), or when the schemas or the code changed; every other
document's problems are taken from the cache.

A document's files are read and hashed again unless the stats (size, mtime, ctime, inode,
device) of all of them are exactly the ones recorded and none was last modified less than
`RACY_SECONDS` before the shard was written (git's index makes the same bargain): an edit
made within the same clock tick as the write could otherwise keep the same stat.
"""

import hashlib
import os
import stat
import time
import zlib
from pathlib import Path

import orjson

from newsspans.errors import CorpusError
from newsspans.store.reading import read_file
from newsspans.store.writing import atomic_write
from newsspans.validation.problems import Problem

CACHE_DIR = ".newsspans-cache"
CACHE_SHARDS = "validate"   # the folder of the shards, inside the cache folder
SHARDS = 64
FORMAT = 3
RACY_SECONDS = 2.0
_PACKAGE = Path(__file__).resolve().parents[1]


def cache_folder(root) -> Path:
    """`.newsspans-cache/` under the root; under $NEWSSPANS_CACHE_DIR instead when that is
    set (one folder per corpus there), e.g. for a checkout that must stay untouched."""
    elsewhere = os.environ.get("NEWSSPANS_CACHE_DIR")
    if elsewhere:
        name = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        return Path(elsewhere) / name
    return Path(root) / CACHE_DIR


def code_key(schema_dir: Path) -> str:
    """sha256 of the tool's version, its code and the schema files: a change to any of them
    invalidates every cached result."""
    from newsspans import __version__
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for folder in (_PACKAGE, Path(schema_dir)):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".json") and path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def links_key(links, registry) -> str:
    """What the checks of a document read from the registry: whether it is usable, and the
    existence and type of each entity id in `links`."""
    if registry is None:
        return "broken"
    seen = [(entity, registry[entity]["type"] if entity in registry else None) for entity in links]
    return hashlib.sha256(orjson.dumps(seen)).hexdigest()


def linked_ids(annotations) -> list:
    """The registry ids the mentions of `annotations` ([(file, data)]) point at, sorted."""
    found = set()
    for _, data in annotations:
        mentions = data.get("entities") if isinstance(data, dict) else None
        for mention in mentions if isinstance(mentions, list) else ():
            if isinstance(mention, dict) and isinstance(mention.get("entity"), str):
                found.add(mention["entity"])
    return sorted(found)


def shard_of(doc_id: str) -> str:
    """The shard file name of `doc_id` ("07.json"): the same on every machine and run."""
    return f"{zlib.crc32(doc_id.encode('utf-8')) % SHARDS:02d}.json"


class ValidationCache:
    """The cached problems of the documents of the corpus at `root`."""

    def __init__(self, root, schema_dir):
        self.root = Path(root)
        self.folder = cache_folder(root)
        self.shards = self.folder / CACHE_SHARDS
        self.key = code_key(schema_dir)
        self.written_ns = {}   # shard -> when it was written
        self.dirty = set()     # shards holding something new to record
        self._whole = None     # the registry's digest, once computed
        self._linked = {}      # corpus/, annotations/ -> the names of the links there
        self._prefix = os.path.join(os.fspath(root), "")
        self.entries = self._load()
        self.fresh = {}

    def _load(self) -> dict:
        entries = {}
        try:
            names = sorted(os.listdir(self.shards))
        except OSError:
            return entries
        for name in names:
            if not name.endswith(".json") or name.startswith("."):
                continue
            path = self.shards / name
            try:
                data = orjson.loads(read_file(path, root=self.folder, name=str(path)))
            except (CorpusError, orjson.JSONDecodeError):
                continue
            if not isinstance(data, dict) or data.get("key") != self.key:
                self.dirty.add(name)   # another version's shard: rewritten (or emptied) by save
                continue
            documents, written = data.get("documents"), data.get("written_ns")
            if not isinstance(documents, dict) or type(written) is not int:
                self.dirty.add(name)   # damaged: trusted in nothing, rewritten by save
                continue
            self.written_ns[name] = written
            entries.update(documents)
        return entries

    # A document's files ---------------------------------------------------------------------
    def files_of(self, doc_id: str):
        """{path relative to root: stat signature} of every file of `doc_id`, or None when
        something there is not a plain file or folder (such a document is always checked)."""
        found = {}
        for top in ("corpus", "annotations"):
            rel = f"{top}/{doc_id}"
            if doc_id in self._links(top) or not _walk(self._prefix + rel, rel, found):
                return None
        return found

    def _links(self, top: str) -> set:
        """The names of the symbolic links in the folder `top` of the root, listed once (a
        listing knows them without an lstat per document folder)."""
        if top not in self._linked:
            try:
                with os.scandir(os.path.join(self.root, top)) as entries:
                    self._linked[top] = {entry.name for entry in entries if entry.is_symlink()}
            except OSError:
                self._linked[top] = set()
        return self._linked[top]

    def _content_key(self, files) -> str:
        """sha256 over the path and the sha256 of each of `files`, read now; None when one
        cannot be read."""
        digest = hashlib.sha256()
        for rel in sorted(files):
            try:
                data = read_file(os.path.join(self.root, rel), root=self.root, name=rel)
            except CorpusError:
                return None
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()

    def lookup(self, doc_id: str, registry):
        """The cached problems of `doc_id` when nothing it depends on changed, else None.
        Either way the document's current keys are kept for `store`.

        The content key (the sha256 of every file) is taken from the cache when the stat
        key (every file's path and stat) is the one recorded and no file was modified
        within RACY_SECONDS before the shard was written; else the files are read again."""
        files = self.files_of(doc_id)
        stats = _stats_key(files)
        if stats is None:
            self.fresh.pop(doc_id, None)
            return None
        entry = self.entries.get(doc_id)
        shard = shard_of(doc_id)
        if entry is not None and not _usable(entry):
            entry = None               # a damaged entry: checked again, and its shard rewritten
            self.dirty.add(shard)
        racy_before = self.written_ns.get(shard, 0) - int(RACY_SECONDS * 1e9)
        if entry and entry["stats"] == stats and all(sig[1] < racy_before for sig in files.values()):
            content = entry["content"]
        else:
            content = self._content_key(files)
            if content is None:
                return None
            if entry and entry["stats"] != stats:
                self.dirty.add(shard)   # new stats to record, even when the problems are reused
        self.fresh[doc_id] = {"stats": stats, "content": content}
        if not entry or entry["content"] != content:
            return None
        if entry["whole_registry"] != self._registry_digest(registry):
            links = entry.get("links")
            if not (isinstance(links, list) and all(isinstance(link, str) for link in links)):
                self.dirty.add(shard)
                return None   # damaged: checked again
            if links_key(links, registry) != entry["registry"]:
                return None   # an entity it links to changed (the registry unchanged: none did)
        return [Problem(**p) for p in entry["problems"]]

    def _registry_digest(self, registry) -> str:
        """sha256 of the whole registry as read (the same for the whole run)."""
        if self._whole is None:
            try:
                self._whole = "broken" if registry is None else hashlib.sha256(
                    orjson.dumps(registry, option=orjson.OPT_SORT_KEYS)).hexdigest()
            except orjson.JSONEncodeError:   # (an integer orjson cannot write) never matches again
                self._whole = f"unhashable {time.time_ns()}"
        return self._whole

    def store(self, doc_id: str, problems, links, registry) -> None:
        keys = self.fresh.get(doc_id)
        self.dirty.add(shard_of(doc_id))
        if keys is None:
            self.entries.pop(doc_id, None)
            return
        self.entries[doc_id] = {**keys, "links": links, "registry": links_key(links, registry),
                                "whole_registry": self._registry_digest(registry),
                                "problems": [p.asdict() for p in problems]}

    def save(self, doc_ids) -> None:
        """Write the shards holding a new entry or a document gone since (dropped); a folder
        that cannot be written leaves the run uncached, never failed."""
        wanted = set(doc_ids)
        for doc_id in [d for d in self.entries if d not in wanted]:
            del self.entries[doc_id]
            self.dirty.add(shard_of(doc_id))
        if not self.dirty:
            return   # nothing new to record
        by_shard = {name: {} for name in self.dirty}
        for doc_id, entry in self.entries.items():
            shard = shard_of(doc_id)
            if shard in by_shard:
                by_shard[shard][doc_id] = entry
        try:
            self.shards.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                atomic_write(ignore, b"# newsspans validate's cache: never committed\n*\n")
            for name, documents in sorted(by_shard.items()):
                data = {"format": FORMAT, "key": self.key, "written_ns": time.time_ns(), "documents": documents}
                atomic_write(self.shards / name, orjson.dumps(data))
        except OSError:
            pass


_PROBLEM_KEYS = {"file", "message", "path", "doc"}


def _usable(entry) -> bool:
    """Whether a cached entry has the shape `store` writes. The cache is a file like any
    other: one damaged by hand or by a crash is ignored, never trusted or a traceback."""
    if not isinstance(entry, dict):
        return False
    if not all(isinstance(entry.get(key), str) for key in ("stats", "content", "registry", "whole_registry")):
        return False
    problems = entry.get("problems")   # its links are looked at where they are used
    return (isinstance(problems, list)
            and all(isinstance(p, dict) and p.keys() == _PROBLEM_KEYS
                    and all(isinstance(p[key], str) for key in ("file", "message", "path"))
                    and (p["doc"] is None or isinstance(p["doc"], str)) for p in problems))


def _stats_key(files):
    """One string for the paths and stats of `files` ({path: [size, mtime_ns, ctime_ns,
    inode, device]}); None for None, or for a path JSON cannot hold (always checked)."""
    if files is None:
        return None
    try:
        return hashlib.sha256(orjson.dumps(files, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError:
        return None


def _walk(folder: str, rel: str, found: dict) -> bool:
    """Add {rel path: [size, mtime_ns, ctime_ns, inode, device]} of every file under
    `folder`; False when a link or a special file is there."""
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    with entries:
        for entry in entries:
            info = entry.stat(follow_symlinks=False)
            mode = info.st_mode
            if stat.S_ISREG(mode):
                found[rel + "/" + entry.name] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                                 info.st_ino, info.st_dev]
            elif not stat.S_ISDIR(mode) or not _walk(entry.path, rel + "/" + entry.name, found):
                return False
    return True
